//! The home page: the newest news, the units with their "open now" badges, the programmes.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use witryna_core::content::{Content, NewsArticle, Programme, Unit};

use super::news::{news_row, NewsRow};
use super::programmes::{programme_row, ProgrammeRow};
use super::units::{all_by_name, unit_row, UnitRow};
use super::{all_public, change_href, layout, public_list, section_of, serve, Layout, Rendered};
use crate::SiteState;

/// What the home page shows of one built-in section: its address and rows. A kind the
/// registry does not have shows no block.
pub(crate) struct Block<Row> {
    href: &'static str,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    news: Option<Block<NewsRow>>,
    units: Option<Block<UnitRow>>,
    programmes: Option<Block<ProgrammeRow>>,
    motion_on: String,
    motion_off: String,
}

pub(crate) async fn home(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, "/".into(), |ctx| async move {
        let kinds = cms.kinds();
        let news = match section_of(kinds, NewsArticle::KIND) {
            Some(section) => {
                let items = public_list::<NewsArticle>(&cms, 5, None).await?.items;
                let rows = items.iter().map(|n| news_row(&section, n)).collect();
                Some(Block { href: section.spec.site_section, rows })
            }
            None => None,
        };
        let units = match section_of(kinds, Unit::KIND) {
            Some(section) => {
                let rows = all_by_name(&cms).await?.iter().map(|u| unit_row(&section, u, ctx.now)).collect();
                Some(Block { href: section.spec.site_section, rows })
            }
            None => None,
        };
        let programmes = match section_of(kinds, Programme::KIND) {
            Some(section) => {
                let items = all_public::<Programme>(&cms).await?;
                let rows = items.iter().map(|p| programme_row(&section, p, ctx.now)).collect();
                Some(Block { href: section.spec.site_section, rows })
            }
            None => None,
        };
        let page = HomePage {
            motion_on: change_href(&ctx, "m", "1"),
            motion_off: change_href(&ctx, "m", "0"),
            layout: layout(&ctx, "Strona główna", &[], "/"),
            news,
            units,
            programmes,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
