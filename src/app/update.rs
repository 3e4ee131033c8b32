//! `update`: the only function that changes `State`. Pure: it returns the
//! effects it wants run instead of running them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::confirm::PlanQuestion;
use super::keymap::Action;
use super::line_editor::{Edit, LineEditor};
use super::msg::{Effect, Msg};
use super::opening::{
    open_cluster_logs, open_detail, open_inspect, open_logs, open_shell, with_container,
};
use super::scroll::scrolled;
use super::state::{Level, Pane, State};
use super::views::{Confirm, LogView, Overlay, PromptFor, Target};
use super::{operations, quitting, scaling, wizard};
use crate::model::sanitize;
use crate::ops::plan::NodeRole;
use crate::ops::rolling::container_restart_plan;

/// What applying a message asks of the runtime.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub redraw: bool,
}

pub fn update(state: &mut State, msg: Msg) -> Outcome {
    let needs_settling = unsettles(state, &msg);
    let mut out = apply(state, msg);
    if needs_settling {
        settle(state, &mut out.effects);
    }
    quitting::quit_if_idle(state, &mut out.effects);
    out
}

/// Whether `msg` may change what `settle` keeps (the rows' number and
/// order, selections, the containers and services watched). The clock's
/// tick moves only the time, and a stats sample only the numbers shown
/// unless the rows are sorted by them: at 2,000 containers settling costs
/// ~2 ms, and samples come for every container on screen every interval.
fn unsettles(state: &State, msg: &Msg) -> bool {
    match msg {
        // When an event was last seen shows on the status line only.
        Msg::Tick(_) | Msg::Host(crate::model::HostUpdate::EventSeen { .. }) => false,
        Msg::Host(crate::model::HostUpdate::Stats { .. }) => state.nodes.sort.key.uses_stats(),
        _ => true,
    }
}

/// `update` for a batch of what the tasks reported (host updates, probe
/// answers, log lines), settling once at the end: a storm of changes to
/// 200 containers then costs one pass over the rows, not 200.
pub fn update_all(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Outcome {
    let mut out = Outcome::default();
    let mut needs_settling = false;
    for msg in msgs {
        needs_settling |= unsettles(state, &msg);
        let one = apply(state, msg);
        out.redraw |= one.redraw;
        out.effects.extend(one.effects);
    }
    if needs_settling {
        settle(state, &mut out.effects);
    }
    quitting::quit_if_idle(state, &mut out.effects);
    out
}

fn apply(state: &mut State, msg: Msg) -> Outcome {
    let mut out = Outcome {
        effects: Vec::new(),
        redraw: true,
    };
    match msg {
        Msg::Key(key) => {
            if let Some(status) = state.status.as_mut() {
                status.fresh = false;
            }
            on_key(state, key, &mut out.effects)
        }
        Msg::Mouse(event) => super::mouse::on_mouse(state, event, &mut out.effects, run_action),
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
        }
        Msg::Tick(now_ms) => {
            let now = now_ms.div_euclid(1000);
            // Uptimes show minutes at best: redraw only when one could
            // change, or while the Jobs pane counts a running job's time.
            out.redraw = now / 60 != state.now / 60 || state.counts_job_time();
            state.now = now;
            state.now_ms = now_ms;
        }
        Msg::Host(update) => {
            match &update {
                crate::model::HostUpdate::Events { entries, .. } => {
                    super::timeline::on_events(state, entries);
                }
                crate::model::HostUpdate::Unreachable { host, at, error } => {
                    let was_up = state.inventory.host(host).is_some_and(|h| h.is_up());
                    super::timeline::on_unreachable(state, host, *at, error, was_up);
                }
                _ => {}
            }
            out.redraw = state.inventory.apply(update) || state.pane == Pane::Timeline;
            let inv = &state.inventory;
            state.marks.retain_known(|k| inv.containers.contains_key(k));
            state.probes.history.retain_known(inv);
        }
        Msg::LeasesHeld { host, held } => {
            state.held.insert(host, held);
            out.redraw = state.refresh_elsewhere();
        }
        Msg::Inspected { host, id, result } => {
            for overlay in state.overlays.iter_mut() {
                if let Overlay::Inspect(view) = overlay {
                    if view.host == host && view.id == id {
                        view.sections = Some(result.clone());
                    }
                }
            }
        }
        Msg::LogLines {
            session,
            lines,
            skipped,
        } => {
            if let Some(view) = log_view(state, session) {
                view.push_skipped(skipped);
                view.push_lines(lines.iter().map(|l| sanitize(l)).collect());
            } else {
                out.redraw = false;
            }
        }
        Msg::Job(event) => {
            super::timeline::on_job(state, &event);
            out.effects
                .extend(super::backups::relist_after(state, &event));
            wizard::on_job(state, &event);
            operations::on_job(state, event)
        }
        Msg::Probed { key, at, result } => {
            super::timeline::on_probed(state, &key, at, &result);
            out.redraw = state.probes.record(key, at, result);
        }
        Msg::Backups(result) => super::backups::on_listing(state, result),
        Msg::HostImages { host, images } => wizard::on_images(state, host, images),
        Msg::ClusterLog {
            session,
            note,
            lines,
        } => match log_view(state, session) {
            Some(view) => {
                view.push_merged(lines);
                if let (Some(m), Some(note)) = (view.merged.as_mut(), note) {
                    m.note = Some(note.clone());
                    state.set_status(Level::Info, note);
                }
            }
            None => out.redraw = false,
        },
        Msg::LogEnded { session, reason } => {
            if let Some(view) = log_view(state, session) {
                view.ended = Some(reason);
            }
        }
        Msg::Status { level, text } => state.set_status(level, text),
        Msg::Copy { what, text } => out.effects.push(Effect::Copy { what, text }),
        Msg::Interrupted(why) => quitting::on_interrupted(state, &why, &mut out.effects),
    }
    out
}

