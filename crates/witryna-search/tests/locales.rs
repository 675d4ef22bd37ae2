//! Search per locale: each item analysed by its own language, the reader's locale first,
//! and an index of an older layout rebuilt from the store.

use std::collections::HashSet;
use std::sync::Arc;

use witryna_core::content::Page;
use witryna_core::search::{SearchHit, SearchQuery};
use witryna_core::{demo, Cms, CreateOptions, Id, MemoryStore};
use witryna_search::TantivyIndex;
use witryna_sled::SledStore;

fn memory_cms() -> Cms {
    Cms::new(Arc::new(MemoryStore::new())).with_search(Arc::new(TantivyIndex::in_memory().unwrap()))
}

fn page(title: &str, body: &str) -> Page {
    Page { attachments: Vec::new(), title: title.into(), summary: String::new(), body: body.into() }
}

/// Creates and publishes a page.
async fn published(cms: &Cms, content: Page, options: CreateOptions) -> Id {
    let item = cms.create_with(content, options).await.unwrap();
    cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
    item.meta.id
}

fn in_locale(locale: &str) -> CreateOptions {
    CreateOptions { locale: Some(locale.into()), ..CreateOptions::default() }
}

fn translation(locale: &str, source: Id) -> CreateOptions {
    CreateOptions { slug: None, locale: Some(locale.into()), translation_of: Some(source) }
}

fn query(text: &str, locale: &str) -> SearchQuery {
    SearchQuery { text: text.into(), locale: locale.into(), ..SearchQuery::default() }
}

async fn hits(cms: &Cms, query: SearchQuery) -> Vec<SearchHit> {
    cms.search(query).await.unwrap().items
}

#[tokio::test]
async fn english_items_are_found_by_stemmed_forms() {
    let cms = memory_cms();
    let id = published(
        &cms,
        page("Support for families", "The centre is supporting carers of older people in Zawiercie."),
        in_locale("en"),
    )
    .await;
    for text in ["supporting", "supports", "support", "SUPPORTED", "carer", "zawiercie"] {
        let found = hits(&cms, query(text, "en")).await;
        assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), [id], "{text}");
        assert_eq!(found[0].locale, "en");
    }
    let found = hits(&cms, query("supporting", "pl")).await;
    assert_eq!(found.len(), 1, "a reader of another locale finds it too");
    assert!(found[0].snippet.contains("<mark>supporting</mark>"), "{}", found[0].snippet);
    assert!(hits(&cms, query("sport", "en")).await.is_empty(), "stems two edits apart do not meet");
}

#[tokio::test]
async fn ukrainian_items_are_found_with_any_apostrophe_and_case() {
    let cms = memory_cms();
    let id = published(
        &cms,
        page("Підтримка для сімʼї", "Кожна сім’я з дітьми може отримати допомогу в центрі."),
        in_locale("uk"),
    )
    .await;
    for text in ["сімʼя", "сім’я", "сім'я", "сім`я", "СІМ'Я", "Сім’ї", "сім'єю", "підтримка", "ПІДТРИМКИ", "допомога"]
    {
        let found = hits(&cms, query(text, "uk")).await;
        assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), [id], "{text}");
        assert_eq!(found[0].locale, "uk");
    }
    let found = hits(&cms, query("сім'я", "pl")).await;
    assert_eq!(found.len(), 1, "a reader of another locale finds it too");
    assert!(found[0].snippet.contains("<mark>сім’я</mark>"), "{}", found[0].snippet);
    assert!(hits(&cms, query("ганок", "uk")).await.is_empty());
}

#[tokio::test]
async fn polish_items_keep_polish_matching_and_report_their_locale() {
    let cms = memory_cms();
    let id = published(&cms, page("Pomoc społeczna", "Dyżury w każdy wtorek."), CreateOptions::default()).await;
    for (text, locale) in [("pomocy spolecznej", ""), ("POMOC SPOŁECZNA", "pl"), ("pomoc", "uk"), ("dyzury", "en")] {
        let found = hits(&cms, query(text, locale)).await;
        assert_eq!(found.iter().map(|h| (h.id, h.locale.as_str())).collect::<Vec<_>>(), [(id, "pl")], "{text}");
    }
}

/// Polish sources, two translated into Ukrainian and one into English, all matching
/// „Kalisz”: (Polish ids, Ukrainian ids, English ids).
async fn translated_group(cms: &Cms) -> (Vec<Id>, Vec<Id>, Vec<Id>) {
    let mut pl = Vec::new();
    for (title, body) in [
        ("Porady prawne w Kaliszu", "Dyżury prawnika MOPS Kalisz w każdy wtorek."),
        ("Kalisz: pomoc dla rodzin", "Zasiłki rodzinne w MOPS Kalisz."),
        ("Klub seniora", "Spotkania seniorów, ul. Kaliska, Kalisz."),
    ] {
        pl.push(published(cms, page(title, body), CreateOptions::default()).await);
    }
    let uk = vec![
        published(
            cms,
            page("Юридичні консультації", "Чергування юриста MOPS Kalisz щовівторка."),
            translation("uk", pl[0]),
        )
        .await,
        published(cms, page("Допомога для сімей", "Сімейні допомоги в MOPS Kalisz."), translation("uk", pl[1])).await,
    ];
    let en = vec![
        published(cms, page("Legal advice", "A lawyer at MOPS Kalisz every Tuesday."), translation("en", pl[0])).await,
    ];
    (pl, uk, en)
}

