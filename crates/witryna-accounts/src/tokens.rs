//! API tokens: random, shown once, stored only as a SHA-256 hash.
//!
//! Tokens are kept as items of the internal `api-token` kind (never published), with the
//! hash as slug: a lookup is one point read, and every backend stores them without
//! knowing what they are. Export and import carry them along (hashes only). A token has
//! a [`Role`] like a user; writes made with it record the token's id as their author.

use serde::{Deserialize, Serialize};
use witryna_core::audit::AuditAction;
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Cms, CmsError, Content, Id};

use crate::{Role, SecretError};

/// The longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A stored token: its name, role and the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiToken {
    /// Who or what it is for.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the secret, hex.
    pub hash: String,
}

impl Content for ApiToken {
    const KIND: &'static str = "api-token";

    fn title(&self) -> &str {
        &self.name
    }

    fn slug_source(&self) -> std::borrow::Cow<'_, str> {
        self.hash.as_str().into()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("name", &self.name, MAX_NAME_CHARS);
        crate::check_hash(&mut v, &self.hash);
        v.finish()
    }
}

/// A token as listed: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TokenInfo {
    /// Id, for revoking.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The account that made it (none when made on the command line).
    pub created_by: Option<Id>,
}

/// A token just made: the only time its secret is seen.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NewToken {
    /// The secret to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// What was stored.
    #[serde(flatten)]
    pub info: TokenInfo,
}

fn info(item: witryna_core::Item<ApiToken>) -> TokenInfo {
    TokenInfo {
        id: item.meta.id,
        name: item.content.name,
        role: item.content.role,
        created_at: item.meta.created_at,
        created_by: item.meta.created_by,
    }
}

/// How a token is named where it acted (the metryczka, the audit log, the editor's
/// lists): „token API „import””.
pub fn acting_name(name: &str) -> String {
    format!("token API „{name}”")
}

/// Why a token could not be made.
pub type TokenError = SecretError;

/// Makes a token with 256 random bits; stores only its hash.
pub async fn create_token(cms: &Cms, role: Role, name: &str) -> Result<NewToken, TokenError> {
    let cms = cms.logged_as(AuditAction::TokenCreated);
    let (token, item) =
        crate::create_with_secret(&cms, "wtr_", |hash| ApiToken { name: name.to_owned(), role, hash }).await?;
    Ok(NewToken { token, info: info(item) })
}

/// Every token, oldest last.
pub async fn list_tokens(cms: &Cms) -> Result<Vec<TokenInfo>, CmsError> {
    Ok(crate::all_of::<ApiToken>(cms, None).await?.into_iter().map(info).collect())
}

/// Revokes (deletes) a token.
pub async fn revoke_token(cms: &Cms, id: Id) -> Result<(), CmsError> {
    let item = cms.get::<ApiToken>(id).await?;
    cms.logged_as(AuditAction::TokenRevoked).delete(id, item.meta.version).await
}

/// The token a secret belongs to, if any.
pub async fn authenticate(cms: &Cms, secret: &str) -> Result<Option<TokenInfo>, CmsError> {
    Ok(crate::find_by_secret::<ApiToken>(cms, secret).await?.map(info))
}