fn log_view(state: &mut State, session: u64) -> Option<&mut LogView> {
    state.overlays.iter_mut().find_map(|o| match o {
        Overlay::Logs(v) if v.session == session => Some(&mut **v),
        _ => None,
    })
}

/// After any change: keep selections valid and on screen, and tell the
/// runtime when the set of on-screen running containers changed.
fn settle(state: &mut State, effects: &mut Vec<Effect>) {
    effects.extend(state.refusals.drain(..).map(|r| Effect::AuditRefusal {
        action: r.action,
        target: r.target,
        reason: r.reason,
    }));
    let height = state.table_height();
    let node_len = state.node_rows().len();
    let vol_len = state.volume_rows().len();
    state.nodes.clamp(node_len, height);
    state.volumes.clamp(vol_len, height);
    let zk_len = state.zookeeper_rows().len();
    state.zookeeper.clamp(zk_len, height);
    let lb_len = state.balancer_rows().len();
    state.balancer.clamp(lb_len, height);
    let tl_len = state.timeline.refilter(state.timeline_view.active_filter());
    state.timeline_view.clamp(tl_len, height);
    state.clamp_scrolls();
    let visible = state.visible_running();
    if visible != state.watched {
        state.watched = visible.clone();
        effects.push(Effect::WatchStats(visible));
    }
    let probing = state.probe_targets();
    if probing != state.probing {
        state.probing = probing.clone();
        effects.push(Effect::WatchProbes(probing));
    }
}

fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    // Ctrl-C always quits, whatever is on top.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        quit(state, effects);
        return;
    }
    // Text input takes raw keys, outside the keymap.
    match state.overlays.last() {
        Some(Overlay::Logs(view)) if view.input.is_some() => {
            return super::log_keys::on_input_key(state, key)
        }
        Some(Overlay::Inspect(view)) if view.input.is_some() => {
            return super::inspect_keys::on_input_key(state, key)
        }
        None if state.table().filter_input.is_some() => return on_filter_key(state, key),
        Some(Overlay::Prompt(p)) if matches!(p.about, PromptFor::UpdateImage { .. }) => {
            return super::rolling_update::on_key(state, key)
        }
        Some(Overlay::Prompt(p)) if p.about.is_text() => {
            return super::repl_account::on_key(state, key, effects)
        }
        Some(Overlay::Prompt(_)) => return scaling::on_prompt_key(state, key),
        Some(Overlay::Wizard(_)) => return wizard::on_key(state, key, effects),
        Some(Overlay::Palette(_)) => {
            return super::palette_keys::on_key(state, key, effects, run_action)
        }
        _ => {}
    }
    let Some(action) = state.keymap.lookup(&key, state.key_contexts()) else {
        say_where_it_works(state, &key);
        return;
    };
    run_action(state, action, effects);
}

