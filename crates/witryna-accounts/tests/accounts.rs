//! Accounts on real stores (memory and sled): users, sessions and their ends, the setup
//! link, API tokens.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use witryna_accounts::users::{self, NewUser, UserError};
use witryna_accounts::{sessions, setup, tokens, Role};
use witryna_core::audit::{Actor, AuditAction, AuditQuery};
use witryna_core::{Cms, DynStore, Id, Kinds, ManualClock, MemoryStore};

fn as_account(id: Id) -> Actor {
    Actor { id: Some(id), name: "Anna Kowalska".into(), address: Some("192.0.2.7".into()) }
}

async fn each_store(check: impl AsyncFn(Cms, Arc<ManualClock>)) {
    let dir = tempfile::tempdir().unwrap();
    let stores: [DynStore; 2] =
        [Arc::new(MemoryStore::new()), Arc::new(witryna_sled::SledStore::open(dir.path().join("db")).unwrap())];
    for store in stores {
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()));
        let cms = Cms::with_clock(store, clock.clone()).with_kinds(witryna_accounts::kinds(Kinds::builtin()));
        check(cms, clock).await;
    }
}

fn anna() -> NewUser {
    NewUser {
        email: " Anna.Kowalska@MOPS.example.pl ".into(),
        display_name: "Anna Kowalska".into(),
        role: Role::Editor,
        password: "zielona łąka nad Wartą".into(),
    }
}

