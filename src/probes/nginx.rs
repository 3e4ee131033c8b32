//! nginx upstreams, read-only: the `upstream` blocks of `nginx -T` and, for
//! each server, whether the nginx container itself can connect to it.

use std::collections::BTreeMap;

use serde::Serialize;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpstreamServer {
    /// As written: `host:port`, `host` (port 80) or `unix:/path`.
    pub address: SafeText,
    pub backup: bool,
    pub down: bool,
    pub weight: Option<u32>,
}

impl UpstreamServer {
    /// Host and port to try, when the address is a TCP one with safe characters.
    pub fn host_port(&self) -> Option<(String, u16)> {
        if self.address.starts_with("unix:") {
            return None;
        }
        let (host, port) = match self.address.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
                (h.trim_matches(['[', ']']), p.parse().ok()?)
            }
            _ => (self.address.as_str(), 80),
        };
        let safe = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c));
        safe.then(|| (host.to_string(), port))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub name: SafeText,
    pub servers: Vec<UpstreamServer>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    Ok,
    Fail,
    /// No tool in the container to try with, or an address not tried.
    Unchecked,
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

/// One probe round of an nginx container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NginxProbe {
    pub upstreams: Vec<Upstream>,
    /// By `host:port` as tried.
    pub reach: BTreeMap<SafeText, Reach>,
}

impl NginxProbe {
    pub fn reach_of(&self, server: &UpstreamServer) -> Reach {
        server
            .host_port()
            .and_then(|(h, p)| self.reach.get(format!("{h}:{p}").as_str()).copied())
            .unwrap_or(Reach::Unchecked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_default_to_port_80_and_refuse_odd_characters() {
        let s = |a: &str| UpstreamServer {
            address: SafeText::from_foreign(a),
            backup: false,
            down: false,
            weight: None,
        };
        assert_eq!(s("app:8080").host_port(), Some(("app".into(), 8080)));
        assert_eq!(s("app").host_port(), Some(("app".into(), 80)));
        assert_eq!(s("[::1]:81").host_port(), Some(("::1".into(), 81)));
        assert_eq!(s("unix:/run/app.sock").host_port(), None);
        assert_eq!(s("a$(reboot):80").host_port(), None);
    }
}
