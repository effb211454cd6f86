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
