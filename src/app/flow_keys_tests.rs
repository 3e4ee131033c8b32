//! Wrapping and scrolling sideways in the help overlay and the detail
//! view, through `update`: at 80x24 (help 77 columns by 19 rows, a detail
//! 79 by 20) and, for a detail's two columns, at 200x50.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::detail::detail_lines;
use crate::app::help::help_texts;
use crate::app::msg::Msg;
use crate::app::rows::NodeRow;
use crate::app::state::{Level, State};
use crate::app::text_flow::{cells, Flow};
use crate::app::update::update;
use crate::app::views::{Overlay, Target};
use crate::model::testing::container;
use crate::model::{Container, Host, HostUpdate, Inventory};

fn state_with(c: Container, (width, height): (u16, u16)) -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![c],
        volumes: Vec::new(),
    });
    let mut s = State::new(inv, false, 1_700_000_000);
    update(&mut s, Msg::Resize { width, height });
    s
}

fn press(s: &mut State, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn scroll_flow(s: &State) -> (usize, Flow) {
    match s.top_overlay() {
        Some(Overlay::Help { scroll, flow } | Overlay::Detail { scroll, flow, .. }) => {
            (*scroll, *flow)
        }
        other => panic!("no help or detail: {other:?}"),
    }
}

fn said(s: &State) -> (Level, String) {
    let status = s.status.as_ref().expect("said something");
    (status.level, status.text.clone())
}

/// Rows `text` wraps onto in `cols` columns (no wide characters here).
fn rows(text: &str, cols: usize) -> usize {
    cells(text).div_ceil(cols).max(1)
}

#[test]
fn wrapped_help_pages_by_rows_and_ends_at_its_real_bottom() {
    let mut s = state_with(container("local", "db-1"), (80, 24));
    press(&mut s, KeyCode::Char('?'));
    let texts = help_texts(&s.keymap, false);
    let cols = s.help_width();
    assert_eq!(cols, 77);
    assert!(
        texts.iter().any(|t| cells(t) > cols),
        "some help is longer than 80 columns show"
    );
    let page = s.help_height();
    press(&mut s, KeyCode::Char('w'));
    assert_eq!(said(&s), (Level::Info, "long lines wrap".into()));
    let (_, flow) = scroll_flow(&s);
    assert!(flow.wrap);
    let total: usize = texts.iter().map(|t| rows(t, cols)).sum();
    assert!(total > texts.len());
    let top = s.top_overlay().unwrap();
    assert_eq!(s.content_rows(top), total);
    press(&mut s, KeyCode::End);
    assert_eq!(
        scroll_flow(&s).0,
        total - page,
        "the last row at the bottom"
    );
    press(&mut s, KeyCode::PageUp);
    assert_eq!(scroll_flow(&s).0, total - 2 * page);
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll_flow(&s).0, page);
    // Wrapped, nothing is cut to scroll sideways to.
    press(&mut s, KeyCode::Right);
    assert_eq!(said(&s).0, Level::Warn);
    assert_eq!(scroll_flow(&s).1.col, 0);
}

#[test]
fn help_keeps_its_top_line_on_top_and_scrolls_sideways_when_cut() {
    let mut s = state_with(container("local", "db-1"), (80, 24));
    press(&mut s, KeyCode::Char('?'));
    let texts = help_texts(&s.keymap, false);
    let cols = s.help_width();
    // Cut, a row a line: line 30 on top.
    for _ in 0..30 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Char('w'));
    let above: usize = texts[..30].iter().map(|t| rows(t, cols)).sum();
    assert_eq!(scroll_flow(&s).0, above, "line 30's first row on top");
    press(&mut s, KeyCode::Char('w'));
    assert_eq!(scroll_flow(&s), (30, Flow::default()));
    press(&mut s, KeyCode::Right);
    assert_eq!(scroll_flow(&s).1.col, 8);
    for _ in 0..40 {
        press(&mut s, KeyCode::Right);
    }
    let widest = texts.iter().map(|t| cells(t)).max().unwrap();
    let (_, flow) = scroll_flow(&s);
    assert_eq!(flow.col, widest - cols, "the widest line's end shows");
    assert_eq!(flow.badge(), Some(format!("→ col {}", widest - cols + 1)));
    press(&mut s, KeyCode::Left);
    assert_eq!(scroll_flow(&s).1.col, widest - cols - 8);
}

