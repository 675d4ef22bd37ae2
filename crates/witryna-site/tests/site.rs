//! The site over real HTTP on a sled store seeded with the demo content.

use std::sync::Arc;

use chrono::NaiveDate;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use witryna_core::content::{AccessibilitySettings, Content, NewsArticle};
use witryna_core::{demo, Cms, Kinds, Money, Record};
use witryna_site::{preview, router, SiteConfig, SiteState};

#[path = "../../../examples/custom_content/job_offer.rs"]
mod job_offer;
use job_offer::JobOffer;
use witryna_sled::SledStore;

struct Site {
    base: String,
    cms: Cms,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The configured public address: absolute links must use it, whatever a request says.
const PUBLIC_URL: &str = "https://mops.example.pl";

async fn start() -> Site {
    start_with(SiteConfig { public_url: Some(PUBLIC_URL.into()), ..SiteConfig::default() }).await.0
}

async fn start_with(config: SiteConfig) -> (Site, SiteState) {
    let site = start_on(Kinds::builtin(), config).await;
    demo::seed(&site.0.cms).await.unwrap();
    site
}

/// A site with these kinds and no content yet.
async fn start_on(kinds: Kinds, config: SiteConfig) -> (Site, SiteState) {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_kinds(kinds).with_search(index);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = SiteState::with_config(cms.clone(), config);
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    (Site { base, cms, client, _dir: dir }, state)
}

impl Site {
    async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut rb = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            rb = rb.header(COOKIE, c);
        }
        let res = rb.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, _, html) = self.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        html
    }
}

fn assert_page_frame(html: &str, path: &str) {
    assert!(html.contains("<html lang=\"pl\""), "{path}: lang");
    assert_eq!(html.matches("<h1").count(), 1, "{path}: exactly one h1");
    assert!(html.contains("<meta name=\"deklaracja-dostępności\""), "{path}: declaration meta");
    assert!(html.contains("href=\"/deklaracja-dostepnosci\""), "{path}: footer link to the declaration");
    let skip = html.find("href=\"#tresc\"").expect("skip link");
    assert!(html.find("<a ").unwrap() >= skip - 3, "{path}: the skip link is the first link");
    assert!(html.contains("<main id=\"tresc\" tabindex=\"-1\">"), "{path}: main landmark");
}

#[tokio::test]
async fn every_page_type_renders_the_seed_content() {
    let s = start().await;
    for path in [
        "/",
        "/aktualnosci",
        "/projekty",
        "/jednostki",
        "/deklaracja-dostepnosci",
        "/ustawienia",
        "/skroty-klawiszowe",
        "/szukaj",
        "/mapa-strony",
        "/strony/klauzula-informacyjna",
    ] {
        assert_page_frame(&s.page(path).await, path);
    }
    let home = s.page("/").await;
    assert!(home.contains("Miejski Ośrodek Pomocy Społecznej w Głownie"));
    assert!(home.contains("Otwarte teraz") || home.contains("Zamknięte"), "open badge");
    assert!(home.contains("Strona główna</li>") || home.contains("aria-current=\"page\">Strona główna"), "breadcrumbs");

    let news = s.page("/aktualnosci/spotkanie-informacyjne-w-klubie-integracji-spolecznej").await;
    assert_page_frame(&news, "news item");
    assert!(
        news.contains("Dodano przez MOPS Kalisz, <time datetime=\"2017-02-03T08:41:08Z\">3 lutego 2017, 09:41</time>")
    );
    assert!(news.contains("<dt>Liczba uczestników</dt><dd>42</dd>"));
    assert!(news.contains("<ol>") && news.contains("Równi na starcie"), "CommonMark body");
    assert!(news.contains("<a href=\"/aktualnosci\">Aktualności</a>"), "breadcrumb to the list");

    let rowni = s.page("/projekty/rowni-na-starcie").await;
    assert!(rowni.contains("<td class=\"liczba\">1 515 830,74 zł</td>"), "budget in Polish form");
    assert!(rowni.contains("1 440 039,20 zł"));
    assert!(rowni.contains("Fundacja „Z Godnością” w Kaliszu"));
    assert!(rowni.contains("<dt>Fundusz</dt><dd>EFS</dd>"));
    let zawiercie = s.page("/projekty/partnerstwo-na-rzecz-aktywnej-integracji-w-powiecie-zawiercianskim").await;
    assert!(zawiercie.contains("<td class=\"liczba\">145 osób</td>"), "indicators");
    let glowno = s.page("/projekty/aktywna-integracja-w-miescie-glowno").await;
    assert!(glowno.contains("Człowiek – najlepsza inwestycja"), "logo-bar slogan");

    let unit = s.page("/jednostki/mops-glowno").await;
    assert!(unit.contains("<caption>Godziny pracy w zwykłym tygodniu</caption>"));
    assert!(unit.contains("<th scope=\"row\">poniedziałek</th><td>07:30–16:30</td>"));
    assert!(unit.contains("<th scope=\"row\">sobota</th><td>nieczynne</td>"));
    let senior = s.page("/jednostki/dzienny-dom-senior-plus").await;
    assert!(
        senior.contains("<a href=\"/jednostki/mops-zawiercie\">Miejski Ośrodek Pomocy Społecznej w Zawierciu</a>"),
        "parent unit"
    );
}

