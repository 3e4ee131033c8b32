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
}
