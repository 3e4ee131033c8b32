//! The cluster-creation wizard drawn over the whole body: one screen per
//! step, each field's reason beside it, the plan on Review and the create
//! job's steps on Progress. Keys are in the footer (`hints`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::line_input::editor_spans;
use super::text::{put, row, width, wrap};
use crate::app::line_editor::LineEditor;
use crate::app::wizard::{Wizard, WizardStep};
use crate::app::wizard_checks::address_label;
use crate::config::Theme;
use crate::create::spec::Template;
use crate::model::sanitize;
use crate::ops::job::JobOutcome;

/// Width of the label column of input rows.
const LABEL_W: usize = 18;

pub fn render(buf: &mut Buffer, area: Rect, wizard: &Wizard, theme: &Theme) {
    let step = wizard.step;
    let title = if step == WizardStep::Progress {
        format!(" New cluster {}: progress ", wizard.spec.name)
    } else {
        format!(" New cluster · step {}/5: {} ", step.number(), step.title())
    };
    // On the first step the title follows the cursor.
    let shown = if step == WizardStep::Template {
        Template::ALL[wizard.template]
    } else {
        wizard.spec.template
    };
    let short = match shown {
        Template::Zookeeper => "ZooKeeper",
        Template::Database => "Database",
        Template::App => "App service",
    };
    let right = Line::from(format!(" {short} "));
    let inner = viewer(buf, area, Line::from(title), right, theme);
    // One blank column of margin on the left.
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let w = usize::from(inner.width);
    let mut lines = match step {
        WizardStep::Template => template_lines(wizard, w, theme),
        WizardStep::Name => name_lines(wizard, w, theme),
        WizardStep::Placement => placement_lines(wizard, w, theme),
        WizardStep::Settings => settings_lines(wizard, w, theme),
        WizardStep::Review => review_lines(wizard, w, usize::from(inner.height), theme),
        WizardStep::Progress => progress_lines(wizard, w, theme),
    };
    let height = usize::from(inner.height);
    if let Some(error) = &wizard.error {
        // The plan's complaint that sent us back here, at the bottom.
        let wrapped = wrap(&sanitize(error), w);
        let keep = height.saturating_sub(wrapped.len() + 1);
        lines.truncate(keep);
        lines.resize(keep, Line::raw(""));
        lines.push(Line::raw(""));
        lines.extend(
            wrapped
                .into_iter()
                .map(|l| Line::styled(l, theme.status_bad)),
        );
    }
    for (y, line) in lines.iter().take(height).enumerate() {
        let y = u16::try_from(y).unwrap_or(u16::MAX);
        put(buf, row(inner, y), line);
    }
}

fn marker(on: bool, theme: &Theme) -> Span<'static> {
    if on {
        Span::styled("▸ ", theme.key)
    } else {
        Span::raw("  ")
    }
}

/// `label  value  reason`: the reason beside the value when it fits, else
/// on the next row under the value. The focused text input is drawn by
/// its `editor`, with the cursor.
fn input_row(
    label: &str,
    value: &str,
    editor: Option<&LineEditor>,
    focused: bool,
    message: Option<(String, bool)>,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut spans = vec![
        marker(focused, theme),
        Span::styled(format!("{label:<LABEL_W$}"), theme.muted),
    ];
    let value_w = match editor {
        Some(editor) => {
            let typed = editor_spans(editor, w.saturating_sub(2 + LABEL_W), theme);
            let typed_w = typed.iter().map(Span::width).sum();
            spans.extend(typed);
            typed_w
        }
        None => {
            spans.push(Span::raw(value.to_string()));
            width(value)
        }
    };
    let Some((text, fatal)) = message else {
        return vec![Line::from(spans)];
    };
    let style = if fatal {
        theme.status_bad
    } else {
        theme.status_warn
    };
    let mark = if fatal { "✗ " } else { "! " };
    let used = 2 + LABEL_W + value_w + 2;
    if used + width(mark) + width(&text) <= w {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(format!("{mark}{text}"), style));
        return vec![Line::from(spans)];
    }
    let indent = " ".repeat(2 + LABEL_W);
    let mut out = vec![Line::from(spans)];
    out.extend(
        wrap(&format!("{mark}{text}"), w.saturating_sub(indent.len()))
            .into_iter()
            .map(|l| Line::from(vec![Span::raw(indent.clone()), Span::styled(l, style)])),
    );
    out
}

