//! The accepted file types and the byte-level recognisers behind [`inspect`](crate::inspect).
//!
//! Everything here reads files through a [`BufReader`] and seeks over what it does not need, so a
//! 25 MB upload is never held in memory whole.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::check::{Limits, Refusal};

/// A file type the media library accepts.
///
/// The derived order (images first, JPEG before PNG before WebP) is the order of
/// [`ProcessedImage::variants`](crate::ProcessedImage::variants) of the same width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    /// A JPEG (JFIF or Exif) image.
    Jpeg,
    /// A PNG image.
    Png,
    /// A WebP image (lossy, lossless or extended).
    WebP,
    /// A GIF image; only its first frame is kept when it is processed.
    Gif,
    /// A PDF document.
    Pdf,
    /// An Office Open XML word-processing document (Microsoft Word).
    Docx,
    /// An OpenDocument text document (LibreOffice Writer).
    Odt,
    /// An Office Open XML spreadsheet (Microsoft Excel).
    Xlsx,
    /// An OpenDocument spreadsheet (LibreOffice Calc).
    Ods,
    /// Plain UTF-8 text.
    Txt,
    /// An MP4 video (ISO base media), e.g. a Polish Sign Language recording.
    Mp4,
    /// A WebM video.
    WebM,
}

impl FileType {
    /// Every accepted type, in declaration order.
    pub const ALL: [FileType; 12] = [
        FileType::Jpeg,
        FileType::Png,
        FileType::WebP,
        FileType::Gif,
        FileType::Pdf,
        FileType::Docx,
        FileType::Odt,
        FileType::Xlsx,
        FileType::Ods,
        FileType::Txt,
        FileType::Mp4,
        FileType::WebM,
    ];

    /// The media type to serve the file with (`Content-Type`).
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::WebP => "image/webp",
            FileType::Gif => "image/gif",
            FileType::Pdf => "application/pdf",
            FileType::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileType::Txt => "text/plain; charset=utf-8",
            FileType::Mp4 => "video/mp4",
            FileType::WebM => "video/webm",
        }
    }

    /// The file-name extensions (lower case, without the dot) accepted for this type; the first is the
    /// one to use when naming a stored file.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Png => &["png"],
            FileType::WebP => &["webp"],
            FileType::Gif => &["gif"],
            FileType::Pdf => &["pdf"],
            FileType::Docx => &["docx"],
            FileType::Odt => &["odt"],
            FileType::Xlsx => &["xlsx"],
            FileType::Ods => &["ods"],
            FileType::Txt => &["txt"],
            FileType::Mp4 => &["mp4", "m4v"],
            FileType::WebM => &["webm"],
        }
    }

    /// A short label shown to readers next to a download link, e.g. "PDF" or "WebP".
    pub fn label(self) -> &'static str {
        match self {
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
            FileType::WebP => "WebP",
            FileType::Gif => "GIF",
            FileType::Pdf => "PDF",
            FileType::Docx => "DOCX",
            FileType::Odt => "ODT",
            FileType::Xlsx => "XLSX",
            FileType::Ods => "ODS",
            FileType::Txt => "TXT",
            FileType::Mp4 => "MP4",
            FileType::WebM => "WebM",
        }
    }

    /// Whether the type is a video (kept as uploaded; the site plays it in `<video>`).
    pub fn is_video(self) -> bool {
        matches!(self, FileType::Mp4 | FileType::WebM)
    }

    /// Whether the type is a raster image that [`process_image`](crate::process_image) handles.
    pub fn is_image(self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png | FileType::WebP | FileType::Gif)
    }

    /// The type whose [`mime`](Self::mime) is `mime`, ignoring parameters (`; charset=…`), surrounding
    /// white space and letter case.
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        FileType::ALL.into_iter().find(|t| {
            let own = t.mime().split(';').next().unwrap_or("");
            own.eq_ignore_ascii_case(essence)
        })
    }

    /// "a PNG image", "an ODT document": the phrase used in refusal messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            FileType::Jpeg => "a JPEG image",
            FileType::Png => "a PNG image",
            FileType::WebP => "a WebP image",
            FileType::Gif => "a GIF image",
            FileType::Pdf => "a PDF document",
            FileType::Docx => "a DOCX document",
            FileType::Odt => "an ODT document",
            FileType::Xlsx => "an XLSX spreadsheet",
            FileType::Ods => "an ODS spreadsheet",
            FileType::Txt => "a plain-text file",
            FileType::Mp4 => "an MP4 video",
            FileType::WebM => "a WebM video",
        }
    }

    /// "JPEG image", "DOCX document": the noun phrase without an article.
    pub(crate) fn noun(self) -> &'static str {
        match self.describe().split_once(' ') {
            Some((_, rest)) => rest,
            None => self.describe(),
        }
    }
}

