//! The media library's rules: references must name existing files of the right sort, a
//! file becomes public with the first published item that shows it, a file in use cannot be
//! deleted, and blobs no media item names are collected.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::{Cms, CmsError};
use crate::content::{Content, Media, MediaRef};
use crate::events::Change;
use crate::record::{Id, Record, Status};
use crate::store::BlobHash;
use crate::validate::{FieldError, ValidationErrors};

/// How long an unreferenced blob is kept before collection: an upload stores its blobs
/// before the media item that names them, and an export being imported does the same.
pub const BLOB_GRACE: Duration = Duration::hours(24);

/// Records read per page when a scan walks the store.
const SCAN_PAGE: usize = 500;

/// What [`Cms::collect_blobs`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlobCollection {
    /// Blobs some media item (or a revision of one) names.
    pub referenced: usize,
    /// Blobs deleted.
    pub deleted: usize,
    /// Unreferenced blobs kept because they are younger than the grace period.
    pub young: usize,
}

fn decode_media(record: Record) -> Result<(Record, Media), CmsError> {
    let id = record.meta.id;
    let media = serde_json::from_str(&record.body).map_err(|e| CmsError::CorruptBody {
        id,
        kind: Media::KIND.into(),
        reason: e.to_string(),
    })?;
    Ok((record, media))
}

impl Cms {
    /// Reads a media item; `None` when the id is no media item.
    pub async fn media(&self, id: Id) -> Result<Option<(Record, Media)>, CmsError> {
        match self.store.get(id).await? {
            Some(record) if record.meta.kind == Media::KIND => decode_media(record).map(Some),
            _ => Ok(None),
        }
    }

    /// The media item of a file, by the hash of its original (its slug).
    pub async fn media_by_hash(&self, hash: BlobHash) -> Result<Option<(Record, Media)>, CmsError> {
        let slug = hash.to_string();
        match self.store.find_slug(Media::KIND, super::DEFAULT_LOCALE, &slug).await? {
            Some(record) if record.meta.slug == slug => decode_media(record).map(Some),
            _ => Ok(None),
        }
    }

    /// Checks that every reference names a media item of a type its place shows.
    pub(crate) async fn check_media_refs(&self, refs: &[MediaRef]) -> Result<(), CmsError> {
        let mut errors = Vec::new();
        for r in refs {
            match self.media(r.id).await? {
                None => errors.push(FieldError {
                    path: r.path.clone(),
                    code: "unknown_media",
                    message: format!("no file of the media library has id {}", r.id),
                }),
                Some((_, media)) => {
                    if let Err((code, expected)) = r.shows.check(&media.file) {
                        let message = format!("{} is {}, not {expected}", media.label(), media.file.content_type);
                        errors.push(FieldError { path: r.path.clone(), code, message });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CmsError::Invalid(ValidationErrors(errors)))
        }
    }

    /// Publishes the media items a published record shows, from the record's own publish
    /// time (earlier ones keep theirs): until then a file of a draft stays private. The
    /// record is committed already, so a failure here is logged, not returned; the next
    /// publication of the item retries it.
    pub(crate) async fn publish_media_of(&self, record: &Record) {
        let (Status::Published, Some(at)) = (record.meta.status, record.meta.publish_at) else { return };
        if record.meta.kind == Media::KIND {
            return;
        }
        let Some(kind) = self.kinds.get(&record.meta.kind) else { return };
        let mut seen = HashSet::new();
        for r in kind.media(&record.body) {
            if !seen.insert(r.id) {
                continue;
            }
            if let Err(e) = self.publish_media_from(r.id, at).await {
                tracing::warn!(media = %r.id, item = %record.meta.id, error = %e, "media item not published");
            }
        }
    }

    async fn publish_media_from(&self, id: Id, at: DateTime<Utc>) -> Result<(), CmsError> {
        let Some((media, _)) = self.media(id).await? else { return Ok(()) };
        let m = &media.meta;
        let public_early_enough = m.status == Status::Published && m.publish_at.is_some_and(|t| t <= at);
        if public_early_enough {
            return Ok(());
        }
        let mut record = media;
        record.meta.status = Status::Published;
        record.meta.publish_at = Some(at);
        self.stamp(&mut record.meta);
        let log = self.log_of(&record, crate::audit::AuditAction::Published, record.meta.is_public_at(self.now()));
        self.put(record, Change::Published, log).await
    }

    /// The first item (current version) that names media item `id`, if any.
    pub async fn media_used_by(&self, id: Id) -> Result<Option<Record>, CmsError> {
        let mut after = None;
        loop {
            let page = self.store.all(after, SCAN_PAGE).await?;
            let Some(last) = page.last() else { return Ok(None) };
            after = Some(last.meta.id);
            for record in page {
                let Some(kind) = self.kinds.get(&record.meta.kind) else { continue };
                if kind.media(&record.body).iter().any(|r| r.id == id) {
                    return Ok(Some(record));
                }
            }
        }
    }

    /// Deletes the blobs no media item names — neither its current version nor a revision,
    /// which a restore could bring back — once they are older than `grace`
    /// ([`BLOB_GRACE`] is the default). A blob stored again during the run is kept.
    pub async fn collect_blobs(&self, grace: Duration) -> Result<BlobCollection, CmsError> {
        // The cut-off is taken before the scan: a blob stored after it is never deleted by
        // this run, whatever the scan saw.
        // Stores stamp blobs with the system time, so the cut-off is one too.
        let cut_off = Utc::now() - grace;
        let mut referenced = HashSet::new();
        let mut after = None;
        loop {
            let page = self.store.all(after, SCAN_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.meta.id);
            for record in page.into_iter().filter(|r| r.meta.kind == Media::KIND) {
                for version in self.store.revisions(record.meta.id).await?.into_iter().chain([record]) {
                    if let Ok(media) = serde_json::from_str::<Media>(&version.body) {
                        referenced.extend(media.blobs());
                    }
                }
            }
        }
        let mut report = BlobCollection { referenced: referenced.len(), ..BlobCollection::default() };
        let mut after = None;
        loop {
            let page = self.store.blobs(after, SCAN_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.hash);
            for blob in page.into_iter().filter(|b| !referenced.contains(&b.hash)) {
                if self.store.delete_blob(blob.hash, cut_off).await? {
                    report.deleted += 1;
                } else {
                    report.young += 1;
                }
            }
        }
        Ok(report)
    }
}
