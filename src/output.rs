//! Writing a set of output files so that a failure leaves the destination as it was.
//!
//! Every file is first written into a staging folder inside the destination (same file
//! system, so renames are atomic); only when all of them are written are they renamed into
//! place, each earlier file moved aside first so that a failed rename puts them all back. A
//! failed run removes its staging folder. Once [`clean_up_on_interrupt`] is installed, Ctrl-C
//! or SIGTERM removes every [`Staging`] folder, after waiting for a write in progress to stop
//! between files (or, once its files are being renamed into place, to finish); then the
//! process exits. Only SIGKILL or a crash can leave a hidden staging folder behind; the files
//! in place are never half-written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::Error;

/// One file to write, by its path relative to the output folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub rel: PathBuf,
    pub bytes: Vec<u8>,
}

pub use crate::error::INTERRUPTED;

/// The staging folders that exist now. Whoever writes into, reads from or renames a staging
/// folder holds this lock, and so does the interrupt handler from the moment it runs until
/// the process exits: neither ever sees the other's half-done work.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set by the interrupt handler: work holding [`STAGING`] stops before the next file.
static STOP: AtomicBool = AtomicBool::new(false);

fn staging_lock() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while writing leaves the list as it was: still right to clean up from.
    STAGING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes Ctrl-C and SIGTERM leave output folders whole: a write in progress stops between
/// files (or, once renaming into place has begun, finishes), every staging folder is
/// removed, then the process exits with [`INTERRUPTED`]. For one-shot commands (`render`,
/// `archive`); a long-running command that handles Ctrl-C itself does not need it, because
/// it lets [`write_all`] finish.
pub fn clean_up_on_interrupt() -> Result<(), Error> {
    // Once per process: `render A B C` writes several packets, and ctrlc takes one handler.
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if *installed {
        return Ok(());
    }
    ctrlc::set_handler(|| {
        STOP.store(true, Ordering::SeqCst);
        // Held until `exit`: nothing touches a staging folder after this.
        let mut staging = staging_lock();
        for dir in staging.drain(..) {
            let _ = std::fs::remove_dir_all(&dir);
        }
        // A write that was already renaming into place has finished, so the folder holds
        // either what it held before or the complete new output.
        eprintln!("error: interrupted; no half-written output was left");
        std::process::exit(INTERRUPTED);
    })
    .map_err(|e| Error::Signals(e.to_string()))?;
    *installed = true;
    Ok(())
}

