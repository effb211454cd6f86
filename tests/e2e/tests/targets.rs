//! Pointer targets on the canvas, in the built site: a real click exactly
//! on a connection's line selects it, and on a touch screen every output
//! port has a hit area of at least 24 × 24 CSS px (WCAG 2.5.8), whatever
//! the zoom, while a mouse keeps the small port.

use e2e::webdriver::Screen;
use e2e::{open_site, open_site_on};
use serde_json::{json, Value};
use std::time::Duration;

/// The `(width, height)` of every output port's hit circle on screen, as
/// `getBoundingClientRect` measures it.
const PORT_HITS: &str = "return [...document.querySelectorAll('svg.canvas .port-hit')] \
     .map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })";

/// The canvas's zoom, read off its viewport transform `scale(z) …`.
const ZOOM: &str =
    "const t = document.querySelector('svg.canvas g.viewport').getAttribute('transform'); \
     return parseFloat(t.slice('scale('.length))";

fn sizes(value: &Value) -> Vec<(f64, f64)> {
    value
        .as_array()
        .map(|all| {
            all.iter()
                .map(|wh| (wh[0].as_f64().unwrap_or(0.0), wh[1].as_f64().unwrap_or(0.0)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_click_exactly_on_a_connection_line_selects_it() {
    let (_server, browser) = open_site(1440, 900);
    // Status API → Database runs straight across: the middle of the
    // line's box is on the line.
    let on_line = browser
        .centre_of(".edge-group:has([data-edge-from=\"api\"][data-edge-to=\"db\"]) path.edge")
        .expect("the api → db line");
    browser.mouse_path(&[on_line]).expect("click");
    browser
        .wait_for(
            "return document.querySelectorAll('.edge-group.selected').length === 1",
            Duration::from_secs(5),
        )
        .expect("the click on the line selected the connection");
    let inspector = browser
        .execute(
            "return document.querySelector('.inspector').textContent",
            vec![],
        )
        .unwrap();
    assert!(
        inspector
            .as_str()
            .unwrap_or("")
            .contains("Connection from api to db"),
        "{inspector}"
    );
    // A mouse keeps the small port: the finger-sized circle is not drawn.
    let hits = sizes(&browser.execute(PORT_HITS, vec![]).unwrap());
    assert_eq!(hits.len(), 4);
    assert!(hits.iter().all(|&(w, h)| w == 0.0 && h == 0.0), "{hits:?}");
}

#[test]
fn an_output_port_is_a_finger_wide_on_a_touch_screen() {
    let (_server, browser) = open_site_on(Screen::touch(390, 844));
    let coarse = browser
        .execute("return matchMedia('(pointer: coarse)').matches", vec![])
        .unwrap();
    assert_eq!(coarse, json!(true), "a touch screen");
    // The starter fitted into a phone's width is drawn smaller than life,
    // so the hit circle must grow in canvas units to stay 24 px on screen.
    let zoom = browser
        .execute(ZOOM, vec![])
        .unwrap()
        .as_f64()
        .unwrap_or(1.0);
    assert!(zoom < 1.0, "zoom {zoom}: the case where size matters");
    let hits = sizes(&browser.execute(PORT_HITS, vec![]).unwrap());
    assert_eq!(hits.len(), 4);
    for (w, h) in &hits {
        assert!(
            *w >= 23.9 && *h >= 23.9,
            "a port's hit area is {w:.1} × {h:.1} px at zoom {zoom:.2}: {hits:?}"
        );
    }
    // What a finger pressing there finds is the port, which starts a
    // connection (data-port-out), not the node under it.
    let found = browser
        .execute(
            "const r = document.querySelector('svg.canvas .port-hit').getBoundingClientRect(); \
             const e = document.elementFromPoint(r.left + r.width / 2 + 9, r.top + r.height / 2); \
             return e && e.closest('[data-port-out]') && e.closest('[data-port-out]').getAttribute('data-port-out')",
            vec![],
        )
        .unwrap();
    assert!(found.is_string(), "9 px off the port's centre: {found}");
}

/// On a phone the inspector is its own pane: Enter on a node shows it with
/// the first field focused, and Escape goes back to the canvas pane with
/// the node focused (not to a node hidden behind the inspector).
#[test]
fn on_a_phone_escape_in_the_inspector_shows_the_node_again() {
    let (_server, browser) = open_site_on(Screen::touch(390, 844));
    const PANE: &str = "return document.querySelector('.app').getAttribute('data-pane')";
    const FOCUSED: &str = "const a = document.activeElement; \
         return a && (a.getAttribute('data-node') || a.id)";
    browser
        .execute(
            "document.querySelector('[data-node=\"api\"]').focus()",
            vec![],
        )
        .unwrap();
    browser.keys(&["\u{E007}"]).expect("Enter");
    browser
        .wait_for(
            "return document.activeElement && document.activeElement.id === 'field-label'",
            Duration::from_secs(5),
        )
        .expect("Enter focuses the inspector's first field");
    assert_eq!(browser.execute(PANE, vec![]).unwrap(), json!("inspector"));
    browser.keys(&["\u{E00C}"]).expect("Escape");
    browser
        .wait_for(
            "return document.activeElement && document.activeElement.getAttribute('data-node') === 'api'",
            Duration::from_secs(5),
        )
        .unwrap_or_else(|e| {
            panic!(
                "Escape focuses the node: {e}; focus on {:?}",
                browser.execute(FOCUSED, vec![])
            )
        });
    assert_eq!(browser.execute(PANE, vec![]).unwrap(), json!("canvas"));
    let visible = browser
        .execute(
            "const r = document.querySelector('[data-node=\"api\"]').getBoundingClientRect(); \
             return r.width > 0 && r.bottom > 0 && r.top < innerHeight",
            vec![],
        )
        .unwrap();
    assert_eq!(visible, json!(true), "the focused node is on screen");
}
