//! `process_image`: metadata removal, orientation, variants and broken input.

mod common;

use common::*;
use image::{DynamicImage, GenericImageView};
use witryna_media::{inspect, process_image, Encoded, FileType, Limits, ProcessedImage, RefusalClass};

fn process(name: &str, bytes: &[u8]) -> ProcessedImage {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "upload.bin", bytes);
    let limits = Limits::default();
    let format = inspect(&path, name, &limits).unwrap();
    process_image(&path, format, &limits).unwrap()
}

#[track_caller]
fn decodes_as(encoded: &Encoded) -> DynamicImage {
    let format = match encoded.format {
        FileType::Jpeg => image::ImageFormat::Jpeg,
        FileType::Png => image::ImageFormat::Png,
        FileType::WebP => image::ImageFormat::WebP,
        other => panic!("unexpected output format {other:?}"),
    };
    let image = image::load_from_memory_with_format(&encoded.bytes, format).unwrap();
    assert_eq!(image.dimensions(), (encoded.width, encoded.height));
    image
}

fn all_outputs(processed: &ProcessedImage) -> impl Iterator<Item = &Encoded> {
    std::iter::once(&processed.full).chain(&processed.variants)
}

#[test]
fn exif_and_gps_are_removed() {
    let jpeg = with_exif(&jpeg_bytes(&photo(800, 600), 90), 1);
    assert!(contains(&jpeg, b"Exif\0\0"));
    assert!(contains(&jpeg, &[0x25, 0x88, 0x04, 0x00])); // the GPS IFD pointer entry
    assert!(contains(&jpeg, &GPS_LATITUDE));

    let processed = process("dom.jpg", &jpeg);
    assert_eq!(processed.full.format, FileType::Jpeg);
    assert_eq!((processed.full.width, processed.full.height), (800, 600));
    assert!(!processed.variants.is_empty());
    for output in all_outputs(&processed) {
        assert!(!contains(&output.bytes, b"Exif"), "{:?} {}", output.format, output.width);
        assert!(!contains(&output.bytes, &GPS_LATITUDE));
        assert!(!contains(&output.bytes, b"http://ns.adobe.com/xap/"));
        decodes_as(output);
    }
}