/// A container whose command is 300 columns long and that has `labels`
/// labels, its detail open.
fn long_detail(size: (u16, u16), labels: usize) -> State {
    let mut c = container("local", "db-1");
    c.command = format!("mysqld {}", "--verbose ".repeat(30))
        .trim_end()
        .into();
    for i in 0..labels {
        let value = format!("{i} {}", "v".repeat(150));
        c.labels
            .insert(format!("label.{i:02}").into(), value.into());
    }
    let mut s = state_with(c, size);
    while !matches!(s.selected_node(), Some(NodeRow::Container { .. })) {
        press(&mut s, KeyCode::Char('j'));
    }
    press(&mut s, KeyCode::Enter);
    assert!(matches!(s.top_overlay(), Some(Overlay::Detail { .. })));
    s
}

fn detail_target(s: &State) -> Target {
    match s.top_overlay() {
        Some(Overlay::Detail { target, .. }) => target.clone(),
        other => panic!("no detail: {other:?}"),
    }
}

#[test]
fn a_wrapped_detail_shows_every_line_whole_and_ends_at_its_bottom() {
    let mut s = long_detail((80, 24), 12);
    let d = detail_lines(&s, &detail_target(&s));
    let rows_shown = s.viewer_height();
    let cut = s.content_rows(s.top_overlay().unwrap());
    let lines = d.fields.len() + d.sections.len();
    assert_eq!(cut, lines, "a row a line, no blank row: it would cost one");
    press(&mut s, KeyCode::Char('w'));
    let (_, flow) = scroll_flow(&s);
    assert!(flow.wrap);
    // One column, 79 wide; the blank row goes when it costs a row.
    let texts = d.fields.iter().chain(&d.sections).map(|l| l.text());
    let total: usize = texts.map(|t| rows(&t, 79)).sum();
    assert!(total > cut);
    assert_eq!(s.content_rows(s.top_overlay().unwrap()), total);
    press(&mut s, KeyCode::End);
    assert_eq!(scroll_flow(&s).0, total - rows_shown);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(scroll_flow(&s).0, total - 2 * rows_shown);
}

#[test]
fn a_cut_detail_scrolls_sideways_to_its_widest_line_end() {
    let mut s = long_detail((80, 24), 1);
    let d = detail_lines(&s, &detail_target(&s));
    let widest = d.fields.iter().chain(&d.sections).map(|l| cells(&l.text()));
    let widest = widest.max().unwrap();
    for _ in 0..60 {
        press(&mut s, KeyCode::Right);
    }
    assert_eq!(scroll_flow(&s).1.col, widest - 79);
    press(&mut s, KeyCode::Char('w'));
    assert_eq!(scroll_flow(&s).1, Flow { wrap: true, col: 0 });
}

#[test]
fn two_columns_wrap_each_within_itself_and_the_longer_sets_the_rows() {
    let mut s = long_detail((200, 50), 30);
    let d = detail_lines(&s, &detail_target(&s));
    let columns = d.columns(200, s.viewer_height(), Flow::default());
    let [left, right] = columns.as_slice() else {
        panic!("two columns at 200: {columns:?}");
    };
    // The fields' column is half the text (199 / 2) less the gap.
    assert_eq!((left.x, left.cols), (0, 98));
    assert_eq!((right.x, right.cols), (99, 100));
    assert_eq!(
        s.content_rows(s.top_overlay().unwrap()),
        d.sections.len(),
        "cut: a row a line, the sections the longer"
    );
    press(&mut s, KeyCode::Char('w'));
    let wrapped = |lines: &[crate::app::detail::DetailLine], cols| -> usize {
        lines.iter().map(|l| rows(&l.text(), cols)).sum()
    };
    let (fields, sections) = (wrapped(&d.fields, 98), wrapped(&d.sections, 100));
    assert!(fields > d.fields.len(), "the command wraps in its column");
    assert!(sections > d.sections.len(), "so do the labels in theirs");
    let total = fields.max(sections);
    assert_eq!(s.content_rows(s.top_overlay().unwrap()), total);
    press(&mut s, KeyCode::End);
    assert_eq!(scroll_flow(&s).0, total - s.viewer_height());
    // Cut again and shifted: each column no further than its own end.
    press(&mut s, KeyCode::Char('w'));
    for _ in 0..60 {
        press(&mut s, KeyCode::Right);
    }
    let col = scroll_flow(&s).1.col;
    assert_eq!(col, left.overflow().max(right.overflow()));
    let shifted = Flow { wrap: false, col };
    assert_eq!(left.flow(shifted).col, left.overflow());
    assert_eq!(right.flow(shifted).col, right.overflow());
}
