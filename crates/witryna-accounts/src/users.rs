//! Editors' accounts: e-mail login, display name (shown as the author), role, active
//! flag and the Argon2id hash of the password.
//!
//! A user is an item of the internal `user` kind whose slug is the SHA-256 of the
//! normalised (trimmed, lower-case) e-mail address: logging in is one point read, and the
//! address itself appears only in the item's content. Every change is a revision.

use serde::{Deserialize, Serialize};
use witryna_core::audit::AuditAction;
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Cms, CmsError, Content, CreateOptions, Id, Item};

use crate::password::{self, PasswordProblem};
use crate::{secret_hash, Role};

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login: an e-mail address, stored normalised (trimmed, lower case).
    pub email: String,
    /// The name shown as the author, e.g. „Anna Kowalska”.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// Whether the account may log in.
    pub active: bool,
    /// Argon2id hash of the password (PHC string).
    pub password_hash: String,
}

impl Content for User {
    const KIND: &'static str = "user";

    fn title(&self) -> &str {
        &self.display_name
    }

    fn slug_source(&self) -> std::borrow::Cow<'_, str> {
        self.email.as_str().into()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("display_name", &self.display_name, MAX_NAME_CHARS);
        if !is_email(&self.email) || self.email != normalise_email(&self.email) {
            v.error("email", "invalid_email", "must be an e-mail address, trimmed and in lower case");
        }
        if !password::is_phc(&self.password_hash) {
            v.error("password_hash", "invalid_hash", "must be an Argon2id hash in PHC form");
        }
        v.finish()
    }
}

/// The form an e-mail address is stored and looked up in.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether a text looks like an e-mail address: one `@` with something printable and
/// without spaces on both sides, a dot in the domain, at most [`MAX_EMAIL_CHARS`].
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

fn email_slug(email: &str) -> String {
    secret_hash(&normalise_email(email))
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// The password in clear (checked against the policy, then only its hash is kept).
    pub password: String,
}

/// Why an account could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Not an e-mail address.
    #[error("{0:?} is not an e-mail address")]
    InvalidEmail(String),
    /// Another account has this address.
    #[error("an account with the address {0} exists")]
    EmailTaken(String),
    /// The password breaks the policy.
    #[error(transparent)]
    Password(#[from] PasswordProblem),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
    /// The last active administrator cannot be demoted or deactivated.
    #[error("the last active administrator must stay an active administrator")]
    LastAdministrator,
    /// The Cms refused (e.g. an empty name) or the store failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

/// Makes an account (checks the address, its uniqueness and the password policy).
pub async fn create_user(cms: &Cms, new: NewUser) -> Result<Item<User>, UserError> {
    let email = normalise_email(&new.email);
    if !is_email(&email) {
        return Err(UserError::InvalidEmail(new.email));
    }
    password::check(&new.password, &email)?;
    if find_user(cms, &email).await?.is_some() {
        return Err(UserError::EmailTaken(email));
    }
    let slug = email_slug(&email);
    let user = User {
        email: email.clone(),
        display_name: new.display_name.trim().to_owned(),
        role: new.role,
        active: true,
        password_hash: password::hash_off_thread(&new.password).await?,
    };
    let options = CreateOptions { slug: Some(slug.clone()), locale: None, translation_of: None };
    let item = cms.logged_as(AuditAction::UserCreated).create_with(user, options).await?;
    if item.meta.slug != slug {
        // Another request made the same address between the check and the write, and the
        // Cms gave this one a suffixed slug: take it back.
        cms.delete(item.meta.id, item.meta.version).await?;
        return Err(UserError::EmailTaken(email));
    }
    Ok(item)
}

/// The account with this e-mail address, if any.
pub async fn find_user(cms: &Cms, email: &str) -> Result<Option<Item<User>>, CmsError> {
    crate::find_by_slug::<User>(cms, &email_slug(email)).await
}

/// The account with this id, if any.
pub async fn get_user(cms: &Cms, id: Id) -> Result<Option<Item<User>>, CmsError> {
    match cms.get::<User>(id).await {
        Ok(item) => Ok(Some(item)),
        Err(CmsError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every account, newest first.
pub async fn list_users(cms: &Cms) -> Result<Vec<Item<User>>, CmsError> {
    crate::all_of::<User>(cms, None).await
}

/// Whether any active administrator exists.
pub async fn has_administrator(cms: &Cms) -> Result<bool, CmsError> {
    Ok(list_users(cms).await?.iter().any(|u| u.content.active && u.content.role == Role::Administrator))
}

/// Changes an account's name, role and active flag at `expected_version`. The last
/// active administrator cannot be demoted or deactivated. Deactivating ends the account's
/// sessions and revokes the preview links and API tokens it made.
pub async fn update_user(
    cms: &Cms,
    id: Id,
    expected_version: u64,
    display_name: &str,
    role: Role,
    active: bool,
) -> Result<Item<User>, UserError> {
    let current = cms.get::<User>(id).await?;
    let was_admin = current.content.active && current.content.role == Role::Administrator;
    if was_admin && !(active && role == Role::Administrator) {
        let admins =
            list_users(cms).await?.iter().filter(|u| u.content.active && u.content.role == Role::Administrator).count();
        if admins <= 1 {
            return Err(UserError::LastAdministrator);
        }
    }
    let (action, note) = if role != current.content.role {
        (AuditAction::RoleChanged, format!("rola: {} → {}", current.content.role.label(), role.label()))
    } else if active != current.content.active {
        (AuditAction::UserChanged, if active { "konto włączone" } else { "konto wyłączone" }.to_owned())
    } else {
        (AuditAction::UserChanged, "dane konta".to_owned())
    };
    let user = User { display_name: display_name.trim().to_owned(), role, active, ..current.content };
    let item = cms.logged_as(action).because(&note)?.update(id, expected_version, user).await?;
    if !active {
        withdraw_access(cms, id).await?;
    }
    Ok(item)
}

/// Everything a deactivated account could still get in with ends: its sessions, the
/// preview links it made, and the API tokens it made (someone may have kept a copy).
async fn withdraw_access(cms: &Cms, id: Id) -> Result<(), CmsError> {
    crate::sessions::end_all_of(cms, id, None).await?;
    crate::previews::revoke_made_by(cms, id).await?;
    for token in crate::tokens::list_tokens(cms).await? {
        if token.created_by == Some(id) {
            match crate::tokens::revoke_token(cms, token.id).await {
                Ok(()) | Err(CmsError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Sets a new password (policy checked) and ends every session of the account except
/// `keep` (the one that made the change, if any).
pub async fn set_password(cms: &Cms, id: Id, password: &str, keep: Option<Id>) -> Result<Item<User>, UserError> {
    let current = cms.get::<User>(id).await?;
    password::check(password, &current.content.email)?;
    let user = User { password_hash: password::hash_off_thread(password).await?, ..current.content };
    let item = cms.logged_as(AuditAction::PasswordChanged).update(id, current.meta.version, user).await?;
    crate::sessions::end_all_of(cms, id, keep).await?;
    Ok(item)
}
