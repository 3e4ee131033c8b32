//! One key: how `[keys]` writes it (`r`, `R`, `?`, `Space`, `Shift-Tab`,
//! `PageDown`, `F5`, `Ctrl-f`, `Alt-x`), how help and the footer show it
//! (`↑`, `PgDn`) and whether a key event is it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Whether `event` is this key. Shifted letters arrive as the
    /// upper-case char, with or without SHIFT (and Shift-Tab as BackTab).
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let mods = event.modifiers - KeyModifiers::SHIFT;
        self.code == event.code && self.mods == mods
    }
}

/// The named keys, as written, with their codes (the names are matched
/// without regard to case).
const NAMED: &[(&str, KeyCode)] = &[
    ("Space", KeyCode::Char(' ')),
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("Shift-Tab", KeyCode::BackTab),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("Delete", KeyCode::Delete),
    ("Backspace", KeyCode::Backspace),
    ("Insert", KeyCode::Insert),
];

/// Other spellings taken for the named keys: what help shows among them.
const ALSO: &[(&str, KeyCode)] = &[
    ("Escape", KeyCode::Esc),
    ("Return", KeyCode::Enter),
    ("BackTab", KeyCode::BackTab),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("Del", KeyCode::Delete),
    ("↑", KeyCode::Up),
    ("↓", KeyCode::Down),
    ("←", KeyCode::Left),
    ("→", KeyCode::Right),
];

const SYNTAX: &str = "a key is one character (r, R, ?, :), a name (Space, Enter, Esc, Tab, \
                      Shift-Tab, Up, Down, Left, Right, PageUp, PageDown, Home, End, Delete, \
                      Backspace, Insert, F1..F12), or Ctrl- or Alt- and one of those";

/// A key as `[keys]` writes it.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let mut rest = text;
    let mut mods = KeyModifiers::NONE;
    loop {
        let prefix = |p: &str| {
            rest.len() > p.len()
                && rest
                    .get(..p.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(p))
        };
        if prefix("Ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[5..];
        } else if prefix("Alt-") {
            mods |= KeyModifiers::ALT;
            rest = &rest[4..];
        } else {
            break;
        }
    }
    if rest.is_empty() {
        return Err(format!("no key: {SYNTAX}"));
    }
    if let Some(code) = NAMED
        .iter()
        .chain(ALSO)
        .find(|(name, _)| name.eq_ignore_ascii_case(rest))
        .map(|(_, code)| *code)
    {
        return Ok(Key { code, mods });
    }
    let mut chars = rest.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_control() {
            return Err(format!("a control character: write its name; {SYNTAX}"));
        }
        // Terminals send Ctrl-X as Ctrl-x: there is no telling them apart.
        let c = if mods.contains(KeyModifiers::CONTROL) {
            c.to_ascii_lowercase()
        } else {
            c
        };
        return Ok(Key {
            code: KeyCode::Char(c),
            mods,
        });
    }
    if let Some(n) = rest
        .strip_prefix(['F', 'f'])
        .and_then(|n| n.parse::<u8>().ok())
    {
        return match n {
            1..=12 => Ok(Key {
                code: KeyCode::F(n),
                mods,
            }),
            _ => Err(format!("`{rest}`: function keys go from F1 to F12")),
        };
    }
    if rest
        .get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("Shift-"))
    {
        return Err(format!(
            "`{text}`: Shift- goes only with Tab; write the upper-case letter (R, not Shift-r)"
        ));
    }
    Err(format!("`{rest}` is not a key: {SYNTAX}"))
}

/// A key as `[keys]` writes it, which `parse_key` reads back.
pub fn key_text(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        code => NAMED
            .iter()
            .find(|(_, c)| *c == code)
            .map_or_else(|| format!("{code:?}"), |(name, _)| name.to_string()),
    };
    with_mods(key.mods, base)
}

/// A key as help, the footer and the palette show it.
pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Insert => "Ins".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    with_mods(key.mods, base)
}

