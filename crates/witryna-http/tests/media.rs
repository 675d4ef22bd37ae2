//! The media library over real HTTP (a real client, port 0) on a real sled store:
//! `POST /api/v1/media` takes a `multipart/form-data` upload, refuses bad files naming
//! the `file` field and the reason, strips photos of their metadata, keeps a file once,
//! and the items live like any other content (drafts, updates, deletes, blob collection).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_problem, news_body, paths, send, serve, Server};
use files::*;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::store::BlobHash;
use witryna_core::Cms;
use witryna_http::{auth, ApiConfig, Role};
use witryna_sled::SledStore;

/// A server with the Cms it serves (for the store's side of things) and an author token.
struct Library {
    s: Server,
    cms: Cms,
    author: String,
}

async fn library_with(config: ApiConfig) -> Library {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    let author = auth::create_token(&cms, Role::Author, "autor").await.unwrap().token;
    let s = serve(cms.clone(), "", config, dir).await;
    Library { s, cms, author }
}

async fn library() -> Library {
    library_with(ApiConfig::default()).await
}

impl Library {
    /// `POST /media` as the editor with a form of the file and the text fields.
    fn upload(&self, file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        multipart(self.s.as_editor(Method::POST, "/media"), &form(Some((file_name, bytes)), fields))
    }

    /// Uploads a file that must be kept as a new item; the item.
    async fn created(&self, file_name: &str, bytes: &[u8], title: &str) -> Value {
        let (status, _, body) = send(self.upload(file_name, bytes, &[("title", title)])).await;
        assert_eq!(status, StatusCode::CREATED, "{file_name}: {body}");
        body
    }

    async fn blob(&self, hash: &str) -> Option<Vec<u8>> {
        let hash: BlobHash = hash.parse().unwrap();
        self.cms.store().read_blob(hash, 0, usize::MAX).await.unwrap()
    }

    async fn blob_count(&self) -> usize {
        self.cms.store().blobs(None, 1000).await.unwrap().len()
    }

