//! The layout and logic of a store on an ordered key-value map, shared by [`MemoryStore`]
//! and the sled backend so both follow the [`Store`] contract with one implementation.
//!
//! Keys (`\0` separates text parts, which never contain it; numbers are big-endian):
//!
//! | key | value |
//! | --- | --- |
//! | `m:schema` | schema version, u32 |
//! | `r:` id | the current [`Record`] (postcard) |
//! | `s:` kind `\0` locale `\0` slug | owning id |
//! | `l:` kind `\0` locale `\0` sort-time id | status byte |
//! | `t:` kind `\0` locale `\0` tag `\0` sort-time id | status byte |
//! | `v:` id version | the [`Record`] as of that version |
//! | `g:` source-id locale | the id of the source's translation into that locale |
//! | `b:` hash | a blob's [`BlobHeader`]: data id, size u64, stored-at µs i64 |
//! | `c:` data-id chunk-no | chunk `n` (u32) of the bytes written under a data id |
//! | `p:` data-id | empty: the chunks of this data id are pending (not yet, or no longer, a blob's) |
//! | `m:audit` | the last audit entry's `seq`, u64 |
//! | `a:` seq | an [`AuditEntry`] (JSON) |
//! | `A:` seq | empty: the entry is a public change (the change register reads these) |
//! | `d:` delivery-id | a webhook [`Delivery`] (JSON) |
//! | `q:` due-time delivery-id | empty: the delivery is due then (pending deliveries only) |
//! | `e:` endpoint-id delivery-id | empty: the endpoint's deliveries, oldest first (ids are UUID v7) |
//!
//! The sort time is microseconds since the epoch with the sign bit flipped, so byte order
//! is time order; lists walk the `l:`/`t:` ranges backwards, newest first.
//!
//! Blobs (sled only; [`MemoryStore`] keeps them apart): a writer picks a fresh data id,
//! marks it pending, and stores [`BLOB_CHUNK`](super::blob::BLOB_CHUNK) chunks under it as
//! they fill; its commit writes the `b:` header and removes the pending mark in one
//! transaction. Whatever is pending when the store opens (an upload cut by a crash, the
//! chunks of a deleted blob or of a duplicate) is removed, chunks first, then the mark.
//!
//! [`MemoryStore`]: super::MemoryStore
//! [`Store`]: super::Store

use chrono::{DateTime, Utc};

use crate::audit::{self as log, AuditEntry, AuditQuery, Delivery, WriteLog};
use crate::record::{legacy, Id, Record, Status};

use super::blob::{BlobHash, BlobInfo};
use super::{Cursor, ListQuery, RecordPage, StoreError};

/// Schema version this build writes and reads. 2: records carry the accounts that wrote
/// them; 3: records carry their translation link, with the `g:` index; 4: records carry
/// their metryczka, and the store keeps the audit log and webhook outbox (`m:audit`,
/// `a:`, `d:`, `q:`, `e:`). Stores stamped earlier are read as they are and stamped 4 when
/// opened for writing: their records have no links, so no `g:` entry is missing, and
/// their log starts empty.
pub const SCHEMA_VERSION: u32 = 4;
/// Where the schema version is stamped.
pub const SCHEMA_KEY: &[u8] = b"m:schema";

const ID_LEN: usize = 16;
const SORT_LEN: usize = 8;
const HASH_LEN: usize = 32;

/// Key of an item's current record.
pub fn record_key(id: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + ID_LEN);
    k.extend_from_slice(b"r:");
    k.extend_from_slice(id.as_bytes());
    k
}

/// Key of a slug entry.
pub fn slug_key(kind: &str, locale: &str, slug: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + kind.len() + locale.len() + slug.len());
    k.extend_from_slice(b"s:");
    for part in [kind, locale] {
        k.extend_from_slice(part.as_bytes());
        k.push(0);
    }
    k.extend_from_slice(slug.as_bytes());
    k
}

fn list_prefix(kind: &str, locale: &str, tag: Option<&str>) -> Vec<u8> {
    let mut k = Vec::with_capacity(64);
    k.extend_from_slice(if tag.is_some() { b"t:" } else { b"l:" });
    for part in [Some(kind), Some(locale), tag].into_iter().flatten() {
        k.extend_from_slice(part.as_bytes());
        k.push(0);
    }
    k
}

fn sort_bytes(micros: i64) -> [u8; SORT_LEN] {
    ((micros as u64) ^ (1 << 63)).to_be_bytes()
}

fn position_key(prefix: &[u8], micros: i64, id: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + SORT_LEN + ID_LEN);
    k.extend_from_slice(prefix);
    k.extend_from_slice(&sort_bytes(micros));
    k.extend_from_slice(id.as_bytes());
    k
}

/// The list and tag index keys of a record.
fn index_keys(record: &Record) -> Vec<Vec<u8>> {
    let m = &record.meta;
    let micros = m.sort_time().timestamp_micros();
    std::iter::once(None)
        .chain(m.tags.iter().map(|t| Some(t.as_str())))
        .map(|tag| position_key(&list_prefix(&m.kind, &m.locale, tag), micros, m.id))
        .collect()
}

