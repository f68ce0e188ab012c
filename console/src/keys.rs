//! Key bindings as data: which key means which [`Intent`] on which screen, and their help.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::{Intent, Screen};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every screen (screen bindings win over global ones).
    Global,
    Board,
    /// The incident screen, live or read-only.
    Incident,
    /// The incident screen of a live (not historical) incident: the commands.
    IncidentLive,
    History,
    HandOver,
    OnTest,
    Reports,
    Drills,
}

/// One key, with the modifiers that must be held (shift is ignored for characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        let mut mods = event.modifiers;
        if matches!(event.code, KeyCode::Char(_)) {
            mods.remove(KeyModifiers::SHIFT);
        }
        self.code == event.code && self.modifiers == mods
    }

    /// How the key is written in the help.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// One binding: keys, what they mean, where, and whether the help lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Vec<Key>,
    pub intent: Intent,
    /// False for bindings folded into another help line (the digits after `1`).
    pub in_help: bool,
}

/// The whole key map; [`Keymap::default`] is the built-in one.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        use Scope::*;
        let b = |scope, keys: &[Key], intent| Binding {
            scope,
            keys: keys.to_vec(),
            intent,
            in_help: true,
        };
        let mut bindings = vec![
            b(Global, &[Key::ch('?')], Intent::ToggleHelp),
            b(Global, &[Key::ch('m')], Intent::ToggleMute),
            b(Global, &[Key::ch('l')], Intent::ToggleLanguage),
            b(Global, &[Key::plain(F(1))], Intent::Show(Screen::Board)),
            b(Global, &[Key::plain(F(2))], Intent::Show(Screen::History)),
            b(Global, &[Key::plain(F(3))], Intent::Show(Screen::HandOver)),
            b(Global, &[Key::plain(F(4))], Intent::Show(Screen::OnTest)),
            b(Global, &[Key::plain(F(5))], Intent::Show(Screen::Drills)),
            b(Global, &[Key::plain(F(6))], Intent::Show(Screen::Reports)),
            b(Global, &[Key::plain(Tab)], Intent::NextScreen),
            b(Global, &[Key::plain(Esc)], Intent::Back),
            b(Global, &[Key::plain(Up), Key::ch('k')], Intent::Up),
            b(Global, &[Key::plain(Down), Key::ch('j')], Intent::Down),
            b(Global, &[Key::plain(PageUp)], Intent::PageUp),
            b(Global, &[Key::plain(PageDown)], Intent::PageDown),
            b(Global, &[Key::plain(Home)], Intent::First),
            b(Global, &[Key::plain(End)], Intent::Last),
            b(Global, &[Key::ch('q')], Intent::Quit),
            b(Global, &[Key::ch('p')], Intent::JumpToAlarm),
            b(Board, &[Key::plain(Enter)], Intent::Open),
            b(Board, &[Key::ch('a')], Intent::Acknowledge),
            b(Board, &[Key::ch('f')], Intent::CycleSiteFilter),
            b(Board, &[Key::ch('x')], Intent::Close),
            b(Board, &[Key::ch('o')], Intent::Report),
            b(IncidentLive, &[Key::ch('a')], Intent::Acknowledge),
            b(IncidentLive, &[Key::ch('c')], Intent::CompleteStep),
            b(IncidentLive, &[Key::ch('1')], Intent::Choose(0)),
        ];
        for n in 1..9u8 {
            bindings.push(Binding {
                scope: IncidentLive,
                keys: vec![Key::ch(char::from(b'1' + n))],
                intent: Intent::Choose(n),
                in_help: false,
            });
        }
        bindings.extend([
            b(IncidentLive, &[Key::ch('i')], Intent::EnterInput),
            b(IncidentLive, &[Key::ch('s')], Intent::Skip),
            b(IncidentLive, &[Key::ch('u')], Intent::UndoStep),
            b(IncidentLive, &[Key::ch('v')], Intent::CorrectValue),
            b(IncidentLive, &[Key::ch('n')], Intent::Note),
            b(IncidentLive, &[Key::ch('e')], Intent::EscalateNow),
            b(IncidentLive, &[Key::ch('t')], Intent::LogCall),
            b(IncidentLive, &[Key::ch('r')], Intent::Resolve),
            b(IncidentLive, &[Key::ch('x')], Intent::Close),
            b(History, &[Key::ch('/')], Intent::Search),
            b(History, &[Key::plain(Enter)], Intent::Open),
            b(History, &[Key::ch('g')], Intent::Refresh),
            b(HandOver, &[Key::ch('i')], Intent::EditIncoming),
            b(HandOver, &[Key::ch('n')], Intent::EditHandOverNote),
            b(HandOver, &[Key::ch('s')], Intent::SignHandOver),
            b(HandOver, &[Key::ch('c')], Intent::ConfirmHandOver),
            b(OnTest, &[Key::ch('n')], Intent::PutOnTest),
            b(OnTest, &[Key::ch('x')], Intent::EndTest),
            b(Reports, &[Key::plain(Enter)], Intent::Open),
            b(Reports, &[Key::ch('m')], Intent::ShowMonth),
            b(Reports, &[Key::ch('[')], Intent::EarlierMonth),
            b(Reports, &[Key::ch(']')], Intent::LaterMonth),
            b(Reports, &[Key::ch('r')], Intent::WriteRootCause),
            b(Reports, &[Key::ch('f')], Intent::AddFactor),
            b(Reports, &[Key::ch('n')], Intent::AddAction),
            b(Reports, &[Key::ch('s')], Intent::SignOff),
            b(Reports, &[Key::ch('g')], Intent::Refresh),
            b(Drills, &[Key::ch('g')], Intent::Refresh),
        ]);
        Keymap { bindings }
    }
}

