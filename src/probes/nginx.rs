//! nginx upstreams, read-only: the `upstream` blocks of `nginx -T` and, for
//! each server, whether the nginx container itself can connect to it: the
//! scripts and their parsers (into `model::answers::nginx`).

use std::collections::BTreeMap;

use crate::model::answers::nginx::{Reach, Upstream, UpstreamServer};
use crate::model::SafeText;

/// Run inside the nginx container: the configuration as `nginx -T` dumps
/// it. `nginx -T` fails when an upstream's name no longer resolves (its
/// container stopped), exactly when the servers matter: then the files of
/// the official image's layout are read instead. Both bounded by the
/// exec's limit (`probes::limit`; see `config_script`).
const CONFIG_BODY: &str = r#"
tb_bounded nginx -T 2>/dev/null && exit 0
files=$(ls /etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf /etc/nginx/sites-enabled/* 2>/dev/null)
[ -n "$files" ] || { echo "tugboat: nginx -T failed and no config under /etc/nginx"; exit 0; }
cat $files
"#;

pub fn config_script() -> String {
    super::limit::bounded(CONFIG_BODY)
}

/// Run inside the nginx container with `host port host port …` as
/// arguments (never spliced into the script): one `ok`/`fail` line each.
/// A connection attempt gets 2 s at most, all of them together the exec's
/// limit (`probes::limit`; see `reach_script`).
const REACH_BODY: &str = r#"
tb_cap=20
try() {
  if command -v bash >/dev/null 2>&1; then tb_bounded bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" >/dev/null 2>&1
  elif command -v nc >/dev/null 2>&1; then tb_bounded nc -z -w 2 "$1" "$2" >/dev/null 2>&1
  else return 2; fi
}
while [ $# -ge 2 ]; do
  try "$1" "$2"; rc=$?
  case $rc in 0) echo "ok $1:$2";; 2) echo "unchecked $1:$2";; *) echo "fail $1:$2";; esac
  shift 2
done
"#;

pub fn reach_script() -> String {
    super::limit::bounded(REACH_BODY)
}

/// Tokens of an nginx config: words, `{`, `}` and `;`, comments dropped.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut word = String::new();
        for c in line.chars() {
            match c {
                '{' | '}' | ';' => {
                    if !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                    out.push(c.to_string());
                }
                c if c.is_whitespace() => {
                    if !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// The `upstream NAME { server ADDR params; … }` blocks, in order.
pub fn parse_upstreams(config: &str) -> Vec<Upstream> {
    let t = tokens(config);
    let mut upstreams = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == "upstream" && t.get(i + 2).is_some_and(|b| b == "{") {
            let mut up = Upstream {
                name: SafeText::from_foreign(&t[i + 1]),
                servers: Vec::new(),
            };
            i += 3;
            let mut depth = 1;
            while i < t.len() && depth > 0 {
                match t[i].as_str() {
                    "{" => depth += 1,
                    "}" => depth -= 1,
                    "server" if depth == 1 => {
                        let end = t[i..]
                            .iter()
                            .position(|x| x == ";")
                            .map_or(t.len(), |p| i + p);
                        let words = &t[i + 1..end];
                        if let Some(address) = words.first() {
                            up.servers.push(UpstreamServer {
                                address: SafeText::from_foreign(address),
                                backup: words.iter().any(|w| w == "backup"),
                                down: words.iter().any(|w| w == "down"),
                                weight: words
                                    .iter()
                                    .find_map(|w| w.strip_prefix("weight=")?.parse().ok()),
                            });
                        }
                        i = end;
                    }
                    _ => {}
                }
                i += 1;
            }
            upstreams.push(up);
        } else {
            i += 1;
        }
    }
    upstreams
}

/// `ok host:port` lines → address → reachability.
pub fn parse_reach(output: &str) -> BTreeMap<SafeText, Reach> {
    output
        .lines()
        .filter_map(|l| {
            let (word, addr) = l.trim().split_once(' ')?;
            let reach = match word {
                "ok" => Reach::Ok,
                "fail" => Reach::Fail,
                "unchecked" => Reach::Unchecked,
                _ => return None,
            };
            Some((SafeText::from_foreign(addr), reach))
        })
        .collect()
}
