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
//! How Polish words are matched, and the limits of it: see [`text`].
//!
//! [`Cms`]: witryna_core::Cms

pub mod text;

use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use witryna_core::events::{Change, ChangeEvent, DerivedError, DerivedIndex};
use witryna_core::kinds::Kinds;
use witryna_core::record::{Id, Meta, Status};
use witryna_core::search::{SearchError, SearchHit, SearchIndex, SearchQuery, SearchResults};
use witryna_core::store::Store;

/// Memory for tantivy's indexing threads.
const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// Words a query may have (more are ignored).
const MAX_QUERY_WORDS: usize = 16;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    slug: Field,
    title: Field,
    text: Field,
    publish_at: Field,
    tag: Field,
    stems_title: Field,
    stems_lead: Field,
    stems_body: Field,
    words_title: Field,
    words_body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("ws").set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        slug: b.add_text_field("slug", STORED),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        publish_at: b.add_i64_field("publish_at", INDEXED | STORED | FAST),
        tag: b.add_text_field("tag", STRING),
        stems_title: b.add_text_field("stems_title", words.clone()),
        stems_lead: b.add_text_field("stems_lead", words.clone()),
        stems_body: b.add_text_field("stems_body", words.clone()),
        words_title: b.add_text_field("words_title", words.clone()),
        words_body: b.add_text_field("words_body", words),
    };
    (b.build(), fields)
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError(e.to_string())
}

fn stems(text: &str) -> String {
    text::words(text).iter().map(|w| text::stem(w)).collect::<Vec<_>>().join(" ")
}

/// The tantivy index behind [`SearchIndex`].
pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<IndexWriter>>,
    fields: Fields,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex").finish_non_exhaustive()
    }
}

