//! The index folder without an fsync per commit.
//!
//! A tantivy commit writes a new segment — half a dozen small files — and `meta.json`,
//! each synced to disk: about five `fdatasync`s per commit, which made the index, not the
//! store, the cost of a write. The index is derived from the store, which syncs every
//! acknowledged write itself; what the index needs is to never *silently* miss one.
//!
//! So [`UnsyncedDirectory`] is tantivy's [`MmapDirectory`] whose writes are not synced,
//! and the folder holds a mark ([`MARK`]) while it may hold unsynced data, naming the
//! kernel's boot ([`boot_id`]). Data written to a file survives the death of the process
//! that wrote it (it is in the kernel's page cache); only a kernel crash or a power cut
//! loses it, and after either the machine boots again with a new boot id. On open, a mark
//! from another boot (or one that cannot be read, or a system without boot ids) means the
//! folder may have lost commits: it is emptied and rebuilt from the store. A clean stop
//! ([`TantivyIndex::sync`](crate::TantivyIndex::sync)) syncs every file and removes the
//! mark.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// The file that marks a folder holding data not yet synced; its content is the boot id.
pub(crate) const MARK: &str = "unsynced";

/// The kernel's id of this boot (Linux); `None` elsewhere.
pub(crate) fn boot_id() -> Option<String> {
    fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Whether the folder may have lost commits: a mark from another boot, or one that cannot
/// be compared.
pub(crate) fn may_have_lost_commits(path: &Path) -> bool {
    match fs::read_to_string(path.join(MARK)) {
        Ok(mark) => boot_id().is_none_or(|boot| mark.trim() != boot),
        Err(e) => e.kind() != io::ErrorKind::NotFound,
    }
}

/// Marks the folder as holding unsynced data from this boot (the mark itself is synced).
pub(crate) fn mark(path: &Path) -> io::Result<()> {
    let mut file = File::create(path.join(MARK))?;
    file.write_all(boot_id().unwrap_or_default().as_bytes())?;
    file.sync_all()?;
    sync_folder(path)
}

/// Syncs every file of the folder and the folder, then removes the mark.
pub(crate) fn sync_and_unmark(path: &Path) -> io::Result<()> {
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name() != MARK {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_folder(path)?;
    match fs::remove_file(path.join(MARK)) {
        Ok(()) => sync_folder(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn sync_folder(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// [`MmapDirectory`] whose writes are left to the kernel: see the module.
#[derive(Debug, Clone)]
pub(crate) struct UnsyncedDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl UnsyncedDirectory {
    pub(crate) fn open(root: &Path) -> Result<Self, tantivy::directory::error::OpenDirectoryError> {
        Ok(Self { inner: MmapDirectory::open(root)?, root: root.to_owned() })
    }
}

/// A file written without a sync at its end.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for UnsyncedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new().write(true).create_new(true).open(self.root.join(path)).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                OpenWriteError::FileAlreadyExists(path.to_owned())
            } else {
                OpenWriteError::wrap_io_error(e, path.to_owned())
            }
        })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    /// Written beside and renamed into place: a reader sees the old file or the new one.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let target = self.root.join(path);
        let mut temporary = target.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        fs::write(&temporary, data)?;
        fs::rename(&temporary, &target)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_of_this_boot_is_trusted_and_another_boots_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!may_have_lost_commits(dir.path()), "no mark: synced");
        mark(dir.path()).unwrap();
        assert_eq!(may_have_lost_commits(dir.path()), boot_id().is_none(), "this boot's mark");
        fs::write(dir.path().join(MARK), "another-boot").unwrap();
        assert!(may_have_lost_commits(dir.path()), "a mark from before a reboot");
        fs::write(dir.path().join("segment"), b"data").unwrap();
        sync_and_unmark(dir.path()).unwrap();
        assert!(!dir.path().join(MARK).exists());
        assert!(!may_have_lost_commits(dir.path()));
    }
}