fn slug_keys(record: &Record) -> impl Iterator<Item = (Vec<u8>, &str)> {
    let m = &record.meta;
    std::iter::once(&m.slug).chain(&m.previous_slugs).map(|s| (slug_key(&m.kind, &m.locale, s), s.as_str()))
}

/// Key of a translation entry: the translation of `source` into `locale`.
pub fn translation_key(source: Id, locale: &str) -> Vec<u8> {
    let mut k = translation_prefix(source);
    k.extend_from_slice(locale.as_bytes());
    k
}

/// The prefix of every translation entry of a source.
fn translation_prefix(source: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + ID_LEN + 8);
    k.extend_from_slice(b"g:");
    k.extend_from_slice(source.as_bytes());
    k
}

/// The translation entry of a record, if it translates another item.
fn translation_entry(record: &Record) -> Option<Vec<u8>> {
    record.meta.translation_of.map(|t| translation_key(t.id, &record.meta.locale))
}

/// Where the last audit entry's number is kept.
const AUDIT_SEQ_KEY: &[u8] = b"m:audit";

/// Key of an audit entry.
fn audit_key(seq: u64) -> Vec<u8> {
    let mut k = b"a:".to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Key of a public change's mark.
fn public_key(seq: u64) -> Vec<u8> {
    let mut k = b"A:".to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Key of a webhook delivery.
fn delivery_key(id: Id) -> Vec<u8> {
    let mut k = b"d:".to_vec();
    k.extend_from_slice(id.as_bytes());
    k
}

/// Key of a delivery's place in the queue of due deliveries.
fn due_key(at: DateTime<Utc>, id: Id) -> Vec<u8> {
    position_key(b"q:", at.timestamp_micros(), id)
}

/// Key of a delivery in its endpoint's log.
fn endpoint_key(endpoint: Id, id: Id) -> Vec<u8> {
    let mut k = b"e:".to_vec();
    k.extend_from_slice(endpoint.as_bytes());
    k.extend_from_slice(id.as_bytes());
    k
}

/// Key of a revision.
pub fn revision_key(id: Id, version: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + ID_LEN + 8);
    k.extend_from_slice(b"v:");
    k.extend_from_slice(id.as_bytes());
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// Key of a blob's header.
pub fn blob_key(hash: BlobHash) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + HASH_LEN);
    k.extend_from_slice(b"b:");
    k.extend_from_slice(&hash.0);
    k
}

/// The key range `lo..hi` of the blob headers after `after` (all of them without it), in
/// hash order.
pub fn blob_range(after: Option<BlobHash>) -> (Vec<u8>, Vec<u8>) {
    let lo = match after {
        Some(hash) => {
            let mut k = blob_key(hash);
            k.push(0); // strictly after
            k
        }
        None => b"b:".to_vec(),
    };
    (lo, b"b;".to_vec()) // ';' follows ':'
}

/// The hash a blob header's key names.
pub fn blob_hash(key: &[u8]) -> Result<BlobHash, StoreError> {
    match key {
        [b'b', b':', hash @ ..] if hash.len() == HASH_LEN => Ok(BlobHash(hash.try_into().expect("32 bytes"))),
        _ => Err(StoreError::Corrupt { key: describe_key(key), reason: "not a blob header key".into() }),
    }
}

/// Key of chunk `n` of the bytes written under a data id.
pub fn blob_chunk_key(data: Id, n: u32) -> Vec<u8> {
    let mut k = blob_chunk_prefix(data);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// The prefix of every chunk key of a data id.
pub fn blob_chunk_prefix(data: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + ID_LEN + 4);
    k.extend_from_slice(b"c:");
    k.extend_from_slice(data.as_bytes());
    k
}

/// The prefix of the pending marks.
pub const BLOB_PENDING_PREFIX: &[u8] = b"p:";

/// Key of the mark that says the chunks of a data id are pending.
pub fn blob_pending_key(data: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + ID_LEN);
    k.extend_from_slice(BLOB_PENDING_PREFIX);
    k.extend_from_slice(data.as_bytes());
    k
}

/// The data id a pending mark names.
pub fn blob_pending_data(key: &[u8]) -> Result<Id, StoreError> {
    match key {
        [b'p', b':', id @ ..] => decode_id(key, id),
        _ => Err(StoreError::Corrupt { key: describe_key(key), reason: "not a pending blob mark".into() }),
    }
}

/// What a blob's `b:` key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobHeader {
    /// The data id its chunks are stored under.
    pub data: Id,
    /// Length in bytes.
    pub size: u64,
    /// When it was (last) stored; kept to the microsecond.
    pub stored_at: DateTime<Utc>,
}

const BLOB_HEADER_LEN: usize = ID_LEN + 8 + 8;

impl BlobHeader {
    /// The stored form: data id, size (u64), stored-at microseconds (i64), big-endian.
    pub fn encode(&self) -> [u8; BLOB_HEADER_LEN] {
        let mut out = [0; BLOB_HEADER_LEN];
        out[..ID_LEN].copy_from_slice(self.data.as_bytes());
        out[ID_LEN..ID_LEN + 8].copy_from_slice(&self.size.to_be_bytes());
        out[ID_LEN + 8..].copy_from_slice(&self.stored_at.timestamp_micros().to_be_bytes());
        out
    }

