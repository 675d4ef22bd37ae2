//! # witryna-search
//!
//! Polish-aware full-text search for Witryna on [tantivy]: a derived index of the
//! published items of every searched kind in the registry (news, programmes, units, pages,
//! an integrator's own), kept current by the [`Cms`] (every write is applied before it
//! returns) and rebuildable from the store at any time.
//!
//! ```no_run
//! # async fn run(store: witryna_core::DynStore) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use witryna_core::{search::SearchQuery, Cms};
//! use witryna_search::TantivyIndex;
//!
//! let index = Arc::new(TantivyIndex::open("./witryna-data/search")?);
//! let cms = Cms::new(store).with_search(index);
//! cms.rebuild_derived(&|_| {}).await?;
//! let found = cms.search(SearchQuery { text: "pomoc spoleczna".into(), ..Default::default() }).await?;
//! # Ok(()) }
//! ```
//!
//! # Languages
//!
//! Each item's text is analysed by its locale's [`text::Language`] (Polish folding and
//! prefix stems for `pl` and unknown locales, Snowball stems for `en`, lower-cased Cyrillic
//! with one apostrophe form for `uk`) into that language's own set of fields. A query is
//! read by every analysis, each reading against its language's fields, so a reader finds
//! items of any language; the reader's locale ([`SearchQuery::locale`]) only orders the
//! results: every hit in it (best first) before every other hit (best first). How words
//! are matched in each language, and the limits of it: see [`text`].
//!
//! [`Cms`]: witryna_core::Cms

pub mod text;
mod unsynced;

use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{
    doc, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, SegmentReader, TantivyDocument, Term,
};
use witryna_core::events::{Change, ChangeEvent, DerivedError, DerivedIndex};
use witryna_core::kinds::Kinds;
use witryna_core::locales::POLISH;
use witryna_core::record::{Id, Meta, Status};
use witryna_core::search::{SearchError, SearchHit, SearchIndex, SearchQuery, SearchResults};
use witryna_core::store::Store;

use crate::text::Language;

/// Memory for tantivy's indexing threads. A smaller budget (tantivy's minimum, 15 MB on
/// one thread) made each commit's new term table smaller and live writes faster, but
/// a rebuild then wrote many more segments and searches at 100 000 items took 1.5–1.9 times as
/// long (BENCHMARKS.md, issue 16): kept at 64 MB.
const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// Words a query may have (more are ignored), in each language's reading.
const MAX_QUERY_WORDS: usize = 16;
/// The layout of an index folder: its schema and the analysis of its text. Bump it with
/// any change to either, so that [`TantivyIndex::open`] replaces an index of another
/// layout by an empty one (the index is derived data; `witryna serve` rebuilds an empty
/// index from the store at start). Layouts: `1` (no [`LAYOUT_FILE`]) one Polish field set;
/// `2` a field set per [`Language`] and the item's locale.
const LAYOUT: &str = "2";
/// The file in the index folder that names its [`LAYOUT`].
const LAYOUT_FILE: &str = "witryna-layout";
/// Name of the locale field (a fast field: results are ordered by it).
const LOCALE: &str = "locale";

/// One language's indexed text: stems of title / lead / body and full words of title and
/// body (lead and body), each analysed by that language.
#[derive(Clone, Copy)]
struct TextFields {
    stems_title: Field,
    stems_lead: Field,
    stems_body: Field,
    words_title: Field,
    words_body: Field,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    locale: Field,
    slug: Field,
    title: Field,
    text: Field,
    publish_at: Field,
    tag: Field,
    /// By [`Language::index`]; an item fills only its own language's set.
    text_of: [TextFields; Language::ALL.len()],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("ws").set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        locale: b.add_text_field(LOCALE, STRING | STORED | FAST),
        slug: b.add_text_field("slug", STORED),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        publish_at: b.add_i64_field("publish_at", INDEXED | STORED | FAST),
        tag: b.add_text_field("tag", STRING),
        text_of: Language::ALL.map(|language| {
            let mut add = |name: &str| b.add_text_field(&format!("{name}_{}", language.code()), words.clone());
            TextFields {
                stems_title: add("stems_title"),
                stems_lead: add("stems_lead"),
                stems_body: add("stems_body"),
                words_title: add("words_title"),
                words_body: add("words_body"),
            }
        }),
    };
    (b.build(), fields)
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError(e.to_string())
}

