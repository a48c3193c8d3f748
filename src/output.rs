//! Writing a set of output files so that a failure leaves the destination as it was.
//!
//! Every file is first written into a staging folder inside the destination (same file
//! system, so renames are atomic); only when all of them are written are they renamed into
//! place, each earlier file moved aside first so that a failed rename puts them all back. A
//! failed run removes its staging folder. Once [`clean_up_on_interrupt`] is installed, Ctrl-C
//! or SIGTERM stops a write between files and removes the staging folder, or, if the files are
//! already being renamed into place, lets that finish; then the process exits. Only SIGKILL
//! or a crash can leave a hidden `.dossier-staging-*` folder behind; the files in place are
//! never half-written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::Error;

/// One file to write, by its path relative to the output folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub rel: PathBuf,
    pub bytes: Vec<u8>,
}

/// The exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report an interrupt).
pub const INTERRUPTED: i32 = 130;

/// Held by [`write_all`] from start to end: the interrupt handler waits for it.
static WRITING: Mutex<()> = Mutex::new(());
/// Set by the interrupt handler: [`write_all`] stops before the next file.
static STOP: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C and SIGTERM leave the output folder whole: a write in progress stops between
/// files and cleans up (or, once renaming into place has begun, finishes), then the process
/// exits with [`INTERRUPTED`]. For one-shot commands (`render`); a long-running command that
/// handles Ctrl-C itself does not need it, because it lets [`write_all`] finish.
pub fn clean_up_on_interrupt() -> Result<(), Error> {
    // Once per process: `render A B C` writes several packets, and ctrlc takes one handler.
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if *installed {
        return Ok(());
    }
    ctrlc::set_handler(|| {
        STOP.store(true, Ordering::SeqCst);
        // Wait for a write in progress to stop and clean up; a panic while writing leaves
        // nothing more to wait for.
        let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        eprintln!("error: interrupted; the output folder was left as it was");
        std::process::exit(INTERRUPTED);
    })
    .map_err(|e| Error::Render(format!("cannot handle Ctrl-C: {e}")))?;
    *installed = true;
    Ok(())
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
    let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
    let cannot = |e: std::io::Error| Error::Output {
        dir: dir.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    // Dropping `stage` removes the folder with whatever is in it, on every early return.
    let stage = tempfile::Builder::new()
        .prefix(".dossier-staging-")
        .tempdir_in(dir)
        .map_err(cannot)?;
    stage_files(stage.path(), dir, files)?;
    commit(stage.path(), dir, files)?;
    stage.close().map_err(|e| Error::io(dir, e))
}

/// Writes every file under `stage/new/`, stopping early on an interrupt.
fn stage_files(stage: &Path, dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    for f in files {
        if STOP.load(Ordering::SeqCst) {
            return Err(Error::Render("interrupted".into()));
        }
        let path = stage.join("new").join(&f.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        file.write_all(&f.bytes)
            .and_then(|()| file.sync_all())
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
}
