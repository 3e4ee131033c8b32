//! When to draw: at most one frame per interval, so a flood of changes
//! costs 25 frames a second rather than one per message; a change made
//! inside the interval is drawn when it passes (the last state is always
//! shown), and with no change nothing is drawn at all. A key's change is
//! drawn at once: keys come at a person's pace, and its answer is what the
//! person waits for.

use std::time::{Duration, Instant};

/// Between frames: a key waits at most this long to be shown, well inside
/// the 100 ms a person notices.
pub const FRAME: Duration = Duration::from_millis(40);

#[derive(Debug)]
pub struct FrameLimiter {
    interval: Duration,
    last: Option<Instant>,
    pending: bool,
    /// A key changed the screen: draw without waiting for the interval.
    urgent: bool,
}

impl FrameLimiter {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
            pending: false,
            urgent: false,
        }
    }

    /// Something on screen changed.
    pub fn request(&mut self) {
        self.pending = true;
    }

    /// A pending change answers a key: it is drawn now.
    pub fn hurry(&mut self) {
        self.urgent = self.pending;
    }

    pub fn pending(&self) -> bool {
        self.pending
    }

    /// When the pending change may be drawn; None when nothing is pending.
    pub fn deadline(&self) -> Option<Instant> {
        if !self.pending {
            return None;
        }
        Some(match self.last {
            Some(last) if !self.urgent => last + self.interval,
            _ => Instant::now(),
        })
    }

    /// Whether to draw now.
    pub fn due(&self, now: Instant) -> bool {
        self.pending && (self.urgent || self.last.is_none_or(|last| now >= last + self.interval))
    }

    /// A frame was drawn at `now`.
    pub fn drawn(&mut self, now: Instant) {
        self.pending = false;
        self.urgent = false;
        self.last = Some(now);
    }
}

/// A turn of the loop longer than this kept a key waiting that long.
pub const SLOW: Duration = Duration::from_millis(50);
/// Slow turns are summed up in the log at most this often, so a loaded
/// machine does not fill the log file.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Counts slow turns of the loop and says, now and then, how slow.
#[derive(Debug, Default)]
pub struct SlowTurns {
    count: u32,
    worst: Duration,
    /// Of the worst turn, the time spent waiting for a CPU: a busy machine
    /// rather than slow code.
    worst_no_cpu: Option<Duration>,
    last_report: Option<Instant>,
}

impl SlowTurns {
    /// Note a turn that took `took` (`no_cpu` of it runnable but not
    /// running); returns a line for the log when one is due.
    pub fn note(
        &mut self,
        took: Duration,
        no_cpu: Option<Duration>,
        now: Instant,
    ) -> Option<String> {
        if took > SLOW {
            self.count += 1;
            if took > self.worst {
                self.worst = took;
                self.worst_no_cpu = no_cpu;
            }
        }
        let due = self
            .last_report
            .is_none_or(|at| now.duration_since(at) >= REPORT_EVERY);
        if self.count == 0 || !due {
            return None;
        }
        let waiting = self
            .worst_no_cpu
            .map(|w| format!(", {w:?} of it waiting for a CPU"))
            .unwrap_or_default();
        let line = format!(
            "{} turn(s) of the loop over {SLOW:?}; the longest {:?}{waiting}",
            self.count, self.worst
        );
        *self = Self {
            last_report: Some(now),
            ..Self::default()
        };
        Some(line)
    }
}

/// What a person notices: a key answered later than this.
pub const KEY_GOAL: Duration = Duration::from_millis(100);

/// From a key read to the frame that shows its answer written out: how
/// long a person waited, measured inside tugboat (a terminal or tmux adds
/// its own time on top). Summed up in the log every ten seconds.
#[derive(Debug, Default)]
pub struct KeyLatency {
    /// Read keys whose answer is not drawn yet.
    waiting: Vec<Instant>,
    answered: Vec<Duration>,
    last_report: Option<Instant>,
}

impl KeyLatency {
    /// A key read at `at` changed the screen.
    pub fn key(&mut self, at: Instant) {
        self.waiting.push(at);
    }

    /// A frame was written at `now`: it answers every waiting key. Returns
    /// a line for the log when one is due.
    pub fn drawn(&mut self, now: Instant) -> Option<String> {
        let answered = self
            .waiting
            .drain(..)
            .map(|at| now.saturating_duration_since(at));
        self.answered.extend(answered);
        let due = self
            .last_report
            .is_none_or(|at| now.duration_since(at) >= REPORT_EVERY);
        if self.answered.is_empty() || !due {
            return None;
        }
        self.last_report = Some(now);
        self.flush()
    }