/// The scopes that apply on a screen, most specific first.
pub fn scopes(screen: Screen, read_only: bool) -> &'static [Scope] {
    match (screen, read_only) {
        (Screen::Board, _) => &[Scope::Board, Scope::Global],
        (Screen::Incident, false) => &[Scope::IncidentLive, Scope::Incident, Scope::Global],
        (Screen::Incident, true) => &[Scope::Incident, Scope::Global],
        (Screen::History, _) => &[Scope::History, Scope::Global],
        (Screen::HandOver, _) => &[Scope::HandOver, Scope::Global],
        (Screen::OnTest, _) => &[Scope::OnTest, Scope::Global],
        (Screen::Reports, _) => &[Scope::Reports, Scope::Global],
        (Screen::Drills, _) => &[Scope::Drills, Scope::Global],
    }
}

impl Keymap {
    /// What `event` means on `screen`; key releases and unbound keys mean nothing.
    pub fn resolve(&self, screen: Screen, read_only: bool, event: &KeyEvent) -> Option<Intent> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        if event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Intent::Quit);
        }
        scopes(screen, read_only).iter().find_map(|scope| {
            self.bindings
                .iter()
                .filter(|b| b.scope == *scope)
                .find(|b| b.keys.iter().any(|k| k.matches(event)))
                .map(|b| b.intent)
        })
    }

    /// The bindings the help lists on `screen`, screen bindings first.
    pub fn help(&self, screen: Screen, read_only: bool) -> Vec<&Binding> {
        scopes(screen, read_only)
            .iter()
            .flat_map(|scope| self.bindings.iter().filter(move |b| b.scope == *scope))
            .filter(|b| b.in_help)
            .collect()
    }

    /// The keys bound to `intent` on `screen`, as the help writes them (`a`, `↑/k`).
    pub fn label_for(&self, screen: Screen, read_only: bool, intent: Intent) -> String {
        self.help(screen, read_only)
            .into_iter()
            .find(|b| b.intent == intent)
            .map(|b| {
                let keys: Vec<_> = b.keys.iter().map(Key::label).collect();
                let mut label = keys.join("/");
                if intent == Intent::Choose(0) {
                    label.push_str("…9");
                }
                label
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn screen_bindings_win_and_global_ones_apply_everywhere() {
        let keys = Keymap::default();
        let a = press(KeyCode::Char('a'));
        assert_eq!(
            keys.resolve(Screen::Board, false, &a),
            Some(Intent::Acknowledge)
        );
        assert_eq!(keys.resolve(Screen::OnTest, false, &a), None);
        let i = press(KeyCode::Char('i'));
        assert_eq!(
            keys.resolve(Screen::Incident, false, &i),
            Some(Intent::EnterInput)
        );
        assert_eq!(
            keys.resolve(Screen::HandOver, false, &i),
            Some(Intent::EditIncoming)
        );
        assert_eq!(
            keys.resolve(Screen::History, false, &press(KeyCode::F(1))),
            Some(Intent::Show(Screen::Board))
        );
    }

    #[test]
    fn a_read_only_incident_takes_no_commands() {
        let keys = Keymap::default();
        for c in ['a', 'c', '1', 'i', 's', 'n', 'e', 't', 'r'] {
            assert_eq!(
                keys.resolve(Screen::Incident, true, &press(KeyCode::Char(c))),
                None,
                "{c}"
            );
        }
        assert_eq!(
            keys.resolve(Screen::Incident, true, &press(KeyCode::Esc)),
            Some(Intent::Back)
        );
    }

    #[test]
    fn digits_choose_and_control_c_quits() {
        let keys = Keymap::default();
        assert_eq!(
            keys.resolve(Screen::Incident, false, &press(KeyCode::Char('3'))),
            Some(Intent::Choose(2))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            keys.resolve(Screen::Incident, false, &ctrl_c),
            Some(Intent::Quit)
        );
        let mut release = press(KeyCode::Char('a'));
        release.kind = KeyEventKind::Release;
        assert_eq!(keys.resolve(Screen::Board, false, &release), None);
    }

    #[test]
    fn no_key_means_two_things_in_one_scope() {
        let keys = Keymap::default();
        for (i, a) in keys.bindings.iter().enumerate() {
            for b in &keys.bindings[i + 1..] {
                if a.scope == b.scope {
                    assert!(
                        !a.keys.iter().any(|k| b.keys.contains(k)),
                        "{:?} and {:?}",
                        a.intent,
                        b.intent
                    );
                }
            }
        }
    }

    #[test]
    fn help_lists_screen_keys_first_with_their_labels() {
        let keys = Keymap::default();
        let help = keys.help(Screen::Incident, false);
        assert_eq!(help[0].intent, Intent::Acknowledge);
        assert!(help.iter().all(|b| b.in_help));
        assert_eq!(
            keys.label_for(Screen::Incident, false, Intent::Choose(0)),
            "1…9"
        );
        assert_eq!(keys.label_for(Screen::Board, false, Intent::Up), "↑/k");
    }

    #[test]
    fn the_on_test_screen_puts_on_test_and_ends_tests() {
        let keys = Keymap::default();
        let n = press(KeyCode::Char('n'));
        let x = press(KeyCode::Char('x'));
        assert_eq!(
            keys.resolve(Screen::OnTest, false, &n),
            Some(Intent::PutOnTest)
        );
        assert_eq!(
            keys.resolve(Screen::OnTest, false, &x),
            Some(Intent::EndTest)
        );
        assert_eq!(
            keys.resolve(Screen::Board, false, &x),
            Some(Intent::Close),
            "on the board x closes the selected incident"
        );
        let help: Vec<_> = keys
            .help(Screen::OnTest, false)
            .iter()
            .map(|b| b.intent)
            .collect();
        assert_eq!(help[..2], [Intent::PutOnTest, Intent::EndTest]);
    }
}
