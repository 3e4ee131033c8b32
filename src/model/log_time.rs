//! Log lines from many engines in one true time order: each line's engine
//! timestamp (`docker logs --timestamps`), corrected by its engine's clock
//! offset (engine time minus local time, measured), then merged by that
//! time. Pure: the measuring and the streams are elsewhere.

use std::collections::VecDeque;

const NANOS: i128 = 1_000_000_000;

/// Days from 1970-01-01 to the civil date `y-m-d` (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Nanoseconds since the epoch of an RFC 3339 time in UTC as the engine
/// writes it: `2026-12-06T22:13:47.123456789Z` (fraction optional, any
/// length up to nanoseconds; an offset `+01:00` is honoured too).
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac: i128 = 0;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        frac = f[..digits].parse::<i128>().ok()? * 10i128.pow(9 - digits as u32);
        rest = &f[digits..];
    }
    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o.get(1..3)?.parse::<i64>().ok()? * 3600
                + o.get(4..6)?.parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset_secs;
    Some(i128::from(secs) * NANOS + frac)
}

/// A `--timestamps` log line split into its engine time and its text.
pub fn split_timestamp(line: &str) -> Option<(i128, &str)> {
    let (stamp, text) = line.split_once(' ').unwrap_or((line, ""));
    Some((parse_rfc3339(stamp)?, text))
}

/// `HH:MM:SS.mmm` (UTC) of a time in nanoseconds since the epoch.
pub fn clock_of(nanos: i128) -> String {
    let ms = nanos.div_euclid(1_000_000);
    let day_ms = ms.rem_euclid(86_400_000);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000
    )
}

/// How far an engine's clock is ahead of the local one (negative: behind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockOffset {
    pub nanos: i128,
    /// Half the round trip of the sample it comes from: how exact it is.
    pub error_nanos: i128,
}

impl ClockOffset {
    /// From one sample: local time before the request, the engine's time
    /// in its answer, local time after. The engine read its clock some
    /// time in between: the middle is the best guess.
    pub fn from_sample(before: i128, engine: i128, after: i128) -> Self {
        let middle = before + (after - before) / 2;
        ClockOffset {
            nanos: engine - middle,
            error_nanos: (after - before) / 2,
        }
    }

    /// The most exact of several samples (the shortest round trip).
    pub fn best(samples: &[ClockOffset]) -> Option<ClockOffset> {
        samples.iter().copied().min_by_key(|s| s.error_nanos)
    }

    /// An engine timestamp as local time.
    pub fn to_local(self, engine_nanos: i128) -> i128 {
        engine_nanos - self.nanos
    }
}

/// One line of a merged log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedLine {
    /// Local time, corrected for the engine's clock offset.
    pub at: i128,
    /// Index of the member that wrote it.
    pub member: usize,
    pub text: String,
}

/// Lines of many members kept in time order as they arrive, bounded:
/// a line that arrives late goes where its time puts it; past `capacity`
/// the oldest go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergedLog {
    pub lines: VecDeque<MergedLine>,
    pub capacity: usize,
    /// Lines dropped for room.
    pub dropped: usize,
}

impl MergedLog {
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            capacity,
            dropped: 0,
        }
    }

    /// Insert in time order (after lines of the same time: arrival order
    /// is kept among equals); returns where it went, or None when it was
    /// older than every line of a full log and so dropped at once.
    pub fn insert(&mut self, line: MergedLine) -> Option<usize> {
        let at = self.lines.partition_point(|l| l.at <= line.at);
        self.lines.insert(at, line);
        if self.lines.len() > self.capacity.max(1) {
            self.lines.pop_front();
            self.dropped += 1;
            return at.checked_sub(1);
        }
        Some(at)
    }
}

