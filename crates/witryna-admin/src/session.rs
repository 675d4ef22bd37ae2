//! Who is asking: the session cookie, the CSRF token every form carries, the `Origin` of
//! every write, and the posted form itself.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use witryna_accounts::{sessions, Role, SessionState};
use witryna_core::audit::Actor;

use crate::error::AdminError;
use crate::AdminState;

/// The session cookie's name over HTTPS: `__Host-` binds it to this host and path `/`,
/// and browsers take it only with `Secure`.
const SECURE_COOKIE: &str = "__Host-witryna-sesja";
/// Its name over plain HTTP (local use), where `Secure` cookies would not be sent back.
const PLAIN_COOKIE: &str = "witryna-sesja";
/// The login form's own CSRF cookie (double submit: there is no session yet).
const LOGIN_COOKIE_SECURE: &str = "__Host-witryna-logowanie";
const LOGIN_COOKIE_PLAIN: &str = "witryna-logowanie";
/// Largest form body read, in bytes.
pub(crate) const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

impl AdminState {
    pub(crate) fn cms(&self) -> &witryna_core::Cms {
        &self.0.cms
    }

    /// Whether this request came over HTTPS (the configured public URL, or a trusted proxy's
    /// `X-Forwarded-Proto`).
    pub(crate) fn https(&self, headers: &HeaderMap) -> bool {
        let config = &self.0.config;
        config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
            || (config.trust_proxy
                && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https"))
    }

    /// The origin forms must come from.
    pub(crate) fn expected_origin(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(url) = &self.0.config.public_url {
            let rest = url.split_once("://").map_or("", |(_, r)| r);
            let host = rest.split('/').next().unwrap_or("");
            let scheme = url.split_once("://").map_or("http", |(s, _)| s);
            return Some(format!("{scheme}://{host}"));
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let scheme = if self.https(headers) { "https" } else { "http" };
        Some(format!("{scheme}://{host}"))
    }

    fn cookie_names(&self, headers: &HeaderMap) -> (&'static str, &'static str) {
        if self.https(headers) {
            (SECURE_COOKIE, LOGIN_COOKIE_SECURE)
        } else {
            (PLAIN_COOKIE, LOGIN_COOKIE_PLAIN)
        }
    }

    /// `Set-Cookie` for a session secret (`None`: remove it).
    pub(crate) fn session_cookie(&self, headers: &HeaderMap, secret: Option<&str>) -> HeaderValue {
        let (name, _) = self.cookie_names(headers);
        cookie(name, secret, self.https(headers))
    }

    /// `Set-Cookie` for the login form's token.
    pub(crate) fn login_cookie(&self, headers: &HeaderMap, token: &str) -> HeaderValue {
        let (_, name) = self.cookie_names(headers);
        cookie(name, Some(token), self.https(headers))
    }

    /// The login form's token from its cookie.
    pub(crate) fn login_token<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        cookie_value(headers, self.cookie_names(headers).1)
    }

    fn session_secret<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        cookie_value(headers, self.cookie_names(headers).0)
    }
}

fn cookie(name: &str, value: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = match value {
        Some(v) => format!("{name}={v}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).expect("cookie values are hex")
}

/// The value of a cookie of the request (the first of that name).
fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 100 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// A logged-in editor (the extractor redirects everyone else to the login page).
pub(crate) struct Editor {
    pub(crate) session: SessionState,
    pub(crate) secret: String,
    /// The client's address (for the audit log).
    pub(crate) address: Option<IpAddr>,
}

impl Editor {
    pub(crate) fn role(&self) -> Role {
        self.session.user.content.role
    }

    pub(crate) fn id(&self) -> witryna_core::Id {
        self.session.user.meta.id
    }

    /// Who this editor is in the metryczka and the audit log.
    pub(crate) fn actor(&self) -> Actor {
        actor(&self.session.user, self.address)
    }

    /// The Cms writing as this editor.
    pub(crate) fn cms(&self, s: &AdminState) -> witryna_core::Cms {
        s.cms().acting_as(self.actor())
    }

    /// Refuses unless the editor has at least `role`.
    pub(crate) fn require(&self, role: Role) -> Result<(), AdminError> {
        if self.role() >= role {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// Checks a posted form's CSRF token.
    pub(crate) fn check(&self, form: &Posted) -> Result<(), AdminError> {
        self.check_token(form.get("_csrf"))
    }

    /// Checks a CSRF token sent with a form.
    pub(crate) fn check_token(&self, token: Option<&str>) -> Result<(), AdminError> {
        match token {
            Some(token) if constant_time_eq(token.as_bytes(), self.session.csrf.as_bytes()) => Ok(()),
            _ => Err(AdminError::Csrf),
        }
    }
}

/// Compares secrets in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AdminState> for Editor {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, s: &AdminState) -> Result<Self, AdminError> {
        let return_to = parts.uri.path_and_query().map_or("/admin", |p| p.as_str()).to_owned();
        let login = || AdminError::LoginRequired { return_to: return_to.clone() };
        let secret = s.session_secret(&parts.headers).ok_or_else(login)?.to_owned();
        let session = sessions::resume(s.cms(), &secret).await?.ok_or_else(login)?;
        Ok(Editor { session, secret, address: client_address(parts) })
    }
}

/// The client's address as the server saw it (behind `--trust-proxy`, the forwarded one:
/// the connection layer puts that in `ConnectInfo`).
pub(crate) fn client_address(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// A user as an actor of the audit log, from an address.
pub(crate) fn actor(user: &witryna_core::Item<witryna_accounts::User>, address: Option<IpAddr>) -> Actor {
    Actor { id: Some(user.meta.id), name: user.content.display_name.clone(), address: address.map(|a| a.to_string()) }
}

/// A posted form (`application/x-www-form-urlencoded`), from this site: the `Origin` (or,
/// without one, the `Referer`) must be the site's; at most [`MAX_FORM_BYTES`].
pub(crate) struct Posted {
    pub(crate) pairs: Vec<(String, String)>,
}

impl Posted {
    /// The first value of a field.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl FromRequest<AdminState> for Posted {
    type Rejection = AdminError;

    async fn from_request(req: Request, s: &AdminState) -> Result<Self, AdminError> {
        let (parts, body) = req.into_parts();
        check_origin(s, &parts.headers)?;
        let bytes = axum::body::to_bytes(Body::new(body), MAX_FORM_BYTES).await.map_err(|_| AdminError::TooLarge)?;
        Ok(Posted { pairs: form_urlencoded::parse(&bytes).into_owned().collect() })
    }
}

/// Refuses a write whose `Origin` (or `Referer`) is another site's. Browsers send `Origin`
/// with every form post; a request with neither header is not a browser's cross-site one,
/// and still needs the CSRF token.
pub(crate) fn check_origin(s: &AdminState, headers: &HeaderMap) -> Result<(), AdminError> {
    let expected = s.expected_origin(headers).ok_or(AdminError::CrossOrigin)?;
    if let Some(origin) = headers.get(header::ORIGIN) {
        return if origin.as_bytes() == expected.as_bytes() { Ok(()) } else { Err(AdminError::CrossOrigin) };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        let referer = referer.to_str().map_err(|_| AdminError::CrossOrigin)?;
        let same = referer.strip_prefix(expected.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        return if same { Ok(()) } else { Err(AdminError::CrossOrigin) };
    }
    Ok(())
}