impl std::fmt::Display for FileType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    Image(FileType),
    Pdf,
    Zip,
    /// An ISO base media file (`ftyp` box): MP4 when its brand is a video one.
    IsoMedia([u8; 4]),
    /// An EBML file (Matroska, WebM).
    Ebml,
    Other,
}

/// How many leading bytes [`magic`] looks at.
pub(crate) const MAGIC_LEN: usize = 16;

/// Recognises a file by its signature.
pub(crate) fn magic(head: &[u8]) -> Magic {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Magic::Image(FileType::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Magic::Image(FileType::Png)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Magic::Image(FileType::Gif)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Magic::Image(FileType::WebP)
    } else if head.starts_with(b"%PDF-") {
        Magic::Pdf
    } else if head.starts_with(b"PK\x03\x04") {
        Magic::Zip
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        Magic::IsoMedia(head[8..12].try_into().expect("4 bytes"))
    } else if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Magic::Ebml
    } else {
        Magic::Other
    }
}

/// Reads up to `buf.len()` bytes, stopping early only at the end of the input.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

// ---------------------------------------------------------------------------------------------------------
// Images: dimensions from the headers, and a cheap structural check for truncation.
// ---------------------------------------------------------------------------------------------------------

fn corrupt(format: FileType, detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt { what: format.noun(), detail: detail.into() }
}

/// Maps an I/O error met while parsing: running out of bytes means the file is cut short.
fn eof_as_corrupt(format: FileType, what_was_missing: &'static str) -> impl Fn(io::Error) -> Refusal {
    move |e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            corrupt(format, format!("it ends before {what_was_missing} (the upload may have been cut short)"))
        } else {
            Refusal::Io(e)
        }
    }
}

/// Reads the pixel dimensions of the image at `path` from its header without decoding any pixels, and
/// checks the file's structure where that is cheap: a JPEG must reach its end-of-image marker, a PNG its
/// `IEND` chunk and a WebP the length its RIFF header declares.
pub(crate) fn image_dimensions(path: &Path, format: FileType) -> Result<(u32, u32), Refusal> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let (width, height) = match format {
        FileType::Jpeg => jpeg_dimensions(&mut reader)?,
        FileType::Png => png_dimensions(&mut reader)?,
        FileType::Gif => gif_dimensions(&mut reader)?,
        FileType::WebP => webp_dimensions(&mut reader, len)?,
        other => return Err(Refusal::Corrupt { what: other.noun(), detail: "it is not an image".into() }),
    };
    if width == 0 || height == 0 {
        return Err(corrupt(format, format!("its header gives a size of {width} × {height} pixels")));
    }
    Ok((width, height))
}

/// Refuses dimensions over the limits.
pub(crate) fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<(), Refusal> {
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Refusal::TooManyPixels { width, height, max_side: limits.max_side, max_pixels: limits.max_pixels });
    }
    Ok(())
}

fn read_u8(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_be16(r: &mut impl Read) -> io::Result<u16> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b)?;
    Ok(u16::from_be_bytes(b))
}

