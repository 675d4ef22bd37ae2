//! Export and import as JSON Lines: a header line, then the files of the store, then one
//! line per item with every version of it, then the audit log. Export → import → export
//! gives the same bytes. (The `witryna import` command then logs the import itself, so its
//! store's next export has that one entry more.)
//!
//! # The format
//!
//! ```text
//! {"witryna_export":2,"store_schema":2}
//! {"blob":"<sha-256 hex>","size":196613,"offset":0,"data":"<base64 of 64 KiB>"}
//! {"blob":"<sha-256 hex>","size":196613,"offset":65536,"data":"<base64 of 64 KiB>"}
//! {"blob":"<sha-256 hex>","size":196613,"offset":131072,"data":"<base64 of 64 KiB>"}
//! {"blob":"<sha-256 hex>","size":196613,"offset":196608,"data":"<base64 of 5 bytes>"}
//! {"blob":"e3b0c442…b855","size":0,"offset":0,"data":""}
//! {"id":"…","kind":"media","revisions":[{"meta":{…},"content":{…}}]}
//! {"audit":{"seq":1,"at":"…","action":"created","actor":{…},"item":{…},"note":null,"public":false}}
//! ```
//!
//! - The header names the export format and the store schema of the items' metadata.
//! - Files (the store's blobs, [`witryna_core::store::blob`]) come next, in hash order. A
//!   file is consecutive lines of [`FILE_PIECE`] bytes each (the last one shorter), in
//!   offset order: `blob` its SHA-256, `size` its whole length (the same on each of its
//!   lines), `offset` where the line's bytes start, `data` those bytes in standard base64
//!   with padding. An empty file is one line with empty `data`. No line holds more than a
//!   piece, so neither export nor import ever holds a whole file in memory.
//! - Items follow in id order, each with all its versions; sessions and setup links
//!   ([`witryna_accounts::EPHEMERAL_KINDS`]) are left out.
//!
//! - The audit log ([`witryna_core::audit`]) comes last, oldest entry first, one `audit`
//!   line each. An import appends them to the target's log in that order (the target numbers
//!   them anew, after its own entries; times, people and notes are kept).
//!
//! A store without files or audit entries is exported as format 1 (the same lines with no
//! file lines): every earlier build reads it. With files and no audit log the header says
//! format 2; with an audit log, 3. Earlier builds refuse a newer format at line 1 rather
//! than misread it. Import reads all three.
//!
//! # What an import guarantees
//!
//! - Every file is checked before the store keeps it: its lines start at offset 0 and
//!   follow on without a gap, they hold exactly `size` bytes, and the SHA-256 of those bytes
//!   — computed while they stream into a [`BlobWriter`], and again by the store on commit —
//!   is the hash the file is exported under. A file that fails a check is refused
//!   (`LINE: file <hash>: reason`, at the line where the fault shows: a wrong hash or a
//!   missing end at the file's last line), the rest of its lines are skipped, and its writer
//!   is dropped uncommitted: nothing of it stays, under any hash. A file the store already
//!   has is checked and stored again, which keeps one copy and renews its `stored_at`.
//! - Files come before items, and a media item line naming a file the store does not have
//!   (refused above, or missing from the export) is refused: an import never leaves a media
//!   item without its files. An import cut short — a crash, Ctrl-C, a truncated export —
//!   can leave files no item names yet; nothing shows them, importing the export again
//!   completes the import, and otherwise
//!   [`Cms::collect_blobs`](witryna_core::Cms::collect_blobs) deletes them once they are
//!   older than its grace period ([`BLOB_GRACE`](witryna_core::cms::BLOB_GRACE), a day).
//!   So a collection running while an import is still writing items more than a day after
//!   it wrote their files could delete those files: do not collect during an import that
//!   long.
//! - Items are written one line at a time (`put_history`), each whole or not at all, as
//!   before; a refused line is reported and the import goes on.
//!
//! Export reads a live store page by page; it is not a snapshot. A media item whose files
//! the export did not write — uploaded after the file lines were written — is left out
//! ([`ExportReport::left_out`]), as if it came after the export.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{BufRead, Write};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use witryna_core::audit::{AuditEntry, AuditQuery, WriteLog};
use witryna_core::content::{Content, Media};
use witryna_core::store::kv::SCHEMA_VERSION;
use witryna_core::store::{BlobHash, BlobInfo, BlobWriter};
use witryna_core::{Id, Kinds, Meta, Record, Store, StoreError};

