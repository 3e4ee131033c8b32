//! `[[actions]]`: commands of the user's own, run by a key or from the
//! palette on the selected container, its cluster or a volume.
//!
//! ```toml
//! [[actions]]
//! name = "zk-stat"
//! description = "ZooKeeper's own status of the member"
//! key = "Z"                        # or a list; none: the palette only
//! scope = "container"              # or "cluster", "volume"
//! roles = ["zookeeper"]            # only for these roles (any if left out)
//! command = ["docker", "exec", "{container}", "zkServer.sh", "status"]
//! confirm = false                  # ask y/n first (default: true)
//! dangerous = false                # changes things: refused read-only (default: false)
//! timeout_secs = 60                # stopped after this long (default: 300)
//! ```
//!
//! The command is a list of arguments, never a shell string: a value put
//! in (`{container}`, …) stays one argument whatever it holds. Which
//! placeholders a scope offers is checked here, with the line they were
//! written on; which keys and roles exist is the app's business.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::error::line_col;
use super::keys::Place;

/// What a user action acts on: the selected container, its cluster, or
/// the selected volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionScope {
    Container,
    Cluster,
    Volume,
}

impl ActionScope {
    pub fn name(self) -> &'static str {
        match self {
            ActionScope::Container => "container",
            ActionScope::Cluster => "cluster",
            ActionScope::Volume => "volume",
        }
    }

    /// The placeholders a command of this scope may use.
    pub fn placeholders(self) -> &'static [Placeholder] {
        use Placeholder as P;
        match self {
            ActionScope::Container => &[
                P::Host,
                P::HostUrl,
                P::Container,
                P::ContainerId,
                P::Cluster,
                P::Role,
                P::Image,
            ],
            ActionScope::Cluster => &[P::Host, P::HostUrl, P::Cluster, P::Members],
            ActionScope::Volume => &[P::Host, P::HostUrl, P::Volume],
        }
    }
}

/// A value put into a command's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// The host's name in tugboat.
    Host,
    /// The host's engine URL (`unix:///…`, `tcp://…`, `ssh://…`); also
    /// the command's `DOCKER_HOST`.
    HostUrl,
    Container,
    ContainerId,
    Cluster,
    /// The container's role (`zookeeper`, `mysql`, …).
    Role,
    Image,
    /// Every member's name: an argument that is only `{members}` becomes
    /// one argument per member.
    Members,
    Volume,
}

impl Placeholder {
    pub const ALL: [Placeholder; 9] = [
        Placeholder::Host,
        Placeholder::HostUrl,
        Placeholder::Container,
        Placeholder::ContainerId,
        Placeholder::Cluster,
        Placeholder::Role,
        Placeholder::Image,
        Placeholder::Members,
        Placeholder::Volume,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Host => "host",
            Placeholder::HostUrl => "host_url",
            Placeholder::Container => "container",
            Placeholder::ContainerId => "container_id",
            Placeholder::Cluster => "cluster",
            Placeholder::Role => "role",
            Placeholder::Image => "image",
            Placeholder::Members => "members",
            Placeholder::Volume => "volume",
        }
    }

    fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// One piece of a command argument: text as written, or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgPart {
    Text(String),
    Value(Placeholder),
}

/// The longest `timeout_secs` taken (a day): longer is a typo.
const MAX_ACTION_TIMEOUT_SECS: u64 = 24 * 60 * 60;

/// How long a user action may run unless it says otherwise.
pub const DEFAULT_ACTION_TIMEOUT: Duration = Duration::from_secs(300);

/// One `[[actions]]` entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserActionSpec {
    pub name: String,
    pub description: String,
    /// The keys as written, each with its place; checked by the keymap.
    pub keys: Vec<(String, Place)>,
    pub scope: ActionScope,
    /// Role names as written; none: every role.
    pub roles: Vec<(String, Place)>,
    /// The command's arguments, each split into text and values.
    pub command: Vec<Vec<ArgPart>>,
    pub confirm: bool,
    pub dangerous: bool,
    pub timeout: Duration,
    /// Where its `name` was written.
    pub at: Place,
}

/// `key = "Z"` or `key = ["Z", "F5"]` (placed as a whole: an untagged
/// enum cannot keep the spans inside it).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAction {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    key: Option<Spanned<OneOrMany>>,
    scope: ActionScope,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
    command: Spanned<CommandList>,
    #[serde(default = "yes")]
    confirm: bool,
    #[serde(default)]
    dangerous: bool,
    timeout_secs: Option<Spanned<u64>>,
}

fn yes() -> bool {
    true
}

/// `command` must be a list: a string would need a shell to split it.
#[derive(Deserialize)]
#[serde(untagged)]
enum CommandList {
    List(Vec<String>),
    Shell(String),
}

/// A mistake in one `[[actions]]` entry: where, and what.
pub(super) type ActionMistake = (Range<usize>, String);

