//! The one line editor every text input uses: a cursor that moves, the
//! shell's kill keys (Ctrl-W, Ctrl-U, Ctrl-K), and history on ↑/↓ where
//! the input keeps one.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to the line, for the caller to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Enter: the caller takes the text.
    Submit,
    /// Esc: the caller closes the input.
    Cancel,
    /// The text or the cursor changed.
    Changed,
    /// Not an editing key (Tab, ↑/↓ without history, F-keys): the caller
    /// may use it.
    Ignored,
}

/// Which chars an input takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Accepts {
    #[default]
    Any,
    /// A count or a weight.
    Digits,
}

/// Inputs that remember what was typed keep this many entries.
const HISTORY_LEN: usize = 50;

/// What was submitted before, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineHistory(VecDeque<String>);

impl LineHistory {
    /// Remembers `text` as the newest entry (once: an older copy goes).
    pub fn remember(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.0.retain(|t| t != text);
        self.0.push_front(text.to_string());
        self.0.truncate(HISTORY_LEN);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    /// In chars, 0..=len.
    cursor: usize,
    /// Longer input is refused char by char.
    limit: Option<usize>,
    /// Which chars go in.
    accepts: Accepts,
    /// A password: drawn as `*`s.
    pub masked: bool,
    history: Vec<String>,
    /// Which history entry is shown (0 = newest); None = the draft.
    recalled: Option<usize>,
    draft: String,
}

impl LineEditor {
    /// An empty line.
    pub fn new() -> LineEditor {
        LineEditor::default()
    }

    /// A line holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> LineEditor {
        LineEditor {
            text: text.to_string(),
            cursor: text.chars().count(),
            ..LineEditor::default()
        }
    }

    /// ↑/↓ recall `history`'s entries.
    pub fn with_history(mut self, history: &LineHistory) -> LineEditor {
        self.history = history.0.iter().cloned().collect();
        self
    }

    /// At most `chars` characters.
    pub fn with_limit(mut self, chars: usize) -> LineEditor {
        self.limit = Some(chars);
        self
    }

    /// Only the chars `accepts` allows go in.
    pub fn accepting(mut self, accepts: Accepts) -> LineEditor {
        self.accepts = accepts;
        self
    }

    /// Drawn as `*`s (a password).
    pub fn masked(mut self) -> LineEditor {
        self.masked = true;
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, the editor left empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor, in chars from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// What to draw: the text, or one `*` per char when masked.
    pub fn shown(&self) -> String {
        if self.masked {
            "*".repeat(self.text.chars().count())
        } else {
            self.text.clone()
        }
    }

    /// Applies one key.
    pub fn on_key(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Esc => Edit::Cancel,
            KeyCode::Char('w') if ctrl => self.delete_word_before(),
            KeyCode::Backspace if ctrl || alt => self.delete_word_before(),
            KeyCode::Char('u') if ctrl => self.cut(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.cut(self.cursor, self.len()),
            KeyCode::Char('a') if ctrl => self.move_to(0),
            KeyCode::Char('e') if ctrl => self.move_to(self.len()),
            KeyCode::Char('b') if ctrl => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Char('f') if ctrl => self.move_to(self.cursor + 1),
            KeyCode::Home => self.move_to(0),
            KeyCode::End => self.move_to(self.len()),
            KeyCode::Left => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.move_to(self.cursor + 1),
            KeyCode::Backspace if self.cursor > 0 => self.cut(self.cursor - 1, self.cursor),
            KeyCode::Backspace => Edit::Changed,
            KeyCode::Delete => self.cut(self.cursor, (self.cursor + 1).min(self.len())),
            KeyCode::Up if !self.history.is_empty() => self.recall(true),
            KeyCode::Down if self.recalled.is_some() => self.recall(false),
            KeyCode::Char(c) if !ctrl && !alt => {
                self.insert(c);
                Edit::Changed
            }
            _ => Edit::Ignored,
        }
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn insert(&mut self, c: char) {
        let refused = c.is_control()
            || self.limit.is_some_and(|l| self.len() >= l)
            || (self.accepts == Accepts::Digits && !c.is_ascii_digit());
        if refused {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    fn move_to(&mut self, chars: usize) -> Edit {
        self.cursor = chars.min(self.len());
        Edit::Changed
    }

    /// Removes chars `from..to`; the cursor goes to `from`.
    fn cut(&mut self, from: usize, to: usize) -> Edit {
        let (a, b) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    /// Ctrl-W: back over spaces, then over the word before them.
    fn delete_word_before(&mut self) -> Edit {
        let chars: Vec<char> = self.text.chars().collect();
        let mut from = self.cursor;
        while from > 0 && chars[from - 1].is_whitespace() {
            from -= 1;
        }
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let in_word = from > 0 && word(chars[from - 1]);
        while from > 0 && !chars[from - 1].is_whitespace() && word(chars[from - 1]) == in_word {
            from -= 1;
        }
        self.cut(from, self.cursor)
    }

    fn recall(&mut self, older: bool) -> Edit {
        let next = match (self.recalled, older) {
            (None, true) => Some(0),
            (Some(i), true) => Some((i + 1).min(self.history.len() - 1)),
            (Some(0), false) | (None, false) => None,
            (Some(i), false) => Some(i - 1),
        };
        if self.recalled.is_none() {
            self.draft = self.text.clone();
        }
        self.recalled = next;
        self.text = match next {
            Some(i) => self.history[i].clone(),
            None => std::mem::take(&mut self.draft),
        };
        self.cursor = self.len();
        Edit::Changed
    }
}

#[cfg(test)]
#[path = "line_editor_tests.rs"]
mod tests;
