//! Units („Jednostki”): the list with "open now" badges, and one unit with its office hours.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Datelike, Days, Utc, Weekday};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::Unit;
use witryna_core::office_hours::DayKind;
use witryna_core::{pl, Cms, Item, OfficeHours, SlugLookup, View};

use super::{
    all_public, encode, find, layout, list_layout, media_of, serve, Found, Layout, PageError, Rendered, Section,
};
use crate::markdown::render_blocking;
use crate::media::{Loading, Picture, SIZES_COLUMN};
use crate::SiteState;

fn when(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (lt, ln) = (t.with_timezone(&Warsaw), now.with_timezone(&Warsaw));
    if lt.date_naive() == ln.date_naive() {
        format!("dziś o {}", lt.format("%H:%M"))
    } else {
        format!("{}, {}", pl::weekday(lt.weekday()), pl::datetime(t))
    }
}

fn has_hours(h: &OfficeHours) -> bool {
    h.weekly != Default::default() || !h.exceptions.is_empty()
}

/// The "open now" badge: text, CSS class, and when it changes.
fn badge(h: &OfficeHours, now: DateTime<Utc>) -> (String, &'static str, String) {
    if !has_hours(h) {
        return ("Godziny pracy nie podane".into(), "brak", String::new());
    }
    let open = h.is_open_at(now);
    let next = h.next_change_after(now);
    match (open, next) {
        (true, Some(t)) => ("Otwarte teraz".into(), "otwarte", format!("Zamknięcie: {}.", when(t, now))),
        (true, None) => ("Otwarte teraz".into(), "otwarte", String::new()),
        (false, Some(t)) => ("Zamknięte".into(), "zamkniete", format!("Otwarcie: {}.", when(t, now))),
        (false, None) => ("Zamknięte".into(), "zamkniete", String::new()),
    }
}

pub(crate) struct UnitRow {
    pub(super) href: String,
    pub(super) name: String,
    pub(super) badge: String,
    pub(super) badge_class: &'static str,
    pub(super) next: String,
}

pub(super) fn unit_row(section: &Section, item: &Item<Unit>, now: DateTime<Utc>) -> UnitRow {
    let (badge, badge_class, next) = badge(&item.content.office_hours, now);
    UnitRow { href: section.item_href(&item.meta.slug), name: item.content.name.clone(), badge, badge_class, next }
}

/// Every public unit, by name.
pub(super) async fn all_by_name(cms: &Cms) -> Result<Vec<Item<Unit>>, PageError> {
    let mut units: Vec<Item<Unit>> = all_public(cms).await?;
    units.sort_by(|a, b| a.content.name.cmp(&b.content.name));
    Ok(units)
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitListPage {
    layout: Layout,
    units: Vec<UnitRow>,
}

pub(super) async fn list(s: SiteState, headers: HeaderMap, section: Section) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, section.spec.site_section.to_owned(), |ctx| async move {
        let units = all_by_name(&cms).await?;
        let page = UnitListPage {
            layout: list_layout(&ctx, &section),
            units: units.iter().map(|u| unit_row(&section, u, ctx.now)).collect(),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    u: Unit,
    badge: String,
    badge_class: &'static str,
    next: String,
    description: String,
    /// The building or its entrance, under the contact details: lazy.
    photo: Option<Picture>,
    phones: Vec<(String, String)>,
    parent: Option<(String, String)>,
    children: Vec<(String, String)>,
    week: Vec<(&'static str, String)>,
    upcoming: Vec<(String, String)>,
}

fn intervals_text(intervals: &[witryna_core::Interval]) -> String {
    if intervals.is_empty() {
        "nieczynne".to_owned()
    } else {
        intervals
            .iter()
            .map(|i| format!("{}–{}", i.opens.format("%H:%M"), i.closes.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, section.item_href(&encode(&slug)), |ctx| async move {
        let item = match find::<Unit>(&cms, &ctx, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(section.item_href(&current))),
        };
        let all: Vec<Item<Unit>> = all_public(&cms).await?;
        let parent = match &item.content.parent {
            Some(p) => match cms.find::<Unit>(p, View::Public).await {
                Ok(SlugLookup::Found(u)) | Ok(SlugLookup::Moved { item: u, .. }) => {
                    Some((section.item_href(&u.meta.slug), u.content.name))
                }
                Err(_) => None,
            },
            None => None,
        };
        let own_slugs: Vec<&String> = std::iter::once(&item.meta.slug).chain(&item.meta.previous_slugs).collect();
        let children = all
            .iter()
            .filter(|u| u.content.parent.as_ref().is_some_and(|p| own_slugs.contains(&p)))
            .map(|u| (section.item_href(&u.meta.slug), u.content.name.clone()))
            .collect();
        let media = media_of(&cms, &ctx, &item.content).await;
        let u = item.content;
        let h = &u.office_hours;
        let (badge, badge_class, next) = badge(h, ctx.now);
        let week = if has_hours(h) {
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
                .into_iter()
                .map(|d| (pl::weekday(d), intervals_text(h.weekly.day(d))))
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
                    let label = if date == today { format!("dziś ({})", pl::date(date)) } else { pl::date(date) };
                    match day.kind {
                        DayKind::Regular => None,
                        DayKind::Exception(note) => Some((
                            label,
                            format!(
                                "{}{}",
                                intervals_text(day.intervals),
                                note.map(|n| format!(" – {n}")).unwrap_or_default()
                            ),
                        )),
                        DayKind::PublicHoliday(name) => Some((label, format!("nieczynne – {name}"))),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let page = UnitPage {
            layout: layout(&ctx, &u.name, &section.crumbs(&u.name), section.spec.site_section),
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
            u,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
