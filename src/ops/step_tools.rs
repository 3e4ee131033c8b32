//! What the step runners share: a runtime-API command through HAProxy's
//! stats socket, and asking again until a check passes.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use crate::docker::{ExecPurpose, HostHandle};

/// Sends one runtime-API command through a stats socket and prints the
/// answer (empty when HAProxy accepted it). Command and socket come in the
/// environment, never spliced into the script.
const HAPROXY_COMMAND_SCRIPT: &str = r#"
s="$TUGBOAT_HAPROXY_SOCKET"; c="$TUGBOAT_HAPROXY_CMD"
case "$s" in
  ipv4@*|ipv6@*)
    a=${s#*@}; h=${a%:*}; p=${a##*:}
    [ -z "$h" ] || [ "$h" = "*" ] || [ "$h" = "0.0.0.0" ] && h=127.0.0.1
    if command -v socat >/dev/null 2>&1; then printf '%s\n' "$c" | socat -t 2 stdio "TCP:$h:$p"
    else bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "%s\n" "$2" >&3 && cat <&3' "$h" "$p" "$c"; fi ;;
  *) printf '%s\n' "$c" | socat -t 2 stdio "UNIX-CONNECT:${s#unix@}" ;;
esac
"#;

/// Send one runtime-API command through a balancer's stats socket and
/// return HAProxy's answer, trimmed (empty when it accepted the command
/// silently).
pub(super) async fn haproxy_answer(
    handle: &HostHandle,
    timeout: Duration,
    container_id: &str,
    socket: &str,
    command: &str,
) -> StepResult<String> {
    let env = vec![
        format!("TUGBOAT_HAPROXY_SOCKET={socket}"),
        format!("TUGBOAT_HAPROXY_CMD={command}"),
    ];
    let out = handle
        .exec(
            container_id,
            &["sh", "-c", HAPROXY_COMMAND_SCRIPT],
            &env,
            ExecPurpose::Change,
            timeout,
        )
        .await?;
    Ok(format!("{}{}", out.stdout.trim(), out.stderr.trim()))
}

/// How often a waiting step looks again.
const POLL: Duration = Duration::from_millis(300);

/// Ask `check` until it is satisfied, the deadline passes or the job is
/// cancelled; `check` says what it saw, for the error.
pub(super) async fn wait_until<Fut>(
    cancel: &watch::Receiver<bool>,
    timeout_secs: u64,
    mut check: impl FnMut() -> Fut,
) -> StepResult
where
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        if *cancel.borrow() {
            return Err(StepError::Stopped("cancelled while waiting".into()));
        }
        match check().await {
            Ok(()) => return Ok(()),
            Err(seen) => last = seen,
        }
        tokio::time::sleep(POLL).await;
    }
    Err(StepError::TimedOut {
        seen: last,
        secs: timeout_secs,
    })
}
