//! `inspect`: every accepted type is recognised and every kind of bad upload is refused for the right
//! reason.

mod common;

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use common::*;
use image::DynamicImage;
use witryna_media::{inspect, FileType, Limits, Refusal, RefusalClass};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn check(name: &str, bytes: &[u8]) -> Result<FileType, Refusal> {
    check_with(name, bytes, &Limits::default())
}

fn check_with(name: &str, bytes: &[u8], limits: &Limits) -> Result<FileType, Refusal> {
    let dir = tempfile::tempdir().unwrap();
    // The stored name is not the client's: inspect must go by the bytes and the `file_name` argument.
    let path = write(dir.path(), "upload.bin", bytes);
    inspect(&path, name, limits)
}

#[track_caller]
fn refused(result: Result<FileType, Refusal>, class: RefusalClass, code: &str) -> Refusal {
    match result {
        Ok(t) => panic!("accepted as {t:?}, expected refusal {code}"),
        Err(refusal) => {
            assert_eq!(refusal.code(), code, "{refusal}");
            assert_eq!(refusal.class(), class, "{refusal}");
            refusal
        }
    }
}

#[test]
fn accepts_every_type() {
    let photo = photo(24, 16);
    let logo = logo(24, 16);
    let cases: Vec<(&str, Vec<u8>, FileType)> = vec![
        ("zdjęcie.jpg", jpeg_bytes(&photo, 90), FileType::Jpeg),
        ("ZDJĘCIE.JPEG", jpeg_bytes(&photo, 90), FileType::Jpeg),
        ("logo.png", png_bytes(&DynamicImage::ImageRgba8(logo.clone())), FileType::Png),
        ("animacja.gif", gif_bytes(&logo), FileType::Gif),
        ("grafika.webp", webp_bytes(&DynamicImage::ImageRgb8(photo.clone())), FileType::WebP),
        ("grafika-alfa.webp", webp_bytes(&DynamicImage::ImageRgba8(logo)), FileType::WebP),
        ("wniosek.pdf", pdf_bytes(), FileType::Pdf),
        ("wniosek.docx", docx_bytes(), FileType::Docx),
        ("wniosek.odt", odt_bytes(), FileType::Odt),
        ("budżet.xlsx", xlsx_bytes(), FileType::Xlsx),
        ("budżet.ods", ods_bytes(), FileType::Ods),
        (
            "ogłoszenie.txt",
            "Zażółć gęślą jaźń.\r\nGodziny pracy: 8–16.\tTel. 12 345 67 89\n".as_bytes().to_vec(),
            FileType::Txt,
        ),
        ("bom.txt", "\u{FEFF}Ośrodek Pomocy Społecznej".as_bytes().to_vec(), FileType::Txt),
    ];
    for (name, bytes, expected) in cases {
        match check(name, &bytes) {
            Ok(t) => assert_eq!(t, expected, "{name}"),
            Err(e) => panic!("{name} refused: {e}"),
        }
    }
}

#[test]
fn png_named_pdf_is_an_extension_mismatch() {
    let png = png_bytes(&DynamicImage::ImageRgba8(logo(16, 16)));
    let refusal = refused(check("wniosek.pdf", &png), RefusalClass::Invalid, "extension_mismatch");
    assert!(refusal.to_string().starts_with("the file is a PNG image but its name ends in .pdf"), "{refusal}");
    let refusal = refused(check("wniosek", &png), RefusalClass::Invalid, "extension_mismatch");
    assert!(refusal.to_string().contains("no extension"), "{refusal}");
    refused(check("wniosek.txt", &pdf_bytes()), RefusalClass::Invalid, "extension_mismatch");
    refused(check("wniosek.odt", &docx_bytes()), RefusalClass::Invalid, "extension_mismatch");
    refused(check("notatka.md", b"# Notatka\n"), RefusalClass::Invalid, "extension_mismatch");
}

