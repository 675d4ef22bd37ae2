//! Search on the demo content in a real sled store, kept current by the Cms.

use std::sync::Arc;

use witryna_core::content::{NewsArticle, Page};
use witryna_core::search::SearchQuery;
use witryna_core::{demo, Cms};
use witryna_search::TantivyIndex;
use witryna_sled::SledStore;

async fn demo_cms() -> (Cms, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::open(dir.path().join("store")).unwrap());
    let index = Arc::new(TantivyIndex::open(dir.path().join("search")).unwrap());
    let cms = Cms::new(store).with_search(index);
    demo::seed(&cms).await.unwrap();
    (cms, dir)
}

fn q(text: &str) -> SearchQuery {
    SearchQuery { text: text.into(), ..SearchQuery::default() }
}

async fn titles(cms: &Cms, query: SearchQuery) -> Vec<String> {
    cms.search(query).await.unwrap().items.into_iter().map(|h| h.title).collect()
}

#[tokio::test]
async fn polish_queries_find_inflected_forms_without_diacritics() {
    let (cms, _dir) = demo_cms().await;
    let found = titles(&cms, q("pomoc spoleczna")).await;
    assert!(found.iter().any(|t| t.starts_with("Spotkanie informacyjne")), "{found:?}");
    assert!(titles(&cms, q("wozek widlowy")).await.contains(&"Aktywni w KIS".to_owned()));
    let integr = titles(&cms, q("integracja")).await;
    assert!(integr.contains(&"Klub Integracji Społecznej".to_owned()), "{integr:?}");
    let zaw = titles(&cms, q("Zawiercie")).await;
    assert!(zaw.contains(&"Partnerstwo na rzecz aktywnej integracji w powiecie zawierciańskim".to_owned()), "{zaw:?}");
    assert!(titles(&cms, q("WÓZEK WIDŁOWY")).await.contains(&"Aktywni w KIS".to_owned()), "case and diacritics");
    assert!(titles(&cms, q("kosmonauta")).await.is_empty());
}

