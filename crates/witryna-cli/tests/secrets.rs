//! `witryna` never prints a PostgreSQL password, whatever form the `--store` connection
//! string takes. The databases named here do not exist: the commands fail (at the server
//! if one answers at 127.0.0.1:5432, else at the connection), and their messages must say
//! so without the password.

use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_witryna");

/// Runs `witryna export --store STORE`; returns its exit status and standard error.
fn export(store: &str) -> (std::process::ExitStatus, String) {
    let out =
        Command::new(BIN).args(["export", "--store", store]).env("WITRYNA_LOG", "debug").output().expect("run witryna");
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn server_answers() -> bool {
    let addr: SocketAddr = "127.0.0.1:5432".parse().unwrap();
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

fn assert_fails_without_secrets(store: &str, secrets: &[&str]) {
    let (status, stderr) = export(store);
    assert!(!status.success(), "export from a database that does not exist succeeded: {stderr}");
    assert!(stderr.contains("cannot connect to"), "stderr names the problem: {stderr}");
    assert!(stderr.contains("witryna_no_such_db"), "stderr names the database: {stderr}");
    if server_answers() {
        assert!(stderr.contains("does not exist"), "stderr tells what the server said: {stderr}");
    } else {
        eprintln!("(no PostgreSQL at 127.0.0.1:5432: the connection fails before the database is looked up)");
    }
    for secret in secrets {
        assert!(!stderr.contains(secret), "stderr shows {secret:?}: {stderr}");
    }
    assert!(stderr.contains("***"), "stderr shows the password as ***: {stderr}");
}

#[test]
fn a_keyword_value_store_is_postgres_and_its_password_never_shows() {
    assert_fails_without_secrets(
        "host=127.0.0.1 port=5432 user=postgres password=sekret-kv dbname=witryna_no_such_db",
        &["sekret-kv"],
    );
    assert_fails_without_secrets(
        r"host=127.0.0.1 port=5432 user=postgres password = 'sekret-kv \'quoted' dbname=witryna_no_such_db",
        &["sekret-kv", "quoted"],
    );
}

#[test]
fn percent_encoded_url_passwords_never_show() {
    assert_fails_without_secrets(
        "postgres://postgres@127.0.0.1:5432/witryna_no_such_db?password=sek%72et-pct",
        &["sek%72et-pct", "sekret-pct"],
    );
    assert_fails_without_secrets(
        "postgres://postgres@127.0.0.1:5432/witryna_no_such_db?pass%77ord=sekret-pct",
        &["sekret-pct"],
    );
    assert_fails_without_secrets(
        "postgresql://postgres:sek%40ret-pct@127.0.0.1:5432/witryna_no_such_db",
        &["sek%40ret-pct", "sek@ret-pct"],
    );
}
