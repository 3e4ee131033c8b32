//! The detail view of a host, a container or a volume, over the body.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::nodes::{health_style, state_style};
use super::text::{clock, clock_since, put, row};
use crate::app::views::Target;
use crate::app::State;
use crate::config::Theme;
use crate::model::container::human_bytes;
use crate::model::{
    cluster_of, detect_role, Container, Health, Host, HostState, Mount, MountKind, Volume,
};

/// From this width the sections (mounts, labels, users) go in a second column.
const TWO_COLUMNS: u16 = 100;
const LABEL_WIDTH: usize = 12;

/// What one detail view shows: fields on the left, sections on the right.
struct Detail<'a> {
    title: String,
    fields: Vec<Line<'a>>,
    sections: Vec<Line<'a>>,
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, target: &Target, theme: &Theme) {
    let inv = &state.inventory;
    let detail = match target {
        Target::Host(name) => inv.host(name).map(|h| host(h, state, theme)),
        Target::Container { host, id } => inv
            .containers
            .get(&(host.clone(), id.clone()))
            .map(|c| container(c, theme)),
        Target::Volume { host, name } => inv
            .volumes
            .get(&(host.clone(), name.clone()))
            .map(|v| volume(v, state, theme)),
    };
    let Some(d) = detail else {
        let inner = viewer(buf, area, Line::raw(" Detail "), Line::raw(""), theme);
        let gone = Line::styled(
            " it no longer exists (removed since the view opened)",
            theme.muted,
        );
        put(buf, row(inner, 0), &gone);
        return;
    };
    let inner = viewer(
        buf,
        area,
        Line::raw(format!(" {} ", d.title)),
        Line::raw(""),
        theme,
    );
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    if inner.width >= TWO_COLUMNS && !d.sections.is_empty() {
        // As wide as the fields need, so the sections sit close by.
        let fields_w = d.fields.iter().map(Line::width).max().unwrap_or(0) + 4;
        let left_w = u16::try_from(fields_w)
            .unwrap_or(u16::MAX)
            .clamp(30, inner.width / 2);
        let left = Rect::new(inner.x, inner.y, left_w - 1, inner.height);
        let right = Rect::new(
            inner.x + left_w,
            inner.y,
            inner.width - left_w,
            inner.height,
        );
        column(buf, left, &d.fields, theme);
        column(buf, right, &d.sections, theme);
    } else {
        let mut all = d.fields;
        // A blank line between fields and sections, unless it costs a line of content.
        if all.len() + 1 + d.sections.len() <= usize::from(inner.height) {
            all.push(Line::raw(""));
        }
        all.extend(d.sections);
        column(buf, inner, &all, theme);
    }
}

/// Lines from the top; when they don't fit, the last row says how many
/// were left out (details do not scroll).
fn column(buf: &mut Buffer, area: Rect, lines: &[Line<'_>], theme: &Theme) {
    let rows = usize::from(area.height);
    let cut = lines.len() > rows;
    let shown = if cut {
        rows.saturating_sub(1)
    } else {
        lines.len()
    };
    for (r, line) in lines.iter().take(shown).enumerate() {
        put(buf, row(area, u16::try_from(r).unwrap_or(u16::MAX)), line);
    }
    if cut && rows > 0 {
        let more = format!(
            "… {} more lines (a larger terminal shows them)",
            lines.len() - shown
        );
        put(
            buf,
            row(area, u16::try_from(shown).unwrap_or(u16::MAX)),
            &Line::styled(more, theme.muted),
        );
    }
}

fn field<'a>(label: &str, value: impl Into<Span<'a>>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), theme.muted),
        value.into(),
    ])
}

fn heading<'a>(title: &str, theme: &Theme) -> Line<'a> {
    Line::styled(format!("{title}:"), theme.header)
}

fn or_dash<'a>(s: &'a str, theme: &Theme) -> Span<'a> {
    if s.is_empty() {
        Span::styled("-", theme.muted)
    } else {
        Span::raw(s)
    }
}

fn host<'a>(h: &'a Host, state: &State, theme: &Theme) -> Detail<'a> {
    let (running, total) = state.inventory.container_counts(&h.name);
    let mut fields = vec![
        field("url", h.url.as_str(), theme),
        field("source", h.source.as_str(), theme),
    ];
    match &h.state {
        HostState::Up => fields.push(field("state", Span::styled("up", theme.status_ok), theme)),
        HostState::Connecting => fields.push(field(
            "state",
            Span::styled("connecting…", theme.muted),
            theme,
        )),
        HostState::Unreachable { since, error } => {
            let text = format!("unreachable since {}", clock_since(*since, state.now));
            fields.push(field("state", Span::styled(text, theme.status_bad), theme));
            fields.push(field(
                "error",
                Span::styled(error.as_str(), theme.status_bad),
                theme,
            ));
        }
    }
    match &h.engine {
        Some(e) => {
            fields.push(field("engine", e.engine_version.as_str(), theme));
            fields.push(field("API", e.api_version.as_str(), theme));
            fields.push(field("OS", or_dash(&e.os, theme), theme));
            let role = e.swarm_role.as_deref().unwrap_or("not in a swarm");
            fields.push(field("swarm", role, theme));
        }
        None => fields.push(field(
            "engine",
            Span::styled("not known yet", theme.muted),
            theme,
        )),
    }
    fields.push(field(
        "containers",
        format!("{running} running of {total}"),
        theme,
    ));
    let last = h
        .last_event
        .map_or_else(|| "none seen yet".to_string(), clock);
    fields.push(field("last event", last, theme));
    Detail {
        title: format!("Host — {}", h.name),
        fields,
        sections: Vec::new(),
    }
}

