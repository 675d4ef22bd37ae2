//! Files of the media library on the site, over real HTTP on a sled store: pictures and
//! download links on pages, and the files themselves at `/media/{hash}/{name}`.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use witryna_core::content::{Content, Image, Media, NewsArticle, StoredFile, Unit};
use witryna_core::store::BlobHash;
use witryna_core::{demo, Cms, CreateOptions, Kinds};
use witryna_site::{preview, router, SiteConfig, SiteState};
use witryna_sled::SledStore;

const PDF: &[u8] = include_bytes!("../../witryna-media/demo/wniosek-o-zasilek.pdf");
const PNG: &[u8] = include_bytes!("../../witryna-media/demo/eu-logo-strip.png");
const JPEG: &[u8] = include_bytes!("../../witryna-media/demo/spotkanie-kis.jpg");

struct Site {
    base: String,
    cms: Cms,
    state: SiteState,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_kinds(Kinds::builtin()).with_search(index);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = SiteState::with_config(cms.clone(), SiteConfig::default());
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Site { base, cms, state, client, _dir: dir }
}

/// A site with the demo content and its files (the upload path of `witryna-media`).
async fn start_with_demo_files() -> Site {
    let site = start().await;
    demo::seed_with_files(&site.cms, &witryna_media::DemoMedia).await.unwrap();
    site
}

impl Site {
    async fn request(&self, method: Method, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            rb = rb.header(*name, *value);
        }
        let res = rb.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        Answer { status, headers, body: res.bytes().await.unwrap().to_vec() }
    }

    async fn get(&self, path: &str) -> Answer {
        self.request(Method::GET, path, &[]).await
    }

    async fn page(&self, path: &str) -> String {
        let answer = self.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        answer.text()
    }

    /// Stores bytes as a blob.
    async fn blob(&self, bytes: &[u8]) -> BlobHash {
        let mut writer = self.cms.store().blob_writer().await.unwrap();
        writer.write(bytes).await.unwrap();
        writer.commit().await.unwrap().hash
    }
}

/// The attribute `name` of the first tag of `html` that starts with `tag_start`.
fn attribute<'a>(html: &'a str, tag_start: &str, name: &str) -> &'a str {
    let tag = &html[html.find(tag_start).unwrap_or_else(|| panic!("no {tag_start} in {html}"))..];
    let tag = &tag[..tag.find('>').unwrap()];
    let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
    &tag[at..at + tag[at..].find('"').unwrap()]
}

