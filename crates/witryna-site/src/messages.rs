//! The site's message catalogue: every text the site itself writes (menus, headings,
//! buttons, labels, notes, dates, money, office hours), one [`Messages`] per locale —
//! [`PL`], [`EN`], [`UK`] — and the paths of the site's own pages in that locale.
//!
//! A compiled table rather than `fluent` files: a string missing from one locale is a
//! compile error (every `static` must fill every field), a lookup is a field read, and the
//! site needs no extra dependency. Fluent's strengths — translators editing files, rich
//! selectors — matter little for a few hundred fixed strings shipped with the crate; its
//! costs (lookups by string key at run time, a missing key found only when a page shows
//! it) would.
//!
//! Texts without arguments are the fields of [`Texts`] (reachable straight from a
//! [`Messages`]); texts with arguments are functions, so each language orders its words.
//! Plurals follow CLDR: one/few/many/other for Polish and Ukrainian ([`plural_slavic`]),
//! one/other for English ([`plural_english`]).

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::ProgrammeStatus;
use witryna_core::locales::{Locale, ENGLISH, POLISH, UKRAINIAN};

/// A CLDR plural category (the ones Polish, Ukrainian and English use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// 1 (and, in Slavic languages, 21, 31… for Ukrainian).
    One,
    /// 2–4, 22–24… (Slavic).
    Few,
    /// 5–21, 25–31… (Slavic).
    Many,
    /// Everything else (English plurals).
    Other,
}

/// CLDR plural rules of Polish and Ukrainian for whole numbers: Polish „1 wynik, 2 wyniki,
/// 5 wyników, 22 wyniki”, Ukrainian also „21 результат” (Polish has only 1 as one).
pub fn plural_slavic(n: u64, one_only_for_1: bool) -> Plural {
    let (d, h) = (n % 10, n % 100);
    if n == 1 || (!one_only_for_1 && d == 1 && h != 11) {
        Plural::One
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        Plural::Few
    } else {
        Plural::Many
    }
}

/// CLDR plural rule of Polish.
pub fn plural_polish(n: u64) -> Plural {
    plural_slavic(n, true)
}

/// CLDR plural rule of Ukrainian.
pub fn plural_ukrainian(n: u64) -> Plural {
    plural_slavic(n, false)
}

/// CLDR plural rule of English.
pub fn plural_english(n: u64) -> Plural {
    if n == 1 {
        Plural::One
    } else {
        Plural::Other
    }
}

