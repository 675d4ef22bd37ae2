//! Slugs are always short, lower-case ASCII letters, digits and single hyphens.
#![no_main]
use libfuzzer_sys::fuzz_target;
use witryna_core::slugs::{slugify, MAX_SLUG_LEN};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let slug = slugify(&text);
    assert!(slug.len() <= MAX_SLUG_LEN, "{slug:?}");
    assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{slug:?}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug:?}");
});
