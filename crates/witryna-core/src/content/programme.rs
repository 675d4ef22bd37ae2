use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{join_text, limits, plain_text, Attachment, Content, Image, MediaRef, MediaRefs, SearchParts};
use crate::kinds::{KindSpec, Labels};
use crate::money::Money;
use crate::validate::{ValidationErrors, Validator};

/// A funded project or programme page (EU funds, ministry programmes), e.g. „Równi na
/// starcie” (WRPO 2014–2020, EFS) or „Aktywni w KIS” (a ministry programme).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// Project name.
    #[schemars(title = "Nazwa projektu", description = "Pełna nazwa, np. „Równi na starcie”.")]
    pub name: String,
    /// One-paragraph summary for lists.
    #[schemars(title = "Streszczenie", description = "Jeden akapit widoczny na liście projektów.")]
    #[serde(default)]
    pub summary: String,
    /// The page, CommonMark.
    #[schemars(title = "Opis projektu", description = "Pełny tekst strony projektu (w formacie Markdown).")]
    #[serde(default)]
    pub body: String,
    /// The project's objective („Cel projektu”).
    #[schemars(title = "Cel projektu", description = "Co projekt ma osiągnąć.")]
    #[serde(default)]
    pub objective: String,
    /// Effects achieved or expected („Efekty”).
    #[schemars(title = "Efekty", description = "Rezultaty osiągnięte lub oczekiwane.")]
    #[serde(default)]
    pub effects: String,
    /// Where the money comes from.
    #[schemars(
        title = "Źródło finansowania",
        description = "Z jakiego programu pochodzą pieniądze; z tych danych powstaje pasek z logotypami."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<Funding>,
    /// When it runs.
    #[schemars(title = "Okres realizacji", description = "Pierwszy i ostatni dzień projektu.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The beneficiary (usually the centre itself).
    #[schemars(title = "Beneficjent", description = "Kto realizuje projekt, zwykle sam ośrodek, np. „MOPS Kalisz”.")]
    pub beneficiary: String,
    /// Partner organisations.
    #[schemars(title = "Partnerzy", description = "Organizacje współpracujące przy projekcie.")]
    #[serde(default)]
    pub partners: Vec<Partner>,
    /// People and their roles (coordinator, speakers...).
    #[schemars(
        title = "Osoby",
        description = "Osoby związane z projektem i ich role, np. koordynator, prowadzący zajęcia."
    )]
    #[serde(default)]
    pub people: Vec<Person>,
    /// Who it is for.
    #[schemars(
        title = "Grupy docelowe",
        description = "Do kogo skierowany jest projekt; każda grupa osobno, np. seniorzy, rodziny z dziećmi."
    )]
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// What is done (trainings, support groups...).
    #[schemars(
        title = "Działania",
        description = "Co się robi w projekcie; każde działanie osobno, np. szkolenia, grupy wsparcia."
    )]
    #[serde(default)]
    pub activities: Vec<String>,
    /// Exact budget.
    #[schemars(
        title = "Budżet",
        description = "Kwoty z umowy o dofinansowanie; wpisz te, które znasz. Dofinansowanie i wkład własny muszą dawać razem wartość projektu."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// Measured results: target vs achieved.
    #[schemars(
        title = "Wskaźniki",
        description = "Mierzone rezultaty: ile zaplanowano i ile osiągnięto, np. zrekrutowani uczestnicy: 145."
    )]
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// How to take part („Rekrutacja”), CommonMark.
    #[schemars(title = "Rekrutacja", description = "Jak wziąć udział w projekcie (w formacie Markdown).")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruitment: Option<String>,
    /// Tags for filtering.
    #[schemars(title = "Tagi", description = "Słowa do filtrowania listy, każde osobno, np. kis, efs.")]
    #[serde(default)]
    pub tags: Vec<String>,
    /// Documents to download: regulations, recruitment forms, reports.
    #[schemars(title = "Załączniki", description = "Dokumenty do pobrania, np. regulamin rekrutacji lub formularz.")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// The funding source with what the EU logo bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    /// Programme, e.g. „Wielkopolski Regionalny Program Operacyjny na lata 2014–2020”.
    #[schemars(title = "Program", description = "Np. „Wielkopolski Regionalny Program Operacyjny na lata 2014–2020”.")]
    pub programme: String,
    /// Priority axis, e.g. „Oś priorytetowa 7: Włączenie społeczne”.
    #[schemars(title = "Oś priorytetowa", description = "Np. „Oś priorytetowa 7: Włączenie społeczne”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_axis: Option<String>,
    /// Action („Działanie 7.2”).
    #[schemars(title = "Działanie", description = "Np. „Działanie 7.2”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Sub-action („Poddziałanie 7.2.1”).
    #[schemars(title = "Poddziałanie", description = "Np. „Poddziałanie 7.2.1”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_action: Option<String>,
    /// The fund, e.g. `EFS` (Europejski Fundusz Społeczny); none for national programmes.
    #[schemars(
        title = "Fundusz",
        description = "Fundusz unijny, np. EFS (Europejski Fundusz Społeczny). Przy programach krajowych zostaw puste."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
    /// The funder when not an EU fund, e.g. a ministry.
    #[schemars(
        title = "Instytucja finansująca",
        description = "Gdy pieniądze nie pochodzą z funduszu unijnego, np. ministerstwo."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funder: Option<String>,
    /// Slogan of the programme, e.g. „Człowiek – najlepsza inwestycja”.
    #[schemars(title = "Hasło programu", description = "Np. „Człowiek – najlepsza inwestycja”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slogan: Option<String>,
    /// The strip of funding marks (the EU and national logos) an EU-funded project must show.
    #[schemars(
        title = "Pasek znaków funduszy",
        description = "Obrazek z logotypami (Fundusze Europejskie, barwy RP, Unia Europejska); opis wymienia je słowami."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Image>,
}