/// Width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test]
async fn the_demo_files_show_on_pages_and_are_served() {
    let s = start_with_demo_files().await;

    // The news item: its cover first (fetched at once), its application form to download.
    let news = s.page("/aktualnosci/spotkanie-informacyjne-w-klubie-integracji-spolecznej").await;
    let cover = &news[news.find("<div class=\"okladka\">").expect("the cover")..];
    let cover = &cover[..cover.find("</div>").unwrap()];
    assert!(cover.contains(" srcset=\"") && cover.contains(" 320w, ") && cover.contains(" 1280w, "), "{cover}");
    assert_eq!(attribute(cover, "<img", "sizes"), "(min-width: 48rem) 46rem, calc(100vw - 2rem)");
    let width: u32 = attribute(cover, "<img", "width").parse().unwrap();
    let height: u32 = attribute(cover, "<img", "height").parse().unwrap();
    assert!(width > 1280 && height > 0, "the stored dimensions: {cover}");
    assert!(attribute(cover, "<img", "alt").starts_with("Uczestnicy spotkania przy okrągłym stole"), "{cover}");
    assert!(cover.contains("fetchpriority=\"high\"") && !cover.contains("loading="), "the cover is not lazy");
    let cover_src = attribute(cover, "<img", "src").to_owned();
    assert!(cover_src.ends_with("/1280.jpg"), "the widest JPEG variant: {cover_src}");

    let link = &news[news.find("<section class=\"zalaczniki\"").expect("the attachments")..];
    assert!(link.contains("<h2 id=\"h-zalaczniki\">Załączniki</h2>"), "{link}");
    let pdf_hash = BlobHash::of(PDF);
    let pdf_href = format!("/media/{pdf_hash}/wniosek-o-zasilek.pdf");
    assert!(
        link.contains(&format!(
            "<a href=\"{pdf_href}\" type=\"application/pdf\">Wniosek o przyznanie zasiłku celowego \
             <span class=\"plik\">(PDF, 75\u{a0}KB)</span></a>"
        )),
        "the type and size inside the link: {link}"
    );

    // The programmes' funding-marks strip, in the funding box near the top: not lazy.
    for path in ["/projekty/rowni-na-starcie", "/projekty/aktywna-integracja-w-miescie-glowno"] {
        let page = s.page(path).await;
        let funding = &page[page.find("<section class=\"finansowanie\"").expect("the funding box")..];
        let strip = &funding[..funding.find("</section>").unwrap()];
        assert!(strip.contains("<p class=\"znaki\">"), "{path}: {strip}");
        assert!(attribute(strip, "<img", "alt").starts_with("Fundusze Europejskie"), "{path}");
        assert!(strip.contains(" srcset=\"") && strip.contains(" width=\"") && strip.contains(" height=\""));
        assert!(!strip.contains("loading=\"lazy\""), "{path}: near the top");
    }
    let kis = s.page("/projekty/aktywni-w-kis").await;
    assert!(kis.contains(&format!("<a href=\"{pdf_href}\" type=\"application/pdf\">")), "the PDF on „Aktywni w KIS”");

    // The document itself.
    let pdf = s.get(&pdf_href).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.body, PDF, "the exact bytes");
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert_eq!(pdf.header("content-length"), PDF.len().to_string());
    assert_eq!(pdf.header("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(pdf.header("etag"), format!("\"{pdf_hash}\""));
    assert_eq!(pdf.header("x-content-type-options"), "nosniff");
    assert_eq!(pdf.header("accept-ranges"), "bytes");
    assert_eq!(
        pdf.header("content-disposition"),
        "inline; filename=\"wniosek-o-zasilek.pdf\"; filename*=UTF-8''wniosek-o-zasilek.pdf"
    );
    let etag = format!("\"{pdf_hash}\"");

    let fresh = s.request(Method::GET, &pdf_href, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);
    assert!(fresh.body.is_empty());
    assert_eq!(fresh.header("etag"), etag);
    let other = s.request(Method::GET, &pdf_href, &[("if-none-match", "\"inna\"")]).await;
    assert_eq!(other.status, StatusCode::OK);

    let head = s.request(Method::GET, &pdf_href, &[("range", "bytes=0-99")]).await;
    assert_eq!(head.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(head.body, &PDF[..100]);
    assert_eq!(head.header("content-range"), format!("bytes 0-99/{}", PDF.len()));
    assert_eq!(head.header("content-length"), "100");
    let tail = s.request(Method::GET, &pdf_href, &[("range", "bytes=-10")]).await;
    assert_eq!((tail.status, tail.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &PDF[PDF.len() - 10..]));
    let from = s.request(Method::GET, &pdf_href, &[("range", "bytes=70000-"), ("if-range", &etag)]).await;
    assert_eq!((from.status, from.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &PDF[70_000..]));
    let changed = s.request(Method::GET, &pdf_href, &[("range", "bytes=0-99"), ("if-range", "\"stary\"")]).await;
    assert_eq!((changed.status, changed.body.len()), (StatusCode::OK, PDF.len()), "If-Range mismatch: all");
    let beyond = s.request(Method::GET, &pdf_href, &[("range", "bytes=999999999-")]).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.header("content-range"), format!("bytes */{}", PDF.len()));
    for ignored in ["bytes=0-1,5-9", "bytes=9-1", "pages=1-2", "bytes=x-"] {
        let whole = s.request(Method::GET, &pdf_href, &[("range", ignored)]).await;
        assert_eq!((whole.status, whole.body.len()), (StatusCode::OK, PDF.len()), "{ignored}");
    }
    let head = s.request(Method::HEAD, &pdf_href, &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), PDF.len().to_string());
    assert_eq!(head.header("etag"), etag);

    // The cover's variant and original, as the page links them.
    let variant = s.get(&cover_src).await;
    assert_eq!(variant.status, StatusCode::OK);
    assert_eq!(variant.header("content-type"), "image/jpeg");
    assert_eq!(variant.header("content-disposition"), "inline; filename=\"1280.jpg\"; filename*=UTF-8''1280.jpg");
    let variant_hash: BlobHash = variant.header("etag").trim_matches('"').parse().unwrap();
    assert_eq!(BlobHash::of(&variant.body), variant_hash, "the variant's own blob");
    let original = attribute(cover, "<img", "srcset").split(", ").last().unwrap().split(' ').next().unwrap().to_owned();
    let original = s.get(&original).await;
    assert_eq!(original.status, StatusCode::OK);
    assert_eq!(original.header("etag"), format!("\"{}\"", BlobHash::of(&original.body)));
    assert!(original.header("content-disposition").starts_with("inline; filename=\"spotkanie-kis.jpg\""));

    // Addresses that are not files.
    let jpeg_hash = cover_src.split('/').nth(2).unwrap();
    for path in [
        format!("/media/{jpeg_hash}/wniosek-o-zasilek.pdf"),
        format!("/media/{jpeg_hash}/2560.jpg"),
        format!("/media/{}/wniosek-o-zasilek.pdf", BlobHash::of(b"nic")),
        format!("/media/{}/wniosek-o-zasilek.pdf", pdf_hash.to_string().to_uppercase()),
        "/media/123/wniosek-o-zasilek.pdf".to_owned(),
        format!("/media/{pdf_hash}"),
        "/media".to_owned(),
        format!("/media/{pdf_hash}/wniosek-o-zasilek.pdf/dalej"),
    ] {
        let answer = s.get(&path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.text().contains("Nie znaleźliśmy tej strony"), "the site's 404 page: {path}");
    }
    let bad_head = s.request(Method::HEAD, &format!("/media/{}/x.pdf", BlobHash::of(b"nic")), &[]).await;
    assert_eq!(bad_head.status, StatusCode::NOT_FOUND);
    assert_eq!(s.state.cache_usage().0, 4, "the pages fetched are cached; no file is");
}

