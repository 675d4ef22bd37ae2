//! Keeping an accepted file: the upload path shared by the API and the editor.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::Semaphore;
use witryna_core::content::{Media, StoredFile};
use witryna_core::store::blob::BLOB_CHUNK;
use witryna_core::store::BlobHash;
use witryna_core::{Cms, CmsError, Content, CreateOptions, Record, ValidationErrors};

use crate::check::{inspect, Limits, Refusal};
use crate::images::{process_image, Encoded};
use crate::sniff::FileType;

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 150;

/// An uploaded file waiting in a temporary file, with what the uploader said about it.
#[derive(Debug)]
pub struct Upload<'a> {
    /// The bytes, all of them, as received.
    pub path: &'a Path,
    /// The name the uploader's computer gave it (any folders are dropped).
    pub file_name: &'a str,
    /// The title: required for documents (it is the link text).
    pub title: &'a str,
    /// The default alternative text of an image.
    pub alt: &'a str,
}

/// Why an upload was not kept.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file itself is refused (type, size, damage...).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// What came with it is not valid (a document without a title), or the Cms refused the
    /// item: errors name the field.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

impl From<ValidationErrors> for IngestError {
    fn from(e: ValidationErrors) -> Self {
        IngestError::Cms(CmsError::Invalid(e))
    }
}

/// A kept file.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The media item as stored.
    pub record: Record,
    /// Its content.
    pub media: Media,
    /// False when the library already had this file: the existing item is answered.
    pub created: bool,
}

/// Images are decoded one at a time per process: a 50-megapixel photo takes 200 MB while
/// it is resized, and two at once should not double that.
fn image_permits() -> &'static Arc<Semaphore> {
    static PERMITS: std::sync::OnceLock<Arc<Semaphore>> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| Arc::new(Semaphore::new(1)))
}

/// The base name of an uploaded file: no folders (`C:\fakepath\…`), no control or bidi characters,
/// at most [`MAX_NAME_CHARS`] characters (the extension kept).
fn clean_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let base: String = base.chars().filter(|c| !is_hidden_char(*c)).collect();
    let base = base.trim();
    // `../../.pdf` leaves an extension without a name.
    if base.starts_with('.') || base.is_empty() {
        return format!("plik{base}");
    }
    if base.chars().count() <= MAX_NAME_CHARS {
        return base.to_owned();
    }
    let (stem, ext) = base.rsplit_once('.').unwrap_or((base, ""));
    let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// Characters a file name must not carry: controls, and the bidirectional marks that make
/// `wniosek\u{202E}txt.pdf` read as another type.
fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || witryna_core::validate::is_forbidden_char(c)
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The uploader's name with the extension of the format actually stored (a GIF is kept as
/// PNG, a lossy WebP as JPEG).
fn stored_name(name: &str, format: FileType) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    if format.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)) {
        name.to_owned()
    } else {
        format!("{stem}.{}", format.extensions()[0])
    }
}

async fn store_bytes(cms: &Cms, bytes: &[u8]) -> Result<BlobHash, CmsError> {
    let mut writer = cms.store().blob_writer().await?;
    writer.write(bytes).await?;
    Ok(writer.commit().await?.hash)
}

/// Streams a file into a blob, [`BLOB_CHUNK`] at a time.
async fn store_file(cms: &Cms, path: &Path) -> Result<(BlobHash, u64), IngestError> {
    let mut file = tokio::fs::File::open(path).await.map_err(Refusal::Io)?;
    let mut writer = cms.store().blob_writer().await.map_err(CmsError::from)?;
    let mut buf = vec![0u8; BLOB_CHUNK];
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut file, &mut buf).await.map_err(Refusal::Io)?;
        if n == 0 {
            break;
        }
        writer.write(&buf[..n]).await.map_err(CmsError::from)?;
    }
    let info = writer.commit().await.map_err(CmsError::from)?;
    Ok((info.hash, info.size))
}

async fn stored_image(cms: &Cms, image: &Encoded, name: String) -> Result<StoredFile, CmsError> {
    Ok(StoredFile {
        hash: store_bytes(cms, &image.bytes).await?,
        name,
        content_type: image.format.mime().to_owned(),
        size: image.bytes.len() as u64,
        width: Some(image.width),
        height: Some(image.height),
    })
}

