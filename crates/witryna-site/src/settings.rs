//! Visitor settings (font size, contrast, underlined links, text spacing, animations,
//! keyboard shortcuts, cookie notice seen), kept in one cookie and applied on the server.

use axum::http::{header, HeaderMap};

/// The cookie's name.
pub const COOKIE: &str = "witryna_ustawienia";

/// What a visitor chose. The default is the site's default look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visitor {
    /// Index into the site's font-size steps.
    pub font: usize,
    /// High contrast.
    pub contrast: bool,
    /// Underline every link.
    pub underline: bool,
    /// More text spacing (WCAG 1.4.12 values).
    pub spacing: bool,
    /// Animations (the programme carousel) running.
    pub motion: bool,
    /// Keyboard shortcuts (access keys) on.
    pub shortcuts: bool,
    /// The cookie notice was acknowledged.
    pub cookies_ok: bool,
}

impl Default for Visitor {
    fn default() -> Self {
        Self {
            font: 0,
            contrast: false,
            underline: false,
            spacing: false,
            motion: false,
            shortcuts: true,
            cookies_ok: false,
        }
    }
}

fn flag(b: bool) -> char {
    if b {
        '1'
    } else {
        '0'
    }
}

impl Visitor {
    /// Reads the cookie; anything unreadable falls back to the default for that field.
    pub fn from_headers(headers: &HeaderMap, font_steps: usize) -> Self {
        let mut v = Visitor::default();
        let value = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value.to_owned());
        if let Some(value) = value {
            for part in value.split('-') {
                let (key, val) = part.split_at(part.len().min(1));
                let on = val == "1";
                match key {
                    "f" => v.font = val.parse().unwrap_or(0),
                    "c" => v.contrast = on,
                    "u" => v.underline = on,
                    "s" => v.spacing = on,
                    "m" => v.motion = on,
                    "k" => v.shortcuts = on,
                    "o" => v.cookies_ok = on,
                    _ => {}
                }
            }
        }
        v.font = v.font.min(font_steps.saturating_sub(1));
        v
    }

    /// The cookie value: `f1-c0-u1-s0-m0-k1-o1`.
    pub fn cookie_value(&self) -> String {
        format!(
            "f{}-c{}-u{}-s{}-m{}-k{}-o{}",
            self.font,
            flag(self.contrast),
            flag(self.underline),
            flag(self.spacing),
            flag(self.motion),
            flag(self.shortcuts),
            flag(self.cookies_ok)
        )
    }

    /// The `Set-Cookie` header: a year, this site only, not readable by scripts, and only
    /// over HTTPS when the site is served over HTTPS (`secure`).
    pub fn set_cookie(&self, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", self.cookie_value())
    }

    /// Classes on `<html>` for the chosen modes.
    pub fn classes(&self) -> String {
        let mut c = vec![format!("czcionka-{}", self.font)];
        for (on, name) in [
            (self.contrast, "kontrast"),
            (self.underline, "podkreslenia"),
            (self.spacing, "odstepy"),
            (self.motion, "animacje"),
        ] {
            if on {
                c.push(name.to_owned());
            }
        }
        c.join(" ")
    }

    /// Applies one change from a query pair (`f=2`, `c=1`, ...); false if not a setting.
    pub fn apply(&mut self, key: &str, value: &str, font_steps: usize) -> bool {
        let on = value == "1";
        match key {
            "f" => match value.parse::<usize>() {
                Ok(i) if i < font_steps => self.font = i,
                _ => return false,
            },
            "c" => self.contrast = on,
            "u" => self.underline = on,
            "s" => self.spacing = on,
            "m" => self.motion = on,
            "k" => self.shortcuts = on,
            "o" => self.cookies_ok = on,
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trip_and_garbage() {
        let v = Visitor {
            font: 2,
            contrast: true,
            underline: false,
            spacing: true,
            motion: false,
            shortcuts: false,
            cookies_ok: true,
        };
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, format!("inne=1; {COOKIE}={}", v.cookie_value()).parse().unwrap());
        assert_eq!(Visitor::from_headers(&h, 3), v);
        assert_eq!(Visitor::from_headers(&h, 2).font, 1, "clamped to the steps offered");
        h.insert(header::COOKIE, format!("{COOKIE}=zzz-f9x-c").parse().unwrap());
        assert_eq!(Visitor::from_headers(&h, 3), Visitor::default());
        assert_eq!(v.classes(), "czcionka-2 kontrast odstepy");
    }
}