/// Version of the export format this build writes when the store has an audit log, and
/// the newest it reads.
pub const FORMAT: u32 = 3;
/// The format of an export with files and no audit log.
pub const FORMAT_WITH_FILES: u32 = 2;

/// The format of an export without files: the same as [`FORMAT`] minus the file lines,
/// readable by builds that predate files.
pub const FORMAT_WITHOUT_FILES: u32 = 1;

/// The bytes of a file on one line of an export (the last line of a file holds the rest).
/// Export always cuts files this way, so exports of the same store are identical; import
/// takes lines of any length.
pub const FILE_PIECE: usize = 64 * 1024;

/// Files listed per page when exporting.
const FILE_PAGE: usize = 100;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    witryna_export: u32,
    store_schema: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: Id,
    kind: String,
    revisions: Vec<Revision>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Revision {
    meta: Meta,
    content: Box<RawValue>,
}

/// One piece of a file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLine<'a> {
    blob: BlobHash,
    size: u64,
    offset: u64,
    #[serde(borrow)]
    data: Cow<'a, str>,
}

/// Tells a file line (it has a `blob` field) from an item line.
#[derive(Deserialize)]
struct Probe {
    blob: Option<serde::de::IgnoredAny>,
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct ExportReport {
    /// Items written.
    pub items: usize,
    /// Files written.
    pub files: usize,
    /// Their bytes.
    pub file_bytes: u64,
    /// Media items left out because the export does not hold their files: uploaded while
    /// it ran (after the file lines were written), or naming a file the store lacks.
    pub left_out: Vec<Id>,
    /// Audit entries written.
    pub audit_entries: usize,
}

/// Writes every file of the store and every item with its versions, but not sessions and
/// setup links ([`witryna_accounts::EPHEMERAL_KINDS`]); calls `progress` after each file
/// and each item. Answers the number of items (see [`export_report`] for the rest).
pub async fn export(store: &dyn Store, out: &mut dyn Write, progress: impl FnMut()) -> Result<usize, ExportError> {
    Ok(export_report(store, out, progress).await?.items)
}

/// [`export`], answering what it wrote.
pub async fn export_report(
    store: &dyn Store,
    out: &mut dyn Write,
    mut progress: impl FnMut(),
) -> Result<ExportReport, ExportError> {
    let mut report = ExportReport::default();
    let with_files = !store.blobs(None, 1).await?.is_empty();
    let audit = audit_log(store).await?;
    let format = match (audit.is_empty(), with_files) {
        (false, _) => FORMAT,
        (true, true) => FORMAT_WITH_FILES,
        (true, false) => FORMAT_WITHOUT_FILES,
    };
    let header = Header { witryna_export: format, store_schema: SCHEMA_VERSION };
    writeln!(out, "{}", serde_json::to_string(&header).expect("header serializes"))?;
    let exported =
        if with_files { export_files(store, out, &mut progress, &mut report).await? } else { HashSet::new() };
    let mut after = None;
    loop {
        let page = store.all(after, 100).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.meta.id);
        for record in page {
            if witryna_accounts::EPHEMERAL_KINDS.contains(&record.meta.kind.as_str()) {
                continue;
            }
            let revisions = store.revisions(record.meta.id).await?;
            if record.meta.kind == Media::KIND && !names_only(&revisions, &exported) {
                report.left_out.push(record.meta.id);
                continue;
            }
            let revisions = revisions
                .into_iter()
                .map(|r| {
                    let content = RawValue::from_string(r.body).map_err(|e| StoreError::Corrupt {
                        key: format!("revision {} of item {}", r.meta.version, r.meta.id),
                        reason: format!("content is not JSON: {e}"),
                    })?;
                    Ok(Revision { meta: r.meta, content })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let line = Line { id: record.meta.id, kind: record.meta.kind, revisions };
            writeln!(out, "{}", serde_json::to_string(&line).expect("line serializes"))?;
            report.items += 1;
            progress();
        }
    }
    for entry in audit.into_iter().rev() {
        writeln!(out, "{}", serde_json::to_string(&AuditLine { audit: entry }).expect("entries serialize"))?;
        report.audit_entries += 1;
    }
    out.flush()?;
    Ok(report)
}

/// An audit line of an export.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditLine {
    audit: AuditEntry,
}

/// An entry as two logs compare it: everything but its number in its log.
fn unnumbered(entry: AuditEntry) -> AuditEntry {
    AuditEntry { seq: 0, ..entry }
}

/// The whole audit log, newest first (the store reads it that way).
async fn audit_log(store: &dyn Store) -> Result<Vec<AuditEntry>, StoreError> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = store.audit(&AuditQuery { before, limit: 1000, ..AuditQuery::default() }).await?;
        let Some(last) = page.last() else { return Ok(all) };
        before = Some(last.seq);
        all.extend(page);
    }
}