#[test]
fn exif_orientation_is_applied() {
    // 40 × 20, left half red and right half blue, stored with orientation 6 (rotate 90° clockwise).
    let mut stored = image::RgbImage::new(40, 20);
    for (x, _, p) in stored.enumerate_pixels_mut() {
        *p = if x < 20 { image::Rgb([220, 0, 0]) } else { image::Rgb([0, 0, 220]) };
    }
    let jpeg = with_exif(&jpeg_bytes(&stored, 95), 6);
    let processed = process("obrocone.jpg", &jpeg);
    assert_eq!((processed.full.width, processed.full.height), (20, 40));
    let upright = decodes_as(&processed.full).to_rgb8();
    // Rotated clockwise, the left (red) half is on top.
    let top = upright.get_pixel(10, 5);
    let bottom = upright.get_pixel(10, 35);
    assert!(top[0] > 150 && top[2] < 80, "{top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 80, "{bottom:?}");
    assert!(!contains(&processed.full.bytes, b"Exif"));
}

#[test]
fn variants_of_a_wide_photo() {
    let processed = process("festyn.jpg", &jpeg_bytes(&photo(2000, 1000), 85));
    assert_eq!((processed.full.width, processed.full.height), (2000, 1000));
    let jpegs: Vec<(u32, u32)> =
        processed.variants.iter().filter(|v| v.format == FileType::Jpeg).map(|v| (v.width, v.height)).collect();
    assert_eq!(jpegs, [(320, 160), (640, 320), (1280, 640)]);
    // Ordered by width, then format; a WebP only where it beat the JPEG.
    let order: Vec<(u32, FileType)> = processed.variants.iter().map(|v| (v.width, v.format)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    for pair in processed.variants.windows(2) {
        if pair[0].width == pair[1].width {
            assert!(pair[1].format == FileType::WebP && pair[1].bytes.len() < pair[0].bytes.len());
        }
    }
    for v in &processed.variants {
        decodes_as(v);
    }
}

#[test]
fn a_narrow_image_gets_only_the_smallest_variants() {
    let processed = process("portret.jpg", &jpeg_bytes(&photo(500, 700), 85));
    assert!(!processed.variants.is_empty());
    assert!(processed.variants.iter().all(|v| v.width == 320 && v.height == 448));
    assert!(processed.variants.iter().any(|v| v.format == FileType::Jpeg));
    // At most 320 wide: no variants at all.
    let processed = process("ikona.jpg", &jpeg_bytes(&photo(320, 200), 85));
    assert!(processed.variants.is_empty());
}

#[test]
fn transparent_images_keep_transparency() {
    let png = png_bytes(&DynamicImage::ImageRgba8(logo(800, 400)));
    let processed = process("logo.png", &png);
    assert_eq!(processed.full.format, FileType::Png);
    assert!(decodes_as(&processed.full).color().has_alpha());
    let widths: Vec<u32> = processed.variants.iter().filter(|v| v.format == FileType::Png).map(|v| v.width).collect();
    assert_eq!(widths, [320, 640]);
    assert!(processed.variants.iter().all(|v| v.format != FileType::Jpeg));
    for v in &processed.variants {
        let image = decodes_as(v);
        assert!(image.color().has_alpha());
        // The middle of a transparent square of the drawing (60, 20 of 800 × 400) stays transparent.
        let (x, y) = (60 * v.width / 800, 20 * v.height / 400);
        assert_eq!(image.to_rgba8().get_pixel(x, y)[3], 0, "{:?} {}", v.format, v.width);
    }
}

#[test]
fn gif_becomes_a_png_and_webp_stays_webp() {
    let processed = process("animacja.gif", &gif_bytes(&logo(400, 300)));
    assert_eq!(processed.full.format, FileType::Png);
    assert_eq!((processed.full.width, processed.full.height), (400, 300));
    decodes_as(&processed.full);

    let processed = process("grafika.webp", &webp_bytes(&DynamicImage::ImageRgb8(photo(360, 240))));
    assert_eq!(processed.full.format, FileType::WebP);
    assert_eq!((processed.full.width, processed.full.height), (360, 240));
    decodes_as(&processed.full);
    assert!(processed.variants.iter().any(|v| v.format == FileType::Jpeg && v.width == 320));
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let jpeg = jpeg_bytes(&photo(300, 200), 90);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "upload.bin", &jpeg[..jpeg.len() / 2]);
    let refusal = process_image(&path, FileType::Jpeg, &Limits::default()).unwrap_err();
    assert_eq!(refusal.code(), "corrupt");
    assert_eq!(refusal.class(), RefusalClass::Invalid);
}

#[test]
fn broken_image_data_is_corrupt_not_a_panic() {
    // A valid PNG structure whose compressed pixel data is garbage.
    let png = png_bytes(&DynamicImage::ImageRgb8(photo(64, 64)));
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    let mut broken = png.clone();
    for b in &mut broken[idat + 8..idat + 200] {
        *b ^= 0x5A;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "upload.bin", &broken);
    let refusal = process_image(&path, FileType::Png, &Limits::default()).unwrap_err();
    assert_eq!(refusal.code(), "corrupt", "{refusal}");

    // A header claiming more pixels than allowed is refused before decoding.
    let path = write(dir.path(), "huge.bin", &huge_png_header(20_000, 20_000));
    let refusal = process_image(&path, FileType::Png, &Limits::default()).unwrap_err();
    assert_eq!(refusal.code(), "too_many_pixels");
    // Not an image at all.
    let path = write(dir.path(), "doc.bin", &pdf_bytes());
    assert_eq!(process_image(&path, FileType::Pdf, &Limits::default()).unwrap_err().code(), "unsupported_type");
}