#[tokio::test]
async fn the_declaration_has_the_ministry_template_ids() {
    let s = start().await;
    let html = s.page("/deklaracja-dostepnosci").await;
    for id in [
        "a11y-wstep",
        "a11y-podmiot",
        "a11y-url",
        "a11y-data-publikacja",
        "a11y-data-aktualizacja",
        "a11y-status",
        "a11y-ocena",
        "a11y-data-sporzadzenie",
        "a11y-audytor",
        "a11y-kontakt",
        "a11y-osoba",
        "a11y-email",
        "a11y-telefon",
        "a11y-procedura",
        "a11y-architektura",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "missing #{id}");
    }
    assert!(html.contains("częściowo zgodna"));
    assert!(html.contains("<span id=\"a11y-data-publikacja\">2017-02-01</span>"));
}

#[tokio::test]
async fn visitor_settings_are_a_cookie_applied_on_the_server() {
    let s = start().await;
    let (status, headers, _) = s.get("/ustawienia/ustaw?c=1&powrot=/projekty", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/projekty");
    let cookie = headers[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("HttpOnly"));
    let (_, _, html) = s.get("/projekty", Some(&cookie)).await;
    assert!(html.contains("class=\"czcionka-0 kontrast\""), "high contrast on every page");
    assert!(html.contains("Wyłącz wysoki kontrast"));

    let (_, headers, _) = s.get("/ustawienia/ustaw?f=2&u=1&s=1&powrot=/", Some(&cookie)).await;
    let cookie = headers[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, _, html) = s.get("/", Some(&cookie)).await;
    assert!(html.contains("class=\"czcionka-2 kontrast podkreslenia odstepy\""), "{cookie}");
    assert!(html.contains("style=\"font-size: 150%\""));

    let (_, headers, _) = s.get("/ustawienia/ustaw?formularz=1&f=1&powrot=/ustawienia", Some(&cookie)).await;
    let cookie = headers[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, _, html) = s.get("/", Some(&cookie)).await;
    assert!(html.contains("class=\"czcionka-1\""), "the form's unticked boxes turn modes off: {cookie}");
    assert!(!html.contains("accesskey"), "shortcuts unticked in the form are off");

    let (_, headers, _) = s.get("/ustawienia/ustaw?c=1&powrot=//evil.example/", None).await;
    assert_eq!(headers[LOCATION], "/", "no open redirect");
    let (_, _, html) = s.get("/", Some("witryna_ustawienia=garbage")).await;
    assert!(html.contains("class=\"czcionka-0\""), "a bad cookie is the default look");
    assert!(html.contains("accesskey=\"1\""), "shortcuts on by default");
    let (_, _, html) = s.get("/", Some("witryna_ustawienia=f0-k0")).await;
    assert!(!html.contains("accesskey"), "shortcuts can be turned off");
    let (_, _, html) = s.get("/", Some("witryna_ustawienia=o1")).await;
    assert!(!html.contains("Rozumiem, zamknij informację"), "the cookie notice goes once acknowledged");
}

#[tokio::test]
async fn content_is_escaped_and_sanitized_and_drafts_stay_hidden() {
    let s = start().await;
    let item = s
        .cms
        .create(NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: "Uwaga <b>pogrubienie</b> & \"cudzysłów\"".into(),
            lead: "<script>alert('lead')</script>".into(),
            body: "Tekst <script>alert(1)</script> <img src=x onerror=alert(2)> [klik](javascript:alert(3))".into(),
            author: "MOPS Kalisz".into(),
            tags: vec![],
            cover: None,
            event: None,
        })
        .await
        .unwrap();
    let path = format!("/aktualnosci/{}", item.meta.slug);
    assert_eq!(s.get(&path, None).await.0, StatusCode::NOT_FOUND, "a draft is not public");
    let list = s.page("/aktualnosci").await; // cached before the publish below
    assert!(!list.contains("pogrubienie"));
    s.cms.publish(item.meta.id, 1, None).await.unwrap();
    let list = s.page("/aktualnosci").await;
    assert!(list.contains("pogrubienie"), "a write makes cached pages stale at once");
    let html = s.page(&path).await;
    assert!(
        html.contains("Uwaga &#60;b&#62;pogrubienie&#60;/b&#62; &#38; &#34;cudzysłów&#34;")
            || html.contains("Uwaga &lt;b&gt;"),
        "title escaped"
    );
    assert!(!html.contains("<script>alert"), "no script from content");
    assert!(!html.contains("onerror"), "no event handlers from content");
    assert!(!html.contains("javascript:alert"), "no javascript: links");

    s.cms.set_slug(item.meta.id, 2, "uwaga").await.unwrap();
    let (status, headers, _) = s.get(&path, None).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[LOCATION], "/aktualnosci/uwaga");
}

