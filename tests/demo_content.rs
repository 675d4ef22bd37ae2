//! The demo content, loaded through the public API into a real sled store, holds what the
//! five seed pages show.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use witryna::content::{AccessibilitySettings, ActivityInformation, NewsArticle, Page, Programme, Unit};
use witryna::sled::SledStore;
use witryna::{demo, Cms, Item, Money, Query, SlugLookup, View};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn public<C: witryna::Content>(cms: &Cms, slug: &str) -> Item<C> {
    match cms.find::<C>(slug, View::Public).await.unwrap_or_else(|e| panic!("{slug}: {e}")) {
        SlugLookup::Found(item) => item,
        SlugLookup::Moved { current, .. } => panic!("{slug} moved to {current}"),
    }
}

async fn all<C: witryna::Content>(cms: &Cms) -> Vec<Item<C>> {
    cms.list::<C>(Query { limit: Some(100), ..Query::default() }).await.unwrap().items
}

#[tokio::test]
async fn demo_seeds_a_sled_store_once_with_the_seed_pages_content() {
    let dir = tempfile::tempdir().unwrap();
    {
        let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        let report = demo::seed(&cms).await.unwrap();
        assert!(report.seeded);
        assert_eq!(
            report.items, 22,
            "16 Polish items and 6 translations (a news item, a programme and a unit into en and uk)"
        );
        let again = demo::seed(&cms).await.unwrap();
        assert!(!again.seeded, "a store with content is left alone");
    }
    // Reopened: everything is still there, and public.
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));

    let news = all::<NewsArticle>(&cms).await;
    assert_eq!(news.len(), 2);
    assert_eq!(news[0].meta.publish_at, Some(utc("2017-12-05T08:06:48Z")), "newest first, to the second");
    let meeting = &news[1];
    assert_eq!(meeting.meta.publish_at, Some(utc("2017-02-03T08:41:08Z")), "09:41:08 in Warsaw");
    assert_eq!(meeting.content.author, "MOPS Kalisz");
    let event = meeting.content.event.as_ref().unwrap();
    assert_eq!(event.participants, Some(42));
    assert!(event.place.as_deref().unwrap().contains("Graniczna 1A"));
    assert_eq!(witryna::pl::datetime(meeting.meta.publish_at.unwrap()), "3 lutego 2017, 09:41");

    let programmes = all::<Programme>(&cms).await;
    assert_eq!(programmes.len(), 4);
    let rowni = public::<Programme>(&cms, "rowni-na-starcie").await.content;
    let budget = rowni.budget.unwrap();
    assert_eq!(budget.total.unwrap().to_string(), "1 515 830,74 zł");
    assert_eq!(budget.co_financing, Some(Money::from_grosze(144_003_920)));
    assert_eq!(rowni.funding.as_ref().unwrap().fund.as_deref(), Some("EFS"));
    assert_eq!(rowni.partners[0].name, "Fundacja „Z Godnością” w Kaliszu");

    let kis = public::<Programme>(&cms, "aktywni-w-kis").await.content;
    let b = kis.budget.unwrap();
    assert_eq!(
        (b.total.unwrap().to_string(), b.co_financing.unwrap().to_string(), b.own_contribution.unwrap().to_string()),
        ("60 365,83 zł".into(), "54 320,00 zł".into(), "6 045,83 zł".into())
    );
    assert_eq!(kis.target_groups.len(), 3);

    let zawiercie = programmes.iter().find(|p| p.content.name.contains("zawierciańskim")).unwrap();
    let achieved: Vec<u64> = zawiercie.content.indicators.iter().filter_map(|i| i.achieved).collect();
    assert_eq!(achieved, [145, 96, 13, 12, 2]);
    assert_eq!(zawiercie.content.status_on(utc("2026-01-01T00:00:00Z").date_naive()).unwrap().label_pl(), "zakończony");

    let glowno_project = programmes.iter().find(|p| p.content.name.contains("Głowno")).unwrap();
    let funding = glowno_project.content.funding.as_ref().unwrap();
    assert_eq!(funding.slogan.as_deref(), Some("Człowiek – najlepsza inwestycja"));
    assert_eq!(funding.sub_action.as_deref(), Some("Poddziałanie 7.1.1"));

    let units = all::<Unit>(&cms).await;
    assert_eq!(units.len(), 6);
    let glowno = public::<Unit>(&cms, "mops-glowno").await.content;
    // Monday 23 Nov 2026, 16:00 in Warsaw (15:00 UTC): open until 16:30; Tuesday 16:00: closed.
    assert!(glowno.office_hours.is_open_at(utc("2026-11-23T15:00:00Z")));
    assert!(!glowno.office_hours.is_open_at(utc("2026-11-24T15:00:00Z")));
    assert_eq!(glowno.office_hours.next_change_after(utc("2026-11-23T15:00:00Z")), Some(utc("2026-11-23T15:30:00Z")));
    let senior = public::<Unit>(&cms, "dzienny-dom-senior-plus").await.content;
    let parent = senior.parent.unwrap();
    assert_eq!(public::<Unit>(&cms, &parent).await.content.name, "Miejski Ośrodek Pomocy Społecznej w Zawierciu");

    let settings = cms.singleton::<AccessibilitySettings>().await.unwrap().unwrap();
    let s = settings.content;
    assert_eq!(s.font_sizes.iter().map(|f| f.percent).collect::<Vec<_>>(), [100, 125, 150]);
    assert!(s.high_contrast && s.animations_paused_by_default && s.shortcuts_can_be_disabled);
    assert_eq!(s.speech_language, "pl-PL");
    assert!(s.cookie_notice.starts_with("Ta strona używa plików cookies."));
    let rodo_slug = s.rodo_clause.rsplit('/').next().unwrap();
    assert_eq!(public::<Page>(&cms, rodo_slug).await.content.title, "Klauzula informacyjna");
    assert_eq!(all::<Page>(&cms).await.len(), 2);

    // The centre's activity in easy-to-read text (art. 6 pkt 3), public with the rest.
    let activity = cms.singleton::<ActivityInformation>().await.unwrap().unwrap();
    assert!(activity.meta.is_public_at(cms.now()));
    assert!(activity.content.easy_to_read.starts_with("Miejski Ośrodek Pomocy Społecznej to MOPS."));
    assert_eq!(activity.content.sign_language_video, None, "seeded without files: no recording");
    let kis = public::<Unit>(&cms, "klub-integracji-spolecznej").await.content;
    assert!(kis.easy_to_read.starts_with("Klub Integracji Społecznej to KIS."), "a unit with its own text");
}

