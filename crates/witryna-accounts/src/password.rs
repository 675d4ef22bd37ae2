//! Passwords: the policy (at least 12 characters, not a common password) and Argon2id
//! hashes with OWASP's parameters (19 MiB, 2 passes, 1 lane). Passwords never leave this
//! module except as hashes, and no error or log line carries one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have (a bound on the work one login can ask for).
pub const MAX_CHARS: usize = 256;

/// Passwords people pick most often that are 12 characters or longer (from published
/// breach lists, Polish and English), compared without case.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789000",
    "111111111111",
    "000000000000",
    "qwertyuiopas",
    "qwerty123456",
    "qwertyuiop12",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "zaq1@wsxcde3",
    "password1234",
    "password123!",
    "passwordpassword",
    "iloveyou1234",
    "administrator",
    "administrator1",
    "haslohaslo12",
    "haslo1234567",
    "haslo123456789",
    "mojehaslo123",
    "polska123456",
    "polska12345678",
    "kochamcie123",
    "mops12345678",
    "mopsmopsmops",
    "witryna12345",
    "witrynawitryna",
    "welcome12345",
    "letmein12345",
    "changeme1234",
    "abcdefghijkl",
    "abc123456789",
    "aaaaaaaaaaaa",
];

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("the password must have at least {MIN_CHARS} characters")]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error("the password must have at most {MAX_CHARS} characters")]
    TooLong,
    /// On the list of common passwords, one character repeated, or the e-mail address.
    #[error("the password is too easy to guess")]
    Common,
}

impl PasswordProblem {
    /// The message for the editor interface (Polish).
    pub fn polish(self) -> String {
        match self {
            PasswordProblem::TooShort => format!("Hasło musi mieć co najmniej {MIN_CHARS} znaków."),
            PasswordProblem::TooLong => format!("Hasło może mieć najwyżej {MAX_CHARS} znaków."),
            PasswordProblem::Common => {
                "To hasło łatwo odgadnąć. Wybierz inne, najlepiej kilka niezwiązanych słów.".to_owned()
            }
        }
    }
}

/// Checks a new password against the policy (`email`: the account's, which it must not be).
pub fn check(password: &str, email: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let mut distinct = lower.chars();
    let first = distinct.next();
    if COMMON.contains(&lower.as_str()) || distinct.all(|c| Some(c) == first) || lower == email.to_lowercase() {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP's parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why hashing failed (the random source, never the password).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

/// The Argon2id hash of a password in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`), with a
/// random 16-byte salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches a stored hash (a malformed hash matches nothing).
pub fn verify(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_CHARS {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Spends the time a verification takes, for logins with an unknown e-mail address, so
/// the answer's timing does not tell which addresses have accounts.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("a dummy password for timing").unwrap_or_default());
    let _ = verify(password, stored);
}

/// [`hash`] on a blocking thread: Argon2 takes tens of milliseconds of CPU, which must not
/// hold up the server's other requests.
pub async fn hash_off_thread(password: &str) -> Result<String, HashError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| HashError(e.to_string()))?
}

/// [`verify`] on a blocking thread; with no stored hash, [`verify_nothing`] (same time).
pub async fn verify_off_thread(password: &str, stored: Option<&str>) -> bool {
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_nothing(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Whether a stored value looks like a hash this module made.
pub(crate) fn is_phc(value: &str) -> bool {
    value.starts_with("$argon2id$") && PasswordHash::new(value).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("krótkie", "a@b.pl"), Err(PasswordProblem::TooShort));
        assert_eq!(check("Qwerty123456", "a@b.pl"), Err(PasswordProblem::Common));
        assert_eq!(check("zzzzzzzzzzzzzz", "a@b.pl"), Err(PasswordProblem::Common));
        assert_eq!(check("anna@mops.pl", "Anna@mops.pl"), Err(PasswordProblem::Common));
        assert_eq!(check(&("x".repeat(MAX_CHARS) + "y"), "a@b.pl"), Err(PasswordProblem::TooLong));
        assert_eq!(check("zielona łąka nad Wartą", "a@b.pl"), Ok(()));
        // Characters, not bytes: twelve Polish letters are enough.
        assert_eq!(check("ąęćłńóśźżąęć", "a@b.pl"), Ok(()));
    }

    #[test]
    fn hashes_verify_and_carry_owasp_parameters() {
        let h = hash("zielona łąka nad Wartą").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(is_phc(&h));
        assert!(verify("zielona łąka nad Wartą", &h));
        assert!(!verify("zielona łąka nad Notecią", &h));
        assert!(!verify("x", "not a hash"));
        assert_ne!(h, hash("zielona łąka nad Wartą").unwrap(), "salted");
    }
}
