//! The editor interface over real HTTP on a sled store with the demo content: first run,
//! login, roles, CSRF and `Origin`, sessions, the whole life of a news item, concurrent
//! edits, revisions and previews.

use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;
use witryna_accounts::users::{self, NewUser};
use witryna_accounts::{setup, Role};
use witryna_admin::{AdminConfig, AdminState};
use witryna_core::{demo, Cms, Kinds, ManualClock};
use witryna_site::SiteState;

struct Server {
    base: String,
    cms: Cms,
    clock: Arc<ManualClock>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "zielona łąka nad Wartą";

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let store = Arc::new(witryna_sled::SledStore::open(dir.path()).unwrap());
    let cms = Cms::with_clock(store, clock.clone())
        .with_kinds(witryna_webhooks::kinds(witryna_accounts::kinds(Kinds::builtin())));
    demo::seed(&cms).await.unwrap();
    let site = SiteState::new(cms.clone());
    let admin = AdminState::new(cms.clone(), site.clone(), AdminConfig::default());
    let app = witryna_site::routes(site).merge(witryna_admin::routes(admin));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Server { base, cms, clock, client, _dir: dir }
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    html: String,
}

/// A browser's session: its cookie and the origin it posts from.
#[derive(Clone, Default)]
struct Browser {
    cookie: String,
}

impl Server {
    async fn add_user(&self, email: &str, name: &str, role: Role) {
        let new = NewUser { email: email.into(), display_name: name.into(), role, password: PASSWORD.into() };
        users::create_user(&self.cms, new).await.unwrap();
    }

    async fn get(&self, b: &Browser, path: &str) -> Page {
        let res = self.client.get(format!("{}{path}", self.base)).header(COOKIE, &b.cookie).send().await.unwrap();
        page(res).await
    }

    async fn post(&self, b: &Browser, path: &str, form: &[(String, String)]) -> Page {
        self.post_from(b, path, form, &self.base.clone()).await
    }

    async fn post_from(&self, b: &Browser, path: &str, form: &[(String, String)], origin: &str) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &b.cookie)
            .header(ORIGIN, origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        page(res).await
    }

    /// Logs in through the form; the browser then carries the session cookie.
    async fn login(&self, email: &str) -> Browser {
        let mut b = Browser::default();
        let form = self.get(&b, "/admin/logowanie").await;
        b.cookie = cookie_pairs(&form.cookies);
        let mut fields = inputs(&form.html);
        set(&mut fields, "email", email);
        set(&mut fields, "haslo", PASSWORD);
        let done = self.post(&b, "/admin/logowanie", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
        b.cookie = cookie_pairs(&done.cookies);
        assert!(b.cookie.starts_with("witryna-sesja="), "{}", b.cookie);
        b
    }
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let cookies = res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    Page { status, location, cookies, html: res.text().await.unwrap() }
}

/// `name=value` pairs of Set-Cookie headers, as a Cookie header.
fn cookie_pairs(set_cookies: &[String]) -> String {
    set_cookies.iter().map(|c| c.split(';').next().unwrap().to_owned()).collect::<Vec<_>>().join("; ")
}

/// What a browser would submit from the first post form in a page's `<main>` (without any
/// button): inputs with their values (checkboxes when checked), textareas, selected options.
fn inputs(html: &str) -> Vec<(String, String)> {
    let main = &html[html.find("<main").expect("a main")..];
    form_fields(&main[main.find("<form method=\"post\"").expect("a post form")..])
}

/// The fields of the logout form in the header.
fn logout_fields(html: &str) -> Vec<(String, String)> {
    form_fields(&html[html.find("<form method=\"post\" action=\"/admin/wyloguj\"").expect("a logout form")..])
}

fn form_fields(form: &str) -> Vec<(String, String)> {
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..=end];
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            tag.find(&key).map(|i| unescape(&tag[i + key.len()..][..tag[i + key.len()..].find('"').unwrap()]))
        };
        if tag.starts_with("<input") {
            let kind = attr("type").unwrap_or_default();
            let checkable = kind == "checkbox" || kind == "radio";
            if let Some(name) = attr("name") {
                if !checkable || tag.contains(" checked") {
                    out.push((
                        name,
                        attr("value").unwrap_or_else(|| if checkable { "on".into() } else { String::new() }),
                    ));
                }
            }
        } else if tag.starts_with("<textarea") {
            let body = &rest[end + 1..];
            let text = &body[..body.find("</textarea>").unwrap()];
            let text = text.strip_prefix('\n').unwrap_or(text);
            out.push((attr("name").unwrap(), unescape(text)));
        } else if tag.starts_with("<select") {
            let name = attr("name").unwrap();
            let body = &rest[end + 1..];
            let body = &body[..body.find("</select>").unwrap()];
            let chosen =
                body.split("<option").skip(1).find(|o| o.contains(" selected")).or(body.split("<option").nth(1));
            if let Some(option) = chosen {
                let value = option.split("value=\"").nth(1).map_or("", |v| &v[..v.find('"').unwrap()]);
                out.push((name, unescape(value)));
            }
        }
        rest = &rest[end + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(field) => field.1 = value.into(),
        None => fields.push((name.into(), value.into())),
    }
}