#[test]
fn svg_and_markup_are_refused() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>"#;
    let refusal = refused(check("logo.svg", svg), RefusalClass::UnsupportedType, "svg");
    assert_eq!(refusal.to_string(), "SVG images are not accepted: they can carry scripts; upload PNG or JPEG");
    // Named as text, with an XML prolog first: still an SVG.
    let svg = b"\n  <?xml version=\"1.0\"?>\n<SVG xmlns=\"http://www.w3.org/2000/svg\"/>";
    refused(check("logo.txt", svg), RefusalClass::UnsupportedType, "svg");

    let html = b"<!DOCTYPE html>\n<html><body><script>document.cookie</script></body></html>";
    refused(check("strona.txt", html), RefusalClass::UnsupportedType, "markup");
    refused(check("strona.txt", b"Tekst <ScRiPt src=x></script>"), RefusalClass::UnsupportedType, "markup");
}

#[test]
fn huge_dimensions_are_refused_without_decoding() {
    let png = huge_png_header(60_000, 60_000);
    let started = Instant::now();
    let refusal = refused(check("plan.png", &png), RefusalClass::Invalid, "too_many_pixels");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        refusal.to_string(),
        "the image is 60000 × 60000 pixels; at most 16384 per side and 50 megapixels are accepted"
    );
    // Under the side limit but over the area limit.
    refused(check("plan.png", &huge_png_header(10_000, 8_000)), RefusalClass::Invalid, "too_many_pixels");
}

#[test]
fn truncated_files_are_corrupt() {
    let jpeg = jpeg_bytes(&photo(200, 150), 90);
    let refusal = refused(check("foto.jpg", &jpeg[..jpeg.len() / 2]), RefusalClass::Invalid, "corrupt");
    assert!(refusal.to_string().starts_with("the file is not a complete JPEG image: "), "{refusal}");

    let png = png_bytes(&DynamicImage::ImageRgb8(photo(64, 64)));
    refused(check("foto.png", &png[..png.len() - 20]), RefusalClass::Invalid, "corrupt");

    let webp = webp_bytes(&DynamicImage::ImageRgb8(photo(64, 64)));
    refused(check("foto.webp", &webp[..webp.len() / 2]), RefusalClass::Invalid, "corrupt");

    let pdf = pdf_bytes();
    refused(check("wniosek.pdf", &pdf[..pdf.len() - 8]), RefusalClass::Invalid, "corrupt");

    let docx = docx_bytes();
    refused(check("wniosek.docx", &docx[..docx.len() / 2]), RefusalClass::Invalid, "corrupt");
}

#[test]
fn zip_bomb_is_refused() {
    // One 16 MiB entry of zeros deflates to about 16 KB: over 1 MiB and over 100:1.
    let started = Instant::now();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    writer.start_file("[Content_Types].xml", deflated).unwrap();
    writer.write_all(DOCX_CONTENT_TYPES).unwrap();
    writer.start_file("word/document.xml", deflated).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..16 {
        writer.write_all(&zeros).unwrap();
    }
    let bomb = writer.finish().unwrap().into_inner();
    assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
    let refusal = refused(check("wniosek.docx", &bomb), RefusalClass::Invalid, "compression_bomb");
    assert!(refusal.to_string().starts_with("the DOCX file holds an entry that would unpack to 16 MB"), "{refusal}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn zip_declaring_too_much_in_all_is_refused() {
    // Twenty entries of 600 KiB, each under the per-entry ratio rule, add up to more than ten times a
    // 1 MiB limit.
    let page = vec![b'a'; 600 * 1024];
    let names: Vec<String> = (0..20).map(|i| format!("word/media/part{i}.xml")).collect();
    let mut entries: Vec<(&str, &[u8])> =
        vec![("[Content_Types].xml", DOCX_CONTENT_TYPES), ("word/document.xml", b"<w:document/>")];
    entries.extend(names.iter().map(|n| (n.as_str(), page.as_slice())));
    let bomb = zip_bytes(&entries);
    let limits = Limits { max_bytes: 1024 * 1024, ..Limits::default() };
    let refusal = refused(check_with("wniosek.docx", &bomb, &limits), RefusalClass::Invalid, "compression_bomb");
    assert_eq!(refusal.to_string(), "the DOCX file would unpack to 11.7 MB (a compression bomb)");
    // The same file is fine under the default limit.
    assert_eq!(check("wniosek.docx", &bomb).unwrap(), FileType::Docx);
}

#[test]
fn zip_with_too_many_entries_is_refused() {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    writer.start_file("[Content_Types].xml", stored).unwrap();
    writer.write_all(DOCX_CONTENT_TYPES).unwrap();
    writer.start_file("word/document.xml", stored).unwrap();
    for i in 0..10_000 {
        writer.start_file(format!("word/media/{i}"), stored).unwrap();
    }
    let many = writer.finish().unwrap().into_inner();
    let refusal = refused(check("wniosek.docx", &many), RefusalClass::Invalid, "compression_bomb");
    assert_eq!(
        refusal.to_string(),
        "the ZIP file holds 10002 entries; at most 10000 are accepted (a compression bomb)"
    );
}

#[test]
fn macros_are_refused() {
    let docm = zip_bytes(&[
        ("[Content_Types].xml", DOCM_CONTENT_TYPES),
        ("word/document.xml", b"<w:document/>"),
        ("word/vbaProject.bin", b"\xD0\xCF\x11\xE0"),
    ]);
    let refusal = refused(check("wniosek.docx", &docm), RefusalClass::Invalid, "macros");
    assert!(refusal.to_string().starts_with("the DOCX file contains macros"), "{refusal}");
    // A .docm is refused for its macros, not for its name.
    refused(check("wniosek.docm", &docm), RefusalClass::Invalid, "macros");
    // A VBA project smuggled into a plain workbook.
    let xlsx = zip_bytes(&[
        ("[Content_Types].xml", XLSX_CONTENT_TYPES),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/vbaProject.bin", b"\xD0\xCF\x11\xE0"),
    ]);
    refused(check("budżet.xlsx", &xlsx), RefusalClass::Invalid, "macros");
    // LibreOffice Basic in an OpenDocument file.
    let odt = zip_bytes(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<office:document-content/>"),
        ("Basic/Standard/Module1.xml", b"<script:module/>"),
    ]);
    refused(check("wniosek.odt", &odt), RefusalClass::Invalid, "macros");
}

