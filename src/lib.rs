//! # Witryna
//!
//! An embeddable headless CMS for public-service websites, first of all the sites of
//! Polish municipal social-welfare centres (MOPS). This facade re-exports the core
//! ([`witryna_core`]) and, behind features, the backends:
//!
//! | feature | what |
//! | --- | --- |
//! | `sled` (default) | [`sled::SledStore`], the embedded store |
//! | `http` (default) | [`http::router`], the JSON REST API as an axum `Router` |
//! | `postgres` | [`postgres::PgStore`], PostgreSQL for sites on several servers |
//!
//! ```no_run
//! use std::sync::Arc;
//! use witryna::{content::NewsArticle, sled::SledStore, Cms, Query};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let cms = Cms::new(Arc::new(SledStore::open("./witryna-data")?));
//! witryna::demo::seed(&cms).await?;
//! for item in cms.list::<NewsArticle>(Query::default()).await?.items {
//!     println!("{} ({})", item.content.title, item.meta.slug);
//! }
//! # Ok(()) }
//! ```

pub use witryna_core::*;

/// The embedded sled backend.
#[cfg(feature = "sled")]
pub mod sled {
    pub use witryna_sled::{Durability, OpenError, SledOptions, SledStore};
}

/// The PostgreSQL backend.
#[cfg(feature = "postgres")]
pub mod postgres {
    pub use witryna_postgres::{redact, PgError, PgOptions, PgStore, PG_SCHEMA_VERSION};
}

/// The JSON REST API.
#[cfg(feature = "http")]
pub mod http {
    pub use witryna_http::{
        auth, not_found, openapi_document, router, routes, ApiConfig, ApiError, ApiState, NewToken, Role, TokenInfo,
    };
}

/// The README's code examples, compiled as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
