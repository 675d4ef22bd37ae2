//! Logging in and out, and the first-run setup link.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use witryna_accounts::limiter::counted_address;
use witryna_accounts::users::{self, normalise_email, NewUser, UserError};
use witryna_accounts::{password, sessions, setup, Role};
use witryna_core::audit::{Actor, AuditAction};

use super::{html, see_other, Layout};
use crate::error::AdminError;
use crate::session::{self, constant_time_eq, Editor, Posted};
use crate::AdminState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    return_to: String,
    email: String,
    problem: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct LoginQuery {
    powrot: Option<String>,
    komunikat: Option<String>,
}

/// The same words for a wrong address, a wrong password and an inactive account, so the
/// page does not tell which addresses have accounts.
const WRONG: &str = "Nieprawidłowy adres e-mail lub hasło.";

/// A login page (with a fresh double-submit token in its cookie).
fn login_page(
    s: &AdminState,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    return_to: String,
    problem: Option<String>,
    flash: Option<&str>,
) -> Result<Response, AdminError> {
    let token = witryna_accounts::random_secret("wsl_").map_err(|e| AdminError::Internal(e.to_string()))?;
    let page = LoginPage {
        layout: Layout::anonymous("Logowanie").with_flash(flash),
        csrf: token.clone(),
        return_to,
        email,
        problem,
    };
    let mut res = html(status, &page)?;
    res.headers_mut().append(header::SET_COOKIE, s.login_cookie(headers, &token));
    Ok(res)
}

pub(crate) async fn form(
    State(s): State<AdminState>,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    let Query(q) = query.unwrap_or_default();
    let return_to = q.powrot.as_deref().and_then(super::safe_return).unwrap_or_else(|| "/admin".into());
    login_page(&s, &headers, StatusCode::OK, String::new(), return_to, None, q.komunikat.as_deref())
}

/// Checks the login form's double-submit token.
fn check_login_token(s: &AdminState, headers: &HeaderMap, form: &Posted) -> Result<(), AdminError> {
    match (s.login_token(headers), form.get("_csrf")) {
        (Some(cookie), Some(sent)) if constant_time_eq(cookie.as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(AdminError::Csrf),
    }
}

pub(crate) async fn submit(
    State(s): State<AdminState>,
    headers: HeaderMap,
    peer: Result<ConnectInfo<SocketAddr>, axum::extract::rejection::ExtensionRejection>,
    form: Posted,
) -> Result<Response, AdminError> {
    check_login_token(&s, &headers, &form)?;
    let mut email = normalise_email(form.get("email").unwrap_or(""));
    if email.chars().count() > users::MAX_EMAIL_CHARS {
        // No account has such an address; it is neither counted nor shown back.
        email.clear();
    }
    let password = form.get("haslo").unwrap_or("");
    let return_to = form.get("powrot").and_then(super::safe_return).unwrap_or_else(|| "/admin".into());
    let client = peer.ok().map(|ConnectInfo(a)| a.ip());
    let address = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), counted_address);
    let account = witryna_accounts::secret_hash(&email);
    let pair = (account.clone(), address);
    let limits = &s.0.logins;
    let blocked = limits
        .by_pair
        .blocked(&pair)
        .or_else(|| limits.by_address.blocked(&address))
        .or_else(|| limits.by_account.blocked(&account).filter(|_| limits.by_pair.has(&pair)));
    if let Some(seconds) = blocked {
        let minutes = seconds.div_ceil(60);
        let problem = format!("Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {minutes} min.");
        return login_page(&s, &headers, StatusCode::TOO_MANY_REQUESTS, email, return_to, Some(problem), None);
    }
    let user = users::find_user(s.cms(), &email).await?;
    let stored = user.as_ref().map(|u| u.content.password_hash.as_str());
    let accepted =
        password::verify_off_thread(password, stored).await && user.as_ref().is_some_and(|u| u.content.active);
    let user = match user {
        Some(user) if accepted => user,
        user => {
            limits.by_pair.record(pair);
            limits.by_address.record(address);
            limits.by_account.record(account);
            tracing::info!(client = %address, "failed admin login");
            // Logged after the limits: a blocked client (above) writes nothing, so guessing
            // cannot flood the log. The e-mail tried is not kept, only the account it names.
            let actor = match &user {
                Some(u) => session::actor(u, client),
                None => Actor { id: None, name: "nieznane konto".into(), address: client.map(|a| a.to_string()) },
            };
            let why = match &user {
                Some(u) if !u.content.active => "konto wyłączone",
                Some(_) => "błędne hasło",
                None => "nieznany adres e-mail",
            };
            s.cms().acting_as(actor).because(why)?.log_event(AuditAction::LoginFailed, None).await?;
            return login_page(&s, &headers, StatusCode::UNAUTHORIZED, email, return_to, Some(WRONG.into()), None);
        }
    };
    limits.by_pair.clear(&pair);
    let cms = s.cms().acting_as(session::actor(&user, client));
    let (secret, _) = sessions::start(&cms, user.meta.id).await.map_err(|e| AdminError::Internal(e.to_string()))?;
    let mut res = see_other(&return_to);
    res.headers_mut().append(header::SET_COOKIE, s.session_cookie(&headers, Some(&secret)));
    Ok(res)
}