#[tokio::test]
async fn not_found_search_feed_sitemap_robots() {
    let s = start().await;
    let (status, headers, html) = s.get("/nie-ma-takiej-strony", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(html.contains("Nie znaleźliśmy tej strony") && html.contains("role=\"search\""), "a helpful 404");
    assert_eq!(s.get("/projekty/nie-ma", None).await.0, StatusCode::NOT_FOUND);

    let found = s.page("/szukaj?q=INTEGRACJI").await;
    assert!(found.contains("Spotkanie informacyjne w Klubie Integracji Społecznej"));
    assert!(found.contains("Klub Integracji Społecznej"));
    assert!(
        s.page("/szukaj?q=zawiercianskim").await.contains("Partnerstwo na rzecz aktywnej integracji"),
        "diacritics folded"
    );
    assert!(s.page("/szukaj?q=qqqqq").await.contains("Nic nie znaleziono"));

    let (status, headers, atom) = s.get("/atom.xml", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    assert_eq!(atom.matches("<entry>").count(), 2);
    assert!(atom.contains("<published>2017-02-03T08:41:08Z</published>"));
    assert!(!atom.contains("<script"), "feed content is sanitized and escaped");

    let (_, _, sitemap) = s.get("/sitemap.xml", None).await;
    assert!(sitemap.contains("/projekty/rowni-na-starcie</loc>"));
    assert!(sitemap.contains("/jednostki/mops-glowno</loc>"));
    let (_, _, robots) = s.get("/robots.txt", None).await;
    assert!(
        robots.contains("Sitemap: https://mops.example.pl/sitemap.xml") && robots.contains("Disallow: /ustawienia/")
    );
}

#[tokio::test]
async fn the_search_page_uses_the_full_text_index() {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_search(index);
    demo::seed(&cms).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(SiteState::new(cms))).await.unwrap() });
    let html = reqwest::get(format!("{base}/szukaj?q=wozek+widlowy")).await.unwrap().text().await.unwrap();
    assert!(html.contains("<a href=\"/projekty/aktywni-w-kis\">Aktywni w KIS</a>"), "{html}");
    assert!(html.contains("<mark>wózka</mark> <mark>widłowego</mark>"));
    let html =
        reqwest::get(format!("{base}/szukaj?q=%3Cscript%3Ealert(1)%3C/script%3E")).await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert"), "the query is escaped on the page");
}

#[tokio::test]
async fn settings_return_only_to_this_sites_paths() {
    let s = start().await;
    for back in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/%5C/evil.example",
        "https://evil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "%20/evil.example",
        "javascript:alert(1)",
    ] {
        let (status, headers, _) = s.get(&format!("/ustawienia/ustaw?c=1&powrot={back}"), None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(headers[LOCATION], "/", "{back}");
    }
    let (_, headers, _) = s.get("/ustawienia/ustaw?c=1&powrot=/aktualnosci%3Fod%3Dx", None).await;
    assert_eq!(headers[LOCATION], "/aktualnosci?od=x");
    let (_, headers, _) = s.get("/ustawienia/ustaw?c=1&powrot=/strony/pomoc-%C5%BCywno%C5%9Bciowa", None).await;
    assert_eq!(headers[LOCATION], "/strony/pomoc-%C5%BCywno%C5%9Bciowa", "non-ASCII is sent percent-encoded");

    let (status, _, html) = s.get("/nie-ma-takiej-strony", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("powrot=/nie-ma-takiej-strony"), "settings on a 404 return to the page asked for");
    assert!(!html.contains("powrot=/404"));
}