/// Checks an uploaded file, keeps it (an image re-encoded without its metadata, with its
/// variants) as blobs, and makes its [`Media`] item — a draft, public once published content
/// shows it. The same file again answers the existing item.
///
/// Blobs are committed before the item that names them; a crash between the two leaves
/// blobs no item names, which [`Cms::collect_blobs`] removes after its grace period.
pub async fn ingest(cms: &Cms, upload: Upload<'_>, limits: &Limits) -> Result<Ingested, IngestError> {
    let name = clean_name(upload.file_name);
    let path = upload.path.to_owned();
    let (checked_name, checked_limits) = (name.clone(), *limits);
    let format = blocking(move || inspect(&path, &checked_name, &checked_limits)).await?;
    let mut media = Media {
        title: upload.title.trim().to_owned(),
        alt: upload.alt.trim().to_owned(),
        file: StoredFile {
            hash: BlobHash([0; 32]),
            name: name.clone(),
            content_type: format.mime().to_owned(),
            size: 0,
            width: None,
            height: None,
        },
        transcript: String::new(),
        variants: Vec::new(),
    };
    // The fields are checked before anything is stored: a document without a title is
    // refused without touching the store.
    witryna_core::validate::check_content(&media)?;
    if format.is_image() {
        let _permit = image_permits().acquire().await.expect("the semaphore is never closed");
        let (path, limits) = (upload.path.to_owned(), *limits);
        let processed = blocking(move || process_image(&path, format, &limits)).await?;
        media.file = stored_image(cms, &processed.full, stored_name(&name, processed.full.format)).await?;
        for v in &processed.variants {
            let variant_name = format!("{}.{}", v.width, v.format.extensions()[0]);
            media.variants.push(stored_image(cms, v, variant_name).await?);
        }
    } else {
        let (hash, size) = store_file(cms, upload.path).await?;
        media.file.hash = hash;
        media.file.size = size;
    }
    if let Some((record, existing)) = cms.media_by_hash(media.file.hash).await? {
        return Ok(Ingested { record, media: existing, created: false });
    }
    let item = cms.create_with(media, CreateOptions::default()).await?;
    let record = cms
        .store()
        .get(item.meta.id)
        .await
        .map_err(CmsError::from)?
        .ok_or_else(|| CmsError::NotFound { kind: Media::KIND.into(), id: item.meta.id })?;
    Ok(Ingested { record, media: item.content, created: true })
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, Refusal> + Send + 'static) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(Refusal::Io(std::io::Error::other(format!("file check stopped: {e}")))))
}

/// The name prefix of spool files in the temporary folder.
pub const SPOOL_PREFIX: &str = "witryna-upload-";

/// Deletes spool files older than `age`: what uploads cut by a killed process left behind
/// (a running upload's file is younger than its time limit). Answers how many it deleted.
pub fn sweep_spools(age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return 0 };
    let mut deleted = 0;
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(SPOOL_PREFIX)
            && entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|e| e > age);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            deleted += 1;
        }
    }
    deleted
}

/// A temporary file an upload is written to as it arrives, refused as soon as it passes
/// the size limit (so a client cannot fill the disk), deleted when dropped.
#[derive(Debug)]
pub struct Spool {
    file: tempfile::NamedTempFile,
    size: u64,
    limit: u64,
}

impl Spool {
    /// A new, empty spool file in the system's temporary folder, named [`SPOOL_PREFIX`]….
    pub fn new(limits: &Limits) -> Result<Self, Refusal> {
        let file = tempfile::Builder::new().prefix(SPOOL_PREFIX).tempfile().map_err(Refusal::Io)?;
        Ok(Self { file, size: 0, limit: limits.max_bytes })
    }

    /// Appends a piece of the upload. The write goes to the page cache: pieces are the
    /// few kilobytes a request body arrives in.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Refusal> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(Refusal::TooLarge { size: self.size, limit: self.limit });
        }
        self.file.write_all(bytes).map_err(Refusal::Io)
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The file, complete, for [`ingest`].
    pub fn finish(mut self) -> Result<tempfile::TempPath, Refusal> {
        self.file.flush().map_err(Refusal::Io)?;
        Ok(self.file.into_temp_path())
    }
}

/// Reads a whole small file (the demo's own files) through [`ingest`]: writes it to a
/// spool first, as an upload would be.
pub(crate) fn spool_bytes(bytes: &[u8], limits: &Limits) -> Result<tempfile::TempPath, Refusal> {
    let mut spool = Spool::new(limits)?;
    spool.write(bytes)?;
    spool.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_folders_and_control_characters() {
        assert_eq!(clean_name("C:\\fakepath\\wniosek\u{7}.pdf"), "wniosek.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("wniosek\u{202E}txt.pdf"), "wniosektxt.pdf");
        assert_eq!(clean_name("../../.pdf"), "plik.pdf");
        let long = format!("{}.pdf", "a".repeat(300));
        assert_eq!(clean_name(&long).chars().count(), MAX_NAME_CHARS);
        assert!(clean_name(&long).ends_with(".pdf"));
        assert_eq!(stored_name("animacja.gif", FileType::Png), "animacja.png");
        assert_eq!(stored_name("Zdjecie.JPG", FileType::Jpeg), "Zdjecie.JPG");
    }
}
