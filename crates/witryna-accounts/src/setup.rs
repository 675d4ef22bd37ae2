//! The first-run setup link: `witryna serve` on a store without an active administrator
//! makes one, prints it, and the first person to open it within [`VALID_FOR`] creates the
//! first administrator in the browser. It works once: using it deletes it, and of two
//! simultaneous uses one wins (a versioned delete).

use chrono::Duration;
use serde::{Deserialize, Serialize};
use witryna_core::validate::ValidationErrors;
use witryna_core::{Cms, CmsError, Content, Item};

use crate::SecretError;

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
        crate::validate_hash(&self.hash)
    }
}

/// Makes a setup link's secret (the path part after `/admin/pierwsze-konto/`). Earlier
/// links stop working: only the one printed last is valid.
pub async fn create(cms: &Cms) -> Result<String, SecretError> {
    for old in crate::all_of::<SetupLink>(cms, None).await? {
        consume(cms, &old).await?;
    }
    Ok(crate::create_with_secret(cms, "wsu_", |hash| SetupLink { hash }).await?.0)
}

/// The link with this secret while it works.
pub async fn find(cms: &Cms, secret: &str) -> Result<Option<Item<SetupLink>>, CmsError> {
    let Some(item) = crate::find_by_secret::<SetupLink>(cms, secret).await? else { return Ok(None) };
    Ok((cms.now() - item.meta.created_at < VALID_FOR).then_some(item))
}

/// Uses up a link: `true` for the one caller that deleted it.
pub async fn consume(cms: &Cms, link: &Item<SetupLink>) -> Result<bool, CmsError> {
    crate::delete_if_unchanged(cms, link).await
}
