//! The kata done with the keyboard alone: from the starter design (a
//! fresh browser, so no autosave), real key events only (WebDriver
//! actions) build a design that passes every scenario. Scripts only read
//! the page: where the focus is, what the canvas offers, what was saved.
//!
//! The design, found by grading candidates natively (`kata grade`): the
//! starter's Readers send to the Status API, which writes to the
//! Database, so readers would reach the primary; they are deleted and
//! new Users read through a CDN from object storage, which the API
//! publishes to; staff tools read through the API beside the operator;
//! the CDN serves stale copies for an hour when its origin fails and the
//! Database is Multi-AZ.

use e2e::webdriver::Browser;
use e2e::{artifacts_dir, open_site};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const SHIFT: &str = "\u{E008}";
const SPACE: &str = "\u{E00D}";
const END: &str = "\u{E010}";
const BACKSPACE: &str = "\u{E003}";
const DELETE: &str = "\u{E017}";

use e2e::AUTOSAVE;

/// How many Tabs a walk to an element may take before the test gives up.
const MAX_TABS: usize = 120;

/// What has the focus, in words (for failure messages).
fn focus(browser: &Browser) -> String {
    let value = browser
        .execute(
            "const e = document.activeElement; if (!e) return 'nothing'; \
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
               [...e.attributes].filter(a => a.name.startsWith('data-')) \
                 .map(a => '[' + a.name + '=' + a.value + ']').join('')",
            vec![],
        )
        .expect("read the focus");
    value.as_str().unwrap_or("?").to_string()
}

/// Whether the focused element matches `selector`.
fn focused(browser: &Browser, selector: &str) -> bool {
    browser
        .execute(
            "const e = document.activeElement; return !!e && e.matches(arguments[0])",
            vec![json!(selector)],
        )
        .expect("read the focus")
        == json!(true)
}

/// Presses Tab (or Shift Tab) until the element matching `selector` has
/// the focus.
fn tab_to(browser: &Browser, selector: &str, backwards: bool) {
    let mut trail = Vec::new();
    for _ in 0..MAX_TABS {
        if focused(browser, selector) {
            return;
        }
        trail.push(focus(browser));
        if backwards {
            browser.chord(&[SHIFT, TAB]).expect("Shift Tab");
        } else {
            browser.keys(&[TAB]).expect("Tab");
        }
    }
    panic!(
        "{} never reached {selector}; the focus went {}",
        if backwards { "Shift Tab" } else { "Tab" },
        trail.join(" → ")
    );
}

/// Moves the focus from one canvas node to node `id` with Tab or Shift
/// Tab (nodes follow each other in the tab order, in document order).
fn tab_to_node(browser: &Browser, id: &str) {
    let places = browser
        .execute(
            "const all = [...document.querySelectorAll('svg.canvas [data-node]')]; \
             return [all.indexOf(document.activeElement), \
                     all.findIndex(e => e.getAttribute('data-node') === arguments[0])];",
            vec![json!(id)],
        )
        .expect("read the nodes");
    let (from, to) = (places[0].as_i64().unwrap_or(-1), places[1].as_i64());
    let selector = format!("[data-node=\"{id}\"]");
    match to {
        Some(to) if from >= 0 => tab_to(browser, &selector, to < from),
        _ => panic!("no way from {} to node {id}", focus(browser)),
    }
}

