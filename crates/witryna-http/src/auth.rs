//! Bearer tokens: reading the header, and slowing down addresses that send wrong secrets.
//! The tokens themselves live in [`witryna_accounts::tokens`] (re-exported here).

use axum::http::{header, HeaderMap};
use witryna_accounts::limiter::{counted_address, Failures};
pub use witryna_accounts::tokens::{
    acting_name, authenticate, create_token, list_tokens, revoke_token, ApiToken, NewToken, TokenError, TokenInfo,
    MAX_NAME_CHARS,
};
pub use witryna_accounts::Role;

/// The secret of an `Authorization: Bearer …` header (the scheme in any case, RFC 9110).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.trim_start().split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

/// Failed authentications (wrong secrets) per client address (IPv6 by /64). After
/// [`FailedLogins::MAX_FAILURES`] within [`FailedLogins::WINDOW`], wrong secrets from that
/// address are answered 429 with `Retry-After` until the window ends, while valid tokens
/// from it keep working. With 256-bit tokens, guessing cannot succeed anyway: the 429
/// tells a misconfigured client or a prober to stop and marks it in the log.
#[derive(Debug)]
pub(crate) struct FailedLogins(Failures<std::net::IpAddr>);

impl Default for FailedLogins {
    fn default() -> Self {
        Self(Failures::new(Self::MAX_FAILURES, Self::WINDOW, Self::MAX_ADDRESSES))
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
        self.0.record(counted_address(ip))
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
}
