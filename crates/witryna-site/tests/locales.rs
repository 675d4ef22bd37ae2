//! The site in English and Ukrainian over real HTTP, on a sled store seeded with the demo
//! content and translations made here: translated paths, `lang`, `hreflang` alternates,
//! the language switcher, Polish fallbacks, and no Polish UI string left on a page.

use std::sync::Arc;

use reqwest::header::LOCATION;
use reqwest::StatusCode;
use witryna_core::content::{Content, NewsArticle, Programme, Unit};
use witryna_core::locales::Locales;
use witryna_core::{demo, Cms, CreateOptions};
use witryna_site::messages::{Messages, EN, PL, UK};
use witryna_site::{router, SiteState};
use witryna_sled::SledStore;

struct Site {
    base: String,
    cms: Cms,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// A seeded site with `locales` turned on.
async fn start(locales: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()))
        .with_search(index)
        .with_locales(Locales::parse(locales).unwrap());
    demo::seed(&cms).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(SiteState::new(cms.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Site { base, cms, client, _dir: dir }
}

impl Site {
    async fn get(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.text().await.unwrap())
    }

    /// Public Polish items of a kind with no translation into `locale` yet, newest first.
    async fn untranslated<C: Content>(&self, locale: &str) -> Vec<witryna_core::Item<C>> {
        let all = self.cms.list::<C>(witryna_core::Query { limit: Some(100), ..Default::default() }).await.unwrap();
        let mut out = Vec::new();
        for item in all.items {
            if self.cms.translation(item.meta.id, locale).await.unwrap().is_none() {
                out.push(item);
            }
        }
        out
    }

    /// Translates the first untranslated item of a kind into `locale` (every word by
    /// `translate`, so no Polish text of the content is left), publishes it, and gives the
    /// (Polish, translated) slugs.
    async fn translate<C: Content + Clone>(&self, locale: &str, translate: impl Fn(&mut C)) -> (String, String) {
        let source = self.untranslated::<C>(locale).await.into_iter().next().expect("an item to translate");
        let mut content = source.content.clone();
        translate(&mut content);
        let options = CreateOptions { slug: None, locale: Some(locale.into()), translation_of: Some(source.meta.id) };
        let item = self.cms.create_with(content, options).await.unwrap();
        let meta = self.cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
        (source.meta.slug, meta.slug)
    }
}

impl Site {
    /// A new public Polish news item, never translated (a copy of the newest one's
    /// content under another title); its slug.
    async fn polish_news(&self, title: &str) -> String {
        let mut content = self.untranslated::<NewsArticle>("pl").await.remove(0).content;
        content.title = title.into();
        let item = self.cms.create_with(content, CreateOptions::default()).await.unwrap();
        self.cms.publish(item.meta.id, item.meta.version, None).await.unwrap().slug
    }
}

/// What was translated for a test: (Polish slug, translated slug) of a news item, a
/// programme and a unit.
struct Translated {
    news: (String, String),
    programme: (String, String),
    unit: (String, String),
}

/// Translations of one news item, one programme and one unit into `t`'s language.
async fn translate_into(s: &Site, t: &Messages) -> Translated {
    let code = t.locale.code;
    let words: &'static str = if code == "en" {
        "Information meeting in the club"
    } else {
        "Інформаційна зустріч у клубі"
    };
    let news = s
        .translate::<NewsArticle>(code, |n| {
            (n.title, n.lead, n.body, n.author) = (words.into(), words.into(), words.into(), words.into());
            n.tags.clear();
            n.gallery.clear();
            n.attachments.clear();
            if let Some(e) = &mut n.event {
                e.place = Some(words.into());
            }
        })
        .await;
    let programme = s
        .translate::<Programme>(code, |p| {
            (p.name, p.summary, p.body, p.objective, p.beneficiary) =
                (words.into(), words.into(), words.into(), words.into(), words.into());
            (p.recruitment, p.effects) = (None, String::new());
            (p.target_groups, p.activities) = (vec![words.into()], vec![words.into()]);
            p.indicators.iter_mut().for_each(|i| (i.label, i.unit) = (words.into(), None));
            p.partners.clear();
            p.people.clear();
            p.attachments.clear();
            if let Some(f) = &mut p.funding {
                f.programme = words.into();
                for field in
                    [&mut f.priority_axis, &mut f.action, &mut f.sub_action, &mut f.fund, &mut f.funder, &mut f.slogan]
                {
                    *field = field.as_ref().map(|_| words.to_owned());
                }
            }
        })
        .await;
    let unit = s
        .translate::<Unit>(code, |u| {
            (u.name, u.description) = (words.into(), words.into());
        })
        .await;
    Translated { news, programme, unit }
}