#[tokio::test]
async fn users_are_unique_by_address_and_passwords_follow_the_policy() {
    each_store(async |cms, _| {
        let user = users::create_user(&cms, anna()).await.unwrap();
        assert_eq!(user.content.email, "anna.kowalska@mops.example.pl");
        assert!(!user.content.password_hash.contains("łąka"));
        let again = users::create_user(&cms, NewUser { email: "anna.kowalska@mops.example.pl".into(), ..anna() }).await;
        assert!(matches!(again, Err(UserError::EmailTaken(_))), "{again:?}");
        let weak =
            users::create_user(&cms, NewUser { email: "b@mops.example.pl".into(), password: "haslo".into(), ..anna() });
        assert!(matches!(weak.await, Err(UserError::Password(_))));
        let bad = users::create_user(&cms, NewUser { email: "nie adres".into(), ..anna() }).await;
        assert!(matches!(bad, Err(UserError::InvalidEmail(_))));
        let found = users::find_user(&cms, "ANNA.kowalska@mops.example.pl").await.unwrap().unwrap();
        assert_eq!(found.meta.id, user.meta.id);
        assert!(!users::has_administrator(&cms).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn the_last_administrator_stays() {
    each_store(async |cms, _| {
        let admin = users::create_user(&cms, NewUser { role: Role::Administrator, ..anna() }).await.unwrap();
        assert!(users::has_administrator(&cms).await.unwrap());
        let demoted = users::update_user(&cms, admin.meta.id, 1, "Anna", Role::Editor, true).await;
        assert!(matches!(demoted, Err(UserError::LastAdministrator)));
        let second = NewUser { email: "b@mops.example.pl".into(), role: Role::Administrator, ..anna() };
        users::create_user(&cms, second).await.unwrap();
        let demoted = users::update_user(&cms, admin.meta.id, 1, "Anna", Role::Editor, true).await.unwrap();
        assert_eq!(demoted.content.role, Role::Editor);
    })
    .await;
}

#[tokio::test]
async fn sessions_end_when_idle_old_logged_out_or_the_password_changes() {
    each_store(async |cms, clock| {
        let user = users::create_user(&cms, anna()).await.unwrap().meta.id;
        let generation = cms.generation();
        let (secret, state) = sessions::start(&cms, user).await.unwrap();
        assert_eq!(state.user.meta.id, user);
        assert_eq!(state.csrf, sessions::csrf_token(&secret));
        assert!(sessions::resume(&cms, "wss_nonsense").await.unwrap().is_none());
        clock.advance(Duration::minutes(2));
        sessions::resume(&cms, &secret).await.unwrap();
        assert_eq!(cms.generation(), generation, "session writes leave the public caches warm");

        // Active every 20 minutes: alive until the absolute end.
        for _ in 0..35 {
            clock.advance(Duration::minutes(20));
            assert!(sessions::resume(&cms, &secret).await.unwrap().is_some());
        }
        clock.advance(Duration::minutes(20));
        assert!(sessions::resume(&cms, &secret).await.unwrap().is_none(), "12 h is the absolute end");
        assert!(sessions::resume(&cms, &secret).await.unwrap().is_none(), "and it stays ended");

        let (idle, _) = sessions::start(&cms, user).await.unwrap();
        clock.advance(Duration::minutes(29));
        assert!(sessions::resume(&cms, &idle).await.unwrap().is_some());
        clock.advance(Duration::minutes(30));
        assert!(sessions::resume(&cms, &idle).await.unwrap().is_none(), "30 min idle ends it");

        let (a, a_state) = sessions::start(&cms, user).await.unwrap();
        let (b, _) = sessions::start(&cms, user).await.unwrap();
        users::set_password(&cms, user, "inne długie hasło 2026", Some(a_state.id)).await.unwrap();
        assert!(sessions::resume(&cms, &a).await.unwrap().is_some(), "the session that changed it stays");
        assert!(sessions::resume(&cms, &b).await.unwrap().is_none(), "the others end");

        sessions::end(&cms, &a).await.unwrap();
        assert!(sessions::resume(&cms, &a).await.unwrap().is_none(), "logout ends it on the server");

        let (c, _) = sessions::start(&cms, user).await.unwrap();
        let current = users::get_user(&cms, user).await.unwrap().unwrap();
        users::update_user(&cms, user, current.meta.version, "Anna", Role::Editor, false).await.unwrap();
        assert!(sessions::resume(&cms, &c).await.unwrap().is_none(), "a deactivated user's sessions end");
    })
    .await;
}

#[tokio::test]
async fn a_setup_link_works_once_and_for_an_hour() {
    each_store(async |cms, clock| {
        let secret = setup::create(&cms).await.unwrap();
        let link = setup::find(&cms, &secret).await.unwrap().expect("valid");
        assert!(setup::consume(&cms, &link).await.unwrap());
        assert!(setup::find(&cms, &secret).await.unwrap().is_none(), "used up");
        assert!(!setup::consume(&cms, &link).await.unwrap(), "a second use is refused");

        let late = setup::create(&cms).await.unwrap();
        clock.advance(Duration::minutes(61));
        assert!(setup::find(&cms, &late).await.unwrap().is_none(), "expired after an hour");
    })
    .await;
}

#[tokio::test]
async fn tokens_authenticate_by_secret_and_record_their_writes() {
    each_store(async |cms, _| {
        let token = tokens::create_token(&cms, Role::Editor, "import").await.unwrap();
        let found = tokens::authenticate(&cms, &token.token).await.unwrap().unwrap();
        assert_eq!((found.id, found.role), (token.info.id, Role::Editor));
        assert!(tokens::authenticate(&cms, "wtr_zzz").await.unwrap().is_none());
        let page = witryna_core::content::Page {
            attachments: Vec::new(),
            title: "O nas".into(),
            summary: String::new(),
            body: "…".into(),
        };
        let item = cms.acting_as(as_account(found.id)).create(page).await.unwrap();
        assert_eq!(item.meta.created_by, Some(token.info.id));
        tokens::revoke_token(&cms, found.id).await.unwrap();
        assert!(tokens::authenticate(&cms, &token.token).await.unwrap().is_none());
    })
    .await;
}

#[test]
fn roles_read_english_polish_and_the_old_token_names() {
    for (text, role) in [("autor", Role::Author), ("redaktor", Role::Editor), ("admin", Role::Administrator)] {
        assert_eq!(text.parse::<Role>().unwrap(), role);
        assert_eq!(serde_json::from_str::<Role>(&format!("\"{text}\"")).unwrap(), role);
        assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
    }
    assert!(Role::Author < Role::Editor && Role::Editor < Role::Administrator);
    assert!(!Role::Author.may_publish() && Role::Editor.may_publish() && !Role::Editor.may_administer());
}

#[tokio::test]
async fn deactivation_withdraws_the_tokens_and_preview_links_an_account_made() {
    each_store(async |cms, _| {
        let admin = NewUser { role: Role::Administrator, ..anna() };
        let her = users::create_user(&cms, admin).await.unwrap().meta.id;
        let other = NewUser { email: "b@mops.example.pl".into(), role: Role::Administrator, ..anna() };
        users::create_user(&cms, other).await.unwrap();
        let hers = tokens::create_token(&cms.acting_as(as_account(her)), Role::Editor, "import").await.unwrap();
        let cli = tokens::create_token(&cms, Role::Editor, "z wiersza poleceń").await.unwrap();
        let page = witryna_core::content::Page {
            attachments: Vec::new(),
            title: "Szkic".into(),
            summary: String::new(),
            body: "…".into(),
        };
        let draft = cms.create(page).await.unwrap().meta.id;
        let link = witryna_accounts::previews::create(&cms.acting_as(as_account(her)), draft).await.unwrap();
        assert_eq!(witryna_accounts::previews::find(&cms, &link).await.unwrap(), Some(draft));

        let version = users::get_user(&cms, her).await.unwrap().unwrap().meta.version;
        users::update_user(&cms, her, version, "Anna", Role::Administrator, false).await.unwrap();
        assert!(tokens::authenticate(&cms, &hers.token).await.unwrap().is_none(), "her token is revoked");
        assert!(tokens::authenticate(&cms, &cli.token).await.unwrap().is_some(), "others' tokens stay");
        assert_eq!(witryna_accounts::previews::find(&cms, &link).await.unwrap(), None, "her preview links end");
    })
    .await;
}

/// Each account action leaves exactly one audit entry naming it; bookkeeping (a session's
/// last-seen time, sessions ended by a password change) leaves none.
#[tokio::test]
async fn every_account_action_leaves_one_entry() {
    each_store(async |cms, clock| {
        let log = async |cms: &Cms| {
            let entries = cms.store().audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.unwrap();
            entries.into_iter().rev().map(|e| (e.action, e.note)).collect::<Vec<_>>()
        };
        let admin = users::create_user(&cms, NewUser { role: Role::Administrator, ..anna() }).await.unwrap();
        let me = cms.acting_as(as_account(admin.meta.id));
        let other = users::create_user(&me, NewUser { email: "b@mops.example.pl".into(), ..anna() }).await.unwrap();
        let (secret, _) = sessions::start(&me, admin.meta.id).await.unwrap();
        clock.advance(Duration::minutes(2));
        assert!(sessions::resume(&cms, &secret).await.unwrap().is_some(), "touches the session: not logged");
        sessions::end(&me, &secret).await.unwrap();
        sessions::start(&me, other.meta.id).await.unwrap();
        users::set_password(&me, other.meta.id, "niebieskie niebo nad Prosną", None).await.unwrap();
        users::update_user(&me, other.meta.id, 2, "Beata", Role::Administrator, true).await.unwrap();
        users::update_user(&me, other.meta.id, 3, "Beata", Role::Administrator, false).await.unwrap();
        let token = tokens::create_token(&me, Role::Editor, "import").await.unwrap();
        tokens::revoke_token(&me, token.info.id).await.unwrap();
        use AuditAction::*;
        let note = |t: &str| Some(t.to_owned());
        assert_eq!(
            log(&cms).await,
            [
                (UserCreated, None),
                (UserCreated, None),
                (Login, None),
                (Logout, None),
                (Login, None),
                (PasswordChanged, None),
                (RoleChanged, note("rola: redaktor → administrator")),
                (UserChanged, note("konto wyłączone")),
                (TokenCreated, None),
                (TokenRevoked, None),
            ]
        );
        let entries = cms.store().audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.unwrap();
        assert!(entries[..9]
            .iter()
            .all(|e| e.actor.id == Some(admin.meta.id) && e.actor.address.as_deref() == Some("192.0.2.7")));
        assert!(entries.iter().all(|e| e.item.as_ref().is_some_and(|i| i.slug.is_empty())), "no secret hashes logged");
        let logged = serde_json::to_string(&entries).unwrap();
        assert!(!logged.contains(&witryna_accounts::secret_hash(&secret)), "not as a title either");
    })
    .await;
}
