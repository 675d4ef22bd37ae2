//! The editorial workflow: publish, unpublish, archive, slugs, restore and delete.

use chrono::{DateTime, SubsecRound, Utc};

use super::error::validation;
use super::{check_version, Cms, CmsError};
use crate::audit::AuditAction;
use crate::events::{Change, ChangeEvent};
use crate::record::{Id, Meta, Record, Status};
use crate::slugs;
use crate::validate::Validator;

/// A workflow step on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Publish now (`None`) or at a time (future: scheduled; past: back-dated, e.g. for
    /// imported news). Also reschedules a published item or republishes an archived one.
    Publish(Option<DateTime<Utc>>),
    /// Back to draft from published or archived.
    Unpublish,
    /// Off the public site, kept with its publish time.
    Archive,
    /// A new slug (normalised); the old one keeps resolving to the item.
    Slug(String),
    /// The content (and tags) of an old version as a new version; status and slug stay.
    Restore(u64),
    /// New editable fields of the metryczka (the rest is the workflow's).
    Record(RecordFields),
}

/// The editable fields of an item's metryczka ([`ItemRecord`](crate::record::ItemRecord)).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFields {
    /// Who produced the information („wytworzył”): a person and/or a unit.
    #[serde(default)]
    pub produced_by: Option<String>,
    /// Who answers for it („odpowiedzialny”).
    #[serde(default)]
    pub responsible: Option<String>,
    /// When it was produced („data wytworzenia”), `YYYY-MM-DD`.
    #[serde(default)]
    pub produced_on: Option<chrono::NaiveDate>,
}

/// Longest name in a metryczka, in characters.
pub const MAX_RECORD_NAME_CHARS: usize = 200;

impl RecordFields {
    /// The fields as a write keeps them (trimmed; blank: none), or the field errors: names
    /// of at most [`MAX_RECORD_NAME_CHARS`] printable characters, a date in the years 1900
    /// to 9999. (A [`Step::Record`] checks them; a form checks them first to write nothing.)
    pub fn checked(self) -> Result<RecordFields, CmsError> {
        let mut v = Validator::new();
        let mut name = |field: &str, text: Option<String>| {
            let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
            if let Some(t) = &text {
                v.max_len(field, t, MAX_RECORD_NAME_CHARS);
                if t.chars().any(char::is_control) {
                    v.error(field, "invalid_char", "must be one line of printable characters");
                }
            }
            text
        };
        let produced_by = name("produced_by", self.produced_by);
        let responsible = name("responsible", self.responsible);
        if self.produced_on.is_some_and(|d| !(1900..=9999).contains(&chrono::Datelike::year(&d))) {
            v.error("produced_on", "out_of_range", "must be in the years 1900 to 9999");
        }
        v.finish().map_err(CmsError::Invalid)?;
        Ok(RecordFields { produced_by, responsible, produced_on: self.produced_on })
    }
}

/// Makes `slug` (normalised) the current slug, keeping the old one as a previous slug.
pub(crate) fn change_slug(meta: &mut Meta, slug: &str) -> Result<(), CmsError> {
    let slug = slugs::slugify(slug);
    // A file is found by its hash, which is its media item's slug.
    if meta.kind == <crate::content::Media as crate::content::Content>::KIND && slug != meta.slug {
        return Err(validation("slug", "immutable", "a file's address is its SHA-256 and cannot change"));
    }
    if slug.is_empty() {
        return Err(validation("slug", "empty_slug", "the slug has no letters or digits"));
    }
    if slug != meta.slug {
        let old = std::mem::replace(&mut meta.slug, slug);
        meta.previous_slugs.retain(|s| *s != meta.slug);
        meta.previous_slugs.push(old);
    }
    Ok(())
}

impl Cms {
    /// Loads an item of any kind for a workflow step, checking the version early.
    async fn load_at(&self, id: Id, expected_version: u64) -> Result<Record, CmsError> {
        let record = self.store.get(id).await?.ok_or_else(|| CmsError::NotFound { kind: "any".into(), id })?;
        check_version(&record, Some(expected_version))?;
        Ok(record)
    }

