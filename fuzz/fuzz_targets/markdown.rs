//! Rendering plus sanitizing never panics and never lets a script element, an event
//! handler attribute or a `javascript:` URL into the HTML. (Such words as escaped text, or
//! inside a relative URL, are harmless and allowed.)
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let html = witryna_site::render_markdown(&text).to_ascii_lowercase();
    for tag in html.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or(rest)) {
        assert!(!tag.starts_with("script") && !tag.starts_with("iframe"), "<{tag}>");
        // Split into attribute names (outside quotes) and values (inside quotes).
        let parts: Vec<&str> = tag.split('"').collect();
        for (i, part) in parts.iter().enumerate() {
            if i % 2 == 0 {
                for name in part.split_whitespace().skip(usize::from(i == 0)) {
                    assert!(!(name.starts_with("on") && name.contains('=')), "<{tag}>");
                }
            } else {
                let name = parts[i - 1].trim_end().trim_end_matches('=').rsplit(' ').next().unwrap_or("");
                if name == "href" || name == "src" {
                    let value: String = part.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                    assert!(!value.starts_with("javascript:"), "<{tag}>");
                }
            }
        }
    }
});
