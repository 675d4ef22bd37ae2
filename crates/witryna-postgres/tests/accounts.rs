//! Two servers on one PostgreSQL database share the editors' sessions: a login on one is
//! valid on the other, and a logout or password change on one ends it on both.

use std::sync::Arc;

use witryna_accounts::users::{self, NewUser};
use witryna_accounts::{sessions, Role};
use witryna_core::{Cms, Kinds};
use witryna_postgres::PgStore;

mod common;

use common::{url, TestSchema};

#[tokio::test]
async fn two_servers_share_sessions() {
    let Some(client) = common::connect().await else { return };
    let schema = TestSchema::create(&client, "witryna_accounts").await;
    let server = || async {
        let store = PgStore::connect(&url(), schema.options(4)).await.expect("connect");
        Cms::new(Arc::new(store)).with_kinds(witryna_accounts::kinds(Kinds::builtin()))
    };
    let (a, b) = (server().await, server().await);
    let new = NewUser {
        email: "anna@mops.example.pl".into(),
        display_name: "Anna Kowalska".into(),
        role: Role::Editor,
        password: "zielona łąka nad Wartą".into(),
    };
    let anna = users::create_user(&a, new).await.unwrap().meta.id;
    assert!(users::find_user(&b, "anna@mops.example.pl").await.unwrap().is_some());

    let (secret, _) = sessions::start(&a, anna).await.unwrap();
    assert_eq!(sessions::resume(&b, &secret).await.unwrap().map(|s| s.user.meta.id), Some(anna));
    sessions::end(&b, &secret).await.unwrap();
    assert!(sessions::resume(&a, &secret).await.unwrap().is_none(), "a logout on one ends it on both");

    let (kept, kept_state) = sessions::start(&a, anna).await.unwrap();
    let (other, _) = sessions::start(&b, anna).await.unwrap();
    users::set_password(&b, anna, "inne długie hasło 2026", Some(kept_state.id)).await.unwrap();
    assert!(sessions::resume(&a, &kept).await.unwrap().is_some());
    assert!(sessions::resume(&a, &other).await.unwrap().is_none(), "a password change ends the others everywhere");
}
