//! Polish display of dates and times, in Europe/Warsaw: „3 lutego 2017, 09:41”.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::Warsaw;

/// Polish month names in the genitive, as dates use them („3 lutego”).
pub const MONTHS_GENITIVE: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// „3 lutego 2017”.
pub fn date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS_GENITIVE[d.month0() as usize], d.year())
}

/// The date an instant falls on, on the Warsaw clock.
pub fn warsaw_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Warsaw).date_naive()
}

/// „3 lutego 2017, 09:41” for an instant, on the Warsaw clock.
pub fn datetime(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Warsaw);
    format!("{}, {}", date(local.date_naive()), local.format("%H:%M"))
}

/// „poniedziałek”, „wtorek”, ...
pub fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "poniedziałek",
        Weekday::Tue => "wtorek",
        Weekday::Wed => "środa",
        Weekday::Thu => "czwartek",
        Weekday::Fri => "piątek",
        Weekday::Sat => "sobota",
        Weekday::Sun => "niedziela",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_publish_time() {
        let t = DateTime::parse_from_rfc3339("2017-02-03T08:41:08Z").unwrap().with_timezone(&Utc);
        assert_eq!(datetime(t), "3 lutego 2017, 09:41");
        let summer = DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(datetime(summer), "1 lipca 2026, 12:00");
        assert_eq!(weekday(Weekday::Wed), "środa");
    }
}
