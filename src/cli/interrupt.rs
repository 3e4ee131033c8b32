//! Headless operations and signals. While a job runs, SIGINT (Ctrl-C),
//! SIGTERM and SIGHUP (the terminal or the SSH session is gone) do not kill
//! tugboat: they stop the job at its next safe point, the step in flight
//! makes safe what it did (unpauses, removes a partial file and its
//! helper), the audit record says "interrupted by SIG…", and the process
//! exits with 128 + the signal's number, as a shell reports a signal.
//! Output goes through `say`, which never panics on a terminal that is
//! gone: a dropped session must not cut the clean-up short, and sanitizes
//! what it prints: outcomes quote what containers and services said.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use tokio::signal::unix::{signal, SignalKind};
use tokio::task::JoinHandle;

use crate::model::sanitize::{escape_json, sanitize_multiline};
use crate::ops::job::JobOutcome;
use crate::ops::runner::JobControl;

/// A line on stdout, sanitized; a closed or hung-up terminal is ignored.
/// JSON goes through `say_json`: sanitizing could break its strings.
pub fn say(text: impl Display) {
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        sanitize_multiline(&text.to_string())
    );
}

/// A line on stderr, sanitized; a closed or hung-up terminal is ignored.
pub fn warn(text: impl Display) {
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        sanitize_multiline(&text.to_string())
    );
}

/// One JSON line on stdout with every control and format character
/// escaped (serde_json leaves C1, bidi and format characters raw).
pub fn say_json(value: &impl serde::Serialize) {
    match json_text(value, false) {
        Ok(text) => {
            let _ = writeln!(std::io::stdout(), "{text}");
        }
        Err(e) => warn(format!("tugboat: {e}")),
    }
}

/// `value` as JSON (pretty or on one line), safe for a terminal.
pub fn json_text(value: &impl serde::Serialize, pretty: bool) -> serde_json::Result<String> {
    let text = if pretty {
        serde_json::to_string_pretty(value)?
    } else {
        serde_json::to_string(value)?
    };
    Ok(escape_json(&text))
}

/// The signals a headless job answers, with their numbers.
const SIGNALS: [(&str, i32); 3] = [("SIGINT", 2), ("SIGTERM", 15), ("SIGHUP", 1)];

/// Watches for the signals while alive; the first one stops `control`'s job.
pub struct Interrupts {
    signal: Arc<AtomicI32>,
    task: JoinHandle<()>,
}

impl Interrupts {
    /// Start watching. From here on these signals no longer end the process.
    pub fn watch(control: JobControl) -> std::io::Result<Self> {
        let mut streams = Vec::new();
        for (name, number) in SIGNALS {
            streams.push((name, number, signal(SignalKind::from_raw(number))?));
        }
        let got = Arc::new(AtomicI32::new(0));
        let seen = got.clone();
        let task = tokio::spawn(async move {
            loop {
                let arrivals = streams.iter_mut().map(|(name, number, s)| {
                    Box::pin(async move {
                        s.recv().await;
                        (*name, *number)
                    })
                });
                let ((name, number), _, _) = futures_util::future::select_all(arrivals).await;
                if seen
                    .compare_exchange(0, number, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    warn(format!(
                        "tugboat: {name}: stopping the job at its next safe point and making safe what it did"
                    ));
                    control.interrupt(name);
                } else {
                    warn(format!(
                        "tugboat: {name}: still stopping safely; tugboat exits when that is done"
                    ));
                }
            }
        });
        Ok(Self { signal: got, task })
    }

    /// 128 + the number of the signal that arrived, if one did.
    pub fn signal_exit(&self) -> Option<u8> {
        let n = self.signal.load(Ordering::SeqCst);
        (n != 0).then(|| 128 + n as u8)
    }

    /// The exit code (128 + N) for a job signal N stopped.
    pub fn exit_code(&self, outcome: &JobOutcome) -> Option<u8> {
        self.signal_exit()
            .filter(|_| matches!(outcome, JobOutcome::Cancelled { .. }))
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::json_text;

    #[test]
    fn json_escapes_c1_bidi_and_format_characters() {
        use crate::model::sanitize::is_dangerous;
        let value = serde_json::json!({
            "outcome": "failed: HAProxy said: \u{9b}2J\u{9d}0;t\u{9c}\u{202e}\u{200b}\u{ad}\u{e0041}",
        });
        for pretty in [false, true] {
            let text = json_text(&value, pretty).unwrap();
            assert!(
                !text.chars().any(|c| c != '\n' && is_dangerous(c)),
                "{text}"
            );
            for escape in ["\\u009b", "\\u009d", "\\u202e", "\\u200b", "\\u00ad"] {
                assert!(text.contains(escape), "{escape} in {text}");
            }
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
    }
}
