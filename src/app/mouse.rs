//! The mouse, when the user turns it on (`mouse` action, F2 by default):
//! off by default so the terminal's own text selection keeps working. While
//! on, the wheel scrolls the table or the viewer on top, a left click on a
//! table row selects it and a click on a tab opens that pane. The
//! terminal's capture is switched by an effect the runtime carries out.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::keymap::{Action, Context};
use super::mouse_spot::Spot;
use super::msg::Effect;
use super::state::{Level, Pane, State};

/// Rows one notch of the wheel moves.
const WHEEL_ROWS: usize = 3;

/// What an action does where it is asked for (`update::run_action`).
pub type RunAction = fn(&mut State, Action, &mut Vec<Effect>);

/// Turns the mouse on or off, and says how to turn it back.
pub fn toggle(state: &mut State, effects: &mut Vec<Effect>) {
    state.mouse = !state.mouse;
    effects.push(Effect::MouseCapture(state.mouse));
    let key = state
        .keymap
        .keys_for(Action::ToggleMouse, Context::Global)
        .unwrap_or_else(|| "the palette's mouse".into());
    let text = if state.mouse {
        format!(
            "mouse on: the wheel scrolls, a click selects a row or a tab ({key} turns it off to select text)"
        )
    } else {
        format!("mouse off: text can be selected ({key} turns the mouse on)")
    };
    state.set_status(Level::Info, text);
}

/// The events `on_mouse` acts on: the runtime passes only these on, so
/// releases (and any motion a terminal sends anyway) cost no turn.
pub fn wanted(kind: MouseEventKind) -> bool {
    matches!(
        kind,
        MouseEventKind::ScrollDown
            | MouseEventKind::ScrollUp
            | MouseEventKind::Down(MouseButton::Left)
    )
}

/// A mouse event from the terminal (only while the mouse is on).
pub fn on_mouse(
    state: &mut State,
    event: MouseEvent,
    effects: &mut Vec<Effect>,
    run_action: RunAction,
) {
    if !state.mouse {
        return;
    }
    match event.kind {
        MouseEventKind::ScrollDown => wheel(state, Action::Down, effects, run_action),
        MouseEventKind::ScrollUp => wheel(state, Action::Up, effects, run_action),
        MouseEventKind::Down(MouseButton::Left) => click(state, event.column, event.row),
        MouseEventKind::Down(MouseButton::Right | MouseButton::Middle)
        | MouseEventKind::Up(_)
        | MouseEventKind::Drag(_)
        | MouseEventKind::Moved
        | MouseEventKind::ScrollLeft
        | MouseEventKind::ScrollRight => {}
    }
}

/// The wheel moves what the arrow keys move: the table's selection, or
/// the viewer or dialog on top. Never while text is typed.
fn wheel(state: &mut State, action: Action, effects: &mut Vec<Effect>, run_action: RunAction) {
    let typing = state.overlays.is_empty() && state.table().filter_input.is_some();
    if typing {
        return;
    }
    for _ in 0..WHEEL_ROWS {
        run_action(state, action, effects);
    }
}