/// Walks the JPEG marker segments to the frame header (SOFn) for the size, then through the
/// entropy-coded data to the end-of-image marker, so a file cut short is caught here: the decoder used by
/// `image` fills missing data with grey instead of failing.
fn jpeg_dimensions(r: &mut BufReader<File>) -> Result<(u32, u32), Refusal> {
    const F: FileType = FileType::Jpeg;
    let eof = eof_as_corrupt(F, "its end-of-image marker");
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi).map_err(&eof)?;
    if soi != [0xFF, 0xD8] {
        return Err(corrupt(F, "it does not start with a JPEG marker"));
    }
    let mut size: Option<(u32, u32)> = None;
    let mut in_scan = false;
    loop {
        if in_scan {
            // Skip entropy-coded data: look for 0xFF not followed by a stuffed zero or a restart marker.
            let marker = skip_entropy_data(r).map_err(&eof)?;
            match marker {
                0xD9 => break,
                m => {
                    in_scan = false;
                    handle_jpeg_marker(r, m, &mut size, &mut in_scan).map_err(&eof)??;
                }
            }
        } else {
            let mut byte = read_u8(r).map_err(&eof)?;
            if byte != 0xFF {
                return Err(corrupt(F, "its marker segments are malformed"));
            }
            while byte == 0xFF {
                byte = read_u8(r).map_err(&eof)?;
            }
            match byte {
                0xD9 => return Err(corrupt(F, "it has no image data")),
                0x01 | 0xD0..=0xD7 => {}
                m => handle_jpeg_marker(r, m, &mut size, &mut in_scan).map_err(&eof)??,
            }
        }
    }
    size.ok_or_else(|| corrupt(F, "it has no frame header"))
}

/// Handles one marker segment outside entropy-coded data: reads the size from a frame header, notes the
/// start of a scan and skips everything else.
fn handle_jpeg_marker(
    r: &mut BufReader<File>,
    marker: u8,
    size: &mut Option<(u32, u32)>,
    in_scan: &mut bool,
) -> io::Result<Result<(), Refusal>> {
    const F: FileType = FileType::Jpeg;
    let length = read_be16(r)?;
    if length < 2 {
        return Ok(Err(corrupt(F, "a marker segment has an impossible length")));
    }
    let body = i64::from(length) - 2;
    let is_frame_header = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
    if is_frame_header {
        if body < 5 {
            return Ok(Err(corrupt(F, "its frame header is too short")));
        }
        let _precision = read_u8(r)?;
        let height = read_be16(r)?;
        let width = read_be16(r)?;
        r.seek_relative(body - 5)?;
        if size.is_none() {
            *size = Some((u32::from(width), u32::from(height)));
        }
    } else if marker == 0xDA {
        if size.is_none() {
            return Ok(Err(corrupt(F, "its image data comes before the frame header")));
        }
        r.seek_relative(body)?;
        *in_scan = true;
    } else {
        r.seek_relative(body)?;
    }
    Ok(Ok(()))
}

/// Reads entropy-coded data up to the next real marker and returns that marker's code.
fn skip_entropy_data(r: &mut BufReader<File>) -> io::Result<u8> {
    let mut after_ff = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let mut i = 0;
        while i < buf.len() {
            if after_ff {
                let b = buf[i];
                match b {
                    0x00 | 0xD0..=0xD7 => after_ff = false,
                    0xFF => {}
                    m => {
                        r.consume(i + 1);
                        return Ok(m);
                    }
                }
                i += 1;
            } else {
                match buf[i..].iter().position(|&b| b == 0xFF) {
                    Some(p) => {
                        i += p + 1;
                        after_ff = true;
                    }
                    None => i = buf.len(),
                }
            }
        }
        let consumed = buf.len();
        r.consume(consumed);
    }
}

