//! Keys while the command palette is open, and what choosing does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::Context;
use super::line_editor::Edit;
use super::msg::Effect;
use super::palette::{remember, Offer, Palette, PaletteCommand};
use super::rows::NodeRow;
use super::state::{Level, Pane, State};
use super::views::Overlay;

/// `:`: the palette over what is open now.
pub(super) fn open(state: &mut State) {
    let hosts = state
        .inventory
        .hosts
        .iter()
        .map(|h| h.name.clone())
        .collect();
    let palette = Palette::open(Offer {
        keymap: &state.keymap,
        live: state.key_contexts(),
        hosts,
        themes: &state.themes,
        recent: &state.palette_recent,
    });
    state.overlays.push(Overlay::Palette(Box::new(palette)));
}

/// How an action is run where it is asked for (`update::run_action`,
/// passed in: update dispatches to this module).
pub(super) type RunAction = fn(&mut State, super::keymap::Action, &mut Vec<Effect>);

/// Typing narrows the list; ↑/↓ (or Ctrl-P/Ctrl-N, Tab) choose; Enter
/// runs the chosen entry; Esc closes.
pub(super) fn on_key(
    state: &mut State,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
    run_action: RunAction,
) {
    let Some(Overlay::Palette(palette)) = state.overlays.last_mut() else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Down | KeyCode::Tab => return palette.move_selection(true),
        KeyCode::Up | KeyCode::BackTab => return palette.move_selection(false),
        KeyCode::Char('n') if ctrl => return palette.move_selection(true),
        KeyCode::Char('p') if ctrl => return palette.move_selection(false),
        _ => {}
    }
    match palette.input.on_key(&key) {
        Edit::Changed => palette.refilter(),
        Edit::Ignored => {}
        Edit::Cancel => {
            state.overlays.pop();
        }
        Edit::Submit => {
            let chosen = palette.chosen().map(|e| e.command.clone());
            let typed = palette.input.text().to_string();
            state.overlays.pop();
            match chosen {
                Some(command) => run(state, command, effects, run_action),
                None => {
                    let hint = state.keymap.help_hint();
                    state.set_status(
                        Level::Warn,
                        format!("nothing in the palette matches `{typed}`{hint}"),
                    )
                }
            }
        }
    }
}

fn run(
    state: &mut State,
    command: PaletteCommand,
    effects: &mut Vec<Effect>,
    run_action: RunAction,
) {
    remember(&mut state.palette_recent, &command);
    match command {
        PaletteCommand::Run { action, context } => {
            if let Some(pane) = pane_of(context) {
                if !state.key_contexts().contains(&context) {
                    state.pane = pane;
                }
            }
            run_action(state, action, effects);
        }
        PaletteCommand::Theme(name) => effects.push(Effect::UseTheme(name)),
        PaletteCommand::Host(name) => go_to_host(state, &name),
    }
}

/// The pane an action's keys work on, for one chosen from another pane.
fn pane_of(context: Context) -> Option<Pane> {
    match context {
        Context::Nodes => Some(Pane::Nodes),
        Context::Zookeeper => Some(Pane::Zookeeper),
        Context::Balancer => Some(Pane::Balancer),
        Context::Jobs => Some(Pane::Jobs),
        Context::Services => Some(Pane::Services),
        Context::Global
        | Context::Table
        | Context::Viewer
        | Context::Logs
        | Context::Inspect
        | Context::Confirm => None,
    }
}

/// `host NAME`: the Nodes pane, unfiltered, at the host's row.
fn go_to_host(state: &mut State, name: &str) {
    state.overlays.clear();
    state.pane = Pane::Nodes;
    state.nodes.filter.clear();
    state.nodes.filter_input = None;
    let rows = state.node_rows();
    match rows
        .iter()
        .position(|r| matches!(r, NodeRow::Host(h) if h == name))
    {
        Some(i) => state.nodes.selected = i,
        None => state.set_status(Level::Warn, format!("no host {name} here")),
    }
}
