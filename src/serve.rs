//! `dossier serve`: the HTML packet over HTTP, rebuilt whenever the bundle changes, with a
//! live-reload script, a diagnostics banner and a link to the PDF (`/packet.pdf`) that
//! exist only in served pages (the `packet.html` that `render` and `watch` write stays
//! script-free).
//!
//! Takes the bundle path, a listen address (loopback unless the user says otherwise) and
//! the render options (`dossier render`'s: edition, paper, templates…).
//! Serves from memory — the files of the last good build, looked up by exact name — so no
//! request can reach the file system, whatever its path says.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::Error;
use crate::html::html_escape;
use crate::render::RenderOptions;
use crate::watch::{self, Changes, Signal};

/// The server-sent event stream that tells open pages about rebuilds.
const EVENTS_PATH: &str = "/__dossier/events";
/// The live-reload script.
const SCRIPT_PATH: &str = "/__dossier/live.js";
/// An event stream with nothing to say sends a comment this often, so a closed page is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Open event streams at most (one per open page); more get 503.
const MAX_STREAMS: usize = 64;

/// Reloads the page when the packet is rebuilt; shows or hides the problems banner.
const LIVE_JS: &str = r#"// dossier serve: reloads this page when the packet is rebuilt and shows the bundle's
// problems in a banner while it is invalid. Only served pages load it.
(() => {
  const packet = document.currentScript.dataset.packet;
  const banner = document.getElementById('dossier-live-banner');
  const events = new EventSource('/__dossier/events');
  events.addEventListener('state', (e) => {
    const state = JSON.parse(e.data);
    if (state.packet !== packet) {
      events.close();
      location.reload();
      return;
    }
    // The banner is built and escaped by the server.
    banner.innerHTML = state.banner || '';
    banner.hidden = !state.banner;
    document.documentElement.dataset.dossierLive = String(state.version);
  });
})();
"#;

const BANNER_CSS: &str = "#dossier-live-banner{position:fixed;top:0;left:0;right:0;z-index:10;\
max-height:50vh;overflow:auto;margin:0;padding:.75rem 1.25rem;background:#fbe6e4;color:#5c0f0b;\
border-bottom:2px solid #a3231c;box-shadow:0 2px 6px rgba(0,0,0,.15);\
font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif}\
#dossier-live-banner[hidden]{display:none}\
#dossier-live-banner p{margin:0}\
#dossier-live-banner ul{margin:.35rem 0 0;padding-left:1.25rem}\
#dossier-live-banner code{font:13px ui-monospace,'DejaVu Sans Mono',monospace;overflow-wrap:anywhere}\
#dossier-live-pdf{position:fixed;right:1rem;bottom:1rem;z-index:9;margin:0}\
#dossier-live-pdf a{display:inline-block;padding:.5rem .9rem;background:#fff;color:#174a7c;\
border:1px solid #174a7c;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.15);text-decoration:none;\
font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif}\
@media print{#dossier-live-banner,#dossier-live-pdf{display:none}}";

/// Where the served page links the PDF.
const PDF_PATH: &str = "/packet.pdf";

/// The page's only script comes from this server; the packet itself never needs one.
const PAGE_CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the server hands out, replaced as a whole on every build.
struct State {
    /// Bumped whenever open pages should hear something (a new packet or new problems).
    version: u64,
    /// The packet being served; a page showing another one reloads.
    packet: String,
    /// The last good build's files by their name in the output folder.
    files: BTreeMap<String, Served>,
    /// The problems banner (HTML) while the bundle is invalid.
    banner: Option<String>,
    stopping: bool,
}

/// One file of the last good build, with the validator a browser revalidates it by.
#[derive(Clone)]
struct Served {
    bytes: Arc<Vec<u8>>,
    mime: &'static str,
    /// A strong ETag: the SHA-256 of the bytes, quoted.
    etag: String,
}

impl Served {
    fn new(name: &str, bytes: Vec<u8>) -> Served {
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Served {
            mime: content_type(name),
            etag: format!("\"{hash}\""),
            bytes: Arc::new(bytes),
        }
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    streams: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `f` and wakes every open event stream.
    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        f(&mut state);
        state.version += 1;
        self.changed.notify_all();
    }
}

