//! The centre's activity for everyone (art. 6 pkt 3 of the accessibility act) over real
//! HTTP on a sled store: the easy-to-read page, the Polish Sign Language page with its
//! recording and transcript, the text file, and the links to them from every footer and the
//! declaration — before anything is published and after.

use std::sync::Arc;

use reqwest::StatusCode;
use witryna_core::content::{ActivityInformation, Media, StoredFile, Unit};
use witryna_core::store::BlobHash;
use witryna_core::{Cms, CmsError, CreateOptions, Id, Locales};
use witryna_site::{router, SiteConfig, SiteState};
use witryna_sled::SledStore;

const VIDEO: &[u8] = include_bytes!("../../witryna-media/demo/informacja-pjm.webm");

struct Site {
    base: String,
    cms: Cms,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_locales(Locales::all());
    witryna_core::demo::seed(&cms).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = SiteConfig { public_url: Some("https://mops.example.pl".into()), ..SiteConfig::default() };
    let app = router(SiteState::with_config(cms.clone(), config));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site { base, cms, client: reqwest::Client::new(), _dir: dir }
}

impl Site {
    async fn get(&self, path: &str) -> Answer {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        Answer { status, headers, body: res.bytes().await.unwrap().to_vec() }
    }

    async fn page(&self, path: &str) -> String {
        let answer = self.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text());
        answer.text()
    }

    /// The demo's recording as a video of the media library (a draft, as uploads are).
    async fn video(&self, transcript: &str) -> (Id, BlobHash) {
        let mut writer = self.cms.store().blob_writer().await.unwrap();
        writer.write(VIDEO).await.unwrap();
        let hash = writer.commit().await.unwrap().hash;
        let file = StoredFile {
            hash,
            name: "informacja pjm.webm".into(),
            content_type: "video/webm".into(),
            size: VIDEO.len() as u64,
            width: None,
            height: None,
        };
        let media = Media {
            title: "MOPS w PJM".into(),
            alt: String::new(),
            file,
            transcript: transcript.into(),
            variants: vec![],
        };
        (self.cms.create_with(media, CreateOptions::default()).await.unwrap().meta.id, hash)
    }

    async fn unit(&self, name: &str, easy_to_read: &str, publish: bool) -> String {
        let unit = Unit {
            name: name.into(),
            description: String::new(),
            address: None,
            phones: vec![],
            email: None,
            parent: None,
            office_hours: Default::default(),
            photo: None,
            easy_to_read: easy_to_read.into(),
            sign_language_video: None,
        };
        let item = self.cms.create(unit).await.unwrap();
        if publish {
            self.cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
        }
        item.meta.slug
    }
}

const PATHS: [&str; 3] = ["/tekst-latwy-do-czytania", "/polski-jezyk-migowy", "/informacje-o-dzialalnosci.txt"];

#[tokio::test]
async fn every_footer_and_the_declaration_link_the_information_which_answers_before_it_is_published() {
    let s = start().await;
    // The demo's own information is taken out: a centre that has not written it yet.
    let demo = s.cms.singleton::<ActivityInformation>().await.unwrap().unwrap();
    s.cms.delete(demo.meta.id, demo.meta.version).await.unwrap();

    for page in ["/", "/aktualnosci", "/en/", "/uk/", "/deklaracja-dostepnosci", "/szukaj?q=mops"] {
        let html = s.page(page).await;
        for path in PATHS {
            assert!(html.contains(&format!("<a href=\"{path}\"")), "{page} links {path}");
        }
    }
    let declaration = s.page("/deklaracja-dostepnosci").await;
    for id in
        ["a11y-deklaracja", "a11y-wstep", "a11y-podmiot", "a11y-url", "a11y-status", "a11y-kontakt", "a11y-procedura"]
    {
        assert!(declaration.contains(&format!("id=\"{id}\"")), "the declaration keeps its required id {id}");
    }

    // Nothing published: the pages say so and whom to ask, never a 404 behind a footer link.
    for path in &PATHS[..2] {
        let html = s.page(path).await;
        assert!(html.contains("Ośrodek nie opublikował jeszcze tej informacji"), "{path}: {html}");
        assert!(html.contains("mailto:"), "{path} names whom to ask: {html}");
        assert!(!html.contains("<section class=\"metryczka\""), "{path}");
    }
    let text = s.get(PATHS[2]).await;
    assert_eq!(text.status, StatusCode::OK);
    assert!(text.text().contains("Ośrodek nie opublikował jeszcze informacji o swojej działalności."));
}