    /// Applies a step to a loaded record, based on version `expected` (`None`: the loaded
    /// one), and answers the record as committed: one read (the caller's) and one write.
    pub async fn apply_step(&self, mut record: Record, expected: Option<u64>, step: Step) -> Result<Record, CmsError> {
        check_version(&record, expected)?;
        let was_public = record.meta.is_public_at(self.now());
        let m = &mut record.meta;
        let (change, action) = match step {
            Step::Publish(at) => {
                // RFC 3339, which every frontend writes times in, has four-digit years.
                if at.is_some_and(|t| !(0..=9999).contains(&chrono::Datelike::year(&t))) {
                    return Err(validation("publish_at", "out_of_range", "must be in the years 0000 to 9999 (UTC)"));
                }
                m.status = Status::Published;
                m.publish_at = Some(at.map_or_else(|| self.now(), |t| t.trunc_subsecs(6)));
                // The system when no account acts (the demo seed, the command line).
                let actor = self.actor();
                (m.record.published_by, m.record.published_by_name) = (actor.id, Some(actor.name));
                (Change::Published, AuditAction::Published)
            }
            Step::Unpublish => {
                if m.status == Status::Draft {
                    return Err(CmsError::InvalidTransition { action: "unpublish", status: Status::Draft });
                }
                m.status = Status::Draft;
                m.publish_at = None;
                (Change::Unpublished, AuditAction::Unpublished)
            }
            Step::Archive => {
                if m.status == Status::Archived {
                    return Err(CmsError::InvalidTransition { action: "archive", status: Status::Archived });
                }
                m.status = Status::Archived;
                (Change::Archived, AuditAction::Archived)
            }
            Step::Slug(slug) => {
                let before = m.slug.clone();
                change_slug(m, &slug)?;
                if m.slug == before {
                    return Ok(record);
                }
                (Change::SlugChanged, AuditAction::SlugChanged)
            }
            Step::Restore(version) => {
                let id = m.id;
                let old = self.store.revision(id, version).await?.ok_or(CmsError::RevisionNotFound { id, version })?;
                // The old version may show files deleted since.
                if let Some(kind) = self.kinds.get(&record.meta.kind) {
                    self.check_media_refs(&kind.media(&old.body)).await?;
                }
                record.body = old.body;
                record.meta.tags = old.meta.tags;
                // Old words were written against the source as it was then: restoring them
                // restores that, so a source changed since shows the translation outdated.
                if let (Some(now), Some(then)) = (&mut record.meta.translation_of, old.meta.translation_of) {
                    if now.id == then.id {
                        now.version = then.version;
                    }
                }
                (Change::Restored, AuditAction::Restored)
            }
            Step::Record(fields) => {
                let RecordFields { produced_by, responsible, produced_on } = fields.checked()?;
                (m.record.produced_by, m.record.responsible, m.record.produced_on) =
                    (produced_by, responsible, produced_on);
                (Change::Updated, AuditAction::RecordChanged)
            }
        };
        self.commit(record, change, action, was_public).await
    }

    async fn step(&self, id: Id, expected_version: u64, step: Step) -> Result<Meta, CmsError> {
        let record = self.load_at(id, expected_version).await?;
        Ok(self.apply_step(record, None, step).await?.meta)
    }

    /// Gives an item a new slug (normalised); the old one keeps resolving to it.
    pub async fn set_slug(&self, id: Id, expected_version: u64, slug: &str) -> Result<Meta, CmsError> {
        self.step(id, expected_version, Step::Slug(slug.to_owned())).await
    }

    /// Publishes an item now, or at `at` (see [`Step::Publish`]).
    pub async fn publish(&self, id: Id, expected_version: u64, at: Option<DateTime<Utc>>) -> Result<Meta, CmsError> {
        self.step(id, expected_version, Step::Publish(at)).await
    }

    /// Takes a published (or archived) item back to draft.
    pub async fn unpublish(&self, id: Id, expected_version: u64) -> Result<Meta, CmsError> {
        self.step(id, expected_version, Step::Unpublish).await
    }

    /// Archives an item: off the public site, kept with its publish time.
    pub async fn archive(&self, id: Id, expected_version: u64) -> Result<Meta, CmsError> {
        self.step(id, expected_version, Step::Archive).await
    }

    /// Restores the content (and tags) of an old version as a new version. The workflow
    /// state and slug stay as they are now.
    pub async fn restore(&self, id: Id, version: u64, expected_version: u64) -> Result<Meta, CmsError> {
        self.step(id, expected_version, Step::Restore(version)).await
    }

    /// Deletes an item and its revisions.
    pub async fn delete(&self, id: Id, expected_version: u64) -> Result<(), CmsError> {
        let record = self.load_at(id, expected_version).await?;
        self.delete_record(record, None).await
    }

    /// Deletes a loaded record, based on version `expected` (`None`: the loaded one).
    pub async fn delete_record(&self, record: Record, expected: Option<u64>) -> Result<(), CmsError> {
        check_version(&record, expected)?;
        if record.meta.kind == <crate::content::Media as crate::content::Content>::KIND {
            if let Some(user) = self.media_used_by(record.meta.id).await? {
                let title = self.kinds.get(&user.meta.kind).and_then(|k| k.title(&user.body)).unwrap_or_default();
                return Err(CmsError::MediaInUse { id: record.meta.id, used_by: user.meta.id, title });
            }
        }
        let log = self.log_of(&record, AuditAction::Deleted, record.meta.is_public_at(self.now()));
        let store = self.store.clone();
        self.committed(record.meta.id, async move {
            store.delete_logged(record.meta.id, record.meta.version, log).await?;
            Ok(ChangeEvent { change: Change::Deleted, id: record.meta.id, meta: Some(record.meta), body: None })
        })
        .await
    }
}
