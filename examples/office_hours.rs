//! Is the office open? The Głowno MOPS hours from its page (Mon 7:30–16:30, Tue–Fri
//! 7:30–15:30), closed on Polish public holidays, with one dated exception.
//!
//! ```text
//! cargo run --example office_hours [RFC3339 instant]
//! ```

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use witryna::office_hours::DayKind;
use witryna::{pl, DateException, OfficeHours, WeeklySchedule};

fn glowno() -> OfficeHours {
    let long = "07:30-16:30".parse().expect("valid interval");
    let short = "07:30-15:30".parse().expect("valid interval");
    OfficeHours {
        weekly: WeeklySchedule {
            mon: vec![long],
            tue: vec![short],
            wed: vec![short],
            thu: vec![short],
            fri: vec![short],
            ..WeeklySchedule::default()
        },
        exceptions: vec![DateException {
            date: NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date"),
            hours: vec!["07:30-12:00".parse().expect("valid interval")],
            note: Some("Dzień Pracownika Socjalnego".into()),
        }],
        closed_on_public_holidays: true,
    }
}

fn main() {
    let now = match std::env::args().nth(1) {
        Some(arg) => match DateTime::parse_from_rfc3339(&arg) {
            Ok(t) => t.with_timezone(&Utc),
            Err(e) => {
                eprintln!("office_hours: {arg:?} is not an RFC 3339 instant: {e}");
                std::process::exit(2);
            }
        },
        None => Utc::now(),
    };
    let hours = glowno();
    println!("MOPS w Głownie, {}", pl::datetime(now));
    println!("  {}", if hours.is_open_at(now) { "Otwarte teraz." } else { "Zamknięte." });
    match hours.next_change_after(now) {
        Some(t) => println!("  Następna zmiana: {}", pl::datetime(t)),
        None => println!("  Brak zmian w najbliższym roku."),
    }
    println!("\nGodziny pracy");
    for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun] {
        let intervals = hours.weekly.day(day);
        let text = if intervals.is_empty() {
            "nieczynne".to_owned()
        } else {
            intervals.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        };
        println!("  {:<13} {text}", pl::weekday(day));
    }
    println!("\nNajbliższe dni");
    let today = now.with_timezone(&chrono_tz::Europe::Warsaw).date_naive();
    for date in today.iter_days().take(14) {
        let day = hours.hours_on(date);
        let why = match day.kind {
            DayKind::Regular => String::new(),
            DayKind::Exception(note) => format!(" ({})", note.unwrap_or("zmiana godzin")),
            DayKind::PublicHoliday(name) => format!(" ({name})"),
        };
        let text = if day.intervals.is_empty() {
            "nieczynne".to_owned()
        } else {
            day.intervals.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        };
        println!("  {} {:<13} {text}{why}", date, pl::weekday(chrono::Datelike::weekday(&date)));
    }
}