    async fn preview_list(&self) -> Vec<Value> {
        let (status, _, list) = send(self.s.as_editor(Method::GET, "/media?preview=true")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["items"].as_array().unwrap().clone()
    }
}

/// Sends `body` as a `multipart/form-data` form with [`BOUNDARY`].
fn multipart(rb: reqwest::RequestBuilder, body: &[u8]) -> reqwest::RequestBuilder {
    rb.header(CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}")).body(body.to_vec())
}

/// Checks a refused upload: the status, the problem type, and `errors[0]` naming `file`
/// with the refusal's code.
#[track_caller]
fn assert_refused(answer: &(StatusCode, reqwest::header::HeaderMap, Value), status: StatusCode, code: &str) {
    let (got, headers, body) = answer;
    assert_eq!(*got, status, "expected {code}: {body}");
    assert_problem(headers, body, status);
    assert_eq!(body["type"], "urn:witryna:problem:file-refused", "{body}");
    assert_eq!(body["errors"][0]["path"], "file", "{body}");
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn refused_files_name_the_file_and_the_reason() {
    let l = library().await;
    let title = [("title", "Plik")];
    let photo = jpeg(400, 300);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("wniosek.pdf", png(32, 24), StatusCode::UNPROCESSABLE_ENTITY, "extension_mismatch"),
        ("logo.svg", SVG.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "svg"),
        ("logo.png", SVG.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "svg"),
        ("strona.txt", HTML.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "markup"),
        ("foto.jpg", photo[..photo.len() / 2].to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "corrupt"),
        ("wniosek.docx", zip_bomb(), StatusCode::UNPROCESSABLE_ENTITY, "compression_bomb"),
        ("dane.bin", binary(4096), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("dane.pdf", binary(4096), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("pusty.pdf", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
    ];
    for (name, bytes, status, code) in cases {
        let answer = send(l.upload(name, &bytes, &title)).await;
        assert_refused(&answer, status, code);
    }

    // Sixty thousand pixels a side: refused from the header, never decoded.
    let started = Instant::now();
    let answer = send(l.upload("plan.png", &huge_png_header(60_000, 60_000), &title)).await;
    assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "too_many_pixels");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(answer.2["errors"][0]["message"].as_str().unwrap().contains("60000 × 60000"), "{}", answer.2);

    assert!(l.preview_list().await.is_empty(), "no refused file became an item");
    assert_eq!(l.blob_count().await, 0, "no refused file left a blob");
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_the_server_goes_on() {
    let limits = witryna_media::Limits { max_bytes: 64 * 1024, ..witryna_media::Limits::default() };
    let l = library_with(ApiConfig { media_limits: limits, ..ApiConfig::default() }).await;
    let big = pdf_of_size(100 * 1024);
    let answer = send(l.upload("duzy.pdf", &big, &[("title", "Za duży")])).await;
    assert_refused(&answer, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    assert!(answer.2["errors"][0]["message"].as_str().unwrap().contains("64 KB"), "{}", answer.2);
    // Just under the limit is fine, on the same server.
    let fits = pdf_of_size(60 * 1024);
    let item = l.created("miesci-sie.pdf", &fits, "Mieści się").await;
    assert_eq!(item["content"]["file"]["size"], fits.len());
    assert_eq!(send(l.s.req(Method::GET, "/news")).await.0, StatusCode::OK);
    assert_eq!(l.preview_list().await.len(), 1);
    assert_eq!(l.blob_count().await, 1, "the refused upload stored nothing");
}

#[tokio::test]
async fn a_document_needs_a_title_and_the_same_file_is_kept_once() {
    let l = library().await;
    let pdf = pdf_bytes();
    for fields in [&[][..], &[("title", "   ")][..], &[("alt", "tylko opis")][..]] {
        let (status, headers, body) = send(l.upload("wniosek.pdf", &pdf, fields)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(paths(&body), ["title"], "{fields:?}: {body}");
    }
    assert_eq!(l.blob_count().await, 0, "a document without a title stores nothing");

    let (status, headers, item) = send(l.upload("wniosek.pdf", &pdf, &[("title", "Wniosek o zasiłek celowy")])).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let id = item["id"].as_str().unwrap().to_owned();
    assert_eq!(headers[LOCATION], format!("/api/v1/media/{id}"));
    assert_eq!(headers[ETAG], "\"1\"");
    assert_eq!((item["kind"].as_str(), item["status"].as_str()), (Some("media"), Some("draft")));
    let file = &item["content"]["file"];
    let hash = file["hash"].as_str().unwrap();
    assert_eq!(hash, BlobHash::of(&pdf).to_string(), "a document is kept as uploaded");
    assert_eq!(item["slug"], hash, "the item is named by its file");
    assert_eq!(file["size"], pdf.len());
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["name"], "wniosek.pdf");
    assert_eq!(item["content"]["title"], "Wniosek o zasiłek celowy");
    assert_eq!(l.blob(hash).await.unwrap(), pdf);

    // The same bytes again, under another name and title: the item the library has.
    let (status, headers, again) = send(l.upload("kopia wniosku.pdf", &pdf, &[("title", "Jeszcze raz")])).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], item["id"]);
    assert_eq!(again["content"], item["content"], "the existing item is answered unchanged");
    assert_eq!(headers[LOCATION], format!("/api/v1/media/{id}"));
    assert_eq!(l.preview_list().await.len(), 1);
    assert_eq!(l.blob_count().await, 1);

    let (status, _, seen) = send(l.s.as_editor(Method::GET, &format!("/media/{id}?preview=true"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((seen["id"].as_str(), seen["status"].as_str()), (Some(id.as_str()), Some("draft")));
    let (status, _, by_hash) = send(l.s.as_editor(Method::GET, &format!("/media/{hash}?preview=true"))).await;
    assert_eq!((status, &by_hash["id"]), (StatusCode::OK, &item["id"]), "the hash is the slug");
    assert_eq!(send(l.s.req(Method::GET, &format!("/media/{id}"))).await.0, StatusCode::NOT_FOUND, "a draft");
    let (_, _, public) = send(l.s.req(Method::GET, "/media")).await;
    assert_eq!(public["items"], json!([]), "drafts are not listed publicly");
}

#[tokio::test]
async fn photos_lose_their_metadata_and_get_variants() {
    let l = library().await;
    let photo = with_exif(&jpeg(2000, 1200), 1);
    assert!(contains(&photo, b"Exif\0\0") && contains(&photo, &GPS_LATITUDE));
    let (status, _, item) =
        send(l.upload("dom klienta.jpg", &photo, &[("title", "Dom"), ("alt", "Dom z czerwonym dachem")])).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let content = &item["content"];
    assert_eq!(content["alt"], "Dom z czerwonym dachem");
    let file = &content["file"];
    assert_eq!((file["content_type"].as_str(), file["name"].as_str()), (Some("image/jpeg"), Some("dom klienta.jpg")));
    assert_eq!((file["width"].as_u64(), file["height"].as_u64()), (Some(2000), Some(1200)));

    let original = l.blob(file["hash"].as_str().unwrap()).await.expect("the original is stored");
    assert_ne!(original, photo, "the photo is re-encoded");
    assert_eq!(original.len() as u64, file["size"].as_u64().unwrap());
    assert_eq!(&original[..2], &[0xFF, 0xD8], "still a JPEG");
    assert!(!contains(&original, b"Exif\0\0"), "no EXIF block");
    assert!(!contains(&original, &GPS_LATITUDE), "no GPS position");
    assert!(!contains(&original, &GPS_IFD_POINTER), "no GPS directory");

    let variants = content["variants"].as_array().unwrap();
    let jpeg_widths: Vec<u64> =
        variants.iter().filter(|v| v["content_type"] == "image/jpeg").map(|v| v["width"].as_u64().unwrap()).collect();
    assert_eq!(jpeg_widths, [320, 640, 1280], "{variants:?}");
    for v in variants {
        let bytes = l.blob(v["hash"].as_str().unwrap()).await.expect("every variant is stored");
        assert_eq!(bytes.len() as u64, v["size"].as_u64().unwrap());
        assert!(!contains(&bytes, b"Exif") && !contains(&bytes, &GPS_LATITUDE), "{v}");
        let width = v["width"].as_u64().unwrap();
        assert_eq!(v["height"].as_u64().unwrap(), width * 3 / 5, "aspect ratio kept: {v}");
    }
    assert_eq!(l.blob_count().await, 1 + variants.len());
}

#[tokio::test]
async fn who_may_upload_and_in_what_body() {
    let l = library().await;
    let pdf = pdf_bytes();
    let body = form(Some(("wniosek.pdf", &pdf)), &[("title", "Wniosek")]);

    let (status, headers, problem) = send(l.s.as_editor(Method::POST, "/media").json(&json!({"title": "x"}))).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
    assert_problem(&headers, &problem, status);
    assert_eq!(problem["type"], "urn:witryna:problem:unsupported-media-type");
    let no_boundary = l.s.as_editor(Method::POST, "/media").header(CONTENT_TYPE, "multipart/form-data");
    assert_eq!(send(no_boundary.body(body.clone())).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (status, headers, problem) = send(multipart(l.s.req(Method::POST, "/media"), &body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert_problem(&headers, &problem, status);
    // Uploading is an editor's operation (as creating any item through the API is); an
    // author's token is refused before the body is read.
    let as_author = l.s.req(Method::POST, "/media").bearer_auth(&l.author);
    let (status, headers, problem) = send(multipart(as_author, &body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_problem(&headers, &problem, status);

    // A form without the file names the field; one cut before its closing boundary is 400.
    let (status, _, problem) =
        send(multipart(l.s.as_editor(Method::POST, "/media"), &form(None, &[("title", "x")]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(paths(&problem), ["file"]);
    let cut = &body[..body.len() - BOUNDARY.len() - 8];
    let (status, headers, problem) = send(multipart(l.s.as_editor(Method::POST, "/media"), cut)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_problem(&headers, &problem, status);
    let unknown = form(Some(("wniosek.pdf", &pdf)), &[("title", "Wniosek"), ("owner", "ktoś")]);
    let (status, _, problem) = send(multipart(l.s.as_editor(Method::POST, "/media"), &unknown)).await;
    assert_eq!((status, paths(&problem)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["owner".to_owned()]), "{problem}");

    assert!(l.preview_list().await.is_empty());
    assert_eq!(l.blob_count().await, 0);
    let (status, _, _) = send(multipart(l.s.as_admin(Method::POST, "/media"), &body)).await;
    assert_eq!(status, StatusCode::CREATED, "an administrator may upload too");
}

#[tokio::test]
async fn a_media_item_takes_a_new_title_but_never_another_file() {
    let l = library().await;
    let item = l.created("regulamin.pdf", &pdf_bytes(), "Regulamin").await;
    let path = format!("/media/{}", item["id"].as_str().unwrap());
    let mut content = item["content"].clone();
    content["title"] = json!("Regulamin KIS 2026");

    let put = || l.s.as_editor(Method::PUT, &path);
    assert_eq!(send(put().json(&json!({"content": content}))).await.0, StatusCode::PRECONDITION_REQUIRED);
    let (status, headers, updated) = send(put().header(IF_MATCH, "\"1\"").json(&json!({"content": content}))).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(headers[ETAG], "\"2\"");
    assert_eq!(updated["content"]["title"], "Regulamin KIS 2026");
    assert_eq!(updated["content"]["file"], item["content"]["file"]);
    assert_eq!(updated["slug"], item["slug"], "the slug stays the file's hash");

    let mut other_file = content.clone();
    other_file["file"]["hash"] = json!(BlobHash::of(b"inny plik").to_string());
    let (status, headers, problem) = send(put().header(IF_MATCH, "\"2\"").json(&json!({"content": other_file}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_problem(&headers, &problem, status);
    assert_eq!(paths(&problem), ["content.file"], "{problem}");
    assert_eq!(problem["errors"][0]["code"], "immutable", "{problem}");
    let mut resized = content.clone();
    resized["file"]["size"] = json!(1);
    let (status, _, problem) = send(put().header(IF_MATCH, "\"2\"").json(&json!({"content": resized}))).await;
    assert_eq!((status, &problem["errors"][0]["code"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("immutable")));

    let (_, _, now) = send(l.s.as_editor(Method::GET, &format!("{path}?preview=true"))).await;
    assert_eq!((now["version"].as_u64(), &now["content"]["file"]), (Some(2), &item["content"]["file"]));
}

#[tokio::test]
async fn a_file_in_use_stays_and_blobs_of_deleted_items_are_collected() {
    let l = library().await;
    let photo = l.created("spotkanie.jpg", &jpeg(1000, 600), "Spotkanie").await;
    let form_pdf = l.created("wniosek.pdf", &pdf_bytes(), "Wniosek").await;
    let hashes = |item: &Value| -> Vec<String> {
        let c = &item["content"];
        std::iter::once(&c["file"])
            .chain(c["variants"].as_array().into_iter().flatten())
            .map(|f| f["hash"].as_str().unwrap().to_owned())
            .collect()
    };
    let (photo_blobs, pdf_blobs) = (hashes(&photo), hashes(&form_pdf));
    assert!(photo_blobs.len() >= 3, "an original and variants 320 and 640: {photo_blobs:?}");

    let mut article = news_body("Spotkanie w KIS");
    article["content"]["attachments"] = json!([{"media": photo["id"], "title": "Zdjęcie ze spotkania"}]);
    let (status, _, news) = send(l.s.as_editor(Method::POST, "/news").json(&article)).await;
    assert_eq!(status, StatusCode::CREATED, "{news}");
    let news_path = format!("/news/{}", news["id"].as_str().unwrap());

    let photo_path = format!("/media/{}", photo["id"].as_str().unwrap());
    let (status, headers, problem) = send(l.s.as_editor(Method::DELETE, &photo_path)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_problem(&headers, &problem, status);
    assert_eq!(problem["type"], "urn:witryna:problem:media-in-use");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains(news["id"].as_str().unwrap()), "{problem}");
    for hash in &photo_blobs {
        assert!(l.blob(hash).await.is_some(), "a refused delete keeps the files");
    }

    article["content"]["attachments"] = json!([]);
    let (status, _, body) = send(l.s.as_editor(Method::PUT, &news_path).header(IF_MATCH, "\"1\"").json(&article)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(send(l.s.as_editor(Method::DELETE, &photo_path)).await.0, StatusCode::NO_CONTENT);
    let gone = send(l.s.as_editor(Method::GET, &format!("{photo_path}?preview=true"))).await.0;
    assert_eq!(gone, StatusCode::NOT_FOUND);

    // Every blob was stored before this instant: with no grace, the unnamed ones go.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let report = l.cms.collect_blobs(chrono::Duration::zero()).await.unwrap();
    assert_eq!(report.deleted, photo_blobs.len(), "{report:?}");
    assert_eq!(report.referenced, pdf_blobs.len(), "{report:?}");
    for hash in &photo_blobs {
        assert_eq!(l.blob(hash).await, None, "the deleted item's file {hash} is collected");
    }
    assert_eq!(l.blob(&pdf_blobs[0]).await, Some(pdf_bytes()), "the other item's file stays");
    assert_eq!(l.blob_count().await, pdf_blobs.len());
    let (status, _, kept) =
        send(l.s.as_editor(Method::GET, &format!("/media/{}?preview=true", form_pdf["id"].as_str().unwrap()))).await;
    assert_eq!((status, &kept["content"]), (StatusCode::OK, &form_pdf["content"]));
}

/// Files built in code (nothing here needs an image or ZIP library): the forms they are
/// sent in, and the bad files of witryna-media's tests, crafted byte by byte.
mod files {
    /// The boundary of every form sent here.
    pub(crate) const BOUNDARY: &str = "witryna-test-boundary-4f1c2a";

    /// A `multipart/form-data` body: the text `fields`, then the file (`name`, bytes), if any.
    pub(crate) fn form(file: Option<(&str, &[u8])>, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in fields {
            out.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((file_name, bytes)) = file {
            out.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        out
    }

    pub(crate) const SVG: &[u8] =
        br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>"#;

    pub(crate) const HTML: &[u8] = b"<!DOCTYPE html>\n<html><body><script>document.cookie</script></body></html>";

    pub(crate) fn pdf_bytes() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n\
endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
            .to_vec()
    }

    /// A PDF-like file of exactly `size` bytes: a header, a comment of filler, the trailer.
    pub(crate) fn pdf_of_size(size: usize) -> Vec<u8> {
        let (head, tail) = (b"%PDF-1.4\n%".as_slice(), b"\ntrailer\n<< >>\n%%EOF\n".as_slice());
        let mut out = head.to_vec();
        out.resize(size - tail.len(), b'x');
        out.extend_from_slice(tail);
        out
    }

    /// Bytes of no known type (a deterministic noise with NUL bytes).
    pub(crate) fn binary(len: usize) -> Vec<u8> {
        let mut state: u32 = 0x9E37_79B9;
        (0..len)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                if i % 7 == 0 {
                    0
                } else {
                    state.to_le_bytes()[0]
                }
            })
            .collect()
    }

    pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut table = [0u32; 256];
        for (n, entry) in table.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *entry = c;
        }
        !bytes.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8))
    }

    fn adler32(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        (b << 16) | a
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut checked = kind.to_vec();
        checked.extend_from_slice(data);
        out.extend_from_slice(&crc32(&checked).to_be_bytes());
    }

    fn png_with(width: u32, height: u32, idat: &[u8]) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filter, no interlace
        png_chunk(&mut out, b"IHDR", &ihdr);
        png_chunk(&mut out, b"IDAT", idat);
        png_chunk(&mut out, b"IEND", &[]);
        out
    }

    /// A real RGB PNG (a gradient), its zlib stream made of stored blocks.
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut raw = Vec::new();
        for y in 0..height {
            raw.push(0); // filter: none
            for x in 0..width {
                raw.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 128]);
            }
        }
        let mut zlib = vec![0x78, 0x01];
        let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
        for (i, block) in blocks.iter().enumerate() {
            zlib.push(u8::from(i + 1 == blocks.len()));
            let len = block.len() as u16;
            zlib.extend_from_slice(&len.to_le_bytes());
            zlib.extend_from_slice(&(!len).to_le_bytes());
            zlib.extend_from_slice(block);
        }
        zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
        png_with(width, height, &zlib)
    }

    /// A PNG whose header claims `width` × `height` pixels but whose data is a token:
    /// decoding it would need gigabytes, reading its header does not.
    pub(crate) fn huge_png_header(width: u32, height: u32) -> Vec<u8> {
        // A zlib stream of one stored, empty, final block.
        png_with(width, height, &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01])
    }

    /// Bits written most significant first, as JPEG's entropy-coded data wants them (a
    /// 0xFF byte is followed by a stuffed zero).
    #[derive(Default)]
    struct MsbBits {
        out: Vec<u8>,
        acc: u8,
        n: u32,
    }

    impl MsbBits {
        fn put(&mut self, value: u32, len: u32) {
            for i in (0..len).rev() {
                self.acc = (self.acc << 1) | ((value >> i) & 1) as u8;
                self.n += 1;
                if self.n == 8 {
                    self.out.push(self.acc);
                    if self.acc == 0xFF {
                        self.out.push(0);
                    }
                    (self.acc, self.n) = (0, 0);
                }
            }
        }

        fn finish(mut self) -> Vec<u8> {
            if self.n > 0 {
                let pad = 8 - self.n;
                self.put((1 << pad) - 1, pad);
            }
            self.out
        }
    }

    /// The canonical Huffman codes (code, length) of a JPEG table, by symbol.
    fn huffman_codes(bits: &[u8; 16], values: &[u8]) -> Vec<(u32, u32)> {
        let mut codes = vec![(0, 0); 256];
        let (mut code, mut k) = (0u32, 0usize);
        for (len, &count) in (1..=16).zip(bits) {
            for _ in 0..count {
                codes[usize::from(values[k])] = (code, len);
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        codes
    }

    fn jpeg_segment(out: &mut Vec<u8>, marker: u8, data: &[u8]) {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&(data.len() as u16 + 2).to_be_bytes());
        out.extend_from_slice(data);
    }

    /// A baseline greyscale JPEG of `width` × `height`: flat 8 × 8 blocks whose grey
    /// changes across the picture (only DC coefficients are coded, with JPEG's standard
    /// DC table and an AC table of end-of-block alone).
    pub(crate) fn jpeg(width: u16, height: u16) -> Vec<u8> {
        const DC_BITS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        const AC_BITS: [u8; 16] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut out = vec![0xFF, 0xD8];
        let mut dqt = vec![0u8]; // 8-bit table 0
        dqt.extend_from_slice(&[1; 64]);
        jpeg_segment(&mut out, 0xDB, &dqt);
        let [h1, h0] = height.to_be_bytes();
        let [w1, w0] = width.to_be_bytes();
        jpeg_segment(&mut out, 0xC0, &[8, h1, h0, w1, w0, 1, 1, 0x11, 0]);
        let mut dht = vec![0x00];
        dht.extend_from_slice(&DC_BITS);
        dht.extend_from_slice(&DC_VALUES);
        dht.push(0x10);
        dht.extend_from_slice(&AC_BITS);
        dht.push(0x00); // end of block
        jpeg_segment(&mut out, 0xC4, &dht);
        jpeg_segment(&mut out, 0xDA, &[1, 1, 0x00, 0, 63, 0]);

        let dc_codes = huffman_codes(&DC_BITS, &DC_VALUES);
        let (blocks_x, blocks_y) = (i32::from(width.div_ceil(8)), i32::from(height.div_ceil(8)));
        let mut bits = MsbBits::default();
        let mut previous = 0i32;
        for by in 0..blocks_y {
            for bx in 0..blocks_x {
                let grey = 40 + bx * 150 / blocks_x + (by * 25 / blocks_y) + (bx * 7 + by * 3) % 5;
                let dc = (grey - 128) * 8; // all quantisers are 1: the block's grey is 128 + dc / 8
                let diff = dc - previous;
                previous = dc;
                let category = 32 - diff.unsigned_abs().leading_zeros();
                let (code, len) = dc_codes[category as usize];
                bits.put(code, len);
                if category > 0 {
                    let extra = if diff > 0 { diff } else { diff + (1 << category) - 1 };
                    bits.put(extra as u32, category);
                }
                bits.put(0, 1); // end of block: no AC coefficients
            }
        }
        out.extend_from_slice(&bits.finish());
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    /// The GPS latitude written into [`exif_segment`]: 52° 13' 30" N, as three rationals.
    pub(crate) const GPS_LATITUDE: [u8; 24] =
        [52, 0, 0, 0, 1, 0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 0xB8, 0x0B, 0, 0, 100, 0, 0, 0];

    /// The IFD0 entry pointing to the GPS directory (tag 0x8825, type LONG).
    pub(crate) const GPS_IFD_POINTER: [u8; 4] = [0x25, 0x88, 0x04, 0x00];

    fn ifd_entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }

    /// A JPEG APP1 segment with a little-endian Exif block: IFD0 holds an orientation and a
    /// GPS IFD pointer, and the GPS IFD a latitude reference and a latitude.
    fn exif_segment(orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II\x2A\x00");
        tiff.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: two entries, 2 + 2 × 12 + 4 = 30 bytes, so the GPS IFD starts at 38.
        tiff.extend_from_slice(&2u16.to_le_bytes());
        ifd_entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
        ifd_entry(&mut tiff, 0x8825, 4, 1, 38);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD at 38: two entries, 30 bytes, so the latitude's rationals start at 68.
        tiff.extend_from_slice(&2u16.to_le_bytes());
        ifd_entry(&mut tiff, 0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
        ifd_entry(&mut tiff, 0x0002, 5, 3, 68);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 68);
        tiff.extend_from_slice(&GPS_LATITUDE);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
        segment.extend_from_slice(b"Exif\0\0");
        segment.extend_from_slice(&tiff);
        segment
    }

    /// `jpeg` with an APP1 Exif segment (with a GPS position) right after its SOI marker.
    pub(crate) fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&exif_segment(orientation));
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// Bits written least significant first, as DEFLATE wants them.
    #[derive(Default)]
    struct LsbBits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }

    impl LsbBits {
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }

        /// A Huffman code: most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            self.put(u64::from(code.reverse_bits() >> (32 - len)), len);
        }

        fn finish(mut self) -> Vec<u8> {
            if self.n > 0 {
                self.out.push(self.acc as u8);
            }
            self.out
        }
    }

    /// A real DEFLATE stream of `1 + 258 × runs` zero bytes: one literal, then copies of
    /// 258 bytes at distance 1 (13 bits each with the fixed codes, about 160 to 1).
    fn deflated_zeros(runs: usize) -> Vec<u8> {
        let mut bits = LsbBits::default();
        bits.put(1, 1); // the final block
        bits.put(1, 2); // fixed Huffman codes
        bits.code(0x30, 8); // literal 0
        for _ in 0..runs {
            bits.code(0xC5, 8); // length 258 (symbol 285)
            bits.code(0, 5); // distance 1
        }
        bits.code(0, 7); // end of block (symbol 256)
        bits.finish()
    }

    /// A ZIP archive of `(name, method, packed, unpacked size, crc)` entries.
    fn zip(entries: &[(&str, u16, Vec<u8>, u32, u32)]) -> Vec<u8> {
        let (mut out, mut directory) = (Vec::new(), Vec::new());
        for (name, method, packed, size, crc) in entries {
            let offset = out.len() as u32;
            let fields = |out: &mut Vec<u8>| {
                out.extend_from_slice(&20u16.to_le_bytes()); // version needed
                out.extend_from_slice(&0u16.to_le_bytes()); // flags
                out.extend_from_slice(&method.to_le_bytes());
                out.extend_from_slice(&0u16.to_le_bytes()); // time
                out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
                out.extend_from_slice(&crc.to_le_bytes());
                out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
                out.extend_from_slice(&size.to_le_bytes());
                out.extend_from_slice(&(name.len() as u16).to_le_bytes());
                out.extend_from_slice(&0u16.to_le_bytes()); // extra field
            };
            out.extend_from_slice(b"PK\x03\x04");
            fields(&mut out);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(packed);
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&20u16.to_le_bytes()); // made by
            fields(&mut directory);
            directory.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let start = out.len() as u32;
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]); // disk numbers
        let count = entries.len() as u16;
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // comment length
        out
    }

    const DOCX_CONTENT_TYPES: &[u8] = concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
        r#"<Default Extension="xml" ContentType="application/xml"/>"#,
        r#"<Override PartName="/word/document.xml" "#,
        r#"ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
        r#"</Types>"#,
    )
    .as_bytes();

    /// A DOCX whose `word/document.xml` is about 16 MiB of zeros deflated to about 100 kB.
    pub(crate) fn zip_bomb() -> Vec<u8> {
        let runs = 65_536;
        let unpacked = 1 + 258 * runs;
        let bomb = deflated_zeros(runs);
        let types = DOCX_CONTENT_TYPES.to_vec();
        let (types_len, types_crc) = (types.len() as u32, crc32(&types));
        zip(&[
            ("[Content_Types].xml", 0, types, types_len, types_crc),
            ("word/document.xml", 8, bomb, unpacked as u32, crc32(&vec![0; unpacked])),
        ])
    }
}
