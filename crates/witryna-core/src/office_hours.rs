//! Office hours: a weekly schedule with dated exceptions and Polish public holidays,
//! reasoned about in Europe/Warsaw local time and answered in UTC instants.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Warsaw;
use serde::{Deserialize, Serialize};

use crate::holidays::public_holiday;
use crate::validate::Validator;

/// How far ahead [`OfficeHours::next_change_after`] looks before it answers `None`.
pub const LOOKAHEAD_DAYS: u64 = 400;

/// A local-time span within one day, `opens` inclusive, `closes` exclusive.
///
/// Serialized as `"07:30-16:30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// Local (Europe/Warsaw) time the office opens.
    pub opens: NaiveTime,
    /// Local (Europe/Warsaw) time the office closes; later than `opens`.
    pub closes: NaiveTime,
}

impl Interval {
    /// An interval from hours and minutes; `None` for an impossible time.
    pub fn hm(open_h: u32, open_m: u32, close_h: u32, close_m: u32) -> Option<Self> {
        Some(Self {
            opens: NaiveTime::from_hms_opt(open_h, open_m, 0)?,
            closes: NaiveTime::from_hms_opt(close_h, close_m, 0)?,
        })
    }

    /// Whether a local time falls inside.
    pub fn contains(&self, t: NaiveTime) -> bool {
        self.opens <= t && t < self.closes
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.opens.format("%H:%M"), self.closes.format("%H:%M"))
    }
}

/// Why a text is not an interval.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected \"HH:MM-HH:MM\" with opening before closing, got {0:?}")]
pub struct IntervalParseError(pub String);

impl FromStr for Interval {
    type Err = IntervalParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IntervalParseError(s.to_owned());
        let (a, b) = s.split_once('-').ok_or_else(err)?;
        let parse = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| err());
        let iv = Interval { opens: parse(a)?, closes: parse(b)? };
        if iv.opens >= iv.closes {
            return Err(err());
        }
        Ok(iv)
    }
}

impl Serialize for Interval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for Interval {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Interval".into()
    }

    /// A `"HH:MM-HH:MM"` string. The title and description are Polish: the editor's forms
    /// show the description as the hint of every list of intervals.
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
            "title": "Godziny otwarcia",
            "description": "Od–do, czas polski, np. 07:30-15:30; otwarcie przed zamknięciem.",
        })
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Opening intervals for each day of the week.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WeeklySchedule {
    #[schemars(title = "Poniedziałek")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<Interval>,
    #[schemars(title = "Wtorek")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<Interval>,
    #[schemars(title = "Środa")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<Interval>,
    #[schemars(title = "Czwartek")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<Interval>,
    #[schemars(title = "Piątek")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<Interval>,
    #[schemars(title = "Sobota")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<Interval>,
    #[schemars(title = "Niedziela")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<Interval>,
}

impl WeeklySchedule {
    /// The intervals of one weekday.
    pub fn day(&self, day: Weekday) -> &[Interval] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// Mutable intervals of one weekday.
    pub fn day_mut(&mut self, day: Weekday) -> &mut Vec<Interval> {
        match day {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }
}

/// Hours that differ from the weekly schedule on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateException {
    /// The local date.
    #[schemars(title = "Data", description = "Dzień, którego dotyczy wyjątek.")]
    pub date: NaiveDate,
    /// Intervals of that day; empty means closed all day.
    #[schemars(title = "Godziny tego dnia", description = "Bez godzin: tego dnia jednostka jest nieczynna.")]
    #[serde(default)]
    pub hours: Vec<Interval>,
    /// Why, shown to visitors (e.g. „Dzień Pracownika Socjalnego”).
    #[schemars(title = "Powód", description = "Widoczny dla odwiedzających, np. „Dzień Pracownika Socjalnego”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn default_true() -> bool {
    true
}