    /// Reads [`BlobHeader::encode`]'s form, naming the key when it is corrupt.
    pub fn decode(key: &[u8], bytes: &[u8]) -> Result<Self, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt { key: describe_key(key), reason };
        let bytes: &[u8; BLOB_HEADER_LEN] = bytes.try_into().map_err(|_| {
            corrupt(format!("expected a {BLOB_HEADER_LEN}-byte blob header, found {} bytes", bytes.len()))
        })?;
        let micros = i64::from_be_bytes(bytes[ID_LEN + 8..].try_into().expect("8 bytes"));
        Ok(BlobHeader {
            data: Id::from_bytes(bytes[..ID_LEN].try_into().expect("16 bytes")),
            size: u64::from_be_bytes(bytes[ID_LEN..ID_LEN + 8].try_into().expect("8 bytes")),
            stored_at: DateTime::from_timestamp_micros(micros)
                .ok_or_else(|| corrupt(format!("stored-at time {micros} µs is out of range")))?,
        })
    }

    /// What the store tells of the blob this header is of.
    pub fn info(&self, hash: BlobHash) -> BlobInfo {
        BlobInfo { hash, size: self.size, stored_at: self.stored_at }
    }
}

/// A printable form of a key, for error messages.
pub fn describe_key(key: &[u8]) -> String {
    match key {
        [b'b', b':', hash @ ..] if hash.len() == HASH_LEN => {
            format!("blob {}", BlobHash(hash.try_into().expect("32 bytes")))
        }
        [b'c', b':', id @ ..] if id.len() == ID_LEN + 4 => {
            let uuid = Id::from_bytes(id[..ID_LEN].try_into().expect("16 bytes"));
            format!("chunk {} of blob data {uuid}", u32::from_be_bytes(id[ID_LEN..].try_into().expect("4 bytes")))
        }
        [b'p', b':', id @ ..] if id.len() == ID_LEN => {
            format!("pending blob data {}", Id::from_bytes(id.try_into().expect("16 bytes")))
        }
        [b'g', b':', rest @ ..] if rest.len() > ID_LEN => {
            let source = Id::from_bytes(rest[..ID_LEN].try_into().expect("16 bytes"));
            format!("translation of item {source} into {}", String::from_utf8_lossy(&rest[ID_LEN..]))
        }
        [b'a', b':', seq @ ..] if seq.len() == 8 => {
            format!("audit entry {}", u64::from_be_bytes(seq.try_into().expect("8 bytes")))
        }
        [b'd', b':', id @ ..] if id.len() == ID_LEN => {
            format!("webhook delivery {}", Id::from_bytes(id.try_into().expect("16 bytes")))
        }
        [b'r', b':', id @ ..] | [b'v', b':', id @ ..] if id.len() >= ID_LEN => {
            let uuid = Id::from_bytes(id[..ID_LEN].try_into().expect("16 bytes"));
            match id.get(ID_LEN..ID_LEN + 8) {
                Some(v) => format!("revision {} of item {uuid}", u64::from_be_bytes(v.try_into().expect("8 bytes"))),
                None => format!("record of item {uuid}"),
            }
        }
        _ => String::from_utf8_lossy(key).replace('\0', "/"),
    }
}

/// The first byte of a record in the current layout (schema 4, with the metryczka).
/// Schema-3 records start with 3, schema-2 records with 2; schema-1 records with their
/// id's length prefix, 16 (0x10), so the layouts never meet.
const RECORD_FORMAT: u8 = 4;
/// The first byte of a schema-3 record (with the translation link, no metryczka).
const RECORD_FORMAT_3: u8 = 3;
/// The first byte of a schema-2 record (with the writing accounts, no translation link).
const RECORD_FORMAT_2: u8 = 2;
/// The first byte of every schema-1 record: postcard's length prefix of the 16-byte id.
const LEGACY_FIRST_BYTE: u8 = 16;

/// Serializes a record for storage: the format byte, then the record in postcard.
pub fn encode_record(record: &Record) -> Vec<u8> {
    postcard::to_extend(record, vec![RECORD_FORMAT]).expect("records always serialize")
}

/// Reads a stored record in any layout, naming the key when it is corrupt. Older records
/// are read as they are (no migration pass rewrites a store): schema-1 records have no
/// writing accounts, and schema-1 and -2 records no translation link.
pub fn decode_record(key: &[u8], bytes: &[u8]) -> Result<Record, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { key: describe_key(key), reason };
    match bytes.first() {
        Some(&RECORD_FORMAT) => postcard::from_bytes(&bytes[1..]).map_err(|e| corrupt(e.to_string())),
        Some(&RECORD_FORMAT_3) => {
            postcard::from_bytes::<legacy::RecordV3>(&bytes[1..]).map(Record::from).map_err(|e| corrupt(e.to_string()))
        }
        Some(&RECORD_FORMAT_2) => postcard::from_bytes::<legacy::RecordV2>(&bytes[1..])
            .map(|v2| Record::from(legacy::RecordV3::from(v2)))
            .map_err(|e| corrupt(e.to_string())),
        Some(&LEGACY_FIRST_BYTE) => postcard::from_bytes::<legacy::RecordV1>(bytes)
            .map(|v1| Record::from(legacy::RecordV3::from(legacy::RecordV2::from(v1))))
            .map_err(|e| corrupt(e.to_string())),
        Some(other) => Err(corrupt(format!("unknown record format {other}"))),
        None => Err(corrupt("empty record".into())),
    }
}

