//! The upload check: [`inspect`] decides from a file's bytes what it is and whether it may be kept.
//!
//! The client's file name and `Content-Type` are never trusted for the type; the name only has to agree
//! with what the bytes say (so a reader who downloads `wniosek.pdf` gets a PDF). Every refusal is a
//! [`Refusal`] with an English message a client can act on, a [`RefusalClass`] for the HTTP status and a
//! stable [`code`](Refusal::code) for translated messages.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::sniff::{self, FileType, Magic, TextVerdict};

/// Size limits for uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest accepted file, in bytes (default 25 MB, i.e. 25 × 1024 × 1024 bytes). Office
    /// documents may declare at most ten times this much unpacked content.
    pub max_bytes: u64,
    /// The largest accepted image area, in pixels (default 50 000 000).
    pub max_pixels: u64,
    /// The longest accepted image side, in pixels (default 16 384).
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 25 * 1024 * 1024, max_pixels: 50_000_000, max_side: 16_384 }
    }
}

/// The largest number of entries an office document's ZIP container may have.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// How much of one ZIP entry is ever read while checking (declared sizes can lie).
const MAX_ENTRY_READ: u64 = 1024 * 1024;

/// An entry bigger than this when unpacked must not be compressed more than [`MAX_RATIO`] to one.
const RATIO_CHECK_FROM: u64 = 1024 * 1024;

/// See [`RATIO_CHECK_FROM`].
const MAX_RATIO: u64 = 100;

/// The kind of a refusal, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalClass {
    /// The type is not accepted at all (unknown, SVG, HTML/XML markup, other archives): 415.
    UnsupportedType,
    /// The file is over the size limit: 413.
    TooLarge,
    /// The type is accepted but this file is not (wrong extension, corrupt or truncated, too many
    /// pixels, compression bomb, macros, wrongly encoded text): 422.
    Invalid,
    /// The file could not be read on the server; not the client's fault: 500.
    Internal,
}

impl RefusalClass {
    /// The HTTP status code for this class: 415, 413, 422 or 500.
    pub fn http_status(self) -> u16 {
        match self {
            RefusalClass::UnsupportedType => 415,
            RefusalClass::TooLarge => 413,
            RefusalClass::Invalid => 422,
            RefusalClass::Internal => 500,
        }
    }
}

/// Why a file was refused. The `Display` text is an English sentence naming the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The bytes are of no accepted type.
    #[error("file type not accepted: only JPEG, PNG, WebP, GIF, PDF, DOCX, ODT, XLSX, ODS, TXT, MP4 and WebM")]
    UnsupportedType,
    /// A ZIP archive that is not a DOCX, ODT, XLSX or ODS document.
    #[error("ZIP archives are not accepted: of ZIP-based files only DOCX, ODT, XLSX and ODS documents are")]
    Archive,
    /// An SVG image (it can carry scripts).
    #[error("SVG images are not accepted: they can carry scripts; upload PNG or JPEG")]
    Svg,
    /// HTML or XML markup (it can carry scripts).
    #[error("{kind} markup is not accepted: it can carry scripts; upload a PDF or plain text")]
    Markup {
        /// "HTML" or "XML".
        kind: &'static str,
    },
    /// The file is over [`Limits::max_bytes`].
    #[error("the file is larger than the limit of {}", human_size(*limit))]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The name's extension does not fit the type found in the bytes.
    #[error("{}", extension_message(*detected, extension.as_deref()))]
    ExtensionMismatch {
        /// The type found in the bytes.
        detected: FileType,
        /// The name's extension as given (without the dot), if it had one.
        extension: Option<String>,
    },
    /// The file is truncated or damaged.
    #[error("the file is not a complete {what}: {detail}")]
    Corrupt {
        /// What the file claims to be, e.g. "JPEG image" or "ZIP archive".
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The image's header gives dimensions over [`Limits::max_side`] or [`Limits::max_pixels`].
    #[error(
        "the image is {width} × {height} pixels; at most {max_side} per side and {} megapixels are accepted",
        megapixels(*max_pixels)
    )]
    TooManyPixels {
        /// The width from the header.
        width: u32,
        /// The height from the header.
        height: u32,
        /// The limit per side.
        max_side: u32,
        /// The limit of the area.
        max_pixels: u64,
    },
    /// An office document whose container would unpack to far more than it weighs.
    #[error("the {label} file {detail} (a compression bomb)")]
    CompressionBomb {
        /// The document's label, e.g. "DOCX", or "ZIP" when the archive was refused before its type was
        /// known (too many entries).
        label: &'static str,
        /// What gave it away, e.g. "would unpack to 300 MB".
        detail: String,
    },
    /// A macro-enabled office document.
    #[error(
        "the {} file contains macros, which are not accepted; save it as a plain .{} document without macros",
        format.label(),
        format.extensions()[0]
    )]
    Macros {
        /// The document's type.
        format: FileType,
    },
    /// Text that is not UTF-8.
    #[error("the text is not UTF-8 encoded ({detail}); save it as UTF-8")]
    NotText {
        /// What the encoding seems to be.
        detail: &'static str,
    },
    /// The file could not be read on the server.
    #[error("the uploaded file could not be read: {0}")]
    Io(#[from] io::Error),
}