/// `html` without the elements marked `lang="pl"` (and their content) and without link
/// addresses (slugs are not words of the page).
fn strip_polish(html: &str) -> String {
    let mut out = html.to_owned();
    while let Some(at) = out.find(" lang=\"pl\"") {
        let start = out[..at].rfind('<').unwrap();
        let name: String = out[start + 1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let (open, close) = (format!("<{name}"), format!("</{name}>"));
        let mut depth = 0usize;
        let mut i = start;
        let end = loop {
            let next_open = out[i + 1..].find(&open).map(|p| p + i + 1);
            let next_close = out[i..].find(&close).map(|p| p + i).expect("closed element");
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    i = o;
                }
                _ if depth > 0 => {
                    depth -= 1;
                    i = next_close + 1;
                }
                _ => break next_close + close.len(),
            }
        };
        out.replace_range(start..end, "");
    }
    let mut text = String::with_capacity(out.len());
    for (i, part) in out.split(" href=\"").enumerate() {
        text.push_str(if i == 0 { part } else { part.split_once('"').map_or("", |(_, rest)| rest) });
    }
    text
}

/// Whether `needle` occurs in `hay` as whole words.
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[i + needle.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

/// The Polish catalogue's phrases a page in `t`'s language must not show outside Polish
/// fragments: those that differ from `t`'s (words that are the same in both — „Status”,
/// „E-mail” — are left out).
fn polish_only_phrases(t: &Messages) -> Vec<&'static str> {
    let own = t.phrases();
    PL.phrases()
        .into_iter()
        .zip(own)
        .filter(|(pl, theirs)| pl != theirs && pl.chars().count() > 2)
        .map(|(pl, _)| pl)
        .collect()
}

/// The `hreflang` alternates in a page's head.
fn alternates(html: &str) -> Vec<(String, String)> {
    html.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .map(|rest| {
            let (code, rest) = rest.split_once('"').unwrap();
            let href = rest.split_once("href=\"").unwrap().1.split_once('"').unwrap().0;
            (code.to_owned(), href.replace("&#38;", "&"))
        })
        .collect()
}

/// The checks every page in `t`'s language passes.
async fn check_page(s: &Site, t: &Messages, path: &str, expected: StatusCode) -> String {
    let (status, _, html) = s.get(path).await;
    assert_eq!(status, expected, "{path}");
    assert!(html.contains(&format!("<html lang=\"{}\"", t.locale.code)), "{path}: lang");
    assert!(html.contains("class=\"jezyki\""), "{path}: the language switcher");
    for locale in [&PL, &EN, &UK] {
        assert!(
            html.contains(&format!("hreflang=\"{0}\"", locale.locale.code)),
            "{path}: switcher names {}",
            locale.locale.name
        );
        assert!(
            html.contains(&format!(">{}</a>", locale.locale.name)),
            "{path}: {} named in itself",
            locale.locale.name
        );
    }
    assert!(html.contains(&format!("aria-current=\"true\">{}</a>", t.locale.name)), "{path}: the current language");
    assert!(html.contains("href=\"/deklaracja-dostepnosci\" hreflang=\"pl\""), "{path}: the declaration in the footer");
    if expected == StatusCode::OK {
        let found = alternates(&html);
        assert!(found.iter().any(|(code, _)| code == "x-default"), "{path}: x-default in {found:?}");
        // A fallback is the Polish page (its canonical address), not one of this language.
        let fallback = html.contains("<link rel=\"canonical\"");
        assert!(fallback || found.iter().any(|(code, _)| code == t.locale.code), "{path}: itself in {found:?}");
        for (code, href) in found {
            let (status, _, _) = s.get(&href).await;
            assert_eq!(status, StatusCode::OK, "{path}: alternate {code} {href}");
        }
    }
    let rest = strip_polish(&html);
    for phrase in polish_only_phrases(t) {
        assert!(!has_words(&rest, phrase), "{path}: Polish UI text „{phrase}” left on a {} page", t.locale.name);
    }
    html
}