#[tokio::test]
async fn the_centre_and_its_units_speak_in_easy_to_read_text_sign_language_and_a_text_file() {
    let s = start().await;
    let transcript = "MOPS pomaga ludziom.\n\nDo MOPS możesz <przyjść>.";
    let (video, hash) = s.video(transcript).await;
    let demo = s.cms.singleton::<ActivityInformation>().await.unwrap().unwrap();
    let info = ActivityInformation {
        easy_to_read: "MOPS pomaga ludziom,\nktórzy są w **trudnej** sytuacji.\n\nDo MOPS możesz przyjść.".into(),
        sign_language_video: Some(video),
    };
    s.cms.save_singleton(info, Some(demo.meta.version)).await.unwrap();
    let own = s.unit("Dzienny Dom Pomocy", "Dom jest dla starszych ludzi.\n\nW domu możesz zjeść obiad.", true).await;
    s.unit("Punkt w przygotowaniu", "TAJNY SZKIC jednostki", false).await;

    let etr = s.page("/tekst-latwy-do-czytania").await;
    assert_eq!(etr.matches("<h1").count(), 1);
    assert!(etr.contains("<p>MOPS pomaga ludziom,\nktórzy są w <strong>trudnej</strong> sytuacji.</p>"), "{etr}");
    let heading = format!("<h2 id=\"jednostka-{own}\">Dzienny Dom Pomocy</h2>");
    assert!(etr.contains(&heading), "a unit with its own text: {etr}");
    assert!(etr.contains(&format!("<a href=\"/jednostki/{own}\">")), "{etr}");
    assert!(!etr.contains("TAJNY SZKIC"), "a draft unit's text stays private");
    assert!(etr.contains("<section class=\"metryczka\""), "the information has its metryczka");
    // The demo's unit with its own text (Klub Integracji Społecznej) is there too.
    assert!(etr.contains("id=\"jednostka-klub-integracji-spolecznej\""), "{etr}");

    let pjm = s.get("/polski-jezyk-migowy").await;
    let csp = pjm.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("media-src 'self'"), "{csp}");
    let pjm = pjm.text();
    let src = format!("/media/{hash}/informacja%20pjm.webm");
    assert!(pjm.contains(&format!("<video controls preload=\"metadata\" src=\"{src}\">")), "{pjm}");
    assert!(pjm.contains("<details class=\"zapis\" open><summary>Zapis treści nagrania</summary>"), "{pjm}");
    assert!(pjm.contains("<p>Do MOPS możesz &#60;przyjść&#62;.</p>"), "the transcript escaped: {pjm}");
    assert!(pjm.contains(&format!("<a href=\"{src}\" type=\"video/webm\">Pobierz nagranie")), "{pjm}");
    assert!(!pjm.contains("Dzienny Dom Pomocy</h2>"), "a unit without a recording is not on the PJM page");

    // The recording is public with the information that shows it.
    let file = s.get(&src).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "video/webm");
    assert_eq!(file.body, VIDEO);

    let text = s.get("/informacje-o-dzialalnosci.txt").await;
    assert_eq!(text.status, StatusCode::OK);
    assert_eq!(text.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(text.headers["x-content-type-options"], "nosniff");
    let text = text.text();
    assert!(
        text.starts_with(
            "Informacje o działalności ośrodka\n\nMiejski Ośrodek Pomocy Społecznej w Kaliszu\n\n\
             MOPS pomaga ludziom, którzy są w trudnej sytuacji.\n\nDo MOPS możesz przyjść.\n\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n\nDzienny Dom Pomocy\n\nDom jest dla starszych ludzi.\n\nW domu możesz zjeść obiad.\n"));
    assert!(
        text.ends_with(
            "Tekst łatwy do czytania: https://mops.example.pl/tekst-latwy-do-czytania\n\
         Informacja w polskim języku migowym: https://mops.example.pl/polski-jezyk-migowy\n"
        ),
        "{text}"
    );
    assert!(!text.contains("TAJNY") && !text.contains("**"), "{text}");
}

#[tokio::test]
async fn a_recording_must_be_a_video_and_a_transcript_belongs_to_one() {
    let s = start().await;
    let document = s.cms.singleton::<ActivityInformation>().await.unwrap().unwrap();
    let unknown = ActivityInformation { easy_to_read: "MOPS pomaga.".into(), sign_language_video: Some(Id::new()) };
    let err = s.cms.save_singleton(unknown, Some(document.meta.version)).await.unwrap_err();
    assert!(
        matches!(&err, CmsError::Invalid(e) if e.0[0].path == "sign_language_video" && e.0[0].code == "unknown_media")
    );

    let image = Media {
        title: "Obraz".into(),
        alt: "Obraz".into(),
        file: image_file(),
        transcript: String::new(),
        variants: vec![],
    };
    let image = s.cms.create_with(image, CreateOptions::default()).await.unwrap().meta.id;
    let not_video = ActivityInformation { easy_to_read: "MOPS pomaga.".into(), sign_language_video: Some(image) };
    let err = s.cms.save_singleton(not_video, Some(document.meta.version)).await.unwrap_err();
    assert!(
        matches!(&err, CmsError::Invalid(e) if e.0[0].path == "sign_language_video" && e.0[0].code == "not_a_video")
    );

    let with_transcript = Media {
        title: "Obraz".into(),
        alt: "Obraz".into(),
        file: StoredFile { hash: BlobHash::of(b"inny"), ..image_file() },
        transcript: "Zapis".into(),
        variants: vec![],
    };
    let err = s.cms.create_with(with_transcript, CreateOptions::default()).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.0[0].path == "transcript" && e.0[0].code == "not_a_recording"));
}

fn image_file() -> StoredFile {
    StoredFile {
        hash: BlobHash::of(b"obraz"),
        name: "obraz.png".into(),
        content_type: "image/png".into(),
        size: 5,
        width: Some(1),
        height: Some(1),
    }
}
