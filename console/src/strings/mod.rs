//! Every piece of operator-facing text, in Chinese and English, in one place.

mod drills;
mod fixed;
mod names;
mod reports;
mod shift;

pub use drills::*;
pub use fixed::S;
pub use names::*;
pub use reports::*;
pub use shift::*;

use alert_hub::protocol::Bilingual;
use serde::Deserialize;

/// The language the console speaks; a key toggles it at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The other language.
    pub fn toggled(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Picks the text of this language from a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The text of this language from a bilingual value, falling back to the other language
    /// when this one is empty.
    pub fn of(self, text: &Bilingual) -> &str {
        let (first, second) = match self {
            Lang::Zh => (&text.zh, &text.en),
            Lang::En => (&text.en, &text.zh),
        };
        if first.is_empty() { second } else { first }
    }

    /// The same language as the playbooks and the hub's sentences name it.
    pub fn text(self) -> playbooks::Lang {
        match self {
            Lang::Zh => playbooks::Lang::Zh,
            Lang::En => playbooks::Lang::En,
        }
    }

    /// Reads `zh`/`en` (and the common spellings `zh-CN`, `cn`, `english`), case-insensitive.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" => Some(Lang::Zh),
            "en" | "en-us" | "en_us" | "en-gb" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playbook_log_lines_name_choices_and_inputs_by_their_labels() {
        use alert_hub::protocol::IncidentEvent;
        use playbooks::RunEvent;
        let fire = crate::sample::with_playbook(crate::sample::incident(
            "INC-1",
            alert_hub::protocol::EventKind::FireAlarm,
            "green-garden",
        ));
        let playbook = fire.playbook.as_ref();
        let at = crate::sample::T0;
        let chose = IncidentEvent::Playbook {
            run: RunEvent::ChoiceMade {
                step: "confirm".into(),
                choice: "real".into(),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(event_text(&chose, Lang::En, playbook), "chose Real fire");
        let recorded = IncidentEvent::Playbook {
            run: RunEvent::InputRecorded {
                step: "evacuate".into(),
                input: "people".into(),
                value: "120".into(),
                previous: None,
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&recorded, Lang::Zh, playbook),
            "记录 疏散人数: 120"
        );
        let corrected = IncidentEvent::Playbook {
            run: RunEvent::InputRecorded {
                step: "evacuate".into(),
                input: "people".into(),
                value: "112".into(),
                previous: Some("120".into()),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&corrected, Lang::En, playbook),
            "corrected People evacuated: 120 → 112",
            "a correction shows the value it replaced"
        );
        let undone = IncidentEvent::Playbook {
            run: RunEvent::StepReopened {
                step: "confirm".into(),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&undone, Lang::En, playbook),
            "undid step (to do again) 2 “Confirm the alarm by the fastest means”"
        );
        assert_eq!(
            event_text(&chose, Lang::En, None),
            "chose real",
            "without the checklist, the id"
        );
    }

    #[test]
    fn toggling_twice_returns_to_the_start() {
        assert_eq!(Lang::Zh.toggled(), Lang::En);
        assert_eq!(Lang::Zh.toggled().toggled(), Lang::Zh);
    }

    #[test]
    fn bilingual_falls_back_when_one_side_is_empty() {
        let text = Bilingual {
            zh: String::new(),
            en: "Call 119".into(),
        };
        assert_eq!(Lang::Zh.of(&text), "Call 119");
        assert_eq!(Lang::En.of(&text), "Call 119");
    }

    #[test]
    fn language_names_parse_loosely() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn drill_word_is_unmistakable_in_both_languages() {
        assert_eq!(S::Drill.get(Lang::Zh), "演练");
        assert_eq!(S::Drill.get(Lang::En), "DRILL");
    }
}
