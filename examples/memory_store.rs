//! `MemoryStore` in an integrator's own tests: a real store with the same contract as
//! sled, gone when dropped. Run the tests with `cargo test --example memory_store`.

use std::sync::Arc;

use witryna::content::NewsArticle;
use witryna::{Cms, MemoryStore, Query};

/// What an integrator's service might do: publish a news item and list the public ones.
async fn publish_news(cms: &Cms, title: &str) -> Result<String, witryna::CmsError> {
    let item = cms
        .create(NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: title.into(),
            lead: String::new(),
            body: "Treść aktualności.".into(),
            author: "MOPS Kalisz".into(),
            tags: vec!["kis".into()],
            cover: None,
            event: None,
        })
        .await?;
    let meta = cms.publish(item.meta.id, item.meta.version, None).await?;
    Ok(meta.slug)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), witryna::CmsError> {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let slug = publish_news(&cms, "Dzień otwarty w KIS").await?;
    let public = cms.list::<NewsArticle>(Query::default()).await?;
    println!("published /aktualnosci/{slug}; public news: {}", public.items.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use witryna::{SlugLookup, View};

    fn cms() -> Cms {
        Cms::new(Arc::new(MemoryStore::new()))
    }

    #[tokio::test]
    async fn published_news_is_public_under_its_polish_slug() {
        let cms = cms();
        let slug = publish_news(&cms, "Dzień otwarty w KIS").await.unwrap();
        assert_eq!(slug, "dzien-otwarty-w-kis");
        assert!(matches!(cms.find::<NewsArticle>(&slug, View::Public).await.unwrap(), SlugLookup::Found(_)));
    }

    #[tokio::test]
    async fn each_test_gets_its_own_empty_store() {
        let cms = cms();
        assert!(cms.list::<NewsArticle>(Query::default()).await.unwrap().items.is_empty());
    }
}
