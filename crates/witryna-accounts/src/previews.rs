//! Preview links: a colleague without an account may see an unpublished item through a
//! link that expires after [`VALID_FOR`]. The link names the item, not a version: it shows
//! the item as it is when opened.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Cms, CmsError, Content, CreateOptions, Id};

use crate::{is_hash, random_secret, secret_hash, SecretError};

/// How long a preview link works.
pub const VALID_FOR: Duration = Duration::days(7);

/// A stored preview link (the hash of its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewLink {
    /// The item it shows.
    pub item: Id,
    /// SHA-256 of the secret, hex.
    pub hash: String,
}

impl Content for PreviewLink {
    const KIND: &'static str = "preview-link";

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

/// Makes a preview link's secret for an item.
pub async fn create(cms: &Cms, item: Id) -> Result<String, SecretError> {
    let secret = random_secret("wsp_")?;
    let hash = secret_hash(&secret);
    cms.create_with(PreviewLink { item, hash: hash.clone() }, CreateOptions { slug: Some(hash), locale: None }).await?;
    Ok(secret)
}

/// The item a link shows, while it works; an expired link is deleted when met.
pub async fn find(cms: &Cms, secret: &str) -> Result<Option<Id>, CmsError> {
    let Some(link) = crate::find_by_slug::<PreviewLink>(cms, &secret_hash(secret)).await? else { return Ok(None) };
    if cms.now() - link.meta.created_at < VALID_FOR {
        return Ok(Some(link.content.item));
    }
    match cms.delete(link.meta.id, link.meta.version).await {
        Ok(()) | Err(CmsError::NotFound { .. } | CmsError::Conflict { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes every preview link an account made (when the account is deactivated).
pub async fn revoke_made_by(cms: &Cms, account: Id) -> Result<(), CmsError> {
    for link in crate::all_of::<PreviewLink>(cms, None).await? {
        if link.meta.created_by == Some(account) {
            match cms.delete(link.meta.id, link.meta.version).await {
                Ok(()) | Err(CmsError::NotFound { .. } | CmsError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
