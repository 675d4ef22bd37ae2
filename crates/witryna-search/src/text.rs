//! Text analysis per language: normal word forms, stems, fuzzy matching, snippets.
//!
//! Every item is analysed with its own locale's [`Language`]; a query is analysed with all
//! of them (see the crate root). The approach, and its limits:
//! - **Polish** (`pl`, and any locale without an analysis of its own).
//!   - *Folding.* Words are transliterated to ASCII and lower-cased (`deunicode`):
//!     „Społecznej” → `spolecznej`, „wózka” → `wozka`. Case and diacritics never matter.
//!   - *Prefix stems.* Polish inflects mostly at the end of a word, so the first
//!     [`STEM_LEN`] letters stand for the word: `integracja`, `integracji` → `integr`;
//!     `spoleczna`, `spolecznej` → `spolec`; `zawiercie`, `zawiercianskim` → `zawier`.
//!   - *Fuzzy stems.* Stems that still differ (alternations such as *wózek / wózka*,
//!     short words such as *pomoc / pomocy*) match within an edit distance of 1 (stems of
//!     4 letters) or 2 (5 or more letters); stems of 3 letters or fewer must match exactly.
//!   - *Limits.* Prefix stems join some unrelated words that share 6 letters
//!     (*program* / *programista*) and miss stem changes early in a word (*pies* / *psa*);
//!     fuzzy matching can join short unrelated words. Exact-word matches are ranked above
//!     such partial ones, which keeps the best results first.
//! - **English** (`en`). Words are folded like Polish ones (so Polish names in English
//!   text match without diacritics) and stemmed with the Snowball English stemmer
//!   (tantivy's `stemmer` feature): *supporting*, *supports* → `support`. The stemmer
//!   already joins the forms, so fuzziness only forgives one typo in stems of 5 letters or
//!   more. Limit: irregular forms (*children* / *child*) stay apart.
//! - **Ukrainian** (`uk`). Words are lower-cased and kept in Cyrillic (no
//!   transliteration, every letter kept: ґ is not г). The apostrophe inside a word, written
//!   as ʼ (U+02BC), ’ (U+2019), ' (U+0027) or ` (U+0060), is folded to ʼ, so „сімʼя”,
//!   „сім’я” and „сім'я” are one word; quotes around a word are not part of it. Ukrainian
//!   inflects at the end of a word like Polish, so it gets the same prefix stems and fuzzy
//!   distances, counted in letters. Limits: as for Polish; a letter written decomposed
//!   (и + U+0306 for й) or with a stress mark splits the word.

use std::borrow::Cow;

use tantivy::tokenizer::{RawTokenizer, Stemmer, TextAnalyzer};
use witryna_core::content::escape_markup;

/// Letters that make a prefix stem (Polish, Ukrainian).
pub const STEM_LEN: usize = 6;

/// The one form a Ukrainian apostrophe is indexed in (U+02BC MODIFIER LETTER APOSTROPHE,
/// the orthographic one; it is a letter, so it never splits a word).
pub const APOSTROPHE: char = '\u{2BC}';

/// Whether a character is one of the apostrophe forms folded to [`APOSTROPHE`].
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2BC}' | '\u{2019}' | '\'' | '`')
}

/// The analysis a text gets, chosen by the locale of its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Folded to ASCII, prefix stems.
    Polish,
    /// Folded to ASCII, Snowball stems.
    English,
    /// Lower-cased Cyrillic, one apostrophe form, prefix stems.
    Ukrainian,
}

impl Language {
    /// Every analysis, in the order of [`Language::index`].
    pub const ALL: [Language; 3] = [Language::Polish, Language::English, Language::Ukrainian];

    /// The analysis of a locale code (`en`, `uk`); Polish for `pl` and for any other.
    pub fn of(locale: &str) -> Self {
        match locale {
            "en" => Language::English,
            "uk" => Language::Ukrainian,
            _ => Language::Polish,
        }
    }