/// `dossier serve BUNDLE --bind ADDR --port N`: serves the formats `opts` asks for until
/// Ctrl-C.
pub fn run(
    bundle_path: &Path,
    bind: IpAddr,
    port: u16,
    opts: &RenderOptions,
) -> Result<i32, Error> {
    let wanted = SocketAddr::new(bind, port);
    let server = Server::http(wanted)
        .map_err(|e| Error::Usage(format!("cannot listen on {wanted}: {e}")))?;
    let addr = server.server_addr().to_ip().unwrap_or(wanted);
    let server = Arc::new(server);
    let mut changes = Changes::watch(bundle_path, &[], opts.templates.as_deref())?;

    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            version: 0,
            packet: "none".into(),
            files: BTreeMap::new(),
            banner: None,
            stopping: false,
        }),
        changed: Condvar::new(),
        streams: AtomicUsize::new(0),
    });
    let mut builder = Builder {
        shared: Arc::clone(&shared),
        bundle: bundle_path.to_path_buf(),
        opts: opts.clone(),
        // Tells this server's packets from an earlier run's, so a page left open reloads.
        instance: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
        builds: 0,
    };
    builder.rebuild(&mut changes, None);

    {
        let shared = Arc::clone(&shared);
        let server = Arc::clone(&server);
        let stop = changes.stopper();
        watch::on_interrupt(move || {
            shared.update(|s| s.stopping = true);
            server.unblock();
            let _ = stop.send(Signal::Stop);
        })?;
    }
    let rebuilds = std::thread::spawn(move || {
        while let Some(paths) = changes.next() {
            builder.rebuild(&mut changes, Some(paths));
        }
    });

    let loopback_only = bind.is_loopback();
    if !loopback_only {
        eprintln!("warning: listening on {bind}: other machines can read the packet");
    }
    eprintln!("serving the packet at http://{addr}/ (Ctrl-C stops)");
    loop {
        match server.recv() {
            Ok(request) => {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || handle(request, &shared, loopback_only));
            }
            Err(e) => {
                if shared.lock().stopping {
                    break;
                }
                eprintln!("warning: accepting a connection: {e}");
            }
        }
    }
    let _ = rebuilds.join();
    eprintln!("stopped");
    Ok(0)
}

/// Builds the packet in memory and publishes the outcome to the server.
struct Builder {
    shared: Arc<Shared>,
    bundle: PathBuf,
    opts: RenderOptions,
    instance: u128,
    builds: u64,
}

impl Builder {
    fn rebuild(&mut self, changes: &mut Changes, why: Option<Vec<PathBuf>>) {
        let started = Instant::now();
        let result = watch::build(&self.bundle, &self.opts);
        let took = watch::format_duration(started.elapsed());
        let after = why.map_or(String::new(), |p| {
            format!(" after a change to {}", watch::list(&p))
        });
        match &result {
            Ok(b) => {
                self.builds += 1;
                let files = b
                    .rendered
                    .files
                    .iter()
                    .map(|f| {
                        let name = f.rel.to_string_lossy().replace('\\', "/");
                        let served = Served::new(&name, f.bytes.clone());
                        (name, served)
                    })
                    .collect();
                let packet = format!("{}-{}", self.instance, self.builds);
                self.shared.update(|s| {
                    s.files = files;
                    s.packet = packet;
                    s.banner = None;
                });
                for w in &b.rendered.warnings {
                    eprintln!("warning: {w}");
                }
                eprintln!(
                    "{}{after} in {took}: {} Met, {} Not Met",
                    if self.builds == 1 { "built" } else { "rebuilt" },
                    b.met,
                    b.not_met
                );
            }
            Err(e) => {
                eprint!("{}", e.render());
                eprintln!("build failed{after} in {took}; still serving the last good packet");
                let banner = banner(e);
                self.shared.update(|s| s.banner = Some(banner));
            }
        }
        changes.built(result.as_ref().map_err(|_| ()));
    }
}

