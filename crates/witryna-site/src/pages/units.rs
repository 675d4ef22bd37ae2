//! Units („Jednostki”): the list with "open now" badges, and one unit with its office hours.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Datelike, Days, Utc, Weekday};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::Unit;
use witryna_core::office_hours::DayKind;
use witryna_core::{Cms, Item, OfficeHours, SlugLookup, View};

use super::history::{record_table, RecordTable};
use super::{
    all_public, encode, find, layout, list_layout, list_place, media_of, serve, Found, Lang, Layout, PageError, Place,
    Rendered, Section,
};
use crate::markdown::render_blocking;
use crate::media::{Loading, Picture, SIZES_COLUMN};
use crate::messages::PL;
use crate::SiteState;

/// When the next change is, on the Warsaw clock: „dziś o 15:30”, else its weekday and date.
fn when(t: Lang, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (lt, ln) = (at.with_timezone(&Warsaw), now.with_timezone(&Warsaw));
    if lt.date_naive() == ln.date_naive() {
        (t.today_at)(&lt.format("%H:%M").to_string())
    } else {
        format!("{}, {}", t.weekday(lt.weekday()), t.datetime(at))
    }
}

fn has_hours(h: &OfficeHours) -> bool {
    h.weekly != Default::default() || !h.exceptions.is_empty()
}

/// The "open now" badge: text, CSS class, and when it changes.
fn badge(t: Lang, h: &OfficeHours, now: DateTime<Utc>) -> (String, &'static str, String) {
    if !has_hours(h) {
        return (t.hours_unknown.into(), "brak", String::new());
    }
    let open = h.is_open_at(now);
    let next = h.next_change_after(now);
    match (open, next) {
        (true, Some(at)) => (t.open_now.into(), "otwarte", (t.closes)(&when(t, at, now))),
        (true, None) => (t.open_now.into(), "otwarte", String::new()),
        (false, Some(at)) => (t.closed_now.into(), "zamkniete", (t.opens)(&when(t, at, now))),
        (false, None) => (t.closed_now.into(), "zamkniete", String::new()),
    }
}

pub(crate) struct UnitRow {
    pub(super) href: String,
    pub(super) name: String,
    pub(super) badge: String,
    pub(super) badge_class: &'static str,
    pub(super) next: String,
}

pub(super) fn unit_row(t: Lang, section: &Section, item: &Item<Unit>, now: DateTime<Utc>) -> UnitRow {
    let (badge, badge_class, next) = badge(t, &item.content.office_hours, now);
    UnitRow { href: section.item_href(t, &item.meta.slug), name: item.content.name.clone(), badge, badge_class, next }
}

