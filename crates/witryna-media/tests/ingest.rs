//! The upload path end to end on a real store: files become blobs and media items, the
//! same file is kept once, a document needs a title, and published content makes its
//! files public.

use std::sync::Arc;

use witryna_core::content::{Attachment, Media, NewsArticle};
use witryna_core::{Cms, CmsError, Content, MemoryStore, Status};
use witryna_media::{ingest, IngestError, Limits, Spool, Upload};

const STRIP: &[u8] = include_bytes!("../demo/eu-logo-strip.png");
const FORM: &[u8] = include_bytes!("../demo/wniosek-o-zasilek.pdf");

fn spooled(bytes: &[u8]) -> tempfile::TempPath {
    let mut spool = Spool::new(&Limits::default()).unwrap();
    for piece in bytes.chunks(10_000) {
        spool.write(piece).unwrap();
    }
    spool.finish().unwrap()
}

async fn add(cms: &Cms, bytes: &[u8], name: &str, title: &str) -> Result<witryna_media::Ingested, IngestError> {
    let path = spooled(bytes);
    ingest(cms, Upload { path: &path, file_name: name, title, alt: "" }, &Limits::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_become_media_items_kept_once() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let strip = add(&cms, STRIP, "C:\\fakepath\\pasek.png", "").await.unwrap();
    assert!(strip.created);
    let m = &strip.media;
    assert_eq!((m.file.name.as_str(), m.file.content_type.as_str()), ("pasek.png", "image/png"));
    assert_eq!((m.file.width, m.file.height), (Some(1600), Some(200)));
    let widths: Vec<u32> = m.variants.iter().filter_map(|v| v.width).collect();
    assert!(widths.contains(&320) && widths.contains(&640) && widths.contains(&1280), "{widths:?}");
    assert_eq!(strip.record.meta.slug, m.file.hash.to_string(), "found by its hash");
    assert_eq!(strip.record.meta.status, Status::Draft);
    for hash in m.blobs() {
        assert!(cms.store().blob(hash).await.unwrap().is_some(), "every blob stored");
    }
    let again = add(&cms, STRIP, "inna-nazwa.png", "").await.unwrap();
    assert!(!again.created);
    assert_eq!(again.record.meta.id, strip.record.meta.id);

    let err = add(&cms, FORM, "wniosek.pdf", " ").await.unwrap_err();
    match err {
        IngestError::Cms(CmsError::Invalid(e)) => assert!(e.has("title"), "{e:?}"),
        other => panic!("a document without a title: {other:?}"),
    }
    assert_eq!(cms.store().blobs(None, 100).await.unwrap().len(), m.variants.len() + 1, "nothing stored for it");
    let form = add(&cms, FORM, "wniosek.pdf", "Wniosek o przyznanie zasiłku celowego").await.unwrap();
    assert_eq!((form.media.file.size, form.media.file.content_type.as_str()), (FORM.len() as u64, "application/pdf"));
    let stored = cms.store().read_blob(form.media.file.hash, 0, usize::MAX).await.unwrap().unwrap();
    assert!(stored == FORM, "documents are kept as uploaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_content_publishes_its_files_and_collection_spares_them() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let form = add(&cms, FORM, "wniosek.pdf", "Wniosek").await.unwrap();
    let news = NewsArticle {
        title: "Nabór wniosków".into(),
        lead: String::new(),
        body: "Wniosek w załączniku.".into(),
        author: "MOPS".into(),
        tags: Vec::new(),
        cover: None,
        gallery: Vec::new(),
        attachments: vec![Attachment { media: form.record.meta.id, title: String::new() }],
        event: None,
    };
    let item = cms.create(news).await.unwrap();
    let (media, _) = cms.media(form.record.meta.id).await.unwrap().unwrap();
    assert_eq!(media.meta.status, Status::Draft, "a draft's file stays private");
    let published = cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
    let (media, _) = cms.media(form.record.meta.id).await.unwrap().unwrap();
    assert_eq!((media.meta.status, media.meta.publish_at), (Status::Published, published.publish_at));

    let err = cms.delete(media.meta.id, media.meta.version).await.unwrap_err();
    assert!(matches!(err, CmsError::MediaInUse { .. }), "{err:?}");

    let orphan = witryna_core::store::BlobHash::of(b"no item names this");
    let mut w = cms.store().blob_writer().await.unwrap();
    w.write(b"no item names this").await.unwrap();
    w.commit().await.unwrap();
    let report = cms.collect_blobs(chrono::Duration::zero()).await.unwrap();
    assert_eq!(report.deleted, 1);
    assert_eq!(cms.store().blob(orphan).await.unwrap(), None);
    assert!(cms.store().blob(form.media.file.hash).await.unwrap().is_some(), "a named file is never collected");
    assert_eq!(Media::KIND, media.meta.kind);
}
