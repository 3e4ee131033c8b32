//! The Nodes pane's first-run panel: while no host lists a single
//! container (every engine empty or unreachable), what to do next, with
//! the exact commands, under the host rows. It goes as soon as a
//! container shows.
//!
//! Each line has a long form, a short one for narrow screens and a rank:
//! where the rows run out, the lines of the highest rank go first, so
//! 40x10 keeps the one command that matters.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::key_labels::keys_of;
use super::text::{put, row};
use crate::app::keymap::{Action, Context};
use crate::app::State;
use crate::config::Theme;
use crate::model::HostState;

/// From this width on, lines take their long form (the longest is 74
/// cells; 80 columns leave 77).
const WIDE: u16 = 76;

/// Unreachable hosts whose error the panel repeats (the rest have theirs
/// on their rows).
const ERRORS_SHOWN: usize = 3;

/// Lines an error may take in the panel.
const ERROR_LINES: usize = 3;

/// Whether the panel shows: no container listed anywhere (not even the
/// last known ones of a host gone away), and every host has answered or
/// failed, so a start that is still connecting does not flash it.
pub fn shows(state: &State) -> bool {
    let hosts = &state.inventory.hosts;
    state.inventory.containers.is_empty()
        && !hosts.is_empty()
        && hosts
            .iter()
            .all(|h| !matches!(h.state, HostState::Connecting))
}

/// One line of the panel.
struct Hint<'a> {
    long: Line<'a>,
    short: Line<'a>,
    /// 0 is kept longest.
    rank: u8,
}

/// `parts` as spans: text in `plain`, commands (odd places) in `command`.
fn spans<'a>(parts: &[&str], plain: Style, command: Style) -> Line<'a> {
    let spans: Vec<Span<'a>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let style = if i % 2 == 1 { command } else { plain };
            Span::styled(p.to_string(), style)
        })
        .collect();
    Line::from(spans)
}

/// A line whose long and short forms alternate text and commands.
fn hint<'a>(rank: u8, long: &[&str], short: &[&str], theme: &Theme) -> Hint<'a> {
    Hint {
        long: spans(long, theme.base, theme.key),
        short: spans(short, theme.base, theme.key),
        rank,
    }
}

fn gap<'a>(rank: u8) -> Hint<'a> {
    Hint {
        long: Line::default(),
        short: Line::default(),
        rank,
    }
}

/// Every line the panel would say in `room` cells, in reading order.
fn hints<'a>(state: &'a State, room: usize, theme: &Theme) -> Vec<Hint<'a>> {
    let hosts = &state.inventory.hosts;
    let failed: Vec<(&str, &str)> = hosts
        .iter()
        .filter_map(|h| match &h.state {
            HostState::Unreachable { error, .. } => Some((h.name.as_str(), error.as_str())),
            HostState::Connecting | HostState::Up => None,
        })
        .collect();
    let answering = hosts.iter().any(|h| h.is_up());
    let mut out = vec![gap(6)];
    if !failed.is_empty() {
        out.extend(unreachable(&failed, room, theme));
    }
    if answering {
        out.extend(empty(state, theme));
    }
    out.push(gap(5));
    out.extend(elsewhere(theme));
    out
}

/// No engine answered: the errors, then how to start one.
fn unreachable<'a>(failed: &[(&'a str, &'a str)], room: usize, theme: &Theme) -> Vec<Hint<'a>> {
    let heading = if failed.len() == 1 {
        "No engine answered, so there is nothing to show yet:"
    } else {
        "These engines did not answer:"
    };
    let mut out = vec![Hint {
        long: Line::styled(heading, theme.title),
        short: Line::styled("No engine answered:", theme.title),
        rank: 0,
    }];
    for (name, error) in failed.iter().take(ERRORS_SHOWN) {
        out.extend(error_lines(name, error, room, theme));
    }
    out.extend([
        hint(
            1,
            &[
                "  Start the engine on its machine:  ",
                "sudo systemctl start docker",
            ],
            &["", "sudo systemctl start docker"],
            theme,
        ),
        hint(
            3,
            &["  or, in tugboat's source tree:  ", "scripts/testbed.sh"],
            &["or ", "scripts/testbed.sh", " (source tree)"],
            theme,
        ),
    ]);
    out
}