/// A click on a tab opens its pane; on a row, selects it. Only on the
/// tables: an overlay on top, or a filter being typed, takes no clicks.
fn click(state: &mut State, column: u16, row: u16) {
    if !state.overlays.is_empty() || state.table().filter_input.is_some() {
        return;
    }
    match (state.spot_at)(state, column, row) {
        Spot::Tab(i) => {
            if let Some(pane) = Pane::ALL.get(i) {
                state.pane = *pane;
            }
        }
        Spot::Row(r) => {
            let index = state.table().offset + r;
            if index < state.row_count() {
                state.table_mut().selected = index;
            }
        }
        Spot::Other => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::views::Overlay;
    use crate::app::{update, Msg};
    use crate::model::testing::container;
    use crate::model::{Host, HostUpdate, Inventory};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A screen of 80x24 on the Nodes pane with a host and 30 containers;
    /// tabs read as `[ 1 Nodes ][ 2 Volumes ]…` 10 cells each, body rows
    /// from row 3 (as `ui::mouse_spot` lays them out).
    fn state() -> State {
        let inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
        let mut s = State::new(inv, false, 1_700_000_000);
        s.spot_at = |_, x, y| match y {
            0 => Spot::Tab(usize::from(x / 10)),
            3.. => Spot::Row(usize::from(y - 3)),
            _ => Spot::Other,
        };
        let containers = (0..30)
            .map(|i| container("local", &format!("c{i:02}")))
            .collect();
        update(
            &mut s,
            Msg::Host(HostUpdate::Listed {
                host: "local".into(),
                containers,
                volumes: Vec::new(),
            }),
        );
        s
    }

    fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    }

    fn f2() -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE))
    }

    fn click(column: u16, row: u16) -> Msg {
        mouse(MouseEventKind::Down(MouseButton::Left), column, row)
    }

    #[test]
    fn the_key_toggles_capture_through_an_effect_and_says_how_to_undo_it() {
        let mut s = state();
        assert!(!s.mouse, "off by default: text stays selectable");
        let on = update(&mut s, f2());
        assert!(s.mouse);
        assert!(on.effects.contains(&Effect::MouseCapture(true)));
        let said = &s.status.as_ref().unwrap().text;
        assert!(said.starts_with("mouse on: "), "{said}");
        assert!(said.ends_with("(F2 turns it off to select text)"), "{said}");
        let off = update(&mut s, f2());
        assert!(!s.mouse);
        assert!(off.effects.contains(&Effect::MouseCapture(false)));
        assert!(s.status.as_ref().unwrap().text.starts_with("mouse off"));
    }

    #[test]
    fn the_toggle_works_from_a_viewer_too() {
        let mut s = state();
        s.overlays.push(Overlay::help());
        let out = update(&mut s, f2());
        assert_eq!(
            out.effects
                .iter()
                .filter(|e| matches!(e, Effect::MouseCapture(_)))
                .count(),
            1
        );
        assert!(s.mouse);
    }

    #[test]
    fn while_off_mouse_events_change_nothing() {
        let mut s = state();
        update(&mut s, click(25, 0));
        update(&mut s, mouse(MouseEventKind::ScrollDown, 5, 5));
        assert_eq!((s.pane, s.nodes.selected), (Pane::Nodes, 0));
    }

    #[test]
    fn the_wheel_scrolls_the_table_and_the_viewer_on_top() {
        let mut s = state();
        update(&mut s, f2());
        update(&mut s, mouse(MouseEventKind::ScrollDown, 5, 5));
        assert_eq!(s.nodes.selected, WHEEL_ROWS);
        update(&mut s, mouse(MouseEventKind::ScrollDown, 5, 5));
        update(&mut s, mouse(MouseEventKind::ScrollUp, 5, 5));
        assert_eq!(s.nodes.selected, WHEEL_ROWS);
        // Over help, the help scrolls and the table stays.
        s.overlays.push(Overlay::help());
        update(&mut s, mouse(MouseEventKind::ScrollDown, 5, 5));
        assert!(matches!(s.overlays[0], Overlay::Help { scroll, .. } if scroll > 0));
        assert_eq!(s.nodes.selected, WHEEL_ROWS);
    }

    #[test]
    fn a_click_selects_a_row_and_a_tab_switches_pane() {
        let mut s = state();
        update(&mut s, f2());
        // Row 3 is the first body row (the host), row 7 the fifth.
        update(&mut s, click(10, 7));
        assert_eq!(s.nodes.selected, 4);
        // Scrolled: a click counts from the first row on screen.
        s.nodes.offset = 10;
        s.nodes.selected = 12;
        update(&mut s, click(10, 4));
        assert_eq!(s.nodes.selected, 11);
        // Past the last row: nothing.
        update(&mut s, click(10, 200));
        assert_eq!(s.nodes.selected, 11);
        // The third tab is the ZooKeeper pane.
        update(&mut s, click(25, 0));
        assert_eq!(s.pane, Pane::Zookeeper);
        // A dialog on top takes no clicks.
        s.overlays.push(Overlay::help());
        update(&mut s, click(5, 0));
        assert_eq!(s.pane, Pane::Zookeeper);
    }

    #[test]
    fn only_presses_and_the_wheel_are_passed_on() {
        assert!(wanted(MouseEventKind::ScrollUp));
        assert!(wanted(MouseEventKind::Down(MouseButton::Left)));
        assert!(!wanted(MouseEventKind::Moved));
        assert!(!wanted(MouseEventKind::Up(MouseButton::Left)));
        assert!(!wanted(MouseEventKind::Drag(MouseButton::Left)));
    }
}