fn with_mods(mods: KeyModifiers, base: String) -> String {
    let alt = if mods.contains(KeyModifiers::ALT) {
        "Alt-"
    } else {
        ""
    };
    let ctrl = if mods.contains(KeyModifiers::CONTROL) {
        "Ctrl-"
    } else {
        ""
    };
    format!("{ctrl}{alt}{base}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> Key {
        Key { code, mods }
    }

    #[test]
    fn characters_names_and_prefixes_parse() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        let alt = KeyModifiers::ALT;
        let cases = [
            ("r", key(KeyCode::Char('r'), none)),
            ("R", key(KeyCode::Char('R'), none)),
            ("?", key(KeyCode::Char('?'), none)),
            (":", key(KeyCode::Char(':'), none)),
            ("-", key(KeyCode::Char('-'), none)),
            ("Space", key(KeyCode::Char(' '), none)),
            (" ", key(KeyCode::Char(' '), none)),
            ("Enter", key(KeyCode::Enter, none)),
            ("esc", key(KeyCode::Esc, none)),
            ("Tab", key(KeyCode::Tab, none)),
            ("Shift-Tab", key(KeyCode::BackTab, none)),
            ("Up", key(KeyCode::Up, none)),
            ("↓", key(KeyCode::Down, none)),
            ("Left", key(KeyCode::Left, none)),
            ("Right", key(KeyCode::Right, none)),
            ("PageUp", key(KeyCode::PageUp, none)),
            ("PgDn", key(KeyCode::PageDown, none)),
            ("Home", key(KeyCode::Home, none)),
            ("End", key(KeyCode::End, none)),
            ("Delete", key(KeyCode::Delete, none)),
            ("Backspace", key(KeyCode::Backspace, none)),
            ("F1", key(KeyCode::F(1), none)),
            ("F12", key(KeyCode::F(12), none)),
            ("Ctrl-f", key(KeyCode::Char('f'), ctrl)),
            ("Ctrl-F", key(KeyCode::Char('f'), ctrl)),
            ("ctrl-Space", key(KeyCode::Char(' '), ctrl)),
            ("Ctrl--", key(KeyCode::Char('-'), ctrl)),
            ("Alt-x", key(KeyCode::Char('x'), alt)),
            ("Alt-X", key(KeyCode::Char('X'), alt)),
            ("Ctrl-Alt-Delete", key(KeyCode::Delete, ctrl | alt)),
            ("Alt-F5", key(KeyCode::F(5), alt)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_key(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn bad_keys_say_what_is_wrong() {
        for (text, says) in [
            ("", "no key"),
            ("Ctrl-", "is not a key"),
            ("ab", "`ab` is not a key"),
            ("Return2", "is not a key"),
            ("F13", "F1 to F12"),
            ("F0", "F1 to F12"),
            ("Shift-r", "write the upper-case letter"),
            ("\t", "control character"),
            ("Hyper-x", "is not a key"),
            ("↑↓", "is not a key"),
            ("é↑", "is not a key"),
        ] {
            let e = parse_key(text).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn written_keys_read_back_and_labels_stay_short() {
        for text in [
            "r",
            "R",
            "?",
            "Space",
            "Enter",
            "Esc",
            "Tab",
            "Shift-Tab",
            "Up",
            "PageDown",
            "Home",
            "F7",
            "Ctrl-b",
            "Ctrl-Space",
            "Alt-x",
            "Delete",
            "Backspace",
        ] {
            let key = parse_key(text).unwrap();
            assert_eq!(key_text(&key), text);
            assert_eq!(parse_key(&key_text(&key)), Ok(key));
        }
        let label = |t: &str| key_label(&parse_key(t).unwrap());
        assert_eq!(label("Up"), "↑");
        assert_eq!(label("PageDown"), "PgDn");
        assert_eq!(label("Ctrl-c"), "Ctrl-c");
        assert_eq!(label("Alt-F2"), "Alt-F2");
        assert_eq!(label("Space"), "Space");
    }

    #[test]
    fn shifted_letters_match_with_or_without_the_shift_flag() {
        let g = parse_key("G").unwrap();
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE)));
        let back_tab = parse_key("Shift-Tab").unwrap();
        assert!(back_tab.matches(&KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
        let ctrl_c = parse_key("Ctrl-c").unwrap();
        assert!(!ctrl_c.matches(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)));
    }
}
