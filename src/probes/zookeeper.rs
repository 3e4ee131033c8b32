//! ZooKeeper's four-letter words, parsed. Pure: text in, typed answer
//! (`model::answers::zookeeper`) out. `srvr` is allowed by the official
//! image's default whitelist; `mntr` adds follower sync figures when the
//! whitelist allows it.

use std::collections::HashMap;

use crate::model::answers::zookeeper::{ZkMode, ZkMonitor, ZkProbe, ZkReply, ZkServerStats};
use crate::model::SafeText;

fn classify<T>(text: &str) -> Option<ZkReply<T>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(ZkReply::Failed(SafeText::from_foreign("empty answer")));
    }
    // The probe script's own words: no answer in time, no client.
    if let Some(why) = trimmed.lines().find_map(|l| l.strip_prefix("tugboat: ")) {
        return Some(ZkReply::Failed(SafeText::from_foreign(why)));
    }
    if trimmed.contains("not currently serving requests") {
        return Some(ZkReply::NotServing);
    }
    if let Some(cmd) = trimmed
        .strip_suffix("is not executed because it is not in the whitelist.")
        .map(str::trim)
    {
        return Some(ZkReply::NotWhitelisted(SafeText::from_foreign(cmd)));
    }
    None
}

pub fn parse_srvr(text: &str) -> ZkReply<ZkServerStats> {
    if let Some(reply) = classify(text) {
        return reply;
    }
    let fields: HashMap<&str, &str> = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let Some(mode) = fields.get("Mode").and_then(|m| parse_mode(m)) else {
        return ZkReply::Failed(SafeText::from_foreign(&format!(
            "no Mode in srvr answer: {}",
            first_line(text)
        )));
    };
    let num = |k: &str| {
        fields
            .get(k)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let (lmin, lavg, lmax) = fields
        .get("Latency min/avg/max")
        .map(|v| {
            let mut parts = v.split('/').map(|p| p.trim().parse::<f64>().unwrap_or(0.0));
            (
                parts.next().unwrap_or(0.0),
                parts.next().unwrap_or(0.0),
                parts.next().unwrap_or(0.0),
            )
        })
        .unwrap_or_default();
    let zxid = fields
        .get("Zxid")
        .and_then(|z| u64::from_str_radix(z.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0);
    ZkReply::Ok(ZkServerStats {
        version: fields
            .get("Zookeeper version")
            .map(|v| SafeText::from_foreign(v.split([',', '-']).next().unwrap_or(v).trim()))
            .unwrap_or_default(),
        latency_min: lmin,
        latency_avg: lavg,
        latency_max: lmax,
        received: num("Received"),
        sent: num("Sent"),
        connections: num("Connections"),
        outstanding: num("Outstanding"),
        zxid,
        mode,
        node_count: num("Node count"),
    })
}

fn parse_mode(text: &str) -> Option<ZkMode> {
    Some(match text {
        "leader" => ZkMode::Leader,
        "follower" => ZkMode::Follower,
        "observer" => ZkMode::Observer,
        "standalone" => ZkMode::Standalone,
        _ => return None,
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// `mntr` is tab-separated `key\tvalue` lines.
pub fn parse_mntr(text: &str) -> ZkReply<ZkMonitor> {
    if let Some(reply) = classify(text) {
        return reply;
    }
    let fields: HashMap<&str, &str> = text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    if !fields.contains_key("zk_version") {
        return ZkReply::Failed(SafeText::from_foreign(&format!(
            "not an mntr answer: {}",
            first_line(text)
        )));
    }
    let num = |k: &str| fields.get(k).and_then(|v| v.parse::<u64>().ok());
    ZkReply::Ok(ZkMonitor {
        followers: num("zk_followers"),
        synced_followers: num("zk_synced_followers"),
        pending_syncs: num("zk_pending_syncs"),
        server_state: fields
            .get("zk_server_state")
            .map(|s| SafeText::from_foreign(s)),
    })
}

/// Run inside a ZooKeeper container: finds the client port and `myid` from
/// its config, then asks `srvr` and `mntr` over the loopback with what the
/// official image has (bash's /dev/tcp), falling back to `nc`. Each ask is
/// bounded (`probes::limit`): a member that accepts and never answers (a
/// hung JVM) leaves no reader behind, and once one ask timed out the other
/// is not tried. Goes after `limit::BOUNDED_FN` (see `probe_script`).
const PROBE_BODY: &str = r#"
conf="${ZOO_CONF_DIR:-/conf}/zoo.cfg"
[ -r "$conf" ] || conf=/etc/zookeeper/conf/zoo.cfg
data=$(sed -n 's/^dataDir=//p' "$conf" 2>/dev/null | head -n 1)
myid=$(cat "${data:-${ZOO_DATA_DIR:-/data}}/myid" 2>/dev/null)
port=$(sed -n 's/^clientPort=//p' "$conf" 2>/dev/null | head -n 1)
[ -z "$port" ] && [ -n "$myid" ] && port=$(sed -n "s/^server\.$myid=.*;\([0-9]*\)[[:space:]]*$/\1/p" "$conf" | head -n 1)
port=${port:-2181}
echo "myid=$myid"
echo "servers=$(grep -c '^server\.' "$conf" 2>/dev/null)"
grep '^server\.' "$conf" 2>/dev/null | sed 's/^/member /'
ask() {
  if command -v bash >/dev/null 2>&1; then
    tb_bounded bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf %s "$2" >&3 && exec cat <&3' _ "$port" "$1" 2>&1
  elif command -v nc >/dev/null 2>&1; then
    printf %s "$1" | tb_bounded nc -w "$tb_secs" 127.0.0.1 "$port" 2>&1
  else
    echo "tugboat: neither bash nor nc in this container"
  fi
}
echo "--- srvr"
ask srvr
if [ $? -eq 124 ]; then exit 0; fi
echo "--- mntr"
ask mntr
"#;

/// The ZooKeeper probe, run with `sh -c`.
pub fn probe_script() -> String {
    super::limit::bounded(PROBE_BODY)
}

/// Split the probe script's output into its parts and parse each.
pub fn parse_probe(output: &str) -> ZkProbe {
    let (head, rest) = output.split_once("--- srvr\n").unwrap_or((output, ""));
    let (srvr, mntr) = rest.split_once("--- mntr\n").unwrap_or((rest, ""));
    let value = |key: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
            .unwrap_or_default()
    };
    ZkProbe {
        server_id: value("myid=").parse().ok(),
        configured: value("servers=").parse().unwrap_or(0),
        peers: peers(head),
        srvr: if rest.is_empty() {
            ZkReply::Failed(SafeText::from_foreign(first_line(output)))
        } else {
            parse_srvr(srvr)
        },
        mntr: parse_mntr(mntr),
    }
}

/// `member server.1=zk1:2888:3888;2181` lines → sorted hosts (`zk1`, …).
fn peers(head: &str) -> Vec<SafeText> {
    let mut hosts: Vec<SafeText> = head
        .lines()
        .filter_map(|l| l.strip_prefix("member "))
        .filter_map(|l| l.split_once('=').map(|(_, v)| v))
        .filter_map(|v| v.split(':').next())
        .map(|h| SafeText::from_foreign(h.trim()))
        .filter(|h| !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}
