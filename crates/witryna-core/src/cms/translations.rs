//! Translation groups: a Polish source and its translations, each its own item (slug,
//! status, revisions, publish time), linked by [`Meta::translation_of`]. The Cms checks what
//! the store cannot — the source exists, is a Polish source of the same kind, the locale is
//! turned on — and keeps the shared fields ([`Content::SHARED`](crate::Content::SHARED)) the
//! source's: filled in on every write, overlaid on every read.

use serde_json::Value;

use super::error::validation;
use super::{Cms, CmsError, View, DEFAULT_LOCALE};
use crate::content::shared;
use crate::kinds::Checked;
use crate::record::{Id, Meta, Record, Status, TranslationOf};

/// Where a translation into one locale stands, as the editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranslationState {
    /// No translation into this locale.
    Missing,
    /// A draft (or an archived one): not public.
    Draft,
    /// Published and up to date.
    Published,
    /// The source's content changed after the translation was last written.
    Outdated,
}

/// One locale of a source's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationStatus {
    /// The locale code.
    pub locale: &'static str,
    /// The translation's metadata, if there is one.
    pub translation: Option<Meta>,
    /// Where it stands.
    pub state: TranslationState,
}

impl Cms {
    /// Checks a new translation of `source` into `locale` and gives the content with the
    /// source's shared fields and the link to write.
    pub(crate) async fn prepare_translation(
        &self,
        source: Id,
        locale: &str,
        content: Checked,
    ) -> Result<(Checked, TranslationOf), CmsError> {
        let kind = self.kinds.get(content.kind()).ok_or_else(|| CmsError::UnknownKind(content.kind().to_owned()))?;
        if !kind.is_translatable() {
            return Err(validation(
                "translation_of",
                "not_translatable",
                format!("{} items have no translations", kind.name()),
            ));
        }
        if locale == DEFAULT_LOCALE {
            return Err(validation(
                "locale",
                "invalid_locale",
                "Polish is the source language: translate into another",
            ));
        }
        let source = match self.store.get(source).await? {
            Some(r) if r.meta.kind == kind.name() => r,
            _ => {
                return Err(validation(
                    "translation_of",
                    "unknown_source",
                    format!("no {} item {source} to translate", kind.name()),
                ))
            }
        };
        if source.meta.translation_of.is_some() || source.meta.locale != DEFAULT_LOCALE {
            return Err(validation(
                "translation_of",
                "not_a_source",
                "translate the Polish item (the source of the group), not a translation",
            ));
        }
        let content = self.with_shared(&source, content)?;
        Ok((content, TranslationOf { id: source.meta.id, version: source.meta.version }))
    }

    /// A translation's content with its source's shared fields: refused when it sets one to
    /// another value, filled in where it leaves one empty.
    fn with_shared(&self, source: &Record, content: Checked) -> Result<Checked, CmsError> {
        let Some(kind) = self.kinds.get(content.kind()) else { return Ok(content) };
        match serde_json::from_str::<Value>(content.json()) {
            Ok(mut json) if !kind.shared_fields().is_empty() => {
                shared_onto(source, &mut json, kind.shared_fields())?;
                Ok(kind.check(&json.to_string())?)
            }
            _ => Ok(content),
        }
    }

    /// A translation's content as a client gave it (JSON) with the shared fields of its
    /// source `source_id` filled in — before it is read as its kind, which may need them (a
    /// news item's event date) and would otherwise fill in defaults that differ from the
    /// source's. A different shared value is refused (`shared_field`). JSON that does not
    /// parse, or a source that is gone, passes unchanged: the kind's check judges it.
    pub async fn fill_shared(&self, kind: &str, source_id: Id, given: &str) -> Result<String, CmsError> {
        let paths = self.kinds.get(kind).map_or(&[][..], |k| k.shared_fields());
        let source = self.store.get(source_id).await?.filter(|s| s.meta.kind == kind);
        match (source, serde_json::from_str::<Value>(given)) {
            (Some(source), Ok(mut json)) if !paths.is_empty() => {
                shared_onto(&source, &mut json, paths)?;
                Ok(json.to_string())
            }
            _ => Ok(given.to_owned()),
        }
    }

    /// The content and link of a translation being updated: the source's shared fields and
    /// its current version (the translator wrote against it). A translation whose source is
    /// gone keeps what it has.
    pub(crate) async fn refresh_translation(&self, meta: &mut Meta, content: Checked) -> Result<Checked, CmsError> {
        let Some(link) = meta.translation_of else { return Ok(content) };
        match self.store.get(link.id).await? {
            Some(source) if source.meta.kind == meta.kind => {
                meta.translation_of = Some(TranslationOf { id: link.id, version: source.meta.version });
                self.with_shared(&source, content)
            }
            _ => Ok(content),
        }
    }

