//! What the end-to-end tests stand on: a static file server for `dist/` on
//! 127.0.0.1 and a small W3C WebDriver client that drives Debian's
//! chromedriver and headless Chromium.
//!
//! Kept to std, `ureq` and `serde_json` so the suite builds fast and stays in
//! Rust; no async runtime.

pub mod a11y;
pub mod serve;
pub mod webdriver;

use std::path::PathBuf;

/// The top bar's "Copy link" button (the wide layout's).
pub const COPY_LINK: &str = "button.wide-only[data-action=\"copy-link\"]";

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A canonical design of the status dashboard, by name (`"reference"`,
/// `"starter"`…: `katas/status-dashboard/designs/<name>.json`), read.
pub fn canonical_design(name: &str) -> design::Design {
    let path = workspace_root().join(format!("katas/status-dashboard/designs/{name}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    design::format::parse(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
        .design
}

/// Where tests leave their screenshots: `target/e2e/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Serves `dist/` and opens `path` on it (`""` for the site itself,
/// `"course-example.html"`, `"?embed=1"`, `"#d2.…"` for a link) in a
/// headless Chromium of the given window size. Panics with a clear message
/// when the site is not built.
pub fn serve_and_open(
    path: &str,
    width: u32,
    height: u32,
) -> (serve::StaticServer, webdriver::Browser) {
    let server = serve_dist(path);
    let browser = webdriver::Browser::start(width, height).expect("start headless Chromium");
    browser
        .goto(&format!("{}{path}", server.url))
        .expect("open the site");
    (server, browser)
}

/// Serves `dist/` and opens `path` on it (as [`serve_and_open`]) in a
/// fresh headless Chromium whose viewport is `screen` (see
/// [`webdriver::Browser::start_screen`]). The viewport's size on the page
/// is the caller's to check with [`webdriver::Browser::viewport`]: a page
/// that overflows a touch screen may be zoomed out.
pub fn serve_and_open_on(
    path: &str,
    screen: webdriver::Screen,
) -> (serve::StaticServer, webdriver::Browser) {
    let server = serve_dist(path);
    let browser = webdriver::Browser::start_screen(screen)
        .unwrap_or_else(|e| panic!("start headless Chromium on a {screen} screen: {e}"));
    browser
        .goto(&format!("{}{path}", server.url))
        .expect("open the site");
    (server, browser)
}

/// Where the page autosaves the status dashboard's design
/// (localStorage).
pub const AUTOSAVE: &str = "kata-playground/status-dashboard/design";

/// The design the page has autosaved, if it has saved one that parses.
pub fn autosaved(browser: &webdriver::Browser) -> Option<design::Design> {
    let text = browser
        .execute(
            "return localStorage.getItem(arguments[0])",
            vec![serde_json::json!(AUTOSAVE)],
        )
        .ok()?;
    design::format::parse(text.as_str()?)
        .ok()
        .map(|parsed| parsed.design)
}

/// The built site the tests serve: `$E2E_DIST` if set (a build of another
/// checkout, say), else the workspace's `dist/`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("E2E_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

/// Serves the built site ([`dist_dir`]), after checking that the file
/// `path` opens (its part before any `?` or `#`; `index.html` when empty)
/// is built.
fn serve_dist(path: &str) -> serve::StaticServer {
    let dist = dist_dir();
    let file = match path.split(['?', '#']).next() {
        Some("") | None => "index.html",
        Some(file) => file,
    };
    assert!(
        dist.join(file).is_file(),
        "no {}: build the site first with scripts/build.sh",
        dist.join(file).display()
    );
    serve::StaticServer::start(&dist).expect("serve dist/")
}

/// Serves `dist/` and opens it in a headless Chromium of the given size,
/// waiting until the app has mounted and is built. Panics with
/// a clear message when the site is not built or does not mount.
pub fn open_site(width: u32, height: u32) -> (serve::StaticServer, webdriver::Browser) {
    let (server, browser) = serve_and_open("", width, height);
    wait_until_mounted(&browser);
    (server, browser)
}

/// [`open_site`] on a [`webdriver::Screen`] (an exact viewport, or a touch
/// screen).
pub fn open_site_on(screen: webdriver::Screen) -> (serve::StaticServer, webdriver::Browser) {
    let (server, browser) = serve_and_open_on("", screen);
    wait_until_mounted(&browser);
    (server, browser)
}

/// Waits until the app has mounted and is built: its canvas shows nodes
/// and the results, the part of the page built last (a few tasks after
/// the canvas), are there. Panics with the page's body when it does not.
fn wait_until_mounted(browser: &webdriver::Browser) {
    if let Err(e) = browser.wait_for(
        "return document.querySelectorAll('svg.canvas g.node').length > 0 \
         && !!document.querySelector('.bottom-region')",
        std::time::Duration::from_secs(30),
    ) {
        let body = browser
            .execute("return document.body.innerHTML", vec![])
            .unwrap_or_default();
        panic!("the app did not mount: {e}\nbody: {body}");
    }
}

/// A copy of the built site ([`dist_dir`]) without the page's later part
/// (`playground-…-later.wasm`), as a site whose part cannot be downloaded
/// looks: the copy's folder (under [`artifacts_dir`], named by `name` and
/// this process), and the part's name in `dist/`, to put it back with
/// [`put_back_later_part`].
pub fn site_without_later_part(name: &str) -> (PathBuf, String) {
    let dist = dist_dir();
    let later: Vec<String> = std::fs::read_dir(&dist)
        .expect("read dist/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("playground-") && name.ends_with("-later.wasm"))
        .collect();
    assert_eq!(later.len(), 1, "dist/ holds one later part: {later:?}");
    // dist/ is flat: its files, less the part.
    let site = artifacts_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).expect("make the copy's folder");
    for entry in std::fs::read_dir(&dist).expect("read dist/").flatten() {
        let file = entry.file_name();
        if entry.path().is_file() && file.to_string_lossy() != later[0] {
            std::fs::copy(entry.path(), site.join(&file)).expect("copy a file of dist/");
        }
    }
    (site, later[0].clone())
}

/// Puts the later part named `later` back into `site` (see
/// [`site_without_later_part`]): it can be downloaded again.
pub fn put_back_later_part(site: &std::path::Path, later: &str) {
    std::fs::copy(dist_dir().join(later), site.join(later)).expect("put the part back");
}
