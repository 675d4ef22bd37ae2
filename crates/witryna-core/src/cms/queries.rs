//! Reads: by id, key and slug, lists with cursors, revisions, singletons and search.

use chrono::{DateTime, Utc};

use super::error::validation;
use super::{decode, normalise_tags, Cms, CmsError, Item, DEFAULT_LOCALE, MAX_PAGE};
use crate::content::Content;
use crate::record::{Id, Meta, Record, Status};
use crate::search::{SearchQuery, SearchResults};
use crate::store::{Cursor, ListQuery};

/// Who is looking: the public sees published items whose time has come; editors see all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Visitors of the site.
    #[default]
    Public,
    /// Editors (drafts, scheduled and archived items too).
    Editor,
}

/// The answer to a slug lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugLookup<C> {
    /// The slug is the item's current one.
    Found(Item<C>),
    /// The slug is an old one: redirect to `current`.
    Moved {
        /// The item's current slug.
        current: String,
        /// The item.
        item: Item<C>,
    },
}

/// A slug lookup that leaves the content as stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordLookup {
    /// The slug is the item's current one.
    Found(Record),
    /// The slug is an old one: redirect to `current`.
    Moved {
        /// The item's current slug.
        current: String,
        /// The item.
        record: Record,
    },
}

/// A page of records with their content as stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    /// Records, newest first.
    pub records: Vec<Record>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A list query on one content kind.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Who is looking.
    pub view: View,
    /// Locale; [`DEFAULT_LOCALE`] when absent.
    pub locale: Option<String>,
    /// Only this status (editors); the public view is always `published`.
    pub status: Option<Status>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only items at or after this time (publish time, else creation time).
    pub from: Option<DateTime<Utc>>,
    /// Only items at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Continue from a `next_cursor` of an earlier page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE`]; 20 when absent.
    pub limit: Option<usize>,
}

/// One page of typed items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPage<C> {
    /// Items, newest first.
    pub items: Vec<Item<C>>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

impl Cms {
    /// An item of a kind by id, a translation with its source's shared fields.
    pub(crate) async fn load(&self, kind: &str, id: Id) -> Result<Record, CmsError> {
        self.get_record_in(kind, id, View::Editor).await
    }

    /// A record of a kind by id or slug (current or previous, default locale), whatever
    /// its status: how frontends read the `{key}` of an editor's request.
    pub async fn record_by_key(&self, kind: &str, key: &str) -> Result<Record, CmsError> {
        self.record_by_key_in(kind, DEFAULT_LOCALE, key).await
    }

    /// [`Cms::record_by_key`] with slugs looked up in `locale` (ids name any item).
    pub async fn record_by_key_in(&self, kind: &str, locale: &str, key: &str) -> Result<Record, CmsError> {
        match key.parse::<Id>() {
            Ok(id) => self.load(kind, id).await,
            Err(_) => match self.find_record(kind, locale, key, View::Editor).await? {
                RecordLookup::Found(record) | RecordLookup::Moved { record, .. } => Ok(record),
            },
        }
    }

    /// The audit log, newest first (at most [`MAX_PAGE`] entries a page). For
    /// administrators only: frontends check the role.
    pub async fn audit(&self, query: &crate::audit::AuditQuery) -> Result<Vec<crate::audit::AuditEntry>, CmsError> {
        let query = crate::audit::AuditQuery { limit: query.limit.clamp(1, MAX_PAGE), ..query.clone() };
        Ok(self.store.audit(&query).await?)
    }

    /// Retention of the logs: removes audit entries older than `audit` and finished webhook
    /// deliveries older than [`DELIVERY_RETENTION`](crate::audit::DELIVERY_RETENTION);
    /// answers how many of each went.
    pub async fn prune_logs(&self, audit: chrono::Duration) -> Result<(u64, u64), CmsError> {
        let now = self.now();
        let entries = self.store.prune_audit(now - audit).await?;
        let deliveries = self.store.prune_deliveries(now - crate::audit::DELIVERY_RETENTION).await?;
        Ok((entries, deliveries))
    }

    /// Full-text search as the public sees the site now.
    pub async fn search(&self, mut query: SearchQuery) -> Result<SearchResults, CmsError> {
        let index = self.search.as_ref().ok_or(CmsError::SearchUnavailable)?;
        if query.limit == 0 {
            query.limit = 20;
        }
        if query.limit > MAX_PAGE {
            return Err(validation("limit", "out_of_range", format!("must be between 1 and {MAX_PAGE}")));
        }
        if query.offset >= SearchQuery::MAX_DEPTH {
            let max = SearchQuery::MAX_DEPTH;
            return Err(validation("offset", "out_of_range", format!("results are shown at most {max} deep")));
        }
        // The last page stops at the depth bound (every cursor handed out stays usable).
        query.limit = query.limit.min(SearchQuery::MAX_DEPTH - query.offset);
        query.text = query.text.trim().chars().take(SearchQuery::MAX_CHARS).collect();
        index.search(&query, self.now()).await.map_err(CmsError::Search)
    }

    /// The metadata of every version of an item, oldest first.
    pub async fn revisions(&self, id: Id) -> Result<Vec<Meta>, CmsError> {
        let revisions = self.store.revisions(id).await?;
        if revisions.is_empty() {
            return Err(CmsError::NotFound { kind: "any".into(), id });
        }
        Ok(revisions.into_iter().map(|r| r.meta).collect())
    }

    /// One version of an item with its content.
    pub async fn revision<C: Content>(&self, id: Id, version: u64) -> Result<Item<C>, CmsError> {
        match self.store.revision(id, version).await? {
            Some(r) if r.meta.kind == C::KIND => decode(r),
            _ => Err(CmsError::RevisionNotFound { id, version }),
        }
    }