impl TantivyIndex {
    /// Opens (or creates) an index in a folder. An index written with another schema is
    /// replaced by an empty one (it is derived: rebuild it).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SearchError> {
        let path = path.as_ref();
        std::fs::create_dir_all(path).map_err(err)?;
        let (schema, fields) = schema();
        let dir = tantivy::directory::MmapDirectory::open(path).map_err(err)?;
        let index = match Index::open_or_create(dir, schema.clone()) {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "search index unreadable; starting an empty one");
                std::fs::remove_dir_all(path).map_err(err)?;
                std::fs::create_dir_all(path).map_err(err)?;
                Index::create_in_dir(path, schema).map_err(err)?
            }
        };
        Self::with_index(index, fields)
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
        Ok(Self { index, reader, writer: Arc::new(Mutex::new(writer)), fields })
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
        let mut d = doc!(
            f.id => meta.id.to_string(),
            f.kind => meta.kind.clone(),
            f.slug => meta.slug.clone(),
            f.title => p.title.clone(),
            f.text => [p.lead.as_str(), p.body.as_str()].join("\n").trim().to_owned(),
            f.publish_at => publish_at.timestamp_micros(),
            f.stems_title => stems(&p.title),
            f.stems_lead => stems(&p.lead),
            f.stems_body => stems(&p.body),
            f.words_title => text::words(&p.title).join(" "),
            f.words_body => text::words(&format!("{}\n{}", p.lead, p.body)).join(" "),
        );
        for t in meta.tags.iter().chain(&p.tags) {
            d.add_text(f.tag, t.to_lowercase());
        }
        Some(d)
    }

    /// Replaces (or removes) one item and makes it visible to searches.
    fn write_one(&self, id: Id, doc: Option<TantivyDocument>) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        if let Some(d) = doc {
            writer.add_document(d).map_err(err)?;
        }
        writer.commit().map_err(err)?;
        self.reader.reload().map_err(err)
    }

    fn query(&self, q: &SearchQuery, now: DateTime<Utc>) -> Option<(Box<dyn Query>, Vec<String>)> {
        let f = self.fields;
        let words: Vec<String> = text::words(&q.text).into_iter().take(MAX_QUERY_WORDS).collect();
        if words.is_empty() {
            return None;
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            let stem = text::stem(word);
            let distance = text::distance_for(stem);
            let stem_query = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
                let term = Term::from_field_text(field, stem);
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
            // Title above lead above body; an exact word above a partial (stem) match.
            let group = BooleanQuery::new(vec![
                stem_query(f.stems_title, 3.0),
                stem_query(f.stems_lead, 2.0),
                stem_query(f.stems_body, 1.0),
                exact(f.words_title, 4.0),
                exact(f.words_body, 1.5),
            ]);
            must.push((Occur::Must, Box::new(group)));
        }
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
        Some((Box::new(BooleanQuery::new(must)), words))
    }

    fn run(&self, q: &SearchQuery, now: DateTime<Utc>) -> Result<SearchResults, SearchError> {
        let empty = SearchResults { items: Vec::new(), total: 0, next_cursor: None };
        let Some((query, words)) = self.query(q, now) else { return Ok(empty) };
        let searcher = self.reader.searcher();
        // The collector reserves room for offset + limit hits: never past the depth bound,
        // whoever calls (the Cms refuses deeper queries before they get here).
        let Some(room) = SearchQuery::MAX_DEPTH.checked_sub(q.offset).filter(|r| *r > 0) else { return Ok(empty) };
        let limit = q.limit.clamp(1, 100).min(room);
        let collector = (TopDocs::with_limit(limit).and_offset(q.offset).order_by_score(), Count);
        let (top, total) = searcher.search(&*query, &collector).map_err(err)?;
        let f = self.fields;
        let mut items = Vec::with_capacity(top.len());
        for (score, address) in top {
            let d: TantivyDocument = searcher.doc(address).map_err(err)?;
            let text_of = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let id = text_of(f.id).parse().map_err(err)?;
            let micros = d.get_first(f.publish_at).and_then(|v| v.as_i64()).unwrap_or_default();
            let title = text_of(f.title);
            let body = text_of(f.text);
            let source = if body.is_empty() { title.clone() } else { body };
            items.push(SearchHit {
                id,
                kind: text_of(f.kind),
                slug: text_of(f.slug),
                snippet: text::snippet(&source, &words, 30),
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

#[async_trait]
impl DerivedIndex for TantivyIndex {
    async fn apply(&self, event: &ChangeEvent, kinds: &Kinds) -> Result<(), DerivedError> {
        let doc = match (&event.change, &event.meta, &event.body) {
            (Change::Deleted, _, _) | (_, None, _) | (_, _, None) => None,
            // Unpublished and archived items, and unsearched kinds, produce no document:
            // they leave the index (or never enter it).
            (_, Some(meta), Some(body)) => self.document(meta, body, kinds),
        };
        // Tokens, settings, unregistered kinds: never indexed, nothing to remove.
        let searched = event.meta.as_ref().is_none_or(|m| kinds.get(&m.kind).is_some_and(|k| k.is_searched()));
        if !searched {
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
        let mut docs = Vec::new();
        let mut after = None;
        let mut read = 0u64;
        loop {
            let page = store.all(after, 500).await.map_err(derived)?;
            let Some(last) = page.last() else { break };
            after = Some(last.meta.id);
            for record in &page {
                if let Some(d) = self.document(&record.meta, &record.body, kinds) {
                    docs.push(d);
                }
            }
            read += page.len() as u64;
            progress(read);
        }
        let this = self.clone_handle();
        tokio::task::spawn_blocking(move || {
            let mut writer = this.writer.lock().unwrap_or_else(PoisonError::into_inner);
            writer.delete_all_documents().map_err(err)?;
            for d in docs {
                writer.add_document(d).map_err(err)?;
            }
            writer.commit().map_err(err)?;
            this.reader.reload().map_err(err)
        })
        .await
        .map_err(derived)?
        .map_err(derived)?;
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
            fields: self.fields,
        }
    }
}
