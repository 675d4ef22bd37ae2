//! API tokens (administrators only): list, make one (its secret shown once), revoke.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use witryna_accounts::{tokens, Role};
use witryna_core::Id;

use super::account::Flash;
use super::{html, see_other, summary, warsaw, Layout};
use crate::error::AdminError;
use crate::session::{Editor, Posted};
use crate::AdminState;

struct TokenRow {
    id: Id,
    name: String,
    role: &'static str,
    created: String,
    creator: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    secret: Option<String>,
    name: String,
    name_error: String,
    role: &'static str,
}

async fn page(
    s: &AdminState,
    editor: &Editor,
    secret: Option<String>,
    name: String,
    name_error: String,
    flash: Option<&str>,
) -> Result<Response, AdminError> {
    let mut tokens = Vec::new();
    for t in tokens::list_tokens(s.cms()).await? {
        let creator = match t.created_by {
            Some(_) => super::account_name(s, t.created_by).await,
            None => "wiersz poleceń".to_owned(),
        };
        tokens.push(TokenRow { id: t.id, name: t.name, role: t.role.label(), created: warsaw(t.created_at), creator });
    }
    let mut layout = Layout::new(s, editor, "Tokeny API", "/admin/tokeny").with_flash(flash);
    layout.errors = summary(&[("nazwa", "Nazwa tokenu", &name_error)]);
    let status = if name_error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    html(status, &TokensPage { layout, tokens, secret, name, name_error, role: "editor" })
}

pub(crate) async fn list(
    State(s): State<AdminState>,
    editor: Editor,
    flash: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let flash = flash.ok().and_then(|Query(f)| f.komunikat);
    page(&s, &editor, None, String::new(), String::new(), flash.as_deref()).await
}

pub(crate) async fn create(State(s): State<AdminState>, editor: Editor, form: Posted) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let name = form.get("nazwa").unwrap_or("").trim().to_owned();
    let role: Role = form.get("rola").and_then(|r| r.parse().ok()).unwrap_or(Role::Editor);
    if name.is_empty() || name.chars().count() > tokens::MAX_NAME_CHARS {
        let error = "Wpisz nazwę tokenu (do czego lub dla kogo jest), najwyżej 100 znaków.".to_owned();
        return page(&s, &editor, None, name, error, None).await;
    }
    let made =
        tokens::create_token(&editor.cms(&s), role, &name).await.map_err(|e| AdminError::Internal(e.to_string()))?;
    page(&s, &editor, Some(made.token), String::new(), String::new(), None).await
}

pub(crate) async fn revoke(
    State(s): State<AdminState>,
    editor: Editor,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let id: Id = id.parse().map_err(|_| AdminError::NotFound)?;
    tokens::revoke_token(&editor.cms(&s), id).await?;
    Ok(see_other("/admin/tokeny?komunikat=usunieto"))
}
