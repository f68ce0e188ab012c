//! SIA DCS (DC-03) data: `#acct|Nri1/FA003/BA005`: modifiers (`ri` area, `id` user) and one
//! or more two-letter event codes with their zone or user number.

use super::contact_id::strip_account;
use super::mapping::Signal;

/// Reads SIA DCS data into its events, in order, each with the area and user given before it.
/// The error says what is wrong and where (the character position in the data).
pub fn parse_sia(data: &str) -> Result<Vec<Signal>, String> {
    let body = strip_account(data);
    let skipped = data.len() - body.len();
    let Some(blocks) = body.strip_prefix('N').or_else(|| body.strip_prefix('O')) else {
        return Err(format!(
            "SIA data \"{body}\" must begin with N (new event) or O (old event)"
        ));
    };
    let mut area = None;
    let mut user = None;
    let mut signals = Vec::new();
    let mut at = skipped + 1;
    for block in blocks.split('/') {
        let bytes = block.as_bytes();
        match bytes {
            [a, b, ..] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => {
                let value = block[2..].to_string();
                match &block[..2] {
                    "ri" => area = Some(value),
                    "id" => user = Some(value),
                    _ => {}
                }
            }
            [a, b, rest @ ..]
                if a.is_ascii_uppercase()
                    && b.is_ascii_uppercase()
                    && rest.iter().all(|c| c.is_ascii_alphanumeric()) =>
            {
                let number = (!rest.is_empty()).then(|| block[2..].to_string());
                signals.push(Signal {
                    code: block[..2].to_string(),
                    restore: false,
                    qualifier: None,
                    group: area.clone(),
                    number,
                    user: user.clone(),
                    text: body.to_string(),
                });
            }
            _ => {
                return Err(format!(
                    "character {} of the SIA data: \"{block}\" is neither a modifier (two \
                     lowercase letters and a value) nor an event code (two capitals and a number)",
                    at + 1
                ));
            }
        }
        at += block.len() + 1;
    }
    if signals.is_empty() {
        return Err(format!("SIA data \"{body}\" carries no event code"));
    }
    Ok(signals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_apply_to_the_codes_after_them() {
        let s = parse_sia("#1234|Nri1/FA003/id7/HA002").expect("reads");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].code, "FA");
        assert_eq!(s[0].group.as_deref(), Some("1"));
        assert_eq!(s[0].number.as_deref(), Some("003"));
        assert_eq!(s[0].user, None);
        assert_eq!(s[1].code, "HA");
        assert_eq!(s[1].user.as_deref(), Some("7"));
    }

    #[test]
    fn a_code_without_a_number() {
        let s = parse_sia("NRP").expect("reads");
        assert_eq!(s[0].code, "RP");
        assert_eq!(s[0].number, None);
    }

    #[test]
    fn bad_data_says_where() {
        assert!(
            parse_sia("#1234|XFA003")
                .unwrap_err()
                .contains("begin with N")
        );
        let e = parse_sia("#1234|Nri1/F-3").unwrap_err();
        assert!(e.contains("character 12") && e.contains("F-3"), "{e}");
        assert!(parse_sia("Nri1").unwrap_err().contains("no event code"));
    }
}
