//! The one contract every headless verb keeps with scripts: one exit code
//! per kind of outcome, and with `--json` one error shape on stdout.
//!
//! | exit  | kind                      | meaning                                   |
//! |-------|---------------------------|-------------------------------------------|
//! | 0     | –                         | done, or nothing to do                    |
//! | 1     | `failed`                  | the job failed, or a host did not answer  |
//! | 2     | `usage`, `not_found`      | bad flag, value or config; unknown name   |
//! | 3     | `refused`, `not_confirmed`| refused (read-only, busy, unsafe) or not confirmed: nothing ran |
//! | 128+N | `interrupted`             | stopped safely by signal N                |
//!
//! With `--json` an error is one line on stdout,
//! `{"error": {"kind": …, "message": …, "exit": N}}` (beside the plan and
//! outcome when a job ran or was shown), and the same message on stderr
//! as text. The README's table says the same; tests/cli_contract.rs holds
//! the binary to it.

use std::process::ExitCode;

use serde::Serialize;

use super::interrupt::{say_json, warn};
use crate::ops::error::PlanError;
use crate::ops::job::JobOutcome;

/// What went wrong, as a script tells it apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A bad flag, value, spec or config.
    Usage,
    /// What was named is not there (host, container, cluster, volume,
    /// archive, image, lease, …).
    NotFound,
    /// Not done, and nothing ran: read-only, busy, or unsafe now.
    Refused,
    /// No `--yes`, and no `y` typed on a terminal: nothing ran.
    NotConfirmed,
    /// The job (or a host it needed) failed; it says where and why.
    Failed,
    /// A signal stopped the job at a safe point.
    Interrupted,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Usage,
        ErrorKind::NotFound,
        ErrorKind::Refused,
        ErrorKind::NotConfirmed,
        ErrorKind::Failed,
        ErrorKind::Interrupted,
    ];

    /// The exit code of this kind (a signal's own is 128 + N: 130 for
    /// SIGINT is given here).
    pub const fn exit(self) -> u8 {
        match self {
            ErrorKind::Failed => EXIT_FAILED,
            ErrorKind::Usage | ErrorKind::NotFound => EXIT_USAGE,
            ErrorKind::Refused | ErrorKind::NotConfirmed => EXIT_REFUSED,
            ErrorKind::Interrupted => 128 + 2,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Refused => "refused",
            ErrorKind::NotConfirmed => "not_confirmed",
            ErrorKind::Failed => "failed",
            ErrorKind::Interrupted => "interrupted",
        }
    }
}

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_REFUSED: u8 = 3;

/// An error of a headless verb, said once by `report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    pub exit: u8,
}

impl CliError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            exit: kind.exit(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }

    pub fn not_confirmed() -> Self {
        Self::new(
            ErrorKind::NotConfirmed,
            "not confirmed; nothing was changed (use --yes to skip the question)",
        )
    }

    /// How a job ended, as an error; None when it was done. `signal_exit`:
    /// 128 + N when signal N stopped it.
    pub fn from_outcome(
        outcome: &JobOutcome,
        steps: usize,
        signal_exit: Option<u8>,
    ) -> Option<Self> {
        let text = outcome.text(steps);
        match outcome {
            JobOutcome::Done => None,
            JobOutcome::Refused { .. } => Some(Self::refused(text)),
            JobOutcome::Cancelled { .. } => Some(match signal_exit {
                Some(exit) => Self {
                    kind: ErrorKind::Interrupted,
                    message: text,
                    exit,
                },
                None => Self::failed(text),
            }),
            JobOutcome::Failed { .. } => Some(Self::failed(text)),
        }
    }

    pub fn code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }

    /// `{"error": {"kind", "message", "exit"}}`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }

    /// Say it (text on stderr; with `json`, its JSON on stdout too) and
    /// give its exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        self.warn();
        if json {
            say_json(&self.json());
        }
        self.code()
    }

    /// The text on stderr only (a JSON report that carries it is said by
    /// its caller).
    pub fn warn(&self) {
        let prefix = match self.kind {
            ErrorKind::Refused if !self.message.starts_with("refused") => "refused: ",
            _ => "",
        };
        warn(format!("tugboat: {prefix}{}", self.message));
    }
}

impl From<PlanError> for CliError {
    fn from(e: PlanError) -> Self {
        let message = e.to_string();
        match e {
            PlanError::NotFound(_) => Self::not_found(message),
            PlanError::Invalid(_) => Self::usage(message),
            PlanError::Refused(_) | PlanError::NotReady(_) => Self::refused(message),
        }
    }
}

/// A verb's result: an exit code of its own (0, or 1 when a host did not
/// answer), or an error said by `report`.
pub type CliResult = Result<ExitCode, CliError>;

/// End a verb: its code, or its error said (as JSON too with `json`).
pub fn finish(result: CliResult, json: bool) -> ExitCode {
    result.unwrap_or_else(|e| e.report(json))
}

/// Nothing to do (what was asked is already so): said, exit 0; with
/// `json`, `{"outcome": "nothing to do", "message": …}`.
pub fn nothing_to_do(message: &str, json: bool) -> ExitCode {
    if json {
        say_json(&serde_json::json!({ "outcome": "nothing to do", "message": message }));
    } else {
        super::interrupt::say(format!("{message}: nothing to do"));
    }
    ExitCode::from(EXIT_OK)
}

/// A command line clap refused: its own message on stderr (help and
/// version on stdout, exit 0), and with `--json` among the arguments the
/// error as JSON on stdout; exit 2.
pub fn parse_failed(e: clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(EXIT_OK);
    }
    let _ = e.print();
    if args.iter().any(|a| a == "--json") {
        let text = e.render().to_string();
        let first = text.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        say_json(&CliError::usage(message).json());
    }
    ExitCode::from(EXIT_USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_exit_and_the_json_one_shape() {
        let exits: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.exit()).collect();
        assert_eq!(exits, [2, 2, 3, 3, 1, 130]);
        let e = CliError::not_found("no container `x`");
        assert_eq!(
            e.json(),
            serde_json::json!({"error": {"kind": "not_found", "message": "no container `x`", "exit": 2}})
        );
        for k in ErrorKind::ALL {
            assert_eq!(serde_json::json!(k), serde_json::json!(k.as_str()));
        }
    }

    #[test]
    fn plan_errors_and_outcomes_map_to_kinds() {
        let kind = |e: PlanError| CliError::from(e).kind;
        assert_eq!(kind(PlanError::NotFound("a".into())), ErrorKind::NotFound);
        assert_eq!(kind(PlanError::Invalid("a".into())), ErrorKind::Usage);
        assert_eq!(kind(PlanError::Refused("a".into())), ErrorKind::Refused);
        assert_eq!(kind(PlanError::NotReady("a".into())), ErrorKind::Refused);
        assert_eq!(CliError::from_outcome(&JobOutcome::Done, 1, None), None);
        let stopped = JobOutcome::Cancelled {
            completed: 1,
            why: "interrupted by SIGTERM".into(),
            detail: None,
        };
        let e = CliError::from_outcome(&stopped, 2, Some(143)).unwrap();
        assert_eq!((e.kind, e.exit), (ErrorKind::Interrupted, 143));
        let refused = JobOutcome::Refused {
            reason: "read-only".into(),
        };
        let e = CliError::from_outcome(&refused, 2, None).unwrap();
        assert_eq!((e.kind, e.exit), (ErrorKind::Refused, 3));
    }
}
