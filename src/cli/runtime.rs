//! The async runtime. Its threads carry tugboat's background work (engine
//! streams, followed logs, probes, jobs); in the TUI the thread that reads
//! keys and draws is the main one, outside it. There the runtime's threads
//! run at a lower priority so that, when the machine is short of CPU (a
//! log flood keeps the engine busy beside tugboat), a key is answered
//! before another batch of log lines is read.

use std::io;

/// Added to the background threads' nice value (raising one's own needs no
/// privilege): the drawing thread then wins a CPU over them at once.
const BACKGROUND_NICE: i32 = 10;

/// `favour_drawing`: the TUI's runtime, whose threads yield to the main one.
pub fn build(favour_drawing: bool) -> io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(2).enable_all();
    if favour_drawing {
        builder.on_thread_start(lower_this_thread);
    }
    builder.build()
}

/// On Linux a thread id names one thread: only the calling one changes.
/// If it cannot be done, everything still works at the usual priority.
fn lower_this_thread() {
    let this = rustix::thread::gettid();
    let now = rustix::process::getpriority_process(Some(this)).unwrap_or(0);
    let _ = rustix::process::setpriority_process(Some(this), now + BACKGROUND_NICE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_threads_run_below_the_drawing_thread() {
        let own = rustix::process::getpriority_process(None).unwrap();
        let priorities = |rt: tokio::runtime::Runtime| {
            let worker =
                rt.block_on(async { tokio::spawn(async { priority_here() }).await.unwrap() });
            let blocking =
                rt.block_on(async { tokio::task::spawn_blocking(priority_here).await.unwrap() });
            (worker, blocking)
        };
        // The nice value is capped at 19.
        let lower = (own + BACKGROUND_NICE).min(19);
        assert_eq!(priorities(build(true).unwrap()), (lower, lower));
        assert_eq!(priorities(build(false).unwrap()), (own, own), "headless");
        assert_eq!(
            priority_here(),
            own,
            "the calling thread keeps its priority"
        );
    }

    fn priority_here() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }
}
