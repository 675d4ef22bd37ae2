//! Export and import as JSON Lines: a header line, then one line per item with every
//! version of it. Export → import → export gives the same bytes.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use witryna_core::store::kv::SCHEMA_VERSION;
use witryna_core::{Id, Kinds, Meta, Record, Store, StoreError};

/// Version of the export format.
pub const FORMAT: u32 = 1;

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

/// Writes every item with its versions, but not sessions and setup links
/// ([`witryna_accounts::EPHEMERAL_KINDS`]); calls `progress` after each item.
pub async fn export(store: &dyn Store, out: &mut dyn Write, mut progress: impl FnMut()) -> Result<usize, ExportError> {
    let header = Header { witryna_export: FORMAT, store_schema: SCHEMA_VERSION };
    writeln!(out, "{}", serde_json::to_string(&header).expect("header serializes"))?;
    let mut after = None;
    let mut count = 0;
    loop {
        let page = store.all(after, 100).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.meta.id);
        for record in page {
            if witryna_accounts::EPHEMERAL_KINDS.contains(&record.meta.kind.as_str()) {
                continue;
            }
            let revisions = store
                .revisions(record.meta.id)
                .await?
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
            count += 1;
            progress();
        }
    }
    out.flush()?;
    Ok(count)
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
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Items written.
    pub imported: usize,
    /// Items skipped because the store has them at the same version.
    pub already_present: usize,
    /// `(line number, message)` of each refused line.
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

/// Loads an export into a store: validates every line against the registered `kinds`,
/// reports the number of each bad one and goes on. An item already in the store at the
/// same version is skipped.
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
    if header.witryna_export != FORMAT || header.store_schema > SCHEMA_VERSION {
        return Err(ImportError::Header(format!(
            "format {} / store schema {} is newer than this build ({FORMAT} / {SCHEMA_VERSION})",
            header.witryna_export, header.store_schema
        )));
    }
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
        let versions = match check_line(kinds, line) {
            Ok(v) => v,
            Err(message) => {
                report.errors.push((number, message));
                continue;
            }
        };
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
    Ok(report)
}