/// `  name: error`, wrapped under itself in up to `ERROR_LINES` lines of
/// `room` cells (the host's row cuts it at its end).
fn error_lines<'a>(name: &str, error: &str, room: usize, theme: &Theme) -> Vec<Hint<'a>> {
    let head = format!("  {name}: ");
    let indent = " ".repeat(super::text::width(&head));
    let lines = super::text::wrap(error, room.saturating_sub(indent.len()).max(12));
    lines
        .into_iter()
        .take(ERROR_LINES)
        .enumerate()
        .map(|(i, text)| {
            let lead = if i == 0 { head.clone() } else { indent.clone() };
            let line = Line::from(vec![
                Span::styled(lead, theme.muted),
                Span::styled(text, theme.status_bad),
            ]);
            Hint {
                long: line.clone(),
                short: line,
                rank: if i == 0 { 4 } else { 5 },
            }
        })
        .collect()
}

/// An engine answers but runs nothing: the demo, and the wizard's key.
fn empty<'a>(state: &State, theme: &Theme) -> Vec<Hint<'a>> {
    let mut out = vec![Hint {
        long: Line::styled(
            "The engine answers, but no container runs on it yet:",
            theme.title,
        ),
        short: Line::styled("No containers yet:", theme.title),
        rank: 0,
    }];
    out.push(hint(
        1,
        &[
            "  ",
            "tugboat demo",
            "   (in a shell) three small clusters, to see tugboat at work",
        ],
        &["", "tugboat demo", ": see it at work"],
        theme,
    ));
    if !state.read_only {
        let key = wizard_key(state);
        let pad = " ".repeat(15usize.saturating_sub(super::text::width(&key)));
        out.push(hint(
            2,
            &[
                "  ",
                &key,
                &format!("{pad}new cluster here: a guided wizard, the plan shown first"),
            ],
            &["", &key, ": new cluster (wizard)"],
            theme,
        ));
    }
    out
}

/// The wizard's key in effect, or the palette's when it has none.
fn wizard_key(state: &State) -> String {
    let contexts = [Context::Table, Context::Global];
    let keys = |action| keys_of(&state.keymap, action, &contexts).into_iter().next();
    keys(Action::NewCluster)
        .or_else(|| keys(Action::Palette).map(|p| format!("{p} new cluster")))
        .unwrap_or_else(|| "the palette's new cluster".into())
}

/// How to point tugboat at other engines.
fn elsewhere<'a>(theme: &Theme) -> Vec<Hint<'a>> {
    vec![
        // Ranked under the first command: short of rows, `--host` says it.
        Hint {
            long: Line::styled("Point tugboat at other engines:", theme.title),
            short: Line::styled("Other engines:", theme.title),
            rank: 3,
        },
        hint(
            2,
            &[
                "  ",
                "tugboat --host NAME=URL",
                "   (ssh://user@host, tcp://host:2376, unix://…)",
            ],
            &["", "--host NAME=URL", ", DOCKER_HOST"],
            theme,
        ),
        hint(
            3,
            &[
                "  ",
                "[[hosts]]",
                " in tugboat's config.toml, or ",
                "DOCKER_HOST",
            ],
            &["", "[[hosts]]", " in config.toml"],
            theme,
        ),
        hint(
            4,
            &[
                "  ",
                "docker context create NAME --docker host=URL",
                ": every context is read",
            ],
            &["", "docker context", "s are read"],
            theme,
        ),
    ]
}

/// Draws the panel, when it `shows`, in the Nodes table's `inner` area
/// under its header and the `drawn` rows on screen.
pub fn render_under(buf: &mut Buffer, inner: Rect, drawn: usize, state: &State, theme: &Theme) {
    if !shows(state) {
        return;
    }
    let used = u16::try_from(drawn).unwrap_or(u16::MAX).saturating_add(1);
    let area = Rect {
        y: inner.y.saturating_add(used),
        height: inner.height.saturating_sub(used),
        ..inner
    };
    if area.height > 0 && area.width > 0 {
        render(buf, area, state, theme);
    }
}

/// Draws the panel in `area`.
fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let hints = hints(state, usize::from(area.width.saturating_sub(1)), theme);
    let keep = kept(&hints, usize::from(area.height));
    let wide = area.width >= WIDE;
    let inner = Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(1),
        ..area
    };
    let shown = hints.iter().zip(&keep).filter(|(_, k)| **k);
    for (y, (h, _)) in (0..area.height).zip(shown) {
        let line = if wide { &h.long } else { &h.short };
        put(buf, row(inner, y), line);
    }
}

/// Which of `hints` fit in `rows`: the lowest ranks (the first of equal
/// ones), shown in reading order.
fn kept(hints: &[Hint], rows: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..hints.len()).collect();
    order.sort_by_key(|&i| hints[i].rank);
    let mut keep = vec![false; hints.len()];
    for &i in order.iter().take(rows) {
        keep[i] = true;
    }
    keep
}
