//! Re-encoding accepted images without metadata, and responsive variants.
//!
//! [`process_image`] decodes an image that [`inspect`](crate::inspect) accepted, turns it upright by its
//! Exif orientation and encodes it again. Re-encoding writes pixels only, so EXIF (camera, time, **GPS
//! position**), XMP and ICC metadata of the upload are gone: photos of clients' homes must not tell where
//! they were taken. Colours of wide-gamut photos are read as sRGB once the ICC profile is dropped.
//!
//! # Variants
//!
//! For every width in [`VARIANT_WIDTHS`] smaller than the image, a copy is scaled to that width
//! (Lanczos3, aspect ratio kept; each smaller variant is scaled from the next larger one, which keeps
//! big photos fast) and encoded twice:
//!
//! - as **JPEG** (quality 80) when the image is opaque, or as **PNG** when any pixel is transparent:
//!   compositing logos on white would leave a white box on the dark parts of a site, so transparency is
//!   kept instead;
//! - as **WebP**, kept only when it is smaller than the JPEG or PNG of the same width.
//!
//! The WebP encoder is `image`'s, which is lossless only. No pure-Rust lossy WebP encoder was found that
//! is well kept and licensed for this project (checked on crates.io: `zenwebp` 0.4 is AGPL-3.0,
//! `webp-rust` 0.3 and `webpkit` 0.1 are young single-author crates; `image-webp` 0.2 encodes lossless only; the
//! `webp` crate binds the C libwebp). Lossless WebP cannot compete with JPEG on photos, but beats PNG on
//! flat graphics and sometimes JPEG on diagrams. Measured with `examples/measure.rs` (sizes in kB of
//! 1000 bytes):
//!
//! | input | width | JPEG q80 or PNG | lossless WebP | kept |
//! | --- | --- | --- | --- | --- |
//! | generated photo-like 4000×3000 | 1280 | 75.1 JPEG | 1052.7 | JPEG |
//! | generated photo-like 4000×3000 | 320 | 7.6 JPEG | 83.0 | JPEG |
//! | real photo 720×477 | 640 | 103.6 JPEG | 564.5 | JPEG |
//! | real photo 720×477 | 320 | 34.3 JPEG | 154.9 | JPEG |
//! | generated logo 1600×900, transparent | 1280 | 27.4 PNG | 20.4 | PNG + WebP |
//! | generated logo 1600×900, transparent | 320 | 7.1 PNG | 6.4 | PNG + WebP |
//! | real diagram 1629×927, opaque PNG | 1280 | 121.7 JPEG | 88.9 | JPEG + WebP |
//! | real diagram 1629×927, opaque PNG | 320 | 12.5 JPEG | 14.9 | JPEG |
//!
//! (For comparison, libwebp's lossy `cwebp -q 80` makes the 640-wide photo 58.7 kB: a lossy encoder
//! would save about 40 % on photos.)
//!
//! So for photos the variants are JPEG only, and for logos, charts and screenshots a WebP usually joins
//! the PNG or JPEG. If a maintained lossy encoder appears, only `encode_webp` here needs to change.
//!
//! A 4000×3000 photo is checked, decoded, re-encoded and scaled in about 1.5–2 s (release build, one
//! core).
//!
//! # Safety against hostile files
//!
//! The header is checked against [`Limits`] before anything is decoded, the decoder runs with
//! `image::Limits` (sides at most [`Limits::max_side`], allocations at most 512 MiB) and inside
//! [`std::panic::catch_unwind`], so a lying header or a decoder bug ends in a [`Refusal`], not in a crash.

use std::fs::File;
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::error::LimitErrorKind;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use crate::check::{Limits, Refusal};
use crate::sniff::{self, FileType};

/// The widths of the responsive variants, in pixels.
pub const VARIANT_WIDTHS: [u32; 3] = [320, 640, 1280];

/// JPEG quality of the full-size copy of a JPEG upload.
const FULL_JPEG_QUALITY: u8 = 85;

/// JPEG quality of the variants.
const VARIANT_JPEG_QUALITY: u8 = 80;