/// Writes every file of the store, in hash order; answers their hashes.
async fn export_files(
    store: &dyn Store,
    out: &mut dyn Write,
    progress: &mut impl FnMut(),
    report: &mut ExportReport,
) -> Result<HashSet<BlobHash>, ExportError> {
    let mut exported = HashSet::new();
    let mut after = None;
    loop {
        let page = store.blobs(after, FILE_PAGE).await?;
        let Some(last) = page.last() else { return Ok(exported) };
        after = Some(last.hash);
        for info in page {
            if export_file(store, info, out).await? {
                exported.insert(info.hash);
                report.files += 1;
                report.file_bytes += info.size;
                progress();
            }
        }
    }
}

/// Whether every file the versions of a media item name is among `files`.
fn names_only(versions: &[Record], files: &HashSet<BlobHash>) -> bool {
    versions
        .iter()
        .filter_map(|r| serde_json::from_str::<Media>(&r.body).ok())
        .all(|media| media.blobs().all(|hash| files.contains(&hash)))
}

/// Writes the lines of one file, a piece read at a time; `false` when it was deleted (by a
/// collection) before its first piece was read, so nothing was written.
async fn export_file(store: &dyn Store, info: BlobInfo, out: &mut dyn Write) -> Result<bool, ExportError> {
    let BlobInfo { hash, size, .. } = info;
    let mut offset = 0;
    loop {
        let Some(bytes) = store.read_blob(hash, offset, FILE_PIECE).await? else {
            if offset == 0 {
                return Ok(false);
            }
            return Err(ExportError::FileGone(hash));
        };
        let expected = (size - offset).min(FILE_PIECE as u64);
        if bytes.len() as u64 != expected {
            return Err(StoreError::Corrupt {
                key: format!("file {hash}"),
                reason: format!("{} bytes read at offset {offset} of {size}, expected {expected}", bytes.len()),
            }
            .into());
        }
        let line = FileLine { blob: hash, size, offset, data: Cow::Owned(BASE64.encode(&bytes)) };
        serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        offset += expected;
        if offset >= size {
            return Ok(true);
        }
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// A file was deleted (collected: no item named it) while the export was writing it.
    #[error("file {0} was deleted while it was being exported; run the export again")]
    FileGone(BlobHash),
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Items written.
    pub imported: usize,
    /// Items skipped because the store has them at the same version.
    pub already_present: usize,
    /// Files stored (each checked against its hash).
    pub files_imported: usize,
    /// Files checked against their hash that the store had already.
    pub files_already_present: usize,
    /// Audit entries appended to the store's log (entries it had already are not counted).
    pub audit_entries: usize,
    /// `(line number, message)` of each refused line (of a file: the line where it failed).
    pub errors: Vec<(usize, String)>,
}

/// Why an import could not run at all (bad lines are reported, not fatal).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading the file failed.
    #[error("cannot read the import file: {0}")]
    Io(#[from] std::io::Error),
    /// The first line is not a Witryna export header.
    #[error("line 1: not a Witryna export (expected {{\"witryna_export\":{FORMAT},...}}): {0}")]
    Header(String),
    /// The store failed (not a refusal of one item).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads one line: every revision's content is read and checked as its registered kind and
/// kept in the canonical form the Cms writes.
fn check_line(kinds: &Kinds, line: &str) -> Result<Vec<Record>, String> {
    let mut de = serde_json::Deserializer::from_str(line);
    let parsed: Line = serde_path_to_error::deserialize(&mut de).map_err(|e| match e.inner().classify() {
        serde_json::error::Category::Data => format!("{}: {}", e.path(), e.inner()),
        _ => format!("invalid JSON: {}", e.inner()),
    })?;
    let kind = kinds.get(&parsed.kind).ok_or_else(|| format!("unknown kind {:?}", parsed.kind))?;
    if parsed.revisions.is_empty() {
        return Err("an item needs at least one revision".into());
    }
    parsed
        .revisions
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let at = format!("revisions[{i}]");
            if r.meta.id != parsed.id || r.meta.kind != parsed.kind {
                return Err(format!("{at}: belongs to another item or kind"));
            }
            if r.meta.version != i as u64 + 1 {
                return Err(format!("{at}: expected version {}, found {}", i + 1, r.meta.version));
            }
            let checked = kind.check(r.content.get()).map_err(|e| {
                let fields = e.0.iter().map(|f| format!("{at}.content.{}: {}", f.path, f.message));
                fields.collect::<Vec<_>>().join("; ")
            })?;
            Ok(Record { meta: r.meta, body: checked.json().to_owned() })
        })
        .collect()
}

