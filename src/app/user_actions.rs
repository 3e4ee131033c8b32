//! The user's own actions (`[[actions]]` in config.toml): bound to their
//! keys beside tugboat's, offered by the palette, and run as a job of one
//! step (ops `UserStep`) on what is selected — the container, its cluster
//! or the volume — its values put into the command's arguments one by one,
//! never through a shell. Confirmed when the entry says so; a dangerous
//! one is refused read-only (here and by the job runner).

use std::borrow::Cow;

use super::confirm::PlanQuestion;
use super::keymap::{parse_key, Action, Binding, Context, Keymap};
use super::keymap_load::{build_then, Built, KeymapError, CTRL_C};
use super::msg::Effect;
use super::state::{Level, Pane, State};
use crate::config::{ActionScope, ArgPart, Placeholder, UserActionSpec};
use crate::model::cluster::{cluster_of, detect_role, Role};
use crate::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp, UserStep};

/// The keymap: the defaults, the user's `[keys]` over them, and the
/// `[[actions]]` with their keys.
pub fn build_keymap(keys: &crate::config::KeysTable, actions: &[UserActionSpec]) -> Built {
    build_then(keys, |keymap, errors| bind(keymap, actions, errors))
}

/// Each action's bindings: in Nodes for a container or a cluster, in the
/// tables for a volume (it acts on the Volumes pane). A bad key or role is
/// reported at its line and the action left out.
fn bind(keymap: &mut Keymap, actions: &[UserActionSpec], errors: &mut Vec<KeymapError>) {
    for (i, a) in actions.iter().enumerate() {
        let Ok(index) = u16::try_from(i) else {
            break;
        };
        let mistake = |at: &crate::config::Place, reason: String| KeymapError::UserAction {
            at: at.clone(),
            name: a.name.clone(),
            reason,
        };
        let before = errors.len();
        for (role, at) in &a.roles {
            if Role::ALL.iter().all(|r| r.as_str() != role) {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                errors.push(mistake(
                    at,
                    format!("no such role `{role}` (there are: {})", known.join(", ")),
                ));
            }
        }
        let mut keys = Vec::new();
        for (text, at) in &a.keys {
            match parse_key(text) {
                Ok(key) if key == CTRL_C => {
                    errors.push(mistake(at, "Ctrl-c always quits".into()));
                }
                Ok(key) => keys.push(key),
                Err(reason) => errors.push(mistake(at, format!("bad key: {reason}"))),
            }
        }
        if errors.len() > before {
            continue;
        }
        keymap.add(Binding {
            action: Action::User(index),
            name: Cow::Owned(a.name.clone()),
            context: context_of(a.scope),
            keys,
            help: Cow::Owned(help_of(a)),
            mutating: a.dangerous,
            written: Some(a.at.clone()),
        });
    }
}

fn context_of(scope: ActionScope) -> Context {
    match scope {
        ActionScope::Container | ActionScope::Cluster => Context::Nodes,
        ActionScope::Volume => Context::Table,
    }
}

/// `zk-stat: ZooKeeper's status (your action, on the container)`.
fn help_of(a: &UserActionSpec) -> String {
    let what = if a.description.is_empty() {
        String::new()
    } else {
        format!(": {}", a.description)
    };
    let danger = if a.dangerous { ", changes things" } else { "" };
    format!(
        "{}{what} (your action, on the {}{danger})",
        a.name,
        a.scope.name()
    )
}

/// What a user action was asked for on: every value its scope offers.
struct Chosen {
    host: String,
    /// The plan's target: the container, its cluster or the volume.
    target: PlanTarget,
    /// The container a dangerous action holds, if it acts on one.
    container_id: Option<String>,
    values: Vec<(Placeholder, Vec<String>)>,
}

