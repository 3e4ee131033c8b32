//! Text from containers (names, labels, log lines, inspect output, probe
//! answers) is foreign: it may carry escape sequences that would drive the
//! user's terminal, or invisible characters that make it lie about itself.
//! Every such string passes through here before it is shown or printed.

/// Replace control characters and escape sequences with visible, inert text.
///
/// - ESC-introduced sequences (CSI, OSC, DCS, …) are dropped whole, so an
///   attacker's title-set or clipboard-write never reaches the terminal. A
///   sequence that never ends loses only its introducer: the rest of the
///   text is kept (itself sanitized), not swallowed.
/// - Other controls, Unicode format characters (bidi overrides, zero-width
///   characters, tags, …) and line/paragraph separators become `?`; a tab
///   becomes a space.
/// - Newlines are kept only when `keep_newlines` is set (log lines are split
///   before they get here, so it is false almost everywhere).
pub fn sanitize(text: &str) -> String {
    sanitize_with(text, false)
}

/// Like [`sanitize`], keeping `\n` (for multi-line inspect values).
pub fn sanitize_multiline(text: &str) -> String {
    sanitize_with(text, true)
}

/// Whether `c` must never reach a terminal as it is: a control (C0, DEL,
/// C1), a format character (general category Cf) or a line/paragraph
/// separator.
pub fn is_dangerous(c: char) -> bool {
    c.is_control() || is_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// General category Cf (Unicode 15.1), which std does not expose; the tag
/// block is taken whole.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

fn sanitize_with(text: &str, keep_newlines: bool) -> String {
    if !text.chars().any(is_dangerous) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut scan = Scan {
        len: text.len(),
        no_string_end_from: usize::MAX,
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        rest = match c {
            '\u{1b}' => scan.escape(after),
            // C1 CSI / DCS / SOS / OSC / PM / APC start a sequence on 8-bit terminals.
            '\u{9b}' => csi_end(after).unwrap_or(after),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => scan.string_end(after),
            '\n' if keep_newlines => {
                out.push('\n');
                after
            }
            '\t' => {
                out.push(' ');
                after
            }
            c if is_dangerous(c) => {
                out.push('?');
                after
            }
            c => {
                out.push(c);
                after
            }
        };
    }
    out
}

/// Where the text stands while sequences are skipped.
struct Scan {
    len: usize,
    /// Byte offset from which no string terminator exists: once one search
    /// failed, later ones fail at once (text full of OSC introducers would
    /// otherwise be searched again and again).
    no_string_end_from: usize,
}

impl Scan {
    /// The text after the sequence an ESC starts; `after` follows the ESC.
    fn escape<'a>(&mut self, after: &'a str) -> &'a str {
        let mut chars = after.chars();
        let Some(next) = chars.next() else {
            return after;
        };
        let body = chars.as_str();
        match next {
            '[' => csi_end(body).unwrap_or(body),
            ']' | 'P' | 'X' | '^' | '_' => self.string_end(body),
            // Charset selection and the like: one more character ends it.
            '(' | ')' | '*' | '+' | '#' | '%' => {
                let mut chars = body.chars();
                match chars.next() {
                    Some(' '..='~') => chars.as_str(),
                    _ => body,
                }
            }
            // Two-character sequences (ESC c, ESC 7, ESC =, …).
            ' '..='~' => body,
            // A lone ESC: dropped, what follows is kept.
            _ => after,
        }
    }

    /// OSC/DCS/…: the text after BEL or ST (ESC \ or U+009C); without a
    /// terminator only the introducer goes, so `body` is kept.
    fn string_end<'a>(&mut self, body: &'a str) -> &'a str {
        let at = self.len - body.len();
        if at >= self.no_string_end_from {
            return body;
        }
        for (i, c) in body.char_indices() {
            match c {
                '\u{7}' | '\u{9c}' => return &body[i + c.len_utf8()..],
                '\u{1b}' if body[i + 1..].starts_with('\\') => return &body[i + 2..],
                _ => {}
            }
        }
        self.no_string_end_from = at;
        body
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in
/// 0x40..=0x7e. None when anything else comes first, or nothing.
fn csi_end(body: &str) -> Option<&str> {
    for (i, c) in body.char_indices() {
        match c {
            '\u{20}'..='\u{3f}' => {}
            '\u{40}'..='\u{7e}' => return Some(&body[i + 1..]),
            _ => return None,
        }
    }
    None
}

/// `serialized` JSON with every dangerous character written as a `\u`
/// escape. serde_json escapes C0 only; C1, bidi and format characters
/// would reach the terminal. Outside strings JSON holds no such character
/// but the pretty printer's newlines, which stay.
pub fn escape_json(serialized: &str) -> String {
    escape_with(serialized, |out, c| {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            out.push_str(&format!("\\u{unit:04x}"));
        }
    })
}

/// Like [`escape_json`] for a YAML double-quoted scalar, whose escapes
/// take a character above the BMP whole (`\U`), not as surrogates.
pub fn escape_yaml(quoted: &str) -> String {
    escape_with(quoted, |out, c| {
        let code = u32::from(c);
        if code > 0xffff {
            out.push_str(&format!("\\U{code:08x}"));
        } else {
            out.push_str(&format!("\\u{code:04x}"));
        }
    })
}

fn escape_with(text: &str, escape: impl Fn(&mut String, char)) -> String {
    if !text.chars().any(|c| c != '\n' && is_dangerous(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && is_dangerous(c) {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "sanitize_tests.rs"]
mod tests;