fn press(mut fields: Vec<(String, String)>, action: &str) -> Vec<(String, String)> {
    fields.push(("_akcja".into(), action.into()));
    fields
}

#[tokio::test]
async fn the_first_run_link_makes_one_administrator_once() {
    let s = start().await;
    let secret = setup::create(&s.cms).await.unwrap();
    let path = format!("/admin/pierwsze-konto/{secret}");
    let mut b = Browser::default();
    let form = s.get(&b, &path).await;
    assert_eq!(form.status, StatusCode::OK);
    b.cookie = cookie_pairs(&form.cookies);
    let mut fields = inputs(&form.html);
    set(&mut fields, "email", "kierownik@mops.example.pl");
    set(&mut fields, "nazwa", "Ewa Nowak");
    set(&mut fields, "haslo", "krótkie");
    set(&mut fields, "haslo2", "krótkie");
    let refused = s.post(&b, &path, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("href=\"#haslo\"") && refused.html.contains("co najmniej 12 znaków"),
        "{}",
        refused.html
    );

    set(&mut fields, "haslo", PASSWORD);
    set(&mut fields, "haslo2", PASSWORD);
    let made = s.post(&b, &path, &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    assert!(users::has_administrator(&s.cms).await.unwrap());
    let again = s.post(&b, &path, &fields).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "the link works once");
    assert_eq!(s.get(&Browser::default(), &path).await.status, StatusCode::NOT_FOUND);
    s.login("kierownik@mops.example.pl").await;
}

#[tokio::test]
async fn logins_say_the_same_for_a_wrong_address_and_a_wrong_password_and_slow_down() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let attempt = |email: &'static str, password: &'static str| {
        let s = &s;
        async move {
            let mut b = Browser::default();
            let form = s.get(&b, "/admin/logowanie").await;
            b.cookie = cookie_pairs(&form.cookies);
            let mut fields = inputs(&form.html);
            set(&mut fields, "email", email);
            set(&mut fields, "haslo", password);
            s.post(&b, "/admin/logowanie", &fields).await
        }
    };
    let wrong_email = attempt("nikt@mops.example.pl", PASSWORD).await;
    let wrong_password = attempt("anna@mops.example.pl", "nie to hasło wcale").await;
    assert_eq!(wrong_email.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    let message = |p: &Page| {
        let from = &p.html[p.html.find("<h2>").unwrap()..];
        from[..from.find("</div>").unwrap()].to_owned()
    };
    assert_eq!(message(&wrong_email), message(&wrong_password));
    for _ in 1..witryna_admin::FAILURES_PER_ACCOUNT {
        attempt("anna@mops.example.pl", "nie to hasło wcale").await;
    }
    let slowed = attempt("anna@mops.example.pl", "nie to hasło wcale").await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(slowed.html.contains("Spróbuj ponownie za"));
    let huge: &'static str = Box::leak(format!("{}@mops.example.pl", "a".repeat(1 << 20)).into_boxed_str());
    let long = attempt(huge, PASSWORD).await;
    assert_eq!(long.status, StatusCode::UNAUTHORIZED);
    assert!(long.html.len() < 100_000, "a 1 MB e-mail is not shown back");
    let blocked_right = attempt("anna@mops.example.pl", PASSWORD).await;
    assert_eq!(blocked_right.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits for the window");
    s.add_user("bartek@mops.example.pl", "Bartek", Role::Author).await;
    s.login("bartek@mops.example.pl").await;
}

#[tokio::test]
async fn forms_need_the_session_token_and_this_sites_origin() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    let form = s.get(&b, "/admin/aktualnosci/nowy").await;
    let mut fields = inputs(&form.html);
    set(&mut fields, "title", "Z innej strony");
    let evil = s.post_from(&b, "/admin/aktualnosci/nowy", &fields, "http://evil.example").await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let no_token: Vec<_> = fields.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    assert_eq!(s.post(&b, "/admin/aktualnosci/nowy", &no_token).await.status, StatusCode::FORBIDDEN);
    let other = s.login("anna@mops.example.pl").await;
    let other_token = inputs(&s.get(&other, "/admin/aktualnosci/nowy").await.html);
    let mut mixed = fields.clone();
    set(&mut mixed, "_csrf", &other_token.iter().find(|(k, _)| k == "_csrf").unwrap().1);
    assert_eq!(
        s.post(&b, "/admin/aktualnosci/nowy", &mixed).await.status,
        StatusCode::FORBIDDEN,
        "another session's token"
    );
    let news =
        s.cms.list_records("news", witryna_core::Query { view: witryna_core::View::Editor, ..Default::default() });
    assert!(news.await.unwrap().records.iter().all(|r| !r.body.contains("Z innej strony")), "nothing was written");
}

