//! Time limits inside the container. tugboat abandoning an exec that
//! passed its limit does not end what the exec started: a `cat` reading
//! from a hung ZooKeeper, or a client waiting for a mysqld that still
//! accepts TCP, would stay in the container and one more would collect
//! every probe round. So every command that waits on a server runs through
//! `tb_bounded`, which ends it when the exec's own budget (`TUGBOAT_LIMIT`,
//! set by `HostHandle::exec`, a little shorter than tugboat's limit) runs
//! out.

/// Shell prelude for scripts run by `docker exec`. It defines:
///
/// - `tb_bounded CMD…`: runs CMD and ends it when what is left of the
///   script's `$TUGBOAT_LIMIT` seconds (N.D) runs out, then prints
///   `tugboat: no answer within Ns` and returns 124. CMD must be one
///   process (`exec` the last command of a `bash -c`): killing a parent
///   leaves its children to the container's init, which in most service
///   containers reaps nothing. coreutils' `timeout` where there is one;
///   busybox's leaves its watcher process behind in just that way, so
///   there the shell watches instead: a `sleep` as the clock (counting
///   ticks falls behind on a loaded machine), polled every tenth of a
///   second, and every process started is waited for. `tb_cap` (tenths),
///   when set, caps each command further.
/// - `tb_secs`: the budget in whole seconds (at least 1), for the clients'
///   own options (`nc -w`, `--connect-timeout`).
pub const BOUNDED_FN: &str = r#"
tb_limit=${TUGBOAT_LIMIT:-5.0}
case $tb_limit in *.?) tb_budget=${tb_limit%.?}${tb_limit#*.};; *) tb_budget=${tb_limit}0;; esac
tb_budget=${tb_budget#0}
case $tb_budget in ''|*[!0-9]*) tb_limit=5.0; tb_budget=50;; esac
tb_secs=$((tb_budget / 10)); [ "$tb_secs" -ge 1 ] || tb_secs=1
tb_spent=0
tb_now() { tb_c=$(date +%s%N 2>/dev/null); case $tb_c in ''|*[!0-9]*) tb_c=;; *) tb_c=${tb_c%????????};; esac; }
tb_now; tb_t0=$tb_c
tb_timeout=
case $(timeout --version 2>/dev/null) in *coreutils*) tb_timeout=1;; esac
tb_watch() {
  if [ -z "${tb_frac:-}" ]; then if sleep 0.01 2>/dev/null; then tb_frac=y; else tb_frac=n; fi; fi
  if [ "$tb_frac" = y ]; then tb_w=$((tb_l / 10)).$((tb_l % 10)); tb_d=1; else tb_w=$(((tb_l + 9) / 10)); tb_d=10; fi
  sleep "$tb_w" >/dev/null 2>&1 &
  tb_k=$!
  exec 9<&0
  "$@" <&9 9<&- &
  tb_p=$!
  exec 9<&-
  tb_rc=
  while kill -0 "$tb_p" 2>/dev/null; do
    if ! kill -0 "$tb_k" 2>/dev/null; then kill -9 "$tb_p" 2>/dev/null; wait "$tb_p" 2>/dev/null; tb_rc=124; break; fi
    if [ "$tb_d" = 1 ]; then sleep 0.1; else sleep 1; fi
    tb_spent=$((tb_spent + tb_d))
  done
  kill "$tb_k" 2>/dev/null; wait "$tb_k" 2>/dev/null
  [ -n "$tb_rc" ] || { wait "$tb_p"; tb_rc=$?; }
  return "$tb_rc"
}
tb_bounded() {
  tb_now
  if [ -n "$tb_c" ] && [ -n "$tb_t0" ]; then tb_spent=$((tb_c - tb_t0)); fi
  tb_l=$((tb_budget - tb_spent))
  if [ -n "${tb_cap:-}" ] && [ "$tb_l" -gt "$tb_cap" ]; then tb_l=$tb_cap; fi
  if [ "$tb_l" -le 0 ]; then tb_rc=124
  elif [ -n "$tb_timeout" ]; then timeout "$((tb_l / 10)).$((tb_l % 10))" "$@"; tb_rc=$?
  else tb_watch "$@"; tb_rc=$?
  fi
  [ "$tb_rc" -ne 124 ] || echo "tugboat: no answer within ${tb_limit}s"
  return "$tb_rc"
}
"#;

/// `script` with the `tb_bounded` prelude before it.
pub fn bounded(script: &str) -> String {
    format!("{BOUNDED_FN}{script}")
}

#[cfg(test)]
mod tests {
    use super::super::{haproxy, mysql, nginx, zookeeper};
    use crate::model::answers::zookeeper::ZkMode;

    #[test]
    fn every_probe_script_starts_with_the_prelude_and_bounds_its_readers() {
        for script in [
            zookeeper::probe_script(),
            haproxy::probe_script(),
            haproxy::command_script(),
            mysql::probe_script(),
            nginx::config_script(),
            nginx::reach_script(),
        ] {
            assert!(script.starts_with(super::BOUNDED_FN));
            let body = &script[super::BOUNDED_FN.len()..];
            assert!(body.contains("tb_bounded "), "{body}");
            // A reader that outlives its bash would be left to init.
            assert!(!body.contains("&& cat <&3"), "{body}");
        }
    }

    #[test]
    fn a_timed_out_ask_is_a_failed_answer_in_its_own_words() {
        let p =
            zookeeper::parse_probe("myid=1\nservers=0\n--- srvr\ntugboat: no answer within 2.4s\n");
        assert_eq!(p.mode(), ZkMode::Unreachable);
        assert_eq!(p.error().unwrap(), "no answer within 2.4s");
    }
}
