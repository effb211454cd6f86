//! A static file server for the built site, on an ephemeral port of
//! 127.0.0.1, in a background thread. Enough HTTP/1.1 for a browser loading
//! a static page: GET and HEAD, content types, 404, `Connection: close`;
//! it can answer for some files late, as a slow link would.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;
use std::time::Duration;

/// A running server; it lives as long as the test process.
pub struct StaticServer {
    /// The base address, e.g. `http://127.0.0.1:41234/`.
    pub url: String,
}

impl StaticServer {
    /// Serves the files under `root` (e.g. `dist/`) at the server's root.
    pub fn start(root: &Path) -> std::io::Result<StaticServer> {
        Self::start_under(root, "/")
    }

    /// Serves the files under `root` at the server's root, answering for
    /// those whose path ends with `suffix` only after `delay` (the page's
    /// later part on a slow link, say).
    pub fn start_slowing(
        root: &Path,
        suffix: &str,
        delay: Duration,
    ) -> std::io::Result<StaticServer> {
        Self::serve(root, "/", Some((suffix.to_string(), delay)))
    }

    /// Serves the files under `root` below the URL path `prefix` (e.g.
    /// `/course/kata/`), as a host serving the site from a sub-path would;
    /// anything outside the prefix is 404.
    pub fn start_under(root: &Path, prefix: &str) -> std::io::Result<StaticServer> {
        Self::serve(root, prefix, None)
    }

    fn serve(
        root: &Path,
        prefix: &str,
        slow: Option<(String, Duration)>,
    ) -> std::io::Result<StaticServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}{prefix}", listener.local_addr()?);
        let root = root.to_path_buf();
        let prefix = prefix.to_string();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, prefix, slow) = (root.clone(), prefix.clone(), slow.clone());
                thread::spawn(move || {
                    let _ = handle(stream, &root, &prefix, slow.as_ref());
                });
            }
        });
        Ok(StaticServer { url })
    }
}

fn handle(
    mut stream: TcpStream,
    root: &Path,
    prefix: &str,
    slow: Option<&(String, Duration)>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; the server needs none of them.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if let Some((_, delay)) = slow.filter(|(suffix, _)| path.ends_with(suffix.as_str())) {
        thread::sleep(*delay);
    }
    let file = path
        .strip_prefix(prefix.trim_end_matches('/'))
        .and_then(|rest| resolve(root, rest));
    let (status, body, content_type) =
        match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
            Some((f, body)) => ("200 OK", body, content_type(&f)),
            None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Maps a URL path to a file under `root`, refusing `..`; `/` and folders
/// mean their `index.html`.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