fn decode_id(key: &[u8], bytes: &[u8]) -> Result<Id, StoreError> {
    let b: [u8; ID_LEN] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        key: describe_key(key),
        reason: format!("expected a 16-byte id, found {} bytes", bytes.len()),
    })?;
    Ok(Id::from_bytes(b))
}

/// Checks the stamped schema version: `Ok(None)` when none is stamped yet.
pub fn read_schema(value: Option<&[u8]>) -> Result<Option<u32>, StoreError> {
    let Some(v) = value else { return Ok(None) };
    let found = u32::from_be_bytes(v.try_into().map_err(|_| StoreError::Corrupt {
        key: describe_key(SCHEMA_KEY),
        reason: format!("expected 4 bytes, found {}", v.len()),
    })?);
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { found, supported: SCHEMA_VERSION });
    }
    Ok(Some(found))
}

/// The stamp to write into a new store.
pub fn schema_stamp() -> [u8; 4] {
    SCHEMA_VERSION.to_be_bytes()
}

/// Entries of a range scan: key and value bytes.
pub type Entries<'a, B> = Box<dyn Iterator<Item = Result<(B, B), StoreError>> + 'a>;

/// Read access to an ordered map.
pub trait KvRead {
    /// Value (and key) bytes.
    type Bytes: AsRef<[u8]>;
    /// Point lookup.
    fn get(&self, key: &[u8]) -> Result<Option<Self::Bytes>, StoreError>;
    /// Entries with `lo <= key < hi`, lowest key first; callers ensure `lo < hi`.
    fn scan<'a>(&'a self, lo: &[u8], hi: &[u8]) -> Entries<'a, Self::Bytes>;
    /// Entries with `lo <= key < hi`, highest key first; callers ensure `lo < hi`.
    fn scan_rev<'a>(&'a self, lo: &[u8], hi: &[u8]) -> Entries<'a, Self::Bytes>;
}

/// A transaction on an ordered map. `Error` is the backend's own (e.g. a conflict that
/// makes it retry); contract violations are [`StoreError`]s.
pub trait KvTxn {
    /// The backend's transaction error.
    type Error;
    /// Point lookup inside the transaction.
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Self::Error>;
    /// Insert or overwrite.
    fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), Self::Error>;
    /// Remove if present.
    fn remove(&mut self, key: &[u8]) -> Result<(), Self::Error>;
}

/// Why a transaction failed: the backend, or the store contract.
#[derive(Debug)]
pub enum TxnError<E> {
    /// Contract violation: abort, report to the caller.
    Store(StoreError),
    /// Backend error: the backend decides (retry, report).
    Backend(E),
}

impl<E> From<StoreError> for TxnError<E> {
    fn from(e: StoreError) -> Self {
        TxnError::Store(e)
    }
}

fn tx_get<T: KvTxn>(tx: &mut T, key: &[u8]) -> Result<Option<Vec<u8>>, TxnError<T::Error>> {
    tx.get(key).map_err(TxnError::Backend)
}

fn current<T: KvTxn>(tx: &mut T, id: Id) -> Result<Option<Record>, TxnError<T::Error>> {
    let key = record_key(id);
    match tx_get(tx, &key)? {
        Some(bytes) => Ok(Some(decode_record(&key, &bytes)?)),
        None => Ok(None),
    }
}