/// Start and end dates, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    #[schemars(title = "Data rozpoczęcia", description = "Pierwszy dzień projektu.")]
    pub start: NaiveDate,
    /// Last day.
    #[schemars(
        title = "Data zakończenia",
        description = "Ostatni dzień projektu, nie wcześniej niż data rozpoczęcia."
    )]
    pub end: NaiveDate,
}

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Name, e.g. „Fundacja »Z Godnością«”.
    #[schemars(title = "Nazwa organizacji", description = "Np. „Fundacja »Z Godnością«”.")]
    pub name: String,
    /// Role in the project, if stated.
    #[schemars(title = "Rola w projekcie", description = "Jeśli jest określona, np. „partner merytoryczny”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A named person with a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name.
    #[schemars(title = "Imię i nazwisko", description = "Np. Anna Kowalska.")]
    pub name: String,
    /// Role, e.g. „koordynator projektu”.
    #[schemars(title = "Rola", description = "Np. „koordynator projektu”.")]
    pub role: String,
    /// Organisation, if not the beneficiary.
    #[schemars(
        title = "Organizacja",
        description = "Wypełnij, jeśli osoba reprezentuje inną organizację niż beneficjent."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// Exact budget in grosze. Any part may be unknown; given parts must add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Total value of the project („wartość projektu”).
    #[schemars(title = "Wartość projektu", description = "Cała kwota projektu.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// Co-financing / grant („dofinansowanie”).
    #[schemars(title = "Dofinansowanie", description = "Kwota dotacji; nie większa niż wartość projektu.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_financing: Option<Money>,
    /// Own contribution („wkład własny”).
    #[schemars(title = "Wkład własny", description = "Część kosztów pokrywana przez beneficjenta.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_contribution: Option<Money>,
}

