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
    pub font_sizes: Vec<FontSizeStep>,
    /// Whether a high-contrast mode is offered.
    pub high_contrast: bool,
    /// Whether links can be underlined on request.
    pub underline_links: bool,
    /// Whether extra text spacing can be chosen.
    pub text_spacing: bool,
    /// Animations and carousels paused until a visitor starts them.
    pub animations_paused_by_default: bool,
    /// Keyboard shortcuts of the site.
    #[serde(default)]
    pub keyboard_shortcuts: Vec<KeyboardShortcut>,
    /// Whether visitors may turn the shortcuts off (WCAG 2.1.4).
    pub shortcuts_can_be_disabled: bool,
    /// Language of the speech (screen reader / „lektor”), BCP 47, e.g. `pl-PL`.
    pub speech_language: String,
    /// Text of the cookie notice.
    pub cookie_notice: String,
    /// Link to the RODO information clause (site path or URL).
    pub rodo_clause: String,
    /// Link to information in Polish Sign Language (video), if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_language_info: Option<String>,
    /// Link to the easy-to-read (ETR) text about the centre, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easy_to_read_info: Option<String>,
    /// The accessibility declaration.
    pub declaration: AccessibilityDeclaration,
}

/// One font-size step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FontSizeStep {
    /// Label shown to visitors („A”, „A+”, „A++”).
    pub label: String,
    /// Size relative to the base, in percent (100, 125, 150).
    pub percent: u16,
}

/// A keyboard shortcut: a key, what it is called, where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyboardShortcut {
    /// The key (used with the browser's access-key modifier), e.g. `1`.
    pub key: String,
    /// What it does, e.g. „Przejdź do treści”.
    pub label: String,
    /// Where it leads: a fragment (`#tresc`) or a site path.
    pub target: String,
}

/// Conformance with WCAG 2.1 as the declaration states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceStatus {
    /// „zgodna”.
    Full,
    /// „częściowo zgodna”: list the non-accessible content.
    Partial,
    /// „niezgodna”.
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
    pub content: String,
    /// Why (e.g. published before 23 September 2018, disproportionate burden).
    pub reason: String,
}

/// The person to contact about accessibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPerson {
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
}

/// The data of the accessibility declaration (the Ministry's template, v2.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityDeclaration {
    /// The public entity („Miejski Ośrodek Pomocy Społecznej w Kaliszu”).
    pub entity: String,
    /// The site's address.
    pub site_url: String,
    /// When the site was published.
    pub published_on: NaiveDate,
    /// When it was last substantially updated.
    pub updated_on: NaiveDate,
    /// Conformance status.
    pub status: ConformanceStatus,
    /// Non-accessible content with reasons (required unless status is full).
    #[serde(default)]
    pub non_accessible: Vec<NonAccessibleContent>,
    /// When the declaration was prepared.
    pub prepared_on: NaiveDate,
    /// When it was last reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<NaiveDate>,
    /// How the assessment was made: „samoocena” or the auditor's name.
    pub assessment: String,
    /// Who to contact.
    pub contact: ContactPerson,
    /// Architectural accessibility of the buildings, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_accessibility: Option<String>,
    /// Mobile apps, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_apps: Option<String>,
    /// Whether a sign-language interpreter is available on site or online.
    pub sign_language_available: bool,
    /// Whether easy-to-read information is published.
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