/// The locale an item or a reader is in: the code, `pl` when empty.
fn locale_code(locale: &str) -> String {
    let code = locale.trim().to_lowercase();
    if code.is_empty() {
        POLISH.code.to_owned()
    } else {
        code
    }
}

/// Empties an index folder (it is derived data: the store rebuilds it).
fn reset(path: &Path) -> Result<(), SearchError> {
    std::fs::remove_dir_all(path).map_err(err)?;
    std::fs::create_dir_all(path).map_err(err)
}

/// The tantivy index behind [`SearchIndex`].
pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<IndexWriter>>,
    /// The group commit's gate (see [`TantivyIndex::write_one`]): the opstamp of the last
    /// commit the reader sees, and whether the folder is marked as holding unsynced data.
    committed: Arc<Mutex<Gate>>,
    /// The folder (none in memory): commits are not synced there, see [`unsynced`].
    path: Option<Arc<Path>>,
    fields: Fields,
}

/// What the commit gate guards.
#[derive(Debug, Default)]
struct Gate {
    committed: tantivy::Opstamp,
    /// Whether the folder carries the unsynced mark (set before the first commit after an
    /// open or a [`TantivyIndex::sync`]).
    marked: bool,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex").finish_non_exhaustive()
    }
}

impl TantivyIndex {
    /// Opens (or creates) an index in a folder. An index of another layout (written by
    /// an older version, or with another schema) is replaced by an empty one: it is
    /// derived, rebuild it from the store ([`Cms::rebuild_derived`]; `witryna serve` does
    /// so when it finds the index empty and the store not).
    ///
    /// [`Cms::rebuild_derived`]: witryna_core::Cms::rebuild_derived
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SearchError> {
        let path = path.as_ref();
        std::fs::create_dir_all(path).map_err(err)?;
        let (schema, fields) = schema();
        let folder = || unsynced::UnsyncedDirectory::open(path).map_err(err);
        let layout_file = path.join(LAYOUT_FILE);
        let current = std::fs::read_to_string(&layout_file).is_ok_and(|l| l.trim() == LAYOUT);
        // Only a folder holding an index is emptied: a new folder may hold other files.
        if Index::exists(&folder()?).map_err(err)? {
            if !current {
                tracing::warn!(path = %path.display(), layout = LAYOUT, "search index of an older layout; starting an empty one");
                reset(path)?;
            } else if unsynced::may_have_lost_commits(path) {
                tracing::warn!(path = %path.display(), "search index not synced before the machine stopped; starting an empty one");
                reset(path)?;
            }
        }
        let index = match Index::open_or_create(folder()?, schema.clone()) {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "search index unreadable; starting an empty one");
                reset(path)?;
                Index::create(folder()?, schema, tantivy::IndexSettings::default()).map_err(err)?
            }
        };
        // Named after the index exists: a crash in between leaves a folder without the
        // file, which the next open empties again.
        if !current || !layout_file.exists() {
            std::fs::write(&layout_file, LAYOUT).map_err(err)?;
        }
        let mut this = Self::with_index(index, fields)?;
        this.path = Some(Arc::from(path));
        Ok(this)
    }

    /// Syncs the index folder to disk and clears its unsynced mark: call it when the
    /// server stops (and after a command that wrote the index), so the next start trusts
    /// the folder even after a reboot. Writes after it mark the folder again.
    pub fn sync(&self) -> Result<(), SearchError> {
        let Some(path) = &self.path else { return Ok(()) };
        let mut gate = self.committed.lock().unwrap_or_else(PoisonError::into_inner);
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        unsynced::sync_and_unmark(path).map_err(err)?;
        gate.marked = false;
        Ok(())
    }

    /// Marks the folder before a commit leaves unsynced data in it (once after each open
    /// or sync). Called with the gate held.
    fn mark(&self, gate: &mut Gate) -> Result<(), SearchError> {
        if let (Some(path), false) = (&self.path, gate.marked) {
            unsynced::mark(path).map_err(err)?;
            gate.marked = true;
        }
        Ok(())
    }

    /// An index in memory (tests, previews).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register("ws", TextAnalyzer::from(WhitespaceTokenizer::default()));
        let writer = index.writer(WRITER_HEAP).map_err(err)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;
        Ok(Self { index, reader, writer: Arc::new(Mutex::new(writer)), committed: Arc::default(), path: None, fields })
    }

    /// Number of indexed items.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The document of a published item of a searched kind; `None` for anything else
    /// (drafts, tokens, settings): it leaves the index.
    fn document(&self, meta: &Meta, body: &str, kinds: &Kinds) -> Option<TantivyDocument> {
        if meta.status != Status::Published {
            return None;
        }
        let publish_at = meta.publish_at?;
        let p = kinds.get(&meta.kind)?.search_parts(body)?;
        let f = self.fields;
        let locale = locale_code(&meta.locale);
        let language = Language::of(&locale);
        let t = f.text_of[language.index()];
        let mut d = doc!(
            f.id => meta.id.to_string(),
            f.kind => meta.kind.clone(),
            f.locale => locale,
            f.slug => meta.slug.clone(),
            f.title => p.title.clone(),
            f.text => [p.lead.as_str(), p.body.as_str()].join("\n").trim().to_owned(),
            f.publish_at => publish_at.timestamp_micros(),
            t.stems_title => language.stems(&p.title),
            t.stems_lead => language.stems(&p.lead),
            t.stems_body => language.stems(&p.body),
            t.words_title => language.words(&p.title).join(" "),
            t.words_body => language.words(&format!("{}\n{}", p.lead, p.body)).join(" "),
        );
        for t in meta.tags.iter().chain(&p.tags) {
            d.add_text(f.tag, t.to_lowercase());
        }
        Some(d)
    }

    /// Replaces (or removes) one item and makes it visible to searches before it returns.
    ///
    /// Group commit: a commit (segment files, fsync, reload) costs milliseconds, so
    /// concurrent writers share one. Each adds its change under the writer's lock (quick)
    /// and notes its opstamp, then takes the commit gate: a commit made meanwhile by
    /// another writer already covers it (its opstamp is past ours) and it returns; else it
    /// commits everything added so far — its own change and those of the writers queued
    /// behind it — and reloads the reader.
    fn write_one(&self, id: Id, doc: Option<TantivyDocument>) -> Result<(), SearchError> {
        let mine = {
            let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            let deleted = writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
            match doc {
                Some(d) => writer.add_document(d).map_err(err)?,
                None => deleted,
            }
        };
        let mut gate = self.committed.lock().unwrap_or_else(PoisonError::into_inner);
        if gate.committed >= mine {
            return Ok(());
        }
        self.mark(&mut gate)?;
        let stamp = self.writer.lock().unwrap_or_else(PoisonError::into_inner).commit().map_err(err)?;
        self.reader.reload().map_err(err)?;
        gate.committed = stamp;
        Ok(())
    }

    /// Whether the searcher holds any text of a language. A reading for a language without
    /// items is left out: it could match nothing, yet its fuzzy automata would still be
    /// built (most sites have only Polish items).
    fn has_text(&self, searcher: &Searcher, language: Language) -> bool {
        let t = self.fields.text_of[language.index()];
        // Stems come from the same words, so the two word fields cover all five.
        searcher.segment_readers().iter().any(|segment| {
            [t.words_title, t.words_body]
                .into_iter()
                .any(|field| segment.inverted_index(field).is_ok_and(|index| index.terms().num_terms() > 0))
        })
    }

    /// The query, and its words as each language read them (for snippets).
    fn query(&self, q: &SearchQuery, now: DateTime<Utc>, searcher: &Searcher) -> Option<(Box<dyn Query>, Readings)> {
        let f = self.fields;
        let readings: Readings = Language::ALL
            .iter()
            .filter(|&&language| self.has_text(searcher, language))
            .map(|&language| (language, language.words(&q.text).into_iter().take(MAX_QUERY_WORDS).collect::<Vec<_>>()))
            .filter(|(_, words)| !words.is_empty())
            .collect();
        if readings.is_empty() {
            return None;
        }
        // Every reading is tried against its own language's fields, all of its words
        // required. An item fills only its language's fields, so it is matched and scored
        // by that reading alone (each language splits and normalises words its own way,
        // hence whole readings, not a union per word).
        let any_reading = readings
            .iter()
            .map(|(language, words)| -> (Occur, Box<dyn Query>) {
                let t = f.text_of[language.index()];
                let all_words = words.iter().map(|w| (Occur::Must, word_query(t, *language, w))).collect();
                (Occur::Should, Box::new(BooleanQuery::new(all_words)))
            })
            .collect();
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(any_reading)))];
        if !q.kinds.is_empty() {
            let kinds = q
                .kinds
                .iter()
                .map(|k| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(Term::from_field_text(f.kind, k), IndexRecordOption::Basic)),
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if let Some(tag) = &q.tag {
            let term = Term::from_field_text(f.tag, &tag.trim().to_lowercase());
            must.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let until = q.until.map_or(now, |u| u.min(now)).timestamp_micros();
        let from = q.from.map_or(i64::MIN, |t| t.timestamp_micros());
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.publish_at, from)),
            Bound::Included(Term::from_field_i64(f.publish_at, until)),
        );
        must.push((Occur::Must, Box::new(range)));
        Some((Box::new(BooleanQuery::new(must)), readings))
    }

    fn run(&self, q: &SearchQuery, now: DateTime<Utc>) -> Result<SearchResults, SearchError> {
        let empty = SearchResults { items: Vec::new(), total: 0, next_cursor: None };
        let searcher = self.reader.searcher();
        let Some((query, readings)) = self.query(q, now, &searcher) else { return Ok(empty) };
        // The collector reserves room for offset + limit hits: never past the depth bound,
        // whoever calls (the Cms refuses deeper queries before they get here).
        let Some(room) = SearchQuery::MAX_DEPTH.checked_sub(q.offset).filter(|r| *r > 0) else { return Ok(empty) };
        let limit = q.limit.clamp(1, 100).min(room);
        // One ranking, (in the reader's locale, score), so that pages never repeat or skip
        // a hit where the reader's locale ends; `Count` counts every locale.
        let reader_locale = locale_code(&q.locale);
        let ranking = TopDocs::with_limit(limit)
            .and_offset(q.offset)
            .tweak_score(move |segment: &SegmentReader| in_locale(segment, &reader_locale));
        let (top, total) = searcher.search(&*query, &(ranking, Count)).map_err(err)?;
        let f = self.fields;
        let mut items = Vec::with_capacity(top.len());
        for ((_, score), address) in top {
            let d: TantivyDocument = searcher.doc(address).map_err(err)?;
            let text_of = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let id = text_of(f.id).parse().map_err(err)?;
            let micros = d.get_first(f.publish_at).and_then(|v| v.as_i64()).unwrap_or_default();
            let locale = text_of(f.locale);
            let language = Language::of(&locale);
            let words = readings.iter().find(|(l, _)| *l == language).map_or(&[][..], |(_, w)| w.as_slice());
            let title = text_of(f.title);
            let body = text_of(f.text);
            let source = if body.is_empty() { title.clone() } else { body };
            items.push(SearchHit {
                id,
                kind: text_of(f.kind),
                slug: text_of(f.slug),
                locale,
                snippet: text::snippet(&source, language, words, 30),
                title,
                publish_at: DateTime::from_timestamp_micros(micros).unwrap_or_default(),
                score,
            });
        }
        let next = q.offset + items.len();
        let more = next < total && next < SearchQuery::MAX_DEPTH;
        Ok(SearchResults { items, total, next_cursor: more.then(|| next.to_string()) })
    }
}