/// What `action` does where it is asked for: by its key, or chosen in the
/// palette.
fn run_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    state.acting = Some(action);
    dispatch(state, action, effects);
    state.acting = None;
}

fn dispatch(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    match state.overlays.last() {
        None => on_table_action(state, action, effects),
        Some(Overlay::Confirm(confirm)) => {
            let confirm = confirm.clone();
            on_confirm_action(state, action, confirm, effects);
        }
        // Container actions: bound only in a container's detail view.
        Some(_)
            if matches!(
                action,
                Action::Restart
                    | Action::Logs
                    | Action::Inspect
                    | Action::Shell
                    | Action::Copy
                    | Action::CopyDiagnostics
                    | Action::Lifecycle(_)
                    | Action::User(_)
            ) =>
        {
            on_table_action(state, action, effects)
        }
        Some(_) => on_viewer_action(state, action, effects),
    }
}

/// A key that does nothing here but somewhere else says where, rather
/// than nothing at all.
fn say_where_it_works(state: &mut State, key: &KeyEvent) {
    let Some(b) = state.keymap.bound_elsewhere(key, state.key_contexts()) else {
        return super::unbound_key::say_it_does_nothing(state, key);
    };
    let label = b
        .keys
        .first()
        .map(super::keymap::key_label)
        .unwrap_or_default();
    let place = super::keymap::context_title(b.context);
    let text = format!(
        "{label} does nothing here; {place}: {}{}",
        b.help,
        state.keymap.help_hint()
    );
    state.set_status(Level::Info, text);
}

fn quit(state: &mut State, effects: &mut Vec<Effect>) {
    quitting::quit(state, effects);
}

/// Lines a page of a long confirmation moves.
const CONFIRM_PAGE: usize = 8;

fn on_confirm_action(
    state: &mut State,
    action: Action,
    confirm: Confirm,
    effects: &mut Vec<Effect>,
) {
    match action {
        Action::Confirm if quitting::on_answer(state, true, effects) => {}
        Action::QuitWhenDone => {
            quitting::on_answer(state, false, effects);
        }
        Action::Confirm => {
            state.overlays.pop();
            if let Effect::Ask(next) = confirm.on_yes {
                state.overlays.push(Overlay::Confirm(*next));
                return;
            }
            if let Effect::RunPlan(plan) = &confirm.on_yes {
                if let Some(held) = crate::ops::claims::held_for(plan, &state.held) {
                    state.refusals.push(super::state::Refusal {
                        action: plan.action.to_string(),
                        target: plan.target.to_string(),
                        reason: held.to_string(),
                    });
                    state.set_status(Level::Warn, format!("refused: {held}"));
                    return;
                }
            }
            match &confirm.on_yes {
                Effect::RunPlan(plan) => state.set_status(
                    Level::Info,
                    format!("{} {}: started (pane 5 shows it)", plan.action, plan.target),
                ),
                // Offered once: a failed recovery is offered again at the next start.
                Effect::Recover(_) => {
                    state.recoveries.clear();
                    state.set_status(Level::Info, "recovery started (pane 5 shows it)");
                }
                _ => {}
            }
            effects.push(confirm.on_yes);
        }
        Action::Cancel => {
            state.overlays.pop();
            state.set_status(Level::Info, "cancelled: nothing was changed");
        }
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom => {
            if let Some(Overlay::Confirm(c)) = state.overlays.last_mut() {
                // The dialog clamps to its last page when drawn.
                let last = c.body.len().saturating_sub(1);
                c.scroll = match action {
                    Action::Down => (c.scroll + 1).min(last),
                    Action::Up => c.scroll.saturating_sub(1),
                    Action::PageDown => (c.scroll + CONFIRM_PAGE).min(last),
                    Action::Top => 0,
                    Action::Bottom => last,
                    _ => c.scroll.saturating_sub(CONFIRM_PAGE),
                };
            }
        }
        _ => {}
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent) {
    let table = state.table_mut();
    let Some(input) = table.filter_input.as_mut() else {
        return;
    };
    let before = input.text().to_string();
    match input.on_key(&key) {
        Edit::Submit => {
            table.filter = input.take();
            table.filter_history.remember(&table.filter);
            table.filter_input = None;
        }
        Edit::Cancel => {
            table.filter_input = None;
            table.filter.clear();
        }
        Edit::Changed if input.text() != before => {}
        // The cursor moved, or a key that edits nothing: the rows stay.
        Edit::Changed | Edit::Ignored => return,
    }
    table.selected = 0;
    table.offset = 0;
}

fn on_viewer_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Quit => quit(state, effects),
        Action::Back => {
            if let Some(Overlay::Logs(view)) = state.overlays.pop() {
                effects.push(Effect::CloseLogs {
                    session: view.session,
                });
            }
        }
        Action::Help => state.overlays.push(Overlay::help()),
        Action::Palette => super::palette_keys::open(state),
        Action::ToggleMouse => super::mouse::toggle(state, effects),
        Action::Messages => state.overlays.push(Overlay::detail(Target::Messages)),
        _ => {
            let Some(top) = state.overlays.last() else {
                return;
            };
            let (page, max) = (state.page_rows(top), state.max_scroll(top));
            match state.overlays.last_mut() {
                Some(Overlay::Logs(_)) => super::log_keys::on_action(state, action, page),
                Some(Overlay::Inspect(_)) => {
                    super::inspect_keys::on_action(state, action, page, max)
                }
                Some(Overlay::Help { .. } | Overlay::Detail { .. })
                    if matches!(
                        action,
                        Action::Wrap | Action::ScrollLeft | Action::ScrollRight
                    ) =>
                {
                    super::flow_keys::on_action(state, action)
                }
                Some(Overlay::Help { scroll, .. } | Overlay::Detail { scroll, .. }) => {
                    *scroll = scrolled(*scroll, action, page, max)
                }
                _ => {}
            }
        }
    }
}