/// An error once Ctrl-C or SIGTERM has arrived: work stops at the next file.
pub fn stop_if_interrupted() -> Result<(), Error> {
    if STOP.load(Ordering::SeqCst) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Once Ctrl-C or SIGTERM has arrived, never returns: the handler is removing the staging
/// folders and exits with [`INTERRUPTED`]. The command's own outcome, an "interrupted" error
/// most likely, would otherwise race it to the exit code.
pub fn wait_if_interrupted() {
    while STOP.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// A hidden folder beside an output, where it is put together before being renamed into
/// place. Dropping it removes it, and so does Ctrl-C or SIGTERM once
/// [`clean_up_on_interrupt`] is installed.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
}

impl Staging {
    /// Makes an empty folder named `prefix` and a random suffix inside `dir`.
    pub fn new_in(dir: &Path, prefix: &str) -> std::io::Result<Staging> {
        let mut staging = staging_lock();
        let path = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(dir)?
            .keep();
        staging.push(path.clone());
        Ok(Staging { path })
    }

    /// Runs `f` on the folder; an interrupt meanwhile waits for `f` to return before it
    /// removes the folder. `f` should call [`stop_if_interrupted`] between files; keep work
    /// that only computes in memory outside, so that Ctrl-C is not kept waiting for it.
    pub fn hold<T>(&self, f: impl FnOnce(&Path) -> Result<T, Error>) -> Result<T, Error> {
        let _held = staging_lock();
        stop_if_interrupted()?;
        f(&self.path)
    }

    /// Renames the folder to `target`, which then is the finished output, no longer staging.
    /// Like rename(2), fails if `target` is a folder that is not empty.
    pub fn persist(self, target: &Path) -> std::io::Result<()> {
        let mut staging = staging_lock();
        if STOP.load(Ordering::SeqCst) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        std::fs::rename(&self.path, target)?;
        staging.retain(|p| p != &self.path);
        Ok(())
    }

    /// Removes the folder and everything in it, reporting a failure that dropping ignores.
    pub fn remove(self) -> std::io::Result<()> {
        let mut staging = staging_lock();
        staging.retain(|p| p != &self.path);
        std::fs::remove_dir_all(&self.path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut staging = staging_lock();
        // Gone from the list once persisted, removed, or cleaned up by the interrupt handler.
        if let Some(i) = staging.iter().position(|p| p == &self.path) {
            staging.remove(i);
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Refuses to write when one of `files` would replace one of `protected` (the bundle's own
/// files: `--out` pointed into the bundle folder). The bundle is input only.
pub fn refuse_to_replace(
    dir: &Path,
    files: &[OutputFile],
    protected: &[PathBuf],
) -> Result<(), Error> {
    let protected: Vec<PathBuf> = protected
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    for f in files {
        let target = dir.join(&f.rel);
        if let Ok(real) = target.canonicalize()
            && protected.contains(&real)
        {
            return Err(Error::Usage(format!(
                "{} is a file of the bundle; choose an output folder outside the bundle with --out",
                target.display()
            )));
        }
    }
    Ok(())
}

/// Writes all `files` into `dir`, or none of them.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let cannot = |e: std::io::Error| Error::Output {
        dir: dir.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    // Dropping `stage` removes the folder with whatever is in it, on every early return.
    let stage = Staging::new_in(dir, ".dossier-staging-").map_err(cannot)?;
    stage.hold(|path| {
        stage_files(path, dir, files)?;
        commit(path, dir, files)
    })?;
    stage.remove().map_err(|e| Error::io(dir, e))
}

/// Writes every file under `stage/new/`, stopping early on an interrupt.
fn stage_files(stage: &Path, dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    for f in files {
        stop_if_interrupted()?;
        let path = stage.join("new").join(&f.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        // Not flushed to disk (`fsync`): the packet is derived from the bundle and rebuilt
        // at will, and on ext4 each flush, and every unlink after one, waited for a journal
        // commit — 30 ms of the sample's 70 ms. All or nothing still holds: the files
        // appear, by rename, only once every one is written. `archive`, the year's record,
        // does flush.
        file.write_all(&f.bytes)
            .map_err(|e| Error::io(dir.join(&f.rel), e))?;
    }
    Ok(())
}

/// What one rename changed, so that it can be undone.
struct Done {
    target: PathBuf,
    /// Where the file it replaced was moved, if there was one.
    old: Option<PathBuf>,
}

/// Renames the staged files into place, moving earlier files aside into `stage/old/`; on
/// failure undoes every step, newest first.
fn commit(stage: &Path, dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let mut done = Vec::new();
    let mut created = Vec::new();
    for f in files {
        if let Err(e) = replace(stage, dir, &f.rel, &mut done, &mut created) {
            for d in done.iter().rev() {
                let _ = match &d.old {
                    Some(old) => std::fs::rename(old, &d.target),
                    None => std::fs::remove_file(&d.target),
                };
            }
            for folder in created.iter().rev() {
                let _ = std::fs::remove_dir(folder);
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Puts the staged `rel` in place, recording what it changed in `done` and `created`.
fn replace(
    stage: &Path,
    dir: &Path,
    rel: &Path,
    done: &mut Vec<Done>,
    created: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let target = dir.join(rel);
    let fail = |e| Error::io(&target, e);
    if let Some(parent) = target.parent()
        && !parent.is_dir()
    {
        std::fs::create_dir_all(parent).map_err(fail)?;
        created.push(parent.to_path_buf());
    }
    let old = match std::fs::symlink_metadata(&target) {
        Ok(_) => {
            let aside = stage.join("old").join(rel);
            if let Some(parent) = aside.parent() {
                std::fs::create_dir_all(parent).map_err(fail)?;
            }
            std::fs::rename(&target, &aside).map_err(fail)?;
            Some(aside)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    let renamed = std::fs::rename(stage.join("new").join(rel), &target);
    done.push(Done {
        target: target.clone(),
        old,
    });
    renamed.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_leaves_no_staging_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = [
            OutputFile {
                rel: "packet.md".into(),
                bytes: b"# x\n".to_vec(),
            },
            OutputFile {
                rel: "assets/architecture.png".into(),
                bytes: vec![1, 2, 3],
            },
        ];
        write_all(dir.path(), &files).expect("written");
        assert_eq!(
            std::fs::read(dir.path().join("packet.md")).expect("md"),
            b"# x\n"
        );
        assert_eq!(
            std::fs::read(dir.path().join("assets/architecture.png")).expect("png"),
            [1, 2, 3]
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.starts_with(".dossier-staging")),
            "{names:?}"
        );
    }

    #[test]
    fn a_staging_folder_goes_when_dropped_and_stays_once_persisted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dropped = Staging::new_in(dir.path(), ".dossier-test-").expect("made");
        let path = dropped.path.clone();
        std::fs::write(path.join("a"), "x").expect("write");
        drop(dropped);
        assert!(!path.exists());

        let kept = Staging::new_in(dir.path(), ".dossier-test-").expect("made");
        std::fs::write(kept.path.join("a"), "x").expect("write");
        let target = dir.path().join("done");
        kept.persist(&target).expect("renamed");
        assert_eq!(
            std::fs::read_to_string(target.join("a")).expect("read"),
            "x"
        );
        assert!(!staging_lock().iter().any(|p| p.starts_with(dir.path())));
    }
}