/// Reads a file line (`None`: the line is no file line). A line that names a `blob` but is
/// no JSON — cut short, say — is reported as such.
fn parse_file_line(line: &str) -> Option<Result<FileLine<'_>, String>> {
    if !line.contains("\"blob\"") {
        return None;
    }
    match serde_json::from_str::<Probe>(line) {
        Ok(Probe { blob: Some(_) }) => {}
        Err(e) if e.is_syntax() || e.is_eof() => return Some(Err(format!("invalid JSON: {e}"))),
        _ => return None,
    }
    let mut de = serde_json::Deserializer::from_str(line);
    Some(serde_path_to_error::deserialize(&mut de).map_err(|e| match e.inner().classify() {
        serde_json::error::Category::Data => format!("{}: {}", e.path(), e.inner()),
        _ => format!("invalid JSON: {}", e.inner()),
    }))
}

/// Refuses the versions of a media item that names a file the store does not have.
async fn check_files(store: &dyn Store, versions: &[Record]) -> Result<Result<(), String>, StoreError> {
    if versions[0].meta.kind != Media::KIND {
        return Ok(Ok(()));
    }
    let mut seen = HashSet::new();
    for (i, version) in versions.iter().enumerate() {
        // Checked as its kind already: it reads.
        let Ok(media) = serde_json::from_str::<Media>(&version.body) else { continue };
        let variants = media.variants.iter().enumerate().map(|(j, v)| (format!("variants[{j}].hash"), v.hash));
        for (path, hash) in std::iter::once(("file.hash".to_owned(), media.file.hash)).chain(variants) {
            if seen.insert(hash) && store.blob(hash).await?.is_none() {
                return Ok(Err(format!(
                    "revisions[{i}].content.{path}: names file {hash}, which the store does not have \
                     (refused above, or not in the export)"
                )));
            }
        }
    }
    Ok(Ok(()))
}

