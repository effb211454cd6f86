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
    // The grade needs the worker and the page's later part, both fetched
    // relative to the page.
    browser
        .wait_for(
            "return !!document.querySelector('.scenario-card[data-passed]')",
            std::time::Duration::from_secs(60),
        )
        .expect("the grade shows under /course/kata/");
    browser.assert_no_console_errors();
}

/// The page's later part (the results, the inspector, the dialogs, and
/// reading grades: `src/later.rs`) is a module of its own on the site. When
/// it cannot be downloaded, the canvas still draws and edits, the learner
/// is told in words, nothing panics; once it can be, the page loads it by
/// itself and grades again.
#[test]
fn a_page_whose_later_part_cannot_be_downloaded_edits_says_so_and_recovers() {
    let (site, later) = e2e::site_without_later_part("site-without-later");
    let server = e2e::serve::StaticServer::start(&site).expect("serve the copy");
    let browser = e2e::webdriver::Browser::start(1280, 800).expect("start headless Chromium");
    browser.goto(&server.url).expect("open the site");

    let told = browser
        .wait_for(
            // Polled from the moment the page loads: the notice area may
            // not be built yet.
            "const notice = document.querySelector('.notice-area')?.textContent || '';
             return notice.includes('could not be downloaded') && notice;",
            Duration::from_secs(30),
        )
        .expect("the learner is told the part could not be downloaded");
    println!("notice: {told}");
    let drawn = browser
        .execute(
            "return document.querySelectorAll('svg.canvas g.node').length",
            vec![],
        )
        .expect("count nodes");
    assert!(
        drawn.as_u64().unwrap_or(0) >= 3,
        "the canvas draws the starter: {drawn}"
    );
    // The top bar shows its frame (the kata's title) and the brief panel
    // the brief's paragraphs, the learner's task, saying what else comes
    // with the part: the top bar's buttons, the palette and the
    // keyboard's actions are in it.
    let frames = browser
        .wait_for(
            "const panel = document.querySelector('#brief-panel');
             const brief = panel ? panel.textContent : '';
             return brief.includes('come with the rest of the page')
               && { title: (document.querySelector('.top-bar h1') || {}).textContent || '',
                    buttons: document.querySelectorAll('.top-bar button').length,
                    busy: panel.getAttribute('aria-busy'),
                    brief };",
            Duration::from_secs(10),
        )
        .expect("the top bar and the brief panel show their frames");
    println!("without the part: {frames}");
    assert_eq!(
        frames["title"],
        serde_json::json!("The status dashboard"),
        "{frames}"
    );
    assert_eq!(frames["buttons"], serde_json::json!(0), "{frames}");
    assert_eq!(
        frames["busy"],
        serde_json::json!("false"),
        "not busy once failed: {frames}"
    );
    assert!(
        frames["brief"]
            .as_str()
            .unwrap_or("")
            .contains("Something is broken"),
        "the brief panel shows the brief: {frames}"
    );
    // The canvas edits without the part: a node dragged moves, and the
    // move is autosaved. (The notice is dismissed first: over a small
    // canvas it may cover the node.)
    browser.click_first(".notice-area button");
    let saved_x = |browser: &e2e::webdriver::Browser| {
        e2e::autosaved(browser).and_then(|saved| saved.node(&"users".into()).map(|n| n.position.x))
    };
    let (x, y) = browser
        .centre_of("[data-node=\"users\"] rect")
        .expect("find the readers");
    browser
        .mouse_path(&[(x, y), (x + 20.0, y + 10.0), (x + 60.0, y + 40.0)])
        .expect("drag the readers");
    let starter_x = e2e::canonical_design("starter")
        .node(&"users".into())
        .map(|n| n.position.x);
    let moved = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(100));
        saved_x(&browser).filter(|x| Some(*x) != starter_x)
    });
    assert!(
        moved.is_some(),
        "the readers were dragged and autosaved: {starter_x:?} -> {:?}",
        saved_x(&browser)
    );
    // A shortcut needs the part: the page says so in words rather than
    // doing nothing.
    const DELETE: &str = "\u{E017}";
    browser
        .execute(
            "document.querySelector('[data-node=\"users\"]').focus()",
            vec![],
        )
        .expect("focus the readers");
    browser.keys(&[DELETE]).expect("Delete");
    browser
        .wait_for(
            "return (document.querySelector('.notice-area').textContent || '').includes('shortcuts come with')",
            Duration::from_secs(5),
        )
        .expect("a shortcut says it needs the rest of the page");
    assert!(
        browser
            .execute(
                "return !!document.querySelector('[data-node=\"users\"]')",
                vec![]
            )
            .expect("look for the readers")
            == serde_json::json!(true),
        "Delete did nothing without the part"
    );
    let strip = browser
        .wait_for(
            "const strip = document.querySelector('.grade-summary');
             const text = strip ? strip.textContent : '';
             return text.includes('Not graded') && text.includes('could not be downloaded') && text;",
            Duration::from_secs(30),
        )
        .expect("the grade strip says grading stopped, and why");
    println!("strip: {strip}");
    // The results come with the part: the strip's button that shows them
    // is disabled meanwhile.
    let results_disabled = |browser: &e2e::webdriver::Browser| {
        browser
            .execute(
                "return document.querySelector('.grade-show').disabled",
                vec![],
            )
            .expect("look at the Results button")
    };
    assert_eq!(
        results_disabled(&browser),
        serde_json::json!(true),
        "no results to show without the part"
    );
    assert!(
        browser
            .execute("return !document.querySelector('.bottom-region')", vec![])
            .expect("look for the results")
            == serde_json::json!(true),
        "no results without the part"
    );
    let log = browser.console_log().expect("read the console");
    assert!(
        !log.iter().any(|e| e.message.contains("panicked")),
        "the page panicked: {log:?}"
    );

    // The part comes back only once the worker has answered the edits
    // (answers the page could not read, so dropped) and the page's first
    // retry has failed: what then brings a grade is the page grading
    // again, not a late answer that happened to find the part.
    std::thread::sleep(Duration::from_secs(7));
    // Asked for as the page starts (the app, mounting, waits for that
    // download or is told that it failed) and again 5 s later, not by the
    // app again at mount nor by the worker's answers (19 requests in these seconds when each
    // answer asked, fetching it again and again on a slow link).
    let asked = browser
        .execute(
            "return performance.getEntriesByType('resource')
               .filter(e => e.name.endsWith('-later.wasm')).map(e => e.startTime)",
            vec![],
        )
        .expect("list the requests for the part");
    println!("the part was asked for at {asked} ms");
    let asked: Vec<f64> = asked
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    assert!(asked.len() >= 2, "asked for again after failing: {asked:?}");
    assert!(
        asked.windows(2).all(|w| w[1] - w[0] >= 4_000.0),
        "the page asks for a missing part at its own pace: {asked:?}"
    );
    // The part can be downloaded again: the page takes it by itself.
    e2e::put_back_later_part(&site, &later);
    // Told first (a passing notice, gone after a few seconds), graded
    // once the new worker has started and graded. The part finds the
    // lints the badges show, so they come with it, before any grade can
    // have brought its own: the starter's readers reach the API with no
    // CDN in front, said on the readers' node. (Read as the notice is
    // first seen: a grade that came within the same 100 ms poll would
    // show a badge too, so this can pass without the part's lints, but
    // only rarely.)
    let came = browser
        .wait_for(
            "const notices = document.querySelector('.notice-area').textContent || '';
             if (!notices.includes('has loaded')) return false;
             return { badge: !!document.querySelector('[data-node=\"users\"] .lint-badge'),
                      graded: !!document.querySelector('.scenario-card[data-passed]'),
                      stale: notices.includes('shortcuts come with') || notices.includes('could not be downloaded') };",
            Duration::from_secs(40),
        )
        .expect("the learner is told the rest of the page has loaded");
    println!("when the part came: {came}");
    assert_eq!(
        came["badge"],
        serde_json::json!(true),
        "the nodes' advice shows once the part has come: {came}"
    );
    assert_eq!(
        came["stale"],
        serde_json::json!(false),
        "what was said of the missing part is withdrawn once it has come: {came}"
    );
    // The top bar's buttons came with the part: "Copy link" copies the
    // design on screen (the starter with its readers moved).
    browser.watch_clipboard();
    // The top bar's buttons come a task or two after the notice.
    browser
        .wait_for(
            &format!("return !!document.querySelector('{}')", e2e::COPY_LINK),
            Duration::from_secs(10),
        )
        .expect("the top bar's buttons come with the part");
    browser.press(e2e::COPY_LINK);
    let copied = browser
        .copied(Duration::from_secs(10))
        .expect("Copy link copies once the part has come");
    let code = copied.split_once('#').map_or("", |(_, code)| code);
    let on_screen = e2e::autosaved(&browser).expect("the page autosaved the moved readers");
    assert_eq!(
        design::share::decode(code).map(|s| s.design).ok(),
        Some(on_screen),
        "the link opens the design on screen: {copied}"
    );
    browser
        .wait_for(
            "return !!document.querySelector('.scenario-card[data-passed]')",
            Duration::from_secs(60),
        )
        .expect("the results come, graded");
    assert_eq!(
        results_disabled(&browser),
        serde_json::json!(false),
        "the Results button shows them once they are there"
    );
    let log = browser.console_log().expect("read the console");
    assert!(
        !log.iter().any(|e| e.message.contains("panicked")),
        "the page panicked: {log:?}"
    );
    let _ = std::fs::remove_dir_all(&site);
}