#[tokio::test]
async fn request_headers_never_reach_pages_feeds_or_the_cache() {
    let s = start().await;
    let forged = s.client.get(format!("{}/", s.base)).header("host", "evil.example").send().await.unwrap();
    assert!(!forged.text().await.unwrap().contains("evil.example"));
    let html = s.page("/").await;
    assert!(!html.contains("evil.example"), "nothing of a forged Host was cached");
    assert!(html.contains("content=\"https://mops.example.pl/deklaracja-dostepnosci\""), "the configured URL");
    let feed = s
        .client
        .get(format!("{}/atom.xml", s.base))
        .header("x-forwarded-proto", "javascript\"><x")
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!feed.contains("javascript") && !feed.contains("evil.example"), "{feed}");
    assert!(feed.contains("<link rel=\"self\" href=\"https://mops.example.pl/atom.xml\"/>"));
    let (_, _, sitemap) = s.get("/sitemap.xml", None).await;
    assert!(sitemap.contains("<loc>https://mops.example.pl/projekty/rowni-na-starcie</loc>"));

    // Without a public URL, links stay relative rather than trusting the request.
    let (relative, _) = start_with(SiteConfig::default()).await;
    let html = relative.client.get(format!("{}/", relative.base)).header("host", "evil.example").send().await.unwrap();
    let html = html.text().await.unwrap();
    assert!(!html.contains("evil.example") && html.contains("content=\"/deklaracja-dostepnosci\""));
}

#[tokio::test]
async fn query_text_neither_multiplies_cache_entries_nor_echoes_into_links() {
    let (s, state) = start_with(SiteConfig::default()).await;
    let junk = "A".repeat(8 * 1024);
    for i in 0..40 {
        for path in [format!("/?x{i}={junk}"), format!("/projekty?x{i}={junk}"), format!("/aktualnosci?od={junk}{i}")] {
            let (status, _, html) = s.get(&path, None).await;
            assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND, "{path}: {status}");
            assert!(!html.contains(&"A".repeat(1000)), "the query is not echoed into the page");
        }
    }
    let (entries, bytes) = state.cache_usage();
    assert!(entries <= 2, "one entry per page, not per URL: {entries}");
    assert!(bytes < 256 * 1024, "{bytes} bytes");
    let long = "pomoc ".repeat(2000);
    let html = s.page(&format!("/szukaj?q={long}")).await;
    assert!(html.len() < 64 * 1024, "the search text is cut at 200 characters: {} bytes", html.len());
}

#[tokio::test]
async fn deep_search_pages_are_empty_not_errors() {
    let s = start().await;
    for od in ["1000000000000", "18446744073709551615", "99999999999999999999999", "abc", "-1", "9990"] {
        let (status, _, html) = s.get(&format!("/szukaj?q=pomoc&od={od}"), None).await;
        assert_eq!(status, StatusCode::OK, "od={od}");
        assert!(html.contains("<h1"), "od={od}");
    }
    assert!(s.page("/szukaj?q=integracji").await.contains("Klub Integracji"), "the server is alive and searching");
}

