//! What the centre does, for everyone — the information art. 6 pkt 3 of the 2019
//! accessibility act asks of a public body's site: [`EASY_TO_READ`] (the text easy to read),
//! [`SIGN_LANGUAGE`] (the recordings in Polish Sign Language with their transcripts) and
//! [`ACTIVITY_TEXT`] (the same as a machine-readable text file). Each shows the centre's
//! [`ActivityInformation`] first, then every public unit that says its own
//! ([`Unit::easy_to_read`], [`Unit::sign_language_video`]).
//!
//! Polish, like the declaration that links them; every footer links all three. Before the
//! centre has published its information the pages still answer (the footer never leads to
//! a 404): they say so, link the address the accessibility settings give for information
//! published elsewhere, and name whom to ask, as the declaration does.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use witryna_core::content::{plain_blocks, ActivityInformation, ContactPerson, Content, MediaRefs, Unit};
use witryna_core::Item;

use super::history::{singleton_record_table, RecordTable};
use super::{crumb, decode, layout, media_of, section_of, serve, units, Ctx, Layout, PageError, Place, Rendered};
use crate::markdown::render_blocking;
use crate::media::{MediaSet, Video};
use crate::messages::PL;
use crate::SiteState;

/// The easy-to-read text: the kind's site section.
pub(crate) const EASY_TO_READ: &str = ActivityInformation::SPEC.site_section;
/// The recordings in Polish Sign Language.
pub(crate) const SIGN_LANGUAGE: &str = "/polski-jezyk-migowy";
/// The text file.
pub(crate) const ACTIVITY_TEXT: &str = "/informacje-o-dzialalnosci.txt";

/// The centre's information and the units with their own.
struct Information {
    centre: Option<Item<ActivityInformation>>,
    /// Units with their own text or recording, by name, with their page's address.
    units: Vec<(String, Item<Unit>)>,
}

/// Reads the public information (or, on a preview of it, the previewed version).
async fn information(s: &SiteState) -> Result<Information, PageError> {
    let cms = &s.cms;
    let previewed = s.preview.as_ref().filter(|p| p.record.meta.kind == ActivityInformation::KIND);
    let centre = match previewed {
        Some(p) => Some(decode::<ActivityInformation>(p.record.clone())?),
        None => cms.singleton::<ActivityInformation>().await?.filter(|i| i.meta.is_public_at(cms.now())),
    };
    let section = section_of(cms.kinds(), Unit::KIND);
    let units = match &section {
        Some(section) => units::all_by_name(cms, &PL)
            .await?
            .into_iter()
            .filter(|u| !u.content.easy_to_read.trim().is_empty() || u.content.sign_language_video.is_some())
            .map(|u| (section.item_href(&PL, &u.meta.slug), u))
            .collect(),
        None => Vec::new(),
    };
    Ok(Information { centre, units })
}

/// One part of a page: the centre's (no heading) or a unit's.
struct Part {
    /// The heading's id (`jednostka-{slug}`); empty for the centre.
    id: String,
    /// The unit's name; empty for the centre.
    heading: String,
    /// The unit's page.
    unit_href: String,
    /// The easy-to-read text, rendered (on [`EASY_TO_READ`]).
    html: String,
    /// The recording (on [`SIGN_LANGUAGE`]).
    video: Option<Video>,
}

/// A link to the same information in another form.
struct OtherForm {
    href: &'static str,
    label: &'static str,
    mime: &'static str,
}

const ETR_FORM: OtherForm = OtherForm { href: EASY_TO_READ, label: PL.texts.easy_to_read, mime: "" };
const PJM_FORM: OtherForm = OtherForm { href: SIGN_LANGUAGE, label: PL.texts.sign_language, mime: "" };
const TEXT_FORM: OtherForm =
    OtherForm { href: ACTIVITY_TEXT, label: "Informacje o działalności – plik tekstowy (TXT)", mime: "text/plain" };

#[derive(Template)]
#[template(path = "information.html")]
struct InformationPage {
    layout: Layout,
    title: &'static str,
    parts: Vec<Part>,
    /// Whether the centre's own part is there (else the page says it is not yet).
    has_centre: bool,
    others: [OtherForm; 2],
    /// Where the settings say the information is published, when the site has none.
    elsewhere: Option<String>,
    contact: Option<ContactPerson>,
    record: Option<RecordTable>,
}

impl InformationPage {
    fn new(ctx: &Ctx, title: &'static str, others: [OtherForm; 2], elsewhere: Option<String>) -> Self {
        Self {
            layout: layout(ctx, title, &[crumb(title, "")], ""),
            title,
            parts: Vec::new(),
            has_centre: false,
            others,
            elsewhere: elsewhere.filter(|e| !e.trim().is_empty()),
            contact: ctx.settings.as_ref().map(|s| s.declaration.contact.clone()),
            record: None,
        }
    }
}