/// A measured result: e.g. „zrekrutowani uczestnicy”: achieved 145.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// What is counted.
    #[schemars(title = "Nazwa wskaźnika", description = "Co jest liczone, np. „zrekrutowani uczestnicy”.")]
    pub label: String,
    /// The planned value, if known.
    #[schemars(title = "Wartość docelowa", description = "Ile zaplanowano, np. 150.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    /// The value reached so far, if known.
    #[schemars(
        title = "Wartość osiągnięta",
        description = "Ile osiągnięto do tej pory, np. 145. Podaj co najmniej jedną z dwóch wartości."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved: Option<u64>,
    /// Unit of measure, e.g. „osób”.
    #[schemars(title = "Jednostka miary", description = "Np. „osób”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Where a programme stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProgrammeStatus {
    /// Before its start date.
    #[schemars(title = "Planowany")]
    Planned,
    /// Between start and end, inclusive.
    #[schemars(title = "W realizacji")]
    Ongoing,
    /// After its end date.
    #[schemars(title = "Zakończony")]
    Completed,
}

impl ProgrammeStatus {
    /// Polish label for the site.
    pub fn label_pl(self) -> &'static str {
        match self {
            ProgrammeStatus::Planned => "planowany",
            ProgrammeStatus::Ongoing => "w realizacji",
            ProgrammeStatus::Completed => "zakończony",
        }
    }
}

impl Programme {
    /// The status on a date, from the period; `None` without a period.
    pub fn status_on(&self, date: NaiveDate) -> Option<ProgrammeStatus> {
        let p = self.period?;
        Some(if date < p.start {
            ProgrammeStatus::Planned
        } else if date > p.end {
            ProgrammeStatus::Completed
        } else {
            ProgrammeStatus::Ongoing
        })
    }
}

impl Budget {
    fn check(&self, v: &mut Validator) {
        for (field, value) in
            [("total", self.total), ("co_financing", self.co_financing), ("own_contribution", self.own_contribution)]
        {
            if value.is_some_and(|m| m.grosze() < 0) {
                v.error(field, "negative", "must not be negative");
            }
        }
        if let (Some(total), Some(co)) = (self.total, self.co_financing) {
            if co > total {
                v.error("co_financing", "exceeds_total", format!("co-financing {co} is above the total {total}"));
            }
        }
        if let (Some(total), Some(co), Some(own)) = (self.total, self.co_financing, self.own_contribution) {
            if co.checked_add(own) != Some(total) {
                v.error(
                    "total",
                    "sum_mismatch",
                    format!("total {total} is not co-financing {co} + own contribution {own}"),
                );
            }
        }
    }
}

impl Programme {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "programmes",
        site_section: "/projekty",
        labels: Labels { singular: "Projekt", plural: "Projekty", add_new: "Dodaj projekt" },
    };
}

