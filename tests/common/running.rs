//! A long-running dossier command (`watch`, `serve`) under test: its stderr as lines, waited
//! on with a deadline, stopped with Ctrl-C. Shared through `#[path]` by tests/serve.rs and
//! tests/watch.rs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub struct Running {
    child: Child,
    lines: Receiver<String>,
    /// Every stderr line read so far.
    pub seen: Vec<String>,
    name: &'static str,
    patience: Duration,
}

impl Running {
    /// Starts `dossier ARGS…` with stdin and stdout closed and stderr read line by line.
    pub fn start(args: &[&std::ffi::OsStr], name: &'static str, patience: Duration) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("dossier {name} starts: {e}"));
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
            name,
            patience,
        }
    }

    /// The next stderr line that satisfies `want`; panics with everything seen on timeout.
    pub fn wait_line(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + self.patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(_) => panic!("no such line; stderr so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Sends Ctrl-C (SIGINT), waits for a clean exit, and returns all of stderr.
    pub fn interrupt(mut self) -> Vec<String> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + self.patience;
        let code = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop on Ctrl-C",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        self.seen.extend(self.lines.try_iter());
        assert_eq!(
            code,
            Some(0),
            "exit after Ctrl-C:\n{}",
            self.seen.join("\n")
        );
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Only when a test failed half-way: never leave the process running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
