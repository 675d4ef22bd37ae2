//! Inputs built in code for the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A photo-like RGB image: smooth gradients with a little deterministic noise.
pub fn photo(width: u32, height: u32) -> RgbImage {
    let mut state: u32 = 0x1234_5678;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 17) as i32 - 8;
        let r = (x * 255 / width.max(1)) as i32 + noise;
        let g = (y * 255 / height.max(1)) as i32 - noise;
        let b = (((x + y) / 3) % 256) as i32 + noise / 2;
        Rgb([r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8])
    })
}

/// A logo-like RGBA image: flat shapes on a transparent background.
pub fn logo(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (width as i64 / 2, height as i64 / 2);
        let (dx, dy) = (x as i64 - cx, y as i64 - cy);
        let r = (width.min(height) / 3) as i64;
        if dx * dx + dy * dy < r * r {
            Rgba([200, 30, 40, 255])
        } else if (x / 40 + y / 40) % 5 == 0 {
            Rgba([20, 60, 160, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

pub fn jpeg_bytes(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality)).unwrap();
    bytes
}

pub fn png_bytes(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, ImageFormat::Png).unwrap();
    bytes.into_inner()
}

pub fn gif_bytes(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder.encode_frame(image::Frame::new(image.clone())).unwrap();
    }
    bytes
}

pub fn webp_bytes(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_with_encoder(WebPEncoder::new_lossless(&mut bytes)).unwrap();
    bytes
}

pub fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n\
endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

/// A ZIP archive of `(name, content)` entries, deflated except for a first `mimetype`, which is stored
/// as OpenDocument requires.
pub fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        let method = if *name == "mimetype" { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        writer.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub const DOCX_CONTENT_TYPES: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/word/document.xml" "#,
    r#"ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"</Types>"#,
)
.as_bytes();

pub const DOCM_CONTENT_TYPES: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>"#,
    r#"<Override PartName="/word/document.xml" "#,
    r#"ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>"#,
    r#"</Types>"#,
)
.as_bytes();

pub const XLSX_CONTENT_TYPES: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" "#,
    r#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"</Types>"#,
)
.as_bytes();

const RELS: &[u8] = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#,
)
.as_bytes();

pub fn docx_bytes() -> Vec<u8> {
    zip_bytes(&[
        ("[Content_Types].xml", DOCX_CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/document.xml", b"<w:document><w:body><w:p><w:r><w:t>Wniosek</w:t></w:r></w:p></w:body></w:document>"),
    ])
}

pub fn xlsx_bytes() -> Vec<u8> {
    zip_bytes(&[
        ("[Content_Types].xml", XLSX_CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", b"<workbook><sheets><sheet name=\"Arkusz1\" sheetId=\"1\"/></sheets></workbook>"),
    ])
}

fn odf_bytes(mimetype: &[u8]) -> Vec<u8> {
    zip_bytes(&[
        ("mimetype", mimetype),
        ("content.xml", b"<office:document-content><office:body/></office:document-content>"),
        ("META-INF/manifest.xml", b"<manifest:manifest/>"),
    ])
}

pub fn odt_bytes() -> Vec<u8> {
    odf_bytes(b"application/vnd.oasis.opendocument.text")
}

pub fn ods_bytes() -> Vec<u8> {
    odf_bytes(b"application/vnd.oasis.opendocument.spreadsheet")
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A PNG whose header claims `width` × `height` pixels but whose data is a token: decoding it would need
/// gigabytes, reading its header does not.
pub fn huge_png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filter, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of one stored, empty, final block.
    png_chunk(&mut out, b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// The GPS latitude written into [`exif_segment`]: 52° 13' 30" N, as three rationals.
pub const GPS_LATITUDE: [u8; 24] = [52, 0, 0, 0, 1, 0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 0xB8, 0x0B, 0, 0, 100, 0, 0, 0];

/// A JPEG APP1 segment with a little-endian Exif block: IFD0 holds an orientation and a GPS IFD pointer
/// (tag 0x8825), and the GPS IFD a latitude reference and a latitude.
pub fn exif_segment(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II\x2A\x00");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: two entries, 2 + 2 × 12 + 4 = 30 bytes, so the GPS IFD starts at 38.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    ifd_entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    ifd_entry(&mut tiff, 0x8825, 4, 1, 38);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 38);
    // GPS IFD at 38: two entries, 30 bytes, so the latitude's rationals start at 68.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    ifd_entry(&mut tiff, 0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
    ifd_entry(&mut tiff, 0x0002, 5, 3, 68);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 68);
    tiff.extend_from_slice(&GPS_LATITUDE);

    let mut segment = vec![0xFF, 0xE1];
    let length = u16::try_from(2 + 6 + tiff.len()).unwrap();
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

fn ifd_entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
}

/// Inserts an APP1 Exif segment right after the SOI marker of `jpeg`.
pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_segment(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
