//! A request in flight when its host is cut off. The host task notices a
//! dead or hung engine within its ping interval plus the request timeout;
//! a request already sent (a restart waiting out its grace period) would
//! otherwise wait its whole bound, tens of seconds, on a connection whose
//! packets go nowhere. It ends once the host's link has stayed down for a
//! while: a hiccup the host task mends at once (an event stream cut and
//! reconnected) must not fail a job's step.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// How a link says it is up, and why it is down.
pub(super) type LinkRules<L> = (fn(&L) -> bool, fn(&L) -> String);

/// `request`, unless the link `link` watches goes down (`up` says no)
/// and stays down for `wait` first: then why it went down (`why`).
pub(super) async fn unless_down_for<L, T>(
    link: &watch::Receiver<L>,
    (up, why): LinkRules<L>,
    wait: Duration,
    request: impl Future<Output = T>,
) -> Result<T, String> {
    tokio::select! {
        result = request => Ok(result),
        why = stays_down(link.clone(), (up, why), wait) => Err(why),
    }
}

/// Resolves with why the link went down, once it has been down for
/// `wait` without coming back; never while the host task lives and
/// reconnects.
async fn stays_down<L>(
    mut link: watch::Receiver<L>,
    (up, why): LinkRules<L>,
    wait: Duration,
) -> String {
    loop {
        if link.wait_for(|l| !up(l)).await.is_err() {
            // The host task is gone (tugboat is ending): the request's own
            // bound decides.
            return std::future::pending().await;
        }
        let back = tokio::time::timeout(wait, link.wait_for(up))
            .await
            .map(|r| r.is_ok());
        match back {
            Ok(true) => continue,
            Ok(false) => return std::future::pending().await,
            Err(_) => return why(&link.borrow()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_millis(400);

    /// A link as the tests keep it: None while up, else why it went down.
    type Link = Option<&'static str>;

    const RULES: LinkRules<Link> = (|l| l.is_none(), |l| l.unwrap_or_default().to_string());

    /// A request that never answers ends once the link stays down, with why.
    #[tokio::test]
    async fn a_hung_request_ends_once_the_link_stays_down() {
        let (tx, rx) = watch::channel::<Link>(None);
        let hung = std::future::pending::<()>();
        let started = std::time::Instant::now();
        let cut = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.send_replace(Some("ping: no answer within 2s"));
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let why = unless_down_for(&rx, RULES, WAIT, hung).await.unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(600));
        assert_eq!(why, "ping: no answer within 2s");
        cut.abort();
    }

    /// A link that drops and comes back within the wait fails nothing.
    #[tokio::test]
    async fn a_hiccup_fails_no_request() {
        let (tx, rx) = watch::channel::<Link>(None);
        let request = async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            7
        };
        let hiccups = tokio::spawn(async move {
            loop {
                tx.send_replace(Some("event stream ended"));
                tokio::time::sleep(WAIT / 2).await;
                tx.send_replace(None);
                tokio::time::sleep(WAIT / 2).await;
            }
        });
        assert_eq!(unless_down_for(&rx, RULES, WAIT, request).await, Ok(7));
        hiccups.abort();
    }
}
