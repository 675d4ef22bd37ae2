//! # witryna-accounts
//!
//! Who may write a Witryna site: editors' user accounts with roles, Argon2id passwords,
//! server-side sessions, the first-run setup link, preview links, API tokens, and the
//! limits on failed logins. Everything is kept as items of internal content kinds
//! ([`kinds`] registers them), so every backend — memory, sled, PostgreSQL — stores
//! accounts without knowing what they are, and several servers on one database share
//! sessions.
//!
//! Secrets (session ids, setup links, API tokens) are 256 random bits, handed out once
//! and stored only as SHA-256 hashes, which are the items' slugs: a lookup is one point
//! read. Passwords are stored only as Argon2id hashes and never logged.

pub mod limiter;
pub mod password;
pub mod previews;
pub mod sessions;
pub mod setup;
pub mod tokens;
pub mod users;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use witryna_core::{CmsError, Kinds};

pub use sessions::{Session, SessionError, SessionState};
pub use tokens::{ApiToken, NewToken, TokenInfo};
pub use users::{NewUser, User, UserError};

/// What an account (a user or an API token) may do. Ordered: each role may do all the
/// ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// „autor”: writes drafts and edits their own drafts; cannot publish.
    #[serde(alias = "autor")]
    Author,
    /// „redaktor”: edits and publishes every item.
    #[serde(alias = "redaktor")]
    Editor,
    /// „administrator”: also users, API tokens, site settings and the accessibility declaration.
    #[serde(alias = "admin")]
    Administrator,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Author, Role::Editor, Role::Administrator];

    /// `author`, `editor` or `administrator`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Administrator => "administrator",
        }
    }

    /// The Polish name shown in the editor interface.
    pub fn label(self) -> &'static str {
        match self {
            Role::Author => "autor",
            Role::Editor => "redaktor",
            Role::Administrator => "administrator",
        }
    }

    /// Whether this role publishes, unpublishes, schedules, archives and deletes any item
    /// and edits other people's.
    pub fn may_publish(self) -> bool {
        self >= Role::Editor
    }

    /// Whether this role manages users, API tokens and site-wide settings.
    pub fn may_administer(self) -> bool {
        self == Role::Administrator
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    /// The English names, the Polish ones, and `admin` (the API tokens' old name).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "author" | "autor" => Ok(Role::Author),
            "editor" | "redaktor" => Ok(Role::Editor),
            "administrator" | "admin" => Ok(Role::Administrator),
            other => Err(format!("unknown role {other:?} (author, editor, administrator)")),
        }
    }
}

/// Kinds that belong to one running site and expire (sessions, setup and preview links):
/// exports leave them out, so a backup never carries a way in.
pub const EPHEMERAL_KINDS: &[&str] = &[
    <Session as witryna_core::Content>::KIND,
    <setup::SetupLink as witryna_core::Content>::KIND,
    <previews::PreviewLink as witryna_core::Content>::KIND,
];

/// The kinds this crate keeps, added to a site's registry (never shown on the site).
pub fn kinds(kinds: Kinds) -> Kinds {
    kinds
        .with_internal::<ApiToken>()
        .with_internal::<User>()
        .with_internal::<Session>()
        .with_internal::<setup::SetupLink>()
        .with_internal::<previews::PreviewLink>()
}

/// Why a secret could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The operating system's random source failed.
    #[error("no randomness from the operating system: {0}")]
    Rng(getrandom::Error),
    /// The Cms refused or the store failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

/// 256 random bits as 64 hex digits, with a prefix naming what they are.
pub fn random_secret(prefix: &str) -> Result<String, SecretError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(SecretError::Rng)?;
    Ok(format!("{prefix}{}", hex::encode(secret)))
}

/// SHA-256 of a secret, hex: what the store keeps (as the item's slug).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Checks that a stored secret hash is 64 lower-case hex digits (field `hash`).
pub(crate) fn check_hash(v: &mut witryna_core::validate::Validator, hash: &str) {
    if !(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))) {
        v.error("hash", "invalid_hash", "must be 64 lower-case hex digits");
    }
}

/// The validation of kinds that hold nothing but a secret's hash and references.
pub(crate) fn validate_hash(hash: &str) -> Result<(), witryna_core::ValidationErrors> {
    let mut v = witryna_core::validate::Validator::new();
    check_hash(&mut v, hash);
    v.finish()
}

/// Makes a secret with `prefix` and stores `make(hash)` with the hash as its slug: the
/// secret, shown once, and the stored item.
pub(crate) async fn create_with_secret<C: witryna_core::Content>(
    cms: &witryna_core::Cms,
    prefix: &str,
    make: impl FnOnce(String) -> C,
) -> Result<(String, witryna_core::Item<C>), SecretError> {
    let secret = random_secret(prefix)?;
    let hash = secret_hash(&secret);
    let options = witryna_core::CreateOptions { slug: Some(hash.clone()), locale: None, translation_of: None };
    let item = cms.create_with(make(hash), options).await?;
    Ok((secret, item))
}

/// The item of kind `C` a secret belongs to.
pub(crate) async fn find_by_secret<C: witryna_core::Content>(
    cms: &witryna_core::Cms,
    secret: &str,
) -> Result<Option<witryna_core::Item<C>>, CmsError> {
    find_by_slug::<C>(cms, &secret_hash(secret)).await
}

/// Deletes an item at the version it was read at: `false` when it was gone or changed
/// meanwhile (another request ended it first).
pub(crate) async fn delete_if_unchanged<C>(
    cms: &witryna_core::Cms,
    item: &witryna_core::Item<C>,
) -> Result<bool, CmsError> {
    match cms.delete(item.meta.id, item.meta.version).await {
        Ok(()) => Ok(true),
        Err(CmsError::NotFound { .. } | CmsError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Finds the item of kind `C` whose slug is `slug` (any status).
pub(crate) async fn find_by_slug<C: witryna_core::Content>(
    cms: &witryna_core::Cms,
    slug: &str,
) -> Result<Option<witryna_core::Item<C>>, CmsError> {
    use witryna_core::{SlugLookup, View};
    match cms.find::<C>(slug, View::Editor).await {
        Ok(SlugLookup::Found(item)) => Ok(Some(item)),
        Ok(SlugLookup::Moved { .. }) | Err(CmsError::SlugNotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every item of kind `C`, oldest last, a page of 100 at a time.
pub(crate) async fn all_of<C: witryna_core::Content>(
    cms: &witryna_core::Cms,
    tag: Option<String>,
) -> Result<Vec<witryna_core::Item<C>>, CmsError> {
    use witryna_core::{Query, View};
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query { view: View::Editor, limit: Some(100), cursor, tag: tag.clone(), ..Query::default() };
        let page = cms.list::<C>(query).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}
