//! Money parsing never panics, and whatever parses prints back to the same amount.
#![no_main]
use libfuzzer_sys::fuzz_target;
use witryna_core::Money;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = text.parse::<Money>() {
            assert_eq!(m.to_string().parse::<Money>(), Ok(m), "{text:?}");
        }
    }
});