/// A sled store with the demo loaded, for the per-seed checks below.
async fn seeded() -> (Cms, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    demo::seed(&cms).await.unwrap();
    (cms, dir)
}

/// Each passage is in the body, in the order the seed page shows them.
fn carries_in_order(body: &str, passages: &[&str]) {
    let mut from = 0;
    for p in passages {
        let at = body[from..].find(p).unwrap_or_else(|| panic!("{p:?} missing or out of order in:\n{body}"));
        from += at + p.len();
    }
}

// The demo once abridged the seed pages (issue 11); each item now carries its page in full.
// Every passage below was left out of the abridged texts; the last one ends the page.

#[tokio::test]
async fn seed_000_the_meeting_news_carries_the_whole_page() {
    let (cms, _dir) = seeded().await;
    let news = public::<NewsArticle>(&cms, "spotkanie-informacyjne-w-klubie-integracji-spolecznej").await.content;
    carries_in_order(
        &news.body,
        &[
            "Poddziałanie 7.2.1. Usługi społeczne – projekty pozakonkursowe realizowane przez jednostki samorządu terytorialnego i ich jednostki.",
            "Uczestników spotkania zapoznano z przedmiotem projektu, którym jest:",
            "Uczestników spotkania poinformowano o możliwości wzięcia udziału w programie, który umożliwi osobom, rodzinom i ich członkom będącym w trudnej sytuacji życiowej korzystanie ze wspólnych dóbr, lokalnych usług społecznych oraz zasobów instytucjonalnych dostępnych w środowisku lokalnym.",
            "O przystąpieniu Miejskiego Ośrodka Pomocy Społecznej do realizacji programu zdecyduje ilość osób zainteresowanych udziałem w programie",
            "- Programu Aktywizacja i Integracja.",
        ],
    );
}

