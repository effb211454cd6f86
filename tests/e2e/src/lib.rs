//! What the end-to-end tests stand on: a static file server for `dist/` on
//! 127.0.0.1 and a small W3C WebDriver client that drives Debian's
//! chromedriver and headless Chromium.
//!
//! Kept to std, `ureq` and `serde_json` so the suite builds fast and stays in
//! Rust; no async runtime.

pub mod serve;
pub mod webdriver;

use std::path::PathBuf;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where tests leave their screenshots: `target/e2e/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Serves `dist/` and opens `path` on it (`""` for the site itself,
/// `"course-example.html"`, `"#d2.…"` for a link) in a headless Chromium of
/// the given size. Panics with a clear message when the site is not built.
pub fn serve_and_open(
    path: &str,
    width: u32,
    height: u32,
) -> (serve::StaticServer, webdriver::Browser) {
    let dist = workspace_root().join("dist");
    let file = match path.split('#').next() {
        Some("") | None => "index.html",
        Some(file) => file,
    };
    assert!(
        dist.join(file).is_file(),
        "no dist/{file}: build the site first with scripts/build.sh"
    );
    let server = serve::StaticServer::start(&dist).expect("serve dist/");
    let browser = webdriver::Browser::start(width, height).expect("start headless Chromium");
    browser
        .goto(&format!("{}{path}", server.url))
        .expect("open the site");
    (server, browser)
}

/// Serves `dist/` and opens it in a headless Chromium of the given size,
/// waiting until the app has mounted (its canvas shows nodes). Panics with
/// a clear message when the site is not built or does not mount.
pub fn open_site(width: u32, height: u32) -> (serve::StaticServer, webdriver::Browser) {
    let (server, browser) = serve_and_open("", width, height);
    if let Err(e) = browser.wait_for(
        "return document.querySelectorAll('svg.canvas g.node').length",
        std::time::Duration::from_secs(30),
    ) {
        let body = browser
            .execute("return document.body.innerHTML", vec![])
            .unwrap_or_default();
        panic!("the app did not mount: {e}\nbody: {body}");
    }
    (server, browser)
}