/// Keys pressed while the page's later part (which holds the keyboard's
/// actions) is on its way are carried out once it comes, in order, each
/// looking at the dialogs as they are then: "?" opens the shortcuts
/// help, Escape closes it (rather than clearing the selection under it),
/// and Delete then deletes the selected node.
#[test]
fn keys_pressed_before_the_later_part_comes_are_carried_out_when_it_comes() {
    const ESCAPE: &str = "\u{E00C}";
    const DELETE: &str = "\u{E017}";
    let server = e2e::serve::StaticServer::start_slowing(
        &e2e::dist_dir(),
        "-later.wasm",
        Duration::from_secs(5),
    )
    .expect("serve the site");
    let browser = e2e::webdriver::Browser::start(1280, 800).expect("start headless Chromium");
    browser.goto(&server.url).expect("open the site");
    browser
        .wait_for(
            "return document.querySelectorAll('svg.canvas g.node').length >= 3",
            Duration::from_secs(10),
        )
        .expect("the canvas draws the starter");
    // Meanwhile the brief's frame shows the brief and says the rest is on
    // its way.
    browser
        .wait_for(
            "const panel = document.querySelector('#brief-panel');
             return !!panel && panel.getAttribute('aria-busy') === 'true'
               && panel.textContent.includes('Something is broken')
               && panel.textContent.includes('are on their way');",
            Duration::from_secs(5),
        )
        .expect("the brief's frame says the rest is on its way");
    browser
        .execute(
            "document.querySelector('[data-node=\"users\"]').focus()",
            vec![],
        )
        .expect("focus the readers");
    browser
        .keys(&["?", ESCAPE, DELETE])
        .expect("press ?, Escape, Delete");
    let waiting = browser
        .execute(
            "return { buttons: document.querySelectorAll('.top-bar button').length,
                      readers: !!document.querySelector('[data-node=\"users\"]') }",
            vec![],
        )
        .expect("look at the page");
    assert_eq!(
        waiting,
        serde_json::json!({ "buttons": 0, "readers": true }),
        "the keys wait for the part (else this test tests nothing)"
    );
    browser
        .wait_for(
            "return !document.querySelector('[data-node=\"users\"]')",
            Duration::from_secs(20),
        )
        .expect("Delete deletes the readers once the part has come");
    // The help's dialog is built a few tasks after the part came: give
    // it the time it would take to show.
    std::thread::sleep(Duration::from_millis(1500));
    let help = browser
        .execute(
            "return !!document.querySelector('[aria-labelledby=\"shortcuts-title\"]')",
            vec![],
        )
        .expect("look for the shortcuts help");
    assert_eq!(
        help,
        serde_json::json!(false),
        "Escape closed the help that ? opened"
    );
    browser.assert_no_console_errors();
}