/// A query's words as each language read it (languages that found no word left out).
type Readings = Vec<(Language, Vec<String>)>;

/// One query word against one language's fields: a union of fuzzy stem matches (title
/// above lead above body) and exact-word matches (ranked above a partial stem match).
fn word_query(t: TextFields, language: Language, word: &str) -> Box<dyn Query> {
    let stem = language.stem(word);
    let distance = language.distance(&stem);
    let stem_query = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
        let term = Term::from_field_text(field, &stem);
        let q: Box<dyn Query> = if distance == 0 {
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
        } else {
            Box::new(FuzzyTermQuery::new(term, distance, true))
        };
        (Occur::Should, Box::new(BoostQuery::new(q, boost)))
    };
    let exact = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
        let q = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
        (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
    };
    Box::new(BooleanQuery::new(vec![
        stem_query(t.stems_title, 3.0),
        stem_query(t.stems_lead, 2.0),
        stem_query(t.stems_body, 1.0),
        exact(t.words_title, 4.0),
        exact(t.words_body, 1.5),
    ]))
}

/// The sort key of a segment's hits: whether the hit is in the reader's locale, then its
/// score, so hits in the reader's locale come first, each part best first.
fn in_locale(segment: &SegmentReader, reader_locale: &str) -> impl Fn(DocId, Score) -> (bool, Score) {
    // The reader's locale as an ordinal of this segment's locale column; none when no item
    // of the segment is in it. A column that cannot be read (never, with this schema)
    // leaves the order by score alone.
    let column: Option<StrColumn> = segment.fast_fields().str(LOCALE).ok().flatten();
    let wanted = column.as_ref().and_then(|c| c.dictionary().term_ord(reader_locale).ok().flatten());
    let ords = column.filter(|_| wanted.is_some()).map(|c| c.ords().clone());
    move |doc, score| (ords.as_ref().is_some_and(|o| o.first(doc) == wanted), score)
}

