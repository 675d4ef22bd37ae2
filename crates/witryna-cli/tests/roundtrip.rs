//! Export → import → export gives the same bytes for random content (proptest), through
//! the same `witryna_cli::transfer` code the command runs.

use std::sync::Arc;

use proptest::prelude::*;
use witryna_cli::transfer;
use witryna_core::content::{NewsArticle, Page};
use witryna_core::{Cms, MemoryStore};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9ąćęłńóśźżĄĆĘŁŃÓŚŹŻ .,!?\\-\"'<>&]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

#[derive(Debug, Clone)]
enum Step {
    News(String, String, Vec<String>),
    Page(String, String),
    Update(usize, String),
    Publish(usize),
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (text(), text(), prop::collection::vec("[a-z]{1,8}", 0..3)).prop_map(|(t, b, tags)| Step::News(t, b, tags)),
        (text(), text()).prop_map(|(t, b)| Step::Page(t, b)),
        (0usize..20, text()).prop_map(|(i, b)| Step::Update(i, b)),
        (0usize..20).prop_map(Step::Publish),
        (0usize..20).prop_map(Step::Delete),
    ]
}

async fn export(cms: &Cms) -> Vec<u8> {
    let mut out = Vec::new();
    transfer::export(cms.store(), &mut out, || {}).await.unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn export_import_export_is_identical(steps in prop::collection::vec(step(), 1..25)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let cms = Cms::new(Arc::new(MemoryStore::new()));
            let mut news = Vec::new();
            for s in steps {
                match s {
                    Step::News(title, body, tags) => {
                        let n = NewsArticle { attachments: Vec::new(), gallery: Vec::new(), title, lead: String::new(), body, author: "MOPS".into(), tags, cover: None, event: None };
                        if let Ok(item) = cms.create(n).await {
                            news.push(item.meta.id);
                        }
                    }
                    Step::Page(title, body) => {
                        let _ = cms.create(Page { attachments: Vec::new(), title, summary: String::new(), body }).await;
                    }
                    Step::Update(i, body) if !news.is_empty() => {
                        let id = news[i % news.len()];
                        if let Ok(cur) = cms.get::<NewsArticle>(id).await {
                            let _ = cms.update(id, cur.meta.version, NewsArticle { body, ..cur.content }).await;
                        }
                    }
                    Step::Publish(i) if !news.is_empty() => {
                        let id = news[i % news.len()];
                        if let Ok(cur) = cms.get::<NewsArticle>(id).await {
                            let _ = cms.publish(id, cur.meta.version, None).await;
                        }
                    }
                    Step::Delete(i) if !news.is_empty() => {
                        let id = news.remove(i % news.len());
                        if let Ok(cur) = cms.get::<NewsArticle>(id).await {
                            let _ = cms.delete(id, cur.meta.version).await;
                        }
                    }
                    _ => {}
                }
            }
            let first = export(&cms).await;
            let target = Cms::new(Arc::new(MemoryStore::new()));
            let report = transfer::import(target.store(), &witryna_cli::kinds(), &mut &first[..], |_| {}).await.unwrap();
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            assert_eq!(export(&target).await, first);
        });
    }
}
