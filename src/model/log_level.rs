//! The severity a log line states, read the way the services here write
//! it: log4j's ` - WARN  [` (ZooKeeper), MariaDB's `[Warning]`, HAProxy's
//! `[ALERT]`, nginx's `[error]`, and the `level=` / `"level":` of
//! structured logs. Lines that state none (a stack trace under a WARN, a
//! banner) take the level of the line before them from the same source:
//! see [`LevelCarry`].

/// Ordered: a filter for `Warn` keeps `Warn` and `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// Where in a line the level is looked for: it comes after a timestamp
/// and a thread or process id, never deep in the message.
const HEAD: usize = 96;

/// The level this line states, if it states one.
pub fn level_of(line: &str) -> Option<LogLevel> {
    let head = match line.char_indices().nth(HEAD) {
        Some((end, _)) => &line[..end],
        None => line,
    };
    if let Some(level) = structured(head) {
        return Some(level);
    }
    let mut rest = head;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        let before = rest[..start].chars().next_back();
        let word_len = rest[start..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        let after = rest[start + word_len..].chars().next();
        let bracketed = before == Some('[') && after == Some(']');
        // An upper-case word stands alone as a level; any case only in
        // brackets (`[Note]`, `[error]`), so a message's "error" is not one.
        if bracketed || word.bytes().all(|b| b.is_ascii_uppercase()) {
            if let Some(level) = named(word) {
                return Some(level);
            }
        }
        rest = &rest[start + word_len..];
    }
    None
}

/// `level=warn` (logfmt) or `"level":"warn"` (JSON).
fn structured(head: &str) -> Option<LogLevel> {
    let lower = head.to_ascii_lowercase();
    for key in ["level=", "\"level\":\"", "\"level\": \""] {
        if let Some(at) = lower.find(key) {
            let value = &lower[at + key.len()..];
            let end = value
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(value.len());
            return named(&value[..end]);
        }
    }
    None
}

fn named(word: &str) -> Option<LogLevel> {
    let level = match word.to_ascii_lowercase().as_str() {
        "trace" | "debug" | "dbug" => LogLevel::Debug,
        "info" | "information" | "note" | "notice" => LogLevel::Info,
        "warn" | "warning" => LogLevel::Warn,
        "error" | "err" | "fatal" | "crit" | "critical" | "alert" | "emerg" | "panic"
        | "severe" => LogLevel::Error,
        _ => return None,
    };
    Some(level)
}

/// Each source's last stated level, carried to the lines under it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LevelCarry {
    last: Vec<Option<LogLevel>>,
}

impl LevelCarry {
    /// The level of `line` from `source` (0 for a single container).
    pub fn next(&mut self, source: usize, line: &str) -> Option<LogLevel> {
        if self.last.len() <= source {
            self.last.resize(source + 1, None);
        }
        let level = level_of(line).or(self.last[source]);
        self.last[source] = level;
        level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn levels(name: &str) -> Vec<(Option<LogLevel>, String)> {
        let mut carry = LevelCarry::default();
        fixture(name)
            .lines()
            .map(|l| (carry.next(0, l), l.to_string()))
            .collect()
    }

    fn level_of_line(all: &[(Option<LogLevel>, String)], starts: &str) -> Option<LogLevel> {
        all.iter()
            .find(|(_, l)| l.contains(starts))
            .unwrap_or_else(|| panic!("no line with {starts}"))
            .0
    }

    #[test]
    fn zookeeper_levels_and_its_stack_traces() {
        let all = levels("zookeeper-quorum-peer-missing.log");
        // The launcher's banner comes before any level.
        assert_eq!(level_of_line(&all, "JMX enabled"), None);
        assert_eq!(
            level_of_line(&all, "Reading configuration"),
            Some(LogLevel::Info)
        );
        assert_eq!(
            level_of_line(&all, "No server failure will be tolerated"),
            Some(LogLevel::Warn)
        );
        // The exception and its tab-indented frames belong to the WARN.
        assert_eq!(
            level_of_line(&all, "java.net.UnknownHostException"),
            Some(LogLevel::Warn)
        );
        assert_eq!(
            level_of_line(&all, "\tat java.base/java.lang.Thread.run"),
            Some(LogLevel::Warn)
        );
        // A thread name like `QuorumPeer[myid=1]` is not a level.
        assert_eq!(level_of_line(&all, "New election"), Some(LogLevel::Info));
    }

    #[test]
    fn mariadb_notes_warnings_and_the_entrypoint() {
        let all = levels("mariadb-first-start.log");
        assert_eq!(
            level_of_line(&all, "[Entrypoint]: Entrypoint script"),
            Some(LogLevel::Info)
        );
        assert_eq!(level_of_line(&all, "max_open_files"), Some(LogLevel::Warn));
        assert_eq!(
            level_of_line(&all, "ready for connections"),
            Some(LogLevel::Info)
        );
        // `Version: …` states none and follows a Note.
        assert_eq!(level_of_line(&all, "Version: '10.11"), Some(LogLevel::Info));
        // The message's own words are not levels: "Warning" is bracketed only as one.
        assert_eq!(
            level_of_line(&all, "'proxies_priv' entry"),
            Some(LogLevel::Warn)
        );
    }

    #[test]
    fn haproxy_notice_warning_alert() {
        let all = levels("haproxy-server-down.log");
        assert_eq!(all[0].0, Some(LogLevel::Info));
        assert_eq!(level_of_line(&all, "[WARNING]"), Some(LogLevel::Warn));
        assert_eq!(level_of_line(&all, "[ALERT]"), Some(LogLevel::Error));
        // The unlabelled copy of the DOWN line follows the ALERT.
        assert_eq!(all.last().unwrap().0, Some(LogLevel::Error));
    }

    #[test]
    fn structured_and_plain_forms() {
        assert_eq!(level_of(r#"ts=1 level=warn msg="x""#), Some(LogLevel::Warn));
        assert_eq!(
            level_of(r#"{"ts":1,"level":"error","msg":"x"}"#),
            Some(LogLevel::Error)
        );
        assert_eq!(
            level_of("2026/12/07 01:00:00 [error] 7#7: open() failed"),
            Some(LogLevel::Error)
        );
        // A lower-case word in the message is not a level.
        assert_eq!(level_of("could not connect: error 111"), None);
        assert_eq!(level_of("ERRORS are counted"), None);
    }

    #[test]
    fn carried_levels_stay_with_their_source() {
        let mut carry = LevelCarry::default();
        assert_eq!(
            carry.next(0, "x - ERROR [main] boom"),
            Some(LogLevel::Error)
        );
        assert_eq!(carry.next(1, "plain line"), None);
        assert_eq!(carry.next(0, "\tat frame"), Some(LogLevel::Error));
        assert_eq!(carry.next(1, "y - INFO [main] fine"), Some(LogLevel::Info));
    }
}