/// When a unit is open: weekly intervals, dated exceptions, public holidays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeHours {
    /// The regular week.
    #[schemars(
        title = "Stałe godziny",
        description = "Godziny otwarcia w poszczególne dni tygodnia; dzień bez godzin jest nieczynny."
    )]
    pub weekly: WeeklySchedule,
    /// Dated exceptions; they win over holidays and the weekly schedule.
    #[schemars(
        title = "Wyjątki",
        description = "Dni z innymi godzinami niż zwykle; ważniejsze niż święta i stałe godziny."
    )]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<DateException>,
    /// Closed on Polish public holidays unless an exception says otherwise (default true).
    #[schemars(
        title = "Nieczynne w święta",
        description = "W dni ustawowo wolne od pracy jednostka jest zamknięta, chyba że wyjątek mówi inaczej."
    )]
    #[serde(default = "default_true")]
    pub closed_on_public_holidays: bool,
}

/// Why a day has the hours it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind<'a> {
    /// The weekly schedule applies.
    Regular,
    /// A dated exception applies, with its note.
    Exception(Option<&'a str>),
    /// A public holiday, closed, with its Polish name.
    PublicHoliday(&'static str),
}

/// The hours of one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours<'a> {
    /// Opening intervals (empty: closed).
    pub intervals: &'a [Interval],
    /// Where they come from.
    pub kind: DayKind<'a>,
}

/// The UTC instants at which the Warsaw wall clock shows `time` on `date`: one normally,
/// two in the repeated autumn hour, and for a time skipped in spring the instant the clock
/// jumps past it (the first instant whose local time is later).
fn instants_of_local(date: NaiveDate, time: NaiveTime) -> Vec<DateTime<Utc>> {
    use chrono::LocalResult;
    let local = date.and_time(time);
    match Warsaw.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t.with_timezone(&Utc)],
        LocalResult::Ambiguous(a, b) => vec![a.with_timezone(&Utc), b.with_timezone(&Utc)],
        LocalResult::None => (1..=180)
            .find_map(|m| Warsaw.from_local_datetime(&(local + chrono::Duration::minutes(m))).earliest())
            .map(|t| t.with_timezone(&Utc))
            .into_iter()
            .collect(),
    }
}

impl OfficeHours {
    /// The hours of a local (Europe/Warsaw) date: exception, else holiday, else the week.
    pub fn hours_on(&self, date: NaiveDate) -> DayHours<'_> {
        if let Some(e) = self.exceptions.iter().find(|e| e.date == date) {
            return DayHours { intervals: &e.hours, kind: DayKind::Exception(e.note.as_deref()) };
        }
        if self.closed_on_public_holidays {
            if let Some(name) = public_holiday(date) {
                return DayHours { intervals: &[], kind: DayKind::PublicHoliday(name) };
            }
        }
        DayHours { intervals: self.weekly.day(date.weekday()), kind: DayKind::Regular }
    }

    /// Whether the office is open at an instant (judged on the Warsaw wall clock).
    pub fn is_open_at(&self, instant: DateTime<Utc>) -> bool {
        let local = instant.with_timezone(&Warsaw);
        let time = local.time();
        self.hours_on(local.date_naive()).intervals.iter().any(|iv| iv.contains(time))
    }

    /// The first instant after `instant` at which the office opens (if closed now) or closes
    /// (if open now). `None` when nothing changes within [`LOOKAHEAD_DAYS`] days.
    ///
    /// Adjacent intervals (`08:00-12:00`, `12:00-16:00`) are one opening, not a change.
    pub fn next_change_after(&self, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let open_now = self.is_open_at(instant);
        // The state only changes at an interval boundary, so the first boundary after
        // `instant` with a different state is the answer. Start a day early: a local date
        // may begin before `instant`'s date in UTC terms.
        let first = instant.with_timezone(&Warsaw).date_naive().pred_opt()?;
        for offset in 0..=LOOKAHEAD_DAYS {
            let date = first.checked_add_days(Days::new(offset))?;
            let mut candidates: Vec<DateTime<Utc>> = self
                .hours_on(date)
                .intervals
                .iter()
                .flat_map(|iv| [iv.opens, iv.closes])
                .flat_map(|t| instants_of_local(date, t))
                .filter(|t| *t > instant)
                .collect();
            candidates.sort_unstable();
            if let Some(t) = candidates.into_iter().find(|t| self.is_open_at(*t) != open_now) {
                return Some(t);
            }
        }
        None
    }

    /// Checks intervals (ordered, not overlapping) and exceptions (one per date).
    pub fn check(&self, v: &mut Validator) {
        for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun] {
            let name = format!("weekly.{}", day.to_string().to_lowercase());
            check_day(v, &name, self.weekly.day(day));
        }
        for (i, e) in self.exceptions.iter().enumerate() {
            check_day(v, &format!("exceptions[{i}].hours"), &e.hours);
            if self.exceptions[..i].iter().any(|o| o.date == e.date) {
                v.error(&format!("exceptions[{i}].date"), "duplicate", format!("{} already has an exception", e.date));
            }
            v.optional_text(&format!("exceptions[{i}].note"), e.note.as_deref(), 200);
        }
    }
}

