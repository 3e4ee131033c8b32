//! The command palette (`:`): every action and pane by a fuzzy name or an
//! alias, with the key that does the same shown beside it, the ones used
//! lately first; and what has no key: `theme NAME`, `host NAME`.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::keymap::{self, Action, Binding, Context, Keymap};
use super::line_editor::LineEditor;

/// What choosing an entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    /// The action its key runs, where that key works.
    Run { action: Action, context: Context },
    /// Draw with this theme from now on.
    Theme(String),
    /// The Nodes pane, at this host's row.
    Host(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteEntry {
    pub command: PaletteCommand,
    /// What it does, as help says it.
    pub name: String,
    /// The key that does the same, where there is one.
    pub key: Option<String>,
    /// Where it works, when that is not where the palette was opened.
    pub place: Option<&'static str>,
    /// What the fuzzy match runs over: the name and the aliases.
    haystack: String,
}

/// Entries used lately are kept this many.
const RECENT: usize = 20;

/// The palette as it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub input: LineEditor,
    pub entries: Vec<PaletteEntry>,
    /// Indices into `entries` that match the input, best first.
    pub shown: Vec<usize>,
    /// Index into `shown`.
    pub selected: usize,
    /// Commands chosen lately, newest first.
    recent: Vec<PaletteCommand>,
}

/// What the palette offers, from what tugboat has now.
pub struct Offer<'a> {
    /// The keys in effect, shown beside each action.
    pub keymap: &'a Keymap,
    /// The contexts the keys work in where the palette was opened.
    pub live: &'a [Context],
    pub hosts: Vec<String>,
    pub themes: &'a [String],
    pub recent: &'a [PaletteCommand],
}

impl Palette {
    pub fn open(offer: Offer<'_>) -> Palette {
        let mut entries: Vec<PaletteEntry> = offer
            .keymap
            .bindings()
            .iter()
            .filter(|b| offered(b, offer.live))
            .map(|b| from_binding(b, offer.live))
            .collect();
        entries.extend(offer.themes.iter().map(|t| PaletteEntry {
            command: PaletteCommand::Theme(t.clone()),
            name: format!("theme {t}"),
            key: None,
            place: None,
            haystack: format!("theme {t} colours colors skin"),
        }));
        entries.extend(offer.hosts.iter().map(|h| PaletteEntry {
            command: PaletteCommand::Host(h.clone()),
            name: format!("host {h}"),
            key: None,
            place: None,
            haystack: format!("host {h} engine node"),
        }));
        let mut palette = Palette {
            input: LineEditor::new(),
            entries,
            shown: Vec::new(),
            selected: 0,
            recent: offer.recent.to_vec(),
        };
        palette.refilter();
        palette
    }

    /// Matches the entries against the input again: by fuzzy score, the
    /// ones used lately first among equals (and first of all with no input).
    pub fn refilter(&mut self) {
        let query = self.input.text().trim();
        let recency = |e: &PaletteEntry| {
            self.recent
                .iter()
                .position(|r| *r == e.command)
                .map_or(0, |i| RECENT - i)
        };
        let mut scored: Vec<(usize, u32, usize)> = if query.is_empty() {
            (0..self.entries.len())
                .map(|i| (i, 0, recency(&self.entries[i])))
                .collect()
        } else {
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut buf = Vec::new();
            let only = only_kind(query);
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| only.is_none_or(|f| f(&e.command)))
                .filter_map(|(i, e)| {
                    let score =
                        pattern.score(Utf32Str::new(&e.haystack, &mut buf), &mut matcher)?;
                    Some((i, score, recency(e)))
                })
                .collect()
        };
        // Best score first; then the recent; then the table's own order.
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        self.shown = scored.into_iter().map(|(i, _, _)| i).collect();
        self.selected = 0;
    }

    pub fn chosen(&self) -> Option<&PaletteEntry> {
        self.entries.get(*self.shown.get(self.selected)?)
    }

    pub fn move_selection(&mut self, down: bool) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = if down {
            (self.selected + 1).min(last)
        } else {
            self.selected.saturating_sub(1)
        };
    }
}

/// `theme NAME` and `host NAME` look among the themes or the hosts only:
/// a name that is none of them matches nothing, rather than some loose
/// match elsewhere (`host nosuch` turning the mouse on).
fn only_kind(query: &str) -> Option<fn(&PaletteCommand) -> bool> {
    let (word, rest) = query.split_once(char::is_whitespace)?;
    if rest.trim().is_empty() {
        return None;
    }
    match word.to_ascii_lowercase().as_str() {
        "theme" => Some(|c| matches!(c, PaletteCommand::Theme(_))),
        "host" => Some(|c| matches!(c, PaletteCommand::Host(_))),
        _ => None,
    }
}

/// `recent` with `command` moved to the front.
pub fn remember(recent: &mut Vec<PaletteCommand>, command: &PaletteCommand) {
    recent.retain(|c| c != command);
    recent.insert(0, command.clone());
    recent.truncate(RECENT);
}

/// Commands, not movement: the palette offers what one would look up.
/// A viewer's keys only where a viewer is open; a pane's anywhere (the
/// pane is opened first).
fn offered(b: &Binding, live: &[Context]) -> bool {
    // Panes are navigation too, but worth finding by name.
    let pane = matches!(
        b.action,
        Action::GotoPane(_) | Action::NextPane | Action::PrevPane
    );
    let movement = (keymap::is_navigation(b.action) && !pane)
        || matches!(
            b.action,
            Action::Confirm | Action::Cancel | Action::QuitWhenDone | Action::Palette
        );
    // On a table every pane's keys are in reach (the palette opens the
    // pane first); over a viewer only what works there.
    let reachable = if live.contains(&Context::Table) {
        match b.context {
            Context::Global | Context::Table | Context::Nodes => true,
            Context::Zookeeper | Context::Balancer | Context::Jobs | Context::Services => true,
            Context::Viewer | Context::Logs | Context::Inspect | Context::Confirm => false,
        }
    } else {
        live.contains(&b.context)
    };
    !movement && reachable
}

fn from_binding(b: &Binding, live: &[Context]) -> PaletteEntry {
    PaletteEntry {
        command: PaletteCommand::Run {
            action: b.action,
            context: b.context,
        },
        name: b.help.to_string(),
        key: b.keys.first().map(keymap::key_label),
        place: (!live.contains(&b.context)).then(|| keymap::context_title(b.context)),
        haystack: format!("{} {}", b.help, keymap::aliases(b.action)),
    }
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod tests;