async fn every_page_in(t: &'static Messages) {
    let s = start("pl,en,uk").await;
    let Translated { news, programme, unit } = translate_into(&s, t).await;
    let fallback = s.polish_news("Zmiana godzin pracy kasy").await;
    let p = &t.paths;
    let item = |section: &str, slug: &str| format!("{section}/{slug}");
    for path in [
        p.home.to_owned(),
        p.news.to_owned(),
        p.programmes.to_owned(),
        p.units.to_owned(),
        item(p.news, &news.1),
        item(p.programmes, &programme.1),
        item(p.units, &unit.1),
        p.search.to_owned(),
        format!("{}?q=klub", p.search),
        p.settings.to_owned(),
        p.shortcuts.to_owned(),
        p.site_map.to_owned(),
    ] {
        check_page(&s, t, &path, StatusCode::OK).await;
    }
    check_page(&s, t, &format!("{}/nie-ma-takiej-strony", p.news), StatusCode::NOT_FOUND).await;

    // A Polish item without a translation: shown in Polish, with a note, never a 404.
    let html = check_page(&s, t, &item(p.news, &fallback), StatusCode::OK).await;
    assert!(html.contains(t.shown_in_polish), "the note in the reader's language");
    assert!(html.contains("<div lang=\"pl\">"), "the content marked Polish");
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"/aktualnosci/{fallback}\">")), "canonical: Polish");
    assert!(html.contains("<meta name=\"robots\" content=\"noindex"), "not indexed");

    // A Polish address of a translated item moves to the translation.
    let (status, headers, _) = s.get(&item(p.news, &news.0)).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[LOCATION], item(p.news, &news.1));

    // The item page shows the translation, with its group as alternates.
    let html = s.get(&item(p.news, &news.1)).await.2;
    assert!(html.contains(&format!("hreflang=\"pl\" href=\"/aktualnosci/{}\"", news.0)), "{html}");
    assert!(html.contains(&format!("hreflang=\"x-default\" href=\"/aktualnosci/{}\"", news.0)));

    // Lists show the locale's items and say where more is.
    let list = s.get(p.news).await.2;
    assert!(list.contains(&format!("<a href=\"/aktualnosci\" hreflang=\"pl\">{}</a>", t.see_in_polish)));
    assert!(list.contains(&item(p.news, &news.1)) && !list.contains(&fallback), "the locale's own items");
}

#[tokio::test]
async fn every_english_page_is_english() {
    every_page_in(&EN).await;
}

#[tokio::test]
async fn every_ukrainian_page_is_ukrainian() {
    every_page_in(&UK).await;
}

#[tokio::test]
async fn a_locale_turned_off_has_no_pages() {
    let s = start("pl,en").await;
    for path in ["/uk/", "/uk", "/uk/novyny", "/uk/poshuk", "/uk/novyny/spotkanie"] {
        let (status, _, html) = s.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("<html lang=\"pl\""), "{path}: the Polish 404 page");
        assert!(!html.contains("Українська"), "{path}: no switch to a locale turned off");
    }
    assert_eq!(s.get("/en/").await.0, StatusCode::OK);
    assert_eq!(s.get("/en").await.0, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(s.get("/").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_sitemap_has_alternates() {
    let s = start("pl,en,uk").await;
    let (polish, news) = translate_into(&s, &EN).await.news;
    let (status, _, xml) = s.get("/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(xml.contains(&format!("<loc>/en/news/{news}</loc>")), "translations are listed");
    assert!(xml.contains(&format!("<xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"/en/news/{news}\"/>")));
    assert!(xml.contains(&format!("<xhtml:link rel=\"alternate\" hreflang=\"pl\" href=\"/aktualnosci/{polish}\"/>")));
    assert!(xml.contains("<loc>/uk/novyny</loc>") && xml.contains("hreflang=\"x-default\" href=\"/\""));
    assert_eq!(xml.matches("<loc>/deklaracja-dostepnosci</loc>").count(), 1, "one declaration");
}