/// The grade strip above the canvas keeps its height whether the next
/// step it shows takes one line or two (a tested fix arriving replaces
/// "checking the fix…" with a longer step): a strip that grew would move
/// the canvas under the learner's pointer.
#[test]
fn the_grade_strip_keeps_its_height_whatever_its_next_step_says() {
    for (width, height) in [(1440, 900), (390, 844)] {
        let (_server, browser) = open_site(width, height);
        browser
            .wait_for(
                "return !!document.querySelector('.grade-summary .grade-next-step')",
                Duration::from_secs(60),
            )
            .expect("the grade shows its next step");
        let heights = browser
            .execute(
                "const strip = document.querySelector('.grade-summary');
                 const step = strip.querySelector('.grade-next-step');
                 const h = () => strip.getBoundingClientRect().height;
                 const shown = h();
                 step.textContent = 'Add a cache.';
                 const short = h();
                 step.textContent = 'Raise the CDN TTL to 60 s so that far fewer reads reach the API, '.repeat(4);
                 const long = h();
                 return [shown, short, long];",
                vec![],
            )
            .expect("measure the strip");
        let heights: Vec<f64> = heights
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        assert_eq!(heights.len(), 3, "three heights: {heights:?}");
        assert!(
            heights.iter().all(|h| (h - heights[0]).abs() < 0.5),
            "at {width}x{height} the strip's height changes with its text: \
             as shown, one line, two lines = {heights:?}"
        );
    }
}

/// The built page looks its fonts up with the characters the page shows
/// (the ellipsis, arrows, ticks, the command key…), not with their `\u`
/// escapes written out as text, which a minifier once made of them.
#[test]
fn the_built_page_probes_its_fonts_with_the_characters_themselves() {
    let index = std::fs::read_to_string(e2e::dist_dir().join("index.html")).expect("index.html");
    assert!(
        index.contains("Ag…–→×·−“”‹›✓✕▶▾❚⌘"),
        "the probe's characters in the built index.html"
    );
    assert!(
        !index.contains("\\u2026") && !index.contains("\\\\u"),
        "no escape written out as text in the built index.html"
    );
}