    /// Shows a translation with its source's current shared fields (a read); other records
    /// are left as they are. The public sees only a public source's values: a translation of
    /// a draft keeps the values it was written with, so nothing unpublished shows through it.
    pub(crate) async fn overlay_shared(&self, record: &mut Record, view: View) -> Result<(), CmsError> {
        let Some(link) = record.meta.translation_of else { return Ok(()) };
        let Some(kind) = self.kinds.get(&record.meta.kind) else { return Ok(()) };
        if kind.shared_fields().is_empty() {
            return Ok(());
        }
        let now = self.now();
        let Some(source) = self
            .store
            .get(link.id)
            .await?
            .filter(|s| s.meta.kind == record.meta.kind && (view == View::Editor || s.meta.is_public_at(now)))
        else {
            return Ok(());
        };
        // Written against this very version, the translation holds its values already: no
        // parsing on the read path of a translation whose source has not changed since.
        if source.meta.version == link.version {
            return Ok(());
        }
        if let (Ok(from), Ok(mut json)) =
            (serde_json::from_str::<Value>(&source.body), serde_json::from_str::<Value>(&record.body))
        {
            shared::overlay(&from, &mut json, kind.shared_fields());
            record.body = json.to_string();
        }
        Ok(())
    }

    /// The other members of an item's translation group — its source and the source's
    /// other translations — in locale order; empty outside a group.
    pub async fn translations_of(&self, meta: &Meta) -> Result<Vec<Meta>, CmsError> {
        let group = meta.translation_of.map_or(meta.id, |t| t.id);
        let mut out = Vec::new();
        if group != meta.id {
            if let Some(source) = self.store.get(group).await?.filter(|s| s.meta.kind == meta.kind) {
                out.push(source.meta);
            }
        }
        out.extend(self.store.translations(group).await?.into_iter().map(|r| r.meta).filter(|m| m.id != meta.id));
        Ok(out)
    }

    /// The translation of a source into `locale`, if there is one.
    pub async fn translation(&self, source: Id, locale: &str) -> Result<Option<Record>, CmsError> {
        let found = self.store.translations(source).await?.into_iter().find(|r| r.meta.locale == locale);
        match found {
            Some(mut record) => {
                self.overlay_shared(&mut record, View::Editor).await?;
                Ok(Some(record))
            }
            None => Ok(None),
        }
    }

    /// Where the source's translation into each locale turned on stands (missing, draft,
    /// published, outdated).
    pub async fn translation_status(&self, source: &Record) -> Result<Vec<TranslationStatus>, CmsError> {
        let members = self.store.translations(source.meta.id).await?;
        let mut out = Vec::new();
        for locale in self.locales.translated() {
            let translation = members.iter().find(|r| r.meta.locale == locale.code).map(|r| r.meta.clone());
            let state = match &translation {
                None => TranslationState::Missing,
                Some(m) if self.source_changed_since(source, m).await? => TranslationState::Outdated,
                Some(m) if m.status == Status::Published => TranslationState::Published,
                Some(_) => TranslationState::Draft,
            };
            out.push(TranslationStatus { locale: locale.code, translation, state });
        }
        Ok(out)
    }

    /// Whether the source's content changed after the version the translation was written
    /// against (a workflow step alone — publishing, say — changes no words).
    async fn source_changed_since(&self, source: &Record, translation: &Meta) -> Result<bool, CmsError> {
        let Some(link) = translation.translation_of else { return Ok(false) };
        if link.version >= source.meta.version {
            return Ok(false);
        }
        Ok(match self.store.revision(source.meta.id, link.version).await? {
            Some(then) => then.body != source.body,
            None => true,
        })
    }

    /// Makes an existing item a translation of `source` (`Some`) or takes it out of its
    /// group (`None`), at `expected_version`: a write of this item alone.
    pub async fn link_translation(&self, id: Id, expected_version: u64, source: Option<Id>) -> Result<Meta, CmsError> {
        let mut record = self.store.get(id).await?.ok_or(CmsError::NotFound { kind: "any".into(), id })?;
        super::check_version(&record, Some(expected_version))?;
        record.meta.translation_of = match source {
            None => None,
            Some(source) => {
                let kind =
                    self.kinds.get(&record.meta.kind).ok_or_else(|| CmsError::UnknownKind(record.meta.kind.clone()))?;
                let checked = kind.check(&record.body)?;
                let (checked, link) = self.prepare_translation(source, &record.meta.locale.clone(), checked).await?;
                record.body = checked.into_json();
                Some(link)
            }
        };
        let was_public = record.meta.is_public_at(self.now());
        Ok(self
            .commit(record, crate::events::Change::Updated, crate::audit::AuditAction::Updated, was_public)
            .await?
            .meta)
    }
}

/// Puts the shared fields of `source` into `json`, refusing a different value.
fn shared_onto(source: &Record, json: &mut Value, paths: &[&str]) -> Result<(), CmsError> {
    let Ok(from) = serde_json::from_str::<Value>(&source.body) else { return Ok(()) };
    if let Some(path) = shared::conflict(&from, json, paths) {
        return Err(validation(
            &path,
            "shared_field",
            format!("shared by every language of this item: change it in the Polish item {}", source.meta.id),
        ));
    }
    shared::overlay(&from, json, paths);
    Ok(())
}
