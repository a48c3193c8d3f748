//! Writing a set of output files so that a failure leaves the destination as it was.
//!
//! Every file is first written into a staging folder inside the destination (same file
//! system, so renames are atomic); only when all of them are written are they renamed into
//! place. An interrupted or failed run leaves at most a hidden staging folder, which is
//! removed when the process ends normally.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// One file to write, by its path relative to the output folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub rel: PathBuf,
    pub bytes: Vec<u8>,
}

/// Writes all `files` into `dir`, or none of them.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".dossier-staging-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    for f in files {
        let path = staging.path().join(&f.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| Error::io(dir.join(&f.rel), e))?;
        file.write_all(&f.bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(dir.join(&f.rel), e))?;
    }
    for f in files {
        let target = dir.join(&f.rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(&target, e))?;
        }
        std::fs::rename(staging.path().join(&f.rel), &target).map_err(|e| Error::io(&target, e))?;
    }
    staging.close().map_err(|e| Error::io(dir, e))
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