fn unit_part(href: String, unit: &Item<Unit>) -> Part {
    Part {
        id: format!("jednostka-{}", unit.meta.slug),
        heading: unit.content.name.clone(),
        unit_href: href,
        html: String::new(),
        video: None,
    }
}

fn centre_part() -> Part {
    Part { id: String::new(), heading: String::new(), unit_href: String::new(), html: String::new(), video: None }
}

/// The easy-to-read text of the centre and of the units with their own.
pub(crate) async fn easy_to_read(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let state = s.clone();
    serve(&s, &headers, &PL, EASY_TO_READ.into(), Place::Home, |ctx| async move {
        let info = information(&state).await?;
        let elsewhere = ctx.settings.as_ref().and_then(|s| s.easy_to_read_info.clone());
        let mut page = InformationPage::new(&ctx, PL.texts.easy_to_read, [PJM_FORM, TEXT_FORM], elsewhere);
        if let Some(centre) = &info.centre {
            let media = media_of(&state.cms, &ctx, &centre.content).await;
            let html = render_blocking(centre.content.easy_to_read.clone(), &media).await?;
            page.parts.push(Part { html, ..centre_part() });
            page.record = Some(singleton_record_table(&PL, &centre.meta));
        }
        for (href, unit) in &info.units {
            if unit.content.easy_to_read.trim().is_empty() {
                continue;
            }
            let media = media_of(&state.cms, &ctx, &unit.content).await;
            let html = render_blocking(unit.content.easy_to_read.clone(), &media).await?;
            page.parts.push(Part { html, ..unit_part(href.clone(), unit) });
        }
        page.has_centre = page.parts.iter().any(|p| p.heading.is_empty());
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// The recordings in Polish Sign Language, each with its transcript open under it.
pub(crate) async fn sign_language(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let state = s.clone();
    serve(&s, &headers, &PL, SIGN_LANGUAGE.into(), Place::Home, |ctx| async move {
        let info = information(&state).await?;
        let elsewhere = ctx.settings.as_ref().and_then(|s| s.sign_language_info.clone());
        let mut page = InformationPage::new(&ctx, PL.texts.sign_language, [ETR_FORM, TEXT_FORM], elsewhere);
        let centre = info.centre.as_ref().map(|c| (centre_part(), c.content.sign_language_video));
        let units = info.units.iter().map(|(href, u)| (unit_part(href.clone(), u), u.content.sign_language_video));
        let candidates: Vec<(Part, Option<witryna_core::Id>)> = centre.into_iter().chain(units).collect();
        let mut refs = MediaRefs::default();
        for (_, video) in &candidates {
            refs.video("sign_language_video", *video);
        }
        let media = MediaSet::load(&state.cms, &refs.into_vec(), ctx.preview.is_some(), "", &PL).await;
        page.parts = candidates
            .into_iter()
            .filter_map(|(part, video)| Some(Part { video: Some(media.video(video?, "", true)?), ..part }))
            .collect();
        page.has_centre = page.parts.iter().any(|p| p.heading.is_empty());
        // The metryczka is the recording's information's: shown with the recording only.
        page.record = info.centre.as_ref().filter(|_| page.has_centre).map(|c| singleton_record_table(&PL, &c.meta));
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// The text file: the centre's easy-to-read text and each unit's, as plain paragraphs
/// (through the page cache, like the sitemap).
pub(crate) async fn activity_text(State(s): State<SiteState>) -> Response {
    let state = s.clone();
    super::feeds::generated(&s, &PL, ACTIVITY_TEXT, "text/plain; charset=utf-8", || async move {
        let info = information(&state).await?;
        let settings = super::site_settings(&state).await?;
        let entity = settings.map(|s| s.declaration.entity.clone());
        Ok(super::scrub(text_of(&info, entity.as_deref(), state.base_url())))
    })
    .await
}

/// The file's text: a title, the centre's name, the texts as paragraphs split by blank
/// lines, and where the other forms are.
fn text_of(info: &Information, entity: Option<&str>, base: &str) -> String {
    let mut blocks = vec![ActivityInformation::TITLE.to_owned()];
    blocks.extend(entity.map(str::to_owned));
    match &info.centre {
        Some(centre) => blocks.extend(plain_blocks(&centre.content.easy_to_read)),
        None => blocks.push("Ośrodek nie opublikował jeszcze informacji o swojej działalności.".to_owned()),
    }
    for (_, unit) in &info.units {
        if !unit.content.easy_to_read.trim().is_empty() {
            blocks.push(unit.content.name.clone());
            blocks.extend(plain_blocks(&unit.content.easy_to_read));
        }
    }
    blocks.push(format!(
        "Tekst łatwy do czytania: {base}{EASY_TO_READ}\nInformacja w polskim języku migowym: {base}{SIGN_LANGUAGE}"
    ));
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}
