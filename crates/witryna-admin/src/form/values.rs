//! Texts of typed fields: money, dates, times and numbers as editors type them, read into
//! their JSON form and shown back. Error messages are Polish.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Warsaw;
use witryna_core::{Money, MoneyError};

/// „1 515 830,74 zł” for grosze.
pub(super) fn show_money(grosze: i64) -> String {
    Money::from_grosze(grosze).to_string()
}

/// Reads an amount as editors type it: `1 515 830,74 zł`, `1515830.74`, `1 515 830,74`,
/// with or without „zł”/PLN, spaces or no-break spaces between the groups, `12,5` as 12,50 zł.
pub(super) fn parse_money(text: &str) -> Result<i64, String> {
    let mut t = text.trim().to_owned();
    for currency in ["zł", "ZŁ", "Zł", "zl", "ZL", "PLN", "pln"] {
        if let Some(stripped) = t.strip_suffix(currency) {
            t = stripped.trim_end().to_owned();
            break;
        }
    }
    if !t.contains(',') {
        // `1515830.74`: a dot before one or two final digits is the decimal point (a dot
        // before three digits separates thousands, `1.515.830`).
        if let Some((whole, fraction)) = t.rsplit_once('.') {
            if (1..=2).contains(&fraction.len()) && fraction.chars().all(|c| c.is_ascii_digit()) {
                t = format!("{whole},{fraction}");
            }
        }
    }
    if let Some((whole, fraction)) = t.rsplit_once(',') {
        if fraction.len() == 1 && fraction.chars().all(|c| c.is_ascii_digit()) {
            t = format!("{whole},{fraction}0");
        }
    }
    t.parse::<Money>().map(Money::grosze).map_err(|e| match e {
        MoneyError::Empty => "Wpisz kwotę, np. 1 515 830,74 zł.".to_owned(),
        MoneyError::UnexpectedChar(c) if c.is_whitespace() => {
            "Popraw odstępy w kwocie. Wpisz ją tak: 1 515 830,74 zł.".to_owned()
        }
        MoneyError::UnexpectedChar(c) => {
            format!("Kwota nie może zawierać znaku „{c}”. Wpisz ją tak: 1 515 830,74 zł.")
        }
        MoneyError::BadGrouping => {
            "Oddziel spacjami grupy po trzy cyfry albo wpisz kwotę bez odstępów, np. 1 515 830,74 zł lub 1515830,74."
                .to_owned()
        }
        MoneyError::BadFraction => "Wpisz grosze dwiema cyframi po przecinku, np. 830,74 zł.".to_owned(),
        MoneyError::Overflow => "Ta kwota jest za duża.".to_owned(),
    })
}

/// The message for a required amount left empty.
pub(super) const MONEY_REQUIRED: &str = "Wpisz kwotę, np. 1 515 830,74 zł.";

/// Reads a date: `2025-03-15` (what `<input type=date>` sends) or `15.03.2025`.
pub(super) fn parse_date(text: &str) -> Result<String, String> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| "Wpisz prawdziwą datę, np. 2025-03-15.".to_owned())
}

/// The message for a required date left empty.
pub(super) const DATE_REQUIRED: &str = "Wpisz datę.";

/// Reads a time of day, `09:30` or `09:30:15`, into the JSON form of a `NaiveTime`
/// (`09:30:00`).
pub(super) fn parse_time(text: &str) -> Result<String, String> {
    let t = text.trim();
    ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f", "%H.%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
        .map(|time| time.format("%H:%M:%S%.f").to_string())
        .ok_or_else(|| "Wpisz godzinę, np. 09:30.".to_owned())
}

/// The message for a required time left empty.
pub(super) const TIME_REQUIRED: &str = "Wpisz godzinę.";

/// A stored `NaiveTime` as `<input type=time>` shows it: `09:30` when the seconds are zero.
pub(super) fn show_time(stored: &str) -> String {
    match NaiveTime::parse_from_str(stored, "%H:%M:%S%.f") {
        Ok(t) if t.second() == 0 && t.nanosecond() == 0 => t.format("%H:%M").to_string(),
        _ => stored.to_owned(),
    }
}

