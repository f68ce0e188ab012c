//! Contact ID (SIA DC-05) data: `#acct|QEEE GG CCC`, qualifier, event code, group and zone
//! or user.

use super::mapping::Signal;

/// Reads Contact ID data such as `#1234|1110 01 003` (the space after the qualifier and the
/// `#acct|` part are optional). The error says what is wrong.
pub fn parse_contact_id(data: &str) -> Result<Signal, String> {
    let code = strip_account(data);
    let digits: String = code.chars().filter(|c| *c != ' ').collect();
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "Contact ID data \"{code}\" must be QEEE GG CCC: qualifier, event, group and zone \
             (9 digits)"
        ));
    }
    let qualifier = digits[..1].parse::<u8>().unwrap_or(0);
    if !matches!(qualifier, 1 | 3 | 6) {
        return Err(format!(
            "Contact ID qualifier {} is not 1 (new), 3 (restore) or 6 (still present)",
            &digits[..1]
        ));
    }
    Ok(Signal {
        code: digits[1..4].to_string(),
        restore: qualifier == 3,
        qualifier: Some(qualifier),
        group: Some(digits[4..6].to_string()),
        number: Some(digits[6..9].to_string()),
        user: None,
        text: code.to_string(),
    })
}

/// The data without its leading `#acct|`, when it has one.
pub(super) fn strip_account(data: &str) -> &str {
    match data.strip_prefix('#').and_then(|d| d.split_once('|')) {
        Some((_, rest)) => rest,
        None => data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_frame_data_reads() {
        let s = parse_contact_id("#7099|1628 01 000").expect("reads");
        assert_eq!(s.code, "628");
        assert_eq!(s.qualifier, Some(1));
        assert_eq!(s.group.as_deref(), Some("01"));
        assert_eq!(s.number.as_deref(), Some("000"));
        assert!(!s.restore);
    }

    #[test]
    fn a_restore_without_the_account_part() {
        let s = parse_contact_id("3110 01 003").expect("reads");
        assert!(s.restore);
        assert_eq!(s.code, "110");
        assert_eq!(s.text, "3110 01 003");
    }

    #[test]
    fn bad_data_says_why() {
        assert!(
            parse_contact_id("#1|110 01")
                .unwrap_err()
                .contains("9 digits")
        );
        assert!(
            parse_contact_id("2110 01 003")
                .unwrap_err()
                .contains("qualifier 2")
        );
    }
}