#[tokio::test]
async fn security_headers_and_secure_cookies_over_https() {
    let s = start().await;
    for path in ["/", "/aktualnosci", "/nie-ma-takiej-strony"] {
        let (_, headers, _) = s.get(path, None).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
    let (_, headers, _) = s.get("/atom.xml", None).await;
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (_, headers, _) = s.get("/ustawienia/ustaw?c=1&powrot=/", None).await;
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("; Secure"), "the public URL is https");
    let (plain, _) = start_with(SiteConfig::default()).await;
    let (_, headers, _) = plain.get("/ustawienia/ustaw?c=1&powrot=/", None).await;
    assert!(!headers[SET_COOKIE].to_str().unwrap().contains("Secure"), "no https known: no Secure");
    let (proxied, _) = start_with(SiteConfig { trust_proxy: true, ..SiteConfig::default() }).await;
    let res = proxied
        .client
        .get(format!("{}/ustawienia/ustaw?c=1&powrot=/", proxied.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(res.headers()[SET_COOKIE].to_str().unwrap().contains("; Secure"), "a trusted proxy says https");
}

#[tokio::test]
async fn stored_control_characters_never_reach_pages_or_the_feed() {
    let s = start().await;
    let item = s
        .cms
        .create(NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: "Czysty tytuł".into(),
            lead: String::new(),
            body: "Treść".into(),
            author: "MOPS".into(),
            tags: vec![],
            cover: None,
            event: None,
        })
        .await
        .unwrap();
    let meta = s.cms.publish(item.meta.id, 1, None).await.unwrap();
    // A record written before validation refused control characters (an old store).
    let mut record = s.cms.get_record(NewsArticle::KIND, meta.id).await.unwrap();
    record.body = record.body.replace("Czysty tytuł", "Brudny\\u0001tytuł\\u000b").replace("Treść", "Zła\\u0000treść");
    record.meta.version += 1;
    s.cms.store().put(record).await.unwrap();
    s.cms.external_change(meta.id).await.unwrap();
    let html = s.page(&format!("/aktualnosci/{}", meta.slug)).await;
    assert!(html.contains("Brudny\u{FFFD}tytuł"), "replaced, not dropped silently");
    assert!(!html.contains('\u{1}') && !html.contains('\u{b}') && !html.contains('\u{0}'));
    let (_, _, feed) = s.get("/atom.xml", None).await;
    assert!(feed.contains("Brudny\u{FFFD}tytuł"));
    assert!(!feed.chars().any(witryna_core::validate::is_forbidden_char), "the feed stays XML");
}

fn job_offer() -> JobOffer {
    JobOffer {
        position: "Asystent rodziny".into(),
        unit: "Dział Pomocy Rodzinie".into(),
        description: "Do zadań należy:\n\n- **wspieranie** rodzin w kryzysie\n- prowadzenie dokumentacji\n\n\
                      <script>alert('oferta')</script>"
            .into(),
        apply_by: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        salary_from: Some(Money::from_grosze(450_000)),
    }
}

#[tokio::test]
async fn an_integrators_kind_gets_a_section_from_its_schema() {
    let kinds = Kinds::builtin().with::<JobOffer>(JobOffer::SPEC);
    let (s, _) = start_on(kinds, SiteConfig { public_url: Some(PUBLIC_URL.into()), ..SiteConfig::default() }).await;
    demo::seed(&s.cms).await.unwrap();
    let item = s.cms.create(job_offer()).await.unwrap();
    let meta = s.cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
    assert_eq!(meta.slug, "asystent-rodziny");

    let home = s.page("/").await;
    let menu = &home[home.find("aria-label=\"Menu główne\"").unwrap()..];
    let menu = &menu[..menu.find("</nav>").unwrap()];
    let links: Vec<&str> = menu.split("<a href=\"").skip(1).map(|a| &a[..a.find('"').unwrap()]).collect();
    assert_eq!(links, ["/", "/aktualnosci", "/projekty", "/jednostki", "/oferty-pracy", "/szukaj"], "{menu}");
    assert!(menu.contains("<a href=\"/oferty-pracy\">Oferty pracy</a>"));

    let list = s.page("/oferty-pracy").await;
    assert_page_frame(&list, "/oferty-pracy");
    assert!(list.contains("<h1>Oferty pracy</h1>"));
    assert!(list.contains("<a href=\"/oferty-pracy/asystent-rodziny\">Asystent rodziny</a>"), "{list}");
    assert!(list.contains("<p>Dział Pomocy Rodzinie</p>"), "the lead of its search parts");
    assert!(list.contains("aria-current=\"page\">Oferty pracy</a>"), "the menu marks the section");

    let (status, headers, html) = s.get("/oferty-pracy/asystent-rodziny", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_page_frame(&html, "job offer");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    assert!(headers.contains_key("etag"), "served through the page cache");
    assert!(html.contains("<h1>Asystent rodziny</h1>"), "{html}");
    assert!(html.contains("<li><a href=\"/oferty-pracy\">Oferty pracy</a></li>"), "breadcrumb to the list");
    assert!(html.contains("<dl>"));
    for (label, value) in [
        ("Stanowisko", "Asystent rodziny".to_owned()),
        ("Komórka", "Dział Pomocy Rodzinie".to_owned()),
        ("Termin składania dokumentów", "31 grudnia 2026".to_owned()),
        ("Wynagrodzenie od", Money::from_grosze(450_000).to_string()),
    ] {
        assert!(html.contains(&format!("<dt>{label}</dt><dd>{value}</dd>")), "{label}: {html}");
    }
    let order = ["<dt>Stanowisko", "<dt>Komórka", "<dt>Opis stanowiska", "<dt>Termin", "<dt>Wynagrodzenie"]
        .map(|dt| html.find(dt).unwrap_or_else(|| panic!("{dt}: {html}")));
    assert!(order.is_sorted(), "fields in declaration order: {order:?}");
    assert!(html.contains("<strong>wspieranie</strong>"), "the CommonMark field is rendered: {html}");
    assert!(!html.contains("<script>alert") && !html.contains("alert('oferta')"), "and sanitized");

    let (_, _, sitemap) = s.get("/sitemap.xml", None).await;
    assert!(sitemap.contains("<loc>https://mops.example.pl/oferty-pracy</loc>"));
    assert!(sitemap.contains("<loc>https://mops.example.pl/oferty-pracy/asystent-rodziny</loc>"));
    assert!(s.page("/mapa-strony").await.contains("<a href=\"/oferty-pracy/asystent-rodziny\">Asystent rodziny</a>"));

    let found = s.page("/szukaj?q=wspieranie+rodzin").await;
    assert!(found.contains("<a href=\"/oferty-pracy/asystent-rodziny\">Asystent rodziny</a>"), "{found}");
    assert!(found.contains("Oferta pracy, "), "the kind's singular label");

    let (_, _, atom) = s.get("/atom.xml", None).await;
    assert!(atom.contains("<title>Aktualności – ") && !atom.contains("oferty-pracy"), "the feed stays the news");

    let (status, _, html) = s.get("/oferty-pracy/nie-ma-takiej-oferty", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Nie znaleźliśmy tej strony"), "the site's 404");
    assert!(html.contains("<a href=\"/oferty-pracy\">Oferty pracy</a>"), "the 404 offers every section");

    let meta = s.cms.set_slug(meta.id, meta.version, "asystentka-rodziny").await.unwrap();
    let (status, headers, _) = s.get("/oferty-pracy/asystent-rodziny", None).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[LOCATION], "/oferty-pracy/asystentka-rodziny");
    s.cms.unpublish(meta.id, meta.version).await.unwrap();
    assert_eq!(s.get("/oferty-pracy/asystentka-rodziny", None).await.0, StatusCode::NOT_FOUND, "no longer public");
    assert!(!s.page("/oferty-pracy").await.contains("asystentka-rodziny"));
}

#[tokio::test]
async fn the_registry_decides_the_sections_and_the_feed() {
    let (s, _) = start_on(Kinds::empty().with::<JobOffer>(JobOffer::SPEC), SiteConfig::default()).await;
    let item = s.cms.create(job_offer()).await.unwrap();
    s.cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
    for path in ["/aktualnosci", "/projekty", "/jednostki", "/strony/klauzula-informacyjna"] {
        assert_eq!(s.get(path, None).await.0, StatusCode::NOT_FOUND, "{path}: not in the registry");
    }
    let home = s.page("/").await;
    assert_page_frame(&home, "/");
    assert!(!home.contains("Wszystkie aktualności"), "no blocks of kinds the site does not have");
    assert!(home.contains("<a href=\"/oferty-pracy\">Oferty pracy</a>"));
    assert!(home.contains("title=\"Oferty pracy – Witryna\" href=\"/atom.xml\""), "the feed's section");

    let (status, _, atom) = s.get("/atom.xml", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(atom.contains("<title>Oferty pracy – Witryna</title>"), "{atom}");
    assert!(atom.contains("<link rel=\"alternate\" type=\"text/html\" href=\"/oferty-pracy/asystent-rodziny\"/>"));
    assert!(atom.contains("<summary>Dział Pomocy Rodzinie</summary>"));
    assert!(atom.contains("&lt;dt&gt;Stanowisko&lt;/dt&gt;"), "the generic fields, escaped: {atom}");
    assert!(!atom.contains("<script") && !atom.contains("alert("), "sanitized");
}

/// A preview as the editor interface gets it from [`preview`], with the visitor's cookie.
async fn preview_of(
    state: &SiteState,
    cookie: Option<&str>,
    record: Record,
    note: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut headers = axum::http::HeaderMap::new();
    if let Some(c) = cookie {
        headers.insert(axum::http::header::COOKIE, c.parse().unwrap());
    }
    let (parts, body) = preview(state, &headers, record, note).await.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, String::from_utf8(body.to_vec()).unwrap())
}

/// What marks a preview: the page frame every page has, the banner at the top of `<main>`
/// (before the one `<h1>`), not indexed, not stored, the security headers as on any page.
fn assert_preview(headers: &axum::http::HeaderMap, html: &str, what: &str) {
    assert_page_frame(html, what);
    let main = html.find("<main id=\"tresc\" tabindex=\"-1\">").unwrap();
    let banner = html
        .find("<div class=\"podglad\">\n  <p><strong>Podgląd — tak ta wersja wygląda na stronie; ten adres jest tylko dla redakcji</strong></p>")
        .unwrap_or_else(|| panic!("{what}: the banner: {html}"));
    assert!(main < banner && banner < html.find("<h1").unwrap(), "{what}: the banner opens the content");
    assert_eq!(html.matches("class=\"podglad\"").count(), 1, "{what}: one banner");
    let head = &html[..html.find("</head>").unwrap()];
    assert!(head.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"), "{what}: {head}");
    assert_eq!(headers["cache-control"], "no-store", "{what}");
    assert_eq!(headers["x-robots-tag"], "noindex", "{what}");
    assert!(!headers.contains_key("etag"), "{what}: nothing to revalidate");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"), "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
}

/// A public page carries no mark of a preview.
fn assert_not_preview(headers: &reqwest::header::HeaderMap, html: &str, what: &str) {
    assert!(!html.contains("podglad") && !html.contains("Podgląd") && !html.contains("noindex"), "{what}");
    assert_eq!(headers["cache-control"], "no-cache", "{what}");
    assert!(!headers.contains_key("x-robots-tag") && headers.contains_key("etag"), "{what}");
}

#[tokio::test]
async fn a_draft_previews_through_the_sites_templates_and_stays_unpublished() {
    let (s, state) = start_with(SiteConfig { public_url: Some(PUBLIC_URL.into()), ..SiteConfig::default() }).await;
    let item = s
        .cms
        .create(NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: "Dyżur doradcy w sobotę".into(),
            lead: "Zapraszamy mieszkańców.".into(),
            body: "Doradca przyjmuje **od 9 do 13**.\n\n<script>alert('szkic')</script>".into(),
            author: "MOPS Głowno".into(),
            tags: vec![],
            cover: None,
            event: None,
        })
        .await
        .unwrap();
    let path = format!("/aktualnosci/{}", item.meta.slug);
    let record = s.cms.get_record(NewsArticle::KIND, item.meta.id).await.unwrap();
    let cached = state.cache_usage();

    let (status, headers, html) = preview_of(&state, None, record.clone(), "Szkic, wersja 1 <b>").await;
    assert_eq!(status, StatusCode::OK);
    assert_preview(&headers, &html, "news draft");
    assert!(html.contains("<h1>Dyżur doradcy w sobotę</h1>"), "{html}");
    assert!(html.contains("<p class=\"wstep\">Zapraszamy mieszkańców.</p>"));
    assert!(html.contains("Doradca przyjmuje <strong>od 9 do 13</strong>."), "the body through the site's Markdown");
    assert!(!html.contains("<script>alert") && !html.contains("alert('szkic')"), "sanitized as on the public page");
    assert!(html.contains("<p>Szkic, wersja 1 &#60;b&#62;</p>"), "the note, escaped: {html}");
    assert!(html.contains("<a href=\"/aktualnosci\">Aktualności</a>"), "the section's breadcrumb");
    assert!(html.contains("<title>Dyżur doradcy w sobotę – "), "the item's title");
    assert_eq!(state.cache_usage(), cached, "nothing of the preview reached the page cache");

    let (status, _, page) = s.get(&path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the draft is still not public");
    assert!(!page.contains("Dyżur doradcy"));
    let (_, _, again) = preview_of(&state, None, record.clone(), "Szkic, wersja 1 <b>").await;
    assert_eq!(again, html, "the 404 at that address cached nothing a preview shows");

    let (_, _, contrast) = preview_of(&state, Some("witryna_ustawienia=f0-c1"), record.clone(), "").await;
    assert!(contrast.contains("class=\"czcionka-0 kontrast\""), "the visitor's settings apply");
    assert!(!contrast.contains("<p></p>"), "an empty note adds no paragraph");

    let (_, headers, public) = s.get("/aktualnosci/spotkanie-informacyjne-w-klubie-integracji-spolecznej", None).await;
    assert_not_preview(&headers, &public, "a public news item");

    let mut unknown = record;
    unknown.meta.kind = "nieznany".into();
    let (status, headers, html) = preview_of(&state, None, unknown, "Szkic").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a kind without a site section");
    assert!(html.contains("Nie znaleźliśmy tej strony"), "the site's 404");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn a_preview_of_an_edit_leaves_the_public_page_and_its_cache_alone() {
    let (s, state) = start_with(SiteConfig::default()).await;
    let article = NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title: "Zmiana godzin pracy kasy".into(),
        lead: String::new(),
        body: "Kasa jest czynna do 15:00.".into(),
        author: "MOPS".into(),
        tags: vec![],
        cover: None,
        event: None,
    };
    let item = s.cms.create(article.clone()).await.unwrap();
    let meta = s.cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
    let path = format!("/aktualnosci/{}", meta.slug);
    let (_, first, before) = s.get(&path, None).await;
    assert!(before.contains("Kasa jest czynna do 15:00."));
    assert_not_preview(&first, &before, "the published item");
    let cached = state.cache_usage();
    assert!(cached.0 >= 1, "the public page is cached");

    // The editor's edit of the published item, not published yet.
    let mut edited = s.cms.get_record(NewsArticle::KIND, meta.id).await.unwrap();
    edited.body = serde_json::to_string(&NewsArticle { body: "Kasa jest czynna do 17:00.".into(), ..article }).unwrap();
    edited.meta.version += 1;
    let (status, headers, html) =
        preview_of(&state, None, edited, "Opublikowana wersja 2; podgląd zmian z wersji 3").await;
    assert_eq!(status, StatusCode::OK);
    assert_preview(&headers, &html, "an edit of a published item");
    assert!(html.contains("Kasa jest czynna do 17:00.") && !html.contains("15:00"), "the edited text");
    assert!(html.contains("<p>Opublikowana wersja 2; podgląd zmian z wersji 3</p>"));
    assert_eq!(state.cache_usage(), cached, "the preview neither replaced nor added a cache entry");

    let (status, after_headers, after) = s.get(&path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before, "the public page keeps the published text");
    assert!(!after.contains("17:00"));
    assert_eq!(after_headers["etag"], first["etag"]);
    assert_not_preview(&after_headers, &after, "the published item after the preview");
}

#[tokio::test]
async fn an_integrators_kind_and_the_accessibility_settings_preview_too() {
    let kinds = Kinds::builtin().with::<JobOffer>(JobOffer::SPEC);
    let (s, state) = start_on(kinds, SiteConfig::default()).await;
    demo::seed(&s.cms).await.unwrap();
    let item = s.cms.create(job_offer()).await.unwrap();
    let record = s.cms.get_record(JobOffer::KIND, item.meta.id).await.unwrap();
    let (status, headers, html) = preview_of(&state, None, record, "Szkic, wersja 1").await;
    assert_eq!(status, StatusCode::OK);
    assert_preview(&headers, &html, "a job offer draft");
    assert!(html.contains("<h1>Asystent rodziny</h1>"), "{html}");
    assert!(html.contains("<li><a href=\"/oferty-pracy\">Oferty pracy</a></li>"), "breadcrumb to the list");
    assert!(html.contains("<dt>Stanowisko</dt><dd>Asystent rodziny</dd>"));
    assert!(html.contains("<dt>Termin składania dokumentów</dt><dd>31 grudnia 2026</dd>"));
    assert!(html.contains("<strong>wspieranie</strong>") && !html.contains("alert('oferta')"));
    assert_eq!(s.get("/oferty-pracy/asystent-rodziny", None).await.0, StatusCode::NOT_FOUND, "still a draft");
    assert!(!s.page("/oferty-pracy").await.contains("Asystent rodziny"));

    // The accessibility settings (a singleton): the declaration, and the layout they fill in.
    let saved = s.cms.singleton::<AccessibilitySettings>().await.unwrap().unwrap();
    let mut record = s.cms.get_record(AccessibilitySettings::KIND, saved.meta.id).await.unwrap();
    let mut settings = saved.content.clone();
    settings.declaration.entity = "Ośrodek Pomocy w Głownie (nowa nazwa)".into();
    record.body = serde_json::to_string(&settings).unwrap();
    let (status, headers, html) = preview_of(&state, None, record, "Ustawienia, zmiany niezapisane").await;
    assert_eq!(status, StatusCode::OK);
    assert_preview(&headers, &html, "the accessibility settings");
    assert!(html.contains("<span id=\"a11y-podmiot\">Ośrodek Pomocy w Głownie (nowa nazwa)</span>"), "{html}");
    assert!(html.contains("<p class=\"nazwa\"><a href=\"/\">Ośrodek Pomocy w Głownie (nowa nazwa)</a></p>"));
    let (_, headers, public) = s.get("/deklaracja-dostepnosci", None).await;
    assert!(!public.contains("nowa nazwa"), "the saved settings stay public");
    assert_not_preview(&headers, &public, "the declaration");
}