#[test]
fn other_types_are_unsupported() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let refusal = refused(check("plik.txt", &binary), RefusalClass::UnsupportedType, "unsupported_type");
    assert_eq!(
        refusal.to_string(),
        "file type not accepted: only JPEG, PNG, WebP, GIF, PDF, DOCX, ODT, XLSX, ODS, TXT, MP4 and WebM"
    );
    // An executable, a BMP and a plain ZIP archive.
    refused(check("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"), RefusalClass::UnsupportedType, "unsupported_type");
    refused(
        check("a.bmp", b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"),
        RefusalClass::UnsupportedType,
        "unsupported_type",
    );
    let archive = zip_bytes(&[("zdjecia/1.jpg", b"not really")]);
    refused(check("zdjecia.zip", &archive), RefusalClass::UnsupportedType, "archive");
    // A presentation is an office document of a type not accepted.
    let pptx = zip_bytes(&[("[Content_Types].xml", DOCX_CONTENT_TYPES), ("ppt/presentation.xml", b"<p/>")]);
    refused(check("prezentacja.pptx", &pptx), RefusalClass::UnsupportedType, "unsupported_type");
    let odp = zip_bytes(&[("mimetype", b"application/vnd.oasis.opendocument.presentation")]);
    refused(check("prezentacja.odp", &odp), RefusalClass::UnsupportedType, "unsupported_type");
}

#[test]
fn legacy_encodings_are_not_text() {
    // "Zażółć" in Windows-1250.
    let cp1250 = b"Za\xBF\xF3\xB3\xE6 g\xEA\x9Cl\xB9 ja\x9F\xF1";
    let refusal = refused(check("ogloszenie.txt", cp1250), RefusalClass::Invalid, "not_text");
    assert!(refusal.to_string().contains("save it as UTF-8"), "{refusal}");
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Tekst".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    refused(check("ogloszenie.txt", &utf16), RefusalClass::Invalid, "not_text");
}

#[test]
fn size_limits() {
    let limits = Limits { max_bytes: 100, ..Limits::default() };
    let refusal = refused(check_with("dlugi.txt", &[b'a'; 101], &limits), RefusalClass::TooLarge, "too_large");
    assert_eq!(refusal.to_string(), "the file is larger than the limit of 100 bytes");
    assert_eq!(check_with("krotki.txt", &[b'a'; 100], &limits).unwrap(), FileType::Txt);
    refused(check("pusty.txt", b""), RefusalClass::Invalid, "empty");
    assert_eq!(Limits::default().max_bytes, 25 * 1024 * 1024);
}

