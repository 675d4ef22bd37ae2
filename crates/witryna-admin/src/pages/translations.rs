//! Translations in the editor: every Polish item's list row and page say where its English
//! and Ukrainian versions stand (brak / szkic / opublikowane / nieaktualne), a missing one is
//! one link away (`/admin/{section}/{id}/tlumaczenie/{locale}`, a form filled with the
//! Polish text to write over), and a translation's form has its Polish source beside it.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use witryna_core::cms::{TranslationState, TranslationStatus};
use witryna_core::locales::{self, Locale};
use witryna_core::{Id, Kind, Record};

use super::items::{self, item_href, title_of, FormState};
use crate::error::AdminError;
use crate::form;
use crate::session::{Editor, Posted};
use crate::AdminState;

/// One language of a Polish item: where its translation stands and where to go.
pub(crate) struct LanguageLine {
    /// The language in itself („English”).
    pub(crate) name: &'static str,
    /// Its code, for `lang`.
    pub(crate) code: &'static str,
    /// The state in Polish („nieaktualne”).
    pub(crate) state: &'static str,
    /// The translation's form, or the form that starts it.
    pub(crate) href: String,
    /// The link's words („Edytuj”, „Dodaj tłumaczenie”).
    pub(crate) action: &'static str,
}

/// A translation's Polish source, shown beside its form.
pub(crate) struct SourcePanel {
    pub(crate) title: String,
    pub(crate) href: String,
    /// The source's words, labelled by field.
    pub(crate) texts: Vec<(String, String)>,
    /// The source changed after the translation was last written.
    pub(crate) outdated: bool,
    /// The translation's language in Polish („ukraiński”).
    pub(crate) language: &'static str,
}

/// A translation being started: its source and language.
#[derive(Clone)]
pub(crate) struct NewTranslation {
    pub(crate) source: Record,
    pub(crate) locale: Locale,
}

/// What an edit page shows of translations.
#[derive(Default)]
pub(crate) struct TranslationView {
    pub(crate) languages: Vec<LanguageLine>,
    pub(crate) source: Option<SourcePanel>,
    /// The language of the content being edited (`lang` on its fields), when not Polish.
    pub(crate) lang: Option<&'static str>,
}

fn state_label(state: TranslationState) -> &'static str {
    match state {
        TranslationState::Missing => "brak",
        TranslationState::Draft => "szkic",
        TranslationState::Published => "opublikowane",
        TranslationState::Outdated => "nieaktualne – polski tekst zmienił się później",
    }
}

/// The language's name in Polish, as the editor's sentences need it.
fn polish_name(code: &str) -> &'static str {
    match code {
        "en" => "angielski",
        "uk" => "ukraiński",
        _ => "polski",
    }
}

fn line(kind: &Kind, source: Id, status: &TranslationStatus) -> LanguageLine {
    let locale = locales::find(status.locale).unwrap_or(locales::POLISH);
    let (href, action) = match &status.translation {
        Some(meta) => (item_href(kind, meta.id), "Edytuj"),
        None => (format!("{}/tlumaczenie/{}", item_href(kind, source), locale.code), "Dodaj tłumaczenie"),
    };
    LanguageLine { name: locale.name, code: locale.code, state: state_label(status.state), href, action }
}

/// The languages of a Polish item for its list row; none for kinds without translations
/// and for translations themselves.
pub(crate) async fn languages(s: &AdminState, kind: &Kind, record: &Record) -> Result<Vec<LanguageLine>, AdminError> {
    if !kind.is_translatable() || record.meta.translation_of.is_some() || record.meta.locale != locales::POLISH.code {
        return Ok(Vec::new());
    }
    let statuses = s.cms().translation_status(record).await?;
    Ok(statuses.iter().map(|st| line(kind, record.meta.id, st)).collect())
}

/// What the edit page of `record` (or of a translation being started) shows of translations.
pub(crate) async fn view(
    s: &AdminState,
    kind: &Kind,
    schema: &Value,
    record: Option<&Record>,
    new: Option<&NewTranslation>,
) -> Result<TranslationView, AdminError> {
    let (source, locale) = match (new, record) {
        (Some(n), _) => (Some(n.source.clone()), n.locale.code),
        (None, Some(r)) => match r.meta.translation_of {
            Some(link) => (
                s.cms().get_record(kind.name(), link.id).await.ok(),
                locales::find(&r.meta.locale).map_or("pl", |l| l.code),
            ),
            None => {
                return Ok(TranslationView { languages: languages(s, kind, r).await?, ..TranslationView::default() });
            }
        },
        (None, None) => return Ok(TranslationView::default()),
    };
    let Some(source) = source else {
        return Ok(TranslationView { lang: Some(locale), ..TranslationView::default() });
    };
    let outdated = match record {
        Some(r) => s.cms().translation_status(&source).await?.iter().any(|st| {
            st.state == TranslationState::Outdated && st.translation.as_ref().is_some_and(|m| m.id == r.meta.id)
        }),
        None => false,
    };
    let stored: Value = serde_json::from_str(&source.body).unwrap_or(Value::Null);
    // Ids of files are not words to translate.
    let texts = form::texts(schema, &stored).into_iter().filter(|(_, t)| t.parse::<Id>().is_err()).collect();
    let panel = SourcePanel {
        title: title_of(kind, &source),
        href: item_href(kind, source.meta.id),
        texts,
        outdated,
        language: polish_name(locale),
    };
    Ok(TranslationView { languages: Vec::new(), source: Some(panel), lang: Some(locale) })
}

/// The source and language of `/admin/{section}/{id}/tlumaczenie/{locale}`: a Polish item
/// of a kind with translations, and a language the site has turned on.
async fn new_translation(
    s: &AdminState,
    editor: &Editor,
    section: &str,
    id: &str,
    code: &str,
) -> Result<(Kind, NewTranslation), AdminError> {
    let (kind, source) = items::item_for(s, editor, section, id).await?;
    let locale = s.cms().locales().get(code).filter(|l| *l != locales::POLISH).ok_or(AdminError::NotFound)?;
    if !kind.is_translatable() || source.meta.translation_of.is_some() || source.meta.locale != locales::POLISH.code {
        return Err(AdminError::NotFound);
    }
    Ok((kind, NewTranslation { source, locale }))
}

/// The form of a new translation, filled with the Polish text to write over.
pub(crate) async fn new_form(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id, code)): Path<(String, String, String)>,
) -> Result<Response, AdminError> {
    let (kind, new) = new_translation(&s, &editor, &section, &id, &code).await?;
    // One translation per language: the existing one is edited instead.
    if let Some(existing) = s.cms().translation(new.source.meta.id, new.locale.code).await? {
        return Ok(super::see_other(&item_href(&kind, existing.meta.id)));
    }
    let value = serde_json::from_str(&new.source.body).unwrap_or(Value::Null);
    items::form_page(&s, &editor, FormState::new(kind, value).translating(new), None).await
}

/// Saves a new translation (and publishes or schedules it when asked).
pub(crate) async fn create(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id, code)): Path<(String, String, String)>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let (kind, new) = new_translation(&s, &editor, &section, &id, &code).await?;
    items::create_item(&s, &editor, kind, form, Some(new)).await
}