/// A file being imported: its lines so far have been written, uncommitted.
struct Pending {
    hash: BlobHash,
    size: u64,
    written: u64,
    hasher: Sha256,
    writer: Box<dyn BlobWriter>,
    already: bool,
    /// The line of its first piece.
    first: usize,
    /// The line of its last piece so far.
    line: usize,
}

impl Pending {
    /// `lines 3–6`, `line 3`.
    fn lines(&self) -> String {
        if self.first == self.line {
            format!("line {}", self.first)
        } else {
            format!("lines {}–{}", self.first, self.line)
        }
    }
}

/// Why a file line was not taken.
enum Refused {
    /// The file is refused: the message.
    File(String),
    /// The store failed: the import stops.
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

/// The file lines of an import: the file being read, and the refused one whose remaining
/// lines are skipped.
struct Files<'s> {
    store: &'s dyn Store,
    pending: Option<Pending>,
    skipping: Option<BlobHash>,
}

impl Files<'_> {
    /// Takes one file line; a refusal is reported, a store failure returned.
    async fn line(&mut self, number: usize, line: FileLine<'_>, report: &mut ImportReport) -> Result<(), StoreError> {
        let hash = line.blob;
        match self.piece(number, line, report).await {
            Ok(()) => Ok(()),
            Err(Refused::File(message)) => {
                report.errors.push((number, format!("file {hash}: {message}")));
                self.skipping = Some(hash);
                Ok(())
            }
            Err(Refused::Store(e)) => Err(e),
        }
    }

    async fn piece(&mut self, number: usize, line: FileLine<'_>, report: &mut ImportReport) -> Result<(), Refused> {
        let FileLine { blob, size, offset, data } = line;
        // Dropping `file` on a refusal drops its writer: nothing of it is kept.
        let mut file = match self.pending.take() {
            Some(file) if file.hash == blob => file,
            other => {
                self.end(other, report);
                if self.skipping == Some(blob) && offset != 0 {
                    return Ok(());
                }
                self.skipping = None;
                if offset != 0 {
                    return Err(Refused::File(format!(
                        "its first line starts at byte {offset}, not 0: lines are missing"
                    )));
                }
                Pending {
                    hash: blob,
                    size,
                    written: 0,
                    hasher: Sha256::new(),
                    already: self.store.blob(blob).await?.is_some(),
                    writer: self.store.blob_writer().await?,
                    first: number,
                    line: number,
                }
            }
        };
        if size != file.size {
            return Err(Refused::File(format!("this line gives size {size}, its first line {}", file.size)));
        }
        if offset != file.written {
            return Err(Refused::File(format!(
                "this line starts at byte {offset}, the lines before end at byte {}: a line is missing",
                file.written
            )));
        }
        let bytes = BASE64.decode(data.as_bytes()).map_err(|e| Refused::File(format!("data is not base64: {e}")))?;
        if bytes.is_empty() && size > 0 {
            return Err(Refused::File("a line of a non-empty file carries no bytes".into()));
        }
        let end = offset.saturating_add(bytes.len() as u64);
        if end > size {
            return Err(Refused::File(format!("its lines hold more than its size of {size} bytes")));
        }
        file.writer.write(&bytes).await?;
        file.hasher.update(&bytes);
        file.written = end;
        file.line = number;
        if file.written < file.size {
            self.pending = Some(file);
            return Ok(());
        }
        let actual = BlobHash(file.hasher.finalize_reset().into());
        if actual != blob {
            return Err(Refused::File(format!(
                "its {size} bytes ({}) have SHA-256 {actual}, not the hash they are exported under: \
                 the export is damaged",
                file.lines()
            )));
        }
        let info = file.writer.commit().await?;
        if info.hash != blob || info.size != size {
            return Err(Refused::File(format!(
                "the store computed SHA-256 {} over {} bytes on commit, not {blob} over {size}",
                info.hash, info.size
            )));
        }
        if file.already {
            report.files_already_present += 1;
        } else {
            report.files_imported += 1;
        }
        Ok(())
    }

    /// Ends the file being read, if any, before another line: it has not all its bytes (a
    /// complete file was committed at its last line), so it is refused and dropped.
    fn end(&mut self, file: Option<Pending>, report: &mut ImportReport) {
        if let Some(file) = file {
            report.errors.push((
                file.line,
                format!(
                    "file {}: its bytes ({}) end at byte {} of {}: the export is cut short or lines are missing",
                    file.hash,
                    file.lines(),
                    file.written,
                    file.size
                ),
            ));
            self.skipping = Some(file.hash);
        }
    }
}

