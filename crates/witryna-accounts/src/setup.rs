//! The first-run setup link: `witryna serve` on a store without an active administrator
//! makes one, prints it, and the first person to open it within [`VALID_FOR`] creates the
//! first administrator in the browser. It works once: using it deletes it, and of two
//! simultaneous uses one wins (a versioned delete).

use chrono::Duration;
use serde::{Deserialize, Serialize};
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Cms, CmsError, Content, CreateOptions, Item};

use crate::{is_hash, random_secret, secret_hash, SecretError};

/// How long a setup link works.
pub const VALID_FOR: Duration = Duration::hours(1);

/// A stored setup link (the hash of its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupLink {
    /// SHA-256 of the secret, hex.
    pub hash: String,
}

impl Content for SetupLink {
    const KIND: &'static str = "setup-link";

    fn title(&self) -> &str {
        &self.hash
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        if !is_hash(&self.hash) {
            v.error("hash", "invalid_hash", "must be 64 lower-case hex digits");
        }
        v.finish()
    }
}

/// Makes a setup link's secret (the path part after `/admin/pierwsze-konto/`). Earlier
/// links stop working: only the one printed last is valid.
pub async fn create(cms: &Cms) -> Result<String, SecretError> {
    for old in crate::all_of::<SetupLink>(cms, None).await? {
        consume(cms, &old).await?;
    }
    let secret = random_secret("wsu_")?;
    let hash = secret_hash(&secret);
    cms.create_with(SetupLink { hash: hash.clone() }, CreateOptions { slug: Some(hash), locale: None }).await?;
    Ok(secret)
}

/// The link with this secret while it works.
pub async fn find(cms: &Cms, secret: &str) -> Result<Option<Item<SetupLink>>, CmsError> {
    let Some(item) = crate::find_by_slug::<SetupLink>(cms, &secret_hash(secret)).await? else { return Ok(None) };
    Ok((cms.now() - item.meta.created_at < VALID_FOR).then_some(item))
}

/// Uses up a link: `true` for the one caller that deleted it.
pub async fn consume(cms: &Cms, link: &Item<SetupLink>) -> Result<bool, CmsError> {
    match cms.delete(link.meta.id, link.meta.version).await {
        Ok(()) => Ok(true),
        Err(CmsError::NotFound { .. } | CmsError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
