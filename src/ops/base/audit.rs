//! The audit log: one JSON object per line in the data directory, for every
//! mutating action tugboat was asked to do, including refused ones.
//! Nothing secret goes in: only names, ids, the plan and the outcome.
//! Outcomes quote what containers and services said, so every field is
//! sanitized as it is written and again as it is read (the file is
//! foreign too: anyone who can write it can write anything).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::private_fs::open_private_append;
use crate::model::clock::utc_datetime;
use crate::model::sanitize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditRecord {
    pub time: String,
    pub user: String,
    pub host: String,
    pub action: String,
    pub target: String,
    pub plan: Vec<String>,
    pub outcome: String,
    pub duration_ms: u64,
}

impl AuditRecord {
    /// Every field one line of inert text.
    fn sanitized(&self) -> Self {
        Self {
            time: sanitize(&self.time),
            user: sanitize(&self.user),
            host: sanitize(&self.host),
            action: sanitize(&self.action),
            target: sanitize(&self.target),
            plan: self.plan.iter().map(|l| sanitize(l)).collect(),
            outcome: sanitize(&self.outcome),
            duration_ms: self.duration_ms,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record. A failure to audit is reported, never ignored:
    /// the caller decides whether the action may go on.
    pub fn append(&self, record: &AuditRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_string(&record.sanitized()).map_err(std::io::Error::other)?;
        line.push('\n');
        // Private: the plans name hosts, containers and backup paths.
        let mut file = open_private_append(&self.path)?;
        // One write per record keeps lines whole under O_APPEND.
        file.write_all(line.as_bytes())
    }

    pub fn read_all(&self) -> std::io::Result<Vec<AuditRecord>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| {
                Some(AuditRecord {
                    time: v.get("time")?.as_str()?.into(),
                    user: v.get("user")?.as_str()?.into(),
                    host: v.get("host")?.as_str()?.into(),
                    action: v.get("action")?.as_str()?.into(),
                    target: v.get("target")?.as_str()?.into(),
                    plan: v
                        .get("plan")?
                        .as_array()?
                        .iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect(),
                    outcome: v.get("outcome")?.as_str()?.into(),
                    duration_ms: v.get("duration_ms")?.as_u64()?,
                })
            })
            .map(|r| r.sanitized())
            .collect())
    }
}

/// The local user, for the record: $USER, else $LOGNAME, else the name of
/// the process's uid in /etc/passwd (tmux and sudo may leave both unset),
/// else the uid itself.
pub fn local_user() -> String {
    if let Some(name) = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|n| !n.is_empty())
    {
        return name;
    }
    let Some(uid) = current_uid() else {
        return "unknown".into();
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    user_for_uid(&passwd, uid).unwrap_or_else(|| format!("uid {uid}"))
}

fn current_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn user_for_uid(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let uid_field = fields.nth(1)?;
        (uid_field.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

pub fn now_string() -> String {
    utc_datetime(crate::docker::unix_now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_is_looked_up_in_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\noncall:x:1000:1000::/home/oncall:/bin/sh\n";
        assert_eq!(user_for_uid(passwd, 1000).as_deref(), Some("oncall"));
        assert_eq!(user_for_uid(passwd, 0).as_deref(), Some("root"));
        assert_eq!(user_for_uid(passwd, 7), None);
    }

    #[test]
    fn records_round_trip_one_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("sub/audit.jsonl"));
        let rec = |outcome: &str| AuditRecord {
            time: "2026-11-23T02:31:05Z".into(),
            user: "oncall".into(),
            host: "local".into(),
            action: "restart".into(),
            target: "zk1".into(),
            plan: vec!["restart container zk1 on local".into()],
            outcome: outcome.into(),
            duration_ms: 1200,
        };
        log.append(&rec("ok")).unwrap();
        log.append(&rec("refused: read-only")).unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(log.path()), 0o600);
        assert_eq!(mode(&dir.path().join("sub")), 0o700);
        assert_eq!(
            log.read_all().unwrap(),
            vec![rec("ok"), rec("refused: read-only")]
        );
    }

    #[test]
    fn an_existing_readable_log_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let log = AuditLog::new(&path);
        log.append(&AuditRecord {
            time: "t".into(),
            user: "u".into(),
            host: "h".into(),
            action: "a".into(),
            target: "x".into(),
            plan: vec![],
            outcome: "ok".into(),
            duration_ms: 0,
        })
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn foreign_text_is_sanitized_on_write_and_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        let nasty = "HAProxy said: \u{1b}]0;title\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\
                     \u{1b}Pq#0\u{1b}\\\u{9b}31m\u{202e}x\u{200b}y\u{e0041}\nz";
        let record = AuditRecord {
            time: "2026-11-23T02:31:05Z".into(),
            user: "oncall".into(),
            host: "local".into(),
            action: "drain".into(),
            target: "be/\u{9d}srv".into(),
            plan: vec![format!("step {nasty}")],
            outcome: format!("failed at step 1 of 1: {nasty}"),
            duration_ms: 5,
        };
        log.append(&record).unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            !text.contains("\\u001b") && !text.contains('\u{9b}'),
            "{text}"
        );
        // Written raw by someone else: sanitized as it is read.
        let raw = serde_json::to_string(&record).unwrap();
        std::fs::write(log.path(), format!("{text}{raw}\n")).unwrap();
        let back = log.read_all().unwrap();
        assert_eq!(back.len(), 2);
        for r in &back {
            for field in [&r.target, &r.outcome, &r.plan[0]] {
                assert!(
                    !field.chars().any(crate::model::sanitize::is_dangerous),
                    "{field:?}"
                );
            }
            assert_eq!(r.outcome, "failed at step 1 of 1: HAProxy said: ?x?y??z");
        }
    }
}