/// Reads the size from `IHDR`, then seeks from chunk to chunk up to `IEND`.
fn png_dimensions(r: &mut BufReader<File>) -> Result<(u32, u32), Refusal> {
    const F: FileType = FileType::Png;
    let eof = eof_as_corrupt(F, "its IEND chunk");
    let mut head = [0u8; 8 + 8 + 13];
    r.read_exact(&mut head).map_err(&eof)?;
    if &head[12..16] != b"IHDR" || u32::from_be_bytes([head[8], head[9], head[10], head[11]]) != 13 {
        return Err(corrupt(F, "it does not start with an IHDR chunk"));
    }
    let width = u32::from_be_bytes([head[16], head[17], head[18], head[19]]);
    let height = u32::from_be_bytes([head[20], head[21], head[22], head[23]]);
    // The IHDR chunk's CRC.
    r.seek_relative(4).map_err(&eof)?;
    loop {
        let mut chunk = [0u8; 8];
        r.read_exact(&mut chunk).map_err(&eof)?;
        let length = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if length > i32::MAX as u32 {
            return Err(corrupt(F, "a chunk has an impossible length"));
        }
        if &chunk[4..8] == b"IEND" {
            break;
        }
        r.seek_relative(i64::from(length) + 4).map_err(&eof)?;
    }
    Ok((width, height))
}

/// The logical screen size from the GIF header (the decoder composes frames onto that screen).
fn gif_dimensions(r: &mut BufReader<File>) -> Result<(u32, u32), Refusal> {
    let eof = eof_as_corrupt(FileType::Gif, "its header ends");
    let mut head = [0u8; 10];
    r.read_exact(&mut head).map_err(&eof)?;
    Ok((u32::from(u16::from_le_bytes([head[6], head[7]])), u32::from(u16::from_le_bytes([head[8], head[9]]))))
}

/// The canvas size from the first chunk of a WebP file (`VP8 `, `VP8L` or `VP8X`).
fn webp_dimensions(r: &mut BufReader<File>, file_len: u64) -> Result<(u32, u32), Refusal> {
    const F: FileType = FileType::WebP;
    let eof = eof_as_corrupt(F, "its first image chunk ends");
    let mut head = [0u8; 12 + 8];
    r.read_exact(&mut head).map_err(&eof)?;
    let riff_len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    if riff_len + 8 > file_len {
        return Err(corrupt(F, "it is shorter than its RIFF header says (the upload may have been cut short)"));
    }
    let fourcc = &head[12..16];
    let mut body = [0u8; 10];
    r.read_exact(&mut body).map_err(&eof)?;
    match fourcc {
        b"VP8 " => {
            if body[3..6] != [0x9D, 0x01, 0x2A] {
                return Err(corrupt(F, "its VP8 frame header is malformed"));
            }
            let width = u16::from_le_bytes([body[6], body[7]]) & 0x3FFF;
            let height = u16::from_le_bytes([body[8], body[9]]) & 0x3FFF;
            Ok((u32::from(width), u32::from(height)))
        }
        b"VP8L" => {
            if body[0] != 0x2F {
                return Err(corrupt(F, "its VP8L header is malformed"));
            }
            let bits = u32::from_le_bytes([body[1], body[2], body[3], body[4]]);
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let width = u32::from_le_bytes([body[4], body[5], body[6], 0]) + 1;
            let height = u32::from_le_bytes([body[7], body[8], body[9], 0]) + 1;
            Ok((width, height))
        }
        _ => Err(corrupt(F, "its first chunk is not an image chunk")),
    }
}

