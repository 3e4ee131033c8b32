//! Following a container's log for the viewer without letting a flood
//! through: the stream is read in chunks, cut into lines here, and the
//! lines wait in a bounded buffer that drops the oldest (counting them)
//! when the viewer is behind. The loop is woken once per batch, at most
//! every `FLUSH`, so 40,000 lines a second cost it 20 small messages.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::MissedTickBehavior;

use super::inbox::Outbox;
use crate::docker::HostError;

/// Lines of history a log view starts with.
pub const LOG_TAIL: usize = 500;
/// How often a busy follower wakes the loop.
const FLUSH: Duration = Duration::from_millis(50);
/// Longest line kept whole; longer ones (or output that never ends a
/// line) are cut into pieces of this size, so one line cannot hold
/// unbounded memory.
pub const MAX_LINE: usize = 4096;

/// Cuts a byte stream into lines, carrying a partial last line over.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    /// The complete lines in `pending + chunk`, without their line ends.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) {
        let mut rest = chunk;
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            self.pending.extend_from_slice(&rest[..pos]);
            rest = &rest[pos + 1..];
            self.emit(out);
        }
        self.pending.extend_from_slice(rest);
        while self.pending.len() > MAX_LINE {
            let tail = self.pending.split_off(MAX_LINE);
            out.push(String::from_utf8_lossy(&self.pending).into_owned());
            self.pending = tail;
        }
    }

    /// What is left when the stream ends, if anything.
    pub fn finish(&mut self) -> Option<String> {
        let mut out = Vec::new();
        if !self.pending.is_empty() {
            self.emit(&mut out);
        }
        out.pop()
    }

    fn emit(&mut self, out: &mut Vec<String>) {
        if self.pending.last() == Some(&b'\r') {
            self.pending.pop();
        }
        for piece in self.pending.chunks(MAX_LINE) {
            out.push(String::from_utf8_lossy(piece).into_owned());
        }
        if self.pending.is_empty() {
            out.push(String::new());
        }
        self.pending.clear();
    }
}

/// Feed session `session`'s viewer until the stream ends or the viewer
/// closes; returns why it stopped.
pub async fn follow(
    session: u64,
    stream: impl futures_util::Stream<Item = Result<Vec<u8>, HostError>>,
    outbox: &Outbox,
) -> String {
    let mut stream = std::pin::pin!(stream.ready_chunks(256));
    let mut split = LineSplitter::default();
    let mut flush = tokio::time::interval(FLUSH);
    flush.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut unflushed = false;
    let mut lines = Vec::new();
    loop {
        tokio::select! {
            // First, so a stream that is always ready still gets its
            // batches shown.
            biased;
            _ = flush.tick(), if unflushed => {
                outbox.wake();
                unflushed = false;
            }
            next = stream.next() => {
                let Some(chunks) = next else { break };
                let mut error = None;
                for chunk in chunks {
                    match chunk {
                        Ok(bytes) => split.feed(&bytes, &mut lines),
                        Err(e) => error = Some(e.to_string()),
                    }
                }
                if !outbox.log_lines(session, lines.drain(..)) {
                    return "closed".into();
                }
                unflushed = true;
                if let Some(e) = error {
                    // What came before the error, to its last byte.
                    outbox.log_lines(session, split.finish());
                    return e;
                }
            }
        }
    }
    outbox.log_lines(session, split.finish());
    "the container's log stream closed (container stopped?)".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(chunks: &[&[u8]]) -> (Vec<String>, Option<String>) {
        let mut s = LineSplitter::default();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, &mut out);
        }
        (out, s.finish())
    }

    #[test]
    fn chunks_split_into_lines_across_boundaries() {
        let (lines, last) = split_all(&[b"a\nb", b"c\r\nd\n", b"\ne"]);
        assert_eq!(lines, ["a", "bc", "d", ""]);
        assert_eq!(last.as_deref(), Some("e"));
        assert_eq!(split_all(&[b"x\n"]).1, None);
    }

    #[test]
    fn a_character_split_between_chunks_survives() {
        let text = "größe\n".as_bytes();
        let (lines, _) = split_all(&[&text[..3], &text[3..]]);
        assert_eq!(lines, ["größe"]);
    }

    #[test]
    fn endless_output_without_a_newline_is_cut_not_hoarded() {
        let big = vec![b'x'; MAX_LINE * 2 + 10];
        let (lines, last) = split_all(&[&big]);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.len() == MAX_LINE));
        assert_eq!(last.map(|l| l.len()), Some(10));
        let mut long = vec![b'y'; MAX_LINE + 1];
        long.push(b'\n');
        assert_eq!(split_all(&[&long]).0.len(), 2);
    }

    #[tokio::test]
    async fn a_flood_arrives_in_few_batches_with_the_skips_counted() {
        let (outbox, inbox) = super::super::inbox::channel();
        outbox.open_log(7, 100);
        let chunks: Vec<Result<Vec<u8>, HostError>> = (0..10_000)
            .map(|i| Ok(format!("line {i}\n").into_bytes()))
            .collect();
        let reason = follow(7, futures_util::stream::iter(chunks), &outbox).await;
        assert!(reason.contains("closed"), "{reason}");
        let msgs = inbox.coalesced.take(10);
        let crate::app::Msg::LogLines { lines, skipped, .. } = &msgs[0] else {
            panic!("{msgs:?}")
        };
        assert_eq!(*skipped, 9_900);
        assert_eq!(lines.len(), 100);
        assert_eq!(lines.last().map(String::as_str), Some("line 9999"));
    }

    #[tokio::test]
    async fn a_broken_stream_keeps_its_partial_last_line() {
        let (outbox, inbox) = super::super::inbox::channel();
        outbox.open_log(3, 100);
        let chunks: Vec<Result<Vec<u8>, HostError>> = vec![
            Ok(b"whole\npart".to_vec()),
            Err(HostError::NotConnected("h".into())),
        ];
        let reason = follow(3, futures_util::stream::iter(chunks), &outbox).await;
        assert!(reason.contains('h'), "{reason}");
        let msgs = inbox.coalesced.take(10);
        assert!(
            matches!(&msgs[..], [crate::app::Msg::LogLines { lines, .. }] if lines == &["whole", "part"]),
            "{msgs:?}"
        );
    }

    #[tokio::test]
    async fn a_closed_viewer_stops_the_follower() {
        let (outbox, _inbox) = super::super::inbox::channel();
        let stream = futures_util::stream::repeat_with(|| Ok(b"x\n".to_vec()));
        assert_eq!(follow(1, stream, &outbox).await, "closed");
    }
}