/// The most the decoder may allocate.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// One encoded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The format of [`bytes`](Self::bytes): JPEG, PNG or WebP.
    pub format: FileType,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The encoded file, without any metadata.
    pub bytes: Vec<u8>,
}

/// The result of [`process_image`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// The whole image, upright, re-encoded without metadata: JPEG stays JPEG (quality 85), PNG stays
    /// PNG (at 8 bits per channel), a GIF becomes a PNG of its first frame (animation is not kept), and
    /// WebP stays WebP, encoded losslessly, except that an opaque *lossy* WebP becomes a JPEG (quality 85)
    /// when that is smaller, as it nearly always is: lossless re-encoding made a 77 kB lossy photo 599 kB,
    /// the JPEG 129 kB. Check [`Encoded::format`] rather than assuming the upload's format.
    pub full: Encoded,
    /// Scaled copies for `srcset`, ordered by width and then by format (JPEG, PNG, WebP); empty when the
    /// image is at most 320 pixels wide. See the [module documentation](self) for which formats appear.
    pub variants: Vec<Encoded>,
}

/// Decodes the image at `path` (of the given `format`, as returned by [`inspect`](crate::inspect)),
/// applies its Exif orientation and re-encodes it without metadata, with variants for every width in
/// [`VARIANT_WIDTHS`] smaller than its own.
///
/// Refuses (with [`Refusal::TooManyPixels`]) images over the [`Limits`] before decoding them, and with
/// [`Refusal::Corrupt`] images that cannot be decoded. Any `format` that is not an image is refused with
/// [`Refusal::UnsupportedType`].
pub fn process_image(path: &Path, format: FileType, limits: &Limits) -> Result<ProcessedImage, Refusal> {
    let image_format = match format {
        FileType::Jpeg => ImageFormat::Jpeg,
        FileType::Png => ImageFormat::Png,
        FileType::WebP => ImageFormat::WebP,
        FileType::Gif => ImageFormat::Gif,
        _ => return Err(Refusal::UnsupportedType),
    };
    let (width, height) = sniff::image_dimensions(path, format)?;
    sniff::check_pixels(width, height, limits)?;
    let lossy_webp = format == FileType::WebP && sniff::webp_is_lossy(path)?;

    let work = || -> Result<ProcessedImage, Refusal> {
        let image = decode(path, format, image_format, (width, height), limits)?;
        let image = normalise(image);
        let full = encode_full(&image, format, lossy_webp)?;
        let variants = make_variants(&image)?;
        Ok(ProcessedImage { full, variants })
    };
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(_) => Err(Refusal::Corrupt { what: format.noun(), detail: "the image decoder failed on it".into() }),
    }
}

fn decode(
    path: &Path,
    format: FileType,
    image_format: ImageFormat,
    (width, height): (u32, u32),
    limits: &Limits,
) -> Result<DynamicImage, Refusal> {
    let corrupt = |e: ImageError| match e {
        ImageError::Limits(l)
            if matches!(l.kind(), LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory) =>
        {
            Refusal::TooManyPixels { width, height, max_side: limits.max_side, max_pixels: limits.max_pixels }
        }
        ImageError::IoError(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => Refusal::Io(e),
        e => Refusal::Corrupt { what: format.noun(), detail: format!("it cannot be decoded ({e})") },
    };
    let reader = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut reader = ImageReader::with_format(reader, image_format);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_side);
    image_limits.max_image_height = Some(limits.max_side);
    image_limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    // The decoder's own reading of the header must pass too.
    let (decoded_width, decoded_height) = decoder.dimensions();
    sniff::check_pixels(decoded_width, decoded_height, limits)?;
    if decoder.total_bytes() > MAX_DECODE_ALLOC {
        return Err(Refusal::TooManyPixels { width, height, max_side: limits.max_side, max_pixels: limits.max_pixels });
    }
    // A broken Exif block only costs the orientation, not the image.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Converts to 8 bits per channel, dropping an alpha channel that is opaque everywhere.
fn normalise(image: DynamicImage) -> DynamicImage {
    let gray = !image.color().has_color();
    if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        let opaque = rgba.pixels().all(|p| p.0[3] == u8::MAX);
        match (opaque, gray) {
            (true, true) => DynamicImage::ImageRgba8(rgba).into_luma8().into(),
            (true, false) => DynamicImage::ImageRgba8(rgba).into_rgb8().into(),
            (false, true) => DynamicImage::ImageRgba8(rgba).into_luma_alpha8().into(),
            (false, false) => rgba.into(),
        }
    } else if gray {
        image.into_luma8().into()
    } else {
        image.into_rgb8().into()
    }
}

