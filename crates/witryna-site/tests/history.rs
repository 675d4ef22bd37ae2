//! The public body's pages over real HTTP on a sled store: every item's metryczka, its
//! change history (public versions only) and what changed between two of them, and the
//! site-wide change register with its Atom feed — in Polish and in English.

use std::sync::Arc;

use reqwest::StatusCode;
use witryna_core::audit::Actor;
use witryna_core::content::Page;
use witryna_core::{Cms, Id};
use witryna_site::{router, SiteConfig, SiteState};
use witryna_sled::SledStore;

struct Site {
    base: String,
    cms: Cms,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = SiteConfig { public_url: Some("https://mops.example.pl".into()), ..SiteConfig::default() };
    let app = router(SiteState::with_config(cms.clone(), config));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Site { base, cms, client, _dir: dir }
}

impl Site {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = res.status();
        (status, res.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, html) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        html
    }
}

fn person(name: &str) -> Actor {
    Actor { id: Some(Id::new()), name: name.into(), address: Some("192.0.2.1".into()) }
}

fn page(body: &str) -> Page {
    Page { title: "Godziny pracy".into(), summary: String::new(), body: body.into(), attachments: Vec::new() }
}

#[tokio::test]
async fn items_show_their_metryczka_history_and_changes_and_the_register_lists_them() {
    let s = start().await;
    let (anna, piotr) = (s.cms.acting_as(person("Anna Nowak")), s.cms.acting_as(person("Piotr Zieliński")));
    let item = anna.create(page("Kasa czynna 8–14.")).await.unwrap();
    let id = item.meta.id;
    let v = piotr.publish(id, 1, None).await.unwrap().version;
    let v = anna.because("Draft secret: nowe godziny").unwrap().update(id, v, page("Kasa czynna 8–15.")).await.unwrap();
    let v = v.meta.version;
    // An unpublished draft in between: its words never reach the public pages.
    let v = piotr.unpublish(id, v).await.unwrap().version;
    let v = anna.update(id, v, page("TAJNY SZKIC")).await.unwrap().meta.version;
    let v = anna.update(id, v, page("Kasa czynna 8–16.")).await.unwrap().meta.version;
    piotr.because("ponowna publikacja").unwrap().publish(id, v, None).await.unwrap();

    let html = s.page("/strony/godziny-pracy").await;
    let record = &html[html.find("<section class=\"metryczka\"").expect("the metryczka")..];
    for text in
        ["Metryczka", "Wytworzył", "Anna Nowak", "Wprowadził", "Opublikował", "Piotr Zieliński", "Ostatnia zmiana"]
    {
        assert!(record.contains(text), "{text}: {record}");
    }
    assert!(record.contains("href=\"/strony/godziny-pracy/historia\""));

    let history = s.page("/strony/godziny-pracy/historia").await;
    assert_eq!(history.matches("<h1").count(), 1);
    assert!(history.contains("Draft secret: nowe godziny") && history.contains("ponowna publikacja"), "{history}");
    assert!(!history.contains("TAJNY"), "drafts stay hidden");
    // Public versions: 2 (published), 3 (changed), 7 (published again).
    for version in ["<th scope=\"row\">2</th>", "<th scope=\"row\">3</th>", "<th scope=\"row\">7</th>"] {
        assert!(history.contains(version), "{version}");
    }
    assert!(!history.contains("<th scope=\"row\">5</th>"), "a draft version is not listed");
    assert!(history.contains("href=\"/strony/godziny-pracy/historia?od=2&#38;do=3\""), "{history}");

    let diff = s.page("/strony/godziny-pracy/historia?od=3&do=7").await;
    assert!(diff.contains("<del>") && diff.contains("<ins>"), "{diff}");
    assert!(diff.contains("8–15") && diff.contains("8–16"));
    assert!(!diff.contains("TAJNY"));
    for bad in ["?od=4&do=7", "?od=3&do=5", "?od=7&do=3", "?od=x&do=7", "?od=2", "?od=2&do=99999999999999999999"] {
        let (status, html) = s.get(&format!("/strony/godziny-pracy/historia{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: only public versions are compared");
        assert!(!html.contains("TAJNY"));
    }
    assert_eq!(s.get("/strony/nie-ma-takiej/historia").await.0, StatusCode::NOT_FOUND);

    let register = s.page("/rejestr-zmian").await;
    let rows = &register[register.find("<tbody>").unwrap()..];
    let withdrawn = rows.find("wycofano z publikacji").unwrap();
    let (again, first) = (rows.find("opublikowano").unwrap(), rows.rfind("opublikowano").unwrap());
    assert!(again < withdrawn && withdrawn < first, "newest first");
    assert!(rows.contains("Draft secret: nowe godziny") && rows.contains("Piotr Zieliński"));
    assert!(!rows.contains("TAJNY"), "changes of a draft are not public changes");
    assert!(register.contains("href=\"/strony/godziny-pracy/historia\""));
    assert!(register.contains("href=\"/rejestr-zmian\""), "the footer links the register");
    let en = s.page("/en/change-register").await;
    assert!(en.contains("<html lang=\"en\"") && en.contains("Change register") && en.contains("lang=\"pl\""));

    let (status, feed) = s.get("/rejestr-zmian/atom.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert_eq!(feed.matches("<entry>").count(), 4, "published, changed, withdrawn, published again: {feed}");
    assert!(feed.contains("https://mops.example.pl/strony/godziny-pracy/historia"), "absolute links");
    assert!(!feed.contains("TAJNY"));
}

#[tokio::test]
async fn the_register_pages_and_ignores_what_it_does_not_understand() {
    let s = start().await;
    for i in 0..23 {
        let item = s
            .cms
            .create(Page {
                title: format!("Strona {i}"),
                summary: String::new(),
                body: "x".into(),
                attachments: vec![],
            })
            .await
            .unwrap();
        s.cms.publish(item.meta.id, 1, None).await.unwrap();
    }
    let first = s.page("/rejestr-zmian").await;
    assert_eq!(first.matches("opublikowano").count(), 20);
    let next = first.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().to_owned();
    let href = next.split('"').next().unwrap().replace("&#38;", "&");
    let second = s.page(&href).await;
    assert_eq!(second.matches("opublikowano").count(), 3);
    assert!(!second.contains("rel=\"next\""));
    // Not a cursor: the first page, at its own address (no echo, no new cache key).
    let odd = s.page("/rejestr-zmian?od=<script>").await;
    assert!(!odd.contains("<script>") && odd.matches("opublikowano").count() == 20);
}
