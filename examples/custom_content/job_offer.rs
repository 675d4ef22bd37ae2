//! The job offer („Oferta pracy”): an integrator's own content kind, in its own file as a
//! built-in kind would be. `examples/custom_content.rs` registers and drives it; the API's
//! and the site's tests include this file to test an integrator's kind.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use witryna_core::content::{plain_text, SearchParts};
use witryna_core::kinds::{KindSpec, Labels};
use witryna_core::validate::{ValidationErrors, Validator};
use witryna_core::{Content, Money};

/// A job offer published by the centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct JobOffer {
    /// Stanowisko (position).
    #[schemars(title = "Stanowisko", description = "Nazwa stanowiska, np. „Asystent rodziny”.")]
    pub(crate) position: String,
    /// Komórka (the unit that hires).
    #[schemars(title = "Komórka", description = "Dział, który zatrudnia, np. „Dział Pomocy Rodzinie”.")]
    pub(crate) unit: String,
    /// Opis stanowiska, CommonMark.
    #[schemars(
        title = "Opis stanowiska",
        description = "Zadania, wymagania i potrzebne dokumenty (w formacie Markdown)."
    )]
    pub(crate) description: String,
    /// Termin składania dokumentów (apply by).
    #[schemars(title = "Termin składania dokumentów", description = "Ostatni dzień na złożenie dokumentów.")]
    pub(crate) apply_by: NaiveDate,
    /// Wynagrodzenie od (gross, when published).
    #[schemars(title = "Wynagrodzenie od", description = "Kwota brutto; zostaw puste, jeśli nie jest podawana.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) salary_from: Option<Money>,
}

impl JobOffer {
    /// Where job offers appear: the one registry line
    /// (`Kinds::builtin().with::<JobOffer>(JobOffer::SPEC)`).
    pub(crate) const SPEC: KindSpec = KindSpec {
        api_segment: "job-offers",
        site_section: "/oferty-pracy",
        labels: Labels { singular: "Oferta pracy", plural: "Oferty pracy", add_new: "Dodaj ofertę pracy" },
    };
}

impl Content for JobOffer {
    const KIND: &'static str = "job-offer";

    fn title(&self) -> &str {
        &self.position
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("position", &self.position, 200);
        v.text("unit", &self.unit, 200);
        v.markdown("description", &self.description, 20_000, true);
        if self.salary_from.is_some_and(|m| m.grosze() <= 0) {
            v.error("salary_from", "not_positive", "must be above zero");
        }
        v.finish()
    }

    fn search_parts(&self) -> SearchParts {
        SearchParts {
            title: self.position.clone(),
            lead: self.unit.clone(),
            body: plain_text(&self.description),
            tags: self.tags(),
        }
    }

    fn tags(&self) -> Vec<String> {
        vec!["praca".into()]
    }
}