/// Loads an export into a store: checks every file against its hash and every item line
/// against the registered `kinds`, reports the number of each bad line and goes on (see the
/// [module documentation](crate::transfer) for what is guaranteed). An item already in the store at
/// the same version is skipped; a file already in it is checked and kept once.
pub async fn import(
    store: &dyn Store,
    kinds: &Kinds,
    input: &mut dyn BufRead,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut buf = String::new();
    let read = input.read_line(&mut buf)?;
    progress(read as u64);
    let header: Header = serde_json::from_str(buf.trim_end()).map_err(|e| ImportError::Header(e.to_string()))?;
    if !(FORMAT_WITHOUT_FILES..=FORMAT).contains(&header.witryna_export) || header.store_schema > SCHEMA_VERSION {
        return Err(ImportError::Header(format!(
            "format {} / store schema {} is not one this build reads (formats {FORMAT_WITHOUT_FILES} to {FORMAT} / \
             schemas up to {SCHEMA_VERSION})",
            header.witryna_export, header.store_schema
        )));
    }
    let with_files = header.witryna_export >= 2;
    let mut files = Files { store, pending: None, skipping: None };
    // The target's audit entries, read at the first audit line: an entry it already has
    // (the same export imported again) is not added twice.
    let mut logged: Option<HashSet<AuditEntry>> = None;
    let mut number = 1;
    loop {
        buf.clear();
        let read = input.read_line(&mut buf)?;
        if read == 0 {
            break;
        }
        number += 1;
        progress(read as u64);
        let line = buf.trim_end();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("{\"audit\":") {
            match serde_json::from_str::<AuditLine>(line) {
                Ok(AuditLine { audit }) => {
                    let known = match &mut logged {
                        Some(known) => known,
                        None => logged.insert(audit_log(store).await?.into_iter().map(unnumbered).collect()),
                    };
                    if known.insert(unnumbered(audit.clone())) {
                        store.append_log(WriteLog { entry: Some(audit), deliveries: Vec::new() }).await?;
                        report.audit_entries += 1;
                    }
                }
                Err(e) => report.errors.push((number, format!("audit entry: {e}"))),
            }
            continue;
        }
        if let Some(parsed) = with_files.then(|| parse_file_line(line)).flatten() {
            match parsed {
                Ok(piece) => files.line(number, piece, &mut report).await?,
                Err(message) => report.errors.push((number, message)),
            }
            continue;
        }
        let pending = files.pending.take();
        files.end(pending, &mut report);
        files.skipping = None;
        let versions = match check_line(kinds, line) {
            Ok(v) => v,
            Err(message) => {
                report.errors.push((number, message));
                continue;
            }
        };
        if let Err(message) = check_files(store, &versions).await? {
            report.errors.push((number, message));
            continue;
        }
        let (id, count) = (versions[0].meta.id, versions.len() as u64);
        match store.put_history(versions).await {
            Ok(()) => report.imported += 1,
            Err(StoreError::Conflict { actual, .. }) if actual == count => report.already_present += 1,
            Err(StoreError::Conflict { actual, .. }) => report
                .errors
                .push((number, format!("item {id} already exists at version {actual}, the file has {count}"))),
            Err(e @ (StoreError::SlugTaken { .. } | StoreError::InvalidWrite(_))) => {
                report.errors.push((number, e.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let pending = files.pending.take();
    files.end(pending, &mut report);
    // A file cut short is reported at its last line, after the lines that followed it.
    report.errors.sort_by_key(|(line, _)| *line);
    Ok(report)
}
