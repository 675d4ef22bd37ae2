//! Polish-aware text handling: folding, prefix stems, snippets.
//!
//! The approach, and its limits:
//! - **Folding.** Words are transliterated to ASCII and lower-cased (`deunicode`):
//!   „Społecznej” → `spolecznej`, „wózka” → `wozka`. Case and diacritics never matter.
//! - **Prefix stems.** Polish inflects mostly at the end of a word, so the first
//!   [`STEM_LEN`] letters stand for the word: `integracja`, `integracji` → `integr`;
//!   `spoleczna`, `spolecznej` → `spolec`; `zawiercie`, `zawiercianskim` → `zawier`.
//! - **Fuzzy stems.** Stems that still differ (alternations such as *wózek / wózka*,
//!   short words such as *pomoc / pomocy*) match within an edit distance of 1 (stems of 4
//!   letters) or 2 (5 or more letters); stems of 3 letters or fewer must match exactly.
//! - **Limits.** Prefix stems join some unrelated words that share 6 letters
//!   (*program* / *programista*) and miss stem changes early in a word (*pies* / *psa*);
//!   fuzzy matching can join short unrelated words. Exact-word matches are ranked above
//!   such partial ones, which keeps the best results first.

use witryna_core::content::escape_markup;

/// Letters that make a stem.
pub const STEM_LEN: usize = 6;

/// Lower-case ASCII form of a word.
pub fn fold(word: &str) -> String {
    deunicode::deunicode(word).to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The words of a text, folded, in order (at least 2 characters each).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).map(fold).filter(|w| w.len() >= 2).collect()
}

/// The stem of a folded word.
pub fn stem(word: &str) -> &str {
    &word[..word.len().min(STEM_LEN)]
}

/// How far a query stem may be from an indexed one.
pub fn distance_for(stem: &str) -> u8 {
    match stem.len() {
        0..=3 => 0,
        4 => 1,
        _ => 2,
    }
}

/// Levenshtein distance with adjacent transpositions costing one (as the index matches).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Whether an indexed word matches a query word (same rule as the index query).
pub fn matches(query_word: &str, word: &str) -> bool {
    let (qs, ws) = (stem(query_word), stem(word));
    qs == ws || edit_distance(qs, ws) <= usize::from(distance_for(qs))
}

/// An HTML excerpt of about `width` words around the first match, text escaped and the
/// matched words in `<mark>`.
pub fn snippet(text: &str, query_words: &[String], width: usize) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let hit = |t: &str| {
        let w = fold(t);
        !w.is_empty() && query_words.iter().any(|q| matches(q, &w))
    };
    let first = tokens.iter().position(|t| hit(t)).unwrap_or(0);
    let start = first.saturating_sub(width / 3);
    let end = (start + width).min(tokens.len());
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    for (i, t) in tokens[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if hit(t) {
            // Mark the word itself, not the punctuation around it.
            let begin = t.find(char::is_alphanumeric).unwrap_or(0);
            let stop =
                t.rfind(char::is_alphanumeric).map_or(t.len(), |i| i + t[i..].chars().next().map_or(1, char::len_utf8));
            escape_markup(&t[..begin], &mut out);
            out.push_str("<mark>");
            escape_markup(&t[begin..stop], &mut out);
            out.push_str("</mark>");
            escape_markup(&t[stop..], &mut out);
        } else {
            escape_markup(t, &mut out);
        }
    }
    if end < tokens.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_forms_meet() {
        for (q, w) in [
            ("pomoc", "pomocy"),
            ("spoleczna", "spolecznej"),
            ("wozek", "wozka"),
            ("widlowy", "widlowego"),
            ("integracja", "integracji"),
            ("zawiercie", "zawiercianskim"),
        ] {
            assert!(matches(&fold(q), &fold(w)), "{q} ~ {w}");
        }
        assert!(!matches("kot", "kit"));
        assert_eq!(fold("Społecznej"), "spolecznej");
        assert_eq!(fold("WÓZKA"), "wozka");
        assert_eq!(edit_distance("wozek", "wozka"), 2);
    }

    #[test]
    fn snippets_mark_and_escape() {
        let s = snippet("Szkolenie: magazynier z obsługą wózka widłowego <b>.", &[fold("wozek"), fold("widlowy")], 30);
        assert_eq!(s, "Szkolenie: magazynier z obsługą <mark>wózka</mark> <mark>widłowego</mark> &lt;b&gt;.");
    }
}
