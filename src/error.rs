//! The one error type of the command line, with one exit code per kind.

use std::path::PathBuf;

use crate::bundle::LoadError;

/// Everything that can stop a command.
#[derive(Debug)]
pub enum Error {
    /// The bundle is invalid: every problem, with positions.
    Bundle(LoadError),
    /// The command line asks for something impossible.
    Usage(String),
    /// Reading or writing a file failed.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A template or renderer failed.
    Render(String),
    /// The output folder cannot be written (read-only, permissions, not a folder).
    Output {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code: every error is 2; 0 and 1 are results, not errors.
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The message for stderr.
    pub fn render(&self) -> String {
        match self {
            Error::Bundle(e) => e.render(),
            Error::Usage(m) => format!("error: {m}\n"),
            Error::Io { path, source } => {
                let what = match source.kind() {
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    std::io::ErrorKind::NotFound => "not found".to_string(),
                    _ => source.to_string(),
                };
                format!("error: {}: {what}\n", path.display())
            }
            Error::Render(m) => format!("error: {m}\n"),
            Error::Output { dir, source } => {
                let what = match source.kind() {
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system".to_string(),
                    std::io::ErrorKind::NotADirectory => "not a folder".to_string(),
                    _ => source.to_string(),
                };
                format!(
                    "error: cannot write into the output folder {}: {what}; nothing was written\n",
                    dir.display()
                )
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Bundle(e)
    }
}
