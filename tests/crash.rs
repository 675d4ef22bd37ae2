//! Acknowledged writes survive a crash: a child process writes to a sled store, reports
//! each acknowledged write, and aborts without running any destructor (no flush on drop);
//! the parent reopens the store and finds every acknowledged item.

use std::process::Command;
use std::sync::Arc;

use witryna::content::Page;
use witryna::sled::SledStore;
use witryna::{Cms, Id};

const CHILD_ENV: &str = "WITRYNA_CRASH_CHILD_DIR";
const WRITES: usize = 40;

fn child(dir: &str) -> ! {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let cms = Cms::new(Arc::new(SledStore::open(dir).unwrap()));
        for i in 0..WRITES {
            let page = Page {
                attachments: Vec::new(),
                title: format!("Strona {i}"),
                summary: String::new(),
                body: "treść".into(),
            };
            let item = cms.create(page).await.unwrap();
            let meta = cms.publish(item.meta.id, item.meta.version, None).await.unwrap();
            println!("ACK {} {}", meta.id, meta.version);
        }
    });
    std::process::abort();
}

#[test]
fn acknowledged_writes_survive_an_abort() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child(&dir);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "acknowledged_writes_survive_an_abort", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child must have crashed");
    let acks: Vec<(Id, u64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        // libtest may print "test name ... " on the same line as the first ACK.
        .filter_map(|l| l.split_once("ACK ").map(|(_, rest)| rest))
        .map(|l| {
            let (id, v) = l.split_once(' ').unwrap();
            (id.parse().unwrap(), v.parse().unwrap())
        })
        .collect();
    assert_eq!(acks.len(), WRITES, "child output: {}", String::from_utf8_lossy(&out.stderr));

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let cms = Cms::new(Arc::new(SledStore::open(dir.path()).expect("the store opens cleanly after a crash")));
        for (id, version) in acks {
            let item = cms.get::<Page>(id).await.unwrap_or_else(|e| panic!("acknowledged item {id} lost: {e}"));
            assert_eq!(item.meta.version, version, "acknowledged version of {id}");
        }
    });
}
