//! An export file of a header and any bytes: `witryna import`'s reader never panics, and
//! whatever it accepts is valid (it re-reads as the stored content).
#![no_main]
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use witryna_cli::transfer;
use witryna_core::MemoryStore;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let mut file = b"{\"witryna_export\":1,\"store_schema\":1}\n".to_vec();
    file.extend_from_slice(data);
    let store = Arc::new(MemoryStore::new());
    let report = runtime().block_on(transfer::import(&*store, &witryna_cli::kinds(), &mut &file[..], |_| {}));
    if let Ok(report) = report {
        let mut out = Vec::new();
        let exported = runtime().block_on(transfer::export(&*store, &mut out, || {})).unwrap();
        assert_eq!(exported, report.imported);
    }
});