/// The message for a nonexistent local time.
pub(super) const DST_GAP: &str =
    "Tej godziny nie ma tego dnia w Polsce: zegary przestawia się wtedy z 2:00 na 3:00. Wpisz inną godzinę.";

/// Reads a date and time on the Warsaw clock (what `<input type=datetime-local>` sends,
/// `2025-03-15T14:30`) into UTC RFC 3339 (`2025-03-15T13:30:00Z`). A time the spring clock
/// change skips is an error; a time the autumn change repeats is the earlier instant. A
/// text with its own offset (`2025-03-15T14:30:00+01:00`) is taken as it says.
pub(super) fn parse_datetime(text: &str) -> Result<String, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(utc_text(dt.with_timezone(&Utc)));
    }
    const FORMATS: [&str; 8] = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y, %H:%M",
        "%d.%m.%Y %H:%M:%S",
    ];
    let local = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .ok_or_else(|| "Wpisz datę i godzinę, np. 2025-03-15 14:30.".to_owned())?;
    match Warsaw.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Ok(utc_text(at.with_timezone(&Utc))),
        LocalResult::None => Err(DST_GAP.to_owned()),
    }
}

/// The message for a required date and time left empty.
pub(super) const DATETIME_REQUIRED: &str = "Wpisz datę i godzinę.";

fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A stored UTC instant on the Warsaw clock as `<input type=datetime-local>` shows it,
/// with the `step` it needs (`None`: whole minutes); other text is shown as it is.
pub(super) fn show_datetime(stored: &str) -> (String, Option<&'static str>) {
    let Ok(t) = DateTime::parse_from_rfc3339(stored) else {
        return (stored.to_owned(), None);
    };
    let local = t.with_timezone(&Warsaw);
    if local.nanosecond() != 0 {
        (local.format("%Y-%m-%dT%H:%M:%S%.f").to_string(), Some("any"))
    } else if local.second() != 0 {
        (local.format("%Y-%m-%dT%H:%M:%S").to_string(), Some("1"))
    } else {
        (local.format("%Y-%m-%dT%H:%M").to_string(), None)
    }
}

/// Reads a whole number within bounds; spaces between digit groups are allowed.
pub(super) fn parse_integer(text: &str, min: i128, max: i128) -> Result<serde_json::Value, String> {
    let digits: String = text.chars().filter(|c| !is_group_space(*c)).collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    let n: i128 = match digits.parse() {
        Ok(n) if digits.len() <= 40 => n,
        _ => return Err("Wpisz liczbę całkowitą, np. 42.".to_owned()),
    };
    if n < min || n > max {
        return Err(if min == 0 && max >= i128::from(u32::MAX) {
            "Wpisz liczbę nie mniejszą niż 0.".to_owned()
        } else {
            format!("Wpisz liczbę od {min} do {max}.")
        });
    }
    Ok(i64::try_from(n)
        .map(serde_json::Value::from)
        .or_else(|_| u64::try_from(n).map(serde_json::Value::from))
        .unwrap_or(serde_json::Value::Null))
}

/// The message for a required number left empty.
pub(super) const NUMBER_REQUIRED: &str = "Wpisz liczbę.";

/// Reads a number with a decimal comma or point (`12,5`, `12.5`).
pub(super) fn parse_number(text: &str) -> Result<serde_json::Value, String> {
    let t: String = text.chars().filter(|c| !is_group_space(*c)).map(|c| if c == ',' { '.' } else { c }).collect();
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
        .ok_or_else(|| "Wpisz liczbę, np. 12,5.".to_owned())
}

/// A number as an editor reads it: a decimal comma.
pub(super) fn show_number(n: &serde_json::Number) -> String {
    if n.is_f64() {
        n.to_string().replace('.', ",")
    } else {
        n.to_string()
    }
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t')
}