/// An action on the table panes (or a container action from its detail view).
fn on_table_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    if refused_as_read_only(state, action) {
        return;
    }
    // The bounds the selection moves below keep to.
    let page = state.table_height();
    let last = state.row_count().saturating_sub(1);
    match action {
        Action::Quit => quit(state, effects),
        Action::Help => state.overlays.push(Overlay::help()),
        Action::Palette => super::palette_keys::open(state),
        Action::ToggleMouse => super::mouse::toggle(state, effects),
        Action::Messages => state.overlays.push(Overlay::detail(Target::Messages)),
        // Panes wrap around at either end; a pane number past the last means the last.
        Action::NextPane => switch_pane(state, |i, n| (i + 1) % n),
        Action::PrevPane => switch_pane(state, |i, n| (i + n - 1) % n),
        Action::GotoPane(p) => switch_pane(state, |_, n| p.min(n - 1)),
        Action::Up => select_row(state, |sel| sel.saturating_sub(1)),
        Action::Down => select_row(state, |sel| (sel + 1).min(last)),
        Action::PageUp => select_row(state, |sel| sel.saturating_sub(page)),
        Action::PageDown => select_row(state, |sel| (sel + page).min(last)),
        Action::Top => select_row(state, |_| 0),
        Action::Bottom => select_row(state, |_| last),
        Action::Filter => {
            // Opened empty, so what is typed replaces the filter in force
            // (filtering live); ↑ brings that one and earlier ones back.
            let table = state.table_mut();
            let mut history = table.filter_history.clone();
            history.remember(&table.filter);
            table.filter_input = Some(LineEditor::new().with_history(&history));
            if !table.filter.is_empty() {
                (table.selected, table.offset) = (0, 0);
            }
        }
        Action::Back => go_back(state),
        Action::Sort => {
            let sort = &mut state.table_mut().sort;
            sort.key = sort.key.next();
        }
        Action::SortReverse => {
            let sort = &mut state.table_mut().sort;
            sort.reverse = !sort.reverse;
        }
        Action::Open => open_detail(state),
        Action::Restart => confirm_restart(state),
        Action::Logs => open_logs(state, effects),
        Action::Inspect => open_inspect(state, effects),
        Action::DrainServer | Action::ReadyServer | Action::MaintServer => {
            operations::server_operation(state, action)
        }
        Action::CancelJob => operations::cancel_job(state, effects),
        Action::PauseJob => operations::pause_job(state, effects),
        Action::RollingRestart => operations::rolling_restart(state),
        Action::RollingUpdate => super::rolling_update::ask(state),
        Action::ScaleUp => scaling::scale_by(state, 1),
        Action::ScaleDown => scaling::scale_by(state, -1),
        Action::ScaleTo => scaling::open_prompt(state),
        Action::DrainNode => super::swarm_ops::node_availability(state, "drain"),
        Action::ServerWeight => operations::ask_weight(state),
        Action::ActivateNode => super::swarm_ops::node_availability(state, "active"),
        Action::PromoteNode => super::swarm_ops::node_role(state, NodeRole::Manager),
        Action::DemoteNode => super::swarm_ops::node_role(state, NodeRole::Worker),
        Action::MoveLeader => operations::leader_move(state),
        Action::BackupVolume => super::backups::backup_volume(state, false),
        Action::BackupVolumeOtherPause => super::backups::backup_volume(state, true),
        Action::RestoreLatestBackup => super::backups::restore_latest(state),
        Action::NewCluster => wizard::open(state, effects),
        Action::Failover => super::db_operations::failover(state),
        Action::Rejoin => with_container(state, "rejoin", |state, _, _, name| {
            super::db_operations::rejoin(state, &name)
        }),
        Action::Recover => super::recovery::offer(state),
        Action::ReplAccount => super::repl_account::ask(state),
        Action::Mark => super::marks::toggle(state),
        Action::MarkRange => super::marks::range(state),
        Action::MarkRole => super::marks::by_role(state),
        Action::ClearMarks => super::marks::clear(state),
        Action::Lifecycle(what) => super::lifecycle::confirm(state, what),
        Action::Shell => open_shell(state, effects),
        Action::Copy => super::copy::copy(state, effects),
        Action::ClusterLogs => open_cluster_logs(state, effects),
        Action::CopyDiagnostics => super::copy::copy_diagnostics(state, effects),
        Action::User(index) => super::user_actions::ask(state, index, effects),
        // Bound only in dialogs and viewers: nothing to do on a table.
        Action::QuitWhenDone
        | Action::Confirm
        | Action::Cancel
        | Action::Follow
        | Action::SearchNext
        | Action::SearchPrev
        | Action::LevelFilter
        | Action::MemberFilter
        | Action::MatchesOnly
        | Action::JumpToTime
        | Action::Wrap
        | Action::ScrollLeft
        | Action::ScrollRight => {}
    }
}