#[tokio::test]
async fn sessions_end_on_logout_and_after_30_idle_minutes() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    assert_eq!(s.get(&b, "/admin").await.status, StatusCode::OK);
    s.clock.advance(Duration::minutes(31));
    let idle = s.get(&b, "/admin/aktualnosci").await;
    assert_eq!(idle.status, StatusCode::SEE_OTHER);
    assert_eq!(idle.location.as_deref(), Some("/admin/logowanie?powrot=%2Fadmin%2Faktualnosci"));

    let b = s.login("anna@mops.example.pl").await;
    let dashboard = s.get(&b, "/admin").await;
    let token = logout_fields(&dashboard.html);
    let out = s.post(&b, "/admin/wyloguj", &token).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.cookies.iter().any(|c| c.contains("Max-Age=0")));
    assert_eq!(s.get(&b, "/admin").await.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test]
async fn roles_authors_write_drafts_editors_publish_administrators_manage_users() {
    let s = start().await;
    s.add_user("autor@mops.example.pl", "Jan Autor", Role::Author).await;
    s.add_user("redaktor@mops.example.pl", "Ola Redaktor", Role::Editor).await;
    let author = s.login("autor@mops.example.pl").await;
    let form = s.get(&author, "/admin/aktualnosci/nowy").await;
    assert!(!form.html.contains("value=\"publikuj\""), "no publish button for an author");
    let mut fields = inputs(&form.html);
    set(&mut fields, "title", "Szkic autora");
    set(&mut fields, "body", "Treść.");
    set(&mut fields, "author", "Jan Autor");
    let publish = s.post(&author, "/admin/aktualnosci/nowy", &press(fields.clone(), "publikuj")).await;
    assert_eq!(publish.status, StatusCode::FORBIDDEN);
    let draft = s.post(&author, "/admin/aktualnosci/nowy", &press(fields, "zapisz")).await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.html);
    let href = draft.location.unwrap();
    let href = href.split('?').next().unwrap().to_owned();

    let demo_news = s.cms.list_records("news", witryna_core::Query::default()).await.unwrap().records[0].meta.id;
    let theirs = s.get(&author, &format!("/admin/aktualnosci/{demo_news}")).await;
    assert!(theirs.html.contains("nie zmieniać"), "someone else's item is read-only for an author");
    let theirs_fields = press(inputs(&theirs.html), "zapisz");
    assert_eq!(
        s.post(&author, &format!("/admin/aktualnosci/{demo_news}"), &theirs_fields).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.get(&author, "/admin/uzytkownicy").await.status, StatusCode::FORBIDDEN);

    let editor = s.login("redaktor@mops.example.pl").await;
    assert_eq!(
        s.get(&editor, "/admin/uzytkownicy").await.status,
        StatusCode::FORBIDDEN,
        "an editor cannot manage users"
    );
    assert_eq!(s.get(&editor, "/admin/tokeny").await.status, StatusCode::FORBIDDEN);
    let their_draft = s.get(&editor, &href).await;
    let published = s.post(&editor, &href, &press(inputs(&their_draft.html), "publikuj")).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.html);
    let site = s.client.get(format!("{}/aktualnosci/szkic-autora", s.base)).send().await.unwrap();
    assert_eq!(site.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_news_item_from_empty_form_to_the_site_with_a_fixed_error() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    let form = s.get(&b, "/admin/aktualnosci/nowy").await;
    assert_eq!(form.status, StatusCode::OK);
    let mut fields = inputs(&form.html);
    set(&mut fields, "title", "");
    set(&mut fields, "body", "Klub Integracji Społecznej zaprasza.");
    set(&mut fields, "author", "Anna Kowalska");
    let refused = s.post(&b, "/admin/aktualnosci/nowy", &press(fields.clone(), "publikuj")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("class=\"error-summary\""), "{}", refused.html);
    assert!(
        refused.html.contains("href=\"#f-title\"") && refused.html.contains("Uzupełnij to pole"),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("Klub Integracji Społecznej zaprasza."), "typed text is kept");

    let mut fields = inputs(&refused.html);
    set(&mut fields, "title", "Spotkanie w Klubie Integracji Społecznej");
    let mut far = fields.clone();
    set(&mut far, "_data", "0000-01-01");
    let out_of_range = s.post(&b, "/admin/aktualnosci/nowy", &press(far, "zaplanuj")).await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY, "a date no answer can carry");
    assert!(out_of_range.html.contains("href=\"#data-publikacji\""), "{}", out_of_range.html);
    let done = s.post(&b, "/admin/aktualnosci/nowy", &press(fields, "publikuj")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let edit = s.get(&b, done.location.as_deref().unwrap()).await;
    assert!(edit.html.contains("Opublikowano."), "the confirmation");
    assert!(edit.html.contains("Anna Kowalska"), "who saved it");
    let site =
        s.client.get(format!("{}/aktualnosci/spotkanie-w-klubie-integracji-spolecznej", s.base)).send().await.unwrap();
    assert_eq!(site.status(), StatusCode::OK);
    assert!(site.text().await.unwrap().contains("Klub Integracji Społecznej zaprasza."));
}