impl Refusal {
    /// The kind of refusal, for the HTTP status.
    pub fn class(&self) -> RefusalClass {
        match self {
            Refusal::UnsupportedType | Refusal::Archive | Refusal::Svg | Refusal::Markup { .. } => {
                RefusalClass::UnsupportedType
            }
            Refusal::TooLarge { .. } => RefusalClass::TooLarge,
            Refusal::Empty
            | Refusal::ExtensionMismatch { .. }
            | Refusal::Corrupt { .. }
            | Refusal::TooManyPixels { .. }
            | Refusal::CompressionBomb { .. }
            | Refusal::Macros { .. }
            | Refusal::NotText { .. } => RefusalClass::Invalid,
            Refusal::Io(_) => RefusalClass::Internal,
        }
    }

    /// A stable snake_case code naming the variant, for clients that show their own messages:
    /// `unsupported_type`, `archive`, `svg`, `markup`, `too_large`, `empty`, `extension_mismatch`,
    /// `corrupt`, `too_many_pixels`, `compression_bomb`, `macros`, `not_text` or `io_error`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnsupportedType => "unsupported_type",
            Refusal::Archive => "archive",
            Refusal::Svg => "svg",
            Refusal::Markup { .. } => "markup",
            Refusal::TooLarge { .. } => "too_large",
            Refusal::Empty => "empty",
            Refusal::ExtensionMismatch { .. } => "extension_mismatch",
            Refusal::Corrupt { .. } => "corrupt",
            Refusal::TooManyPixels { .. } => "too_many_pixels",
            Refusal::CompressionBomb { .. } => "compression_bomb",
            Refusal::Macros { .. } => "macros",
            Refusal::NotText { .. } => "not_text",
            Refusal::Io(_) => "io_error",
        }
    }
}

/// "25 MB", "1.5 MB", "300 KB", "12 bytes" (binary multiples, as in the default limit).
pub(crate) fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        if bytes.is_multiple_of(MB) {
            format!("{} MB", bytes / MB)
        } else {
            format!("{:.1} MB", bytes as f64 / MB as f64)
        }
    } else if bytes >= KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{bytes} bytes")
    }
}

fn megapixels(pixels: u64) -> String {
    if pixels.is_multiple_of(1_000_000) {
        format!("{}", pixels / 1_000_000)
    } else {
        format!("{:.1}", pixels as f64 / 1_000_000.0)
    }
}

fn extension_message(detected: FileType, extension: Option<&str>) -> String {
    let expected = detected.extensions().iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(" or ");
    match extension {
        Some(ext) => {
            format!("the file is {} but its name ends in .{ext}; name it with {expected}", detected.describe())
        }
        None => format!("the file is {} but its name has no extension; name it with {expected}", detected.describe()),
    }
}

/// The extension of a client-supplied file name: the part after the last dot of the last path segment
/// (browsers on Windows may send `C:\fakepath\…`), trimmed of white space.
fn extension_of(file_name: &str) -> Option<&str> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).trim();
    let (_, ext) = base.rsplit_once('.')?;
    let ext = ext.trim();
    (!ext.is_empty()).then_some(ext)
}