#[tokio::test]
async fn the_readers_locale_comes_first() {
    let cms = memory_cms();
    let (pl, uk, en) = translated_group(&cms).await;
    let ids = |found: &[SearchHit]| found.iter().map(|h| h.id).collect::<Vec<_>>();
    let is_part = |found: &[SearchHit], ids: &[Id]| found.iter().all(|h| ids.contains(&h.id));

    let for_uk = hits(&cms, query("kalisz", "uk")).await;
    assert_eq!(for_uk.len(), 6, "every locale is searched");
    assert!(is_part(&for_uk[..2], &uk) && for_uk[..2].iter().all(|h| h.locale == "uk"), "{for_uk:#?}");
    assert!(for_uk[2..].iter().all(|h| h.locale != "uk"));

    for reader in ["pl", "", "PL"] {
        let for_pl = hits(&cms, query("kalisz", reader)).await;
        assert!(is_part(&for_pl[..3], &pl), "{reader:?}: {for_pl:#?}");
    }
    let for_en = hits(&cms, query("kalisz", "en")).await;
    assert_eq!(ids(&for_en[..1]), en);

    // Each part best first.
    for part in [&for_uk[..2], &for_uk[2..]] {
        assert!(part.windows(2).all(|w| w[0].score >= w[1].score), "{part:#?}");
    }
    // A Polish item and its Ukrainian translation, both matching: each reader's first.
    let source_and_translation =
        |reader: &str| SearchQuery { text: "porady юридичні kalisz".into(), ..query("", reader) };
    assert!(hits(&cms, source_and_translation("uk")).await.is_empty(), "a reading's words must all match one item");
    let lawyer = |reader: &str| query("MOPS Kalisz", reader);
    assert_eq!(hits(&cms, lawyer("uk")).await[0].locale, "uk");
    assert_eq!(hits(&cms, lawyer("pl")).await[0].locale, "pl");
    assert_eq!(ids(&hits(&cms, query("юридичні", "pl")).await), [uk[0]], "found in its language from any reader");
    assert_eq!(ids(&hits(&cms, query("porady", "uk")).await), [pl[0]]);
}

#[tokio::test]
async fn pages_cross_the_locale_boundary_without_repeating_or_skipping() {
    let cms = memory_cms();
    translated_group(&cms).await;
    for reader in ["uk", "pl", "en"] {
        let whole = cms.search(query("kalisz", reader)).await.unwrap();
        assert_eq!(whole.total, 6);
        for limit in [1, 2, 4] {
            let mut paged = Vec::new();
            let mut offset = 0;
            loop {
                let page = cms.search(SearchQuery { limit, offset, ..query("kalisz", reader) }).await.unwrap();
                assert_eq!(page.total, 6, "the total counts every locale");
                paged.extend(page.items.iter().map(|h| h.id));
                match page.next_cursor {
                    Some(next) => offset = next.parse().unwrap(),
                    None => break,
                }
            }
            assert_eq!(paged, whole.items.iter().map(|h| h.id).collect::<Vec<_>>(), "{reader} by {limit}");
            assert_eq!(paged.iter().collect::<HashSet<_>>().len(), 6);
        }
    }
}

/// A tantivy index as version 1 of this crate wrote it: one Polish field set, no layout file.
fn write_old_layout(path: &std::path::Path) {
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING};
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("default").set_index_option(IndexRecordOption::WithFreqs),
    );
    let stems = b.add_text_field("stems_title", words);
    std::fs::create_dir_all(path).unwrap();
    let index = tantivy::Index::create_in_dir(path, b.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer.add_document(tantivy::doc!(id => Id::new().to_string(), stems => "kalisz")).unwrap();
    writer.commit().unwrap();
}

#[tokio::test]
async fn an_index_of_an_older_layout_is_replaced_and_rebuilt_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (store_path, index_path) = (dir.path().join("store"), dir.path().join("search"));
    let store = Arc::new(SledStore::open(&store_path).unwrap());
    demo::seed(&Cms::new(store.clone())).await.unwrap();
    write_old_layout(&index_path);

    // What `witryna serve` does: open, and rebuild an empty index from a store with items.
    let index = Arc::new(TantivyIndex::open(&index_path).unwrap());
    assert!(index.is_empty(), "the old index is not read with the new layout");
    let cms = Cms::new(store.clone()).with_search(index.clone());
    cms.rebuild_derived(&|_| {}).await.unwrap();
    let found = cms.search(query("wozek widlowy", "")).await.unwrap();
    assert_eq!(found.items[0].slug, "aktywni-w-kis");
    assert_eq!(found.items[0].locale, "pl");
    let indexed = index.len();
    drop((cms, index));

    // An index of the current layout is kept as it is.
    let index = TantivyIndex::open(&index_path).unwrap();
    assert_eq!(index.len(), indexed);
    drop(index);

    // So is any other folder's content until it holds an index: a fresh folder is not emptied.
    let fresh = dir.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::write(fresh.join("keep.txt"), "x").unwrap();
    drop(TantivyIndex::open(&fresh).unwrap());
    assert!(fresh.join("keep.txt").exists());
}