/// Polls a reading script until it returns something truthy.
fn wait(browser: &Browser, script: &str, what: &str) -> Value {
    browser
        .wait_for(script, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{what}: {e}; focus on {}", focus(browser)))
}

/// The design the app autosaved.
fn saved(browser: &Browser) -> design::Design {
    e2e::autosaved(browser).expect("the app autosaved a design that parses")
}

/// The id of the focused canvas node.
fn focused_node(browser: &Browser) -> String {
    browser
        .execute(
            "return document.activeElement.getAttribute('data-node')",
            vec![],
        )
        .expect("read the focus")
        .as_str()
        .unwrap_or_else(|| panic!("the focus is on {}, not a node", focus(browser)))
        .to_string()
}

/// From the palette, adds a node of `kind` with Enter; returns its id
/// (the new node has the focus).
fn add_from_palette(browser: &Browser, kind: &str, backwards: bool) -> String {
    tab_to(browser, &format!("[data-palette=\"{kind}\"]"), backwards);
    browser.keys(&[ENTER]).expect("Enter");
    wait(
        browser,
        &format!(
            "const e = document.activeElement; \
             return !!e && e.getAttribute('data-kind') === '{kind}'"
        ),
        &format!("a {kind} node added and focused"),
    );
    focused_node(browser)
}

/// With the focus on node `from`, connects it to node `to`: C, then Tab
/// until `to` is the highlighted candidate, then Enter.
fn connect(browser: &Browser, from: &str, to: &str) {
    tab_to_node(browser, from);
    browser.keys(&["c"]).expect("C");
    wait(
        browser,
        "return document.querySelector('.connect-prompt')",
        "the connection's question",
    );
    let candidate = || {
        browser
            .execute(
                "const e = document.querySelector('.node.connect-target'); \
                 return e && e.getAttribute('data-node')",
                vec![],
            )
            .expect("read the candidate")
    };
    let mut offered = Vec::new();
    for _ in 0..12 {
        if candidate() == json!(to) {
            break;
        }
        offered.push(candidate().to_string());
        browser.keys(&[TAB]).expect("Tab");
    }
    assert_eq!(candidate(), json!(to), "Tab offered {offered:?}");
    let prompt = browser
        .execute(
            "return document.querySelector('.connect-prompt-region').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        prompt
            .as_str()
            .unwrap_or("")
            .ends_with("Enter to connect, Escape to cancel."),
        "{prompt}"
    );
    assert_eq!(focused_node(browser), from, "the source keeps the focus");
    browser.keys(&[ENTER]).expect("Enter");
    wait(
        browser,
        "return (document.querySelector('.notice-area').textContent || '').includes('Connected')",
        &format!("{from} → {to} said to be connected"),
    );
    assert!(
        saved(browser).edge(&from.into(), &to.into()).is_some(),
        "{from} → {to} saved"
    );
}

/// Opens the inspector of the focused node (Enter), Tabs to the field of
/// parameter `key`, runs `edit` there, then Escape: back to the node.
fn set_in_inspector(browser: &Browser, node: &str, key: &str, edit: &[&str]) {
    tab_to_node(browser, node);
    browser.keys(&[ENTER]).expect("Enter");
    // An inspector that had to unfold first takes its focus a task later.
    wait(
        browser,
        "return document.activeElement && document.activeElement.matches('#field-label')",
        "Enter opens the inspector with the focus on its first field",
    );
    tab_to(browser, &format!("[data-param=\"{key}\"] input"), false);
    browser.keys(edit).expect("edit the field");
    browser.keys(&[ESCAPE]).expect("Escape");
    assert_eq!(
        focused_node(browser),
        node,
        "Escape goes back from the inspector to the node"
    );
}

#[test]
fn the_kata_passes_with_the_keyboard_alone() {
    let started = Instant::now();
    let (_server, browser) = open_site(1440, 900);
    assert_eq!(
        browser
            .execute(
                "return localStorage.getItem(arguments[0])",
                vec![json!(AUTOSAVE)]
            )
            .unwrap(),
        Value::Null,
        "a fresh browser: the starter design"
    );

    // Each node's name holds the words it shows (its label, its kind), as
    // a speech user reads them off the canvas.
    let mismatched: Vec<String> = e2e::a11y::audit(&browser)
        .expect("axe-core runs")
        .into_iter()
        .filter(|v| v.id == "label-content-name-mismatch")
        .map(|v| v.to_string())
        .collect();
    assert!(mismatched.is_empty(), "{mismatched:#?}");

    // The Readers send to the Status API, which reaches the primary:
    // delete them (their connections go with them).
    tab_to(&browser, "[data-node=\"users\"]", false);
    browser.keys(&[DELETE]).expect("Delete");
    wait(
        &browser,
        "return document.querySelectorAll('svg.canvas g.node').length === 3",
        "Readers deleted",
    );

    // Four nodes from the palette: Enter adds each in view and focuses it.
    tab_to(&browser, "#tab-palette", false);
    browser.keys(&[ENTER]).expect("Enter");
    let users = add_from_palette(&browser, "users", false);
    let cdn = add_from_palette(&browser, "cdn", true);
    let pages = add_from_palette(&browser, "object_storage", true);
    let staff = add_from_palette(&browser, "internal_users", true);

    // Connections, each chosen with Tab and made with Enter.
    connect(&browser, &users, &cdn);
    connect(&browser, &cdn, &pages);
    connect(&browser, "api", &pages);
    connect(&browser, &staff, "api");

    // Settings: the CDN serves stale copies for an hour if its origin
    // fails; the Database keeps a standby (Space ticks the box).
    let mut typing = vec![END];
    typing.extend([BACKSPACE; 8]);
    typing.extend(["3", "6", "0", "0"]);
    set_in_inspector(&browser, &cdn, "sie_s", &typing);
    set_in_inspector(&browser, "db", "multi_az", &[SPACE]);
    let design = saved(&browser);
    assert_eq!(
        design.node(&cdn.as_str().into()).map(|n| n.num("sie_s")),
        Some(3600.0)
    );
    assert_eq!(
        design.node(&"db".into()).map(|n| n.flag("multi_az")),
        Some(true)
    );
    assert_eq!((design.nodes.len(), design.edges.len()), (7, 6));

    // Graded by the worker: every scenario passes.
    let passed = browser
        .wait_for(
            "const s = document.querySelector('.results-summary.all-passed'); \
             return s && s.textContent",
            Duration::from_secs(60),
        )
        .unwrap_or_else(|e| {
            let summary = browser
                .execute(
                    "const s = document.querySelector('.results-summary'); return s && s.textContent",
                    vec![],
                )
                .unwrap_or_default();
            panic!("not every scenario passed: {e}; {summary}")
        });
    assert!(
        passed
            .as_str()
            .unwrap_or("")
            .contains("All 4 scenarios pass"),
        "{passed}"
    );
    let png = browser.screenshot().expect("screenshot");
    let path = artifacts_dir().join("keyboard-only.png");
    std::fs::write(&path, png).expect("save the screenshot");
    println!(
        "screenshot: {}; keyboard-only kata in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    browser.assert_no_console_errors();
}