/// Every public unit in a language, by name.
pub(super) async fn all_by_name(cms: &Cms, t: Lang) -> Result<Vec<Item<Unit>>, PageError> {
    let mut units: Vec<Item<Unit>> = all_public(cms, t).await?;
    units.sort_by(|a, b| a.content.name.cmp(&b.content.name));
    Ok(units)
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitListPage {
    layout: Layout,
    t: Lang,
    units: Vec<UnitRow>,
    /// On a page in another language: the Polish list, where more is published.
    polish_href: Option<String>,
}

pub(super) async fn list(s: SiteState, headers: HeaderMap, t: Lang, section: Section) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.list_path(t), list_place(section), |ctx| async move {
        let units = all_by_name(&cms, t).await?;
        let page = UnitListPage {
            layout: list_layout(&ctx, &section),
            t,
            units: units.iter().map(|u| unit_row(t, &section, u, ctx.now)).collect(),
            polish_href: section.polish_list(t),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    /// The metryczka.
    record: RecordTable,
    /// The catalogue of the content's language (Polish on a fallback).
    t: Lang,
    u: Unit,
    badge: String,
    badge_class: &'static str,
    next: String,
    description: String,
    /// The building or its entrance, under the contact details: lazy.
    photo: Option<Picture>,
    phones: Vec<(String, String)>,
    parent: Option<UnitLink>,
    children: Vec<UnitLink>,
    week: Vec<(&'static str, String)>,
    /// Days of the next two weeks that differ from the weekly hours: the day, the hours,
    /// and the reason (a Polish holiday's name or the editors' note, Polish words).
    upcoming: Vec<(String, String, Option<String>)>,
    /// `lang` of those reasons when the page is in another language.
    reasons_lang: Option<&'static str>,
}

fn intervals_text(t: Lang, intervals: &[witryna_core::Interval]) -> String {
    if intervals.is_empty() {
        t.closed_day.to_owned()
    } else {
        intervals
            .iter()
            .map(|i| format!("{}–{}", i.opens.format("%H:%M"), i.closes.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A link to another unit named by its Polish slug, from a page in `t`'s language: to its
/// page under the reader's prefix (its translation, or the Polish unit with a note), with
/// its name in the reader's language when translated, else its Polish name.
pub(crate) struct UnitLink {
    href: String,
    name: String,
    /// `Some("pl")` for a Polish name on a page in another language.
    lang: Option<&'static str>,
}

async fn unit_link(cms: &Cms, t: Lang, section: &Section, polish: Item<Unit>) -> UnitLink {
    let href = section.item_href(t, &polish.meta.slug);
    if !t.is_polish() {
        let translated = cms.translation(polish.meta.id, t.locale.code).await.ok().flatten();
        let name = translated
            .filter(|r| r.meta.is_public_at(cms.now()))
            .and_then(|r| serde_json::from_str::<Unit>(&r.body).ok())
            .map(|u| u.name);
        return match name {
            Some(name) => UnitLink { href, name, lang: None },
            None => UnitLink { href, name: polish.content.name, lang: Some("pl") },
        };
    }
    UnitLink { href, name: polish.content.name, lang: None }
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.item_href(t, &encode(&slug)), Place::Home, |mut ctx| async move {
        let item = match find::<Unit>(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(to) => return Ok(Rendered::Redirect(to)),
        };
        let c = ctx.content;
        // Units name their parent by its Polish slug (shared by translations): the
        // structure is the Polish units', linked in the content's language.
        let parent = match &item.content.parent {
            Some(p) => match cms.find::<Unit>(p, View::Public).await {
                Ok(SlugLookup::Found(u)) | Ok(SlugLookup::Moved { item: u, .. }) => {
                    Some(unit_link(&cms, c, &section, u).await)
                }
                Err(_) => None,
            },
            None => None,
        };
        let own = match item.meta.translation_of {
            Some(link) => cms.get::<Unit>(link.id).await.map(|u| u.meta).unwrap_or_else(|_| item.meta.clone()),
            None => item.meta.clone(),
        };
        let own_slugs: Vec<&String> = std::iter::once(&own.slug).chain(&own.previous_slugs).collect();
        let mut children = Vec::new();
        for u in all_public::<Unit>(&cms, &PL).await? {
            if u.content.parent.as_ref().is_some_and(|p| own_slugs.contains(&p)) {
                children.push(unit_link(&cms, c, &section, u).await);
            }
        }
        let media = media_of(&cms, &ctx, &item.content).await;
        let u = item.content;
        let h = &u.office_hours;
        let (badge, badge_class, next) = badge(c, h, ctx.now);
        let week = if has_hours(h) {
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
                .into_iter()
                .map(|d| (c.weekday(d), intervals_text(c, h.weekly.day(d))))
                .collect()
        } else {
            Vec::new()
        };
        let today = ctx.now.with_timezone(&Warsaw).date_naive();
        let upcoming = if has_hours(h) {
            (0..14)
                .filter_map(|i| today.checked_add_days(Days::new(i)))
                .filter_map(|date| {
                    let day = h.hours_on(date);
                    let label = if date == today { (c.today_date)(&c.date(date)) } else { c.date(date) };
                    match day.kind {
                        DayKind::Regular => None,
                        DayKind::Exception(note) => {
                            Some((label, intervals_text(c, day.intervals), note.map(str::to_owned)))
                        }
                        DayKind::PublicHoliday(name) => Some((label, c.closed_day.to_owned(), Some(name.to_owned()))),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let page = UnitPage {
            layout: layout(&ctx, &u.name, &section.crumbs(&ctx, &u.name), &section.list_path(ctx.t)),
            record: record_table(c, &section, &item.meta),
            t: c,
            badge,
            badge_class,
            next,
            description: render_blocking(u.description.clone(), &media).await?,
            photo: u.photo.as_ref().and_then(|p| media.picture(p, SIZES_COLUMN, Loading::Lazy)),
            phones: u
                .phones
                .iter()
                .map(|p| (p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect(), p.clone()))
                .collect(),
            parent,
            children,
            week,
            upcoming,
            reasons_lang: (!c.is_polish()).then_some("pl"),
            u,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
