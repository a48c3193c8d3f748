//! The one error type of the command line: a kind per failure, and the exit code of each
//! kind in one place ([`Error::exit_code`]), as the README's table of commands documents.

use std::path::PathBuf;

use crate::bundle::LoadError;

/// The exit code of every error but an interrupt: 0 and 1 are results (`check`, `verify`,
/// `diff`), not errors.
pub const FAILED: i32 = 2;

/// The exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report an interrupt).
pub const INTERRUPTED: i32 = 130;

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
    /// The output folder cannot be written (read-only, permissions, not a folder).
    Output {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// The packet templates do not compile, or do not render the packet's view.
    Template(String),
    /// An output format (the HTML page, the PDF) could not be produced from the Markdown.
    Render(String),
    /// The public edition would publish confidential text; the message names every hit.
    Leak(String),
    /// Ctrl-C or SIGTERM arrived while files were being written.
    Interrupted,
    /// The bundle folder cannot be watched for changes (`watch`, `serve`).
    Watch { dir: PathBuf, reason: String },
    /// Ctrl-C and SIGTERM cannot be caught, so a stop could not be clean.
    Signals(String),
    /// Data could not be written as JSON.
    Json(String),
    /// The system clock gives no date (`init` dates the starter bundle today).
    Clock(String),
    /// A worker rendering one of several bundles stopped without an outcome.
    WorkerStopped,
}

impl Error {
    /// The process exit code of this kind of error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted => INTERRUPTED,
            Error::Bundle(_)
            | Error::Usage(_)
            | Error::Io { .. }
            | Error::Output { .. }
            | Error::Template(_)
            | Error::Render(_)
            | Error::Leak(_)
            | Error::Watch { .. }
            | Error::Signals(_)
            | Error::Json(_)
            | Error::Clock(_)
            | Error::WorkerStopped => FAILED,
        }
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
            Error::Io { path, source } => {
                let what = match source.kind() {
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    std::io::ErrorKind::NotFound => "not found".to_string(),
                    _ => source.to_string(),
                };
                format!("error: {}: {what}\n", path.display())
            }
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
            Error::Usage(m)
            | Error::Template(m)
            | Error::Render(m)
            | Error::Leak(m)
            | Error::Json(m) => format!("error: {m}\n"),
            Error::Interrupted => "error: interrupted\n".into(),
            Error::Watch { dir, reason } => {
                format!("error: cannot watch {}: {reason}\n", dir.display())
            }
            Error::Signals(m) => format!("error: cannot handle Ctrl-C: {m}\n"),
            Error::Clock(m) => format!("error: today's date: {m}\n"),
            Error::WorkerStopped => "error: the renderer stopped\n".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_exits_130_and_every_other_kind_2() {
        assert_eq!(Error::Interrupted.exit_code(), 130);
        for e in [
            Error::Usage("u".into()),
            Error::Template("t".into()),
            Error::Render("r".into()),
            Error::Leak("l".into()),
            Error::Watch {
                dir: "b".into(),
                reason: "r".into(),
            },
            Error::Signals("s".into()),
            Error::Json("j".into()),
            Error::Clock("c".into()),
            Error::WorkerStopped,
        ] {
            assert_eq!(e.exit_code(), 2, "{e}");
        }
    }

    #[test]
    fn each_kind_says_what_failed() {
        let watch = Error::Watch {
            dir: "bundle".into(),
            reason: "too many watches".into(),
        };
        assert_eq!(
            watch.render(),
            "error: cannot watch bundle: too many watches\n"
        );
        assert_eq!(
            Error::Signals("no handler".into()).to_string(),
            "error: cannot handle Ctrl-C: no handler"
        );
        assert_eq!(Error::Interrupted.to_string(), "error: interrupted");
        assert_eq!(
            Error::Clock("overflow".into()).to_string(),
            "error: today's date: overflow"
        );
    }
}
