//! Text from containers (names, labels, log lines, inspect output) is foreign:
//! it may carry escape sequences that would drive the user's terminal. Every
//! such string passes through here before it is stored for display.

/// Replace control characters and escape sequences with visible, inert text.
///
/// - ESC-introduced sequences (CSI, OSC, DCS, …) are dropped whole, so an
///   attacker's title-set or clipboard-write never reaches the terminal.
/// - Other controls (C0, C1, bidi overrides) become visible placeholders:
///   a tab becomes a space, anything else `?`.
/// - Newlines are kept only when `keep_newlines` is set (log lines are split
///   before they get here, so it is false almost everywhere).
pub fn sanitize(text: &str) -> String {
    sanitize_with(text, false)
}

/// Like [`sanitize`], keeping `\n` (for multi-line inspect values).
pub fn sanitize_multiline(text: &str) -> String {
    sanitize_with(text, true)
}

fn sanitize_with(text: &str, keep_newlines: bool) -> String {
    if !text.chars().any(is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS / SOS / PM / APC start a sequence on 8-bit terminals.
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\t' => out.push(' '),
            c if is_control(c) => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string_body(chars),
        // Two-character sequences (ESC c, ESC 7, …) and charset selection (ESC ( B).
        Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in 0x40..=0x7e.
fn skip_csi_body(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            return; // malformed: stop eating so ordinary text is not lost
        }
    }
}

/// OSC/DCS/…: up to BEL or ST (ESC \ or U+009C).
fn skip_string_body(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize("zk-1 büro ✓"), "zk-1 büro ✓");
    }

    #[test]
    fn csi_sequences_are_removed() {
        assert_eq!(sanitize("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(sanitize("\u{1b}[2J\u{1b}[Hclear"), "clear");
    }

    #[test]
    fn osc_title_and_clipboard_writes_are_removed() {
        assert_eq!(sanitize("x\u{1b}]0;pwned\u{7}y"), "xy");
        assert_eq!(sanitize("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
    }

    #[test]
    fn c1_controls_are_removed() {
        assert_eq!(sanitize("a\u{9b}31mb"), "ab");
        assert_eq!(sanitize("a\u{9d}0;t\u{9c}b"), "ab");
    }

    #[test]
    fn other_controls_become_visible() {
        assert_eq!(sanitize("a\rb\u{7}c\u{8}"), "a?b?c?");
        assert_eq!(sanitize("a\tb"), "a b");
        assert_eq!(sanitize("a\nb"), "a?b");
        assert_eq!(sanitize_multiline("a\nb"), "a\nb");
    }

    #[test]
    fn bidi_overrides_are_neutralised() {
        assert_eq!(sanitize("abc\u{202e}def"), "abc?def");
    }

    #[test]
    fn no_escape_byte_survives_any_input() {
        let nasty = "\u{1b}\u{1b}[\u{1b}]\u{1b}P\u{9b}\u{9d}\u{1b}(";
        for s in [nasty, "\u{1b}", "\u{1b}[", "tail\u{1b}"] {
            let out = sanitize(s);
            assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        }
    }
}