    /// What is not reported yet, as a line for the log (also at the end).
    pub fn flush(&mut self) -> Option<String> {
        if self.answered.is_empty() {
            return None;
        }
        self.answered.sort();
        let late = self.answered.iter().filter(|d| **d > KEY_GOAL).count();
        let line = format!(
            "{} key(s) answered: median {:?}, slowest {:?}, {late} over {KEY_GOAL:?} \
             (read to frame written)",
            self.answered.len(),
            self.answered[self.answered.len() / 2],
            self.answered[self.answered.len() - 1],
        );
        self.answered.clear();
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_changed_nothing_drawn() {
        let mut f = FrameLimiter::new(FRAME);
        let t0 = Instant::now();
        f.drawn(t0);
        assert_eq!(f.deadline(), None);
        assert!(!f.due(t0 + Duration::from_secs(60)));
    }

    #[test]
    fn a_change_soon_after_a_frame_waits_for_the_interval() {
        let mut f = FrameLimiter::new(FRAME);
        let t0 = Instant::now();
        f.drawn(t0);
        f.request();
        assert!(!f.due(t0 + Duration::from_millis(10)));
        assert_eq!(f.deadline(), Some(t0 + FRAME));
        // More changes in the same interval: still one frame, at the same time.
        f.request();
        assert_eq!(f.deadline(), Some(t0 + FRAME));
        assert!(f.due(t0 + FRAME));
        f.drawn(t0 + FRAME);
        assert!(!f.due(t0 + FRAME * 3));
    }

    #[test]
    fn a_change_after_a_quiet_spell_is_drawn_at_once() {
        let mut f = FrameLimiter::new(FRAME);
        let t0 = Instant::now();
        f.drawn(t0);
        let later = t0 + Duration::from_secs(5);
        f.request();
        assert!(f.due(later));
        // The first frame is never held back.
        let mut fresh = FrameLimiter::new(FRAME);
        fresh.request();
        assert!(fresh.due(Instant::now()));
    }

    #[test]
    fn a_key_s_change_is_drawn_at_once_even_inside_the_interval() {
        let mut f = FrameLimiter::new(FRAME);
        let t0 = Instant::now();
        f.drawn(t0);
        f.hurry();
        assert!(!f.due(t0), "nothing pending: a key that changed nothing");
        f.request();
        f.hurry();
        assert!(f.due(t0 + Duration::from_millis(1)));
        assert!(f.deadline().is_some_and(|d| d <= Instant::now()));
        f.drawn(t0 + Duration::from_millis(1));
        // The next change (the flood's) waits for the interval again.
        f.request();
        assert!(!f.due(t0 + Duration::from_millis(2)));
    }

    #[test]
    fn key_latency_is_read_to_frame_and_summed_up() {
        let mut k = KeyLatency::default();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        k.key(t0);
        let first = k.drawn(t0 + ms(30)).expect("the first frame reports");
        assert!(
            first.contains("1 key(s)") && first.contains("30ms") && first.contains("0 over 100ms"),
            "{first}"
        );
        k.key(t0 + ms(100));
        k.key(t0 + ms(110));
        assert_eq!(k.drawn(t0 + ms(130)), None, "not due yet");
        k.key(t0 + ms(200));
        let sum = k.drawn(t0 + REPORT_EVERY + ms(200)).expect("due");
        assert!(
            sum.contains("3 key(s)")
                && sum.contains("median 30ms")
                && sum.contains("slowest 10s")
                && sum.contains("1 over 100ms"),
            "{sum}"
        );
        assert_eq!(k.drawn(t0 + REPORT_EVERY * 5), None, "no keys: silent");
    }

    #[test]
    fn a_flood_of_changes_draws_once_per_interval() {
        let mut f = FrameLimiter::new(FRAME);
        let t0 = Instant::now();
        let mut frames = 0;
        // A change every millisecond for one second.
        for ms in 0..1000 {
            let now = t0 + Duration::from_millis(ms);
            f.request();
            if f.due(now) {
                f.drawn(now);
                frames += 1;
            }
        }
        assert_eq!(frames, 25);
        assert!(
            f.deadline().is_some(),
            "the last change still waits to be drawn"
        );
    }

    #[test]
    fn slow_turns_are_summed_up_at_most_every_ten_seconds() {
        let mut slow = SlowTurns::default();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(
            slow.note(ms(10), None, t0),
            None,
            "a quick turn says nothing"
        );
        let first = slow
            .note(ms(80), Some(ms(70)), t0)
            .expect("the first is said");
        assert!(
            first.contains("1 turn(s)") && first.contains("70ms of it waiting"),
            "{first}"
        );
        for i in 1..100 {
            assert_eq!(slow.note(ms(60 + i), None, t0 + ms(i * 10)), None);
        }
        let later = slow
            .note(ms(5), None, t0 + REPORT_EVERY)
            .expect("then a sum");
        assert!(
            later.contains("99 turn(s)") && later.contains("159ms"),
            "{later}"
        );
        assert_eq!(
            slow.note(ms(5), None, t0 + REPORT_EVERY * 3),
            None,
            "none slow: silent"
        );
    }
}
