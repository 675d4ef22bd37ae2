use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{limits, Content};
use crate::kinds::{KindSpec, Labels};
use crate::validate::{ValidationErrors, Validator};

/// The site's accessibility settings and the data of its legally required accessibility
/// declaration (ustawa o dostępności cyfrowej, 2019). One per site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessibilitySettings {
    /// Font-size steps offered to visitors, smallest first.
    #[schemars(
        title = "Rozmiary tekstu",
        description = "Stopnie powiększenia tekstu do wyboru dla odwiedzających, od najmniejszego."
    )]
    pub font_sizes: Vec<FontSizeStep>,
    /// Whether a high-contrast mode is offered.
    #[schemars(
        title = "Tryb wysokiego kontrastu",
        description = "Odwiedzający mogą włączyć wersję kontrastową strony."
    )]
    pub high_contrast: bool,
    /// Whether links can be underlined on request.
    #[schemars(
        title = "Podkreślanie linków",
        description = "Odwiedzający mogą włączyć podkreślenie wszystkich linków."
    )]
    pub underline_links: bool,
    /// Whether extra text spacing can be chosen.
    #[schemars(
        title = "Większe odstępy w tekście",
        description = "Odwiedzający mogą zwiększyć odstępy między literami, wyrazami i wierszami."
    )]
    pub text_spacing: bool,
    /// Animations and carousels paused until a visitor starts them.
    #[schemars(
        title = "Animacje zatrzymane na start",
        description = "Animacje i karuzele ruszają dopiero wtedy, gdy odwiedzający je uruchomi."
    )]
    pub animations_paused_by_default: bool,
    /// Keyboard shortcuts of the site.
    #[schemars(title = "Skróty klawiaturowe", description = "Klawisze szybkiego przejścia do części strony.")]
    #[serde(default)]
    pub keyboard_shortcuts: Vec<KeyboardShortcut>,
    /// Whether visitors may turn the shortcuts off (WCAG 2.1.4).
    #[schemars(
        title = "Możliwość wyłączenia skrótów",
        description = "Odwiedzający mogą wyłączyć skróty klawiaturowe (WCAG 2.1.4)."
    )]
    pub shortcuts_can_be_disabled: bool,
    /// Language of the speech (screen reader / „lektor”), BCP 47, e.g. `pl-PL`.
    #[schemars(title = "Język lektora", description = "Kod języka dla czytników ekranu, np. pl-PL.")]
    pub speech_language: String,
    /// Text of the cookie notice.
    #[schemars(
        title = "Komunikat o plikach cookies",
        description = "Tekst informacji o cookies, który widzą odwiedzający."
    )]
    pub cookie_notice: String,
    /// Link to the RODO information clause (site path or URL).
    #[schemars(
        title = "Klauzula informacyjna RODO",
        description = "Link do strony z klauzulą: ścieżka na stronie (np. /strony/klauzula-informacyjna) albo pełny adres."
    )]
    pub rodo_clause: String,
    /// Where information in Polish Sign Language is published elsewhere: the site's
    /// `/polski-jezyk-migowy` links it while the centre's own
    /// [`ActivityInformation`](super::ActivityInformation) has no recording.
    #[schemars(
        title = "Informacja w polskim języku migowym – adres gdzie indziej",
        description = "Tylko jeśli nagranie w PJM jest opublikowane poza tą stroną (np. pełny adres https://…) i nie ma go w „Informacje o działalności (ETR, PJM)”."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_language_info: Option<String>,
    /// Where the easy-to-read (ETR) text about the centre is published elsewhere: the
    /// site's `/tekst-latwy-do-czytania` links it while the centre's own
    /// [`ActivityInformation`](super::ActivityInformation) is not published.
    #[schemars(
        title = "Tekst łatwy do czytania – adres gdzie indziej",
        description = "Tylko jeśli tekst łatwy do czytania jest opublikowany poza tą stroną (np. pełny adres https://…) i nie ma go w „Informacje o działalności (ETR, PJM)”."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easy_to_read_info: Option<String>,
    /// The accessibility declaration.
    #[schemars(
        title = "Deklaracja dostępności",
        description = "Dane do deklaracji dostępności według wzoru ministerstwa."
    )]
    pub declaration: AccessibilityDeclaration,
}

/// One font-size step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FontSizeStep {
    /// Label shown to visitors („A”, „A+”, „A++”).
    #[schemars(title = "Oznaczenie", description = "Napis na przycisku, np. A, A+, A++.")]
    pub label: String,
    /// Size relative to the base, in percent (100, 125, 150).
    #[schemars(title = "Wielkość w procentach", description = "Względem podstawowego rozmiaru, np. 100, 125, 150.")]
    pub percent: u16,
}