/// Changes to apply once every check has passed: removals first, then inserts, so a
/// failed check never leaves a partial write and an unchanged key is not lost.
#[derive(Default)]
struct Plan {
    remove: Vec<Vec<u8>>,
    insert: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Plan {
    fn apply<T: KvTxn>(self, tx: &mut T) -> Result<(), TxnError<T::Error>> {
        for k in &self.remove {
            tx.remove(k).map_err(TxnError::Backend)?;
        }
        for (k, v) in &self.insert {
            tx.insert(k, v).map_err(TxnError::Backend)?;
        }
        Ok(())
    }
}

/// Plans `key` to name `id`, unless another item holds it (`taken` says which).
fn claim<T: KvTxn>(
    tx: &mut T,
    key: Vec<u8>,
    id: Id,
    plan: &mut Plan,
    taken: impl FnOnce(Id) -> StoreError,
) -> Result<(), TxnError<T::Error>> {
    if let Some(owner) = tx_get(tx, &key)? {
        let owner = decode_id(&key, &owner)?;
        if owner != id {
            return Err(taken(owner).into());
        }
    }
    plan.insert.push((key, id.as_bytes().to_vec()));
    Ok(())
}

/// Checks that every slug of `record`, and its place in a translation group, is free or its
/// own, and plans its current-state entries: record, slugs, translation entry, list and tag
/// index entries.
fn plan_current<T: KvTxn>(
    tx: &mut T,
    record: &Record,
    bytes: &[u8],
    plan: &mut Plan,
) -> Result<(), TxnError<T::Error>> {
    let m = &record.meta;
    for (key, slug) in slug_keys(record) {
        claim(tx, key, m.id, plan, |owner| StoreError::SlugTaken {
            kind: m.kind.clone(),
            locale: m.locale.clone(),
            slug: slug.to_owned(),
            owner,
        })?;
    }
    if let (Some(key), Some(link)) = (translation_entry(record), m.translation_of) {
        if link.id == m.id {
            return Err(StoreError::InvalidWrite(format!("item {} cannot translate itself", m.id)).into());
        }
        claim(tx, key, m.id, plan, |owner| StoreError::TranslationTaken {
            group: link.id,
            locale: m.locale.clone(),
            owner,
        })?;
    }
    let status = vec![m.status.to_byte()];
    plan.insert.extend(index_keys(record).into_iter().map(|k| (k, status.clone())));
    plan.insert.push((record_key(m.id), bytes.to_vec()));
    Ok(())
}

/// Plans the log of a write: its audit entry, numbered after the last one, and its
/// deliveries, each queued and listed under its endpoint.
fn plan_log<T: KvTxn>(tx: &mut T, write_log: &WriteLog, plan: &mut Plan) -> Result<(), TxnError<T::Error>> {
    if let Some(entry) = &write_log.entry {
        let last = match tx_get(tx, AUDIT_SEQ_KEY)? {
            Some(v) => u64::from_be_bytes(v.as_slice().try_into().map_err(|_| StoreError::Corrupt {
                key: describe_key(AUDIT_SEQ_KEY),
                reason: format!("expected 8 bytes, found {}", v.len()),
            })?),
            None => 0,
        };
        let seq = last + 1;
        plan.insert.push((AUDIT_SEQ_KEY.to_vec(), seq.to_be_bytes().to_vec()));
        plan.insert.push((audit_key(seq), log::encode(&AuditEntry { seq, ..entry.clone() })));
        if entry.public {
            plan.insert.push((public_key(seq), Vec::new()));
        }
    }
    for d in &write_log.deliveries {
        plan.insert.push((delivery_key(d.id), log::encode(d)));
        plan.insert.push((endpoint_key(d.endpoint, d.id), Vec::new()));
        plan.insert.extend(d.next_at.map(|at| (due_key(at, d.id), Vec::new())));
    }
    Ok(())
}

/// [`Store::append_log`](super::Store::append_log) on a key-value transaction.
pub fn append_log<T: KvTxn>(tx: &mut T, write_log: &WriteLog) -> Result<(), TxnError<T::Error>> {
    let mut plan = Plan::default();
    plan_log(tx, write_log, &mut plan)?;
    plan.apply(tx)
}

/// [`Store::update_delivery`](super::Store::update_delivery) on a key-value transaction:
/// the delivery must exist; its place in the queue moves with its next attempt.
pub fn update_delivery<T: KvTxn>(tx: &mut T, d: &Delivery) -> Result<(), TxnError<T::Error>> {
    let key = delivery_key(d.id);
    let old: Delivery = match tx_get(tx, &key)? {
        Some(bytes) => decode_json(&key, &bytes)?,
        None => return Err(StoreError::NotFound { id: d.id }.into()),
    };
    if old.endpoint != d.endpoint {
        return Err(StoreError::InvalidWrite(format!("delivery {} cannot change endpoint", d.id)).into());
    }
    let mut plan = Plan::default();
    plan.remove.extend(old.next_at.map(|at| due_key(at, d.id)));
    plan.insert.push((key, log::encode(d)));
    plan.insert.extend(d.next_at.map(|at| (due_key(at, d.id), Vec::new())));
    plan.apply(tx)
}

fn decode_json<T: serde::de::DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt { key: describe_key(key), reason: e.to_string() })
}

/// [`Store::audit`](super::Store::audit): newest first, walking back from the cursor —
/// through the public marks alone for public changes (the change register), so a log of
/// mostly logins is not read to find them.
pub fn audit<R: KvRead>(kv: &R, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
    let before = q.before.unwrap_or(u64::MAX);
    let limit = q.limit.max(1);
    let mut out = Vec::new();
    let mut keep = |e: AuditEntry| {
        if q.matches(&e) {
            out.push(e);
        }
        out.len() < limit
    };
    if q.public_only {
        for mark in kv.scan_rev(b"A:", &public_key(before)) {
            let (key, _) = mark?;
            let key = audit_key(u64::from_be_bytes(key.as_ref()[2..].try_into().map_err(|_| StoreError::Corrupt {
                key: describe_key(key.as_ref()),
                reason: "a public mark without its number".into(),
            })?));
            let Some(value) = kv.get(&key)? else { continue };
            if !keep(decode_json(&key, value.as_ref())?) {
                break;
            }
        }
    } else {
        for entry in kv.scan_rev(b"a:", &audit_key(before)) {
            let (key, value) = entry?;
            if !keep(decode_json(key.as_ref(), value.as_ref())?) {
                break;
            }
        }
    }
    Ok(out)
}

