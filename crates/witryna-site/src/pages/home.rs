//! The home page of each language: its newest news, its units with their "open now"
//! badges, its programmes.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use witryna_core::content::{Content, NewsArticle, Programme, Unit};

use super::news::{news_row, NewsRow};
use super::programmes::{programme_row, ProgrammeRow};
use super::units::{all_by_name, unit_row, UnitRow};
use super::{
    all_public, change_href, layout, page_at, public_list, section_of, serve, Lang, Layout, Rendered, Section,
};
use crate::SiteState;

/// What the home page shows of one built-in section: its address and rows. A kind the
/// registry does not have shows no block.
pub(crate) struct Block<Row> {
    href: String,
    rows: Vec<Row>,
    /// On a page in another language: the Polish section, where more is published.
    polish_href: Option<String>,
}

impl<Row> Block<Row> {
    fn new(t: Lang, section: &Section, rows: Vec<Row>) -> Self {
        let polish_href = section.polish_list(t);
        Self { href: section.list_path(t), rows, polish_href }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    t: Lang,
    news: Option<Block<NewsRow>>,
    units: Option<Block<UnitRow>>,
    programmes: Option<Block<ProgrammeRow>>,
    motion_on: String,
    motion_off: String,
}

pub(crate) async fn home(s: SiteState, headers: HeaderMap, t: Lang) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, t.paths.home.into(), page_at(|t| t.paths.home), |ctx| async move {
        let kinds = cms.kinds();
        let news = match section_of(kinds, NewsArticle::KIND) {
            Some(section) => {
                let items = public_list::<NewsArticle>(&cms, t, 5, None).await?.items;
                Some(Block::new(t, &section, items.iter().map(|n| news_row(t, &section, n)).collect()))
            }
            None => None,
        };
        let units = match section_of(kinds, Unit::KIND) {
            Some(section) => {
                let rows = all_by_name(&cms, t).await?.iter().map(|u| unit_row(t, &section, u, ctx.now)).collect();
                Some(Block::new(t, &section, rows))
            }
            None => None,
        };
        let programmes = match section_of(kinds, Programme::KIND) {
            Some(section) => {
                let items = all_public::<Programme>(&cms, t).await?;
                Some(Block::new(t, &section, items.iter().map(|p| programme_row(t, &section, p, ctx.now)).collect()))
            }
            None => None,
        };
        let page = HomePage {
            motion_on: change_href(&ctx, "m", "1"),
            motion_off: change_href(&ctx, "m", "0"),
            layout: layout(&ctx, t.home, &[], t.paths.home),
            t,
            news,
            units,
            programmes,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
