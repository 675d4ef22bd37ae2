//! Fills a sled store with the demo content plus N generated news items (for load tests):
//! written in relaxed mode and flushed once at the end.
//!
//! ```text
//! cargo run --release --example seed_news -- DATA_DIR 10000
//! ```

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use witryna::content::NewsArticle;
use witryna::sled::{Durability, SledOptions, SledStore};
use witryna::Cms;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: seed_news DATA_DIR COUNT")?;
    let count: usize = args.next().ok_or("usage: seed_news DATA_DIR COUNT")?.parse()?;
    let options = SledOptions { durability: Durability::Relaxed { flush_every_ms: 1000 }, ..SledOptions::default() };
    let store = SledStore::open_with(&dir, options)?;
    let cms = Cms::new(Arc::new(store.clone()));
    witryna::demo::seed(&cms).await?;
    let start = Utc.with_ymd_and_hms(2018, 1, 1, 8, 0, 0).single().ok_or("date")?;
    for i in 0..count {
        let news = NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: format!("Spotkanie informacyjne w Klubie Integracji Społecznej nr {i}"),
            lead: "W Klubie Integracji Społecznej przy ul. Granicznej 1A odbyło się spotkanie informacyjne.".into(),
            body: "W spotkaniu uczestniczyły 42 osoby korzystające z pomocy społecznej. ".repeat(12),
            author: "MOPS Kalisz".into(),
            tags: vec!["kis".into()],
            cover: None,
            event: None,
        };
        let item = cms.create(news).await?;
        cms.publish(item.meta.id, item.meta.version, Some(start + Duration::minutes(i as i64 * 30))).await?;
    }
    store.flush().await?;
    println!("{dir}: demo content + {count} news items");
    Ok(())
}
