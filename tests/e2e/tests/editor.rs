//! The editor in the built site, driven with real mouse and keyboard input
//! (WebDriver actions), with screenshots of its main states saved under
//! `target/e2e/`.

use e2e::webdriver::Browser;
use e2e::{artifacts_dir, open_site};
use serde_json::json;
use std::time::Duration;

fn saved_design(browser: &Browser) -> design::Design {
    e2e::autosaved(browser).expect("the app autosaved a design that parses")
}

fn shot(browser: &Browser, name: &str) {
    let png = browser.screenshot().expect("screenshot");
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).expect("save the screenshot");
    println!("screenshot: {}", path.display());
}

/// Clicks a text field, empties it (End, Backspaces), types `text` and
/// leaves with Tab, which commits the value.
fn set_field(browser: &Browser, selector: &str, text: &str) {
    let field = browser.centre_of(selector).unwrap();
    browser.mouse_path(&[field]).unwrap();
    let mut keys: Vec<String> = vec!["\u{E010}".into()];
    keys.extend(std::iter::repeat_n("\u{E003}".to_string(), 12));
    keys.extend(text.chars().map(String::from));
    keys.push("\u{E004}".into());
    browser
        .keys(&keys.iter().map(String::as_str).collect::<Vec<_>>())
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn real_mouse_builds_a_design_and_the_inspector_edits_it() {
    let (_server, browser) = open_site(1440, 900);
    // Wait for the page to settle: the grade strip above the canvas takes
    // a second line when the starter's fix arrives, which moves the canvas
    // down; a drag measured before that lands beside its port.
    browser
        .wait_for(
            "return document.querySelector('.results-summary[data-fixes-ms]') \
             && !document.querySelector('.scenario-card .next.checking');",
            Duration::from_secs(30),
        )
        .expect("the starter's grade and its fixes are shown");

    // Open the palette tab, then drag a CDN from it onto the canvas.
    browser
        .mouse_path(&[browser.centre_of("#tab-palette").unwrap()])
        .unwrap();
    let from = browser.centre_of("[data-palette=\"cdn\"]").unwrap();
    let canvas = browser.centre_of("svg.canvas").unwrap();
    let drop = (canvas.0 - 120.0, canvas.1 + 150.0);
    browser
        .mouse_path(&[from, (from.0 + 40.0, from.1), drop])
        .unwrap();
    browser
        .wait_for(
            "return document.querySelector('[data-kind=\"cdn\"]')",
            Duration::from_secs(5),
        )
        .expect("a CDN node appeared");

    // Wire users → CDN by dragging from the users' output port.
    let port = browser.centre_of("[data-port-out=\"users\"]").unwrap();
    let cdn = browser.centre_of("[data-kind=\"cdn\"] rect").unwrap();
    browser
        .mouse_path(&[port, (port.0 + 30.0, port.1 + 10.0), cdn])
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let design = saved_design(&browser);
    let cdn_node = design
        .nodes
        .iter()
        .find(|n| n.kind == design::NodeKind::Cdn)
        .expect("cdn saved");
    assert!(
        design.edge(&"users".into(), &cdn_node.id).is_some(),
        "users → cdn was connected"
    );

    // Select the CDN with a click and set its TTL through the inspector.
    browser.mouse_path(&[cdn]).unwrap();
    browser
        .wait_for(
            "return document.querySelector('[data-param=\"ttl_s\"] input')",
            Duration::from_secs(5),
        )
        .expect("the inspector shows the CDN");
    set_field(&browser, "[data-param=\"ttl_s\"] input", "999999");
    let error = browser
        .execute(
            "return document.querySelector('[data-param=\"ttl_s\"] .field-error').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        !error.as_str().unwrap_or("").is_empty(),
        "an out-of-range TTL is refused in words"
    );
    shot(&browser, "inspector-invalid.png");

    set_field(&browser, "[data-param=\"ttl_s\"] input", "30");
    let design = saved_design(&browser);
    let cdn_node = design
        .nodes
        .iter()
        .find(|n| n.kind == design::NodeKind::Cdn)
        .unwrap();
    assert_eq!(cdn_node.num("ttl_s"), 30.0);
    shot(&browser, "inspector.png");

    // Reload: the design comes back exactly.
    browser.execute("location.reload()", vec![]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    browser
        .wait_for(
            "return document.querySelectorAll('svg.canvas g.node').length",
            Duration::from_secs(30),
        )
        .unwrap();
    assert_eq!(saved_design(&browser), design);
    assert_eq!(
        browser
            .execute(
                "return document.querySelectorAll('svg.canvas g.node').length",
                vec![]
            )
            .unwrap(),
        json!(design.nodes.len())
    );

    // Clear, confirm, and look at the empty canvas.
    browser
        .mouse_path(&[browser.centre_of("[data-action=\"design-menu\"]").unwrap()])
        .unwrap();
    browser
        .mouse_path(&[browser.centre_of("[data-action=\"clear\"]").unwrap()])
        .unwrap();
    browser
        .mouse_path(&[browser.centre_of("[data-confirm=\"yes\"]").unwrap()])
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(saved_design(&browser).nodes.is_empty());
    shot(&browser, "empty-canvas.png");

    browser.assert_no_console_errors();
}

/// "Copy link" puts on the clipboard a link that opens the very design on
/// screen (its share string is written by the page's later part), and
/// says so; when the browser refuses the clipboard, the link is shown for
/// copying by hand instead.
#[test]
fn copy_link_copies_a_link_to_the_design_on_screen_or_shows_it() {
    let reference = e2e::canonical_design("reference");
    let hash = design::share::encode(&reference, "status-dashboard", 7);
    let (_server, browser) = e2e::serve_and_open(&format!("#{hash}"), 1440, 900);
    browser
        .wait_for(
            "return !!document.querySelector('.scenario-card[data-passed]')",
            Duration::from_secs(60),
        )
        .expect("the linked design is graded");
    // The clipboard, as the page sees it: what it was given.
    browser.watch_clipboard();
    browser.press(e2e::COPY_LINK);
    let copied = browser
        .copied(Duration::from_secs(10))
        .expect("the link was copied");
    let link = copied.as_str();
    let (page, code) = link.split_once('#').expect("a link with a hash");
    assert!(page.starts_with("http://127.0.0.1:"), "{link}");
    let shared = design::share::decode(code).expect("the hash is a share string");
    assert_eq!(
        shared.design, reference,
        "the link opens the design on screen"
    );
    assert_eq!((shared.kata.as_str(), shared.seed), ("status-dashboard", 7));
    browser
        .wait_for(
            "return (document.querySelector('.notice-area').textContent || '').includes('Link copied')",
            Duration::from_secs(5),
        )
        .expect("the page says the link was copied");

    // A browser that refuses: the link is shown, selected for copying.
    browser
        .execute(
            "navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));",
            vec![],
        )
        .expect("refuse the clipboard");
    browser.press(e2e::COPY_LINK);
    let shown = browser
        .wait_for(
            "const f = document.querySelector('.dialog .copy-field'); return f && f.value;",
            Duration::from_secs(10),
        )
        .expect("the link is shown for copying by hand");
    assert_eq!(shown.as_str(), Some(link), "the same link is shown");
    browser.assert_no_console_errors();
}
