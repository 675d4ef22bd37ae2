//! What the store keeps: a [`Record`] is the typed content serialized, plus the metadata
//! the store indexes (kind, locale, slug, status, times, version, tags).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Identifier of a content item: a UUID v7, so ids sort roughly by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Id(uuid::Uuid::now_v7())
    }

    /// The 16 bytes, big-endian (the order the stores sort in).
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// From 16 bytes.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        Id(uuid::Uuid::from_bytes(b))
    }
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Id)
    }
}

/// Where an item is in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being written; only editors see it.
    Draft,
    /// Public once its `publish_at` has come (scheduled until then).
    Published,
    /// Taken off the public site but kept.
    Archived,
}

impl Status {
    /// One byte for index values.
    pub fn to_byte(self) -> u8 {
        match self {
            Status::Draft => 0,
            Status::Published => 1,
            Status::Archived => 2,
        }
    }

    /// Inverse of [`Status::to_byte`].
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Status::Draft),
            1 => Some(Status::Published),
            2 => Some(Status::Archived),
            _ => None,
        }
    }

    /// The lowercase name (`draft`, `published`, `archived`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "draft" => Ok(Status::Draft),
            "published" => Ok(Status::Published),
            "archived" => Ok(Status::Archived),
            other => Err(format!("unknown status {other:?} (draft, published, archived)")),
        }
    }
}

/// The metadata of an item: everything but its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Meta {
    /// Stable identifier.
    pub id: Id,
    /// Content kind, [`Content::KIND`](crate::Content::KIND).
    pub kind: String,
    /// Locale, e.g. `pl`. Slugs are unique per kind and locale.
    pub locale: String,
    /// Current slug.
    pub slug: String,
    /// Earlier slugs, which still resolve to this item (frontends redirect).
    pub previous_slugs: Vec<String>,
    /// Workflow status.
    pub status: Status,
    /// When it is (or was, or will be) public; set while published or archived.
    #[serde(with = "instant::optional")]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub publish_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(with = "instant")]
    #[schemars(with = "DateTime<Utc>")]
    pub created_at: DateTime<Utc>,
    /// When its last version was written.
    #[serde(with = "instant")]
    #[schemars(with = "DateTime<Utc>")]
    pub updated_at: DateTime<Utc>,
    /// Version, 1 on creation, +1 on every change.
    pub version: u64,
    /// Normalised tags (lower case), indexed for filtering.
    pub tags: Vec<String>,
    /// The account (an editor's user or an API token) that created the item; `None` for
    /// items written before accounts existed and by the demo seed.
    #[serde(default)]
    pub created_by: Option<Id>,
    /// The account that wrote this version (revisions keep each version's writer).
    #[serde(default)]
    pub updated_by: Option<Id>,
    /// The item this one translates (its translation group's source, in the default
    /// locale), and the source's version it was last written against; `None` for sources
    /// and items outside any group.
    #[serde(default)]
    pub translation_of: Option<TranslationOf>,
    /// The item's metryczka: who produced the information, who answers for it, and who
    /// entered, published and last changed it (names as they were then), with the reason
    /// for this version. The times are `created_at`, `publish_at` and `updated_at`.
    #[serde(default)]
    pub record: ItemRecord,
}

/// The metryczka of a public body's published information (the Public Information
/// Bulletin regulation): editable fields an editor fills in, and fields the workflow
/// fills in as accounts act. Names are kept as they were, so the record stays true after
/// an account is renamed or removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemRecord {
    /// Who produced the information („wytworzył”): a person and/or a unit. Editable; the
    /// creating account's name by default.
    #[serde(default)]
    pub produced_by: Option<String>,
    /// Who answers for the information („odpowiedzialny”). Editable.
    #[serde(default)]
    pub responsible: Option<String>,
    /// When the information was produced („data wytworzenia”). Editable; the creation
    /// day (Warsaw) by default.
    #[serde(default)]
    pub produced_on: Option<chrono::NaiveDate>,
    /// The name of the account that entered the item („wprowadził”; `created_by`, at
    /// `created_at`).
    #[serde(default)]
    pub entered_by: Option<String>,
    /// The account that last published the item („opublikował”, at `publish_at`).
    #[serde(default)]
    pub published_by: Option<Id>,
    /// That account's name then.
    #[serde(default)]
    pub published_by_name: Option<String>,
    /// The name of the account that wrote this version (`updated_by`, at `updated_at`).
    #[serde(default)]
    pub changed_by: Option<String>,
    /// Why this version was written (the change register's reason): required for a change
    /// to a public item, optional before.
    #[serde(default)]
    pub change_note: Option<String>,
}

/// The link of a translation to its source: the group is the source's id, so joining or
/// leaving it is a write of the translation alone and never touches the source or a
/// sibling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TranslationOf {
    /// The source item (the group).
    pub id: Id,
    /// The source's version when this translation was last written: a later change to the
    /// source's content makes the translation outdated.
    pub version: u64,
}

impl Meta {
    /// The time lists sort by, newest first: the publish time, else the creation time.
    pub fn sort_time(&self) -> DateTime<Utc> {
        self.publish_at.unwrap_or(self.created_at)
    }

    /// Whether the public may see it at `now`: published and its time has come.
    pub fn is_public_at(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.publish_at.is_some_and(|t| t <= now)
    }
}

/// One version of one item as the store keeps it: metadata plus the content as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Record {
    /// Metadata.
    pub meta: Meta,
    /// The content, serialized as JSON by the [`Cms`](crate::Cms).
    pub body: String,
}