#[tokio::test]
async fn a_concurrent_edit_is_shown_not_overwritten() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    s.add_user("piotr@mops.example.pl", "Piotr Zieliński", Role::Editor).await;
    let anna = s.login("anna@mops.example.pl").await;
    let piotr = s.login("piotr@mops.example.pl").await;
    let id = s.cms.list_records("news", witryna_core::Query::default()).await.unwrap().records[0].meta.id;
    let path = format!("/admin/aktualnosci/{id}");
    let anna_form = inputs(&s.get(&anna, &path).await.html);
    let mut piotr_form = inputs(&s.get(&piotr, &path).await.html);
    set(&mut piotr_form, "title", "Tytuł Piotra");
    set(&mut piotr_form, "_powod", "nowy tytuł");
    assert_eq!(s.post(&piotr, &path, &press(piotr_form, "zapisz")).await.status, StatusCode::SEE_OTHER);
    let mut anna_form = anna_form;
    set(&mut anna_form, "title", "Tytuł Anny");
    set(&mut anna_form, "_powod", "mój tytuł");
    let clash = s.post(&anna, &path, &press(anna_form, "zapisz")).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert!(clash.html.contains("Piotr Zieliński"), "says who");
    assert!(clash.html.contains("Tytuł Piotra") && clash.html.contains("Tytuł Anny"), "shows both");
    let stored = s.cms.get_record("news", id).await.unwrap();
    assert!(stored.body.contains("Tytuł Piotra"), "nothing overwritten");
    // A form shown again (a list button, a typing error) keeps the version it was loaded at.
    let mut piotr_again = inputs(&s.get(&piotr, &path).await.html);
    let stale = inputs(&s.get(&anna, &path).await.html);
    set(&mut piotr_again, "title", "Tytuł Piotra 2");
    set(&mut piotr_again, "_powod", "poprawka");
    assert_eq!(s.post(&piotr, &path, &press(piotr_again, "zapisz")).await.status, StatusCode::SEE_OTHER);
    let mut with_op = stale.clone();
    with_op.push(("_op".into(), "add:tags".into()));
    let shown_again = s.post(&anna, &path, &with_op).await;
    assert_eq!(shown_again.status, StatusCode::OK);
    let still_stale = press(inputs(&shown_again.html), "zapisz");
    assert_eq!(s.post(&anna, &path, &still_stale).await.status, StatusCode::CONFLICT, "still caught");
    let clash = s.post(&anna, &path, &press(inputs(&clash.html), "zapisz")).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    // Saving the shown form again is a decision: it is based on Piotr's version now.
    let again = s.post(&anna, &path, &press(inputs(&clash.html), "zapisz")).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(s.cms.get_record("news", id).await.unwrap().body.contains("Tytuł Anny"));
}