fn template_lines(wizard: &Wizard, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw("Which kind of cluster?"), Line::raw("")];
    for (i, t) in Template::ALL.iter().enumerate() {
        let on = i == wizard.template;
        let style = if on { theme.selected } else { theme.base };
        lines.push(Line::from(vec![
            marker(on, theme),
            Span::styled(format!("{}  {}", i + 1, t.describe()), style),
        ]));
    }
    lines.push(Line::raw(""));
    let about = match Template::ALL[wizard.template] {
        Template::Zookeeper => {
            "3 or 5 members, volumes for /data and /datalog, a 4lw whitelist; on one host or spread over several."
        }
        Template::Database => {
            "A primary and replicas with GTID replication, a generated root password, and an HAProxy with a writer and a reader port."
        }
        Template::App => {
            "Replicas of any image behind an HAProxy with a health check and a balancing algorithm."
        }
    };
    lines.extend(
        wrap(about, w)
            .into_iter()
            .map(|l| Line::styled(l, theme.muted)),
    );
    lines
}

fn name_lines(wizard: &Wizard, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = wrap(
        "The cluster's name: its containers, volumes and network are named after it, \
         and it must not be in use on any host.",
        w,
    )
    .into_iter()
    .map(Line::raw)
    .collect();
    lines.push(Line::raw(""));
    // Collisions name containers and volumes: text from the hosts.
    let message = wizard.name_problem.as_ref().map(|p| (sanitize(p), true));
    let editor = wizard.editor();
    lines.extend(input_row(
        "name",
        &wizard.spec.name,
        editor.as_ref(),
        true,
        message,
        w,
        theme,
    ));
    if wizard.name_problem.is_none() {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(2 + LABEL_W)),
            Span::styled("✓ free on every host", theme.status_ok),
        ]));
    }
    lines
}

fn placement_lines(wizard: &Wizard, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let about = if wizard.spec.template == Template::Zookeeper {
        "Space chooses the hosts. One host: the members share a user-defined network. \
         Several: members talk through ports published on each host's address."
    } else {
        "Space chooses the host; the cluster gets a user-defined network on it."
    };
    let mut lines: Vec<Line> = wrap(about, w).into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    for (i, (h, on)) in wizard.hosts.iter().zip(&wizard.chosen).enumerate() {
        let focused = i == wizard.place_cursor;
        let box_ = if *on { "[x]" } else { "[ ]" };
        lines.push(Line::from(vec![
            marker(focused, theme),
            Span::raw(format!("{box_} ")),
            Span::styled(format!("{:<LABEL_W$}", h.name), theme.base),
            Span::styled(address_label(h), theme.muted),
        ]));
    }
    lines.push(Line::raw(""));
    let spread = wizard.chosen.iter().filter(|c| **c).count() > 1;
    let on_network = wizard.place_cursor == wizard.hosts.len();
    if spread {
        lines.push(Line::styled(
            "  network: none (spread: members use published ports)",
            theme.muted,
        ));
    } else {
        let shown = if wizard.network.is_empty() && !on_network {
            format!("(default: {})", display_name(&wizard.spec.name))
        } else {
            wizard.network.clone()
        };
        let editor = wizard.editor();
        lines.extend(input_row(
            "network",
            &shown,
            editor.as_ref(),
            on_network,
            None,
            w,
            theme,
        ));
    }
    if let Some(p) = wizard.placement_problem() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("✗ {p}"), theme.status_bad));
    }
    lines
}

fn display_name(name: &str) -> String {
    if name.is_empty() {
        "the cluster's name".into()
    } else {
        name.to_string()
    }
}

fn settings_lines(wizard: &Wizard, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::styled(
            "Defaults are shown; any image name can be typed. Space cycles a choice.",
            theme.muted,
        ),
        Line::raw(""),
    ];
    for (i, f) in wizard.fields().iter().enumerate() {
        let value = wizard.field_text(f.key);
        let value = if f.key == "app.published_port" && value.is_empty() && i != wizard.field {
            "(not published)".to_string()
        } else {
            value
        };
        let label = if f.choices.is_empty() {
            f.label.to_string()
        } else {
            format!("{} ⇆", f.label)
        };
        let message = wizard.field_message(f.key);
        let focused = i == wizard.field;
        // A choice has no editor: Space cycles it.
        let editor = focused.then(|| wizard.editor()).flatten();
        lines.extend(input_row(
            &label,
            &value,
            editor.as_ref(),
            focused,
            message,
            w,
            theme,
        ));
    }
    lines
}