#[test]
fn classes_map_to_http_statuses() {
    assert_eq!(RefusalClass::UnsupportedType.http_status(), 415);
    assert_eq!(RefusalClass::TooLarge.http_status(), 413);
    assert_eq!(RefusalClass::Invalid.http_status(), 422);
    assert_eq!(RefusalClass::Internal.http_status(), 500);
}

#[test]
fn no_prefix_or_damage_makes_it_panic() {
    let photo = photo(24, 16);
    let logo = logo(24, 16);
    let samples: Vec<(&str, Vec<u8>)> = vec![
        ("a.jpg", with_exif(&jpeg_bytes(&photo, 90), 6)),
        ("a.png", png_bytes(&DynamicImage::ImageRgba8(logo.clone()))),
        ("a.gif", gif_bytes(&logo)),
        ("a.webp", webp_bytes(&DynamicImage::ImageRgba8(logo))),
        ("a.pdf", pdf_bytes()),
        ("a.docx", docx_bytes()),
        ("a.ods", ods_bytes()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();
    for (name, bytes) in &samples {
        let step = (bytes.len() / 60).max(1);
        for len in (1..bytes.len()).step_by(step) {
            let path = write(dir.path(), "upload.bin", &bytes[..len]);
            if let Ok(format) = inspect(&path, name, &limits) {
                if format.is_image() {
                    let _ = witryna_media::process_image(&path, format, &limits);
                }
            }
        }
        // Flipped bytes past the signature.
        for at in (16..bytes.len()).step_by(step) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xA5;
            let path = write(dir.path(), "upload.bin", &damaged);
            if let Ok(format) = inspect(&path, name, &limits) {
                if format.is_image() {
                    let _ = witryna_media::process_image(&path, format, &limits);
                }
            }
        }
    }
}

/// An MP4 of the given brand: `ftyp`, an empty `moov`, and an `mdat` of `media` bytes.
fn mp4_bytes(brand: &[u8; 4], media: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&20u32.to_be_bytes());
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(brand);
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(brand);
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(b"moov");
    out.extend_from_slice(&(8 + media as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend(std::iter::repeat_n(0x42, media));
    out
}

/// The EBML header of a WebM file (document type `webm`) and a little after it.
fn webm_bytes(doc_type: &[u8; 4]) -> Vec<u8> {
    let mut out = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84];
    out.extend_from_slice(doc_type);
    out.extend_from_slice(&[0x42, 0x87, 0x81, 0x04, 0x18, 0x53, 0x80, 0x67, 0x01, 0xFF]);
    out
}

/// Polish Sign Language recordings: MP4 and WebM videos are accepted as uploaded; a cut
/// MP4, one without its movie header, HEIC pictures and other Matroska files are not.
#[test]
fn videos_are_accepted_and_cut_ones_refused() {
    assert_eq!(check("pjm.mp4", &mp4_bytes(b"isom", 1000)).unwrap(), FileType::Mp4);
    assert_eq!(check("pjm.m4v", &mp4_bytes(b"M4V ", 10)).unwrap(), FileType::Mp4);
    assert_eq!(check("pjm.webm", &webm_bytes(b"webm")).unwrap(), FileType::WebM);
    assert!(FileType::Mp4.is_video() && !FileType::Mp4.is_image() && FileType::WebM.mime() == "video/webm");
    let whole = mp4_bytes(b"mp42", 1000);
    refused(check("pjm.mp4", &whole[..whole.len() - 10]), RefusalClass::Invalid, "corrupt");
    let mut no_movie = whole.clone();
    no_movie[24..28].copy_from_slice(b"free");
    refused(check("pjm.mp4", &no_movie), RefusalClass::Invalid, "corrupt");
    refused(check("zdjecie.mp4", &mp4_bytes(b"heic", 10)), RefusalClass::UnsupportedType, "unsupported_type");
    refused(check("film.webm", &webm_bytes(b"matr")), RefusalClass::UnsupportedType, "unsupported_type");
    refused(check("pjm.webm", &mp4_bytes(b"isom", 10)), RefusalClass::Invalid, "extension_mismatch");
}