fn container<'a>(c: &'a Container, theme: &Theme) -> Detail<'a> {
    let health = match c.health {
        Health::None => Span::styled("no healthcheck", theme.muted),
        h => Span::styled(h.as_str(), health_style(h, theme)),
    };
    let fields = vec![
        field("name", c.name.as_str(), theme),
        field("id", c.short_id(), theme),
        field("host", c.host.as_str(), theme),
        field("image", c.image.as_str(), theme),
        field("command", or_dash(&c.command, theme), theme),
        field("role", detect_role(c).as_str(), theme),
        field("cluster", cluster_of(c).label(), theme),
        field(
            "state",
            Span::styled(c.state.as_str(), state_style(c.state, theme)),
            theme,
        ),
        field("status", c.status.as_str(), theme),
        field("health", health, theme),
        field("ports", or_dash_owned(c.ports_short(), theme), theme),
    ];
    let mut sections = mounts(&c.mounts, theme);
    sections.push(heading("Labels", theme));
    sections.extend(labels(&c.labels, theme));
    Detail {
        title: format!("Container — {}", c.name),
        fields,
        sections,
    }
}

fn or_dash_owned<'a>(s: String, theme: &Theme) -> Span<'a> {
    if s.is_empty() {
        Span::styled("-", theme.muted)
    } else {
        Span::raw(s)
    }
}

/// Mounts grouped by kind: what is data (volumes), what comes from the
/// host's disk (binds), and what is gone on restart (tmpfs).
fn mounts<'a>(mounts: &'a [Mount], theme: &Theme) -> Vec<Line<'a>> {
    let groups = [
        (MountKind::Volume, "Volumes"),
        (MountKind::Bind, "Binds"),
        (MountKind::Tmpfs, "Tmpfs"),
        (MountKind::Other, "Other mounts"),
    ];
    let mut out = Vec::new();
    for (kind, title) in groups {
        let of_kind: Vec<&Mount> = mounts.iter().filter(|m| m.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        out.push(heading(title, theme));
        out.extend(of_kind.into_iter().map(|m| mount_line(m, theme)));
    }
    if out.is_empty() {
        out.push(heading("Mounts", theme));
        out.push(Line::styled("  none", theme.muted));
    }
    out
}

/// `  data → /var/lib/mysql (rw)`; tmpfs has no source, so just the destination.
fn mount_line<'a>(m: &'a Mount, theme: &Theme) -> Line<'a> {
    let source = m
        .name
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(&m.source);
    let mut spans = vec![Span::raw("  ")];
    if !source.is_empty() {
        spans.push(Span::raw(source));
        spans.push(Span::styled(" → ", theme.muted));
    }
    spans.push(Span::raw(m.destination.as_str()));
    let (mode, style): (&str, Style) = if m.read_write {
        (" (rw)", theme.muted)
    } else {
        (" (ro)", theme.accent)
    };
    spans.push(Span::styled(mode, style));
    Line::from(spans)
}

fn labels<'a>(
    labels: &'a std::collections::BTreeMap<String, String>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    if labels.is_empty() {
        return vec![Line::styled("  none", theme.muted)];
    }
    labels
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::raw("  "),
                Span::styled(k.as_str(), theme.muted),
                Span::raw(format!("={v}")),
            ])
        })
        .collect()
}

fn volume<'a>(v: &'a Volume, state: &State, theme: &Theme) -> Detail<'a> {
    let size = v.size.map_or_else(
        || Span::styled("unknown", theme.muted),
        |s| Span::raw(human_bytes(s)),
    );
    let fields = vec![
        field("host", v.host.as_str(), theme),
        field("name", v.name.as_str(), theme),
        field("driver", v.driver.as_str(), theme),
        field("size", size, theme),
        field("mountpoint", v.mountpoint.as_str(), theme),
    ];
    let mut sections = vec![heading("Used by", theme)];
    let users = state.inventory.volume_users(&v.host, &v.name);
    if users.is_empty() {
        sections.push(Line::styled("  no container", theme.muted));
    }
    for u in users {
        let (word, style) = if u.running {
            ("running", theme.status_ok)
        } else {
            ("stopped", theme.muted)
        };
        sections.push(Line::from(vec![
            Span::raw(format!("  {}", u.container)),
            Span::styled(" → ", theme.muted),
            Span::raw(u.destination),
            Span::raw(" ("),
            Span::styled(word, style),
            Span::raw(")"),
        ]));
    }
    sections.push(heading("Labels", theme));
    sections.extend(labels(&v.labels, theme));
    Detail {
        title: format!("Volume — {}", v.name),
        fields,
        sections,
    }
}
