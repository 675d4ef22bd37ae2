//! Exact money in integer grosze (1 zł = 100 gr), formatted the Polish way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of Polish złoty, held as integer grosze. Never a float.
///
/// Serialized as the integer number of grosze (`151583074` for 1 515 830,74 zł), so JSON
/// clients never round. Displayed and parsed in the Polish form `1 515 830,74 zł`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing but white space or the currency.
    #[error("empty amount")]
    Empty,
    /// A character that has no place in an amount.
    #[error("unexpected character {0:?} in amount")]
    UnexpectedChar(char),
    /// Thousands separators that do not split the digits into groups of three.
    #[error("digit groups must have three digits after the first")]
    BadGrouping,
    /// More than two digits of grosze, or one digit.
    #[error("the fraction must have exactly two digits (grosze)")]
    BadFraction,
    /// Larger than an i64 number of grosze.
    #[error("amount too large")]
    Overflow,
}

impl Money {
    /// Zero złoty.
    pub const ZERO: Money = Money(0);

    /// An amount from a number of grosze.
    pub const fn from_grosze(grosze: i64) -> Self {
        Money(grosze)
    }

    /// The amount in grosze.
    pub const fn grosze(self) -> i64 {
        self.0
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl fmt::Display for Money {
    /// `1 515 830,74 zł`: spaces between groups of three, comma before the grosze.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let (zl, gr) = (abs / 100, abs % 100);
        let digits = zl.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 8);
        if self.0 < 0 {
            grouped.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        write!(f, "{grouped},{gr:02} zł")
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses the Polish forms seen on real pages: `1 515 830,74 zł`, `1.515.830,74 zł`,
    /// `60.365,83zł`, `54 320,00`, `6045,83`, `1 000 zł`. Groups may be split by spaces
    /// (also no-break spaces) or dots; the grosze follow a comma and have two digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = s.strip_suffix("zł").or_else(|| s.strip_suffix("PLN")).unwrap_or(s).trim_end();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (int_part, frac_part) = match s.split_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let groups: Vec<&str> = int_part.split([' ', '.', '\u{a0}', '\u{202f}']).collect();
        for (i, g) in groups.iter().enumerate() {
            if let Some(c) = g.chars().find(|c| !c.is_ascii_digit()) {
                return Err(MoneyError::UnexpectedChar(c));
            }
            let ok = if i == 0 { !g.is_empty() && (groups.len() == 1 || g.len() <= 3) } else { g.len() == 3 };
            if !ok {
                return Err(if g.is_empty() && groups.len() == 1 {
                    MoneyError::Empty
                } else {
                    MoneyError::BadGrouping
                });
            }
        }
        let mut grosze: i64 = 0;
        for c in groups.concat().chars() {
            grosze = grosze
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(c as u8 - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        grosze = grosze.checked_mul(100).ok_or(MoneyError::Overflow)?;
        if let Some(f) = frac_part {
            if let Some(c) = f.chars().find(|c| !c.is_ascii_digit()) {
                return Err(MoneyError::UnexpectedChar(c));
            }
            if f.len() != 2 {
                return Err(MoneyError::BadFraction);
            }
            let frac: i64 = f.parse().map_err(|_| MoneyError::BadFraction)?;
            grosze = grosze.checked_add(frac).ok_or(MoneyError::Overflow)?;
        }
        Ok(Money(if negative { -grosze } else { grosze }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_polish() {
        assert_eq!(Money::from_grosze(151_583_074).to_string(), "1 515 830,74 zł");
        assert_eq!(Money::from_grosze(6_036_583).to_string(), "60 365,83 zł");
        assert_eq!(Money::from_grosze(5).to_string(), "0,05 zł");
        assert_eq!(Money::from_grosze(-100_000).to_string(), "-1 000,00 zł");
        assert_eq!(Money::from_grosze(i64::MIN).to_string(), "-92 233 720 368 547 758,08 zł");
    }

    #[test]
    fn parses_seed_forms() {
        for (text, grosze) in [
            ("1 515 830,74 zł", 151_583_074),
            ("1.515.830,74 zł", 151_583_074),
            ("1.440.039,20 zł", 144_003_920),
            ("60.365,83zł", 6_036_583),
            ("54 320,00", 5_432_000),
            ("6045,83", 604_583),
            ("1\u{a0}000 zł", 100_000),
            ("-12,50", -1250),
        ] {
            assert_eq!(text.parse::<Money>(), Ok(Money::from_grosze(grosze)), "{text}");
        }
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!("".parse::<Money>(), Err(MoneyError::Empty));
        assert_eq!(" zł".parse::<Money>(), Err(MoneyError::Empty));
        assert_eq!("12,5".parse::<Money>(), Err(MoneyError::BadFraction));
        assert_eq!("1 23,00".parse::<Money>(), Err(MoneyError::BadGrouping));
        assert_eq!("1,2x".parse::<Money>(), Err(MoneyError::UnexpectedChar('x')));
        assert_eq!("12.5e3".parse::<Money>(), Err(MoneyError::UnexpectedChar('e')));
        assert_eq!("99999999999999999999".parse::<Money>(), Err(MoneyError::Overflow));
    }

    #[test]
    fn display_parse_roundtrip() {
        for g in [0, 1, 99, 100, 123_456_789, -5, i64::MAX, i64::MIN + 1] {
            let m = Money::from_grosze(g);
            assert_eq!(m.to_string().parse::<Money>(), Ok(m));
        }
    }
}