/// A keyboard shortcut: a key, what it is called, where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyboardShortcut {
    /// The key (used with the browser's access-key modifier), e.g. `1`.
    #[schemars(
        title = "Klawisz",
        description = "Jeden znak, np. 1 (naciskany razem z klawiszem skrótów przeglądarki)."
    )]
    pub key: String,
    /// What it does, e.g. „Przejdź do treści”.
    #[schemars(title = "Opis skrótu", description = "Co robi skrót, np. „Przejdź do treści”.")]
    pub label: String,
    /// Where it leads: a fragment (`#tresc`) or a site path.
    #[schemars(title = "Dokąd prowadzi", description = "Miejsce na stronie (np. #tresc) albo ścieżka (np. /szukaj).")]
    pub target: String,
}

/// Conformance with WCAG 2.1 as the declaration states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceStatus {
    /// „zgodna”.
    #[schemars(title = "Zgodna")]
    Full,
    /// „częściowo zgodna”: list the non-accessible content.
    #[schemars(title = "Częściowo zgodna")]
    Partial,
    /// „niezgodna”.
    #[schemars(title = "Niezgodna")]
    None,
}

impl ConformanceStatus {
    /// The statutory Polish wording.
    pub fn label_pl(self) -> &'static str {
        match self {
            ConformanceStatus::Full => "zgodna",
            ConformanceStatus::Partial => "częściowo zgodna",
            ConformanceStatus::None => "niezgodna",
        }
    }
}

/// Content that is not accessible, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonAccessibleContent {
    /// What is not accessible.
    #[schemars(
        title = "Niedostępna treść",
        description = "Co nie jest dostępne, np. „zdjęcia bez opisu alternatywnego w archiwalnych aktualnościach”."
    )]
    pub content: String,
    /// Why (e.g. published before 23 September 2018, disproportionate burden).
    #[schemars(
        title = "Powód",
        description = "Dlaczego, np. opublikowane przed 23 września 2018 r. albo nadmierne obciążenie."
    )]
    pub reason: String,
}

/// The person to contact about accessibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPerson {
    /// Full name.
    #[schemars(
        title = "Imię i nazwisko",
        description = "Osoba, z którą można się kontaktować w sprawie dostępności, albo nazwa stanowiska."
    )]
    pub name: String,
    /// E-mail.
    #[schemars(title = "E-mail", description = "Adres e-mail do tej osoby.")]
    pub email: String,
    /// Phone.
    #[schemars(title = "Telefon", description = "Numer telefonu, np. 62 765 69 50.")]
    pub phone: String,
}

/// The data of the accessibility declaration (the Ministry's template, v2.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityDeclaration {
    /// The public entity („Miejski Ośrodek Pomocy Społecznej w Kaliszu”).
    #[schemars(
        title = "Nazwa podmiotu",
        description = "Pełna nazwa, np. „Miejski Ośrodek Pomocy Społecznej w Kaliszu”."
    )]
    pub entity: String,
    /// The site's address.
    #[schemars(title = "Adres strony", description = "Pełny adres strony, np. https://mops.example.pl.")]
    pub site_url: String,
    /// When the site was published.
    #[schemars(title = "Data publikacji strony", description = "Kiedy strona została opublikowana.")]
    pub published_on: NaiveDate,
    /// When it was last substantially updated.
    #[schemars(
        title = "Data ostatniej aktualizacji",
        description = "Kiedy stronę ostatnio istotnie zmieniono; nie wcześniej niż data publikacji."
    )]
    pub updated_on: NaiveDate,
    /// Conformance status.
    #[schemars(
        title = "Stan zgodności",
        description = "Zgodność z WCAG 2.1. Przy „częściowo zgodna” i „niezgodna” wypisz niżej niedostępne treści."
    )]
    pub status: ConformanceStatus,
    /// Non-accessible content with reasons (required unless status is full).
    #[schemars(
        title = "Treści niedostępne",
        description = "Co nie jest dostępne i dlaczego; wymagane, jeśli strona nie jest w pełni zgodna."
    )]
    #[serde(default)]
    pub non_accessible: Vec<NonAccessibleContent>,
    /// When the declaration was prepared.
    #[schemars(title = "Data sporządzenia deklaracji", description = "Kiedy deklaracja została przygotowana.")]
    pub prepared_on: NaiveDate,
    /// When it was last reviewed.
    #[schemars(title = "Data ostatniego przeglądu", description = "Kiedy deklarację ostatnio sprawdzono.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<NaiveDate>,
    /// How the assessment was made: „samoocena” or the auditor's name.
    #[schemars(
        title = "Sposób oceny",
        description = "Wpisz „samoocena” albo nazwę firmy, która przeprowadziła audyt."
    )]
    pub assessment: String,
    /// Who to contact.
    #[schemars(title = "Osoba kontaktowa", description = "Kto odpowiada na pytania i wnioski w sprawie dostępności.")]
    pub contact: ContactPerson,
    /// Architectural accessibility of the buildings, free text.
    #[schemars(
        title = "Dostępność architektoniczna",
        description = "Opis dostępności budynków: wejścia, windy, toalety, miejsca parkingowe, pętle indukcyjne."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_accessibility: Option<String>,
    /// Mobile apps, free text.
    #[schemars(
        title = "Aplikacje mobilne",
        description = "Informacja o aplikacjach mobilnych, np. „Ośrodek nie ma aplikacji mobilnej.”"
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_apps: Option<String>,
    /// Whether a sign-language interpreter is available on site or online.
    #[schemars(
        title = "Tłumacz polskiego języka migowego",
        description = "Zaznacz, jeśli na miejscu lub online dostępny jest tłumacz PJM."
    )]
    pub sign_language_available: bool,
    /// Whether easy-to-read information is published.
    #[schemars(
        title = "Tekst łatwy do czytania",
        description = "Zaznacz, jeśli opublikowano informacje w tekście łatwym do czytania."
    )]
    pub easy_to_read_available: bool,
}

