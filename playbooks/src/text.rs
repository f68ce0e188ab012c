//! Bilingual text (zh-CN and English) and the choice of language to show it in.

use serde::{Deserialize, Serialize};

/// A text in both languages the control room speaks. Both are required and non-empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    /// Builds a text from its two translations.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The first words of an instruction, up to its first pause and at most 40 characters: how a
/// step is named to an operator ("Call 119 and say"), where its id would mean nothing.
pub fn first_words(instruction: &str) -> String {
    const MOST: usize = 40;
    let cut = instruction
        .char_indices()
        .skip(4)
        .find(|(_, c)| {
            matches!(
                c,
                '：' | ':' | '，' | ',' | '。' | '.' | '；' | ';' | '(' | '（'
            )
        })
        .map_or(instruction, |(i, _)| instruction[..i].trim_end());
    if cut.chars().count() > MOST {
        format!("{}…", cut.chars().take(MOST - 1).collect::<String>())
    } else {
        cut.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::first_words;

    #[test]
    fn a_step_is_named_by_its_words_up_to_the_first_pause() {
        assert_eq!(
            first_words("Call 119 and say: the address"),
            "Call 119 and say"
        );
        assert_eq!(first_words("拨打119报警，说清：地址"), "拨打119报警");
        assert_eq!(first_words("Evacuate"), "Evacuate");
        assert_eq!(first_words("Confirm it (camera or a guard)"), "Confirm it");
        let long = "a".repeat(60);
        assert_eq!(first_words(&long).chars().count(), 40);
        assert!(first_words(&long).ends_with('…'));
    }
}

/// A language the console can show: simplified Chinese or English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}
