//! The languages a site is written in: Polish, the source of every translation group, and
//! the others a site turns on ([`Locales`]). Turning one on or off changes what the
//! frontends offer, never what is stored: items of a locale that is off stay as they are.

use std::fmt;

/// A language Witryna has a message catalogue for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Locale {
    /// The BCP 47 code stored with items (`pl`, `en`, `uk`).
    pub code: &'static str,
    /// Its name in itself, as a language switcher shows it („Українська”).
    pub name: &'static str,
}

/// Polish: the default locale, the source of translation groups.
pub const POLISH: Locale = Locale { code: "pl", name: "Polski" };
/// English.
pub const ENGLISH: Locale = Locale { code: "en", name: "English" };
/// Ukrainian.
pub const UKRAINIAN: Locale = Locale { code: "uk", name: "Українська" };

/// Every locale Witryna offers, the default first.
pub const OFFERED: [Locale; 3] = [POLISH, ENGLISH, UKRAINIAN];

/// The locales a site has turned on, the default ([`POLISH`]) always first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locales {
    on: Vec<Locale>,
}

/// A locale list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalesError {
    /// A code Witryna has no catalogue for.
    #[error("unknown locale {0:?}: Witryna offers pl, en and uk")]
    Unknown(String),
    /// The default locale is left out.
    #[error("the list must include pl, the default locale (the source of every translation)")]
    NoDefault,
}

impl Locales {
    /// Every offered locale (the default).
    pub fn all() -> Self {
        Self { on: OFFERED.to_vec() }
    }

    /// Polish only.
    pub fn default_only() -> Self {
        Self { on: vec![POLISH] }
    }

    /// A comma-separated list of codes (`pl,en,uk`); it must include `pl`.
    pub fn parse(list: &str) -> Result<Self, LocalesError> {
        let mut on = vec![POLISH];
        let mut saw_default = false;
        for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let locale = find(code).ok_or_else(|| LocalesError::Unknown(code.to_owned()))?;
            saw_default |= locale == POLISH;
            if !on.contains(&locale) {
                on.push(locale);
            }
        }
        if !saw_default {
            return Err(LocalesError::NoDefault);
        }
        // Menu order is the offered order, whatever order the list gave.
        on.sort_by_key(|l| OFFERED.iter().position(|o| o == l));
        Ok(Self { on })
    }

    /// The default locale.
    pub fn default_locale(&self) -> Locale {
        POLISH
    }

    /// The locales turned on, the default first.
    pub fn iter(&self) -> impl Iterator<Item = Locale> + '_ {
        self.on.iter().copied()
    }

    /// The locales turned on besides the default: the ones translations are made into.
    pub fn translated(&self) -> impl Iterator<Item = Locale> + '_ {
        self.on.iter().copied().filter(|l| *l != POLISH)
    }

    /// The locale of this code, if it is turned on.
    pub fn get(&self, code: &str) -> Option<Locale> {
        self.on.iter().copied().find(|l| l.code == code)
    }

    /// Whether the locale is turned on.
    pub fn is_on(&self, code: &str) -> bool {
        self.get(code).is_some()
    }
}

impl Default for Locales {
    fn default() -> Self {
        Self::all()
    }
}

impl fmt::Display for Locales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.on.iter().map(|l| l.code).collect();
        f.write_str(&codes.join(","))
    }
}

/// An offered locale by code, whether turned on or not.
pub fn find(code: &str) -> Option<Locale> {
    OFFERED.iter().copied().find(|l| l.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_in_menu_order_and_need_polish() {
        assert_eq!(Locales::parse("uk, pl").unwrap().to_string(), "pl,uk");
        assert_eq!(Locales::parse("pl,en,uk,en").unwrap(), Locales::all());
        assert_eq!(Locales::parse("en"), Err(LocalesError::NoDefault));
        assert_eq!(Locales::parse("pl,de"), Err(LocalesError::Unknown("de".into())));
        let on = Locales::parse("pl,uk").unwrap();
        assert!(on.is_on("uk") && !on.is_on("en"));
        assert_eq!(on.translated().map(|l| l.name).collect::<Vec<_>>(), ["Українська"]);
    }
}
