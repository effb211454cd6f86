//! The example course page embeds the playground in an iframe; a passing
//! design loaded into the iframe must reach the page as a `graded` message.
//! Every step of `docs/embed.md` is seen from the course page: `ready`, the
//! `graded` messages of each trigger (opened, load-design, run, edit) and
//! `design-changed` before the grade of an edit.

use e2e::{artifacts_dir, serve_and_open};
use serde_json::json;
use std::time::Duration;

#[test]
fn the_course_page_receives_the_grade_of_a_passing_design() {
    let (_server, browser) = serve_and_open("course-example.html", 1440, 1400);

    // The embed says it is ready, then grades the starter design it shows.
    browser
        .wait_for(
            "return document.getElementById('status').textContent.includes('ready')",
            Duration::from_secs(30),
        )
        .expect("the playground posted `ready`");
    browser
        .wait_for(
            "return document.querySelectorAll('#grades li').length >= 1",
            Duration::from_secs(60),
        )
        .expect("the starter design was graded");
    let first = browser
        .execute(
            "const li = document.querySelector('#grades li'); return [li.dataset.raw, li.dataset.trigger];",
            vec![],
        )
        .unwrap();
    assert_ne!(
        first[0],
        json!("4"),
        "the starter design does not pass everything"
    );
    assert_eq!(
        first[1],
        json!("opened"),
        "the first grade is marked as the design the page opened with"
    );

    // The course page loads the reference design into the iframe.
    let reference = e2e::canonical_design("reference");
    let share = design::share::encode(&reference, "status-dashboard", 1);
    browser
        .execute(
            "document.getElementById('playground').contentWindow.postMessage(\
               { source: 'kata-playground', v: 1, type: 'load-design', design: arguments[0] }, location.origin);",
            vec![json!(share)],
        )
        .expect("post load-design");
    browser
        .wait_for(
            "return document.querySelector('#grades li.success')",
            Duration::from_secs(60),
        )
        .expect("a `graded` message with success arrived");
    let text = browser
        .execute(
            "return document.querySelector('#grades li.success').textContent",
            vec![],
        )
        .unwrap();
    assert!(text.as_str().unwrap_or("").contains("4 of 4"), "{text}");
    let trigger = browser
        .execute(
            "return document.querySelector('#grades li.success').dataset.trigger",
            vec![],
        )
        .unwrap();
    assert_eq!(trigger, json!("load-design"));

    // Pressing Run in the playground reports the grade again, as a run.
    let before = browser
        .execute(
            "return document.querySelectorAll('#grades li').length",
            vec![],
        )
        .unwrap();
    browser
        .execute(
            "document.getElementById('playground').contentDocument \
               .querySelector('[data-action=\"run\"]').click();",
            vec![],
        )
        .expect("press Run in the playground");
    browser
        .wait_for(
            "const li = document.querySelector('#grades li'); \
             return document.querySelectorAll('#grades li').length > arguments_length && \
                    li.dataset.trigger === 'run' && li.dataset.raw === '4';"
                .replace("arguments_length", &before.to_string())
                .as_str(),
            Duration::from_secs(10),
        )
        .expect("Run posted the grade again with trigger `run`");

    // An edit in the playground (Undo brings the starter back): the page
    // hears `design-changed`, then the edited design's grade as an edit.
    browser
        .execute(
            "window.__heard = []; \
             window.addEventListener('message', e => { \
               if (e.data && e.data.source === 'kata-playground') \
                 window.__heard.push(e.data.type + (e.data.trigger ? ':' + e.data.trigger : '')); });",
            vec![],
        )
        .expect("listen to the playground");
    browser
        .execute(
            "document.getElementById('playground').contentDocument \
               .querySelector('[data-action=\"undo\"]').click();",
            vec![],
        )
        .expect("press Undo in the playground");
    let heard = browser
        .wait_for(
            "return window.__heard.includes('graded:edit') && window.__heard",
            Duration::from_secs(30),
        )
        .expect("the edit was graded with trigger `edit`");
    let heard: Vec<&str> = heard
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let changed = heard.iter().position(|&m| m == "design-changed");
    let graded = heard.iter().position(|&m| m == "graded:edit");
    assert!(
        changed.is_some() && changed < graded,
        "`design-changed` comes before the edit's grade: heard {heard:?}"
    );
    let edit = browser
        .execute(
            "const li = document.querySelector('#grades li'); return [li.dataset.trigger, li.dataset.raw];",
            vec![],
        )
        .unwrap();
    assert_eq!(
        edit[0],
        json!("edit"),
        "the course page lists the edit's grade"
    );
    assert_ne!(
        edit[1],
        json!("4"),
        "the undone design is the starter again"
    );
    let status = browser
        .execute(
            "return document.getElementById('status').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        status.as_str().unwrap_or("").contains("changed the design"),
        "the course page shows `design-changed`: {status}"
    );

    let png = browser.screenshot().expect("screenshot");
    std::fs::write(artifacts_dir().join("course-page.png"), png).expect("save");
    browser.assert_no_console_errors();
}

