//! HAProxy's runtime API answers, parsed (into `model::answers::haproxy`).
//! `show stat` is CSV whose columns are read by their header names: past
//! the `status`-era columns the order changed between versions, so no
//! position is assumed.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::answers::haproxy::{HaproxyProbe, ProxyKind, StatRow, Status};
use crate::model::answers::ProbeError;
use crate::model::SafeText;

/// A `status` cell of `show stat`.
pub fn parse_status(text: &str) -> Status {
    let t = text.trim();
    let word = t.split_whitespace().next().unwrap_or_default();
    // "MAINT (via be/srv)", "MAINT (resolution)": still maintenance.
    if word == "MAINT" {
        return Status::Maint;
    }
    if let Some((state, ratio)) = t.split_once(' ') {
        if let Some((done, needed)) = ratio.trim().split_once('/') {
            if let (Ok(done), Ok(needed)) = (done.parse(), needed.parse()) {
                if state == "UP" || state == "DOWN" {
                    return Status::Going {
                        from_up: state == "UP",
                        done,
                        needed,
                    };
                }
            }
        }
    }
    match t {
        "UP" => Status::Up,
        "DOWN" => Status::Down,
        "DRAIN" => Status::Drain,
        "NOLB" => Status::NoLb,
        "no check" => Status::NoCheck,
        "OPEN" => Status::Open,
        "STOP" => Status::Stop,
        other => Status::Other {
            text: SafeText::from_foreign(other),
        },
    }
}

pub fn parse_show_stat(csv: &str) -> Result<Vec<StatRow>, ProbeError> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .and_then(|h| h.strip_prefix("# "))
        .ok_or_else(|| {
            ProbeError::foreign(&format!(
                "not a `show stat` answer: {}",
                csv.lines().next().unwrap_or("(empty)")
            ))
        })?;
    let columns: HashMap<&str, usize> =
        header.split(',').enumerate().map(|(i, c)| (c, i)).collect();
    for needed in ["pxname", "svname", "status", "type"] {
        if !columns.contains_key(needed) {
            return Err(ProbeError::foreign(&format!(
                "`show stat` header lacks `{needed}`"
            )));
        }
    }
    let mut rows = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let get = |name: &str| {
            columns
                .get(name)
                .and_then(|i| cells.get(*i))
                .copied()
                .unwrap_or("")
        };
        let num = |name: &str| get(name).parse::<u64>().ok();
        let kind = match get("type") {
            "0" => ProxyKind::Frontend,
            "1" => ProxyKind::Backend,
            "2" => ProxyKind::Server,
            "3" => ProxyKind::Listener,
            other => {
                return Err(ProbeError::foreign(&format!(
                    "unknown proxy type `{other}` in: {line}"
                )))
            }
        };
        let text = |name: &str| SafeText::from_foreign(get(name));
        rows.push(StatRow {
            proxy: text("pxname"),
            name: text("svname"),
            kind,
            status: parse_status(get("status")),
            weight: num("weight"),
            active_servers: num("act"),
            backup_servers: num("bck").filter(|_| kind == ProxyKind::Backend),
            current_sessions: num("scur").unwrap_or(0),
            session_rate: num("rate").unwrap_or(0),
            check_status: text("check_status"),
            last_change_secs: num("lastchg"),
            address: text("addr"),
            backup: kind == ProxyKind::Server && get("bck") == "1",
        });
    }
    Ok(rows)
}

/// `stats socket` lines of a haproxy.cfg: unix paths and `ipv4@addr:port`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum StatsSocket {
    Unix(String),
    Tcp(String),
}

pub fn stats_sockets(config: &str) -> Vec<StatsSocket> {
    config
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next()? == "stats" && words.next()? == "socket").then_some(())?;
            let target = words.next()?;
            Some(match target.split_once('@') {
                Some(("ipv4" | "ipv6", addr)) => StatsSocket::Tcp(addr.to_string()),
                Some(("unix", path)) => StatsSocket::Unix(path.to_string()),
                Some(_) => return None,
                None if target.starts_with('/') => StatsSocket::Unix(target.to_string()),
                None => StatsSocket::Tcp(target.to_string()),
            })
        })
        .collect()
}

/// The line a user adds to haproxy.cfg's `global` section when none exists:
/// a TCP socket on the container's loopback, because every image can reach
/// it (socat, bash or nc) and the official image's user may bind it, where
/// it may not create a unix socket under /var/run.
pub const STATS_SOCKET_HINT: &str = "stats socket ipv4@127.0.0.1:9999 level admin";

/// A shell function run inside an HAProxy container: `haproxy_say SOCKET
/// COMMAND` prints HAProxy's answer. socat reaches any socket; without it
/// (the official images have none) bash's /dev/tcp, then busybox's nc (the
/// alpine variants have no bash), reach the TCP ones. Each is bounded
/// (`probes::limit`): an HAProxy that accepts and never answers leaves no
/// reader behind; 124 says so.
const SAY_FN: &str = r##"
haproxy_say() {
  case "$1" in
    ipv4@*|ipv6@*)
      a=${1#*@}; h=${a%:*}; p=${a##*:}
      case "$h" in ""|"*"|0.0.0.0) h=127.0.0.1;; esac
      if command -v socat >/dev/null 2>&1; then printf '%s\n' "$2" | tb_bounded socat -t 2 stdio "TCP:$h:$p"
      elif command -v bash >/dev/null 2>&1; then tb_bounded bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "%s\n" "$2" >&3 && exec cat <&3' "$h" "$p" "$2"
      elif command -v nc >/dev/null 2>&1; then printf '%s\n' "$2" | tb_bounded nc -w "$tb_secs" "$h" "$p"
      else echo "neither socat, bash nor nc in this container to reach $1"; fi ;;
    *)
      path=${1#unix@}
      if command -v socat >/dev/null 2>&1; then printf '%s\n' "$2" | tb_bounded socat -t 2 stdio "UNIX-CONNECT:$path"
      else echo "no socat in this container to reach the unix socket $path; add to haproxy.cfg's global section: stats socket ipv4@127.0.0.1:9999 level admin"; fi ;;
  esac
}
"##;

