//! API tokens: random, shown once, stored only as a SHA-256 hash.
//!
//! Tokens are kept as items of the `api-token` content kind (never published), with the
//! hash as slug: a lookup is one point read, and every backend stores them without
//! knowing what they are. Export and import carry them along (hashes only).

use axum::http::{header, HeaderMap};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Cms, CmsError, Content, CreateOptions, Id, Query, SlugLookup, View};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes content: create, update, publish, delete, revisions.
    Editor,
    /// Everything an editor does, plus settings and tokens.
    Admin,
}

impl Role {
    /// `editor` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role {other:?} (editor, admin)")),
        }
    }
}

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

    fn slug_source(&self) -> &str {
        &self.hash
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("name", &self.name, MAX_NAME_CHARS);
        if self.hash.len() != 64 || !self.hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            v.error("hash", "invalid_hash", "must be 64 lower-case hex digits");
        }
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

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn info(item: witryna_core::Item<ApiToken>) -> TokenInfo {
    TokenInfo { id: item.meta.id, name: item.content.name, role: item.content.role, created_at: item.meta.created_at }
}

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The operating system's random source failed.
    #[error("no randomness from the operating system: {0}")]
    Rng(getrandom::Error),
    /// The Cms refused (e.g. an empty name) or the store failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

/// Makes a token with 256 random bits; stores only its hash.
pub async fn create_token(cms: &Cms, role: Role, name: &str) -> Result<NewToken, TokenError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(TokenError::Rng)?;
    let token = format!("wtr_{}", hex::encode(secret));
    let content = ApiToken { name: name.to_owned(), role, hash: hash(&token) };
    let slug = Some(content.hash.clone());
    let item = cms.create_with(content, CreateOptions { slug, locale: None }).await?;
    Ok(NewToken { token, info: info(item) })
}

/// Every token, oldest last.
pub async fn list_tokens(cms: &Cms) -> Result<Vec<TokenInfo>, CmsError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page =
            cms.list::<ApiToken>(Query { view: View::Editor, limit: Some(100), cursor, ..Query::default() }).await?;
        out.extend(page.items.into_iter().map(info));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Revokes (deletes) a token.
pub async fn revoke_token(cms: &Cms, id: Id) -> Result<(), CmsError> {
    let item = cms.get::<ApiToken>(id).await?;
    cms.delete(id, item.meta.version).await
}

/// The token a secret belongs to, if any.
pub async fn authenticate(cms: &Cms, secret: &str) -> Result<Option<TokenInfo>, CmsError> {
    match cms.find::<ApiToken>(&hash(secret), View::Editor).await {
        Ok(SlugLookup::Found(item)) => Ok(Some(info(item))),
        Ok(SlugLookup::Moved { .. }) | Err(CmsError::SlugNotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The secret of an `Authorization: Bearer …` header (the scheme in any case, RFC 9110).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.trim_start().split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

/// Failed authentications (wrong secrets) per client address (IPv6 by /64: one host
/// usually has a whole /64). After [`FailedLogins::MAX_FAILURES`] within
/// [`FailedLogins::WINDOW`], wrong secrets from that address are answered 429 with
/// `Retry-After` until the window ends, while valid tokens from it keep working. With
/// 256-bit tokens, guessing cannot succeed anyway: the 429 tells a misconfigured client or
/// a prober to stop and marks it in the log. At most [`FailedLogins::MAX_ADDRESSES`] are
/// tracked; when full, expired windows are swept (at most once a second) and new addresses
/// are not tracked until there is room.
#[derive(Debug, Default)]
pub(crate) struct FailedLogins {
    state: std::sync::Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_address: std::collections::HashMap<std::net::IpAddr, (u32, std::time::Instant)>,
    last_sweep: Option<std::time::Instant>,
}

/// The address a failure is counted against: IPv4 as is, IPv6 by its /64 prefix.
fn counted_address(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            std::net::IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)))
        }
        std::net::IpAddr::V6(v6) => std::net::IpAddr::V4(v6.to_ipv4_mapped().expect("mapped")),
        v4 => v4,
    }
}

impl FailedLogins {
    /// Failures allowed in one window.
    pub(crate) const MAX_FAILURES: u32 = 20;
    /// The window.
    pub(crate) const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
    /// Most addresses tracked at once.
    pub(crate) const MAX_ADDRESSES: usize = 10_000;

    /// Counts one failure; the seconds to wait when the address is now over the limit.
    pub(crate) fn record(&self, ip: std::net::IpAddr) -> Option<u64> {
        let ip = counted_address(ip);
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Failures { by_address, last_sweep } = &mut *state;
        if !by_address.contains_key(&ip) && by_address.len() >= Self::MAX_ADDRESSES {
            if last_sweep.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1)) {
                by_address.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
                *last_sweep = Some(std::time::Instant::now());
            }
            if by_address.len() >= Self::MAX_ADDRESSES {
                return None;
            }
        }
        let entry = by_address.entry(ip).or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed() >= Self::WINDOW {
            *entry = (0, std::time::Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
        let left = Self::WINDOW.saturating_sub(entry.1.elapsed());
        (entry.0 > Self::MAX_FAILURES).then(|| left.as_secs().max(1))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).by_address.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut h = HeaderMap::new();
        for (value, expected) in [
            ("Bearer abc", Some("abc")),
            ("BEARER abc", Some("abc")),
            ("bearer   abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("Bearerabc", None),
        ] {
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer(&h), expected, "{value:?}");
        }
    }

    #[test]
    fn failures_are_limited_per_address_and_the_map_is_bounded() {
        let limiter = FailedLogins::default();
        let ip: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..FailedLogins::MAX_FAILURES {
            assert_eq!(limiter.record(ip), None);
        }
        assert!(limiter.record(ip).is_some(), "one over the limit: wait");
        for i in 0..(FailedLogins::MAX_ADDRESSES as u32 + 50) {
            limiter.record(std::net::IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
        }
        assert!(limiter.len() <= FailedLogins::MAX_ADDRESSES);
        let other = FailedLogins::default();
        for i in 0..=FailedLogins::MAX_FAILURES as u128 {
            let host: std::net::IpAddr = std::net::Ipv6Addr::from((0x2001_0db8u128 << 96) | i).into();
            let retry = other.record(host);
            assert_eq!(retry.is_some(), i == FailedLogins::MAX_FAILURES as u128, "one /64 counts as one address");
        }
    }
}