/// The share string a message carries is written by the page's later part
/// (`src/later.rs`). A design the course page loads while that part cannot
/// be downloaded is still told: no `design-changed` can be written then,
/// so it is owed, and once the part comes the course page hears it, with
/// that design.
#[test]
fn a_change_made_while_the_later_part_is_missing_reaches_the_course_page_once_it_comes() {
    let (site, later) = e2e::site_without_later_part("course-without-later");
    let server = e2e::serve::StaticServer::start(&site).expect("serve the copy");
    let browser = e2e::webdriver::Browser::start(1440, 1400).expect("start headless Chromium");
    browser
        .goto(&format!("{}course-example.html", server.url))
        .expect("open the course page");
    browser
        .wait_for(
            "return document.getElementById('status').textContent.includes('ready')",
            Duration::from_secs(30),
        )
        .expect("the playground posted `ready` without its later part");
    browser
        .execute(
            "window.__heard = []; \
             window.addEventListener('message', e => { \
               if (e.data && e.data.source === 'kata-playground') window.__heard.push(e.data); });",
            vec![],
        )
        .expect("listen to the playground");

    let reference = e2e::canonical_design("reference");
    browser
        .execute(
            "document.getElementById('playground').contentWindow.postMessage(\
               { source: 'kata-playground', v: 1, type: 'load-design', design: arguments[0] }, location.origin);",
            vec![json!(design::share::encode(&reference, "status-dashboard", 1))],
        )
        .expect("post load-design");
    browser
        .wait_for(
            "return document.getElementById('playground').contentDocument \
               .querySelectorAll('svg.canvas g.node').length === arguments[0];"
                .replace("arguments[0]", &reference.nodes.len().to_string())
                .as_str(),
            Duration::from_secs(10),
        )
        .expect("the playground shows the loaded design without its later part");
    std::thread::sleep(Duration::from_secs(1));
    let heard = browser
        .execute("return window.__heard.map(m => m.type)", vec![])
        .expect("read what the course page heard");
    assert_eq!(
        heard,
        json!([]),
        "nothing with a share string can be written without the part"
    );

    e2e::put_back_later_part(&site, &later);
    let changed = browser
        .wait_for(
            "const m = window.__heard.find(m => m.type === 'design-changed'); return m && m.share;",
            // The page asks again 5, 15, 35 and 75 s after its first failure.
            Duration::from_secs(80),
        )
        .expect("the owed `design-changed` comes once the part has");
    let shared = design::share::decode(changed.as_str().unwrap_or("")).expect("a share string");
    assert_eq!(
        shared.design, reference,
        "`design-changed` carries the design loaded while the part was missing"
    );
    browser
        .wait_for(
            "return window.__heard.some(m => m.type === 'graded')",
            Duration::from_secs(60),
        )
        .expect("the design is graded once the part has come");
    let order = browser
        .execute("return window.__heard.map(m => m.type)", vec![])
        .expect("read what the course page heard");
    println!("heard: {order}");
    assert_eq!(
        order.get(0),
        Some(&json!("design-changed")),
        "the change is told before its grade: {order}"
    );
    let log = browser.console_log().expect("read the console");
    assert!(
        !log.iter().any(|e| e.message.contains("panicked")),
        "the page panicked: {log:?}"
    );
    let _ = std::fs::remove_dir_all(&site);
}
