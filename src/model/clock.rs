//! UTC formatting of unix seconds, without a date library. On-call logs and
//! audit records compare across hosts, so tugboat shows UTC everywhere.

/// `2026-11-23T02:31:05Z`
pub fn utc_datetime(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}T{}Z", utc_clock(secs))
}

/// `02:31:05`
pub fn utc_clock(secs: i64) -> String {
    let t = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60)
}

/// Unix seconds of an RFC 3339 UTC time as the engine writes it
/// (`2026-11-23T02:10:13.951173793Z`). None for the engine's "zero time"
/// (`0001-01-01T00:00:00Z`, never started) and for anything unparseable.
pub fn parse_rfc3339_utc(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    // Offsets other than Z are rare from engines; honour them anyway.
    let (clock, offset) = match time.find(['+', '-']) {
        Some(i) => (&time[..i], parse_offset(&time[i..])?),
        None => (time, 0),
    };
    let clock = clock.split('.').next()?;
    let mut t = clock.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next()??);
    if y < 1970 || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + sec - offset)
}

fn parse_offset(s: &str) -> Option<i64> {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let (h, m) = s[1..].split_once(':')?;
    Some(sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (Howard Hinnant's well-known algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(utc_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_datetime(1_795_314_665), "2026-11-22T02:31:05Z");
        assert_eq!(utc_clock(1_795_314_665), "02:31:05");
    }

    #[test]
    fn parses_engine_timestamps() {
        assert_eq!(
            parse_rfc3339_utc("2026-11-22T02:31:05.951173793Z"),
            Some(1_795_314_665)
        );
        assert_eq!(
            parse_rfc3339_utc("2026-11-22T02:31:05Z"),
            Some(1_795_314_665)
        );
        assert_eq!(
            parse_rfc3339_utc("2026-11-22T03:31:05+01:00"),
            Some(1_795_314_665)
        );
        assert_eq!(parse_rfc3339_utc("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339_utc("garbage"), None);
        for secs in [0, 951_782_400, 1_795_314_665] {
            assert_eq!(parse_rfc3339_utc(&utc_datetime(secs)), Some(secs));
        }
    }
}
