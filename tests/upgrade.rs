//! The on-disk format is a versioned promise: a store written by version 0.1 (schema 1),
//! kept in `tests/fixtures/store-v1`, opens in every later version with nothing lost.

use std::path::Path;
use std::sync::Arc;

use witryna::content::{NewsArticle, Programme, Unit};
use witryna::sled::SledStore;
use witryna::{Cms, Query, View};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn the_v1_store_fixture_opens_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    // sled writes on open: work on a copy so the fixture stays as it was committed.
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v1"), dir.path());
    let store = SledStore::open(dir.path()).expect("a v1 store opens");
    let cms = Cms::new(Arc::new(store));
    let all = cms.store().all(None, 100).await.unwrap();
    assert_eq!(all.len(), 16, "every item of the fixture");
    let news = cms.list::<NewsArticle>(Query::default()).await.unwrap().items;
    assert_eq!(news.len(), 2);
    assert_eq!(news[1].meta.publish_at.unwrap().to_rfc3339(), "2017-02-03T08:41:08+00:00");
    let rowni = match cms.find::<Programme>("rowni-na-starcie", View::Public).await.unwrap() {
        witryna::SlugLookup::Found(item) => item,
        other => panic!("{other:?}"),
    };
    assert_eq!(rowni.content.budget.unwrap().total.unwrap().to_string(), "1 515 830,74 zł");
    assert_eq!(cms.revisions(rowni.meta.id).await.unwrap().len(), 2, "revisions kept");
    let units = cms.list::<Unit>(Query { limit: Some(100), ..Query::default() }).await.unwrap().items;
    assert_eq!(units.len(), 6);
    assert!(all.iter().all(|r| r.meta.created_by.is_none() && r.meta.updated_by.is_none()), "written before accounts");
    // And it takes new writes, in the schema-2 layout with the writing account, beside the
    // schema-1 versions of the same item.
    let anna = witryna::audit::Actor { id: Some(witryna::Id::new()), name: "Anna".into(), address: None };
    let cms = cms.acting_as(anna.clone()).because("aktualizacja").unwrap();
    cms.update(rowni.meta.id, rowni.meta.version, rowni.content).await.unwrap();
    let revisions = cms.revisions(rowni.meta.id).await.unwrap();
    assert_eq!(revisions.iter().map(|m| m.updated_by).collect::<Vec<_>>(), [None, None, anna.id]);
    assert_eq!(revisions[2].record.change_note.as_deref(), Some("aktualizacja"));
}