impl Content for Programme {
    const KIND: &'static str = "programme";
    // Money, dates and the funding-marks file are the contract's: a translation cannot
    // state another budget. Indicator labels are words, so indicators stay per language.
    const SHARED: &'static [&'static str] =
        &["budget", "period", "funding.marks.media", "funding.marks.src", "funding.marks.decorative"];

    fn title(&self) -> &str {
        &self.name
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("name", &self.name, limits::TITLE);
        v.max_len("summary", &self.summary, limits::LEAD);
        v.markdown("body", &self.body, limits::BODY, false);
        v.max_len("objective", &self.objective, limits::LEAD);
        v.max_len("effects", &self.effects, limits::LEAD);
        v.text("beneficiary", &self.beneficiary, limits::SHORT);
        if let Some(f) = &self.funding {
            v.nested("funding", |v| {
                v.text("programme", &f.programme, limits::TITLE);
                for (field, value) in [
                    ("priority_axis", &f.priority_axis),
                    ("action", &f.action),
                    ("sub_action", &f.sub_action),
                    ("fund", &f.fund),
                    ("funder", &f.funder),
                    ("slogan", &f.slogan),
                ] {
                    v.optional_text(field, value.as_deref(), limits::TITLE);
                }
                if let Some(marks) = &f.marks {
                    v.nested("marks", |v| marks.check(v));
                }
            });
        }
        if let Some(p) = self.period {
            if p.end < p.start {
                v.error("period.end", "before_start", "the end must not be before the start");
            }
        }
        v.each("partners", &self.partners, |v, p| {
            v.text("name", &p.name, limits::TITLE);
            v.optional_text("role", p.role.as_deref(), limits::SHORT);
        });
        v.each("people", &self.people, |v, p| {
            v.text("name", &p.name, limits::SHORT);
            v.text("role", &p.role, limits::SHORT);
            v.optional_text("organisation", p.organisation.as_deref(), limits::SHORT);
        });
        v.texts("target_groups", &self.target_groups, limits::ITEM);
        v.texts("activities", &self.activities, limits::ITEM);
        if let Some(b) = &self.budget {
            v.nested("budget", |v| b.check(v));
        }
        v.each("indicators", &self.indicators, |v, i| {
            v.text("label", &i.label, limits::SHORT);
            v.optional_text("unit", i.unit.as_deref(), 50);
            if i.target.is_none() && i.achieved.is_none() {
                v.error("", "empty", "give a target, an achieved value, or both");
            }
        });
        if let Some(r) = &self.recruitment {
            v.markdown("recruitment", r, limits::BODY, true);
        }
        v.texts("tags", &self.tags, 50);
        v.each("attachments", &self.attachments, |v, a| a.check(v));
        v.finish()
    }

    fn media(&self) -> Vec<MediaRef> {
        let mut refs = MediaRefs::default();
        refs.image("funding.marks", self.funding.as_ref().and_then(|f| f.marks.as_ref()))
            .attachments("attachments", &self.attachments)
            .markdown("body", &self.body);
        if let Some(r) = &self.recruitment {
            refs.markdown("recruitment", r);
        }
        refs.into_vec()
    }

    fn search_parts(&self) -> SearchParts {
        let body = plain_text(&self.body);
        let mut rest = vec![self.objective.as_str(), body.as_str(), self.effects.as_str(), self.beneficiary.as_str()];
        rest.extend(self.target_groups.iter().map(String::as_str));
        rest.extend(self.activities.iter().map(String::as_str));
        rest.extend(self.partners.iter().map(|p| p.name.as_str()));
        SearchParts {
            title: self.name.clone(),
            lead: self.summary.clone(),
            body: join_text(rest),
            tags: self.tags.clone(),
        }
    }

    fn tags(&self) -> Vec<String> {
        self.tags.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programme(budget: Budget) -> Programme {
        Programme {
            attachments: Vec::new(),
            name: "Aktywni w KIS".into(),
            summary: String::new(),
            body: String::new(),
            objective: String::new(),
            effects: String::new(),
            funding: None,
            period: None,
            beneficiary: "MOPS Kalisz".into(),
            partners: vec![],
            people: vec![],
            target_groups: vec![],
            activities: vec![],
            budget: Some(budget),
            indicators: vec![],
            recruitment: None,
            tags: vec![],
        }
    }

    fn zl(s: &str) -> Option<Money> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn budget_rules() {
        let ok = Budget { total: zl("60 365,83"), co_financing: zl("54 320,00"), own_contribution: zl("6 045,83") };
        assert!(programme(ok).validate().is_ok());
        let over = Budget { total: zl("100,00"), co_financing: zl("100,01"), own_contribution: None };
        assert!(programme(over).validate().unwrap_err().has("budget.co_financing"));
        let mismatch = Budget { own_contribution: zl("6 045,84"), ..ok };
        assert!(programme(mismatch).validate().unwrap_err().has("budget.total"));
        let partial = Budget { total: zl("1 515 830,74"), co_financing: zl("1 440 039,20"), own_contribution: None };
        assert!(programme(partial).validate().is_ok());
    }

    #[test]
    fn status_from_period() {
        let mut p = programme(Budget::default());
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(p.status_on(d(2020, 1, 1)), None);
        p.period = Some(Period { start: d(2016, 10, 1), end: d(2018, 9, 30) });
        assert_eq!(p.status_on(d(2016, 9, 30)), Some(ProgrammeStatus::Planned));
        assert_eq!(p.status_on(d(2016, 10, 1)), Some(ProgrammeStatus::Ongoing));
        assert_eq!(p.status_on(d(2018, 9, 30)), Some(ProgrammeStatus::Ongoing));
        assert_eq!(p.status_on(d(2018, 10, 1)), Some(ProgrammeStatus::Completed));
    }
}
