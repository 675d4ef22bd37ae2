//! Polish statutory public holidays (ustawa o dniach wolnych od pracy).

use chrono::{Datelike, Days, NaiveDate};

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("computus yields a valid date")
}

/// The Polish name of the public holiday on `date`, or `None` for an ordinary day.
///
/// Follows the statute as amended: Epiphany (6 January) from 2011, Christmas Eve
/// (24 December) from 2025. Movable feasts are computed from Easter.
pub fn public_holiday(date: NaiveDate) -> Option<&'static str> {
    let year = date.year();
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some("Nowy Rok"),
        (1, 6) if year >= 2011 => Some("Święto Trzech Króli"),
        (5, 1) => Some("Święto Pracy"),
        (5, 3) => Some("Święto Konstytucji 3 Maja"),
        (8, 15) => Some("Wniebowzięcie Najświętszej Maryi Panny"),
        (11, 1) => Some("Wszystkich Świętych"),
        (11, 11) => Some("Narodowe Święto Niepodległości"),
        (12, 24) if year >= 2025 => Some("Wigilia Bożego Narodzenia"),
        (12, 25) => Some("Boże Narodzenie (pierwszy dzień)"),
        (12, 26) => Some("Boże Narodzenie (drugi dzień)"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let easter = easter_sunday(year);
    let offset = date.signed_duration_since(easter).num_days();
    match offset {
        0 => Some("Wielkanoc"),
        1 => Some("Poniedziałek Wielkanocny"),
        49 => Some("Zielone Świątki"),
        60 => Some("Boże Ciało"),
        _ => None,
    }
}

/// Every public holiday of a year, in date order.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    (0..366)
        .filter_map(|d| start.checked_add_days(Days::new(d)))
        .take_while(|d| d.year() == year)
        .filter_map(|d| public_holiday(d).map(|name| (d, name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_dates() {
        for (y, m, d) in [(2017, 4, 16), (2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2038, 4, 25), (2285, 3, 22)] {
            assert_eq!(easter_sunday(y), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn movable_and_new_holidays() {
        assert_eq!(public_holiday(date(2026, 6, 4)), Some("Boże Ciało"));
        assert_eq!(public_holiday(date(2026, 5, 24)), Some("Zielone Świątki"));
        assert_eq!(public_holiday(date(2026, 4, 6)), Some("Poniedziałek Wielkanocny"));
        assert_eq!(public_holiday(date(2024, 12, 24)), None);
        assert!(public_holiday(date(2025, 12, 24)).is_some());
        assert_eq!(public_holiday(date(2010, 1, 6)), None);
        assert_eq!(public_holidays(2026).len(), 14);
    }
}