/// How long ago `spec` (`30s`, `10m`, `2h`, `1d`) is, for `--since`.
pub fn parse_age(spec: &str) -> Option<std::time::Duration> {
    let unit = spec.chars().last()?;
    let n: u64 = spec[..spec.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(std::time::Duration::from_secs(secs))
}

/// Where `spec` asks a log view to jump, in the view's nanoseconds: a time
/// of day as the view prints it (`14:03`, `14:03:27`, `14:03:27.120`) on
/// the day of the `newest` line (the day before when that would be after
/// it), or an age (`5m`: five minutes before `now`).
pub fn parse_jump_time(spec: &str, newest: i128, now: i128) -> Option<i128> {
    let spec = spec.trim();
    if let Some(age) = parse_age(spec) {
        return Some(now - i128::try_from(age.as_nanos()).ok()?);
    }
    let (hms, millis) = match spec.split_once('.') {
        Some((hms, ms)) if !ms.is_empty() && ms.len() <= 3 => {
            let digits: i128 = ms.parse().ok()?;
            (hms, digits * 10_i128.pow(3 - ms.len() as u32))
        }
        Some(_) => return None,
        None => (spec, 0),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let mut fields = [0_i128; 3];
    for (f, p) in fields.iter_mut().zip(&parts) {
        *f = p.parse().ok()?;
    }
    let [h, m, s] = fields;
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    const DAY: i128 = 86_400_000_000_000;
    let of_day = ((h * 60 + m) * 60 + s) * 1_000_000_000 + millis * 1_000_000;
    let at = newest - newest.rem_euclid(DAY) + of_day;
    Some(if at > newest { at - DAY } else { at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_timestamps_parse_to_nanoseconds() {
        let t = parse_rfc3339("2026-12-06T22:13:47.123456789Z").unwrap();
        assert_eq!(t, 1_796_595_227 * NANOS + 123_456_789);
        assert_eq!(clock_of(t), "22:13:47.123");
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00.5Z"),
            Some(951_868_800 * NANOS + NANOS / 2)
        );
        assert_eq!(
            parse_rfc3339("2026-12-06T23:13:47+01:00"),
            parse_rfc3339("2026-12-06T22:13:47Z")
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-06T22:13:47Z",
            "2026-12-06T22:13:47",
            "2026-12-06T22:13:47.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        let (at, text) = split_timestamp("2026-12-06T22:13:47.5Z hello world").unwrap();
        assert_eq!(
            (clock_of(at).as_str(), text),
            ("22:13:47.500", "hello world")
        );
        assert_eq!(split_timestamp("no stamp here"), None);
    }

    #[test]
    fn a_clock_three_seconds_ahead_is_corrected_and_lines_sort_right() {
        // Local 100.000 s before, 100.020 s after; the engine said 103.010.
        let off = ClockOffset::from_sample(
            100 * NANOS,
            103 * NANOS + 10_000_000,
            100 * NANOS + 20_000_000,
        );
        assert_eq!(off.nanos, 3 * NANOS);
        assert_eq!(off.error_nanos, 10_000_000);
        let worse = ClockOffset {
            nanos: 0,
            error_nanos: NANOS,
        };
        assert_eq!(ClockOffset::best(&[worse, off]), Some(off));

        // a (true clock) writes at 200.0 and 200.2; b (3 s ahead) at 200.1:
        // its engine stamps 203.1, which sorts after a's by raw stamps.
        let mut log = MergedLog::new(10);
        let exact = ClockOffset::default();
        for (member, off, stamp, text) in [
            (0, exact, 200_000, "a1"),
            (1, off, 203_100, "b1"),
            (0, exact, 200_200, "a2"),
        ] {
            log.insert(MergedLine {
                at: off.to_local(stamp * 1_000_000),
                member,
                text: text.into(),
            });
        }
        let order: Vec<&str> = log.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(order, ["a1", "b1", "a2"]);
    }

    #[test]
    fn a_late_line_goes_where_its_time_puts_it_and_the_oldest_make_room() {
        let mut log = MergedLog::new(3);
        let line = |at, text: &str| MergedLine {
            at,
            member: 0,
            text: text.into(),
        };
        assert_eq!(log.insert(line(10, "x")), Some(0));
        assert_eq!(log.insert(line(30, "z")), Some(1));
        assert_eq!(log.insert(line(20, "y")), Some(1));
        assert_eq!(
            log.insert(line(20, "y2")),
            Some(1),
            "after its equal, the oldest gone"
        );
        assert_eq!(
            log.insert(line(5, "too old")),
            None,
            "older than a full log"
        );
        let order: Vec<&str> = log.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(order, ["y", "y2", "z"]);
        assert_eq!(log.dropped, 2);
    }
    #[test]
    fn ages_parse_with_their_unit() {
        assert_eq!(parse_age("10m"), Some(std::time::Duration::from_secs(600)));
        assert_eq!(parse_age("45s"), Some(std::time::Duration::from_secs(45)));
        assert_eq!(parse_age("2h"), Some(std::time::Duration::from_secs(7200)));
        assert_eq!(
            parse_age("1d"),
            Some(std::time::Duration::from_secs(86_400))
        );
        for bad in ["", "m", "10", "10x", "-5m", "99999999999999999999d"] {
            assert_eq!(parse_age(bad), None, "{bad}");
        }
    }

    #[test]
    fn jump_times_are_of_the_newest_lines_day_or_ages() {
        const DAY: i128 = 86_400_000_000_000;
        const SEC: i128 = 1_000_000_000;
        let day = 20_000 * DAY;
        let newest = day + (14 * 3600 + 5 * 60) * SEC; // 14:05:00
        let now = newest + 2 * SEC;
        assert_eq!(
            parse_jump_time("14:03", newest, now),
            Some(day + (14 * 3600 + 3 * 60) * SEC)
        );
        assert_eq!(
            parse_jump_time("14:03:27.12", newest, now),
            Some(day + (14 * 3600 + 3 * 60 + 27) * SEC + 120_000_000)
        );
        // Later in the day than the newest line: yesterday's.
        assert_eq!(
            parse_jump_time("23:00", newest, now),
            Some(day - DAY + 23 * 3600 * SEC)
        );
        assert_eq!(parse_jump_time("5m", newest, now), Some(now - 300 * SEC));
        for bad in [
            "",
            "14",
            "24:00",
            "14:60",
            "1:2:3:4",
            "14:03.",
            "14:03:27.1234",
            "x:y",
        ] {
            assert_eq!(parse_jump_time(bad, newest, now), None, "{bad}");
        }
    }
}