    /// One version of an item as stored, of any kind.
    pub async fn revision_record(&self, id: Id, version: u64) -> Result<Record, CmsError> {
        self.store.revision(id, version).await?.ok_or(CmsError::RevisionNotFound { id, version })
    }

    /// An item by id, whatever its status (an editor's read).
    pub async fn get<C: Content>(&self, id: Id) -> Result<Item<C>, CmsError> {
        decode(self.load(C::KIND, id).await?)
    }

    /// An item by slug in the default locale. An old slug answers [`SlugLookup::Moved`].
    pub async fn find<C: Content>(&self, slug: &str, view: View) -> Result<SlugLookup<C>, CmsError> {
        self.find_in(DEFAULT_LOCALE, slug, view).await
    }

    /// An item by slug in a locale. The public view only finds items public now.
    pub async fn find_in<C: Content>(&self, locale: &str, slug: &str, view: View) -> Result<SlugLookup<C>, CmsError> {
        Ok(match self.find_record(C::KIND, locale, slug, view).await? {
            RecordLookup::Found(record) => SlugLookup::Found(decode(record)?),
            RecordLookup::Moved { current, record } => SlugLookup::Moved { current, item: decode(record)? },
        })
    }

    /// [`Cms::find_in`] without decoding the content: for frontends that pass the stored
    /// JSON through (it is always JSON the Cms wrote).
    pub async fn find_record(
        &self,
        kind: &str,
        locale: &str,
        slug: &str,
        view: View,
    ) -> Result<RecordLookup, CmsError> {
        let not_found = || CmsError::SlugNotFound { kind: kind.to_owned(), slug: slug.to_owned() };
        let mut record = self.store.find_slug(kind, locale, slug).await?.ok_or_else(not_found)?;
        if view == View::Public && !record.meta.is_public_at(self.now()) {
            return Err(not_found());
        }
        self.overlay_shared(&mut record, view).await?;
        Ok(if record.meta.slug == slug {
            RecordLookup::Found(record)
        } else {
            RecordLookup::Moved { current: record.meta.slug.clone(), record }
        })
    }

    /// [`Cms::get`] without decoding the content.
    pub async fn get_record(&self, kind: &str, id: Id) -> Result<Record, CmsError> {
        self.load(kind, id).await
    }

    /// [`Cms::get_record`] as `view` sees it: for the public, a translation shows its
    /// source's shared fields only while the source is public. The status of the record
    /// itself is the caller's to check.
    pub async fn get_record_in(&self, kind: &str, id: Id, view: View) -> Result<Record, CmsError> {
        match self.store.get(id).await? {
            Some(mut r) if r.meta.kind == kind => {
                self.overlay_shared(&mut r, view).await?;
                Ok(r)
            }
            _ => Err(CmsError::NotFound { kind: kind.to_owned(), id }),
        }
    }

    /// The one item of a singleton kind (e.g. accessibility settings), if saved.
    pub async fn singleton<C: Content>(&self) -> Result<Option<Item<C>>, CmsError> {
        match self.store.find_slug(C::KIND, DEFAULT_LOCALE, C::KIND).await? {
            Some(r) => decode(r).map(Some),
            None => Ok(None),
        }
    }

    /// Saves the singleton: creates and publishes it, or updates it at `expected_version`.
    pub async fn save_singleton<C: Content>(
        &self,
        content: C,
        expected_version: Option<u64>,
    ) -> Result<Item<C>, CmsError> {
        match (self.singleton::<C>().await?, expected_version) {
            (Some(current), Some(v)) => self.update(current.meta.id, v, content).await,
            (Some(current), None) => {
                Err(CmsError::Conflict { id: current.meta.id, expected: 0, actual: current.meta.version })
            }
            (None, _) => {
                let item = self.create(content).await?;
                let meta = self.publish(item.meta.id, item.meta.version, None).await?;
                Ok(Item { meta, content: item.content })
            }
        }
    }

    /// A page of items of one kind, newest first.
    pub async fn list<C: Content>(&self, query: Query) -> Result<ItemPage<C>, CmsError> {
        let page = self.list_records(C::KIND, query).await?;
        Ok(ItemPage {
            items: page.records.into_iter().map(decode).collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        })
    }

    /// [`Cms::list`] without decoding the content.
    pub async fn list_records(&self, kind: &str, query: Query) -> Result<RecordList, CmsError> {
        let locale = query.locale.unwrap_or_else(|| DEFAULT_LOCALE.to_owned());
        let limit = query.limit.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(validation("limit", "out_of_range", format!("must be between 1 and {MAX_PAGE}")));
        }
        let after = match &query.cursor {
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| CmsError::InvalidCursor(c.clone()))?),
            None => None,
        };
        let tag = match query.tag {
            Some(t) => normalise_tags(&[t])
                .map_err(|_| validation("tag", "invalid_tag", "must be 1 to 50 printable characters"))?
                .pop(),
            None => None,
        };
        let (status, until) = match query.view {
            View::Editor => (query.status, query.until),
            View::Public => {
                if query.status.is_some_and(|s| s != Status::Published) {
                    return Ok(RecordList { records: Vec::new(), next_cursor: None });
                }
                let now = self.now();
                (Some(Status::Published), Some(query.until.map_or(now, |u| u.min(now))))
            }
        };
        let mut page = self
            .store
            .list(&ListQuery { kind: kind.to_owned(), locale, status, tag, from: query.from, until, after, limit })
            .await?;
        for record in &mut page.records {
            self.overlay_shared(record, query.view).await?;
        }
        Ok(RecordList { records: page.records, next_cursor: page.next.map(|c| c.encode()) })
    }
}