/// Run inside an HAProxy container: lists the config's stats sockets and
/// asks the first that answers for `show stat`.
pub fn probe_script() -> String {
    super::limit::bounded(&format!("{SAY_FN}{PROBE_BODY}"))
}

const PROBE_BODY: &str = r##"
cfg=${HAPROXY_CFG:-/usr/local/etc/haproxy/haproxy.cfg}
[ -r "$cfg" ] || cfg=/etc/haproxy/haproxy.cfg
[ -r "$cfg" ] || { echo "tugboat: no haproxy.cfg at /usr/local/etc/haproxy or /etc/haproxy"; exit 0; }
sockets=$(sed -n 's/^[[:space:]]*stats[[:space:]][[:space:]]*socket[[:space:]][[:space:]]*\([^[:space:]#]*\).*/\1/p' "$cfg")
last=""
for s in $sockets; do
  out=$(haproxy_say "$s" 'show stat' 2>&1)
  [ $? -ne 124 ] || { echo "tugboat: stats socket $s: no answer within ${tb_limit}s"; exit 0; }
  case "$out" in "# pxname"*) echo "--- socket $s"; printf '%s\n' "$out"; exit 0;; esac
  last="$s: $out"
done
[ -n "$sockets" ] && echo "tugboat: no stats socket answered ($last)" && exit 0
echo "tugboat: no stats socket in $cfg; add to its global section: stats socket ipv4@127.0.0.1:9999 level admin"
"##;

/// Run inside an HAProxy container: sends one runtime-API command and
/// prints the answer (empty when HAProxy accepted it). Command and socket
/// come in the environment, never spliced into the script.
pub fn command_script() -> String {
    super::limit::bounded(&format!(
        "{SAY_FN}\nhaproxy_say \"$TUGBOAT_HAPROXY_SOCKET\" \"$TUGBOAT_HAPROXY_CMD\"\n"
    ))
}

pub fn parse_probe(output: &str) -> Result<HaproxyProbe, ProbeError> {
    if let Some(error) = output.lines().find_map(|l| l.strip_prefix("tugboat: ")) {
        return Err(ProbeError::foreign(error));
    }
    let unexpected =
        |text: &str| ProbeError::foreign(&format!("unexpected answer: {}", text.trim()));
    let (head, csv) = output.split_once('\n').ok_or_else(|| unexpected(output))?;
    let socket = head
        .strip_prefix("--- socket ")
        .ok_or_else(|| unexpected(head))?;
    Ok(HaproxyProbe {
        socket: SafeText::from_foreign(socket.trim()),
        rows: parse_show_stat(csv)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_including_transitions() {
        assert_eq!(parse_status("UP"), Status::Up);
        assert_eq!(parse_status("DRAIN"), Status::Drain);
        assert_eq!(parse_status("MAINT (via be_app/app1)"), Status::Maint);
        assert_eq!(parse_status("no check"), Status::NoCheck);
        assert_eq!(
            parse_status("UP 1/3"),
            Status::Going {
                from_up: true,
                done: 1,
                needed: 3
            }
        );
        assert_eq!(
            parse_status("DOWN 1/2"),
            Status::Going {
                from_up: false,
                done: 1,
                needed: 2
            }
        );
        assert_eq!(
            Status::Going {
                from_up: true,
                done: 1,
                needed: 3
            }
            .label(),
            "UP 1/3"
        );
        assert!(parse_status("UP 2/3").is_serving());
        assert!(!parse_status("DOWN 1/2").is_serving());
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let csv = "# svname,pxname,type,status,weight,scur,addr,bck,act\n\
                   app1,be,2,UP,1,3,10.0.0.2:8080,0,1\n\
                   BACKEND,be,1,UP,1,3,,0,1\n";
        let rows = parse_show_stat(csv).unwrap();
        assert_eq!(rows[0].name, "app1");
        assert_eq!(rows[0].proxy, "be");
        assert_eq!(rows[0].kind, ProxyKind::Server);
        assert_eq!(rows[0].address, "10.0.0.2:8080");
        assert_eq!(rows[0].current_sessions, 3);
        assert_eq!(rows[1].kind, ProxyKind::Backend);
        assert_eq!(rows[1].backup_servers, Some(0));
    }

    #[test]
    fn not_a_stat_answer_is_an_error() {
        assert!(parse_show_stat("Unknown command.\n").is_err());
        assert!(parse_show_stat("").is_err());
    }

    #[test]
    fn stats_sockets_from_config() {
        let cfg = "global\n  stats socket /var/run/haproxy.sock mode 600 level admin\n  \
                   stats socket ipv4@127.0.0.1:9999 level admin\n  # stats socket /old.sock\n  stats timeout 2m\n";
        assert_eq!(
            stats_sockets(cfg),
            vec![
                StatsSocket::Unix("/var/run/haproxy.sock".into()),
                StatsSocket::Tcp("127.0.0.1:9999".into())
            ]
        );
        assert!(stats_sockets("global\n  daemon\n").is_empty());
    }
}
