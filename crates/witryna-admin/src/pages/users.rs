//! Users (administrators only): list, add a colleague, change a name, role, active flag or
//! set a new password.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use witryna_accounts::users::{self, NewUser, UserError};
use witryna_accounts::{password, Role};
use witryna_core::Id;

use super::account::Flash;
use super::{html, see_other, summary, warsaw, Layout};
use crate::error::AdminError;
use crate::session::{Editor, Posted};
use crate::AdminState;

struct UserRow {
    name: String,
    email: String,
    role: &'static str,
    active: bool,
    href: String,
    created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
}

pub(crate) async fn list(
    State(s): State<AdminState>,
    editor: Editor,
    flash: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let users = users::list_users(s.cms())
        .await?
        .into_iter()
        .map(|u| UserRow {
            href: format!("/admin/uzytkownicy/{}", u.meta.id),
            name: u.content.display_name,
            email: u.content.email,
            role: u.content.role.label(),
            active: u.content.active,
            created: warsaw(u.meta.created_at),
        })
        .collect();
    let flash = flash.ok().and_then(|Query(f)| f.komunikat);
    let layout = Layout::new(&s, &editor, "Użytkownicy", "/admin/uzytkownicy").with_flash(flash.as_deref());
    html(StatusCode::OK, &UsersPage { layout, users })
}

#[derive(Default)]
struct UserErrors {
    email: String,
    name: String,
    role: String,
    password: String,
    active: String,
}

impl UserErrors {
    fn any(&self) -> bool {
        !(self.email.is_empty()
            && self.name.is_empty()
            && self.role.is_empty()
            && self.password.is_empty()
            && self.active.is_empty())
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    new: bool,
    email: String,
    name: String,
    role: &'static str,
    active: bool,
    version: u64,
    errors: UserErrors,
}

fn user_page(
    s: &AdminState,
    editor: &Editor,
    page: (bool, String, String, Role, bool, u64),
    errors: UserErrors,
) -> Result<Response, AdminError> {
    let (new, email, name, role, active, version) = page;
    let title = if new { "Nowe konto".to_owned() } else { format!("Konto: {name}") };
    let mut layout = Layout::new(s, editor, &title, "/admin/uzytkownicy");
    layout.errors = summary(&[
        ("email", "Adres e-mail", &errors.email),
        ("nazwa", "Imię i nazwisko", &errors.name),
        ("rola", "Rola", &errors.role),
        ("haslo", if new { "Hasło startowe" } else { "Nowe hasło" }, &errors.password),
        ("aktywne", "Konto aktywne", &errors.active),
    ]);
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &UserPage { layout, new, email, name, role: role.as_str(), active, version, errors })
}

pub(crate) async fn new_form(State(s): State<AdminState>, editor: Editor) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    user_page(&s, &editor, (true, String::new(), String::new(), Role::Author, true, 0), UserErrors::default())
}

/// The fields both forms share: name and role.
fn name_and_role(form: &Posted, errors: &mut UserErrors) -> (String, Role) {
    let name = form.get("nazwa").unwrap_or("").trim().to_owned();
    if name.is_empty() || name.chars().count() > users::MAX_NAME_CHARS {
        errors.name = "Wpisz imię i nazwisko (najwyżej 100 znaków).".into();
    }
    let role = form.get("rola").and_then(|r| r.parse().ok()).unwrap_or_else(|| {
        errors.role = "Wybierz rolę.".into();
        Role::Author
    });
    (name, role)
}

pub(crate) async fn create(State(s): State<AdminState>, editor: Editor, form: Posted) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let mut errors = UserErrors::default();
    let email = users::normalise_email(form.get("email").unwrap_or(""));
    if !users::is_email(&email) {
        errors.email = "Wpisz adres e-mail, np. anna.kowalska@mops.example.pl.".into();
    }
    let (name, role) = name_and_role(&form, &mut errors);
    let pass = form.get("haslo").unwrap_or("").to_owned();
    if let Err(problem) = password::check(&pass, &email) {
        errors.password = problem.polish();
    }
    if !errors.any() {
        let new = NewUser { email: email.clone(), display_name: name.clone(), role, password: pass };
        match users::create_user(&editor.cms(&s), new).await {
            Ok(_) => return Ok(see_other("/admin/uzytkownicy?komunikat=uzytkownik")),
            Err(UserError::EmailTaken(_)) => errors.email = "Konto z tym adresem już istnieje.".into(),
            Err(UserError::Cms(e)) => return Err(e.into()),
            Err(e) => return Err(AdminError::Internal(e.to_string())),
        }
    }
    user_page(&s, &editor, (true, email, name, role, true, 0), errors)
}

async fn load(s: &AdminState, id: &str) -> Result<witryna_core::Item<witryna_accounts::User>, AdminError> {
    let id: Id = id.parse().map_err(|_| AdminError::NotFound)?;
    users::get_user(s.cms(), id).await?.ok_or(AdminError::NotFound)
}

pub(crate) async fn edit_form(
    State(s): State<AdminState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let u = load(&s, &id).await?;
    let page = (false, u.content.email, u.content.display_name, u.content.role, u.content.active, u.meta.version);
    user_page(&s, &editor, page, UserErrors::default())
}

pub(crate) async fn update(
    State(s): State<AdminState>,
    editor: Editor,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let u = load(&s, &id).await?;
    let mut errors = UserErrors::default();
    let (name, role) = name_and_role(&form, &mut errors);
    let active = form.get("aktywne") == Some("1");
    let pass = form.get("haslo").unwrap_or("");
    if !pass.is_empty() {
        if let Err(problem) = password::check(pass, &u.content.email) {
            errors.password = problem.polish();
        }
    }
    let version: u64 = form.get("_wersja").and_then(|v| v.parse().ok()).unwrap_or(0);
    if !errors.any() {
        let cms = editor.cms(&s);
        match users::update_user(&cms, u.meta.id, version, &name, role, active).await {
            Ok(_) => {
                if !pass.is_empty() {
                    // An administrator's reset ends the user's sessions (all of them, unless
                    // it is the administrator's own account: then all but this one).
                    let keep = (u.meta.id == editor.id()).then_some(editor.session.id);
                    users::set_password(&cms, u.meta.id, pass, keep)
                        .await
                        .map_err(|e| AdminError::Internal(e.to_string()))?;
                }
                return Ok(see_other("/admin/uzytkownicy?komunikat=uzytkownik"));
            }
            Err(UserError::LastAdministrator) => {
                errors.active = "To ostatni aktywny administrator: musi nim pozostać.".into();
            }
            Err(UserError::Cms(witryna_core::CmsError::Conflict { .. })) => {
                errors.name = "Ktoś zmienił to konto w międzyczasie. Odśwież stronę i wprowadź zmiany ponownie.".into();
            }
            Err(UserError::Cms(e)) => return Err(e.into()),
            Err(e) => return Err(AdminError::Internal(e.to_string())),
        }
    }
    user_page(&s, &editor, (false, u.content.email, name, role, active, u.meta.version), errors)
}