/// The entries checked, in the order written; names must be unique.
pub(super) fn actions_from(
    raw: Vec<RawAction>,
    path: &Path,
    src: &str,
) -> Result<Vec<UserActionSpec>, ActionMistake> {
    let place = |span: Range<usize>| {
        let (line, column) = line_col(src, span.start);
        Place {
            path: path.to_path_buf(),
            line,
            column,
        }
    };
    let mut out: Vec<UserActionSpec> = Vec::new();
    for a in raw {
        let name_span = a.name.span();
        let name = a.name.get_ref().trim().to_string();
        check_name(&name).map_err(|m| (name_span.clone(), m))?;
        if let Some(first) = out.iter().find(|o| o.name == name) {
            return Err((
                name_span,
                format!(
                    "action `{name}` is already defined on line {}",
                    first.at.line
                ),
            ));
        }
        let command_span = a.command.span();
        let command = match a.command.into_inner() {
            CommandList::List(args) => args,
            CommandList::Shell(line) => {
                let first = line.split_whitespace().next().unwrap_or("prog");
                return Err((
                    command_span,
                    format!(
                        "`command` is a list of arguments, not a shell string: \
                         [\"{first}\", \"arg\", \"{{container}}\"] (for a shell script: \
                         [\"sh\", \"-c\", \"echo \\\"$1\\\"\", \"sh\", \"{{container}}\"])"
                    ),
                ));
            }
        };
        let command = split_command(&command, a.scope).map_err(|m| (command_span, m))?;
        let keys: Vec<(String, Place)> = match a.key {
            None => Vec::new(),
            Some(k) => {
                let at = place(k.span());
                match k.into_inner() {
                    OneOrMany::One(k) => vec![(k, at)],
                    OneOrMany::Many(ks) => ks.into_iter().map(|k| (k, at.clone())).collect(),
                }
            }
        };
        let timeout = match a.timeout_secs {
            Some(t) if *t.get_ref() == 0 || *t.get_ref() > MAX_ACTION_TIMEOUT_SECS => {
                return Err((
                    t.span(),
                    format!(
                        "expected 1 to {} seconds, found {}",
                        MAX_ACTION_TIMEOUT_SECS,
                        t.get_ref()
                    ),
                ));
            }
            Some(t) => Duration::from_secs(*t.get_ref()),
            None => DEFAULT_ACTION_TIMEOUT,
        };
        out.push(UserActionSpec {
            description: a.description.trim().to_string(),
            keys,
            scope: a.scope,
            roles: a
                .roles
                .into_iter()
                .map(|r| {
                    let at = place(r.span());
                    (r.into_inner(), at)
                })
                .collect(),
            command,
            confirm: a.confirm,
            dangerous: a.dangerous,
            timeout,
            at: place(name_span),
            name,
        });
    }
    Ok(out)
}

/// Names are typed in the palette and written in the audit log: letters,
/// digits and `-`, `_`, `.`.
fn check_name(name: &str) -> Result<(), String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 40 || !name.chars().all(ok) {
        return Err(format!(
            "action name `{name}`: expected 1 to 40 letters, digits, `-`, `_` or `.`"
        ));
    }
    Ok(())
}

/// Each argument split into text and `{placeholder}`s (`{{` and `}}` are
/// braces), every placeholder one the scope offers; `{members}` only as a
/// whole argument.
fn split_command(args: &[String], scope: ActionScope) -> Result<Vec<Vec<ArgPart>>, String> {
    if args.first().is_none_or(|a| a.trim().is_empty()) {
        return Err("`command` needs at least the program to run".into());
    }
    args.iter()
        .map(|arg| {
            let parts = split_arg(arg)?;
            for part in &parts {
                if let ArgPart::Value(p) = part {
                    if !scope.placeholders().contains(p) {
                        let offered: Vec<String> = scope
                            .placeholders()
                            .iter()
                            .map(|p| format!("{{{}}}", p.name()))
                            .collect();
                        return Err(format!(
                            "{{{}}} means nothing for scope \"{}\" (it offers {})",
                            p.name(),
                            scope.name(),
                            offered.join(", ")
                        ));
                    }
                    if *p == Placeholder::Members && parts.len() != 1 {
                        return Err("{members} must be a whole argument: \"{members}\"".into());
                    }
                }
            }
            Ok(parts)
        })
        .collect()
}

fn split_arg(arg: &str) -> Result<Vec<ArgPart>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = arg;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("{{") {
            text.push('{');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            text.push('}');
            rest = after;
        } else if c == '{' {
            let end = rest
                .find('}')
                .ok_or_else(|| format!("`{arg}`: `{{` without `}}` (write `{{{{` for a brace)"))?;
            let name = &rest[1..end];
            let p = Placeholder::from_name(name).ok_or_else(|| {
                let known: Vec<String> = Placeholder::ALL
                    .iter()
                    .map(|p| format!("{{{}}}", p.name()))
                    .collect();
                format!(
                    "`{{{name}}}`: no such placeholder (there are {})",
                    known.join(", ")
                )
            })?;
            if !text.is_empty() {
                parts.push(ArgPart::Text(std::mem::take(&mut text)));
            }
            parts.push(ArgPart::Value(p));
            rest = &rest[end + 1..];
        } else if c == '}' {
            return Err(format!(
                "`{arg}`: `}}` without `{{` (write `}}}}` for a brace)"
            ));
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(ArgPart::Text(text));
    }
    Ok(parts)
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
