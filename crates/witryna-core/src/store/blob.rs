//! Files kept by the store: content-addressed blobs.
//!
//! A blob is named by the SHA-256 of its bytes ([`BlobHash`]), so the same file uploaded
//! twice is kept once and a name can never point at other bytes. Blobs are written through a
//! [`BlobWriter`] a piece at a time (a 50 MB document never sits whole in memory) and
//! become visible only when [`BlobWriter::commit`] returns: durable, under the hash the
//! backend computed itself. A writer dropped without commit — or a crash before it — leaves
//! nothing readable, and the backend removes what it had written.
//!
//! Blobs are not content: a [`Media`](crate::content::Media) item names them and carries
//! revisions and workflow. Blobs no media item names are collected after a grace period
//! ([`Cms::collect_blobs`](crate::Cms::collect_blobs)).

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::StoreError;

/// The size of the pieces backends store a blob in (the last one may be shorter). Small
/// enough that sled keeps each write in its log, which a flush syncs: sled 0.34 puts values
/// over about 128 KiB into files of their own that it never syncs (sled #1077).
pub const BLOB_CHUNK: usize = 64 * 1024;

/// The SHA-256 of a blob's bytes: its name in the store and in file URLs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobHash(pub [u8; 32]);

impl BlobHash {
    /// The hash of some bytes.
    pub fn of(bytes: &[u8]) -> Self {
        BlobHash(Sha256::digest(bytes).into())
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({self})")
    }
}

/// A text that is not 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a file hash is 64 lower-case hexadecimal digits (SHA-256)")]
pub struct BadBlobHash;

impl FromStr for BlobHash {
    type Err = BadBlobHash;

    /// Only the form [`Display`](fmt::Display) writes: one text per hash, so a URL or a
    /// cache key cannot be spelt two ways.
    fn from_str(s: &str) -> Result<Self, BadBlobHash> {
        let digits = s.as_bytes();
        if digits.len() != 64 {
            return Err(BadBlobHash);
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            _ => Err(BadBlobHash),
        };
        let mut out = [0u8; 32];
        for (i, pair) in digits.chunks_exact(2).enumerate() {
            out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Ok(BlobHash(out))
    }
}

impl Serialize for BlobHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlobHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for BlobHash {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BlobHash".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256 of the file's bytes, lower-case hex",
        })
    }
}

/// What the store knows of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobInfo {
    /// Its name.
    pub hash: BlobHash,
    /// Length in bytes.
    pub size: u64,
    /// When it was stored, or last stored again (a second upload of the same bytes): the
    /// grace period of collection counts from here.
    pub stored_at: DateTime<Utc>,
}

/// A blob being written. Dropping it without [`commit`](BlobWriter::commit) discards it.
#[async_trait]
pub trait BlobWriter: Send {
    /// Appends bytes (any length; the backend cuts them into [`BLOB_CHUNK`] pieces).
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError>;

    /// Makes the blob durable and readable under the SHA-256 of everything written. When
    /// the store already has it, the stored copy stays, its `stored_at` is renewed, and
    /// this one is discarded.
    async fn commit(self: Box<Self>) -> Result<BlobInfo, StoreError>;
}

/// The running hash and size of a blob being written, and its cutting into chunks: shared
/// by every backend's writer.
#[derive(Clone, Default)]
pub struct BlobBuffer {
    hasher: Sha256,
    size: u64,
    pending: Vec<u8>,
}

impl BlobBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes `bytes` and answers the whole chunks now ready to store, in order.
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<Vec<u8>> {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        let mut ready = Vec::new();
        while !bytes.is_empty() {
            if self.pending.capacity() == 0 {
                self.pending.reserve_exact(BLOB_CHUNK);
            }
            let take = (BLOB_CHUNK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == BLOB_CHUNK {
                ready.push(std::mem::take(&mut self.pending));
            }
        }
        ready
    }

    /// Ends the blob: its hash, size and the last, partial chunk (if any).
    pub fn finish(self) -> (BlobHash, u64, Option<Vec<u8>>) {
        let last = (!self.pending.is_empty()).then_some(self.pending);
        (BlobHash(self.hasher.finalize().into()), self.size, last)
    }
}

/// The chunks that hold bytes `offset .. offset + len` of a blob of `size` bytes, and where
/// in the first one the range starts: `(first chunk, last chunk, skip)`. `None` when the
/// range is empty or starts past the end.
pub fn chunk_span(size: u64, offset: u64, len: usize) -> Option<(u64, u64, usize)> {
    if len == 0 || offset >= size {
        return None;
    }
    let end = size.min(offset.saturating_add(len as u64));
    let chunk = BLOB_CHUNK as u64;
    Some((offset / chunk, (end - 1) / chunk, (offset % chunk) as usize))
}

/// Cuts the bytes read from chunks `first..` (see [`chunk_span`]) down to the range asked.
pub fn clip_span(mut joined: Vec<u8>, skip: usize, len: usize) -> Vec<u8> {
    joined.drain(..skip.min(joined.len()));
    joined.truncate(len);
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_have_one_text() {
        let h = BlobHash::of(b"abc");
        assert_eq!(h.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(h.to_string().parse::<BlobHash>(), Ok(h));
        assert!(h.to_string().to_uppercase().parse::<BlobHash>().is_err());
        assert!("ba78".parse::<BlobHash>().is_err());
        assert!(format!("{h}0").parse::<BlobHash>().is_err());
        assert_eq!(serde_json::to_string(&h).unwrap(), format!("\"{h}\""));
    }

    #[test]
    fn buffers_cut_whole_chunks_and_hash_everything() {
        let data: Vec<u8> = (0..BLOB_CHUNK * 2 + 10).map(|i| (i % 251) as u8).collect();
        let mut b = BlobBuffer::new();
        let mut chunks = Vec::new();
        for piece in data.chunks(100_000) {
            chunks.extend(b.push(piece));
        }
        let (hash, size, last) = b.finish();
        assert_eq!(chunks.len(), 2);
        assert!(chunks.iter().all(|c| c.len() == BLOB_CHUNK));
        assert_eq!(last.map(|l| l.len()), Some(10));
        assert_eq!((hash, size), (BlobHash::of(&data), data.len() as u64));
    }

    #[test]
    fn spans_cover_the_range() {
        let c = BLOB_CHUNK as u64;
        assert_eq!(chunk_span(10, 0, 10), Some((0, 0, 0)));
        assert_eq!(chunk_span(10, 10, 1), None);
        assert_eq!(chunk_span(10, 3, 0), None);
        assert_eq!(chunk_span(3 * c, c - 1, 2), Some((0, 1, (c - 1) as usize)));
        assert_eq!(chunk_span(3 * c, 2 * c, usize::MAX), Some((2, 2, 0)));
        assert_eq!(clip_span(vec![1, 2, 3, 4], 1, 2), vec![2, 3]);
    }
}
