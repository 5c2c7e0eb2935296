//! [`Timestamp`]: whole seconds since the Unix epoch, with the day and hour arithmetic that
//! retention and counting need.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// Seconds in a day, for retention arithmetic.
pub(super) const DAY_SECONDS: i64 = 86_400;

/// Seconds in an hour: answers served are counted per hour, which is as fine as a report
/// needs and keeps one row per entry, server and hour however busy the bot is.
const HOUR_SECONDS: i64 = 3_600;

/// A point in time, in whole seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Timestamp(secs)
    }

    /// The time `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// The start of this time's hour.
    pub const fn hour(self) -> Timestamp {
        Timestamp(self.0.div_euclid(HOUR_SECONDS).saturating_mul(HOUR_SECONDS))
    }

    /// The time `days` days earlier.
    pub const fn days_before(self, days: u32) -> Timestamp {
        Timestamp(self.0.saturating_sub(days as i64 * DAY_SECONDS))
    }

    /// Midnight UTC of a `YYYY-MM-DD` date, or `None` when it is not one.
    pub fn parse_date(text: &str) -> Option<Timestamp> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let max_day = match month {
            2 if leap => 29,
            1..=12 => month_days[month as usize - 1],
            _ => return None,
        };
        if !(1970..=9999).contains(&year) || day == 0 || day > max_day {
            return None;
        }
        Some(Timestamp(days_from_civil(year, month, day) * DAY_SECONDS))
    }

    /// The UTC date, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(DAY_SECONDS));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a count of days since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