fn encoding_failed(e: ImageError) -> Refusal {
    Refusal::Io(std::io::Error::other(format!("encoding failed: {e}")))
}

fn encode_full(image: &DynamicImage, format: FileType, lossy_webp: bool) -> Result<Encoded, Refusal> {
    match format {
        FileType::Jpeg if !image.color().has_alpha() => encode_jpeg(image, FULL_JPEG_QUALITY),
        FileType::WebP => {
            let webp = encode_webp(image)?;
            // Lossless re-encoding multiplies the size of a lossy upload (about eight times for a photo);
            // an opaque one becomes a JPEG when that is smaller.
            if lossy_webp && !image.color().has_alpha() {
                let jpeg = encode_jpeg(image, FULL_JPEG_QUALITY)?;
                if jpeg.bytes.len() < webp.bytes.len() {
                    return Ok(jpeg);
                }
            }
            Ok(webp)
        }
        // PNG, GIF (first frame) and the impossible JPEG with alpha.
        _ => encode_png(image),
    }
}

fn encoded(image: &DynamicImage, format: FileType, bytes: Vec<u8>) -> Encoded {
    Encoded { format, width: image.width(), height: image.height(), bytes }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Encoded, Refusal> {
    let mut bytes = Vec::new();
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality)).map_err(encoding_failed)?;
    Ok(encoded(image, FileType::Jpeg, bytes))
}

fn encode_png(image: &DynamicImage) -> Result<Encoded, Refusal> {
    let mut bytes = Vec::new();
    let encoder = PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, PngFilter::Adaptive);
    image.write_with_encoder(encoder).map_err(encoding_failed)?;
    Ok(encoded(image, FileType::Png, bytes))
}

/// Lossless WebP: the only kind `image` can write (see the module documentation).
fn encode_webp(image: &DynamicImage) -> Result<Encoded, Refusal> {
    let mut bytes = Vec::new();
    image.write_with_encoder(WebPEncoder::new_lossless(&mut bytes)).map_err(encoding_failed)?;
    Ok(encoded(image, FileType::WebP, bytes))
}

fn make_variants(image: &DynamicImage) -> Result<Vec<Encoded>, Refusal> {
    let transparent = image.color().has_alpha();
    let mut variants = Vec::new();
    // Largest first, each scaled from the previous one.
    let mut previous: Option<DynamicImage> = None;
    for &width in VARIANT_WIDTHS.iter().rev().filter(|&&w| w < image.width()) {
        let height = scaled_height(image.width(), image.height(), width);
        let source = previous.as_ref().unwrap_or(image);
        let scaled = source.resize_exact(width, height, FilterType::Lanczos3);
        let main = if transparent { encode_png(&scaled)? } else { encode_jpeg(&scaled, VARIANT_JPEG_QUALITY)? };
        let webp = encode_webp(&scaled)?;
        if webp.bytes.len() < main.bytes.len() {
            variants.push(webp);
        }
        variants.push(main);
        previous = Some(scaled);
    }
    variants.sort_by_key(|v| (v.width, v.format));
    Ok(variants)
}

/// The height that keeps the aspect ratio at `width`, rounded, at least 1.
fn scaled_height(full_width: u32, full_height: u32, width: u32) -> u32 {
    let h = (u64::from(full_height) * u64::from(width) + u64::from(full_width) / 2) / u64::from(full_width);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_keep_the_aspect_ratio() {
        assert_eq!(scaled_height(2000, 1000, 320), 160);
        assert_eq!(scaled_height(4000, 3000, 1280), 960);
        assert_eq!(scaled_height(10000, 3, 320), 1);
        assert_eq!(scaled_height(333, 500, 320), 480);
    }
}