pub(crate) async fn logout(
    State(s): State<AdminState>,
    headers: HeaderMap,
    editor: Editor,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    sessions::end(&editor.cms(&s), &editor.secret).await?;
    let mut res = see_other("/admin/logowanie?komunikat=wylogowano");
    res.headers_mut().append(header::SET_COOKIE, s.session_cookie(&headers, None));
    Ok(res)
}

#[derive(Default)]
struct SetupErrors {
    email: String,
    name: String,
    password: String,
    password2: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    csrf: String,
    email: String,
    name: String,
    errors: SetupErrors,
}

/// The setup link, while it works and no administrator exists.
async fn live_link(
    s: &AdminState,
    secret: &str,
) -> Result<witryna_core::Item<witryna_accounts::setup::SetupLink>, AdminError> {
    let link = setup::find(s.cms(), secret).await?.ok_or(AdminError::NotFound)?;
    if users::has_administrator(s.cms()).await? {
        return Err(AdminError::NotFound);
    }
    Ok(link)
}

fn setup_page(
    s: &AdminState,
    headers: &HeaderMap,
    email: String,
    name: String,
    errors: SetupErrors,
) -> Result<Response, AdminError> {
    let token = witryna_accounts::random_secret("wsl_").map_err(|e| AdminError::Internal(e.to_string()))?;
    let mut layout = Layout::anonymous("Pierwsze konto administratora");
    layout.errors = super::summary(&[
        ("email", "Adres e-mail", &errors.email),
        ("nazwa", "Imię i nazwisko", &errors.name),
        ("haslo", "Hasło", &errors.password),
        ("haslo2", "Powtórz hasło", &errors.password2),
    ]);
    let status = if layout.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SetupPage { layout, csrf: token.clone(), email, name, errors };
    let mut res = html(status, &page)?;
    res.headers_mut().append(header::SET_COOKIE, s.login_cookie(headers, &token));
    Ok(res)
}

pub(crate) async fn setup_form(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, AdminError> {
    live_link(&s, &secret).await?;
    setup_page(&s, &headers, String::new(), String::new(), SetupErrors::default())
}

pub(crate) async fn setup_submit(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    form: Posted,
) -> Result<Response, AdminError> {
    check_login_token(&s, &headers, &form)?;
    let link = live_link(&s, &secret).await?;
    let email = normalise_email(form.get("email").unwrap_or(""));
    let name = form.get("nazwa").unwrap_or("").trim().to_owned();
    let pass = form.get("haslo").unwrap_or("");
    let mut errors = SetupErrors::default();
    if !users::is_email(&email) {
        errors.email = "Wpisz adres e-mail, np. anna.kowalska@mops.example.pl.".into();
    } else if users::find_user(s.cms(), &email).await?.is_some() {
        errors.email = "Konto z tym adresem już istnieje. Podaj inny adres.".into();
    }
    if name.is_empty() || name.chars().count() > users::MAX_NAME_CHARS {
        errors.name = "Wpisz imię i nazwisko (najwyżej 100 znaków).".into();
    }
    if let Err(problem) = password::check(pass, &email) {
        errors.password = problem.polish();
    } else if form.get("haslo2") != Some(pass) {
        errors.password2 = "Hasła się różnią. Wpisz to samo hasło dwa razy.".into();
    }
    if !(errors.email.is_empty() && errors.name.is_empty() && errors.password.is_empty() && errors.password2.is_empty())
    {
        return setup_page(&s, &headers, email, name, errors);
    }
    // Used up first: of two simultaneous submissions, one makes the account.
    if !setup::consume(s.cms(), &link).await? {
        return Err(AdminError::NotFound);
    }
    let new = NewUser { email, display_name: name, role: Role::Administrator, password: pass.to_owned() };
    match users::create_user(s.cms(), new).await {
        Ok(_) => Ok(see_other("/admin/logowanie?komunikat=konto")),
        Err(UserError::Cms(e)) => Err(e.into()),
        Err(e) => Err(AdminError::Internal(e.to_string())),
    }
}