/// Records as stores wrote them before: schema 1 without `created_by`/`updated_by`, schema
/// 2 without `translation_of`, schema 3 without `record`. postcard is not self-describing, so the stores tell the
/// layouts apart by a leading format byte (see [`kv::encode_record`](crate::store::kv::encode_record)).
/// These layouts are frozen: they describe bytes already on disks.
pub(crate) mod legacy {
    use serde::Deserialize;

    use super::{instant, Id, Status};
    use chrono::{DateTime, Utc};

    /// The metadata of schema 1.
    #[derive(Deserialize)]
    struct MetaV1 {
        id: Id,
        kind: String,
        locale: String,
        slug: String,
        previous_slugs: Vec<String>,
        status: Status,
        #[serde(with = "instant::optional")]
        publish_at: Option<DateTime<Utc>>,
        #[serde(with = "instant")]
        created_at: DateTime<Utc>,
        #[serde(with = "instant")]
        updated_at: DateTime<Utc>,
        version: u64,
        tags: Vec<String>,
    }

    /// The metadata of schema 2: schema 1's and the writing accounts. postcard writes a
    /// struct as its fields one after another, with no framing, so the nested schema-1
    /// part reads the same bytes as the fields written out.
    #[derive(Deserialize)]
    struct MetaV2 {
        v1: MetaV1,
        created_by: Option<Id>,
        updated_by: Option<Id>,
    }

    /// A schema-1 record.
    #[derive(Deserialize)]
    pub(crate) struct RecordV1 {
        meta: MetaV1,
        body: String,
    }

    /// A schema-2 record.
    #[derive(Deserialize)]
    pub(crate) struct RecordV2 {
        meta: MetaV2,
        body: String,
    }

    /// The metadata of schema 3: schema 2's and the translation link.
    #[derive(Deserialize)]
    struct MetaV3 {
        v2: MetaV2,
        translation_of: Option<super::TranslationOf>,
    }

    /// A schema-3 record.
    #[derive(Deserialize)]
    pub(crate) struct RecordV3 {
        meta: MetaV3,
        body: String,
    }

    impl From<RecordV2> for RecordV3 {
        fn from(old: RecordV2) -> Self {
            RecordV3 { meta: MetaV3 { v2: old.meta, translation_of: None }, body: old.body }
        }
    }

    impl From<RecordV1> for RecordV2 {
        fn from(old: RecordV1) -> Self {
            RecordV2 { meta: MetaV2 { v1: old.meta, created_by: None, updated_by: None }, body: old.body }
        }
    }

    impl From<RecordV3> for super::Record {
        fn from(old: RecordV3) -> Self {
            let MetaV3 { v2: MetaV2 { v1: m, created_by, updated_by }, translation_of } = old.meta;
            super::Record {
                meta: super::Meta {
                    id: m.id,
                    kind: m.kind,
                    locale: m.locale,
                    slug: m.slug,
                    previous_slugs: m.previous_slugs,
                    status: m.status,
                    publish_at: m.publish_at,
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                    version: m.version,
                    tags: m.tags,
                    created_by,
                    updated_by,
                    translation_of,
                    record: super::ItemRecord::default(),
                },
                body: old.body,
            }
        }
    }
}

/// Instants as RFC 3339 text in human-readable formats (JSON) and as integer microseconds
/// in binary ones (the stores' postcard records): exact, compact, and no text to parse on
/// the read path.
mod instant {
    use chrono::{DateTime, Utc};
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            t.serialize(s)
        } else {
            s.serialize_i64(t.timestamp_micros())
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        if d.is_human_readable() {
            DateTime::deserialize(d)
        } else {
            let micros = i64::deserialize(d)?;
            DateTime::from_timestamp_micros(micros).ok_or_else(|| D::Error::custom("timestamp out of range"))
        }
    }

    pub(super) mod optional {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize, Deserialize)]
        #[serde(transparent)]
        struct Wrapped(#[serde(with = "super")] DateTime<Utc>);

        pub(in super::super) fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
            t.map(Wrapped).serialize(s)
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_text_in_json_and_micros_in_postcard() {
        let t = DateTime::parse_from_rfc3339("2017-02-03T08:41:08.123456Z").unwrap().with_timezone(&Utc);
        let meta = Meta {
            id: Id::new(),
            kind: "news".into(),
            locale: "pl".into(),
            slug: "a".into(),
            previous_slugs: vec![],
            status: Status::Published,
            publish_at: Some(t),
            created_at: t,
            updated_at: t,
            version: 1,
            tags: vec![],
            created_by: Some(Id::new()),
            updated_by: None,
            translation_of: Some(TranslationOf { id: Id::new(), version: 4 }),
            record: ItemRecord {
                produced_by: Some("Dział Pomocy Środowiskowej".into()),
                produced_on: chrono::NaiveDate::from_ymd_opt(2017, 2, 1),
                change_note: Some("literówka".into()),
                ..ItemRecord::default()
            },
        };
        let json = serde_json::to_string(&meta).unwrap();
        assert!(json.contains(r#""publish_at":"2017-02-03T08:41:08.123456Z""#), "{json}");
        assert_eq!(serde_json::from_str::<Meta>(&json).unwrap(), meta);
        let bytes = postcard::to_stdvec(&meta).unwrap();
        assert_eq!(postcard::from_bytes::<Meta>(&bytes).unwrap(), meta);
        let draft = Meta { publish_at: None, ..meta };
        assert_eq!(postcard::from_bytes::<Meta>(&postcard::to_stdvec(&draft).unwrap()).unwrap(), draft);
    }
}