/// Answers one request. Only GET and HEAD; only the packet's files, the script and the
/// event stream; only for a loopback `Host` when listening on loopback (so a web page
/// that rebinds its own name to 127.0.0.1 cannot read the packet). The packet's files
/// carry an ETag and `Cache-Control: no-cache`, so a reload revalidates them and shows a
/// rebuilt PDF, while an unchanged one answers 304 without its bytes.
fn handle(request: Request, shared: &Shared, loopback_only: bool) {
    if loopback_only && !loopback_host(&request) {
        return respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"forbidden host\n".to_vec(),
            &[],
        );
    }
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        return respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
            &[("Allow", "GET, HEAD")],
        );
    }
    let path = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    match path.as_str() {
        EVENTS_PATH if method == Method::Get => stream_events(request, shared),
        SCRIPT_PATH => respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes().to_vec(),
            &[],
        ),
        "/" | "/packet.html" => {
            let page = {
                let state = shared.lock();
                let html = match state.files.get("packet.html") {
                    Some(file) => String::from_utf8_lossy(&file.bytes).into_owned(),
                    None => NO_PACKET_YET.to_string(),
                };
                let pdf = state.files.contains_key(&PDF_PATH[1..]);
                live_page(&html, &state.packet, state.banner.as_deref(), pdf)
            };
            respond(
                request,
                200,
                "text/html; charset=utf-8",
                page.into_bytes(),
                &[("Content-Security-Policy", PAGE_CSP)],
            )
        }
        _ => {
            // Exact names only: `..`, encoded or not, absolute paths and folders never match.
            let found = path
                .strip_prefix('/')
                .filter(|name| *name != "packet.html")
                .and_then(|name| shared.lock().files.get(name).cloned());
            match found {
                Some(file) => {
                    let cache = [("Cache-Control", "no-cache"), ("ETag", file.etag.as_str())];
                    if fresh(&request, &file.etag) {
                        respond(request, 304, file.mime, Vec::new(), &cache)
                    } else {
                        respond(request, 200, file.mime, file.bytes.to_vec(), &cache)
                    }
                }
                None => respond(
                    request,
                    404,
                    "text/plain; charset=utf-8",
                    b"not found\n".to_vec(),
                    &[],
                ),
            }
        }
    }
}

/// Shown until the bundle first builds.
const NO_PACKET_YET: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>dossier — no packet yet</title>\n</head>\n<body>\n<main style=\"margin:8rem auto;max-width:40rem;\
font:16px/1.5 system-ui,sans-serif\">\n<h1>No packet yet</h1>\n<p>The bundle has problems (listed \
above). This page shows the packet as soon as they are fixed.</p>\n</main>\n</body>\n</html>\n";

/// Whether the request's `If-None-Match` names `etag` (or `*`): the browser's copy is
/// the current one.
fn fresh(request: &Request, etag: &str) -> bool {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("If-None-Match"))
        .flat_map(|h| h.value.as_str().split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The packet page with the banner, the link to the PDF (when it is built) and the
/// live-reload script added before `</body>`.
fn live_page(html: &str, packet: &str, banner: Option<&str>, pdf: bool) -> String {
    let pdf_link = if pdf {
        format!(
            "<p id=\"dossier-live-pdf\"><a href=\"{PDF_PATH}\" type=\"application/pdf\">Open the PDF</a></p>\n"
        )
    } else {
        String::new()
    };
    let snippet = format!(
        "<div id=\"dossier-live-banner\" role=\"alert\"{}>{}</div>\n{pdf_link}<style>{BANNER_CSS}</style>\n\
         <script src=\"{SCRIPT_PATH}\" data-packet=\"{}\" defer></script>\n",
        if banner.is_some() { "" } else { " hidden" },
        banner.unwrap_or_default(),
        html_escape(packet)
    );
    let at = html.rfind("</body>").unwrap_or(html.len());
    let mut page = String::with_capacity(html.len() + snippet.len());
    page.push_str(&html[..at]);
    page.push_str(&snippet);
    page.push_str(&html[at..]);
    page
}

/// The problems banner: every diagnostic with its file, line, column and key.
fn banner(e: &Error) -> String {
    let items: Vec<String> = match e {
        Error::Bundle(load) => load
            .diagnostics
            .iter()
            .map(|d| {
                let mut li = format!("<li><code>{}</code> ", html_escape(&d.location()));
                if !d.key.is_empty() {
                    li.push_str(&format!("<code>{}</code>: ", html_escape(&d.key)));
                }
                li.push_str(&html_escape(&d.message));
                if let Some(hint) = &d.hint {
                    li.push_str(&format!(" <em>({})</em>", html_escape(hint)));
                }
                li.push_str("</li>");
                li
            })
            .collect(),
        other => vec![format!("<li>{}</li>", html_escape(&other.to_string()))],
    };
    let n = items.len();
    format!(
        "<p><strong>The bundle has {}</strong>; this is the last good packet, which updates as soon as the \
         bundle is fixed.</p><ul>{}</ul>",
        crate::plural::count(n, "problem", "problems"),
        items.concat()
    )
}

/// Streams `state` events to one open page until it goes away or the server stops. The
/// response is written by hand because each event must be flushed as it happens.
fn stream_events(request: Request, shared: &Shared) {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        return respond(
            request,
            503,
            "text/plain; charset=utf-8",
            b"too many open pages\n".to_vec(),
            &[],
        );
    }
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let mut ok = out
        .write_all(head.as_bytes())
        .and_then(|()| out.flush())
        .is_ok();
    let mut sent = None;
    while ok {
        let message = {
            let mut state = shared.lock();
            loop {
                if state.stopping {
                    break None;
                }
                if sent != Some(state.version) {
                    sent = Some(state.version);
                    let json = serde_json::json!({
                        "version": state.version,
                        "packet": state.packet,
                        "banner": state.banner,
                    });
                    break Some(format!("event: state\ndata: {json}\n\n"));
                }
                let (guard, wait) = shared
                    .changed
                    .wait_timeout(state, KEEP_ALIVE)
                    .unwrap_or_else(|p| p.into_inner());
                state = guard;
                if wait.timed_out() {
                    break Some(": keep-alive\n\n".to_string());
                }
            }
        };
        ok = match message {
            Some(m) => out
                .write_all(m.as_bytes())
                .and_then(|()| out.flush())
                .is_ok(),
            None => false,
        };
    }
    shared.streams.fetch_sub(1, Ordering::SeqCst);
}