#[tokio::test]
async fn hits_carry_kind_slug_snippet_and_date_and_rank_title_first() {
    let (cms, _dir) = demo_cms().await;
    let results = cms.search(q("wozek widlowy")).await.unwrap();
    let hit = &results.items[0];
    assert_eq!((hit.kind.as_str(), hit.slug.as_str()), ("programme", "aktywni-w-kis"));
    assert!(hit.snippet.contains("<mark>wózka</mark> <mark>widłowego</mark>"), "{}", hit.snippet);
    assert_eq!(hit.publish_at.to_rfc3339(), "2023-01-10T08:00:00+00:00");

    // „Klub Integracji Społecznej” has the words in its title; others only in text.
    let results = cms.search(q("integracji spolecznej")).await.unwrap();
    assert!(
        results.items[0].title.contains("Integracji Społecznej"),
        "{:?}",
        results.items.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
    // An exact word ranks above a partial match of the same field.
    let exact = cms.search(q("konferencji")).await.unwrap();
    assert!(
        exact.items[0].title.starts_with("Współpraca"),
        "{:?}",
        exact.items.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn filters_pagination_and_odd_queries() {
    let (cms, _dir) = demo_cms().await;
    let kinds = |k: &str| SearchQuery { text: "integracji".into(), kinds: vec![k.into()], ..SearchQuery::default() };
    assert!(cms.search(kinds("unit")).await.unwrap().items.iter().all(|h| h.kind == "unit"));
    assert!(cms.search(kinds("news")).await.unwrap().items.iter().all(|h| h.kind == "news"));
    let tagged = SearchQuery { text: "projekt".into(), tag: Some("EFS".into()), ..SearchQuery::default() };
    let hits = cms.search(tagged).await.unwrap();
    assert!(!hits.items.is_empty() && hits.items.iter().all(|h| h.kind == "programme"));
    let dated = SearchQuery {
        text: "integracji".into(),
        from: Some("2017-06-01T00:00:00Z".parse().unwrap()),
        until: Some("2018-12-31T00:00:00Z".parse().unwrap()),
        ..SearchQuery::default()
    };
    for h in cms.search(dated).await.unwrap().items {
        assert!(
            h.publish_at.to_rfc3339().starts_with("2017-12") || h.publish_at.to_rfc3339().starts_with("2018"),
            "{h:?}"
        );
    }

    let all = cms.search(q("spolecznej")).await.unwrap();
    assert!(all.total >= 3);
    let first =
        cms.search(SearchQuery { text: "spolecznej".into(), limit: 2, ..SearchQuery::default() }).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let offset: usize = first.next_cursor.unwrap().parse().unwrap();
    let second = cms
        .search(SearchQuery { text: "spolecznej".into(), limit: 2, offset, ..SearchQuery::default() })
        .await
        .unwrap();
    assert!(second.items.iter().all(|h| !first.items.iter().any(|f| f.id == h.id)), "pages do not repeat");

    for odd in ["\"niedomknięty", "AND OR NOT (", "title:kis", "*", "   ", "🙂"] {
        assert!(cms.search(q(odd)).await.is_ok(), "{odd:?} must not fail");
    }
    let long = "pomoc ".repeat(500);
    assert!(!cms.search(q(&long)).await.unwrap().items.is_empty(), "a very long query is cut, not refused");
}

#[tokio::test]
async fn writes_are_searchable_or_gone_when_they_return() {
    let (cms, _dir) = demo_cms().await;
    let news = NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title: "Bezpłatne porady prawne w ośrodku".into(),
        lead: String::new(),
        body: "Dyżury notariusza w każdy wtorek.".into(),
        author: "MOPS Kalisz".into(),
        tags: vec![],
        cover: None,
        event: None,
    };
    let item = cms.create(news.clone()).await.unwrap();
    assert!(titles(&cms, q("notariusz")).await.is_empty(), "drafts are not found");
    let v = cms.publish(item.meta.id, 1, None).await.unwrap().version;
    assert_eq!(titles(&cms, q("notariusza")).await, ["Bezpłatne porady prawne w ośrodku"]);
    let v = cms
        .because("nowy dyżur")
        .unwrap()
        .update(item.meta.id, v, NewsArticle { body: "Dyżury mediatora.".into(), ..news })
        .await
        .unwrap()
        .meta
        .version;
    assert!(titles(&cms, q("notariusza")).await.is_empty(), "edits replace the old text");
    assert_eq!(titles(&cms, q("mediatora")).await.len(), 1);
    let v = cms.unpublish(item.meta.id, v).await.unwrap().version;
    assert!(titles(&cms, q("mediatora")).await.is_empty(), "unpublished items are gone");
    let v = cms.publish(item.meta.id, v, Some(cms.now() + chrono::Duration::hours(1))).await.unwrap().version;
    assert!(titles(&cms, q("mediatora")).await.is_empty(), "scheduled items wait for their time");
    cms.delete(item.meta.id, v).await.unwrap();
    assert!(titles(&cms, q("mediatora")).await.is_empty());

    // Rebuild from the store gives the same answers.
    let page = cms
        .create(Page {
            attachments: Vec::new(),
            title: "Dyżur mediatora".into(),
            summary: String::new(),
            body: "W czwartki.".into(),
        })
        .await
        .unwrap();
    cms.publish(page.meta.id, 1, None).await.unwrap();
    let before = titles(&cms, q("mediatora")).await;
    let read = cms.rebuild_derived(&|_| {}).await.unwrap();
    assert!(read >= 17);
    assert_eq!(titles(&cms, q("mediatora")).await, before);
}

/// Concurrent writers share commits (group commit), yet each write is searchable the moment
/// it is acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_are_each_searchable_when_acknowledged() {
    let (cms, _dir) = demo_cms().await;
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let cms = cms.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..10 {
                let word = format!("zapis{writer}x{n}");
                let page = Page {
                    title: format!("Strona {word}"),
                    summary: String::new(),
                    body: format!("Treść {word}."),
                    attachments: Vec::new(),
                };
                let item = cms.create(page).await.unwrap();
                cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
                // (Fuzzy matching finds the other writers' pages too.)
                let found = titles(&cms, q(&word)).await;
                assert!(found.contains(&format!("Strona {word}")), "{word} is searchable once acknowledged: {found:?}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

/// Commits are not synced one by one: the folder is marked while it may hold unsynced
/// data, with this boot's id. A clean stop syncs and unmarks it; a mark from another boot
/// (the machine stopped before the data reached the disk) empties the index on open, and
/// `witryna serve` rebuilds it from the store.
#[tokio::test]
async fn an_index_not_synced_before_a_reboot_is_rebuilt_and_a_synced_one_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::open(dir.path().join("store")).unwrap());
    let path = dir.path().join("search");
    let index = Arc::new(TantivyIndex::open(&path).unwrap());
    let cms = Cms::new(store.clone()).with_search(index.clone());
    demo::seed(&cms).await.unwrap();
    let indexed = index.len();
    assert!(indexed > 0);
    let mark = path.join("unsynced");
    assert!(mark.exists(), "written, not synced: marked");

    // A kill -9 on the same boot: the kernel kept every write, the index is trusted.
    drop((cms, index));
    let index = TantivyIndex::open(&path).unwrap();
    assert_eq!(index.len(), indexed, "same boot: kept");
    index.sync().unwrap();
    assert!(!mark.exists(), "synced: unmarked");
    drop(index);

    let index = TantivyIndex::open(&path).unwrap();
    assert_eq!(index.len(), indexed, "synced: kept");
    drop(index);

    // Unsynced data from before a reboot: emptied, to be rebuilt from the store.
    std::fs::write(&mark, "another-boot").unwrap();
    let index = Arc::new(TantivyIndex::open(&path).unwrap());
    assert!(index.is_empty(), "a mark of another boot empties the index");
    let cms = Cms::new(store).with_search(index.clone());
    cms.rebuild_derived(&|_| {}).await.unwrap();
    assert_eq!(index.len(), indexed);
    assert!(!titles(&cms, q("integracji")).await.is_empty());
}
