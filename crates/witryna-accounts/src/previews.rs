//! Preview links: a colleague without an account may see an unpublished item through a
//! link that expires after [`VALID_FOR`]. The link names the item, not a version: it shows
//! the item as it is when opened.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use witryna_core::validate::ValidationErrors;
use witryna_core::{Cms, CmsError, Content, Id};

use crate::SecretError;

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
        crate::validate_hash(&self.hash)
    }
}

/// Makes a preview link's secret for an item.
pub async fn create(cms: &Cms, item: Id) -> Result<String, SecretError> {
    Ok(crate::create_with_secret(cms, "wsp_", |hash| PreviewLink { item, hash }).await?.0)
}

/// The item a link shows, while it works; an expired link is deleted when met.
pub async fn find(cms: &Cms, secret: &str) -> Result<Option<Id>, CmsError> {
    let Some(link) = crate::find_by_secret::<PreviewLink>(cms, secret).await? else { return Ok(None) };
    if cms.now() - link.meta.created_at < VALID_FOR {
        return Ok(Some(link.content.item));
    }
    crate::delete_if_unchanged(cms, &link).await?;
    Ok(None)
}

/// Deletes every preview link an account made (when the account is deactivated).
pub async fn revoke_made_by(cms: &Cms, account: Id) -> Result<(), CmsError> {
    for link in crate::all_of::<PreviewLink>(cms, None).await? {
        if link.meta.created_by == Some(account) {
            crate::delete_if_unchanged(cms, &link).await?;
        }
    }
    Ok(())
}