    /// The locale code this analysis is named after.
    pub fn code(self) -> &'static str {
        match self {
            Language::Polish => "pl",
            Language::English => "en",
            Language::Ukrainian => "uk",
        }
    }

    /// Position in [`Language::ALL`] (for tables indexed by language).
    pub fn index(self) -> usize {
        // The variants are declared in the order of `ALL`.
        self as usize
    }

    /// The normal form of one token of text (punctuation around it dropped).
    pub fn normal(self, token: &str) -> String {
        match self {
            Language::Polish | Language::English => fold(token),
            Language::Ukrainian => {
                let word = token.trim_matches(|c: char| !c.is_alphanumeric());
                word.chars()
                    .filter(|c| c.is_alphanumeric() || is_apostrophe(*c))
                    .map(|c| if is_apostrophe(c) { APOSTROPHE } else { c })
                    .flat_map(char::to_lowercase)
                    .collect()
            }
        }
    }

    /// The words of a text in normal form, in order (at least 2 letters each).
    pub fn words(self, text: &str) -> Vec<String> {
        // Ukrainian keeps apostrophes inside words; elsewhere they split words as any
        // other punctuation does.
        let in_word = |c: char| c.is_alphanumeric() || (self == Language::Ukrainian && is_apostrophe(c));
        text.split(|c: char| !in_word(c)).map(|t| self.normal(t)).filter(|w| w.chars().count() >= 2).collect()
    }

    /// The stem of a word in normal form.
    pub fn stem(self, word: &str) -> Cow<'_, str> {
        match self {
            Language::Polish | Language::Ukrainian => {
                let end = word.char_indices().nth(STEM_LEN).map_or(word.len(), |(i, _)| i);
                Cow::Borrowed(&word[..end])
            }
            Language::English => Cow::Owned(english_stem(word)),
        }
    }

    /// The stems of a text's words, space-separated (what a stems field holds).
    pub fn stems(self, text: &str) -> String {
        self.words(text).iter().map(|w| self.stem(w)).collect::<Vec<_>>().join(" ")
    }

    /// How far a query stem may be from an indexed one.
    pub fn distance(self, stem: &str) -> u8 {
        match (self, stem.chars().count()) {
            (Language::English, 0..=4) => 0,
            (Language::English, _) => 1,
            (_, 0..=3) => 0,
            (_, 4) => 1,
            _ => 2,
        }
    }

    /// Whether an indexed word matches a query word (both in normal form), by the rule the
    /// index query applies.
    pub fn matches(self, query_word: &str, word: &str) -> bool {
        self.stems_meet(&self.stem(query_word), &self.stem(word))
    }

    /// Whether an indexed stem matches a query stem.
    fn stems_meet(self, query_stem: &str, stem: &str) -> bool {
        query_stem == stem || edit_distance(query_stem, stem) <= usize::from(self.distance(query_stem))
    }
}

/// The Snowball English stem of a lower-case word, through tantivy's stemmer filter (the
/// analysis runs here, not in a tantivy tokenizer, so indexing, querying and snippets
/// share it).
fn english_stem(word: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(tantivy::tokenizer::Language::English))
        .build();
    let mut stream = analyzer.token_stream(word);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        word.to_owned()
    }
}

/// Lower-case ASCII form of a word.
pub fn fold(word: &str) -> String {
    deunicode::deunicode(word).to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
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

/// An HTML excerpt of about `width` words around the first match, text escaped and the
/// matched words in `<mark>`. `query_words` are in `language`'s normal form.
pub fn snippet(text: &str, language: Language, query_words: &[String], width: usize) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    // Query stems once, not per token (an English stem runs the stemmer).
    let query_stems: Vec<Cow<'_, str>> = query_words.iter().map(|q| language.stem(q)).collect();
    let hit = |t: &str| {
        let w = language.normal(t);
        let stem = language.stem(&w);
        !w.is_empty() && query_stems.iter().any(|q| language.stems_meet(q, &stem))
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

    const PL: Language = Language::Polish;
    const EN: Language = Language::English;
    const UK: Language = Language::Ukrainian;

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
            assert!(PL.matches(&fold(q), &fold(w)), "{q} ~ {w}");
        }
        assert!(!PL.matches("kot", "kit"));
        assert_eq!(fold("Społecznej"), "spolecznej");
        assert_eq!(fold("WÓZKA"), "wozka");
        assert_eq!(edit_distance("wozek", "wozka"), 2);
        assert_eq!(PL.words("Pomoc społeczna, e-mail: x"), ["pomoc", "spoleczna", "mail"]);
        assert_eq!(Language::of(""), PL);
        assert_eq!(Language::of("de"), PL);
    }

    #[test]
    fn english_words_are_stemmed() {
        assert_eq!(EN.stems("Supporting families; SUPPORTS, supported."), "support famili support support");
        assert!(EN.matches("supporting", "support"));
        assert!(EN.matches("suport", "support"), "one typo");
        assert!(!EN.matches("sport", "support"), "not two");
        assert_eq!(EN.words("Zawierciański"), ["zawiercianski"]);
    }

    #[test]
    fn ukrainian_keeps_cyrillic_and_folds_apostrophes() {
        for form in ["сімʼя", "сім’я", "сім'я", "сім`я", "СІМ'Я", "«Сім’я»"] {
            assert_eq!(UK.words(form), ["сім\u{2BC}я"], "{form}");
        }
        assert_eq!(UK.words("'м'ята' ґанок"), ["м\u{2BC}ята", "ґанок"], "quotes are not apostrophes; ґ stays");
        assert_eq!(UK.stem("підтримка"), "підтри");
        assert!(UK.matches("підтримка", "підтримки"));
        assert!(UK.matches(&UK.normal("сім'я"), &UK.normal("сімʼї")));
    }

    #[test]
    fn snippets_mark_and_escape() {
        let s =
            snippet("Szkolenie: magazynier z obsługą wózka widłowego <b>.", PL, &[fold("wozek"), fold("widlowy")], 30);
        assert_eq!(s, "Szkolenie: magazynier z obsługą <mark>wózka</mark> <mark>widłowego</mark> &lt;b&gt;.");
        let s = snippet("Допомога для сім’ї.", UK, &UK.words("сімʼї"), 30);
        assert_eq!(s, "Допомога для <mark>сім’ї</mark>.");
        let s = snippet("We are supporting families.", EN, &EN.words("support"), 30);
        assert_eq!(s, "We are <mark>supporting</mark> families.");
    }
}