fn check_day(v: &mut Validator, path: &str, intervals: &[Interval]) {
    for (i, pair) in intervals.windows(2).enumerate() {
        if pair[1].opens < pair[0].closes {
            v.error(&format!("{path}[{}]", i + 1), "overlap", "intervals must be in order and must not overlap");
        }
    }
    for (i, iv) in intervals.iter().enumerate() {
        if iv.opens >= iv.closes {
            v.error(&format!("{path}[{i}]"), "empty_interval", "opening must be before closing");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The Głowno MOPS hours from the seed: Mon 7:30–16:30, Tue–Fri 7:30–15:30.
    fn glowno() -> OfficeHours {
        let long: Interval = "07:30-16:30".parse().unwrap();
        let short: Interval = "07:30-15:30".parse().unwrap();
        OfficeHours {
            weekly: WeeklySchedule {
                mon: vec![long],
                tue: vec![short],
                wed: vec![short],
                thu: vec![short],
                fri: vec![short],
                ..Default::default()
            },
            exceptions: vec![],
            closed_on_public_holidays: true,
        }
    }

    #[test]
    fn open_on_a_monday_in_winter_and_summer() {
        let h = glowno();
        // 2026-11-23 is a Monday (CET, UTC+1): 16:00 local = 15:00 UTC.
        assert!(h.is_open_at(utc("2026-11-23T15:00:00Z")));
        assert!(!h.is_open_at(utc("2026-11-23T15:30:00Z")));
        assert_eq!(h.next_change_after(utc("2026-11-23T15:00:00Z")), Some(utc("2026-11-23T15:30:00Z")));
        // Summer (CEST, UTC+2): Monday 2026-06-01 opens 05:30 UTC.
        assert!(!h.is_open_at(utc("2026-06-01T05:29:59Z")));
        assert!(h.is_open_at(utc("2026-06-01T05:30:00Z")));
    }

    #[test]
    fn weekend_and_holidays_skip_ahead() {
        let h = glowno();
        // Friday 2026-11-27 15:30 local closes; next opening Monday 30 Nov 07:30 CET.
        assert_eq!(h.next_change_after(utc("2026-11-27T14:30:00Z")), Some(utc("2026-11-30T06:30:00Z")));
        // Easter Monday 2026-04-06 is closed; Tuesday opens (CEST).
        assert!(!h.is_open_at(utc("2026-04-06T08:00:00Z")));
        assert_eq!(h.next_change_after(utc("2026-04-03T14:00:00Z")), Some(utc("2026-04-07T05:30:00Z")));
        // Christmas Eve 2025 (a Wednesday) is a holiday from 2025 on.
        assert!(!h.is_open_at(utc("2025-12-24T09:00:00Z")));
    }

    #[test]
    fn exceptions_win() {
        let mut h = glowno();
        let date = NaiveDate::from_ymd_opt(2026, 11, 11).unwrap(); // Independence Day
        h.exceptions.push(DateException { date, hours: vec!["10:00-12:00".parse().unwrap()], note: None });
        assert!(h.is_open_at(utc("2026-11-11T09:30:00Z")));
        let tue = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        h.exceptions.push(DateException { date: tue, hours: vec![], note: Some("Szkolenie".into()) });
        assert!(!h.is_open_at(utc("2026-11-24T09:00:00Z")));
        assert_eq!(h.hours_on(tue).kind, DayKind::Exception(Some("Szkolenie")));
    }

    #[test]
    fn across_dst_changes() {
        // Open 01:00-04:00 every Sunday: spans the 02:00->03:00 spring jump and the
        // repeated 02:00-03:00 hour in autumn.
        let mut h = OfficeHours { closed_on_public_holidays: false, ..Default::default() };
        h.weekly.sun = vec!["01:00-02:30".parse().unwrap(), "02:45-04:00".parse().unwrap()];
        // 2026-03-29: CET until 01:00 UTC, then CEST. 01:00 CET = 00:00 UTC opens.
        assert_eq!(h.next_change_after(utc("2026-03-28T12:00:00Z")), Some(utc("2026-03-29T00:00:00Z")));
        // 02:30 and 02:45 local do not exist that day; the clock jumps from 02:00 CET to
        // 03:00 CEST at 01:00 UTC: still "open" on the far side (02:45-04:00), so no change
        // until 04:00 CEST = 02:00 UTC.
        assert_eq!(h.next_change_after(utc("2026-03-29T00:10:00Z")), Some(utc("2026-03-29T02:00:00Z")));
        // 2026-10-25: 02:00-03:00 local happens twice (00:00-01:00 UTC CEST, 01:00-02:00 UTC CET).
        // First 02:30 CEST = 00:30 UTC closes; 02:45 CEST = 00:45 UTC opens; 03:00 CEST -> 02:00 CET
        // at 01:00 UTC (open, 02:00 is inside 01:00-02:30); 02:30 CET = 01:30 UTC closes again.
        assert_eq!(h.next_change_after(utc("2026-10-24T23:30:00Z")), Some(utc("2026-10-25T00:30:00Z")));
        assert_eq!(h.next_change_after(utc("2026-10-25T00:30:00Z")), Some(utc("2026-10-25T00:45:00Z")));
        assert!(h.is_open_at(utc("2026-10-25T01:10:00Z")));
        assert_eq!(h.next_change_after(utc("2026-10-25T01:10:00Z")), Some(utc("2026-10-25T01:30:00Z")));
        assert_eq!(h.next_change_after(utc("2026-10-25T01:30:00Z")), Some(utc("2026-10-25T01:45:00Z")));
    }

    #[test]
    fn adjacent_intervals_are_one_opening_and_empty_is_never() {
        let mut h = OfficeHours::default();
        h.weekly.wed = vec!["08:00-12:00".parse().unwrap(), "12:00-16:00".parse().unwrap()];
        assert_eq!(h.next_change_after(utc("2026-11-25T08:00:00Z")), Some(utc("2026-11-25T15:00:00Z")));
        assert_eq!(OfficeHours::default().next_change_after(utc("2026-11-25T08:00:00Z")), None);
    }

    #[test]
    fn parse_and_validate() {
        assert!("16:30-07:30".parse::<Interval>().is_err());
        assert!("7:30".parse::<Interval>().is_err());
        let mut h = glowno();
        h.weekly.mon.push("16:00-17:00".parse().unwrap());
        let mut v = Validator::new();
        h.check(&mut v);
        assert!(v.finish().unwrap_err().has("weekly.mon[1]"));
        let json = serde_json::to_string(&glowno()).unwrap();
        assert!(json.contains("\"mon\":[\"07:30-16:30\"]"), "{json}");
        assert_eq!(serde_json::from_str::<OfficeHours>(&json).unwrap(), glowno());
    }
}
