//! The one function that turns titles into URL slugs.

/// Longest slug produced from a title; longer ones are cut at a word boundary.
pub const MAX_SLUG_LEN: usize = 80;

/// Turns a (Polish) title into a URL slug: ASCII, lower case, words joined by `-`.
///
/// „Równi na starcie” → `rowni-na-starcie`, „Aktywni w KIS” → `aktywni-w-kis`.
/// Returns an empty string when nothing sluggable is left (e.g. only punctuation); the
/// [`Cms`](crate::Cms) reports that as a validation error on `slug`.
///
/// A slug never reads as an item id: frontends take `{key}` as an id when it parses as one,
/// so a title such as `01a21315-afe7-…` gets `-1` (which no `-2`, `-3` candidate makes).
pub fn slugify(text: &str) -> String {
    let mut s = slug::slugify(text);
    if s.len() > MAX_SLUG_LEN {
        let cut = s[..=MAX_SLUG_LEN].rfind('-').unwrap_or(MAX_SLUG_LEN);
        s.truncate(cut);
    }
    if s.parse::<crate::Id>().is_ok() {
        s.push_str("-1");
    }
    s
}

/// The `n`-th candidate for a base slug: `base` first, then `base-2`, `base-3`, ...
pub fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_titles() {
        assert_eq!(slugify("„Równi na starcie”"), "rowni-na-starcie");
        assert_eq!(slugify("Aktywni w KIS"), "aktywni-w-kis");
        assert_eq!(slugify("Dzienny Dom \"Senior+\""), "dzienny-dom-senior");
        assert_eq!(slugify("Żółć, gęślą jaźń!"), "zolc-gesla-jazn");
        assert_eq!(slugify("  ??? "), "");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let title = "Współpraca Miejskiego Ośrodka Pomocy Społecznej z innymi podmiotami w rozwiązywaniu problemów społecznych mieszkańców Kalisza";
        let s = slugify(title);
        assert!(s.len() <= MAX_SLUG_LEN, "{s}");
        assert!(!s.ends_with('-'));
        assert!(s.starts_with("wspolpraca-miejskiego-osrodka"));
    }

    #[test]
    fn a_slug_never_reads_as_an_id() {
        let id = crate::Id::new();
        for text in [id.to_string(), id.0.simple().to_string(), id.to_string().to_uppercase()] {
            let s = slugify(&text);
            assert!(s.parse::<crate::Id>().is_err(), "{s}");
            assert!(s.ends_with("-1"), "{s}");
        }
    }

    #[test]
    fn candidates() {
        assert_eq!(candidate("a", 1), "a");
        assert_eq!(candidate("a", 3), "a-3");
    }
}