/// Checks the uploaded file at `path` (already written in full) and returns its type, or why it may not
/// be kept.
///
/// The type is sniffed from the bytes: JPEG, PNG, GIF and WebP signatures; `%PDF-`; a ZIP container that
/// is an OpenDocument text or spreadsheet (a first entry `mimetype` naming it) or an Office Open XML
/// document or workbook (`[Content_Types].xml` with `word/document.xml` or `xl/workbook.xml`); otherwise
/// UTF-8 text (an optional byte-order mark, no control characters but tab, line feed, carriage return and
/// form feed, and no `<svg`, `<?xml`, `<!doctype`, `<html` or `<script`). The name's extension
/// (`file_name`, any letter case) must then be one of the type's [`extensions`](FileType::extensions).
///
/// It also refuses:
/// - files over [`Limits::max_bytes`] and empty files;
/// - images whose header gives more than [`Limits::max_side`] per side or [`Limits::max_pixels`] in all
///   (read without decoding any pixels), and JPEG, PNG and WebP files cut short;
/// - PDFs without `%%EOF` in their last 1024 bytes;
/// - office documents with more than [`MAX_ZIP_ENTRIES`] entries, declaring more than ten times
///   `max_bytes` unpacked, or with an entry over 1 MiB unpacked compressed more than 100 to 1;
/// - macro-enabled office documents (`macroEnabled` content types, a `vbaProject.bin`, or OpenDocument
///   `Basic/` or `Scripts/` folders).
///
/// The file is read through buffers and seeks; at most 1 MiB of any ZIP entry is unpacked.
pub fn inspect(path: &Path, file_name: &str, limits: &Limits) -> Result<FileType, Refusal> {
    let size = std::fs::metadata(path)?.len();
    if size == 0 {
        return Err(Refusal::Empty);
    }
    if size > limits.max_bytes {
        return Err(Refusal::TooLarge { size, limit: limits.max_bytes });
    }
    let mut head = [0u8; sniff::MAGIC_LEN];
    let n = sniff::read_up_to(&mut File::open(path)?, &mut head)?;
    let file_type = match sniff::magic(&head[..n]) {
        Magic::Image(format) => {
            let (width, height) = sniff::image_dimensions(path, format)?;
            sniff::check_pixels(width, height, limits)?;
            format
        }
        Magic::Pdf => {
            sniff::check_pdf_end(path)?;
            FileType::Pdf
        }
        Magic::Zip => inspect_zip(path, limits)?,
        Magic::IsoMedia(brand) => sniff::check_mp4(path, brand)?,
        Magic::Ebml => sniff::check_webm(path)?,
        Magic::Other => match sniff::scan_text(path)? {
            TextVerdict::Text => FileType::Txt,
            TextVerdict::Svg => return Err(Refusal::Svg),
            TextVerdict::Markup(kind) => return Err(Refusal::Markup { kind }),
            TextVerdict::NotUtf8 => {
                return Err(Refusal::NotText { detail: "it may be Windows-1250 or ISO-8859-2" });
            }
            TextVerdict::Utf16 => return Err(Refusal::NotText { detail: "it is UTF-16" }),
            TextVerdict::Binary => return Err(Refusal::UnsupportedType),
        },
    };
    match extension_of(file_name) {
        Some(ext) if file_type.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)) => Ok(file_type),
        ext => Err(Refusal::ExtensionMismatch { detected: file_type, extension: ext.map(str::to_owned) }),
    }
}

fn zip_corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::Corrupt { what: "ZIP archive", detail: e.to_string() }
}

/// Recognises an office document in a ZIP container and checks it for bombs and macros.
fn inspect_zip(path: &Path, limits: &Limits) -> Result<FileType, Refusal> {
    // Refuse huge directories before the ZIP reader allocates an entry for each.
    if let Some(declared) = declared_zip_entries(path)? {
        if declared > MAX_ZIP_ENTRIES as u64 {
            let detail = if declared >= u64::from(u16::MAX) {
                format!("holds 65535 or more entries; at most {MAX_ZIP_ENTRIES} are accepted")
            } else {
                format!("holds {declared} entries; at most {MAX_ZIP_ENTRIES} are accepted")
            };
            return Err(Refusal::CompressionBomb { label: "ZIP", detail });
        }
    }
    let reader = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(zip::result::ZipError::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
            return Err(Refusal::Io(e));
        }
        Err(e) => return Err(zip_corrupt(format_args!("its directory cannot be read ({e})"))),
    };
    if archive.has_duplicate_names() {
        return Err(zip_corrupt("it names the same entry twice"));
    }
    let entries = archive.len();

    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| zip_corrupt(format_args!("an entry name cannot be read ({e})")))?;
    let has = |name: &str| names.iter().any(|n| n == name);

    let file_type = if names.first().is_some_and(|n| n == "mimetype") {
        let mimetype = read_entry(&mut archive, "mimetype")?;
        match String::from_utf8_lossy(&mimetype).trim() {
            "application/vnd.oasis.opendocument.text" => FileType::Odt,
            "application/vnd.oasis.opendocument.spreadsheet" => FileType::Ods,
            // Presentations, drawings, templates, EPUB…
            _ => return Err(Refusal::UnsupportedType),
        }
    } else if has("[Content_Types].xml") {
        let file_type = if has("word/document.xml") {
            FileType::Docx
        } else if has("xl/workbook.xml") {
            FileType::Xlsx
        } else {
            // Presentations and other OOXML packages.
            return Err(Refusal::UnsupportedType);
        };
        let content_types = read_entry(&mut archive, "[Content_Types].xml")?;
        if contains_ignore_case(&content_types, b"macroenabled") {
            return Err(Refusal::Macros { format: file_type });
        }
        file_type
    } else {
        return Err(Refusal::Archive);
    };

    let label = file_type.label();
    if entries > MAX_ZIP_ENTRIES {
        return Err(Refusal::CompressionBomb {
            label,
            detail: format!("holds {entries} entries; at most {MAX_ZIP_ENTRIES} are accepted"),
        });
    }

    let macro_entry = names.iter().any(|n| {
        let lower = n.to_ascii_lowercase();
        lower.ends_with("vbaproject.bin")
            || (matches!(file_type, FileType::Odt | FileType::Ods)
                && (lower.starts_with("basic/") || lower.starts_with("scripts/")))
    });
    if macro_entry {
        return Err(Refusal::Macros { format: file_type });
    }

    let mut total: u64 = 0;
    for index in 0..entries {
        let entry = archive.by_index_data(index).map_err(zip_corrupt)?;
        let unpacked = entry.size();
        let packed = entry.compressed_size();
        total = total.saturating_add(unpacked);
        if unpacked > RATIO_CHECK_FROM && unpacked / MAX_RATIO > packed {
            return Err(Refusal::CompressionBomb {
                label,
                detail: format!(
                    "holds an entry that would unpack to {} from {}",
                    human_size(unpacked),
                    human_size(packed)
                ),
            });
        }
    }
    if total > limits.max_bytes.saturating_mul(10) {
        return Err(Refusal::CompressionBomb { label, detail: format!("would unpack to {}", human_size(total)) });
    }
    Ok(file_type)
}

