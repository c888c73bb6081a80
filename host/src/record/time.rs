//! Times as the record stores them (unix milliseconds) and as people read
//! them: `2026-11-21 14:03:07Z`, `1m12s`, and `--older-than 30d`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail};

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A unix-milliseconds time as `YYYY-MM-DD HH:MM:SSZ` (UTC: a shared record
/// is read from many time zones).
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's
/// `civil_from_days`).
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

/// A duration in milliseconds, short: `340ms`, `4.2s`, `3m07s`, `2h05m`.
pub fn format_duration_ms(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..1000 => format!("{ms}ms"),
        1000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000),
        _ => format!("{}h{:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// `30d`, `12h`, `90m`, `45s`, `2w` (a number and a unit).
pub fn parse_age(text: &str) -> Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let Ok(n) = number.parse::<u64>() else {
        bail!("`{text}` is not an age: use a number and a unit, e.g. 30d, 12h, 90m");
    };
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => bail!("`{text}` has no known unit: use s, m, h, d or w (e.g. 30d)"),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00Z");
        assert_eq!(format_utc(1_795_273_387_000), "2026-11-21 15:03:07Z");
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration_ms(340), "340ms");
        assert_eq!(format_duration_ms(4_200), "4.2s");
        assert_eq!(format_duration_ms(187_000), "3m07s");
        assert_eq!(format_duration_ms(7_500_000), "2h05m");
    }

    #[test]
    fn parses_ages() {
        assert_eq!(parse_age("30d").unwrap(), Duration::from_secs(30 * 86_400));
        assert_eq!(parse_age("90m").unwrap(), Duration::from_secs(5400));
        assert!(parse_age("30").unwrap_err().to_string().contains("unit"));
        assert!(
            parse_age("d")
                .unwrap_err()
                .to_string()
                .contains("not an age")
        );
    }
}
