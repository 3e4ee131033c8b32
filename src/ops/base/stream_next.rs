//! The next chunk of an engine stream (a volume's tar, a dump's output),
//! within the idle limit and cut short by a stop: the one loop body the
//! backup, the dump and the restore's emptiness check share.

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::sync::watch;

/// How long a stream may send nothing before the host counts as gone.
pub(crate) const IDLE: Duration = Duration::from_secs(60);

pub(crate) enum Next<T, E> {
    Chunk(T),
    End,
    /// The stream's own error, as it came.
    Failed(E),
    /// Nothing came for `IDLE`.
    Idle,
    /// The job was asked to stop.
    Stopped,
}

/// Wait for the next item of `stream`, at most `IDLE`, and no longer than
/// until `stop` turns true.
pub(crate) async fn next_chunk<T, E>(
    stream: &mut (impl Stream<Item = Result<T, E>> + Unpin),
    stop: Option<&watch::Receiver<bool>>,
) -> Next<T, E> {
    let mut stop = stop.cloned();
    let stopped = async {
        let stopped = match stop.as_mut() {
            Some(rx) => rx.wait_for(|s| *s).await.is_ok(),
            None => false,
        };
        if !stopped {
            // No stop, or no one left to give one: never.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = stopped => Next::Stopped,
        next = tokio::time::timeout(IDLE, stream.next()) => match next {
            Err(_) => Next::Idle,
            Ok(None) => Next::End,
            Ok(Some(Err(e))) => Next::Failed(e),
            Ok(Some(Ok(chunk))) => Next::Chunk(chunk),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::HostError;

    #[tokio::test]
    async fn chunks_then_the_end_or_a_failure() {
        let boom = HostError::Engine("boom".into());
        let mut s = futures_util::stream::iter(vec![Ok(1), Err(boom.clone())]);
        assert!(matches!(next_chunk(&mut s, None).await, Next::Chunk(1)));
        assert!(matches!(next_chunk(&mut s, None).await, Next::Failed(e) if e == boom));
        assert!(matches!(next_chunk(&mut s, None).await, Next::End));
    }

    #[tokio::test]
    async fn a_stop_cuts_a_silent_stream_short() {
        let (tx, rx) = watch::channel(false);
        let mut silent = futures_util::stream::pending::<Result<u8, HostError>>();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            tx.send_replace(true);
        });
        assert!(matches!(
            next_chunk(&mut silent, Some(&rx)).await,
            Next::Stopped
        ));
    }
}
