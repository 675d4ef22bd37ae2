//! Webhook endpoints: what an administrator registers (a URL, the events it wants, a
//! secret), kept as items of the internal `webhook` kind; the events there are; and which
//! addresses deliveries may go to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use witryna_core::audit::AuditAction;
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::Content;

/// The longest endpoint name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest endpoint URL, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Bytes of a generated secret (Standard Webhooks asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// The events an endpoint may ask for: one per kind of change to an item or the settings.
pub const EVENTS: [&str; 10] = [
    "item.created",
    "item.updated",
    "item.published",
    "item.unpublished",
    "item.archived",
    "item.deleted",
    "item.restored",
    "item.slug_changed",
    "item.record_changed",
    "settings.changed",
];

/// The event an audited action is announced as; `None` for actions that are not changes of
/// content (logins, accounts, imports).
pub fn event_of(action: AuditAction) -> Option<&'static str> {
    Some(match action {
        AuditAction::Created => "item.created",
        AuditAction::Updated => "item.updated",
        AuditAction::Published => "item.published",
        AuditAction::Unpublished => "item.unpublished",
        AuditAction::Archived => "item.archived",
        AuditAction::Deleted => "item.deleted",
        AuditAction::Restored => "item.restored",
        AuditAction::SlugChanged => "item.slug_changed",
        AuditAction::RecordChanged => "item.record_changed",
        AuditAction::SettingsChanged => "settings.changed",
        _ => return None,
    })
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// What it is for („Portal miasta”).
    pub name: String,
    /// Where deliveries are POSTed: `https://…` (or `http://`); never a loopback, private or
    /// link-local address unless the server allows them.
    pub url: String,
    /// The events it gets ([`EVENTS`]); empty: all of them.
    #[serde(default)]
    pub events: Vec<String>,
    /// The signing secret, `whsec_` and base64 of its bytes (Standard Webhooks).
    pub secret: String,
}

impl Content for Webhook {
    const KIND: &'static str = "webhook";

    fn title(&self) -> &str {
        &self.name
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("name", &self.name, MAX_NAME_CHARS);
        if let Err(reason) = parse_url(&self.url) {
            v.error("url", "invalid_url", reason);
        }
        for (i, e) in self.events.iter().enumerate() {
            if !EVENTS.contains(&e.as_str()) {
                v.error(&format!("events[{i}]"), "unknown_event", format!("must be one of {}", EVENTS.join(", ")));
            }
        }
        if let Err(reason) = Secret::parse(&self.secret) {
            v.error("secret", "invalid_secret", reason);
        }
        v.finish()
    }
}

impl Webhook {
    /// Whether it gets `event`.
    pub fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

/// An endpoint URL: http(s), a host, no user name or password, at most [`MAX_URL_BYTES`].
pub fn parse_url(text: &str) -> Result<url::Url, String> {
    if text.len() > MAX_URL_BYTES {
        return Err(format!("must be at most {MAX_URL_BYTES} bytes"));
    }
    let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("must start with https:// (or http://)".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password (the signature authenticates)".into());
    }
    Ok(url)
}

/// The address a URL names by itself (an IP literal), which no resolver ever sees.
pub(crate) fn written_address(url: &url::Url) -> Option<IpAddr> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    }
}

/// A signing secret's bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub(crate) Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Reads `whsec_<base64>` of 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<Secret, String> {
        let encoded = text.strip_prefix("whsec_").ok_or("must start with whsec_")?;
        let bytes = BASE64.decode(encoded).map_err(|_| "must be whsec_ and standard base64".to_owned())?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(format!("must hold 24 to 64 bytes, holds {}", bytes.len()));
        }
        Ok(Secret(bytes))
    }

    /// A new random secret, as text.
    pub fn generate() -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(format!("whsec_{}", BASE64.encode(bytes)))
    }
}

/// Whether deliveries may go to an address: not loopback, private, link-local, shared
/// (carrier-grade NAT), unspecified, multicast, broadcast, documentation or other reserved
/// ranges — unless `allow_private` (tests, or a site whose receivers sit in its own network).
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: tunnels to an IPv4 address
        || s[0] == 0x2002 // 6to4: an IPv4 address inside
        || s[0] == 0x0064 // NAT64 and local-use translation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || s[..4] == [0, 0, 0, 0]) // IPv4-compatible, -translated and other embedded forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "100::1",
            "::ffff:0:7f00:1",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(!address_allowed(ip, false), "{refused}");
            assert!(address_allowed(ip, true), "{refused} when allowed");
        }
        for public in ["8.8.8.8", "193.110.1.1", "2a00:1450:4001::1", "::ffff:8.8.8.8"] {
            assert!(address_allowed(public.parse().unwrap(), false), "{public}");
        }
    }

    #[test]
    fn urls_and_secrets_are_checked() {
        assert!(parse_url("https://portal.example.pl/hooks/witryna").is_ok());
        for bad in ["ftp://x.pl/", "https://", "https://user:pass@x.pl/", "nie url", "file:///etc/passwd"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        assert!(parse_url(&format!("https://x.pl/{}", "a".repeat(MAX_URL_BYTES))).is_err());
        let secret = Secret::generate().unwrap();
        assert_eq!(Secret::parse(&secret).unwrap().0.len(), SECRET_BYTES);
        for bad in ["whsec_", "sekret", "whsec_!!!", "whsec_c2hvcnQ="] {
            assert!(Secret::parse(bad).is_err(), "{bad}");
        }
    }
}