#[async_trait]
impl DerivedIndex for TantivyIndex {
    async fn apply(&self, event: &ChangeEvent, kinds: &Kinds) -> Result<(), DerivedError> {
        let doc = match (&event.change, &event.meta, &event.body) {
            (Change::Deleted, _, _) | (_, None, _) | (_, _, None) => None,
            // Unpublished and archived items, and unsearched kinds, produce no document:
            // they leave the index (or never enter it).
            (_, Some(meta), Some(body)) => self.document(meta, body, kinds),
        };
        // Tokens, settings, unregistered kinds: never indexed, nothing to remove. A new
        // draft was never in the index either: no commit for it.
        let searched = event.meta.as_ref().is_none_or(|m| kinds.get(&m.kind).is_some_and(|k| k.is_searched()));
        if !searched || (event.change == Change::Created && doc.is_none()) {
            return Ok(());
        }
        let this = self.clone_handle();
        let id = event.id;
        tokio::task::spawn_blocking(move || this.write_one(id, doc)).await.map_err(derived)?.map_err(derived)
    }

    async fn rebuild(
        &self,
        store: &dyn Store,
        kinds: &Kinds,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, DerivedError> {
        // Page by page into the writer (collecting every document first held them all in
        // memory at once: at 100 000 items the server kept some 350 MiB after the build),
        // committed once at the end, so searches see the old index until then — unless a
        // live write commits meanwhile, which would show the half-built index until the
        // end (`serve` and `reindex` rebuild before any write can come).
        let run = |work: Box<dyn FnOnce(&Self) -> Result<(), SearchError> + Send>| {
            let this = self.clone_handle();
            async move { tokio::task::spawn_blocking(move || work(&this)).await.map_err(derived)?.map_err(derived) }
        };
        run(Box::new(|this| {
            let mut gate = this.committed.lock().unwrap_or_else(PoisonError::into_inner);
            this.mark(&mut gate)?;
            this.writer.lock().unwrap_or_else(PoisonError::into_inner).delete_all_documents().map_err(err)?;
            Ok(())
        }))
        .await?;
        let mut after = None;
        let mut read = 0u64;
        loop {
            let page = store.all(after, 500).await.map_err(derived)?;
            let Some(last) = page.last() else { break };
            after = Some(last.meta.id);
            let docs: Vec<TantivyDocument> =
                page.iter().filter_map(|r| self.document(&r.meta, &r.body, kinds)).collect();
            run(Box::new(move |this| {
                let writer = this.writer.lock().unwrap_or_else(PoisonError::into_inner);
                for d in docs {
                    writer.add_document(d).map_err(err)?;
                }
                Ok(())
            }))
            .await?;
            read += page.len() as u64;
            progress(read);
        }
        run(Box::new(|this| {
            // The commit gate, then the writer: the order `write_one` takes them in.
            let mut gate = this.committed.lock().unwrap_or_else(PoisonError::into_inner);
            gate.committed = this.writer.lock().unwrap_or_else(PoisonError::into_inner).commit().map_err(err)?;
            this.reader.reload().map_err(err)
        }))
        .await?;
        Ok(read)
    }
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    async fn search(&self, query: &SearchQuery, now: DateTime<Utc>) -> Result<SearchResults, SearchError> {
        self.run(query, now)
    }
}

fn derived(e: impl std::fmt::Display) -> DerivedError {
    DerivedError(e.to_string())
}

impl TantivyIndex {
    /// A second handle on the same index (for blocking work off the async executor).
    fn clone_handle(&self) -> Self {
        Self {
            index: self.index.clone(),
            reader: self.reader.clone(),
            writer: self.writer.clone(),
            committed: self.committed.clone(),
            path: self.path.clone(),
            fields: self.fields,
        }
    }
}
