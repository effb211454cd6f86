//! End-to-end: the release build in `dist/`, served on 127.0.0.1, opened in
//! headless Chromium. Build it first with `scripts/build.sh` (the test
//! command does).

use std::time::Duration;

use e2e::{artifacts_dir, open_site};

#[test]
fn site_mounts_without_console_errors_and_shows_the_starter_design() {
    // open_site waits until the canvas holds the starter design's nodes.
    let (_server, browser) = open_site(1440, 900);
    let count = browser
        .execute(
            "return document.querySelectorAll('svg.canvas g.node').length",
            vec![],
        )
        .expect("count nodes");
    assert!(
        count.as_u64().unwrap_or(0) >= 3,
        "starter design has {count} nodes"
    );

    let text = browser
        .execute("return document.body.innerText", vec![])
        .expect("read the page text");
    let text = text.as_str().unwrap_or("");
    for expected in [
        "The status dashboard",
        "Brief",
        "Inspector",
        "Fast under surge",
    ] {
        assert!(text.contains(expected), "page does not show {expected:?}");
    }

    let shot = browser.screenshot().expect("screenshot");
    let path = artifacts_dir().join("site.png");
    std::fs::write(&path, shot).expect("save the screenshot");
    println!("screenshot: {}", path.display());

    browser.assert_no_console_errors();
}

/// `index.html` starts the grading worker once the page's own wasm has
/// downloaded, and fetches the worker's wasm then, once: on a slow link
/// the two downloads would share it. The page takes that worker over (the
/// grade shows, and the script's handle is gone).
#[test]
fn the_worker_starts_once_the_pages_wasm_has_downloaded() {
    let (_server, browser) = open_site(1440, 900);
    browser
        .wait_for(
            "return !!document.querySelector('.scenario-card[data-passed]');",
            Duration::from_secs(60),
        )
        .expect("the first grade shows");
    let seen = browser
        .execute(
            r#"const file = (e) => e.name.split(/[?#]/)[0].split("/").pop();
               const entries = performance.getEntriesByType("resource");
               const page = entries.filter((e) => /^playground(-[0-9a-f]+)?_bg\.wasm$/.test(file(e)));
               const worker = entries.filter((e) => file(e) === "worker_bg.wasm");
               return {
                 pageEnds: page.map((e) => e.responseEnd),
                 workerStarts: worker.map((e) => e.startTime),
                 adopted: window.__gradingWorker === undefined,
               };"#,
            vec![],
        )
        .expect("read the resource entries");
    let times = |key: &str| -> Vec<f64> {
        seen[key]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default()
    };
    let (page_ends, worker_starts) = (times("pageEnds"), times("workerStarts"));
    assert_eq!(
        page_ends.len(),
        1,
        "the page's wasm was fetched once: {seen}"
    );
    assert_eq!(
        worker_starts.len(),
        1,
        "the worker's wasm was fetched once by the page: {seen}"
    );
    assert!(
        worker_starts[0] >= page_ends[0],
        "the worker's wasm was asked for at {} ms, before the page's ended at {} ms",
        worker_starts[0],
        page_ends[0]
    );
    assert_eq!(seen["adopted"], serde_json::Value::Bool(true), "{seen}");
    browser.assert_no_console_errors();
}

/// The console check above can only fail if errors reach it: log one on
/// purpose and find it.
#[test]
fn console_errors_are_captured() {
    let (_server, browser) = open_site(800, 600);
    browser
        .execute("console.error('e2e probe error')", vec![])
        .expect("log an error");
    let log = browser.console_log().expect("read the console");
    assert!(
        log.iter()
            .any(|e| e.level == "SEVERE" && e.message.contains("e2e probe error")),
        "the probe error was not captured: {log:#?}"
    );
}

/// On a phone the panels become tabs over the canvas.
#[test]
fn on_a_phone_panels_are_tabs_over_the_canvas() {
    let (_server, browser) = open_site(390, 844);
    let visible = |selector: &str| -> bool {
        browser
            .execute(
                "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0;",
                vec![serde_json::json!(selector)],
            )
            .map(|v| v == serde_json::json!(true))
            .unwrap_or(false)
    };
    assert!(visible(".pane-tabs"));
    assert!(visible("svg.canvas"));
    assert!(!visible(".inspector"), "one pane at a time");
    let shot = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("phone-canvas.png"), shot).expect("save");

    browser.click_first("[data-pane-tab=\"panel\"]");
    assert!(visible(".brief"));
    let on_top = browser
        .execute(
            "return !!document.elementFromPoint(195, 400).closest('.brief')",
            vec![],
        )
        .unwrap();
    assert_eq!(
        on_top,
        serde_json::json!(true),
        "the panel covers the canvas"
    );
    let shot = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("phone-brief.png"), shot).expect("save");
}

/// The built site works when a host serves it from a sub-path (GitHub
/// Pages serves `https://user.github.io/repo/`).
#[test]
fn the_site_works_under_a_sub_path() {
    let dist = e2e::dist_dir();
    let server = e2e::serve::StaticServer::start_under(&dist, "/course/kata/").expect("serve");
    let browser = e2e::webdriver::Browser::start(1280, 800).expect("start headless Chromium");
    browser.goto(&server.url).expect("open the site");
    browser
        .wait_for(
            "return document.querySelectorAll('svg.canvas g.node').length",
            std::time::Duration::from_secs(30),
        )
        .expect("the app mounts under /course/kata/");
    browser.assert_no_console_errors();
}
