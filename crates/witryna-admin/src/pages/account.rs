//! The editor's own password.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use witryna_accounts::{password, users};

use super::{html, see_other, Layout};
use crate::error::AdminError;
use crate::session::{Editor, Posted};
use crate::AdminState;

#[derive(Default)]
pub(crate) struct PasswordErrors {
    current: String,
    password: String,
    password2: String,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: PasswordErrors,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Flash {
    pub(crate) komunikat: Option<String>,
}

pub(crate) async fn password_form(
    State(s): State<AdminState>,
    editor: Editor,
    query: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    let flash = query.ok().and_then(|Query(f)| f.komunikat);
    let layout = Layout::new(&s, &editor, "Zmień hasło", "/admin/haslo").with_flash(flash.as_deref());
    html(StatusCode::OK, &PasswordPage { layout, errors: PasswordErrors::default() })
}

pub(crate) async fn password_submit(
    State(s): State<AdminState>,
    editor: Editor,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let user = &editor.session.user.content;
    let new = form.get("haslo").unwrap_or("");
    let mut errors = PasswordErrors::default();
    // Guesses of the current password through a session left open count like failed logins.
    let account = witryna_accounts::secret_hash(&user.email);
    let limits = &s.0.logins.by_account;
    if let Some(seconds) = limits.blocked(&account) {
        errors.current = format!("Zbyt wiele nieudanych prób. Spróbuj ponownie za {} min.", seconds.div_ceil(60));
    } else if !password::verify_off_thread(form.get("obecne").unwrap_or(""), Some(&user.password_hash)).await {
        limits.record(account);
        errors.current = "Obecne hasło się nie zgadza.".into();
    }
    if let Err(problem) = password::check(new, &user.email) {
        errors.password = problem.polish();
    } else if form.get("haslo2") != Some(new) {
        errors.password2 = "Hasła się różnią. Wpisz to samo hasło dwa razy.".into();
    }
    if !(errors.current.is_empty() && errors.password.is_empty() && errors.password2.is_empty()) {
        let mut layout = Layout::new(&s, &editor, "Zmień hasło", "/admin/haslo");
        layout.errors = super::summary(&[
            ("obecne", "Obecne hasło", &errors.current),
            ("haslo", "Nowe hasło", &errors.password),
            ("haslo2", "Powtórz nowe hasło", &errors.password2),
        ]);
        return html(StatusCode::UNPROCESSABLE_ENTITY, &PasswordPage { layout, errors });
    }
    users::set_password(&editor.cms(&s), editor.id(), new, Some(editor.session.id))
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    Ok(see_other("/admin/haslo?komunikat=haslo"))
}