impl AccessibilitySettings {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "settings/accessibility",
        site_section: "/deklaracja-dostepnosci",
        labels: Labels {
            singular: "Ustawienia dostępności",
            plural: "Ustawienia dostępności",
            add_new: "Ustaw dostępność",
        },
    };
}

impl Content for AccessibilitySettings {
    const KIND: &'static str = "accessibility";
    const SINGLETON: bool = true;

    fn title(&self) -> &str {
        "Ustawienia dostępności"
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        if self.font_sizes.is_empty() {
            v.error("font_sizes", "required", "offer at least one font size");
        }
        v.each("font_sizes", &self.font_sizes, |v, s| {
            v.text("label", &s.label, 20);
            if !(50..=400).contains(&s.percent) {
                v.error("percent", "out_of_range", "must be between 50 and 400");
            }
        });
        if self.font_sizes.windows(2).any(|w| w[0].percent >= w[1].percent) {
            v.error("font_sizes", "unordered", "steps must grow, smallest first");
        }
        v.each("keyboard_shortcuts", &self.keyboard_shortcuts, |v, k| {
            if k.key.chars().count() != 1 {
                v.error("key", "invalid_key", "must be one character");
            }
            v.text("label", &k.label, limits::SHORT);
            v.text("target", &k.target, limits::SHORT);
            if !k.target.trim().is_empty() {
                v.href("target", &k.target);
            }
        });
        for (i, k) in self.keyboard_shortcuts.iter().enumerate() {
            if self.keyboard_shortcuts[..i].iter().any(|o| o.key.eq_ignore_ascii_case(&k.key)) {
                v.error(&format!("keyboard_shortcuts[{i}].key"), "duplicate", "key already used");
            }
        }
        v.text("speech_language", &self.speech_language, 20);
        v.text("cookie_notice", &self.cookie_notice, limits::LEAD);
        v.text("rodo_clause", &self.rodo_clause, limits::ITEM);
        if !self.rodo_clause.trim().is_empty() {
            v.link("rodo_clause", &self.rodo_clause);
        }
        for (field, link) in
            [("sign_language_info", &self.sign_language_info), ("easy_to_read_info", &self.easy_to_read_info)]
        {
            if let Some(l) = link {
                v.link(field, l);
            }
        }
        let d = &self.declaration;
        v.nested("declaration", |v| {
            v.text("entity", &d.entity, limits::TITLE);
            v.link("site_url", &d.site_url);
            if d.updated_on < d.published_on {
                v.error("updated_on", "before_publication", "must not be before published_on");
            }
            if d.status != ConformanceStatus::Full && d.non_accessible.is_empty() {
                v.error("non_accessible", "required", "list what is not accessible and why");
            }
            v.each("non_accessible", &d.non_accessible, |v, n| {
                v.text("content", &n.content, limits::ITEM);
                v.text("reason", &n.reason, limits::ITEM);
            });
            v.text("assessment", &d.assessment, limits::SHORT);
            v.nested("contact", |v| {
                v.text("name", &d.contact.name, limits::SHORT);
                v.email("email", &d.contact.email);
                v.text("phone", &d.contact.phone, 30);
            });
            v.optional_text("building_accessibility", d.building_accessibility.as_deref(), limits::BODY);
            v.optional_text("mobile_apps", d.mobile_apps.as_deref(), limits::LEAD);
        });
        v.finish()
    }
}
