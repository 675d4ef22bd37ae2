//! An integrator's own content type — a job offer („Oferta pracy”) — stored, published,
//! listed and found by slug exactly like the built-in types, on the sled backend, without
//! touching it.
//!
//! ```text
//! cargo run --example custom_content
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use witryna::sled::SledStore;
use witryna::validate::{ValidationErrors, Validator};
use witryna::{Cms, Content, Money, Query, SlugLookup, View};

/// A job offer published by the centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobOffer {
    position: String,
    unit: String,
    description: String,
    apply_by: NaiveDate,
    salary_from: Option<Money>,
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
        v.text("description", &self.description, 20_000);
        if self.salary_from.is_some_and(|m| m.grosze() <= 0) {
            v.error("salary_from", "not_positive", "must be above zero");
        }
        v.finish()
    }

    fn search_text(&self) -> String {
        format!("{}\n\n{}", self.position, self.description)
    }

    fn tags(&self) -> Vec<String> {
        vec!["praca".into()]
    }
}

async fn run(dir: &std::path::Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let cms = Cms::new(Arc::new(SledStore::open(dir)?));
    let offer = JobOffer {
        position: "Pracownik socjalny".into(),
        unit: "Miejski Ośrodek Pomocy Społecznej w Kaliszu".into(),
        description: "Praca socjalna z rodzinami w rejonie opiekuńczym.".into(),
        apply_by: NaiveDate::from_ymd_opt(2026, 12, 15).ok_or("date")?,
        salary_from: Some("5 200,00 zł".parse()?),
    };
    let item = cms.create(offer).await?;
    cms.publish(item.meta.id, item.meta.version, None).await?;

    let bad = JobOffer { position: String::new(), salary_from: Some(Money::ZERO), ..item.content.clone() };
    let err = cms.create(bad).await.expect_err("invalid offers are refused");
    println!("refused: {err}");

    let mut lines = Vec::new();
    for offer in cms.list::<JobOffer>(Query::default()).await?.items {
        let salary = offer.content.salary_from.map(|m| format!(", od {m}")).unwrap_or_default();
        lines.push(format!("{} — {} (do {}){salary}", offer.meta.slug, offer.content.position, offer.content.apply_by));
    }
    if let SlugLookup::Found(found) = cms.find::<JobOffer>("pracownik-socjalny", View::Public).await? {
        lines.push(format!("found by slug: version {}", found.meta.version));
    }
    Ok(lines)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    for line in run(dir.path()).await? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_custom_type_works_like_the_built_in_ones() {
        let dir = tempfile::tempdir().unwrap();
        let lines = super::run(dir.path()).await.unwrap();
        assert_eq!(
            lines,
            ["pracownik-socjalny — Pracownik socjalny (do 2026-12-15), od 5 200,00 zł", "found by slug: version 2"]
        );
    }
}
