//! The words a host's row gives for an outage. The row already names the
//! host and its transport, and has one line of 80 columns: the error as
//! the host task words it ("could not connect to a at tcp://… — list
//! containers: Error in the hyper legacy client: client error (Connect)
//! (Connection refused (os error 111))") pushes the reason off the edge.
//! The host's details and the status line's messages keep the whole text.

/// `error` as the host's row says it: without the "could not connect to
/// HOST at URL — " the row shows already, and with a client library's
/// wrapping cut down to the operating system's own words. `brief` (a row
/// with no room for more) keeps only the cause of a request that failed.
pub fn row_reason(error: &str, brief: bool) -> String {
    let rest = match error.split_once(" — ") {
        Some((head, tail)) if head.starts_with("could not connect to ") => tail,
        _ => error,
    };
    if let Some((what, detail)) = rest.split_once(": ") {
        let cause = os_words(detail)
            .or_else(|| {
                detail
                    .starts_with("no answer within ")
                    .then(|| detail.to_string())
            })
            .or_else(|| lost_mid_answer(detail));
        if let Some(cause) = cause {
            return match brief {
                true => cause,
                false => format!("{what}: {cause}"),
            };
        }
        // Words tugboat does not know: on a row with no room, what failed
        // and the first clause of why, whole rather than cut at the edge.
        if brief {
            let first = detail.split([':', '(']).next().unwrap_or(detail).trim();
            return format!("{what}: {first}");
        }
    }
    rest.to_string()
}

/// hyper's words for a connection that went away while an answer (the
/// event stream's, a listing's) was being read.
fn lost_mid_answer(detail: &str) -> Option<String> {
    detail
        .starts_with("error reading a body from connection")
        .then(|| "connection lost".to_string())
}

/// The cause a client library wraps, in the operating system's words:
/// "Error in the hyper legacy client: client error (Connect) (Connection
/// refused (os error 111))" → "connection refused".
fn os_words(detail: &str) -> Option<String> {
    let wrapped = detail.strip_prefix("Error in the hyper legacy client: ")?;
    let cause = last_group(wrapped)?;
    let cause = cause.split(" (os error ").next().unwrap_or(cause).trim();
    // hyper's longest way of saying the engine went away mid-answer.
    let cause = cause
        .strip_suffix(" before message completed")
        .unwrap_or(cause);
    let mut chars = cause.chars();
    let first = chars.next()?;
    Some(first.to_lowercase().chain(chars).collect())
}

/// What the last parenthesised group at the top level holds.
fn last_group(text: &str) -> Option<&str> {
    let (mut depth, mut start, mut last) = (0usize, 0, None);
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    last = Some(&text[start..i]);
                }
            }
            _ => {}
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_cut_mid_answer_reads_as_a_lost_connection() {
        let e = "event stream: error reading a body from connection: unexpected EOF during chunk size line";
        assert_eq!(row_reason(e, false), "event stream: connection lost");
        assert_eq!(row_reason(e, true), "connection lost");
        // Unknown words: whole but short on a row with no room.
        let odd = "list containers: something new: with (details)";
        assert_eq!(row_reason(odd, false), odd);
        assert_eq!(row_reason(odd, true), "list containers: something new");
    }

    #[test]
    fn the_row_keeps_what_failed_and_why() {
        assert_eq!(
            row_reason("ping: no answer within 2s", false),
            "ping: no answer within 2s"
        );
        assert_eq!(
            row_reason(
                "could not connect to a at tcp://127.0.0.61:2375 — list containers: no answer \
                 within 2s",
                false
            ),
            "list containers: no answer within 2s"
        );
        assert_eq!(
            row_reason(
                "could not connect to a at tcp://127.0.0.61:2375 — list containers: Error in the \
                 hyper legacy client: client error (Connect) (Connection refused (os error 111))",
                false
            ),
            "list containers: connection refused"
        );
        assert_eq!(
            row_reason(
                "list containers: Error in the hyper legacy client: client error \
                 (SendRequest) (connection closed before message completed)",
                false
            ),
            "list containers: connection closed"
        );
        assert_eq!(
            row_reason("event stream ended", false),
            "event stream ended"
        );
    }

    /// A row with no room keeps the cause, not the request it ended.
    #[test]
    fn a_brief_row_keeps_the_cause() {
        let refused = "could not connect to wkr at tcp://127.0.0.65:2375 — list containers: Error \
                       in the hyper legacy client: client error (Connect) (Connection refused (os \
                       error 111))";
        assert_eq!(row_reason(refused, true), "connection refused");
        assert_eq!(
            row_reason("ping: no answer within 2s", true),
            "no answer within 2s"
        );
        let own = "cannot reach unix:///var/run/docker.sock: no such file or directory";
        assert_eq!(row_reason(own, true), own);
    }

    /// Text that only looks alike is left as it is.
    #[test]
    fn other_errors_stay_whole() {
        let odd = "no engine at /var/run/docker.sock — (is dockerd running?)";
        assert_eq!(row_reason(odd, false), odd);
        assert_eq!(row_reason("x: y (os error", false), "x: y (os error");
        let unclosed = "list: Error in the hyper legacy client: client error (Connect";
        assert_eq!(row_reason(unclosed, false), unclosed);
    }
}
