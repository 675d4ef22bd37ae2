//! # witryna-core
//!
//! The core of Witryna, an embeddable headless CMS for public-service websites (first of
//! all Polish municipal social-welfare centres, MOPS):
//!
//! - typed content ([`content`]): news, funded programmes with exact budgets, units with
//!   [`OfficeHours`], static pages, accessibility settings, each validated field by field;
//! - exact values: [`Money`] in grosze, office hours in Europe/Warsaw with Polish
//!   public holidays, slugs through one function ([`slugs::slugify`]);
//! - the [`Store`] trait that backends implement, and [`MemoryStore`];
//! - the registry of content kinds ([`Kinds`]) that every frontend loops over;
//! - the [`Cms`] service: slugs, draft → published → archived, scheduled publishing,
//!   revisions, queries with cursor pagination, and change events;
//! - the demo content built from real MOPS pages ([`demo`]);
//! - with feature `testing`, the store conformance suite every backend runs (`witryna_core::testing`).
//!
//! ```
//! use std::sync::Arc;
//! use witryna_core::{content::Page, Cms, MemoryStore, View, SlugLookup};
//!
//! # tokio_test();
//! # fn tokio_test() { tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let cms = Cms::new(Arc::new(MemoryStore::new()));
//! let page = Page {
//!     title: "Klauzula informacyjna".into(),
//!     summary: String::new(),
//!     body: "RODO…".into(),
//!     attachments: Vec::new(),
//! };
//! let item = cms.create(page).await?;
//! assert_eq!(item.meta.slug, "klauzula-informacyjna");
//! cms.publish(item.meta.id, item.meta.version, None).await?;
//! let found = cms.find::<Page>("klauzula-informacyjna", View::Public).await?;
//! assert!(matches!(found, SlugLookup::Found(_)));
//! # Ok::<(), witryna_core::CmsError>(()) }).unwrap() }
//! ```

pub mod audit;
pub mod cache;
pub mod cms;
pub mod content;
pub mod demo;
pub mod events;
pub mod holidays;
pub mod kinds;
pub mod locales;
pub mod money;
pub mod office_hours;
pub mod pl;
pub mod record;
pub mod search;
pub mod slugs;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod validate;

pub use cms::{
    BlobCollection, Clock, Cms, CmsError, CreateOptions, Item, ItemPage, ManualClock, Query, RecordList, RecordLookup,
    SlugLookup, Step, SystemClock, View, BLOB_GRACE,
};
pub use content::Content;
pub use events::{Change, ChangeEvent, DerivedIndex};
pub use kinds::{Checked, Kind, KindSpec, Kinds, Labels};
pub use locales::{Locale, Locales};
pub use money::{Money, MoneyError};
pub use office_hours::{DateException, Interval, OfficeHours, WeeklySchedule};
pub use record::{Id, Meta, Record, Status, TranslationOf};
pub use store::{DynStore, ListQuery, MemoryStore, Store, StoreError};
pub use validate::{FieldError, ValidationErrors};
