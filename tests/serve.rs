//! `dossier serve` over real sockets: the page, its event stream across an edit, a broken
//! bundle and its fix; only the packet's own files answer (traversal in every spelling gets
//! 404); Ctrl-C stops it cleanly; and in headless Chromium the open page follows an edit by
//! itself.
//!
//! The Chromium test needs `chromium` (`tests/run.sh` installs it); set `DOSSIER_SKIP_BROWSER=1`
//! to skip it on a machine without one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous: a debug build renders a sample in well under a second, but CI machines vary.
const PATIENCE: Duration = Duration::from_secs(30);

/// A private copy of a sample bundle, to edit.
fn sample_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("bundle");
    copy_dir(&sample(name), &bundle);
    (dir, bundle)
}

#[path = "common/running.rs"]
mod running;
use running::Running;

mod common;
use common::{
    command, copy_dir, edit, gaps_template, render_with, repo, reword_gaps, sample, shown_options,
};

#[path = "common/pdf_tool.rs"]
mod pdf_tool;
use pdf_tool::tool;

/// A running `dossier serve` and the address it printed.
struct Serve {
    run: Running,
    addr: String,
}

impl Serve {
    fn start(bundle: &Path) -> Serve {
        Serve::start_with(bundle, &[])
    }

    /// `dossier serve --port 0 BUNDLE ARGS…`.
    fn start_with(bundle: &Path, args: &[&std::ffi::OsStr]) -> Serve {
        let mut all: Vec<&std::ffi::OsStr> = vec![
            "serve".as_ref(),
            "--port".as_ref(),
            "0".as_ref(),
            bundle.as_os_str(),
        ];
        all.extend(args);
        let mut run = Running::start(&all, "serve", PATIENCE);
        let line = run.wait_line(|l| l.starts_with("serving the packet at "));
        let addr = line
            .trim_start_matches("serving the packet at http://")
            .split('/')
            .next()
            .expect("address")
            .to_string();
        Serve { run, addr }
    }

    fn interrupt(self) -> Vec<String> {
        self.run.interrupt()
    }
}

impl std::ops::Deref for Serve {
    type Target = Running;
    fn deref(&self) -> &Running {
        &self.run
    }
}

impl std::ops::DerefMut for Serve {
    fn deref_mut(&mut self) -> &mut Running {
        &mut self.run
    }
}

/// One HTTP answer.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request_line` as written (no client normalises the path) and reads the answer.
fn raw(addr: &str, request_line: &str, host: &str) -> Reply {
    raw_with(addr, request_line, host, "")
}

/// As [`raw`], with `headers` (each ending in CRLF) added to the request.
fn raw_with(addr: &str, request_line: &str, host: &str, headers: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "{request_line}\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    // Up to the end of the head, then Content-Length bytes (Chromium's DevTools server
    // keeps the connection open), else to the end of the stream.
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(p) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut buf).expect("read answer");
        assert!(n > 0, "connection closed before the end of the head");
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let head_only = request_line.starts_with("HEAD ");
    match length {
        _ if head_only => {}
        Some(length) => {
            while body.len() < length {
                let n = stream.read(&mut buf).expect("read body");
                assert!(n > 0, "connection closed before the end of the body");
                body.extend_from_slice(&buf[..n]);
            }
        }
        None => {
            stream.read_to_end(&mut body).expect("read body");
        }
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn get(addr: &str, path: &str) -> Reply {
    raw(addr, &format!("GET {path} HTTP/1.1"), addr)
}

/// A reload's request: GET with the ETag of the copy the browser holds.
fn get_if_none_match(addr: &str, path: &str, etag: &str) -> Reply {
    raw_with(
        addr,
        &format!("GET {path} HTTP/1.1"),
        addr,
        &format!("If-None-Match: {etag}\r\n"),
    )
}

/// A client of the server-sent event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: &str) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET /__dossier/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header line");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        Events { reader }
    }

    /// The next `state` event's data, or `None` at the end of the stream.
    fn next(&mut self) -> Option<Value> {
        let mut event = String::new();
        let mut data = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("event stream line");
            if n == 0 {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if event == "state" {
                    return Some(serde_json::from_str(&data).expect("event JSON"));
                }
                event.clear();
                data.clear();
            } else if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
    }

    /// Reads events until one satisfies `want`.
    fn until(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let event = self.next().expect("the stream stays open");
            if want(&event) {
                return event;
            }
        }
    }
}

/// The 1-based line of `bundle.yaml` that starts with `prefix`.
fn line_of(bundle: &Path, prefix: &str) -> usize {
    let text = std::fs::read_to_string(bundle.join("bundle.yaml")).expect("bundle.yaml");
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line present")
        + 1
}