#[tokio::test]
async fn revisions_compare_and_restore_and_previews_need_a_session() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    let id = s.cms.list_records("news", witryna_core::Query::default()).await.unwrap().records[0].meta.id;
    let path = format!("/admin/aktualnosci/{id}");
    let original = s.cms.get_record("news", id).await.unwrap();
    let mut fields = inputs(&s.get(&b, &path).await.html);
    set(&mut fields, "title", "Nowy tytuł po zmianie");
    let refused = s.post(&b, &path, &press(fields.clone(), "zapisz")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "a public item needs a reason");
    assert!(
        refused.html.contains("href=\"#powod\"") && refused.html.contains("aria-invalid=\"true\""),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("Nowy tytuł po zmianie"), "the text typed is kept");
    set(&mut fields, "_powod", "literówka w tytule");
    assert_eq!(s.post(&b, &path, &press(fields, "zapisz")).await.status, StatusCode::SEE_OTHER);
    let saved = s.cms.get_record("news", id).await.unwrap();
    assert_eq!(saved.meta.record.change_note.as_deref(), Some("literówka w tytule"));
    assert_eq!(saved.meta.record.changed_by.as_deref(), Some("Anna Kowalska"));
    let versions = s.get(&b, &format!("{path}/wersje")).await;
    assert!(versions.html.contains("Anna Kowalska"), "{}", versions.html);
    let v = original.meta.version;
    let compare = s.get(&b, &format!("{path}/porownaj?od={v}&do={}", v + 1)).await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(compare.html.contains("<del>") && compare.html.contains("<ins>"), "{}", compare.html);
    let preview = s.get(&b, &format!("{path}/podglad")).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.html.contains("Nowy tytuł po zmianie") && preview.html.contains("noindex"));
    assert_eq!(s.get(&Browser::default(), &format!("{path}/podglad")).await.status, StatusCode::SEE_OTHER);
    let token = inputs(&versions.html);
    let mut restore = token.clone();
    set(&mut restore, "wersja", &v.to_string());
    let restored = s.post(&b, &format!("{path}/przywroc"), &restore).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let now = s.cms.get_record("news", id).await.unwrap();
    assert_eq!((now.meta.version, now.body), (v + 2, original.body), "restored as a new version");
}

#[tokio::test]
async fn every_page_type_answers_for_an_administrator() {
    let s = start().await;
    s.add_user("admin@mops.example.pl", "Ewa Nowak", Role::Administrator).await;
    let b = s.login("admin@mops.example.pl").await;
    let mut paths: Vec<String> =
        ["/admin", "/admin/uzytkownicy", "/admin/uzytkownicy/nowy", "/admin/tokeny", "/admin/haslo"]
            .map(Into::into)
            .to_vec();
    for kind in s.cms.kinds().iter().filter(|k| k.spec().is_some()) {
        let section = format!("/admin{}", kind.spec().unwrap().site_section);
        if kind.is_collection() {
            paths.push(format!("{section}/nowy"));
            let first = s.cms.list_records(kind.name(), witryna_core::Query::default()).await.unwrap().records;
            if let Some(r) = first.first() {
                paths.push(format!("{section}/{}", r.meta.id));
                paths.push(format!("{section}/{}/wersje", r.meta.id));
            }
        }
        paths.push(section);
    }
    for path in paths {
        let mut page = s.get(&b, &path).await;
        if page.status == StatusCode::SEE_OTHER {
            page = s.get(&b, page.location.as_deref().unwrap()).await;
        }
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        assert_eq!(page.html.matches("<h1").count(), 1, "{path}: one h1");
        assert!(page.html.contains("<html lang=\"pl\">"), "{path}");
    }
}

#[tokio::test]
async fn a_preview_link_shows_a_draft_to_a_colleague_without_an_account_for_7_days() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    let form = s.get(&b, "/admin/aktualnosci/nowy").await;
    let mut fields = inputs(&form.html);
    set(&mut fields, "title", "Nabór do Klubu Seniora");
    set(&mut fields, "body", "Szkic ogłoszenia.");
    set(&mut fields, "author", "Anna Kowalska");
    let made = s.post(&b, "/admin/aktualnosci/nowy", &press(fields, "zapisz")).await;
    let href = made.location.unwrap().split('?').next().unwrap().to_owned();
    let edit = s.get(&b, &href).await;
    let share_form = &edit.html[edit.html.find("/udostepnij").unwrap()..];
    let token = form_fields(&share_form[share_form.find("<input").unwrap() - 1..]);
    let shared = s.post(&b, &format!("{href}/udostepnij"), &token).await;
    assert_eq!(shared.status, StatusCode::OK);
    let url = shared.html.split("<code class=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let path = url.strip_prefix(&s.base).expect("an address on this site").to_owned();
    let seen = s.get(&Browser::default(), &path).await;
    assert_eq!(seen.status, StatusCode::OK, "no session needed");
    assert!(seen.html.contains("Nabór do Klubu Seniora") && seen.html.contains("noindex"));
    assert_eq!(s.get(&Browser::default(), "/admin/podglad/wsp_0000").await.status, StatusCode::NOT_FOUND);
    s.clock.advance(Duration::days(7) + Duration::minutes(1));
    assert_eq!(s.get(&Browser::default(), &path).await.status, StatusCode::NOT_FOUND, "expired");
}

