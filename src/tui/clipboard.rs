//! Copy to the terminal's clipboard with OSC 52: the terminal (or tmux
//! with `set-clipboard on`, or an SSH client's terminal) puts the text on
//! the user's clipboard, so copying works wherever tugboat runs. The text
//! is sanitized (only newlines and tabs kept) and bounded.

use std::io::Write;

use base64::Engine;

/// The most tugboat copies at once: terminals and tmux refuse or cut
/// longer OSC 52 payloads.
pub const COPY_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error("too much to copy: {size} bytes, more than {COPY_LIMIT}")]
    TooBig { size: usize },
    #[error("this terminal (TERM={0}) cannot take a copy (OSC 52): run tugboat in a terminal or tmux that can")]
    NoClipboard(String),
    #[error("could not write to the terminal: {0}")]
    Write(String),
}

/// `text` with every control and format character dropped, lines kept.
pub fn clean(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(crate::model::sanitize)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The OSC 52 sequence that puts `text` (cleaned) on the clipboard, and
/// the bytes it puts there.
pub fn osc52(text: &str) -> Result<(String, usize), CopyError> {
    let text = clean(text);
    if text.len() > COPY_LIMIT {
        return Err(CopyError::TooBig { size: text.len() });
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    Ok((format!("\x1b]52;c;{encoded}\x07"), text.len()))
}

/// Terminals known not to take OSC 52 (the Linux console, a dumb one).
fn refuses(term: &str) -> bool {
    matches!(term, "" | "dumb" | "linux")
}

/// Put `text` on the clipboard through the terminal tugboat draws on.
/// Returns how many bytes were copied.
pub fn copy(text: &str) -> Result<usize, CopyError> {
    let term = std::env::var("TERM").unwrap_or_default();
    if refuses(&term) {
        return Err(CopyError::NoClipboard(term));
    }
    let (sequence, copied) = osc52(text)?;
    let mut out = std::io::stdout().lock();
    out.write_all(sequence.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CopyError::Write(e.to_string()))?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_carries_the_cleaned_text_base64_encoded() {
        let (seq, copied) = osc52("zk1\nhostile \x1b]0;pwned\x07 end\tx").unwrap();
        let body = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix('\x07'))
            .unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let text = String::from_utf8(decoded).unwrap();
        assert!(text.starts_with("zk1\nhostile "), "{text:?}");
        assert!(text.ends_with(" end\tx"), "{text:?}");
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert_eq!(copied, text.len());
    }

    #[test]
    fn too_much_is_refused_and_a_console_cannot_copy() {
        let big = "x".repeat(COPY_LIMIT + 1);
        assert_eq!(
            osc52(&big),
            Err(CopyError::TooBig {
                size: COPY_LIMIT + 1
            })
        );
        assert!(osc52(&"x".repeat(COPY_LIMIT)).is_ok());
        assert!(refuses("linux") && refuses("dumb") && refuses(""));
        assert!(!refuses("xterm-256color") && !refuses("tmux-256color"));
    }
}
