//! The pure part of Witryna's media library: deciding whether an uploaded file may be kept, and turning
//! accepted images into clean, metadata-free copies with responsive variants.
//!
//! Nothing here knows about HTTP or the content store. The flow an integrator follows is:
//!
//! 1. write the upload to a temporary file (never trusting the client's `Content-Type`);
//! 2. call [`inspect`] with the path, the client's file name and the [`Limits`]: it sniffs the type from the
//!    bytes, checks the name's extension against it and refuses anything dangerous or broken with a
//!    [`Refusal`] whose [`class`](Refusal::class) maps to an HTTP status and whose [`code`](Refusal::code)
//!    is a stable identifier for translated messages;
//! 3. for images ([`FileType::is_image`]), call [`process_image`] and store the re-encoded
//!    [`full`](ProcessedImage::full) copy (which has no EXIF, GPS, XMP or ICC metadata) and its
//!    [`variants`](ProcessedImage::variants) instead of the upload; other files are stored as uploaded;
//! 4. store them: [`ingest`] does steps 2–3 and keeps the result as blobs of the store and a
//!    [`Media`](witryna_core::content::Media) item (named by the file's SHA-256, so the same
//!    file is kept once); [`Spool`] is step 1 for frontends that receive the file in pieces.
//!
//! ```no_run
//! use std::path::Path;
//! use witryna_media::{inspect, process_image, Limits};
//!
//! # fn main() -> Result<(), witryna_media::Refusal> {
//! let limits = Limits::default();
//! let path = Path::new("/tmp/upload-1234");
//! let file_type = inspect(path, "zdjęcie z festynu.JPG", &limits)?;
//! if file_type.is_image() {
//!     let processed = process_image(path, file_type, &limits)?;
//!     println!("{} variants", processed.variants.len());
//! }
//! # Ok(())
//! # }
//! ```

pub mod check;
mod demo;
pub mod images;
mod ingest;
pub mod receive;
pub mod sniff;

pub use check::{inspect, Limits, Refusal, RefusalClass};
pub use demo::DemoMedia;
pub use images::{process_image, Encoded, ProcessedImage, VARIANT_WIDTHS};
pub use ingest::{ingest, sweep_spools, IngestError, Ingested, Spool, Upload, SPOOL_PREFIX};
pub use receive::{receive, ReceiveError, Received};
pub use sniff::FileType;