/// Refuse (and say why) an action that would change something when
/// tugboat runs read-only. Returns whether it was refused.
fn refused_as_read_only(state: &mut State, action: Action) -> bool {
    let refused = state.read_only && state.keymap.is_mutating(action);
    if refused {
        let why = "read-only: tugboat was started with --read-only, so it changes nothing";
        state.refused(why.into());
        state.set_status(Level::Warn, why);
    }
    refused
}

/// Show the pane `next(current index, pane count)` picks.
fn switch_pane(state: &mut State, next: impl FnOnce(usize, usize) -> usize) {
    let i = next(state.pane.index(), Pane::ALL.len());
    if Pane::ALL[i] != state.pane {
        drop_info_status(state);
        // Esc no longer goes back to where a jump came from.
        state.jump_back = None;
    }
    state.pane = Pane::ALL[i];
}

/// Information about what the last pane showed (a search's result, a
/// count) is stale on another; outcomes, warnings and errors stay.
fn drop_info_status(state: &mut State) {
    if state
        .status
        .as_ref()
        .is_some_and(|s| s.level == Level::Info)
    {
        state.status = None;
    }
}

/// Select the row `to(selected row)` picks in the current pane's table.
fn select_row(state: &mut State, to: impl FnOnce(usize) -> usize) {
    let table = state.table_mut();
    table.selected = to(table.selected);
}

/// Back out of a jump to another pane first; otherwise clear the filter
/// and the status line.
fn go_back(state: &mut State) {
    if let Some(pane) = state.jump_back.take() {
        state.pane = pane;
        return;
    }
    state.table_mut().filter.clear();
    state.status = None;
}

/// Ask before restarting, showing the exact plan that would run.
fn confirm_restart(state: &mut State) {
    with_container(state, "restart", |state, host, id, name| {
        let Some(c) = state.inventory.containers.get(&(host.clone(), id)) else {
            return;
        };
        match container_restart_plan(&state.inventory, &state.probes, c) {
            Ok(plan) => {
                let question = format!("Restart container {name} on host {host}?");
                PlanQuestion::new("Restart container", question, plan).ask(state);
            }
            Err(e) => state.set_status(Level::Warn, e.to_string()),
        }
    })
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