#[tokio::test]
async fn a_drafts_file_is_private_until_content_showing_it_is_published() {
    let s = start().await;
    demo::seed(&s.cms).await.unwrap();
    let (width, height) = png_size(PNG);
    let original = s.blob(PNG).await;
    let small = s.blob(JPEG).await;
    let name = "Wejście do budynku, ul. \"Długa\" 5.png";
    let media = s
        .cms
        .create_with(
            Media {
                title: "Wejście od strony parkingu".into(),
                alt: "Drzwi wejściowe z podjazdem".into(),
                file: StoredFile {
                    hash: original,
                    name: name.into(),
                    content_type: "image/png".into(),
                    size: PNG.len() as u64,
                    width: Some(width),
                    height: Some(height),
                },
                transcript: String::new(),
                variants: vec![StoredFile {
                    hash: small,
                    name: "320.jpg".into(),
                    content_type: "image/jpeg".into(),
                    size: JPEG.len() as u64,
                    width: Some(320),
                    height: Some(180),
                }],
            },
            CreateOptions::default(),
        )
        .await
        .unwrap();
    let id = media.meta.id;
    let file_href = format!("/media/{original}/Wej%C5%9Bcie%20do%20budynku%2C%20ul.%20%22D%C5%82uga%22%205.png");
    let variant_href = format!("/media/{original}/320.jpg");
    assert_eq!(s.get(&file_href).await.status, StatusCode::NOT_FOUND, "a new upload is a draft");

    let unit = Unit {
        name: "Punkt konsultacyjny".into(),
        description: format!("Wejście od parkingu:\n\n![Wejście do punktu](media:{id})"),
        address: None,
        phones: vec![],
        email: None,
        parent: None,
        office_hours: Default::default(),
        photo: Some(Image::library(id, "Wejście do punktu konsultacyjnego")),
        easy_to_read: String::new(),
        sign_language_video: None,
    };
    let unit = s.cms.create(unit).await.unwrap();
    let page = format!("/jednostki/{}", unit.meta.slug);
    assert_eq!(s.get(&file_href).await.status, StatusCode::NOT_FOUND, "content showing it is a draft too");
    assert_eq!(s.get(&variant_href).await.status, StatusCode::NOT_FOUND);

    // The editor's preview shows the draft's picture (its file stays private until then).
    let record = s.cms.get_record(Unit::KIND, unit.meta.id).await.unwrap();
    let previewed = preview(&s.state, &axum::http::HeaderMap::new(), record, "Szkic").await;
    let html =
        String::from_utf8(axum::body::to_bytes(previewed.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(html.contains("alt=\"Wejście do punktu konsultacyjnego\""), "{html}");
    assert_eq!(s.get(&file_href).await.status, StatusCode::NOT_FOUND, "a preview publishes nothing");
    let text = witryna_site::render_markdown_with_media(&s.cms, format!("Mapa: ![Plan wejścia](media:{id})")).await;
    assert!(text.contains("alt=\"Plan wejścia\"") && text.contains(" srcset=\""), "the editor's text preview: {text}");
    assert!(!witryna_site::render_markdown(&format!("![Plan](media:{id})")).contains("<img"));

    s.cms.publish(unit.meta.id, unit.meta.version, None).await.unwrap();
    let file = s.get(&file_href).await;
    assert_eq!(file.status, StatusCode::OK, "public with the unit");
    assert_eq!(file.body, PNG);
    assert_eq!(file.header("content-type"), "image/png");
    assert_eq!(
        file.header("content-disposition"),
        "inline; filename=\"Wejscie do budynku, ul. _Dluga_ 5.png\"; \
         filename*=UTF-8''Wej%C5%9Bcie%20do%20budynku%2C%20ul.%20%22D%C5%82uga%22%205.png"
    );
    assert_eq!(s.get(&variant_href).await.body, JPEG);

    let html = s.page(&page).await;
    let photo = &html[html.find("<p class=\"zdjecie\">").expect("the unit's photo")..];
    assert_eq!(attribute(photo, "<img", "src"), variant_href, "the widest JPEG/PNG variant");
    assert_eq!(attribute(photo, "<img", "srcset"), format!("{variant_href} 320w, {file_href} {width}w"));
    assert_eq!(attribute(photo, "<img", "width"), width.to_string());
    assert_eq!(attribute(photo, "<img", "height"), height.to_string());
    assert_eq!(attribute(photo, "<img", "alt"), "Wejście do punktu konsultacyjnego");
    assert_eq!(attribute(photo, "<img", "loading"), "lazy");
    let body = &html[html.find("<div class=\"tresc\">").expect("the description")..];
    assert_eq!(attribute(body, "<img", "alt"), "Wejście do punktu");
    assert_eq!(attribute(body, "<img", "srcset"), format!("{variant_href} 320w, {file_href} {width}w"));
    assert_eq!(attribute(body, "<img", "width"), width.to_string());

    // A gallery: figures, lazy, captioned by the library title unless decorative.
    let news = NewsArticle {
        title: "Otwarcie punktu konsultacyjnego".into(),
        lead: String::new(),
        body: "Zapraszamy.".into(),
        author: "MOPS".into(),
        tags: vec![],
        cover: Some(Image {
            media: None, src: "/static/okladka.png".into(), alt: "Okładka".into(), decorative: false
        }),
        gallery: vec![
            Image::library(id, "Podjazd dla wózków przy wejściu"),
            Image { decorative: true, ..Image::library(id, "") },
        ],
        attachments: vec![],
        event: None,
    };
    let news = s.cms.create(news).await.unwrap();
    let news_path =
        format!("/aktualnosci/{}", s.cms.publish(news.meta.id, news.meta.version, None).await.unwrap().slug);
    let html = s.page(&news_path).await;
    assert!(
        html.contains("<div class=\"okladka\"><img src=\"/static/okladka.png\" alt=\"Okładka\" fetchpriority=\"high\""),
        "an address outside the library as before: {html}"
    );
    let gallery = &html[html.find("<section class=\"galeria\"").expect("the gallery")..];
    let gallery = &gallery[..gallery.find("</section>").unwrap()];
    assert_eq!(gallery.matches("<li><figure><img ").count(), 2, "{gallery}");
    assert_eq!(gallery.matches("loading=\"lazy\"").count(), 2, "{gallery}");
    assert!(gallery.contains("alt=\"Podjazd dla wózków przy wejściu\""), "{gallery}");
    assert!(gallery.contains("alt=\"\""), "decorative: {gallery}");
    assert_eq!(gallery.matches("<figcaption>Wejście od strony parkingu</figcaption>").count(), 1, "{gallery}");
    assert!(gallery.contains("sizes=\"(min-width: 40rem) 23rem, calc(100vw - 2rem)\""), "{gallery}");

    // Taken off the site, the file is private again and the page shows no broken picture.
    let meta = s.cms.get_record(Media::KIND, id).await.unwrap().meta;
    s.cms.unpublish(id, meta.version).await.unwrap();
    assert_eq!(s.get(&file_href).await.status, StatusCode::NOT_FOUND);
    let html = s.page(&page).await;
    assert!(!html.contains("<img") && !html.contains(&original.to_string()), "nothing of it is shown: {html}");
    let html = s.page(&news_path).await;
    assert!(!html.contains("class=\"galeria\"") && !html.contains(&original.to_string()), "{html}");
}

#[tokio::test]
async fn long_files_are_streamed_whole_and_in_ranges() {
    let s = start().await;
    demo::seed(&s.cms).await.unwrap();
    // Three and a bit store chunks: past the one-read limit, not on a chunk boundary.
    let bytes: Vec<u8> = (0..3 * 64 * 1024 + 4321).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let hash = s.blob(&bytes).await;
    let media = s
        .cms
        .create_with(
            Media {
                title: "Sprawozdanie z działalności ośrodka".into(),
                alt: String::new(),
                file: StoredFile {
                    hash,
                    name: "sprawozdanie.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: bytes.len() as u64,
                    width: None,
                    height: None,
                },
                transcript: String::new(),
                variants: vec![],
            },
            CreateOptions::default(),
        )
        .await
        .unwrap();
    s.cms.publish(media.meta.id, media.meta.version, None).await.unwrap();
    let href = format!("/media/{hash}/sprawozdanie.pdf");

    let whole = s.get(&href).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("content-length"), bytes.len().to_string());
    assert!(whole.body == bytes, "the exact bytes, streamed");
    for (range, first, last) in [
        ("bytes=65530-200000", 65_530, 200_000),
        ("bytes=100-", 100, bytes.len() - 1),
        ("bytes=-70000", bytes.len() - 70_000, bytes.len() - 1),
    ] {
        let part = s.request(Method::GET, &href, &[("range", range)]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(part.header("content-range"), format!("bytes {first}-{last}/{}", bytes.len()), "{range}");
        assert!(part.body == bytes[first..=last], "{range}");
    }
    let head = s.request(Method::HEAD, &href, &[("range", "bytes=0-")]).await;
    assert_eq!((head.status, head.body.len()), (StatusCode::PARTIAL_CONTENT, 0));
    assert_eq!(head.header("content-length"), bytes.len().to_string());
}