/// Whether a WebP file's image is lossy (`VP8 `), as opposed to lossless (`VP8L`): the first of the two
/// chunks found, seeking over any others (`VP8X`, `ALPH`, `ICCP`, `ANIM`…). Only called on files that
/// [`image_dimensions`] accepted.
pub(crate) fn webp_is_lossy(path: &Path) -> Result<bool, Refusal> {
    let mut r = BufReader::new(File::open(path)?);
    r.seek(SeekFrom::Start(12))?;
    let eof = eof_as_corrupt(FileType::WebP, "its image chunk");
    loop {
        let mut header = [0u8; 8];
        r.read_exact(&mut header).map_err(&eof)?;
        match &header[..4] {
            b"VP8 " => return Ok(true),
            b"VP8L" => return Ok(false),
            // Animated: frames are inside ANMF chunks; the first frame's kind does not matter much.
            b"ANMF" => return Ok(true),
            _ => {
                let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
                // Chunks are padded to an even length.
                r.seek_relative(i64::from(size) + i64::from(size & 1)).map_err(&eof)?;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------------------

/// Requires `%%EOF` within the last 1024 bytes, where PDF readers look for it: a missing marker nearly
/// always means an interrupted upload.
pub(crate) fn check_pdf_end(path: &Path) -> Result<(), Refusal> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let tail_len = len.min(1024);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    file.take(tail_len).read_to_end(&mut tail)?;
    if tail.windows(5).any(|w| w == b"%%EOF") {
        Ok(())
    } else {
        Err(Refusal::Corrupt {
            what: FileType::Pdf.noun(),
            detail: "it has no end-of-file marker (the upload may have been cut short)".into(),
        })
    }
}

// ---------------------------------------------------------------------------------------------------------
// Video: kept as uploaded; recognised by brand, and an MP4's boxes must cover the file.
// ---------------------------------------------------------------------------------------------------------

/// Most top-level boxes of an MP4 looked at.
const MAX_MP4_BOXES: usize = 1000;

/// MP4 brands of video files (not HEIC pictures, QuickTime or other ISO media).
const MP4_BRANDS: [&[u8; 4]; 9] = [b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "];

/// An MP4 video: a video brand, top-level boxes that end exactly at the end of the file (a
/// cut upload does not), and a `moov` box among them (without it nothing plays).
pub(crate) fn check_mp4(path: &Path, brand: [u8; 4]) -> Result<FileType, Refusal> {
    if !MP4_BRANDS.iter().any(|b| **b == brand) {
        return Err(Refusal::UnsupportedType);
    }
    let corrupt = |detail: &str| Refusal::Corrupt { what: FileType::Mp4.noun(), detail: detail.into() };
    let mut file = BufReader::new(File::open(path)?);
    let len = file.get_ref().metadata()?.len();
    let (mut at, mut moov, mut boxes) = (0u64, false, 0);
    // Real files have a handful of top-level boxes; a file of millions of tiny ones is not
    // walked (each step is a read).
    while at < len {
        boxes += 1;
        if boxes > MAX_MP4_BOXES {
            return Err(corrupt("it has thousands of top-level boxes"));
        }
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        if read_up_to(&mut file, &mut header[..8])? < 8 {
            return Err(corrupt("its last box is cut short (the upload may have been cut)"));
        }
        let size32 = u32::from_be_bytes(header[..4].try_into().expect("4 bytes"));
        let size = match size32 {
            0 => len - at, // to the end of the file
            1 => {
                if read_up_to(&mut file, &mut header[8..16])? < 8 {
                    return Err(corrupt("a box's 64-bit size is cut short"));
                }
                u64::from_be_bytes(header[8..16].try_into().expect("8 bytes"))
            }
            n => u64::from(n),
        };
        if size < 8 || at.checked_add(size).is_none_or(|end| end > len) {
            return Err(corrupt("a box runs past the end of the file (the upload may have been cut)"));
        }
        moov |= &header[4..8] == b"moov";
        at += size;
    }
    if !moov {
        return Err(corrupt("it has no movie header (moov box)"));
    }
    Ok(FileType::Mp4)
}

/// A WebM video: an EBML header whose document type is `webm` (not other Matroska files).
pub(crate) fn check_webm(path: &Path) -> Result<FileType, Refusal> {
    let mut head = [0u8; 64];
    let n = read_up_to(&mut File::open(path)?, &mut head)?;
    // The DocType element (0x4282), a one-byte size 0x84, then "webm", in the EBML header.
    if head[..n].windows(7).any(|w| w == [0x42, 0x82, 0x84, b'w', b'e', b'b', b'm']) {
        Ok(FileType::WebM)
    } else {
        Err(Refusal::UnsupportedType)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------------

/// What a scan of a non-binary-signature file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextVerdict {
    /// Valid UTF-8 without forbidden control characters and without markup.
    Text,
    /// Contains `<svg`.
    Svg,
    /// Contains another markup opener; the payload names the kind for the message.
    Markup(&'static str),
    /// Not UTF-8, though free of control characters: most likely text in a legacy code page.
    NotUtf8,
    /// Starts with a UTF-16 byte-order mark.
    Utf16,
    /// Contains control characters or NUL bytes: not text at all.
    Binary,
}

/// Markup openers (after `<`, compared case-insensitively) and the kind named in the refusal.
const MARKUP: [(&[u8], &str); 5] =
    [(b"svg", "SVG"), (b"?xml", "XML"), (b"!doctype", "HTML"), (b"html", "HTML"), (b"script", "HTML")];

/// The longest opener after `<`, which is how much of one chunk the next must see again.
const MARKUP_OVERLAP: usize = 8;

/// Scans the whole file in 64 KiB chunks: UTF-8 validity (a chunk boundary may split a character),
/// forbidden control characters and markup openers (which a boundary may split too).
pub(crate) fn scan_text(path: &Path) -> io::Result<TextVerdict> {
    let mut file = File::open(path)?;
    let mut chunk = vec![0u8; 64 * 1024];
    // An incomplete UTF-8 sequence at the end of the previous chunk (at most 3 bytes).
    let mut utf8_carry: Vec<u8> = Vec::with_capacity(4);
    // The last bytes of the previous chunk, so an opener split by the boundary is still seen.
    let mut markup_carry: Vec<u8> = Vec::with_capacity(MARKUP_OVERLAP);
    let mut window: Vec<u8> = Vec::with_capacity(chunk.len() + MARKUP_OVERLAP);
    let mut first = true;
    let mut utf8_ok = true;
    let mut svg = false;
    let mut markup: Option<&'static str> = None;
    loop {
        let n = read_up_to(&mut file, &mut chunk)?;
        let at_end = n < chunk.len();
        let mut data = &chunk[..n];
        if first {
            first = false;
            if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
                return Ok(TextVerdict::Utf16);
            }
            if let Some(rest) = data.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
                data = rest;
            }
        }
        if data.iter().any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F) {
            return Ok(TextVerdict::Binary);
        }
        if utf8_ok {
            window.clear();
            window.extend_from_slice(&utf8_carry);
            window.extend_from_slice(data);
            utf8_carry.clear();
            match std::str::from_utf8(&window) {
                Ok(_) => {}
                Err(e) if e.error_len().is_none() && !at_end => {
                    utf8_carry.extend_from_slice(&window[e.valid_up_to()..]);
                }
                Err(_) => utf8_ok = false,
            }
        }
        window.clear();
        window.extend_from_slice(&markup_carry);
        window.extend_from_slice(data);
        let mut from = 0;
        while let Some(p) = window[from..].iter().position(|&b| b == b'<') {
            let after = &window[from + p + 1..];
            for (opener, kind) in MARKUP {
                if after.len() >= opener.len() && after[..opener.len()].eq_ignore_ascii_case(opener) {
                    if opener == b"svg" {
                        svg = true;
                    } else {
                        markup.get_or_insert(kind);
                    }
                }
            }
            from += p + 1;
        }
        if at_end {
            break;
        }
        markup_carry.clear();
        markup_carry.extend_from_slice(&window[window.len().saturating_sub(MARKUP_OVERLAP)..]);
    }
    Ok(if svg {
        TextVerdict::Svg
    } else if let Some(kind) = markup {
        TextVerdict::Markup(kind)
    } else if !utf8_ok {
        TextVerdict::NotUtf8
    } else {
        TextVerdict::Text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_round_trips() {
        for t in FileType::ALL {
            assert_eq!(FileType::from_mime(t.mime()), Some(t));
            assert!(!t.extensions().is_empty());
        }
        assert_eq!(FileType::from_mime("TEXT/PLAIN"), Some(FileType::Txt));
        assert_eq!(FileType::from_mime(" image/png ; foo=bar"), Some(FileType::Png));
        assert_eq!(FileType::from_mime("image/svg+xml"), None);
        assert_eq!(FileType::from_mime(""), None);
    }

    #[test]
    fn nouns() {
        assert_eq!(FileType::Odt.noun(), "ODT document");
        assert_eq!(FileType::Txt.noun(), "plain-text file");
    }

    fn webp_with_chunks(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        for (fourcc, data) in chunks {
            body.extend_from_slice(*fourcc);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn webp_headers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w");
        // Extended format: 300 × 200 canvas, an odd-sized ICC chunk, alpha, then a lossy frame.
        let vp8x = [0x10, 0, 0, 0, 43, 1, 0, 199, 0, 0];
        let vp8 = [0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 44, 1, 200, 0];
        let file = webp_with_chunks(&[(b"VP8X", &vp8x), (b"ICCP", &[1, 2, 3]), (b"ALPH", &[0; 4]), (b"VP8 ", &vp8)]);
        std::fs::write(&path, &file).unwrap();
        assert_eq!(image_dimensions(&path, FileType::WebP).unwrap(), (300, 200));
        assert!(webp_is_lossy(&path).unwrap());
        // Simple lossy format.
        std::fs::write(&path, webp_with_chunks(&[(b"VP8 ", &vp8)])).unwrap();
        assert_eq!(image_dimensions(&path, FileType::WebP).unwrap(), (300, 200));
        assert!(webp_is_lossy(&path).unwrap());
        // Lossless: 14-bit width - 1 and height - 1 after the 0x2F signature.
        let bits: u32 = 299 | (199 << 14);
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        vp8l.extend_from_slice(&[0; 5]);
        std::fs::write(&path, webp_with_chunks(&[(b"VP8L", &vp8l)])).unwrap();
        assert_eq!(image_dimensions(&path, FileType::WebP).unwrap(), (300, 200));
        assert!(!webp_is_lossy(&path).unwrap());
        // Cut short of what the RIFF header declares.
        std::fs::write(&path, &file[..file.len() - 4]).unwrap();
        assert_eq!(image_dimensions(&path, FileType::WebP).unwrap_err().code(), "corrupt");
    }

    fn scan(bytes: &[u8]) -> TextVerdict {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, bytes).unwrap();
        scan_text(&path).unwrap()
    }

    #[test]
    fn text_scan_handles_chunk_boundaries() {
        // A two-byte character split across the 64 KiB boundary.
        let mut text = vec![b'a'; 64 * 1024 - 1];
        text.extend_from_slice("ż and more".as_bytes());
        assert_eq!(scan(&text), TextVerdict::Text);
        // A markup opener split across the boundary.
        let mut text = vec![b'a'; 64 * 1024 - 3];
        text.extend_from_slice(b"<sCrIpt>");
        assert_eq!(scan(&text), TextVerdict::Markup("HTML"));
        // Invalid UTF-8 far past the first chunk.
        let mut text = vec![b'a'; 200 * 1024];
        text.push(0xB3); // 'ł' in Windows-1250
        assert_eq!(scan(&text), TextVerdict::NotUtf8);
        // A character cut at the very end of the file.
        assert_eq!(scan(&[b'a', 0xC5]), TextVerdict::NotUtf8);
        assert_eq!(scan(b"\xEF\xBB\xBFZa\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87"), TextVerdict::Text);
        assert_eq!(scan(b"\xFF\xFEa\x00"), TextVerdict::Utf16);
        assert_eq!(scan(b"abc\x00def"), TextVerdict::Binary);
        assert_eq!(scan(b"  <?XML version='1.0'?><svg/>"), TextVerdict::Svg);
    }
}