/// The entry count in the end-of-central-directory record (within the last 64 KiB + 22 bytes), if one is
/// found; `0xFFFF` means a ZIP64 archive with at least that many.
fn declared_zip_entries(path: &Path) -> Result<Option<u64>, Refusal> {
    const EOCD_LEN: u64 = 22;
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let tail_len = len.min(EOCD_LEN + u64::from(u16::MAX));
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::new();
    file.take(tail_len).read_to_end(&mut tail)?;
    let found = tail.windows(4).rposition(|w| w == b"PK\x05\x06").filter(|&at| tail.len() - at >= EOCD_LEN as usize);
    Ok(found.map(|at| u64::from(u16::from_le_bytes([tail[at + 10], tail[at + 11]]))))
}

/// Reads at most [`MAX_ENTRY_READ`] bytes of the named entry.
fn read_entry<R: Read + io::Seek>(archive: &mut zip::ZipArchive<R>, name: &str) -> Result<Vec<u8>, Refusal> {
    let entry =
        archive.by_name(name).map_err(|e| zip_corrupt(format_args!("its entry {name} cannot be read ({e})")))?;
    let mut content = Vec::new();
    entry
        .take(MAX_ENTRY_READ)
        .read_to_end(&mut content)
        .map_err(|e| zip_corrupt(format_args!("its entry {name} cannot be unpacked ({e})")))?;
    Ok(content)
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_of_names() {
        assert_eq!(extension_of("wniosek.PDF"), Some("PDF"));
        assert_eq!(extension_of("C:\\fakepath\\zdjęcie.jpeg "), Some("jpeg"));
        assert_eq!(extension_of("archiwum.tar.gz"), Some("gz"));
        assert_eq!(extension_of("README"), None);
        assert_eq!(extension_of("dir.d/README"), None);
        assert_eq!(extension_of("kropka."), None);
    }

    #[test]
    fn sizes_and_messages() {
        assert_eq!(human_size(25 * 1024 * 1024), "25 MB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
        assert_eq!(human_size(2000), "2 KB");
        assert_eq!(human_size(12), "12 bytes");
        let too_large = Refusal::TooLarge { size: 30 << 20, limit: 25 << 20 };
        assert_eq!(too_large.to_string(), "the file is larger than the limit of 25 MB");
        assert_eq!(too_large.class().http_status(), 413);
        let pixels = Refusal::TooManyPixels { width: 60000, height: 60000, max_side: 16384, max_pixels: 50_000_000 };
        assert_eq!(
            pixels.to_string(),
            "the image is 60000 × 60000 pixels; at most 16384 per side and 50 megapixels are accepted"
        );
        let mismatch = Refusal::ExtensionMismatch { detected: FileType::Png, extension: Some("pdf".into()) };
        assert!(mismatch.to_string().starts_with("the file is a PNG image but its name ends in .pdf"));
        let bomb = Refusal::CompressionBomb { label: "DOCX", detail: "would unpack to 300 MB".into() };
        assert_eq!(bomb.to_string(), "the DOCX file would unpack to 300 MB (a compression bomb)");
    }
}