/// The keys of audit entries made before `before`, with their public marks, and how many
/// entries they are (imported entries may sit anywhere in the log, so all of it is read).
pub fn expired_audit<R: KvRead>(kv: &R, before: DateTime<Utc>) -> Result<(Vec<Vec<u8>>, u64), StoreError> {
    let (mut keys, mut count) = (Vec::new(), 0);
    for entry in kv.scan(b"a:", b"a;") {
        let (key, value) = entry?;
        let e: AuditEntry = decode_json(key.as_ref(), value.as_ref())?;
        if e.at < before {
            keys.push(key.as_ref().to_vec());
            keys.extend(e.public.then(|| public_key(e.seq)));
            count += 1;
        }
    }
    Ok((keys, count))
}

/// [`Store::due_deliveries`](super::Store::due_deliveries): the queue up to `now`, oldest
/// first. A queue entry whose delivery moved on between the reads is skipped.
pub fn due_deliveries<R: KvRead>(kv: &R, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
    let hi = due_key(now, Id::from_bytes([0xff; ID_LEN]));
    let mut out = Vec::new();
    for entry in kv.scan(b"q:", &hi).take(limit.max(1)) {
        let (key, _) = entry?;
        let key = key.as_ref();
        let id = decode_id(key, &key[key.len() - ID_LEN..])?;
        let dkey = delivery_key(id);
        if let Some(bytes) = kv.get(&dkey)? {
            let d: Delivery = decode_json(&dkey, bytes.as_ref())?;
            if d.next_at.is_some_and(|at| at <= now) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// [`Store::deliveries`](super::Store::deliveries): an endpoint's deliveries, newest first.
pub fn deliveries<R: KvRead>(
    kv: &R,
    endpoint: Id,
    before: Option<Id>,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let lo = endpoint_key(endpoint, Id::from_bytes([0; ID_LEN]));
    let hi = match before {
        Some(id) => endpoint_key(endpoint, id),
        None => endpoint_key(endpoint, Id::from_bytes([0xff; ID_LEN])),
    };
    let mut out = Vec::new();
    for entry in kv.scan_rev(&lo, &hi).take(limit.max(1)) {
        let (key, _) = entry?;
        let key = key.as_ref();
        let id = decode_id(key, &key[key.len() - ID_LEN..])?;
        let dkey = delivery_key(id);
        if let Some(bytes) = kv.get(&dkey)? {
            out.push(decode_json(&dkey, bytes.as_ref())?);
        }
    }
    Ok(out)
}

/// The keys of finished deliveries made before `before` (each delivery's own key and its
/// endpoint entry), and how many deliveries they are.
pub fn expired_deliveries<R: KvRead>(kv: &R, before: DateTime<Utc>) -> Result<(Vec<Vec<u8>>, u64), StoreError> {
    let (mut keys, mut count) = (Vec::new(), 0);
    for entry in kv.scan(b"d:", b"d;") {
        let (key, value) = entry?;
        let d: Delivery = decode_json(key.as_ref(), value.as_ref())?;
        if d.next_at.is_none() && d.created_at < before {
            keys.push(key.as_ref().to_vec());
            keys.push(endpoint_key(d.endpoint, d.id));
            count += 1;
        }
    }
    Ok((keys, count))
}

/// [`Store::put`](super::Store::put) on a key-value transaction, with its log.
pub fn put<T: KvTxn>(tx: &mut T, record: &Record, log: &WriteLog) -> Result<(), TxnError<T::Error>> {
    let m = &record.meta;
    let old = current(tx, m.id)?;
    let actual = old.as_ref().map_or(0, |r| r.meta.version);
    let expected =
        m.version.checked_sub(1).ok_or_else(|| StoreError::InvalidWrite("version must be at least 1".into()))?;
    if actual != expected {
        return Err(StoreError::Conflict { id: m.id, expected, actual }.into());
    }
    let mut plan = Plan::default();
    if let Some(old) = &old {
        if old.meta.kind != m.kind || old.meta.locale != m.locale {
            return Err(StoreError::InvalidWrite(format!("item {} cannot change kind or locale", m.id)).into());
        }
        plan.remove.extend(index_keys(old));
        let keep: Vec<Vec<u8>> = slug_keys(record).map(|(k, _)| k).collect();
        plan.remove.extend(slug_keys(old).map(|(k, _)| k).filter(|k| !keep.contains(k)));
        plan.remove.extend(translation_entry(old).filter(|k| Some(k) != translation_entry(record).as_ref()));
    }
    let bytes = encode_record(record);
    plan.insert.push((revision_key(m.id, m.version), bytes.clone()));
    plan_current(tx, record, &bytes, &mut plan)?;
    plan_log(tx, log, &mut plan)?;
    plan.apply(tx)
}

/// [`Store::put_history`](super::Store::put_history) on a key-value transaction.
pub fn put_history<T: KvTxn>(tx: &mut T, versions: &[Record]) -> Result<(), TxnError<T::Error>> {
    let last = versions.last().ok_or_else(|| StoreError::InvalidWrite("no versions to write".into()))?;
    let m = &last.meta;
    for (i, r) in versions.iter().enumerate() {
        let same_item = r.meta.id == m.id && r.meta.kind == m.kind && r.meta.locale == m.locale;
        if !same_item || r.meta.version != i as u64 + 1 {
            return Err(StoreError::InvalidWrite(format!(
                "versions of item {} must be 1..={} of one item, kind and locale, in order",
                m.id,
                versions.len()
            ))
            .into());
        }
    }
    if let Some(existing) = current(tx, m.id)? {
        return Err(StoreError::Conflict { id: m.id, expected: 0, actual: existing.meta.version }.into());
    }
    let mut plan = Plan::default();
    for r in versions {
        plan.insert.push((revision_key(r.meta.id, r.meta.version), encode_record(r)));
    }
    plan_current(tx, last, &encode_record(last), &mut plan)?;
    plan.apply(tx)
}

/// [`Store::delete`](super::Store::delete) on a key-value transaction, with its log.
pub fn delete<T: KvTxn>(tx: &mut T, id: Id, expected_version: u64, log: &WriteLog) -> Result<(), TxnError<T::Error>> {
    let old = current(tx, id)?.ok_or(StoreError::NotFound { id })?;
    if old.meta.version != expected_version {
        return Err(StoreError::Conflict { id, expected: expected_version, actual: old.meta.version }.into());
    }
    let mut plan = Plan::default();
    plan.remove.push(record_key(id));
    plan.remove.extend(index_keys(&old));
    plan.remove.extend(slug_keys(&old).map(|(k, _)| k));
    plan.remove.extend(translation_entry(&old));
    plan.remove.extend((1..=old.meta.version).map(|v| revision_key(id, v)));
    plan_log(tx, log, &mut plan)?;
    plan.apply(tx)
}

fn read_record<R: KvRead>(kv: &R, key: &[u8]) -> Result<Option<Record>, StoreError> {
    kv.get(key)?.map(|b| decode_record(key, b.as_ref())).transpose()
}

/// [`Store::get`](super::Store::get).
pub fn get<R: KvRead>(kv: &R, id: Id) -> Result<Option<Record>, StoreError> {
    read_record(kv, &record_key(id))
}

/// [`Store::find_slug`](super::Store::find_slug). A slug entry whose item is gone or no
/// longer has that slug is a write that committed between the two reads (sled reads are
/// not one snapshot): the slug is not that item's, so it is absent.
pub fn find_slug<R: KvRead>(kv: &R, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
    let key = slug_key(kind, locale, slug);
    let Some(owner) = kv.get(&key)? else { return Ok(None) };
    let id = decode_id(&key, owner.as_ref())?;
    Ok(get(kv, id)?.filter(|r| {
        let m = &r.meta;
        m.kind == kind && m.locale == locale && (m.slug == slug || m.previous_slugs.iter().any(|s| s == slug))
    }))
}

/// [`Store::translations`](super::Store::translations). An entry whose item is gone or no
/// longer translates `source` there is a write that committed between the reads: skipped.
pub fn translations<R: KvRead>(kv: &R, source: Id) -> Result<Vec<Record>, StoreError> {
    let lo = translation_prefix(source);
    let mut hi = lo.clone();
    hi.push(0xff); // locales are ASCII
    let mut out = Vec::new();
    for entry in kv.scan(&lo, &hi) {
        let (key, value) = entry?;
        let id = decode_id(key.as_ref(), value.as_ref())?;
        let locale = &key.as_ref()[lo.len()..];
        if let Some(r) = get(kv, id)?
            .filter(|r| r.meta.translation_of.is_some_and(|t| t.id == source) && r.meta.locale.as_bytes() == locale)
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// [`Store::revision`](super::Store::revision).
pub fn revision<R: KvRead>(kv: &R, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
    read_record(kv, &revision_key(id, version))
}

/// [`Store::revisions`](super::Store::revisions).
pub fn revisions<R: KvRead>(kv: &R, id: Id) -> Result<Vec<Record>, StoreError> {
    let (lo, hi) = (revision_key(id, 0), revision_key(id, u64::MAX));
    kv.scan(&lo, &hi).map(|e| e.and_then(|(k, v)| decode_record(k.as_ref(), v.as_ref()))).collect()
}

/// [`Store::all`](super::Store::all).
pub fn all<R: KvRead>(kv: &R, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
    let mut lo = record_key(after.unwrap_or(Id::from_bytes([0; ID_LEN])));
    if after.is_some() {
        lo.push(0); // strictly after
    }
    let hi = b"r;".to_vec(); // ';' follows ':'
    if hi <= lo {
        return Ok(Vec::new());
    }
    kv.scan(&lo, &hi).take(limit.max(1)).map(|e| e.and_then(|(k, v)| decode_record(k.as_ref(), v.as_ref()))).collect()
}

/// [`Store::list`](super::Store::list).
pub fn list<R: KvRead>(kv: &R, q: &ListQuery) -> Result<RecordPage, StoreError> {
    let prefix = list_prefix(&q.kind, &q.locale, q.tag.as_deref());
    let lo = position_key(&prefix, q.from.map_or(i64::MIN, |t| t.timestamp_micros()), Id::from_bytes([0; ID_LEN]));
    let mut hi = match q.until {
        Some(t) => position_key(&prefix, t.timestamp_micros(), Id::from_bytes([0xff; ID_LEN])),
        None => position_key(&prefix, i64::MAX, Id::from_bytes([0xff; ID_LEN])),
    };
    // `hi` is exclusive: the all-0xff id never occurs (UUID v7 has version bits), so the
    // bound keeps every item at `until` itself.
    if let Some(c) = q.after {
        hi = hi.min(position_key(&prefix, c.sort_micros, c.id));
    }
    if hi <= lo {
        return Ok(RecordPage { records: Vec::new(), next: None });
    }
    let limit = q.limit.max(1);
    let mut records = Vec::with_capacity(limit.min(100));
    let mut more = false;
    for entry in kv.scan_rev(&lo, &hi) {
        let (key, value) = entry?;
        let (key, value) = (key.as_ref(), value.as_ref());
        let status = value.first().and_then(|b| Status::from_byte(*b)).ok_or_else(|| StoreError::Corrupt {
            key: describe_key(key),
            reason: "index entry without a valid status".into(),
        })?;
        if q.status.is_some_and(|s| s != status) {
            continue;
        }
        if records.len() == limit {
            more = true;
            break;
        }
        let id = decode_id(key, &key[key.len().saturating_sub(ID_LEN)..])?;
        // An entry whose item is gone, or was rewritten to another place or status, is a
        // write that committed between reading the entry and the record: skip it (the
        // item is absent, or listed where it now is).
        let Some(record) = get(kv, id)?.filter(|r| {
            let m = &r.meta;
            key[..key.len() - ID_LEN].ends_with(&sort_bytes(m.sort_time().timestamp_micros()))
                && q.status.is_none_or(|s| s == m.status)
                && q.tag.as_ref().is_none_or(|t| m.tags.contains(t))
        }) else {
            continue;
        };
        records.push(record);
    }
    let next = if more {
        records.last().map(|r| Cursor { sort_micros: r.meta.sort_time().timestamp_micros(), id: r.meta.id })
    } else {
        None
    };
    Ok(RecordPage { records, next })
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::testing::{hex_bytes, SCHEMA_1_RECORD};

    #[test]
    fn blob_keys_and_headers_read_back() {
        let (hash, data) = (BlobHash::of(b"plik"), Id::new());
        let stored_at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        let header = BlobHeader { data, size: 7, stored_at };
        assert_eq!(BlobHeader::decode(&blob_key(hash), &header.encode()).unwrap(), header);
        assert!(matches!(BlobHeader::decode(&blob_key(hash), &[1, 2]), Err(StoreError::Corrupt { .. })));
        assert_eq!(blob_hash(&blob_key(hash)).unwrap(), hash);
        assert_eq!(blob_pending_data(&blob_pending_key(data)).unwrap(), data);
        assert!(blob_pending_data(b"p:short").is_err());
        assert!(blob_chunk_key(data, 0).starts_with(&blob_chunk_prefix(data)));
        assert!(blob_chunk_key(data, 1) > blob_chunk_key(data, 0));
        let (lo, hi) = blob_range(Some(hash));
        assert!(blob_key(hash) < lo && lo < hi && blob_range(None).0 < blob_key(hash));
        assert_eq!(describe_key(&blob_key(hash)), format!("blob {hash}"));
        assert_eq!(describe_key(&blob_chunk_key(data, 3)), format!("chunk 3 of blob data {data}"));
        assert_eq!(describe_key(&blob_pending_key(data)), format!("pending blob data {data}"));
    }

    #[test]
    fn schema_1_records_are_read_and_new_ones_carry_their_accounts() {
        let bytes = hex_bytes(SCHEMA_1_RECORD);
        let old = decode_record(b"r:x", &bytes).expect("a schema-1 record reads");
        assert_eq!(old.meta.id, Id::from_bytes(core::array::from_fn(|i| i as u8 + 1)));
        assert_eq!((old.meta.kind.as_str(), old.meta.slug.as_str(), old.meta.version), ("news", "a", 3));
        assert_eq!(old.meta.previous_slugs, ["b"]);
        assert_eq!(old.meta.tags, ["kis"]);
        assert_eq!(old.meta.publish_at.map(|t| t.timestamp_micros()), Some(1_486_111_268_123_456));
        assert_eq!(old.meta.updated_at.timestamp_micros(), 1_486_111_268_123_457);
        assert_eq!((old.meta.created_by, old.meta.updated_by), (None, None));
        assert_eq!(old.body, r#"{"x":1}"#);

        let mut new = old.clone();
        new.meta.created_by = Some(Id::new());
        new.meta.updated_by = Some(Id::new());
        let encoded = encode_record(&new);
        assert_eq!(encoded[0], RECORD_FORMAT);
        assert_eq!(decode_record(b"r:x", &encoded).unwrap(), new);
        for bad in [&[][..], &[7, 1, 2][..], &bytes[..10]] {
            assert!(matches!(decode_record(b"r:x", bad), Err(StoreError::Corrupt { .. })), "{bad:?}");
        }
    }
}
