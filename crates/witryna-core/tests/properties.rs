//! Property tests: money text round trip, office hours against a minute-by-minute oracle
//! across DST changes and holidays, cursor pagination while items are inserted.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Warsaw;
use proptest::prelude::*;
use witryna_core::content::NewsArticle;
use witryna_core::holidays::public_holiday;
use witryna_core::{Cms, DateException, Id, Interval, MemoryStore, Money, OfficeHours, Query, WeeklySchedule};

proptest! {
    #[test]
    fn money_parse_of_display_is_identity(grosze in (i64::MIN + 1)..=i64::MAX) {
        let m = Money::from_grosze(grosze);
        prop_assert_eq!(m.to_string().parse::<Money>(), Ok(m));
    }
}

/// Up to two intervals on a 15-minute grid, in order, not overlapping, sometimes adjacent
/// (08:00-12:00, 12:00-16:00), often near 02:00-03:00 where the clock jumps.
fn day() -> impl Strategy<Value = Vec<Interval>> {
    prop::collection::vec(prop_oneof![0u32..96, 7u32..13], 0..=4).prop_map(|mut points| {
        points.sort_unstable();
        points
            .chunks(2)
            .filter(|c| c.len() == 2 && c[0] < c[1])
            .map(|c| {
                let t = |q: u32| NaiveTime::from_hms_opt(q / 4, (q % 4) * 15, 0).unwrap();
                Interval { opens: t(c[0]), closes: t(c[1]) }
            })
            .collect()
    })
}

/// Dates around the 2025 DST changes, Easter and Christmas, where things go wrong.
fn window_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (0i64..30).prop_map(|d| NaiveDate::from_ymd_opt(2025, 3, 20).unwrap() + Duration::days(d)),
        (0i64..20).prop_map(|d| NaiveDate::from_ymd_opt(2025, 10, 18).unwrap() + Duration::days(d)),
        (0i64..12).prop_map(|d| NaiveDate::from_ymd_opt(2025, 12, 20).unwrap() + Duration::days(d)),
    ]
}

fn hours() -> impl Strategy<Value = OfficeHours> {
    (prop::collection::vec(day(), 7), prop::collection::vec((window_date(), day()), 0..3), any::<bool>()).prop_map(
        |(days, exceptions, holidays)| {
            let mut weekly = WeeklySchedule::default();
            for (i, d) in days.into_iter().enumerate() {
                *weekly.day_mut(chrono::Weekday::try_from(i as u8).unwrap()) = d;
            }
            let mut seen = HashSet::new();
            let exceptions = exceptions
                .into_iter()
                .filter(|(date, _)| seen.insert(*date))
                .map(|(date, hours)| DateException { date, hours, note: None })
                .collect();
            OfficeHours { weekly, exceptions, closed_on_public_holidays: holidays }
        },
    )
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (window_date(), 0i64..86_400)
        .prop_map(|(d, s)| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap()) + Duration::seconds(s))
}

/// The rule written once more, plainly: the Warsaw wall clock; an exception, else a
/// holiday, else the week.
fn oracle_open(h: &OfficeHours, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&Warsaw);
    let (date, time) = (local.date_naive(), local.time());
    let intervals: &[Interval] = match h.exceptions.iter().find(|e| e.date == date) {
        Some(e) => &e.hours,
        None if h.closed_on_public_holidays && public_holiday(date).is_some() => &[],
        None => h.weekly.day(date.weekday()),
    };
    intervals.iter().any(|i| i.opens <= time && time < i.closes)
}

const HORIZON_MINUTES: i64 = 12 * 24 * 60;

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn office_hours_agree_with_a_minute_by_minute_oracle(h in hours(), t in instant()) {
        prop_assert_eq!(h.is_open_at(t), oracle_open(&h, t));
        let now = oracle_open(&h, t);
        // Changes happen on whole minutes (15-minute grid, whole-hour offsets).
        let first = t.with_second(0).unwrap().with_nanosecond(0).unwrap() + Duration::minutes(1);
        let expected =
            (0..HORIZON_MINUTES).map(|m| first + Duration::minutes(m)).find(|m| oracle_open(&h, *m) != now);
        let got = h.next_change_after(t);
        match expected {
            Some(e) => prop_assert_eq!(got, Some(e)),
            None => prop_assert!(got.is_none_or(|g| g > first + Duration::minutes(HORIZON_MINUTES)), "{:?}", got),
        }
    }
}

fn news(title: String) -> NewsArticle {
    NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title,
        lead: String::new(),
        body: "x".into(),
        author: "MOPS".into(),
        tags: vec![],
        cover: None,
        event: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn pagination_returns_every_item_once_while_items_are_inserted(
        times in prop::collection::vec(0i64..20, 1..40),
        limit in 1usize..8,
        inserts in prop::collection::vec(prop::collection::vec(-5i64..25, 0..4), 0..12),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let cms = Cms::new(Arc::new(MemoryStore::new()));
            let base = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
            let mut originals = HashSet::new();
            for (i, t) in times.iter().enumerate() {
                let item = cms.create(news(format!("a{i}"))).await.unwrap();
                cms.publish(item.meta.id, 1, Some(base + Duration::hours(*t))).await.unwrap();
                originals.insert(item.meta.id);
            }
            let mut seen: Vec<Id> = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let query = Query { limit: Some(limit), cursor: cursor.clone(), ..Query::default() };
                let page = cms.list::<NewsArticle>(query).await.unwrap();
                seen.extend(page.items.iter().map(|i| i.meta.id));
                if let Some(batch) = inserts.get(pages) {
                    for (j, t) in batch.iter().enumerate() {
                        let item = cms.create(news(format!("b{pages}-{j}"))).await.unwrap();
                        cms.publish(item.meta.id, 1, Some(base + Duration::hours(*t))).await.unwrap();
                    }
                }
                pages += 1;
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
                assert!(pages < 500);
            }
            let unique: HashSet<Id> = seen.iter().copied().collect();
            assert_eq!(unique.len(), seen.len(), "no item twice");
            assert!(originals.is_subset(&unique), "every original item");
        });
    }
}
