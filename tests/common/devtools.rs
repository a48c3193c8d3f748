//! One headless Chromium driven over the DevTools protocol: open a page, set the window
//! width, evaluate JavaScript (awaiting promises) and read the value back. Shared through
//! `#[path]` by tests/browser.rs and tests/serve.rs; needs tests/common/chromium.rs beside it
//! as `chromium`.
// Each test crate compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::chromium::headless;

/// Generous: a page with axe-core takes a second or two, but CI machines vary.
const PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium with one page, killed when dropped.
pub struct Browser {
    _child: KillOnDrop,
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium on a blank page and connects to that page.
    pub fn start(bin: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let child = KillOnDrop(
            headless(bin, profile.path())
                .args(["--remote-debugging-port=0", "--hide-scrollbars"])
                .arg("about:blank")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromium starts"),
        );
        let port_file = profile.path().join("DevToolsActivePort");
        let port = poll("the DevTools port", || {
            std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.lines().next().map(str::to_string))
                .filter(|p| !p.is_empty())
        });
        let devtools = format!("127.0.0.1:{port}");
        let target = poll("the page target", || {
            let list: Value = serde_json::from_slice(&http_get(&devtools, "/json/list")?).ok()?;
            list.as_array()?
                .iter()
                .find(|t| t["type"] == "page")
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string))
        });
        let stream = TcpStream::connect(&devtools).expect("connect to DevTools");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let (socket, _) = tungstenite::client(target.as_str(), stream).expect("DevTools socket");
        Browser {
            _child: child,
            socket,
            next_id: 0,
            _profile: profile,
        }
    }

    /// Sends one DevTools command and returns its result; panics on a protocol error.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .expect("send to DevTools");
        loop {
            let message = match self.socket.read() {
                Ok(message) => message,
                // A signal to the test process (a child exiting) interrupts the read; the
                // socket is intact, so read again.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    continue;
                }
                Err(e) => panic!("DevTools answers: {e}"),
            };
            let Ok(text) = message.to_text() else {
                continue;
            };
            let Ok(reply) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method}: {}", reply["error"]);
                return reply["result"].clone();
            }
        }
    }

    /// Lays the page out `width` CSS pixels wide, as a desktop window of that width.
    pub fn set_width(&mut self, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        );
    }

    /// Opens `page` from disk and waits until it has loaded.
    pub fn open(&mut self, page: &Path) {
        self.navigate(&format!("file://{}", page.display()));
    }

    /// Opens `url` and waits until it has loaded.
    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        // Until the new document has replaced the old one, the old one answers.
        let loaded = format!(
            "location.href === {} && document.readyState === 'complete'",
            json!(url)
        );
        let deadline = Instant::now() + PATIENCE;
        while self.try_eval(&loaded) != Some(Value::Bool(true)) {
            assert!(Instant::now() < deadline, "{url} did not load");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The value of `expression` (a promise is awaited); panics with the page's exception.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.evaluate(expression);
        if let Some(e) = result.get("exceptionDetails") {
            panic!("the page threw: {e}");
        }
        result["result"]["value"].clone()
    }

    /// Like [`Browser::eval`], `None` where the page threw (as between two documents).
    pub fn try_eval(&mut self, expression: &str) -> Option<Value> {
        let result = self.evaluate(expression);
        result
            .get("exceptionDetails")
            .is_none()
            .then(|| result["result"]["value"].clone())
    }

    fn evaluate(&mut self, expression: &str) -> Value {
        self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )
    }
}

/// Kills the browser when dropped, also when the test fails while starting it.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The body of `GET path` from the DevTools HTTP server, `None` while it is not answering.
fn http_get(addr: &str, path: &str) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    // Chromium keeps the connection open: read the head, then Content-Length bytes.
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(p) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..split]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())?;
    let mut body = bytes[split + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(body)
}

fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