#[test]
fn an_edit_reloads_the_page_a_broken_bundle_shows_its_problems_and_a_fix_clears_them() {
    let (_dir, bundle) = sample_copy("acme-forecast");
    let mut serve = Serve::start(&bundle);
    assert!(
        serve.addr.starts_with("127.0.0.1:"),
        "loopback by default: {}",
        serve.addr
    );

    let page = get(&serve.addr, "/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains("<title>Acme Forecast Studio"), "title");
    assert!(
        html.contains("<script src=\"/__dossier/live.js\""),
        "live script"
    );
    assert!(html.contains("role=\"alert\" hidden></div>"), "no banner");
    assert!(page.header("content-security-policy").is_some());

    let mut events = Events::open(&serve.addr);
    let first = events.next().expect("the current state on connect");
    assert_eq!(first["banner"], Value::Null);
    let packet = first["packet"].as_str().expect("packet id").to_string();
    assert!(html.contains(&format!("data-packet=\"{packet}\"")));

    // An edit: a new packet, announced to the open page, with the new content.
    edit(
        &bundle,
        "  name: Acme Forecast Studio\n",
        "  name: Acme Forecast Live\n",
    );
    let rebuilt = events.until(|e| e["packet"].as_str() != Some(packet.as_str()));
    assert_eq!(rebuilt["banner"], Value::Null);
    let packet = rebuilt["packet"].as_str().expect("packet id").to_string();
    serve.wait_line(|l| l.starts_with("rebuilt after a change to bundle.yaml in "));
    let html = get(&serve.addr, "/packet.html").text();
    assert!(html.contains("<title>Acme Forecast Live"), "new content");
    assert!(
        !html.contains("<title>Acme Forecast Studio"),
        "old content gone"
    );

    // Broken: the same packet, and a banner with file, line, column and key.
    let line = line_of(&bundle, "as_of:");
    edit(&bundle, "as_of: 2026-11-20", "as_of: 2026-11-31");
    let broken = events.until(|e| !e["banner"].is_null());
    assert_eq!(broken["packet"].as_str(), Some(packet.as_str()));
    let banner = broken["banner"].as_str().expect("banner");
    assert!(
        banner.contains(&format!("bundle.yaml:{line}:8</code>")),
        "{banner}"
    );
    assert!(banner.contains("<code>as_of</code>"), "{banner}");
    assert!(banner.contains("1 problem"), "{banner}");
    serve.wait_line(|l| l.starts_with("build failed after a change to bundle.yaml"));
    assert!(
        serve.seen.iter().any(|l| l.contains("2026-11-31")),
        "diagnostics on stderr:\n{}",
        serve.seen.join("\n")
    );
    // A page opened now also shows the last good packet under the banner.
    let html = get(&serve.addr, "/").text();
    assert!(html.contains("<title>Acme Forecast Live"));
    assert!(html.contains("role=\"alert\"><p><strong>The bundle has 1 problem"));

    // Fixed: a new packet without a banner.
    edit(&bundle, "as_of: 2026-11-31", "as_of: 2026-11-20");
    let fixed = events.until(|e| e["banner"].is_null());
    assert_ne!(fixed["packet"].as_str(), Some(packet.as_str()));
    let html = get(&serve.addr, "/").text();
    assert!(html.contains("role=\"alert\" hidden></div>"), "banner gone");

    // Ctrl-C ends the event stream and the process, cleanly.
    let stderr = serve.interrupt();
    assert!(events.next().is_none(), "the event stream ends");
    assert_eq!(stderr.last().map(String::as_str), Some("stopped"));

    // The live script never reaches what `render` writes.
    let out = tempfile::tempdir().expect("out");
    let status = command()
        .args(["render", "--format", "html", "--out"])
        .arg(out.path())
        .arg(&bundle)
        .stderr(Stdio::null())
        .status()
        .expect("render runs");
    assert!(status.success());
    let written = std::fs::read_to_string(out.path().join("packet.html")).expect("page");
    assert!(!written.to_ascii_lowercase().contains("<script"));
    assert!(!written.contains("dossier-live-banner"));
}

#[test]
fn only_the_packet_and_its_assets_answer() {
    let serve = Serve::start(&repo("samples/acme-forecast"));
    let addr = serve.addr.as_str();

    for (path, mime) in [
        ("/", "text/html; charset=utf-8"),
        ("/packet.html", "text/html; charset=utf-8"),
        ("/packet.html?x=1", "text/html; charset=utf-8"),
        ("/packet.md", "text/markdown; charset=utf-8"),
        ("/assets/architecture.png", "image/png"),
        ("/__dossier/live.js", "text/javascript; charset=utf-8"),
    ] {
        let reply = get(addr, path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(mime), "{path}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            reply.header("content-length"),
            Some(reply.body.len().to_string().as_str()),
            "{path}"
        );
    }
    assert!(
        get(addr, "/assets/architecture.png")
            .body
            .starts_with(b"\x89PNG")
    );
    assert!(
        get(addr, "/packet.md")
            .text()
            .starts_with("# Acme Forecast Studio")
    );

    for path in [
        "/../Cargo.toml",
        "/../../../../../../etc/passwd",
        "/assets/../../Cargo.toml",
        "/assets/../packet.md",
        "/..%2f..%2fCargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/assets/%2e%2e%2fbundle.yaml",
        "/assets/..%5c..%5cbundle.yaml",
        "/..\\..\\Cargo.toml",
        "//etc/passwd",
        "/etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/bundle.yaml",
        "/diagrams/architecture.png",
        "/docs/",
        "/assets/",
        "/assets",
        "/packet.PDF",
        "/.git/config",
        "/__dossier/",
        "http://127.0.0.1/etc/passwd",
    ] {
        let reply = get(addr, path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text(), "not found\n", "{path}");
    }

    let head = raw(addr, "HEAD / HTTP/1.1", addr);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = raw(addr, "POST / HTTP/1.1", addr);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    // A page elsewhere that points its own name at 127.0.0.1 still cannot read the packet.
    assert_eq!(raw(addr, "GET / HTTP/1.1", "attacker.example").status, 403);
    assert_eq!(raw(addr, "GET / HTTP/1.1", "localhost").status, 200);
    serve.interrupt();
}

#[test]
fn a_bundle_broken_from_the_start_shows_its_problems_until_it_is_fixed() {
    let (_dir, bundle) = sample_copy("northwind-vision");
    edit(&bundle, "format: 1", "format: 7");
    let mut serve = Serve::start(&bundle);
    let html = get(&serve.addr, "/").text();
    assert!(html.contains("No packet yet"), "{html}");
    assert!(html.contains("<code>format</code>"), "{html}");

    let mut events = Events::open(&serve.addr);
    assert!(!events.next().expect("state")["banner"].is_null());
    edit(&bundle, "format: 7", "format: 1");
    let fixed = events.until(|e| e["banner"].is_null());
    assert!(fixed["packet"].as_str().is_some_and(|p| p != "none"));
    serve.wait_line(|l| l.starts_with("built after a change to bundle.yaml"));
    assert!(
        get(&serve.addr, "/")
            .text()
            .contains("<title>Northwind Inspect API")
    );
    serve.interrupt();
}

// Headless Chromium ---------------------------------------------------------------------

#[path = "common/chromium.rs"]
mod chromium;
use chromium::chromium_or_skip;

#[path = "common/devtools.rs"]
mod devtools;
use devtools::Browser;

/// Polls the page until `expression` gives something `want` accepts; `None` while the page
/// is between documents counts as not yet.
fn wait_for(
    browser: &mut Browser,
    what: &str,
    expression: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = browser.try_eval(expression)
            && want(&v)
        {
            return v;
        }
        assert!(Instant::now() < deadline, "the page never showed {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the test reads from the page: the title, the banner, whether the live script is
/// connected, and a marker the test sets (it disappears only when the page reloads).
const LOOK: &str = "JSON.stringify({\
    h1: (document.querySelector('h1') || {}).textContent || null,\
    live: document.documentElement.dataset.dossierLive || null,\
    banner: (b => b && !b.hidden ? b.innerText : null)(document.getElementById('dossier-live-banner')),\
    marker: window.dossierTestMarker || null\
})";

fn look(browser: &mut Browser, what: &str, want: impl Fn(&Value) -> bool) -> Value {
    let v = wait_for(browser, what, LOOK, |v| {
        v.as_str()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .is_some_and(|v| want(&v))
    });
    serde_json::from_str(v.as_str().expect("JSON text")).expect("JSON")
}

#[test]
fn chromium_follows_edits_without_a_manual_reload() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let (_dir, bundle) = sample_copy("acme-forecast");
    let mut serve = Serve::start(&bundle);
    let url = format!("http://{}/", serve.addr);
    let mut browser = Browser::start(&bin);
    browser.set_width(1200);
    browser.navigate(&url);

    let shown = look(&mut browser, "the packet, connected", |v| {
        v["live"].is_string()
            && v["h1"]
                .as_str()
                .is_some_and(|h| h.contains("Acme Forecast Studio"))
    });
    assert!(shown["banner"].is_null());
    browser.try_eval("window.dossierTestMarker = 'before the edit'; 1");

    // The test only edits the file; the page must reload and show the new name by itself.
    edit(
        &bundle,
        "  name: Acme Forecast Studio\n",
        "  name: Acme Forecast Live\n",
    );
    let shown = look(&mut browser, "the edited name", |v| {
        v["h1"]
            .as_str()
            .is_some_and(|h| h.contains("Acme Forecast Live"))
            && v["live"].is_string()
    });
    assert!(shown["marker"].is_null(), "the page reloaded: {shown}");
    browser.try_eval("window.dossierTestMarker = 'before the break'; 1");

    let line = line_of(&bundle, "as_of:");
    edit(&bundle, "as_of: 2026-11-20", "as_of: 2026-11-31");
    let shown = look(&mut browser, "the problems banner", |v| {
        v["banner"].is_string()
    });
    let banner = shown["banner"].as_str().unwrap_or_default();
    assert!(
        banner.contains(&format!("bundle.yaml:{line}:8")),
        "{banner}"
    );
    assert!(banner.contains("as_of"), "{banner}");
    // Still the last good packet, not reloaded: the banner came over the open page.
    assert!(
        shown["h1"]
            .as_str()
            .is_some_and(|h| h.contains("Acme Forecast Live"))
    );
    assert_eq!(shown["marker"], "before the break");

    edit(&bundle, "as_of: 2026-11-31", "as_of: 2026-11-20");
    let shown = look(&mut browser, "the banner gone", |v| {
        v["banner"].is_null() && v["live"].is_string() && v["marker"].is_null()
    });
    assert!(
        shown["h1"]
            .as_str()
            .is_some_and(|h| h.contains("Acme Forecast Live"))
    );

    drop(browser);
    serve.wait_line(|l| l.starts_with("rebuilt after a change to bundle.yaml"));
    serve.interrupt();
}

#[test]
fn serves_the_pdf_it_will_print_with_the_options_render_takes() {
    let (dir, bundle) = sample_copy("northwind-vision");
    let (templates, gaps) = gaps_template(dir.path());
    let args = shown_options(&templates);
    let mut serve = Serve::start_with(&bundle, &args);
    let addr = serve.addr.clone();

    // The page links the PDF; both are what render writes with the same options.
    let page = get(&addr, "/").text();
    assert!(page.contains("<a href=\"/packet.pdf\""), "link to the PDF");
    assert!(
        page.contains("Checklist for review"),
        "the reviewer edition"
    );
    let rendered = dir.path().join("rendered");
    render_with(&bundle, &rendered, &args);
    let md = get(&addr, "/packet.md");
    assert!(md.body == std::fs::read(rendered.join("packet.md")).expect("md"));
    assert!(
        md.text().contains("Our wording: 6 gaps."),
        "the templates folder"
    );
    let pdf = get(&addr, "/packet.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(
        pdf.body == std::fs::read(rendered.join("packet.pdf")).expect("pdf"),
        "the PDF render writes with the same options"
    );
    let served = dir.path().join("served.pdf");
    std::fs::write(&served, &pdf.body).expect("write");
    let info = tool("pdfinfo", &[], &served);
    assert!(info.contains("612 x 792"), "Letter paper: {info}");

    // Kept by the browser only to be revalidated: the same bytes answer 304, and a
    // rebuilt PDF has another ETag, so a reload shows it.
    assert_eq!(pdf.header("cache-control"), Some("no-cache"));
    let etag = pdf.header("etag").expect("an ETag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 40, "{etag}");
    let again = get_if_none_match(&addr, "/packet.pdf", &etag);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    edit(
        &bundle,
        "  name: Northwind Inspect API\n",
        "  name: Northwind Inspect Live\n",
    );
    serve.wait_line(|l| l.starts_with("rebuilt after a change to bundle.yaml in "));
    let rebuilt = get_if_none_match(&addr, "/packet.pdf", &etag);
    assert_eq!(rebuilt.status, 200);
    assert!(rebuilt.body.starts_with(b"%PDF-"));
    assert!(
        rebuilt.body != pdf.body,
        "the PDF is rebuilt with the bundle"
    );
    assert_ne!(rebuilt.header("etag"), Some(etag.as_str()));

    // A template is an input like the bundle's files.
    reword_gaps(&gaps);
    let line = serve.wait_line(|l| l.starts_with("rebuilt") || l.starts_with("build failed"));
    assert!(line.contains("gaps.md in "), "{line}");
    assert!(
        get(&addr, "/packet.md")
            .text()
            .contains("Reworded: 6 gaps.")
    );
    serve.interrupt();
}