/// A multipart form as a browser sends the upload page: the CSRF token, the text fields,
/// and the file.
fn upload_body(csrf: &str, title: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----witryna-test-boundary";
    let mut body = Vec::new();
    for (field, value) in [("_csrf", csrf), ("tytul", title), ("opis", "")] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn files_are_added_through_a_plain_form_and_shown_to_editors_before_they_are_public() {
    let s = start().await;
    s.add_user("redaktor@mops.example.pl", "Ewa Redaktor", Role::Editor).await;
    let b = s.login("redaktor@mops.example.pl").await;
    let form = s.get(&b, "/admin/media/nowy").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("enctype=\"multipart/form-data\"") && form.html.contains("type=\"file\""));
    let csrf = inputs(&form.html).into_iter().find(|(k, _)| k == "_csrf").unwrap().1;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let post = |title: &'static str, name: &'static str, bytes: &'static [u8], csrf: String| {
        let (content_type, body) = upload_body(&csrf, title, name, bytes);
        s.client
            .post(format!("{}/admin/media/nowy", s.base))
            .header(COOKIE, &b.cookie)
            .header(ORIGIN, &s.base)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let refused = page(post("", "wniosek.pdf", pdf, csrf.clone()).await.unwrap()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("href=\"#tytul\""), "the error summary links to the title: {}", refused.html);
    let svg =
        page(post("Logo", "logo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", csrf.clone()).await.unwrap())
            .await;
    assert_eq!(svg.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(svg.html.contains("SVG"), "{}", svg.html);
    let forged = page(post("Wniosek", "wniosek.pdf", pdf, "zly-token".into()).await.unwrap()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let added = page(post("Wniosek o zasiłek", "wniosek.pdf", pdf, csrf.clone()).await.unwrap()).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let location = added.location.unwrap();
    assert!(location.starts_with("/admin/media/") && location.ends_with("?komunikat=dodano-plik"), "{location}");
    let item = location.split('?').next().unwrap().to_owned();
    let edit = s.get(&b, &item).await;
    assert!(edit.html.contains("Wniosek o zasiłek") && edit.html.contains(&format!("{item}/plik")), "{}", edit.html);
    assert!(!edit.html.contains("name=\"file."), "the stored file is not a form field");

    let file = s.client.get(format!("{}{item}/plik", s.base)).header(COOKIE, &b.cookie).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["cache-control"], "private, no-store");
    assert_eq!(file.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let id: witryna_core::Id = item.rsplit('/').next().unwrap().parse().unwrap();
    let (_, media) = s.cms.media(id).await.unwrap().unwrap();
    let public = s.client.get(format!("{}/media/{}/wniosek.pdf", s.base, media.file.hash)).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND, "a draft's file is not public");
    let anonymous = s.client.get(format!("{}{item}/plik", s.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "the editor's copy needs a session");

    let again = page(post("Inny tytuł", "kopia.pdf", pdf, csrf).await.unwrap()).await;
    assert_eq!(again.location.as_deref(), Some(format!("{item}?komunikat=plik-byl").as_str()), "kept once");
}

/// A Polish news item gets its Ukrainian translation from the list's „Dodaj tłumaczenie”:
/// a form filled with the Polish text, the source beside it; the list then says where each
/// language stands, and a later change of the Polish text marks the translation outdated
/// until it is saved again.
#[tokio::test]
async fn a_translation_is_started_from_the_list_written_beside_its_source_and_kept_current() {
    let s = start().await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let b = s.login("anna@mops.example.pl").await;
    let mut news = witryna_core::testing::news("Dyżur doradcy rodzinnego", &[]);
    news.body = "Doradca przyjmuje we wtorki.".into();
    let source = s.cms.create(news.clone()).await.unwrap();
    let id = source.meta.id;
    s.cms.publish(id, source.meta.version, None).await.unwrap();

    let list = s.get(&b, "/admin/aktualnosci").await;
    assert!(list.html.contains("Tłumaczenie: <span lang=\"uk\">Українська</span>"), "{}", list.html);
    let start_href = format!("/admin/aktualnosci/{id}/tlumaczenie/uk");
    assert!(list.html.contains(&format!("brak <a href=\"{start_href}\">Dodaj tłumaczenie")), "{}", list.html);

    let form = s.get(&b, &start_href).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains("Nowe tłumaczenie (Українська)"), "{}", form.html);
    assert!(form.html.contains("<h2 id=\"zrodlo\">Tekst polski (źródło)</h2>"), "the source beside the form");
    assert!(form.html.contains("<dd>Doradca przyjmuje we wtorki.</dd>"), "{}", form.html);
    let mut fields = inputs(&form.html);
    assert!(fields.iter().any(|(k, v)| k == "title" && v == "Dyżur doradcy rodzinnego"), "filled with the Polish text");
    assert!(
        form.html.contains("id=\"f-title\" name=\"title\" value=\"Dyżur doradcy rodzinnego\" lang=\"uk\""),
        "typed in Ukrainian: {}",
        form.html
    );
    set(&mut fields, "title", "Чергування сімейного консультанта");
    set(&mut fields, "body", "Консультант приймає по вівторках.");
    let done = s.post(&b, &start_href, &press(fields, "publikuj")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let uk = s.cms.translation(id, "uk").await.unwrap().expect("the translation");
    assert_eq!((uk.meta.status, uk.meta.translation_of.map(|t| t.id)), (witryna_core::Status::Published, Some(id)));
    assert!(done.location.unwrap().starts_with(&format!("/admin/aktualnosci/{}", uk.meta.id)));
    let again = s.get(&b, &start_href).await;
    assert_eq!(again.location, Some(format!("/admin/aktualnosci/{}", uk.meta.id)), "one translation per language");
    assert_eq!(s.get(&b, &format!("/admin/aktualnosci/{id}/tlumaczenie/de")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&b, &format!("/admin/aktualnosci/{id}/tlumaczenie/pl")).await.status, StatusCode::NOT_FOUND);

    let row =
        |html: &str| html.split("<tr>").find(|r| r.contains("Dyżur doradcy rodzinnego")).unwrap_or_default().to_owned();
    assert!(row(&s.get(&b, "/admin/aktualnosci").await.html).contains("opublikowane"));
    let current = s.cms.get_record("news", id).await.unwrap();
    news.body = "Doradca przyjmuje we wtorki i czwartki.".into();
    s.cms.because("nowe dni").unwrap().update(id, current.meta.version, news).await.unwrap();
    assert!(row(&s.get(&b, "/admin/aktualnosci").await.html).contains("nieaktualne"), "the Polish text changed since");
    let edit_path = format!("/admin/aktualnosci/{}", uk.meta.id);
    let edit = s.get(&b, &edit_path).await;
    assert!(edit.html.contains("Polski tekst zmienił się po ostatnim zapisie tłumaczenia"), "{}", edit.html);
    assert!(edit.html.contains("<dd>Doradca przyjmuje we wtorki i czwartki.</dd>"));
    let mut fields = inputs(&edit.html);
    set(&mut fields, "body", "Консультант приймає по вівторках і четвергах.");
    set(&mut fields, "_powod", "nowe dni");
    assert_eq!(s.post(&b, &edit_path, &press(fields, "zapisz")).await.status, StatusCode::SEE_OTHER);
    let source_page = s.get(&b, &format!("/admin/aktualnosci/{id}")).await;
    assert!(source_page.html.contains("<span lang=\"uk\">Українська</span>: opublikowane"), "{}", source_page.html);
}

/// The audit log page: administrators read who did what — the failed login, the login, the
/// change with its reason, from the address they came from — filter it, and page it;
/// editors may not see it. The metryczka is edited on the item's form.
#[tokio::test]
async fn the_audit_log_shows_logins_and_changes_to_administrators_only() {
    let s = start().await;
    s.add_user("admin@mops.example.pl", "Ewa Administratorka", Role::Administrator).await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let mut b = Browser::default();
    let form = s.get(&b, "/admin/logowanie").await;
    b.cookie = cookie_pairs(&form.cookies);
    let mut fields = inputs(&form.html);
    set(&mut fields, "email", "anna@mops.example.pl");
    set(&mut fields, "haslo", "nie to hasło wcale");
    assert_eq!(s.post(&b, "/admin/logowanie", &fields).await.status, StatusCode::UNAUTHORIZED);
    let anna = s.login("anna@mops.example.pl").await;
    let id = s.cms.list_records("news", witryna_core::Query::default()).await.unwrap().records[0].meta.id;
    let path = format!("/admin/aktualnosci/{id}");
    let mut form = inputs(&s.get(&anna, &path).await.html);
    set(&mut form, "_powod", "uzupełnienie metryczki");
    set(&mut form, "_odpowiedzialny", "Jan Kowalski, kierownik");
    set(&mut form, "_data_wytworzenia", "2026-02-30");
    let bad_date = s.post(&anna, &path, &press(form.clone(), "zapisz")).await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY, "a date that does not exist");
    assert!(bad_date.html.contains("href=\"#data-wytworzenia\""), "{}", bad_date.html);
    set(&mut form, "_data_wytworzenia", "2026-11-20");
    assert_eq!(s.post(&anna, &path, &press(form, "zapisz")).await.status, StatusCode::SEE_OTHER);
    let saved = s.cms.get_record("news", id).await.unwrap();
    assert_eq!(saved.meta.record.responsible.as_deref(), Some("Jan Kowalski, kierownik"));
    assert_eq!(saved.meta.record.change_note.as_deref(), Some("uzupełnienie metryczki"));
    let edit = s.get(&anna, &path).await;
    assert!(edit.html.contains("value=\"Jan Kowalski, kierownik\""), "the form shows it");

    assert_eq!(s.get(&anna, "/admin/dziennik").await.status, StatusCode::FORBIDDEN);
    let admin = s.login("admin@mops.example.pl").await;
    let log = s.get(&admin, "/admin/dziennik").await;
    assert_eq!(log.status, StatusCode::OK);
    let rows = &log.html[log.html.find("<tbody>").unwrap()..];
    for text in ["nieudane logowanie", "logowanie", "zmiana metryczki", "uzupełnienie metryczki", "127.0.0.1"] {
        assert!(rows.contains(text), "{text}: {rows}");
    }
    assert!(rows.contains("Anna Kowalska") && rows.contains("Ewa Administratorka"));
    let failed = s.get(&admin, "/admin/dziennik?akcja=login-failed").await;
    let failed_rows = &failed.html[failed.html.find("<tbody>").unwrap()..];
    assert_eq!(failed_rows.matches("<tr>").count(), 1, "{failed_rows}");
    assert!(failed_rows.contains("błędne hasło"));
    let by_item = s.get(&admin, &format!("/admin/dziennik?tresc={id}")).await;
    let item_rows = &by_item.html[by_item.html.find("<tbody>").unwrap()..];
    assert!(item_rows.contains("zmiana metryczki") && !item_rows.contains("logowanie"), "{item_rows}");
    let bad = s.get(&admin, "/admin/dziennik?tresc=nie-id&od=wczoraj").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("href=\"#tresc\"") && bad.html.contains("href=\"#od\""), "{}", bad.html);
}