impl Chosen {
    fn value(&self, p: Placeholder) -> &[String] {
        self.values
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// The key or the palette asked for user action `index`: its plan, asked
/// first when the entry says so, else started.
pub(super) fn ask(state: &mut State, index: u16, effects: &mut Vec<Effect>) {
    let Some(spec) = state.user_actions.get(usize::from(index)).cloned() else {
        return;
    };
    let chosen = match chosen(state, &spec) {
        Ok(c) => c,
        Err(why) => return state.set_status(Level::Warn, format!("{}: {why}", spec.name)),
    };
    let plan = plan_of(&spec, &chosen, host_url(state, &chosen.host));
    state.follow_job = Some((plan.action.clone(), plan.target.clone()));
    if !spec.confirm {
        state.set_status(
            Level::Info,
            format!("{} {}: started (pane 5 shows it)", plan.action, plan.target),
        );
        effects.push(Effect::RunPlan(plan));
        return;
    }
    let question = format!("Run {} for {}?", spec.name, plan.target);
    let danger = spec
        .dangerous
        .then(|| "It changes things (dangerous = true): tugboat cannot undo it.".to_string());
    PlanQuestion::new(format!("Run {}", spec.name), question, plan)
        .after(danger.into_iter().flat_map(|d| [String::new(), d]))
        .ask(state);
}

/// The selection the action's scope asks for, with its values.
fn chosen(state: &State, spec: &UserActionSpec) -> Result<Chosen, String> {
    match spec.scope {
        ActionScope::Volume => {
            let (host, name) = match state.pane {
                Pane::Volumes => state.selected_volume(),
                _ => None,
            }
            .ok_or("select a volume on the Volumes pane (2)")?;
            Ok(Chosen {
                target: PlanTarget::Volume {
                    host: host.clone(),
                    volume: name.clone(),
                },
                container_id: None,
                values: vec![
                    (Placeholder::Host, vec![host.clone()]),
                    (Placeholder::Volume, vec![name]),
                ],
                host,
            })
        }
        ActionScope::Container | ActionScope::Cluster => container_values(state, spec),
    }
}

fn container_values(state: &State, spec: &UserActionSpec) -> Result<Chosen, String> {
    let key = super::opening::meant_container(state);
    let c = key
        .as_ref()
        .and_then(|k| state.inventory.containers.get(k))
        .ok_or_else(|| {
            format!(
                "select a container on the Nodes pane (it acts on the {})",
                spec.scope.name()
            )
        })?;
    let (host, id) = key.clone().unwrap_or_default();
    let role = detect_role(c).as_str();
    if !spec.roles.is_empty() && spec.roles.iter().all(|(r, _)| r != role) {
        let roles: Vec<&str> = spec.roles.iter().map(|(r, _)| r.as_str()).collect();
        return Err(format!(
            "for {} containers only; {} is {role}",
            roles.join(" or "),
            c.name
        ));
    }
    let cluster = cluster_of(c);
    if spec.scope == ActionScope::Cluster {
        let members: Vec<String> = state
            .inventory
            .containers
            .values()
            .filter(|m| cluster_of(m) == cluster)
            .map(|m| m.name.to_string())
            .collect();
        return Ok(Chosen {
            target: PlanTarget::Cluster(cluster.name.clone()),
            container_id: None,
            values: vec![
                (Placeholder::Host, vec![host.clone()]),
                (Placeholder::Cluster, vec![cluster.name.clone()]),
                (Placeholder::Members, members),
            ],
            host,
        });
    }
    Ok(Chosen {
        target: PlanTarget::Container {
            host: host.clone(),
            name: c.name.to_string(),
        },
        container_id: Some(id.clone()),
        values: vec![
            (Placeholder::Host, vec![host.clone()]),
            (Placeholder::Container, vec![c.name.to_string()]),
            (Placeholder::ContainerId, vec![id]),
            (Placeholder::Cluster, vec![cluster.name.clone()]),
            (Placeholder::Role, vec![role.to_string()]),
            (Placeholder::Image, vec![c.image.to_string()]),
        ],
        host,
    })
}

/// The engine URL of `host`, for `{host_url}` and `DOCKER_HOST`.
fn host_url(state: &State, host: &str) -> String {
    state
        .inventory
        .hosts
        .iter()
        .find(|h| h.name == host)
        .map(|h| h.url.clone())
        .unwrap_or_default()
}

/// The job: one step that runs the command with the values put in.
fn plan_of(spec: &UserActionSpec, chosen: &Chosen, url: String) -> Plan {
    let mut values = chosen.values.clone();
    values.push((Placeholder::HostUrl, vec![url.clone()]));
    let chosen = Chosen {
        values,
        host: chosen.host.clone(),
        target: chosen.target.clone(),
        container_id: chosen.container_id.clone(),
    };
    let argv = expand(&spec.command, &chosen);
    // The docker CLI acts on the host the selection is on.
    let mut env = vec![("TUGBOAT_HOST".to_string(), chosen.host.clone())];
    if !url.is_empty() {
        env.push(("DOCKER_HOST".to_string(), url));
    }
    let shown: Vec<String> = argv.iter().map(|a| shown_arg(a)).collect();
    let what = format!(
        "run `{}` on this machine (stopped after {}s)",
        shown.join(" "),
        spec.timeout.as_secs()
    );
    Plan {
        action: PlanAction::User(spec.name.clone()),
        host: chosen.host.clone(),
        target: chosen.target.clone(),
        steps: vec![Step::new(
            what,
            StepOp::User(UserStep::Run {
                action: spec.name.clone(),
                argv,
                env,
                timeout_secs: spec.timeout.as_secs(),
                dangerous: spec.dangerous,
                touches: chosen.container_id.clone(),
            }),
        )],
    }
}

/// Each argument with its values put in; `{members}` alone becomes one
/// argument per member.
fn expand(command: &[Vec<ArgPart>], chosen: &Chosen) -> Vec<String> {
    let mut argv = Vec::new();
    for parts in command {
        if let [ArgPart::Value(Placeholder::Members)] = parts.as_slice() {
            argv.extend(chosen.value(Placeholder::Members).iter().cloned());
            continue;
        }
        let mut arg = String::new();
        for part in parts {
            match part {
                ArgPart::Text(t) => arg.push_str(t),
                ArgPart::Value(p) => arg.push_str(&chosen.value(*p).join(" ")),
            }
        }
        argv.push(arg);
    }
    argv
}

/// An argument as the plan shows it: quoted when it holds a space or a
/// quote, sanitized (a container's name is the engine's text).
fn shown_arg(arg: &str) -> String {
    let arg = crate::model::sanitize(arg);
    if arg.is_empty() || arg.contains([' ', '\'', '"', '\\']) {
        format!("'{}'", arg.replace('\'', "'\\''"))
    } else {
        arg
    }
}

#[cfg(test)]
#[path = "user_actions_tests.rs"]
mod tests;