#[tokio::test]
async fn seed_001_the_conference_news_carries_the_whole_page() {
    let (cms, _dir) = seeded().await;
    let news = all::<NewsArticle>(&cms).await;
    let conference = news.iter().find(|n| n.content.title.starts_with("Współpraca")).unwrap();
    carries_in_order(
        &conference.content.body,
        &[
            "przedstawił główne założenia i cel projektu, w tym m.in. podejmowanie działań prowadzących do odejścia od opieki instytucjonalnej",
            "dostrzegając potrzebę tworzenia przejściowych form pomocy między instytucją a samodzielnym funkcjonowaniem w środowisku.",
            "(m.in. liczne spotkania okazjonalne, warsztaty kulinarne, wyjazdy rekreacyjne i wycieczki edukacyjne, spotkania z ciekawymi osobami, udział w imprezach kulturalnych)",
            "Wagę współpracy w tym zakresie przybliżyły przedstawicielki MOPS w Kaliszu: Violetta Owczarek i Katarzyna Fluder.",
            "Uczestnicy konferencji mieli okazję więc przekonać się, jak wiele nowych działań i zadań podejmuje Miejski Ośrodek Pomocy Społecznej we współpracy z innymi jednostkami i organizacjami działającymi w Kaliszu.",
        ],
    );
}

#[tokio::test]
async fn seed_002_aktywni_w_kis_carries_the_whole_page() {
    let (cms, _dir) = seeded().await;
    let kis = public::<Programme>(&cms, "aktywni-w-kis").await.content;
    carries_in_order(
        &kis.body,
        &[
            "Projekt był skierowany do trzech grup społecznych: do osób bezrobotnych, osób uzależnionych/współuzależnionych oraz repatriantów.",
            "Ponadto dużą uwagę skupiono na pozyskiwaniu umiejętności interpersonalnych, wzmacnianiu samooceny i motywacji uczestników.",
            "Pobyt w nich przybliżył uczestnikom funkcjonowanie spółdzielni socjalnych.",
            "Program stanowi jednocześnie instrument motywujący do wdrażania nowych metod pracy z osobami wykluczonymi oraz programów ich aktywizacji społecznej i zawodowej",
            "Kaliski Klub Integracji Społecznej działający przy Miejskim Ośrodku Pomocy Społecznej podniósł jakość swojej oferty",
        ],
    );
}

#[tokio::test]
async fn seed_003_the_zawiercie_project_carries_the_whole_page() {
    let (cms, _dir) = seeded().await;
    let zawiercie =
        public::<Programme>(&cms, "partnerstwo-na-rzecz-aktywnej-integracji-w-powiecie-zawiercianskim").await.content;
    carries_in_order(
        &zawiercie.body,
        &[
            "Projekt realizowany był w partnerstwie z Powiatowym Centrum Pomocy Rodzinie oraz Chrześcijańskim Stowarzyszeniem Dobroczynnym w Kluczach.",
            "13 osób ukończyło udział w stażu, zaś 12 kurs zawodowy ECDL Base.",
            "Uczestniczyli w spotkaniach z przedstawicielami samorządu, Zakładu Gospodarki Mieszkaniowej, współorganizowali festyny rodzinne.",
            "W trakcie trwania projektu podpisano kilkadziesiąt porozumień, z których ostatecznie wyklarowała się kilkunastoosobowa grupa wolontariuszy stale wspierająca działania Programów.",
            "była aktywizacja społeczno-zawodowa osób wykluczonych i narażonych na wykluczenie społeczne.",
        ],
    );
}

#[tokio::test]
async fn seed_004_the_glowno_project_carries_the_whole_page() {
    let (cms, _dir) = seeded().await;
    let glowno = public::<Programme>(&cms, "aktywna-integracja-w-miescie-glowno").await.content;
    carries_in_order(
        &glowno.body,
        &[
            "Grudzień 2014",
            "Tut. Ośrodek realizował projekt poprzez Program Aktywności Lokalnej, który skierowany był do osób z terenu miasta Głowna",
            "Punkt konsultacyjny cieszył się ogromnym zainteresowaniem i powodzeniem.",
            "Centrum Edukacji „OŚWIATA”, 97-300 Piotrków Trybunalski, ul. Słowackiego 22.",
            "Spotkanie „Mikołajkowe” było okazją do podsumowań oraz podzielenia się refleksjami z udziału w tegorocznym projekcie.",
            "Miejski Ośrodek Pomocy Społecznej aplikuje o środki na kontynuację projektu na 2015 r.",
        ],
    );
}