/// Administrators register webhook endpoints on the form (a private address is refused with
/// the field named), see the secret for the receiver, read the delivery log and remove one.
#[tokio::test]
async fn webhooks_are_registered_listed_and_removed_by_administrators() {
    let s = start().await;
    s.add_user("admin@mops.example.pl", "Ewa Administratorka", Role::Administrator).await;
    s.add_user("anna@mops.example.pl", "Anna Kowalska", Role::Editor).await;
    let anna = s.login("anna@mops.example.pl").await;
    assert_eq!(s.get(&anna, "/admin/webhooki").await.status, StatusCode::FORBIDDEN);
    let admin = s.login("admin@mops.example.pl").await;
    let form = inputs(&s.get(&admin, "/admin/webhooki").await.html);
    let mut private = form.clone();
    set(&mut private, "nazwa", "Intranet");
    set(&mut private, "adres", "http://169.254.169.254/latest/meta-data");
    let refused = s.post(&admin, "/admin/webhooki", &private).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("href=\"#adres\"") && refused.html.contains("169.254.169.254"), "{}", refused.html);
    let mut good = form.clone();
    set(&mut good, "nazwa", "Portal miasta");
    set(&mut good, "adres", "https://portal.example.invalid/witryna");
    good.push(("zdarzenia".into(), "item.published".into()));
    assert_eq!(s.post(&admin, "/admin/webhooki", &good).await.status, StatusCode::SEE_OTHER);
    let list = s.get(&admin, "/admin/webhooki").await;
    assert!(list.html.contains("Portal miasta") && list.html.contains("whsec_") && list.html.contains("publikacja"));
    let hooks = witryna_webhooks::list(&s.cms).await.unwrap();
    assert_eq!(hooks[0].content.events, ["item.published"]);
    let id = hooks[0].meta.id;
    assert_eq!(s.get(&admin, &format!("/admin/webhooki/{id}")).await.status, StatusCode::OK);
    let token = vec![("_csrf".to_owned(), inputs(&list.html).into_iter().find(|(k, _)| k == "_csrf").unwrap().1)];
    assert_eq!(s.post(&admin, &format!("/admin/webhooki/{id}/usun"), &token).await.status, StatusCode::SEE_OTHER);
    assert!(witryna_webhooks::list(&s.cms).await.unwrap().is_empty());
    let log = s.get(&admin, "/admin/dziennik?akcja=webhook-changed").await;
    assert_eq!(log.html[log.html.find("<tbody>").unwrap()..].matches("<tr>").count(), 2, "registered and removed");
}