/// Whether the request's `Host` names this machine (absent counts: only browsers matter).
fn loopback_host(request: &Request) -> bool {
    let Some(host) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    let host = host.value.as_str();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The content type of a packet file, by its extension.
fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn respond(request: Request, status: u16, mime: &str, body: Vec<u8>, extra: &[(&str, &str)]) {
    let mut response = Response::from_data(body)
        .with_status_code(status)
        // A Content-Length on every answer: simpler for clients than chunks.
        .with_chunked_threshold(usize::MAX);
    // Nothing is kept by the browser unless `extra` says how to revalidate it.
    let cache = if extra.iter().any(|(name, _)| *name == "Cache-Control") {
        None
    } else {
        Some(("Cache-Control", "no-store"))
    };
    let headers = [
        ("Content-Type", mime),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ];
    for (name, value) in headers.iter().chain(&cache).chain(extra) {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // A client that went away is not the server's problem.
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_and_banner_go_before_the_end_of_the_body() {
        let page = live_page(
            "<html><body><p>x</p></body></html>",
            "7-1",
            Some("<p>bad</p>"),
            true,
        );
        assert!(
            page.ends_with(
                "<script src=\"/__dossier/live.js\" data-packet=\"7-1\" defer></script>\n</body></html>"
            ),
            "{page}"
        );
        assert!(page.contains("role=\"alert\"><p>bad</p></div>"), "{page}");
        assert!(page.contains("<a href=\"/packet.pdf\""), "{page}");
        let clean = live_page("<body></body>", "7-2", None, false);
        assert!(clean.contains("role=\"alert\" hidden></div>"), "{clean}");
        assert!(
            !clean.contains("packet.pdf"),
            "no link without a PDF: {clean}"
        );
    }

    #[test]
    fn the_banner_escapes_what_the_bundle_says() {
        let e = Error::Bundle(crate::bundle::LoadError {
            diagnostics: vec![crate::bundle::diag::Diagnostic {
                file: "b/bundle.yaml".into(),
                pos: Some(crate::bundle::diag::Pos {
                    line: 3,
                    column: 5,
                    bytes: 0..0,
                }),
                key: "references[0].<x>".into(),
                message: "unknown key <script>".into(),
                hint: Some("did you mean \"lessons\"?".into()),
            }],
            source: None,
        });
        let html = banner(&e);
        assert!(html.contains("<code>b/bundle.yaml:3:5</code>"), "{html}");
        assert!(html.contains("references[0].&lt;x&gt;"), "{html}");
        assert!(html.contains("unknown key &lt;script&gt;"), "{html}");
        assert!(html.contains("1 problem</strong>"), "{html}");
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("assets/architecture.PNG"), "image/png");
        assert_eq!(content_type("packet.md"), "text/markdown; charset=utf-8");
        assert_eq!(content_type("assets/x.jpeg"), "image/jpeg");
    }
}