/// `n` with its digits in groups of three, split by `separator`.
fn grouped(n: u64, separator: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// Złoty and grosze of an amount in grosze, and its sign.
fn money_parts(grosze: i64) -> (&'static str, u64, u64) {
    let abs = grosze.unsigned_abs();
    (if grosze < 0 { "-" } else { "" }, abs / 100, abs % 100)
}

/// The paths of the site's own pages in one locale, the locale's prefix included.
#[derive(Debug)]
pub struct Paths {
    /// The home page (`/`, `/en/`).
    pub home: &'static str,
    /// News (`/aktualnosci`).
    pub news: &'static str,
    /// Funded programmes (`/projekty`).
    pub programmes: &'static str,
    /// Units (`/jednostki`).
    pub units: &'static str,
    /// Static pages (`/strony`).
    pub pages: &'static str,
    /// Search (`/szukaj`).
    pub search: &'static str,
    /// The visitor's settings (`/ustawienia`).
    pub settings: &'static str,
    /// Keyboard shortcuts (`/skroty-klawiszowe`).
    pub shortcuts: &'static str,
    /// The site map page (`/mapa-strony`).
    pub site_map: &'static str,
    /// The Atom feed (`/atom.xml`).
    pub feed: &'static str,
    /// The change register (`/rejestr-zmian`).
    pub register: &'static str,
    /// The change register's Atom feed (`/rejestr-zmian/atom.xml`).
    pub register_feed: &'static str,
}

macro_rules! texts {
    ($($(#[$doc:meta])* $field:ident),* $(,)?) => {
        /// The catalogue's texts without arguments, one field each.
        #[derive(Debug)]
        pub struct Texts {
            $($(#[$doc])* pub $field: &'static str,)*
        }

        impl Texts {
            /// Every text with its field's name, in declaration order (tests compare
            /// catalogues with it).
            pub fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

texts! {
    /// `aria-label` of the skip links' list.
    skip_links,
    /// The first skip link.
    skip_to_content,
    /// The skip link to the menu (a shortcut to `#menu`).
    skip_to_menu,
    /// `aria-label` of the settings bar, and the settings page's title.
    accessibility_settings,
    /// Text size.
    text_size,
    /// High contrast on.
    contrast_on,
    /// High contrast off.
    contrast_off,
    /// Underline links.
    underline_on,
    /// Stop underlining links.
    underline_off,
    /// More text spacing.
    spacing_on,
    /// Usual text spacing.
    spacing_off,
    /// Run animations.
    motion_on,
    /// Pause animations.
    motion_off,
    /// Link to the settings page.
    all_settings,
    /// `aria-label` of the main menu.
    main_menu,
    /// `aria-label` of the language switcher.
    languages,
    /// `aria-label` of the breadcrumbs.
    you_are_here,
    /// The home page.
    home,
    /// Search (menu, button).
    search,
    /// A preview's banner.
    preview_banner,
    /// `aria-label` of the cookie notice, and the footer's link to the cookie page.
    cookies,
    /// The cookie notice (a Polish site shows its editors' text instead).
    cookie_notice,
    /// The cookie notice's link to the cookie page.
    cookies_how,
    /// Closes the cookie notice.
    cookies_ok,
    /// The accessibility declaration (title, footer link).
    declaration,
    /// The footer's link to the information clause.
    rodo,
    /// The footer's link to the easy-to-read text.
    easy_to_read,
    /// The footer's link to the sign-language information.
    sign_language,
    /// The footer's link to the text file about the centre's activity.
    activity_text,
    /// The download link of a recording.
    download_video,
    /// The folded transcript under a recording.
    transcript,
    /// The site map page.
    site_map,
    /// The keyboard shortcuts page.
    shortcuts,
    /// An item shown in Polish because it has no translation in the reader's language.
    shown_in_polish,
    /// A list or block with items only in Polish so far.
    more_in_polish,
    /// The link to the Polish section next to [`Texts::more_in_polish`].
    see_in_polish,
    /// The section of news, plural.
    news,
    /// One news item.
    news_one,
    /// Funded programmes, plural.
    programmes,
    /// One programme.
    programme_one,
    /// Units, plural.
    units,
    /// One unit.
    unit_one,
    /// Static pages, plural.
    pages,
    /// One static page.
    page_one,
    /// „Added by …” before the author.
    added_by,
    /// „Added” before a date.
    added,
    /// „Published” before a date.
    published,
    /// An empty news list.
    no_news,
    /// An empty list.
    nothing_yet,
    /// The next page of news.
    older_news,
    /// The next page of a list.
    older,
    /// Link from the home page to the news.
    all_news,
    /// Link from the home page to the programmes.
    all_programmes,
    /// The home page's units block.
    units_and_hours,
    /// Pauses the programme carousel.
    carousel_pause,
    /// Starts the programme carousel.
    carousel_start,
    /// A news item's event box.
    event,
    /// When the event is.
    event_when,
    /// Where the event is.
    event_where,
    /// How many took part.
    participants,
    /// A gallery.
    gallery,
    /// Tags.
    tags,
    /// Back to the news.
    back_to_news,
    /// Attachments.
    attachments,
    /// A file of a type without a name.
    file,
    /// „Status”.
    status,
    /// A programme's period.
    period,
    /// A programme without a period.
    no_period,
    /// A programme planned.
    planned,
    /// A programme running.
    ongoing,
    /// A programme completed.
    completed,
    /// A programme's funding box.
    funding,
    /// The funding programme.
    funding_programme,
    /// Priority axis.
    priority_axis,
    /// Action (of a funding programme).
    funding_action,
    /// Sub-action.
    sub_action,
    /// Fund.
    fund,
    /// Funder.
    funder,
    /// The programme's slogan.
    slogan,
    /// Beneficiary and partners (heading).
    beneficiary_and_partners,
    /// Beneficiary (label).
    beneficiary,
    /// Objective.
    objective,
    /// Target groups.
    target_groups,
    /// Activities.
    activities,
    /// Budget (table caption).
    budget,
    /// Budget line (column).
    budget_line,
    /// Amount (column).
    amount,
    /// Total value.
    total_value,
    /// Co-financing.
    co_financing,
    /// Own contribution.
    own_contribution,
    /// Indicators (caption).
    indicators,
    /// Indicator (column).
    indicator,
    /// Target value (column).
    indicator_target,
    /// Achieved (column).
    indicator_achieved,
    /// Effects.
    effects,
    /// People.
    people,
    /// Recruitment.
    recruitment,
    /// The programme's description.
    programme_description,
    /// Back to the programmes.
    back_to_programmes,
    /// Contact.
    contact,
    /// Address.
    address,
    /// Phone.
    phone,
    /// E-mail.
    email,
    /// The parent unit.
    parent_unit,
    /// Child units.
    child_units,
    /// Office hours (heading).
    office_hours,
    /// No office hours (page).
    hours_not_given,
    /// No office hours (badge).
    hours_unknown,
    /// Caption of the weekly hours.
    weekly_hours,
    /// Day (column).
    day,
    /// Hours (column).
    hours,
    /// Closed on public holidays.
    closed_on_holidays,
    /// Changes in the coming days (heading).
    upcoming_changes,
    /// Open now (badge).
    open_now,
    /// Closed (badge).
    closed_now,
    /// Closed on a day.
    closed_day,
    /// Yes.
    yes,
    /// No.
    no,
    /// The search page's heading.
    search_heading,
    /// The search field's label.
    search_label,
    /// How the search reads words.
    search_hint,
    /// No results.
    nothing_found,
    /// The next page of results.
    next_results,
    /// The settings page's introduction.
    settings_intro,
    /// The settings' appearance group.
    appearance,
    /// High contrast (option).
    option_contrast,
    /// Underline links (option).
    option_underline,
    /// Text spacing (option).
    option_spacing,
    /// Animations (option).
    option_motion,
    /// Saves the settings.
    save_settings,
    /// The shortcuts page's introduction.
    shortcuts_intro,
    /// „Shortcuts are now”.
    shortcuts_now,
    /// On.
    enabled,
    /// Off.
    disabled,
    /// Turns shortcuts off.
    shortcuts_off,
    /// Turns shortcuts on.
    shortcuts_on,
    /// Caption of the shortcuts table.
    shortcuts_caption,
    /// Key (column).
    key,
    /// What a shortcut does (column).
    shortcut_action,
    /// The 404 page's title.
    not_found_title,
    /// The 404 page's heading.
    not_found_heading,
    /// The 404 page's explanation.
    not_found_text,
    /// The 404 page's list of sections.
    not_found_more,
    /// The 500 page's title.
    error_title,
    /// The 500 page's heading.
    error_heading,
    /// The 500 page's text.
    error_text,
    /// The metryczka's heading.
    item_record,
    /// Who produced the information (metryczka).
    produced_by,
    /// Who answers for it (metryczka).
    responsible,
    /// When it was produced (metryczka).
    produced_on,
    /// Who entered it (metryczka).
    entered_by,
    /// Who published it (metryczka).
    published_by,
    /// The last change (metryczka).
    last_change,
    /// The change history of an item (link, heading).
    change_history,
    /// The last path segment of an item's history page.
    history_segment,
    /// The introduction of an item's history page.
    history_intro,
    /// Version (column, label).
    version,
    /// When (column).
    when,
    /// Who (column).
    who,
    /// What happened (column).
    what,
    /// Reason of a change (column).
    reason,
    /// No reason given.
    no_reason,
    /// Link to what changed in a version.
    show_changes,
    /// The diff page's heading (followed by the versions).
    changes_in,
    /// Back to the history page.
    back_to_history,
    /// The change register (title, footer link).
    change_register,
    /// The register's introduction.
    register_intro,
    /// The next page of the register.
    older_changes,
    /// A register entry: published.
    change_published,
    /// A register entry: content changed.
    change_updated,
    /// A register entry: taken off the site.
    change_unpublished,
    /// A register entry: archived.
    change_archived,
    /// A register entry: deleted.
    change_deleted,
    /// A register entry: an earlier version restored.
    change_restored,
    /// A register entry: a new address.
    change_slug,
    /// A register entry: the metryczka changed.
    change_record,
    /// An item that no longer exists (register).
    item_gone,
}

/// One locale's catalogue.
#[derive(Debug)]
pub struct Messages {
    /// The locale.
    pub locale: Locale,
    /// The prefix of its pages (empty for Polish, `/en`, `/uk`).
    pub prefix: &'static str,
    /// Its pages' paths.
    pub paths: Paths,
    /// The texts.
    pub texts: Texts,
    /// Month names as a date writes them (genitive in Polish and Ukrainian).
    pub months: [&'static str; 12],
    /// Weekday names, Monday first.
    pub weekdays: [&'static str; 7],
    /// The plural category of a number.
    pub plural: fn(u64) -> Plural,
    /// Money from grosze: „1 234,56 zł”, „PLN 1,234.56”.
    pub money: fn(i64) -> String,
    /// Between whole and tenth in a file size („1,2 MB”, „1.2 MB”).
    pub decimal_separator: char,
    /// The key of a shortcut after its label: „(klawisz 1)”.
    pub key_hint: fn(&str) -> String,
    /// A date with a time: „3 lutego 2017, godz. 10:00”.
    pub date_at_time: fn(&str, &str) -> String,
    /// Today at a time („dziś o 15:30”).
    pub today_at: fn(&str) -> String,
    /// Today, with the date („dziś (3 lutego 2026)”).
    pub today_date: fn(&str) -> String,
    /// When a unit closes next („Zamknięcie: dziś o 15:30.”).
    pub closes: fn(&str) -> String,
    /// When a unit opens next.
    pub opens: fn(&str) -> String,
    /// Back to a section by its name.
    pub back_to_section: fn(&str) -> String,
    /// The search page's title with the query.
    pub results_title: fn(&str) -> String,
    /// The heading over results: query and count.
    pub results_for: fn(&str, usize) -> String,
    /// The Atom feed's title: section and site.
    pub feed_title: fn(&str, &str) -> String,
}

impl std::ops::Deref for Messages {
    type Target = Texts;

    fn deref(&self) -> &Texts {
        &self.texts
    }
}

impl Messages {
    /// „3 lutego 2017”, „3 February 2017”, „3 лютого 2017”.
    pub fn date(&self, d: NaiveDate) -> String {
        format!("{} {} {}", d.day(), self.months[d.month0() as usize], d.year())
    }

    /// A date and a time on the Warsaw clock: „3 lutego 2017, 09:41”.
    pub fn datetime(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&Warsaw);
        format!("{}, {}", self.date(local.date_naive()), local.format("%H:%M"))
    }

    /// A weekday's name.
    pub fn weekday(&self, d: Weekday) -> &'static str {
        self.weekdays[d.num_days_from_monday() as usize]
    }

    /// A programme's status.
    pub fn programme_status(&self, status: ProgrammeStatus) -> &'static str {
        match status {
            ProgrammeStatus::Planned => self.planned,
            ProgrammeStatus::Ongoing => self.ongoing,
            ProgrammeStatus::Completed => self.completed,
        }
    }

    /// Whether this is the default locale's catalogue.
    pub fn is_polish(&self) -> bool {
        self.locale == POLISH
    }

    /// Every plain text, month and weekday of the catalogue: what a page in this language
    /// may show of the site's own words (tests look for another locale's in a page).
    pub fn phrases(&self) -> Vec<&'static str> {
        let texts = self.texts.all().into_iter().map(|(_, text)| text);
        texts.chain(self.months).chain(self.weekdays).collect()
    }
}

/// The catalogue of an offered locale by its code; Polish for any other code.
pub fn messages(code: &str) -> &'static Messages {
    match code {
        "en" => &EN,
        "uk" => &UK,
        _ => &PL,
    }
}

/// Every catalogue, Polish first.
pub static ALL: [&Messages; 3] = [&PL, &EN, &UK];

/// Polish.
pub static PL: Messages = Messages {
    locale: POLISH,
    prefix: "",
    paths: Paths {
        home: "/",
        news: "/aktualnosci",
        programmes: "/projekty",
        units: "/jednostki",
        pages: "/strony",
        search: "/szukaj",
        settings: "/ustawienia",
        shortcuts: "/skroty-klawiszowe",
        site_map: "/mapa-strony",
        feed: "/atom.xml",
        register: "/rejestr-zmian",
        register_feed: "/rejestr-zmian/atom.xml",
    },
    texts: Texts {
        skip_links: "Skróty",
        skip_to_content: "Przejdź do treści",
        skip_to_menu: "Przejdź do menu",
        accessibility_settings: "Ustawienia dostępności",
        text_size: "Rozmiar tekstu",
        contrast_on: "Włącz wysoki kontrast",
        contrast_off: "Wyłącz wysoki kontrast",
        underline_on: "Podkreśl linki",
        underline_off: "Nie podkreślaj linków",
        spacing_on: "Zwiększ odstępy w tekście",
        spacing_off: "Zwykłe odstępy w tekście",
        motion_on: "Uruchom animacje",
        motion_off: "Wstrzymaj animacje",
        all_settings: "Wszystkie ustawienia",
        main_menu: "Menu główne",
        languages: "Wersje językowe",
        you_are_here: "Jesteś tutaj",
        home: "Strona główna",
        search: "Szukaj",
        preview_banner: "Podgląd — tak ta wersja wygląda na stronie; ten adres jest tylko dla redakcji",
        cookies: "Pliki cookies",
        cookie_notice: "Ta strona używa jednego niezbędnego pliku cookie: zapamiętuje Twoje ustawienia dostępności. Nie używamy plików śledzących.",
        cookies_how: "Jak działają i jak je wyłączyć",
        cookies_ok: "Rozumiem, zamknij informację",
        declaration: "Deklaracja dostępności",
        rodo: "Klauzula informacyjna (RODO)",
        easy_to_read: "Tekst łatwy do czytania (ETR)",
        sign_language: "Informacja w polskim języku migowym (PJM)",
        activity_text: "Informacje o działalności (plik tekstowy)",
        download_video: "Pobierz nagranie",
        transcript: "Zapis treści nagrania",
        site_map: "Mapa strony",
        shortcuts: "Skróty klawiszowe",
        shown_in_polish: "Ta strona nie jest jeszcze dostępna w tym języku; pokazujemy ją po polsku.",
        more_in_polish: "Więcej treści jest dostępnych po polsku.",
        see_in_polish: "Zobacz wersję polską",
        news: "Aktualności",
        news_one: "Aktualność",
        programmes: "Projekty",
        programme_one: "Projekt",
        units: "Jednostki",
        unit_one: "Jednostka",
        pages: "Strony",
        page_one: "Strona",
        added_by: "Dodano przez",
        added: "Dodano",
        published: "Opublikowano",
        no_news: "Brak aktualności.",
        nothing_yet: "Nic tu jeszcze nie opublikowano.",
        older_news: "Starsze aktualności",
        older: "Starsze",
        all_news: "Wszystkie aktualności",
        all_programmes: "Wszystkie projekty",
        units_and_hours: "Jednostki i godziny pracy",
        carousel_pause: "Wstrzymaj przewijanie projektów",
        carousel_start: "Uruchom przewijanie projektów",
        event: "Wydarzenie",
        event_when: "Kiedy",
        event_where: "Gdzie",
        participants: "Liczba uczestników",
        gallery: "Galeria",
        tags: "Tagi",
        back_to_news: "Wróć do aktualności",
        attachments: "Załączniki",
        file: "plik",
        status: "Status",
        period: "Okres realizacji",
        no_period: "bez okresu realizacji",
        planned: "planowany",
        ongoing: "w realizacji",
        completed: "zakończony",
        funding: "Finansowanie",
        funding_programme: "Program",
        priority_axis: "Oś priorytetowa",
        funding_action: "Działanie",
        sub_action: "Poddziałanie",
        fund: "Fundusz",
        funder: "Finansujący",
        slogan: "Hasło programu",
        beneficiary_and_partners: "Beneficjent i partnerzy",
        beneficiary: "Beneficjent",
        objective: "Cel projektu",
        target_groups: "Dla kogo",
        activities: "Działania",
        budget: "Budżet projektu",
        budget_line: "Pozycja",
        amount: "Kwota",
        total_value: "Wartość projektu",
        co_financing: "Dofinansowanie",
        own_contribution: "Wkład własny",
        indicators: "Wskaźniki",
        indicator: "Wskaźnik",
        indicator_target: "Cel",
        indicator_achieved: "Osiągnięto",
        effects: "Efekty",
        people: "Osoby",
        recruitment: "Rekrutacja",
        programme_description: "Opis projektu",
        back_to_programmes: "Wróć do projektów",
        contact: "Kontakt",
        address: "Adres",
        phone: "Telefon",
        email: "E-mail",
        parent_unit: "Jednostka nadrzędna",
        child_units: "Jednostki podległe",
        office_hours: "Godziny pracy",
        hours_not_given: "Godziny pracy nie zostały podane.",
        hours_unknown: "Godziny pracy nie podane",
        weekly_hours: "Godziny pracy w zwykłym tygodniu",
        day: "Dzień",
        hours: "Godziny",
        closed_on_holidays: "W dni ustawowo wolne od pracy jednostka jest nieczynna.",
        upcoming_changes: "Zmiany godzin i święta w najbliższych dniach",
        open_now: "Otwarte teraz",
        closed_now: "Zamknięte",
        closed_day: "nieczynne",
        yes: "tak",
        no: "nie",
        search_heading: "Szukaj na stronie",
        search_label: "Czego szukasz?",
        search_hint: "Wielkość liter, polskie znaki i odmiana słów nie mają znaczenia: „pomoc spoleczna” znajdzie „pomocy społecznej”.",
        nothing_found: "Nic nie znaleziono. Sprawdź pisownię albo wpisz mniej słów.",
        next_results: "Następne wyniki",
        settings_intro: "Wybrane ustawienia zapamiętujemy w jednym niezbędnym pliku cookie na tym urządzeniu. Działają bez JavaScriptu.",
        appearance: "Wygląd i ruch",
        option_contrast: "Wysoki kontrast",
        option_underline: "Podkreślaj wszystkie linki",
        option_spacing: "Większe odstępy w tekście",
        option_motion: "Animacje (przewijanie projektów)",
        save_settings: "Zapisz ustawienia",
        shortcuts_intro: "Skróty działają z klawiszem dostępu przeglądarki (na przykład Alt+Shift+klawisz w Chrome i Firefoksie w Windows, Control+Option+klawisz w Safari).",
        shortcuts_now: "Skróty są teraz",
        enabled: "włączone",
        disabled: "wyłączone",
        shortcuts_off: "Wyłącz skróty klawiszowe",
        shortcuts_on: "Włącz skróty klawiszowe",
        shortcuts_caption: "Skróty klawiszowe tej strony",
        key: "Klawisz",
        shortcut_action: "Działanie skrótu",
        not_found_title: "Nie znaleziono strony",
        not_found_heading: "Nie znaleźliśmy tej strony",
        not_found_text: "Adres mógł się zmienić albo zawierać literówkę. Spróbuj wyszukać to, czego szukasz:",
        not_found_more: "Możesz też przejść do jednej z tych stron:",
        error_title: "Błąd serwera",
        error_heading: "Przepraszamy, wystąpił błąd",
        error_text: "Spróbuj ponownie za chwilę.",
        item_record: "Metryczka",
        produced_by: "Wytworzył",
        responsible: "Odpowiedzialny",
        produced_on: "Data wytworzenia",
        entered_by: "Wprowadził",
        published_by: "Opublikował",
        last_change: "Ostatnia zmiana",
        change_history: "Historia zmian",
        history_segment: "historia",
        history_intro: "Wszystkie opublikowane wersje tej strony, od najnowszej, z datą, autorem i powodem zmiany.",
        version: "Wersja",
        when: "Kiedy",
        who: "Kto",
        what: "Co",
        reason: "Powód",
        no_reason: "nie podano",
        show_changes: "Pokaż zmiany",
        changes_in: "Zmiany między wersjami",
        back_to_history: "Wróć do historii zmian",
        change_register: "Rejestr zmian",
        register_intro: "Zmiany opublikowanych treści na całej stronie, od najnowszej.",
        older_changes: "Starsze zmiany",
        change_published: "opublikowano",
        change_updated: "zmieniono treść",
        change_unpublished: "wycofano z publikacji",
        change_archived: "przeniesiono do archiwum",
        change_deleted: "usunięto",
        change_restored: "przywrócono wcześniejszą wersję",
        change_slug: "zmieniono adres",
        change_record: "zmieniono metryczkę",
        item_gone: "(treść usunięta)",
    },
    months: witryna_core::pl::MONTHS_GENITIVE,
    weekdays: ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"],
    plural: plural_polish,
    money: |grosze| {
        let (sign, zl, gr) = money_parts(grosze);
        format!("{sign}{},{gr:02} zł", grouped(zl, " "))
    },
    decimal_separator: ',',
    key_hint: |key| format!("(klawisz {key})"),
    date_at_time: |date, time| format!("{date}, godz. {time}"),
    today_at: |time| format!("dziś o {time}"),
    today_date: |date| format!("dziś ({date})"),
    closes: |when| format!("Zamknięcie: {when}."),
    opens: |when| format!("Otwarcie: {when}."),
    back_to_section: |section| format!("Wróć do działu „{section}”"),
    results_title: |query| format!("Wyniki wyszukiwania: {query}"),
    results_for: |query, total| format!("Wyniki dla „{query}”: {total}"),
    feed_title: |section, site| format!("{section} – {site}"),
};

/// English.
pub static EN: Messages = Messages {
    locale: ENGLISH,
    prefix: "/en",
    paths: Paths {
        home: "/en/",
        news: "/en/news",
        programmes: "/en/projects",
        units: "/en/units",
        pages: "/en/pages",
        search: "/en/search",
        settings: "/en/settings",
        shortcuts: "/en/keyboard-shortcuts",
        site_map: "/en/sitemap",
        feed: "/en/atom.xml",
        register: "/en/change-register",
        register_feed: "/en/change-register/atom.xml",
    },
    texts: Texts {
        skip_links: "Skip links",
        skip_to_content: "Skip to main content",
        skip_to_menu: "Skip to the menu",
        accessibility_settings: "Accessibility settings",
        text_size: "Text size",
        contrast_on: "Turn on high contrast",
        contrast_off: "Turn off high contrast",
        underline_on: "Underline links",
        underline_off: "Do not underline links",
        spacing_on: "Increase text spacing",
        spacing_off: "Normal text spacing",
        motion_on: "Start animations",
        motion_off: "Pause animations",
        all_settings: "All settings",
        main_menu: "Main menu",
        languages: "Languages",
        you_are_here: "You are here",
        home: "Home",
        search: "Search",
        preview_banner: "Preview — this is how this version looks on the site; this address is for editors only",
        cookies: "Cookies",
        cookie_notice: "This site uses one essential cookie: it remembers your accessibility settings. We use no tracking cookies.",
        cookies_how: "How they work and how to turn them off",
        cookies_ok: "I understand, close this notice",
        declaration: "Accessibility statement (in Polish)",
        rodo: "Privacy notice (GDPR)",
        easy_to_read: "Easy-to-read text",
        sign_language: "Information in Polish Sign Language (PJM)",
        activity_text: "About our work (text file)",
        download_video: "Download the recording",
        transcript: "Transcript of the recording",
        site_map: "Site map",
        shortcuts: "Keyboard shortcuts",
        shown_in_polish: "This page is not yet available in English; it is shown in Polish.",
        more_in_polish: "More is available in Polish.",
        see_in_polish: "See the Polish version",
        news: "News",
        news_one: "News item",
        programmes: "Projects",
        programme_one: "Project",
        units: "Units",
        unit_one: "Unit",
        pages: "Pages",
        page_one: "Page",
        added_by: "Added by",
        added: "Added",
        published: "Published",
        no_news: "No news yet.",
        nothing_yet: "Nothing has been published here yet.",
        older_news: "Older news",
        older: "Older",
        all_news: "All news",
        all_programmes: "All projects",
        units_and_hours: "Units and office hours",
        carousel_pause: "Pause scrolling projects",
        carousel_start: "Start scrolling projects",
        event: "Event",
        event_when: "When",
        event_where: "Where",
        participants: "Participants",
        gallery: "Gallery",
        tags: "Tags",
        back_to_news: "Back to news",
        attachments: "Attachments",
        file: "file",
        status: "Status",
        period: "Period",
        no_period: "no period set",
        planned: "planned",
        ongoing: "ongoing",
        completed: "completed",
        funding: "Funding",
        funding_programme: "Programme",
        priority_axis: "Priority axis",
        funding_action: "Measure",
        sub_action: "Sub-measure",
        fund: "Fund",
        funder: "Funded by",
        slogan: "Programme slogan",
        beneficiary_and_partners: "Beneficiary and partners",
        beneficiary: "Beneficiary",
        objective: "Objective",
        target_groups: "Who it is for",
        activities: "Activities",
        budget: "Project budget",
        budget_line: "Item",
        amount: "Amount",
        total_value: "Total value",
        co_financing: "Co-financing",
        own_contribution: "Own contribution",
        indicators: "Indicators",
        indicator: "Indicator",
        indicator_target: "Target",
        indicator_achieved: "Achieved",
        effects: "Results",
        people: "People",
        recruitment: "Recruitment",
        programme_description: "About the project",
        back_to_programmes: "Back to projects",
        contact: "Contact",
        address: "Address",
        phone: "Phone",
        email: "Email",
        parent_unit: "Parent unit",
        child_units: "Subordinate units",
        office_hours: "Office hours",
        hours_not_given: "Office hours have not been given.",
        hours_unknown: "Office hours not given",
        weekly_hours: "Office hours in a usual week",
        day: "Day",
        hours: "Hours",
        closed_on_holidays: "The unit is closed on public holidays.",
        upcoming_changes: "Changed hours and holidays in the coming days",
        open_now: "Open now",
        closed_now: "Closed",
        closed_day: "closed",
        yes: "yes",
        no: "no",
        search_heading: "Search the site",
        search_label: "What are you looking for?",
        search_hint: "Capital letters, Polish characters and word endings do not matter.",
        nothing_found: "Nothing found. Check the spelling or use fewer words.",
        next_results: "Next results",
        settings_intro: "We remember your settings in one essential cookie on this device. They work without JavaScript.",
        appearance: "Appearance and motion",
        option_contrast: "High contrast",
        option_underline: "Underline all links",
        option_spacing: "More text spacing",
        option_motion: "Animations (scrolling projects)",
        save_settings: "Save settings",
        shortcuts_intro: "Shortcuts work with the browser's access key (for example Alt+Shift+key in Chrome and Firefox on Windows, Control+Option+key in Safari).",
        shortcuts_now: "Shortcuts are now",
        enabled: "on",
        disabled: "off",
        shortcuts_off: "Turn off keyboard shortcuts",
        shortcuts_on: "Turn on keyboard shortcuts",
        shortcuts_caption: "Keyboard shortcuts of this site",
        key: "Key",
        shortcut_action: "What it does",
        not_found_title: "Page not found",
        not_found_heading: "We could not find this page",
        not_found_text: "The address may have changed or contain a typo. Try searching for what you need:",
        not_found_more: "Or go to one of these pages:",
        error_title: "Server error",
        error_heading: "Sorry, something went wrong",
        error_text: "Please try again in a moment.",
        item_record: "Information record",
        produced_by: "Produced by",
        responsible: "Responsible",
        produced_on: "Date produced",
        entered_by: "Entered by",
        published_by: "Published by",
        last_change: "Last change",
        change_history: "Change history",
        history_segment: "history",
        history_intro: "Every published version of this page, newest first, with its date, author and reason.",
        version: "Version",
        when: "When",
        who: "Who",
        what: "What",
        reason: "Reason",
        no_reason: "not given",
        show_changes: "Show changes",
        changes_in: "Changes between versions",
        back_to_history: "Back to the change history",
        change_register: "Change register",
        register_intro: "Changes to published content across the site, newest first.",
        older_changes: "Older changes",
        change_published: "published",
        change_updated: "content changed",
        change_unpublished: "taken off the site",
        change_archived: "archived",
        change_deleted: "deleted",
        change_restored: "an earlier version restored",
        change_slug: "address changed",
        change_record: "information record changed",
        item_gone: "(content deleted)",
    },
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    plural: plural_english,
    money: |grosze| {
        let (sign, zl, gr) = money_parts(grosze);
        format!("{sign}PLN {}.{gr:02}", grouped(zl, ","))
    },
    decimal_separator: '.',
    key_hint: |key| format!("(key {key})"),
    date_at_time: |date, time| format!("{date}, {time}"),
    today_at: |time| format!("today at {time}"),
    today_date: |date| format!("today ({date})"),
    closes: |when| format!("Closes: {when}."),
    opens: |when| format!("Opens: {when}."),
    back_to_section: |section| format!("Back to “{section}”"),
    results_title: |query| format!("Search results: {query}"),
    results_for: |query, total| {
        let noun = if plural_english(total as u64) == Plural::One { "result" } else { "results" };
        format!("{total} {noun} for “{query}”")
    },
    feed_title: |section, site| format!("{section} – {site}"),
};

/// Ukrainian.
pub static UK: Messages = Messages {
    locale: UKRAINIAN,
    prefix: "/uk",
    paths: Paths {
        home: "/uk/",
        news: "/uk/novyny",
        programmes: "/uk/proiekty",
        units: "/uk/pidrozdily",
        pages: "/uk/storinky",
        search: "/uk/poshuk",
        settings: "/uk/nalashtuvannia",
        shortcuts: "/uk/hariachi-klavishi",
        site_map: "/uk/mapa-saitu",
        feed: "/uk/atom.xml",
        register: "/uk/reiestr-zmin",
        register_feed: "/uk/reiestr-zmin/atom.xml",
    },
    texts: Texts {
        skip_links: "Швидкі посилання",
        skip_to_content: "Перейти до змісту",
        skip_to_menu: "Перейти до меню",
        accessibility_settings: "Налаштування доступності",
        text_size: "Розмір тексту",
        contrast_on: "Увімкнути високий контраст",
        contrast_off: "Вимкнути високий контраст",
        underline_on: "Підкреслити посилання",
        underline_off: "Не підкреслювати посилання",
        spacing_on: "Збільшити інтервали в тексті",
        spacing_off: "Звичайні інтервали в тексті",
        motion_on: "Увімкнути анімацію",
        motion_off: "Зупинити анімацію",
        all_settings: "Усі налаштування",
        main_menu: "Головне меню",
        languages: "Мовні версії",
        you_are_here: "Ви тут",
        home: "Головна сторінка",
        search: "Пошук",
        preview_banner: "Попередній перегляд — так ця версія виглядає на сайті; ця адреса лише для редакції",
        cookies: "Файли cookie",
        cookie_notice: "Цей сайт використовує один необхідний файл cookie: він запам’ятовує ваші налаштування доступності. Ми не використовуємо файлів для стеження.",
        cookies_how: "Як вони працюють і як їх вимкнути",
        cookies_ok: "Зрозуміло, закрити повідомлення",
        declaration: "Декларація доступності (польською мовою)",
        rodo: "Інформація про обробку персональних даних (GDPR)",
        easy_to_read: "Текст, легкий для читання",
        sign_language: "Інформація польською жестовою мовою (PJM)",
        activity_text: "Інформація про діяльність (текстовий файл)",
        download_video: "Завантажити відео",
        transcript: "Текстовий запис відео",
        site_map: "Мапа сайту",
        shortcuts: "Гарячі клавіші",
        shown_in_polish: "Ця сторінка ще не доступна українською; її показано польською мовою.",
        more_in_polish: "Більше матеріалів доступно польською мовою.",
        see_in_polish: "Переглянути польську версію",
        news: "Новини",
        news_one: "Новина",
        programmes: "Проєкти",
        programme_one: "Проєкт",
        units: "Підрозділи",
        unit_one: "Підрозділ",
        pages: "Сторінки",
        page_one: "Сторінка",
        added_by: "Додав(ла)",
        added: "Додано",
        published: "Опубліковано",
        no_news: "Новин поки немає.",
        nothing_yet: "Тут ще нічого не опубліковано.",
        older_news: "Давніші новини",
        older: "Давніші",
        all_news: "Усі новини",
        all_programmes: "Усі проєкти",
        units_and_hours: "Підрозділи та години роботи",
        carousel_pause: "Зупинити прокручування проєктів",
        carousel_start: "Увімкнути прокручування проєктів",
        event: "Подія",
        event_when: "Коли",
        event_where: "Де",
        participants: "Кількість учасників",
        gallery: "Галерея",
        tags: "Теги",
        back_to_news: "Повернутися до новин",
        attachments: "Додатки",
        file: "файл",
        status: "Статус",
        period: "Період реалізації",
        no_period: "без періоду реалізації",
        planned: "запланований",
        ongoing: "реалізується",
        completed: "завершений",
        funding: "Фінансування",
        funding_programme: "Програма",
        priority_axis: "Пріоритетна вісь",
        funding_action: "Захід",
        sub_action: "Підзахід",
        fund: "Фонд",
        funder: "Фінансує",
        slogan: "Гасло програми",
        beneficiary_and_partners: "Бенефіціар і партнери",
        beneficiary: "Бенефіціар",
        objective: "Мета проєкту",
        target_groups: "Для кого",
        activities: "Заходи проєкту",
        budget: "Бюджет проєкту",
        budget_line: "Стаття",
        amount: "Сума",
        total_value: "Вартість проєкту",
        co_financing: "Співфінансування",
        own_contribution: "Власний внесок",
        indicators: "Показники",
        indicator: "Показник",
        indicator_target: "Ціль",
        indicator_achieved: "Досягнуто",
        effects: "Результати",
        people: "Особи",
        recruitment: "Набір учасників",
        programme_description: "Опис проєкту",
        back_to_programmes: "Повернутися до проєктів",
        contact: "Контакти",
        address: "Адреса",
        phone: "Телефон",
        email: "Електронна пошта",
        parent_unit: "Вищий підрозділ",
        child_units: "Підпорядковані підрозділи",
        office_hours: "Години роботи",
        hours_not_given: "Години роботи не вказано.",
        hours_unknown: "Години роботи не вказано",
        weekly_hours: "Години роботи у звичайний тиждень",
        day: "День",
        hours: "Години",
        closed_on_holidays: "У державні вихідні дні підрозділ не працює.",
        upcoming_changes: "Зміни годин і свята найближчими днями",
        open_now: "Зараз відчинено",
        closed_now: "Зачинено",
        closed_day: "не працює",
        yes: "так",
        no: "ні",
        search_heading: "Пошук на сайті",
        search_label: "Що ви шукаєте?",
        search_hint: "Великі літери, польські знаки та закінчення слів не мають значення.",
        nothing_found: "Нічого не знайдено. Перевірте написання або введіть менше слів.",
        next_results: "Наступні результати",
        settings_intro: "Ми запам’ятовуємо ваші налаштування в одному необхідному файлі cookie на цьому пристрої. Вони працюють без JavaScript.",
        appearance: "Вигляд і рух",
        option_contrast: "Високий контраст",
        option_underline: "Підкреслювати всі посилання",
        option_spacing: "Більші інтервали в тексті",
        option_motion: "Анімація (прокручування проєктів)",
        save_settings: "Зберегти налаштування",
        shortcuts_intro: "Гарячі клавіші працюють із клавішею доступу браузера (наприклад, Alt+Shift+клавіша в Chrome і Firefox у Windows, Control+Option+клавіша в Safari).",
        shortcuts_now: "Гарячі клавіші зараз",
        enabled: "увімкнено",
        disabled: "вимкнено",
        shortcuts_off: "Вимкнути гарячі клавіші",
        shortcuts_on: "Увімкнути гарячі клавіші",
        shortcuts_caption: "Гарячі клавіші цього сайту",
        key: "Клавіша",
        shortcut_action: "Дія",
        not_found_title: "Сторінку не знайдено",
        not_found_heading: "Ми не знайшли цієї сторінки",
        not_found_text: "Адреса могла змінитися або містити помилку. Спробуйте знайти те, що шукаєте:",
        not_found_more: "Або перейдіть на одну з цих сторінок:",
        error_title: "Помилка сервера",
        error_heading: "Вибачте, сталася помилка",
        error_text: "Спробуйте ще раз за хвилину.",
        item_record: "Метрика інформації",
        produced_by: "Підготував",
        responsible: "Відповідальний",
        produced_on: "Дата створення",
        entered_by: "Вніс",
        published_by: "Опублікував",
        last_change: "Остання зміна",
        change_history: "Історія змін",
        history_segment: "istoriia",
        history_intro: "Усі опубліковані версії цієї сторінки, від найновішої, з датою, автором і причиною зміни.",
        version: "Версія",
        when: "Коли",
        who: "Хто",
        what: "Що",
        reason: "Причина",
        no_reason: "не вказано",
        show_changes: "Показати зміни",
        changes_in: "Зміни між версіями",
        back_to_history: "Назад до історії змін",
        change_register: "Реєстр змін",
        register_intro: "Зміни опублікованих матеріалів на всьому сайті, від найновішої.",
        older_changes: "Давніші зміни",
        change_published: "опубліковано",
        change_updated: "змінено зміст",
        change_unpublished: "знято з публікації",
        change_archived: "перенесено до архіву",
        change_deleted: "видалено",
        change_restored: "відновлено попередню версію",
        change_slug: "змінено адресу",
        change_record: "змінено метрику",
        item_gone: "(матеріал видалено)",
    },
    months: [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ],
    weekdays: ["понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота", "неділя"],
    plural: plural_ukrainian,
    money: |grosze| {
        let (sign, zl, gr) = money_parts(grosze);
        format!("{sign}{},{gr:02} зл", grouped(zl, " "))
    },
    decimal_separator: ',',
    key_hint: |key| format!("(клавіша {key})"),
    date_at_time: |date, time| format!("{date}, о {time}"),
    today_at: |time| format!("сьогодні о {time}"),
    today_date: |date| format!("сьогодні ({date})"),
    closes: |when| format!("Зачиняється: {when}."),
    opens: |when| format!("Відчиняється: {when}."),
    back_to_section: |section| format!("Повернутися до розділу «{section}»"),
    results_title: |query| format!("Результати пошуку: {query}"),
    results_for: |query, total| {
        let noun = match plural_ukrainian(total as u64) {
            Plural::One => "результат",
            Plural::Few => "результати",
            Plural::Many | Plural::Other => "результатів",
        };
        format!("{total} {noun} для «{query}»")
    },
    feed_title: |section, site| format!("{section} – {site}"),
};

#[cfg(test)]
mod tests {
    use super::*;
    use witryna_core::Money;

    #[test]
    fn plurals_follow_cldr() {
        let pl: Vec<Plural> = [1, 2, 5, 12, 22, 21, 0].map(plural_polish).to_vec();
        use Plural::*;
        assert_eq!(pl, [One, Few, Many, Many, Few, Many, Many]);
        let uk: Vec<Plural> = [1, 2, 5, 11, 21, 22, 111].map(plural_ukrainian).to_vec();
        assert_eq!(uk, [One, Few, Many, Many, One, Few, Many]);
        assert_eq!([1, 0, 2].map(plural_english), [One, Other, Other]);
        assert_eq!((EN.results_for)("zasiłek", 1), "1 result for “zasiłek”");
        assert_eq!((UK.results_for)("x", 21), "21 результат для «x»");
    }

    #[test]
    fn dates_and_money_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(PL.date(d), "3 grudnia 2026");
        assert_eq!(UK.date(d), "3 грудня 2026");
        assert_eq!(EN.date(d), "3 December 2026");
        assert_eq!((PL.money)(123_456), "1 234,56 zł");
        assert_eq!((UK.money)(123_456), "1 234,56 зл");
        assert_eq!((EN.money)(123_456), "PLN 1,234.56");
        assert_eq!((EN.money)(-5), "-PLN 0.05");
        for grosze in [0, 7, 151_583_074, -100_000] {
            assert_eq!((PL.money)(grosze), Money::from_grosze(grosze).to_string(), "Polish as the core writes it");
        }
        assert_eq!(EN.weekday(Weekday::Sun), "Sunday");
    }

    /// The Polish section paths are the registry's: the site keeps its addresses.
    #[test]
    fn polish_paths_are_the_built_in_sections() {
        use witryna_core::content::{Content, NewsArticle, Page, Programme, Unit};
        let kinds = witryna_core::Kinds::builtin();
        let section = |kind: &str| kinds.get(kind).unwrap().spec().unwrap().site_section;
        assert_eq!(PL.paths.news, section(NewsArticle::KIND));
        assert_eq!(PL.paths.programmes, section(Programme::KIND));
        assert_eq!(PL.paths.units, section(Unit::KIND));
        assert_eq!(PL.paths.pages, section(Page::KIND));
        for t in ALL {
            assert!(t.paths.home.starts_with(t.prefix) && t.paths.search.starts_with(t.prefix));
        }
    }
}