fn review_lines(wizard: &Wizard, w: usize, height: usize, theme: &Theme) -> Vec<Line<'static>> {
    let total = wizard.review.len();
    let mut lines = vec![Line::from(vec![
        Span::raw(format!(
            "{} on {}: ",
            display_name(&wizard.spec.name),
            wizard.spec.placement.hosts.join(", ")
        )),
        Span::styled(
            format!("{total} lines, from {}", wizard.scroll + 1),
            theme.muted,
        ),
    ])];
    // Every line wraps rather than cuts: the user agrees to all of it.
    for l in wizard.review.iter().skip(wizard.scroll) {
        let style = if l.starts_with("warning:") {
            theme.status_warn
        } else {
            theme.base
        };
        for (i, part) in wrap(&sanitize(l), w.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { "• " } else { "  " };
            lines.push(Line::from(vec![
                Span::styled(lead, theme.muted),
                Span::styled(part, style),
            ]));
        }
        if lines.len() >= height {
            break;
        }
    }
    lines
}

fn progress_lines(wizard: &Wizard, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let p = &wizard.progress;
    let mut lines = Vec::new();
    let (head, style): (String, Style) = match &p.outcome {
        None if p.job.is_none() => (p.detail.clone(), theme.muted),
        None => (
            format!(
                "running step {} of {}",
                p.current.map_or(1, |i| i + 1),
                p.steps.len()
            ),
            theme.base,
        ),
        Some(JobOutcome::Done) => (
            format!(
                "done in {:.1} s: {} is up. Enter selects it in the Nodes pane.",
                p.millis.unwrap_or(0) as f64 / 1000.0,
                wizard.spec.name
            ),
            theme.status_ok,
        ),
        Some(other) => (other.text(p.steps.len()), theme.status_bad),
    };
    lines.extend(wrap(&head, w).into_iter().map(|l| Line::styled(l, style)));
    if p.job.is_some() && p.outcome.is_none() && !p.detail.is_empty() {
        lines.push(Line::styled(sanitize(&p.detail), theme.muted));
    }
    lines.push(Line::raw(""));
    // Steps done so far (those before the failed one, when it failed).
    let (done, failed_at) = match &p.outcome {
        Some(JobOutcome::Done) => (p.steps.len(), None),
        Some(JobOutcome::Failed { step, .. }) => {
            let i = step.saturating_sub(1);
            (i, Some(i))
        }
        Some(JobOutcome::Cancelled { completed, .. }) => (*completed, None),
        Some(JobOutcome::Refused { .. }) => (0, None),
        None => (p.current.unwrap_or(0), None),
    };
    for (i, s) in p.steps.iter().enumerate() {
        let (mark, style) = if i < done {
            ("✓", theme.status_ok)
        } else if failed_at == Some(i) {
            ("✗", theme.status_bad)
        } else if p.outcome.is_none() && p.job.is_some() && p.current == Some(i) {
            ("▸", theme.key)
        } else {
            ("·", theme.muted)
        };
        let text: String = s.chars().take(w.saturating_sub(2)).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(text),
        ]));
    }
    lines
}

/// Footer hints for each step (the wizard reads raw keys, not the keymap).
pub fn hints(wizard: &Wizard) -> Vec<(String, &'static str)> {
    let pairs: &[(&str, &'static str)] = match wizard.step {
        WizardStep::Template => &[("↑↓", "choose"), ("Enter", "next"), ("Esc", "cancel")],
        WizardStep::Name => &[("Enter", "next"), ("Esc", "back")],
        WizardStep::Placement => &[
            ("↑↓", "move"),
            ("Space", "choose host"),
            ("Enter", "next"),
            ("Esc", "back"),
        ],
        WizardStep::Settings => &[
            ("Tab/Enter", "next field"),
            ("Shift-Tab", "previous"),
            ("Esc", "back"),
        ],
        WizardStep::Review => &[
            ("y", "create"),
            ("s", "save spec"),
            ("↑↓", "scroll"),
            ("Esc", "back"),
        ],
        WizardStep::Progress => &[("Enter", "close"), ("Esc", "close")],
    };
    pairs.iter().map(|(k, l)| (k.to_string(), *l)).collect()
}
