//! The app has no kata numbers of its own: mounted on a second kata given
//! as data (`crates/sim/tests/data/katas/profile-page/`, which nothing in
//! the app names), its title, brief, scenario cards, grade, chart target
//! lines, timeline window marks and run length all come from that kata's
//! files. Grading runs on the page's own thread through the same service
//! and wire form as the worker's, the kata travelling with each request.
#![cfg(target_arch = "wasm32")]

mod support;

use editor::chart;
use playground::grading::protocol::{self, KataData, KataRef, Request};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const KATA: &str = include_str!("../crates/sim/tests/data/katas/profile-page/kata.json");
const STARTER: &str =
    include_str!("../crates/sim/tests/data/katas/profile-page/designs/starter.json");

fn data() -> KataData {
    KataData {
        kata_json: KATA.to_string(),
        starter_json: STARTER.to_string(),
    }
}

/// The kata file, read apart from the app.
fn file() -> Value {
    serde_json::from_str(KATA).unwrap()
}

/// The app mounted on the second kata, with no autosave; unmounted (and
/// its listeners removed) on drop.
struct Mounted {
    host: HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.take();
        self.host.remove();
    }
}

impl Mounted {
    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.host.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into::<Element>())
            .collect()
    }

    fn text(&self, selector: &str) -> String {
        self.host
            .query_selector(selector)
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    /// Waits (up to 60 s) until `ready` holds.
    async fn until(&self, what: &str, ready: impl Fn(&Mounted) -> bool) {
        for _ in 0..3000 {
            if ready(self) {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        panic!("{what} never happened:\n{}", self.host.inner_html());
    }
}

async fn mount_on_second_kata() -> Mounted {
    let id = file()["id"].as_str().unwrap().to_string();
    playground::forget_autosave_of(&id);
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), || {
        playground::app_on_kata_grading_in_page(data())
    });
    let mounted = Mounted {
        host,
        handle: Some(Box::new(handle)),
    };
    support::until_built(&mounted.host).await;
    gloo_timers::future::TimeoutFuture::new(20).await;
    mounted
}

#[wasm_bindgen_test]
async fn the_app_runs_on_a_kata_given_as_data() {
    let file = file();
    let app = mount_on_second_kata().await;

    // The title, the brief and the cards before any grade: the file's.
    assert_eq!(
        app.text(".kata-title"),
        file["title"].as_str().unwrap(),
        "the title"
    );
    let brief = app.text(".brief");
    for paragraph in file["brief"].as_array().unwrap() {
        assert!(brief.contains(paragraph.as_str().unwrap()), "{brief}");
    }
    let scenarios = file["scenarios"].as_array().unwrap();
    let ids = |app: &Mounted| -> Vec<String> {
        app.all(".scenario-card")
            .iter()
            .filter_map(|c| c.get_attribute("data-scenario"))
            .collect()
    };
    let expected: Vec<String> = scenarios
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids(&app), expected, "the cards before the grade");
    // The Watch button names what the kata's run plays.
    let event = file["event"].as_str().unwrap();
    assert_eq!(event, "the evening");
    assert_eq!(
        app.text("[data-action=run]").trim(),
        format!("▶ Watch {event}"),
        "the Watch button"
    );
    let all = app.host.text_content().unwrap_or_default();
    for other in ["The status dashboard", "Fast under surge", "minutes 5–60"] {
        assert!(!all.contains(other), "{other} on the page: {all}");
    }

    // The grade: the starter fails the first scenario against the file's
    // target, and passes the budget.
    app.until("a grade", |app| {
        app.host
            .query_selector(".results-summary")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(ids(&app), expected, "the graded cards");
    let cards = app.all(".scenario-card");
    let passed: Vec<Option<String>> = cards
        .iter()
        .map(|c| c.get_attribute("data-passed"))
        .collect();
    assert_eq!(passed, [Some("false".into()), Some("true".into())]);
    let p95 = scenarios[0]["checks"][0]["at_most"].as_f64().unwrap();
    let measure = cards[0]
        .query_selector(".measure")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        measure.contains(&format!("(target ≤ {p95} ms)")),
        "{measure}"
    );
    assert!(
        app.text(".results-summary")
            .contains(&format!("1 of {}", scenarios.len())),
        "{}",
        app.text(".results-summary")
    );

    // The charts' target lines: the smallest limit the file sets on each
    // charted metric, in the charts' units.
    app.until("the charts", |app| !app.all("line.chart-target").is_empty())
        .await;
    let limit = |metric: &str| {
        scenarios
            .iter()
            .flat_map(|s| s["checks"].as_array().unwrap())
            .filter(|c| c["metric"] == metric)
            .filter_map(|c| c["at_most"].as_f64())
            .min_by(f64::total_cmp)
            .unwrap()
    };
    let lines: Vec<String> = app
        .all("line.chart-target title")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    let wanted: Vec<String> = [
        ("read_p95_ms", "ms"),
        ("read_errors_pct", "%"),
        ("read_staleness_p95_s", "s"),
    ]
    .iter()
    .map(|(metric, unit)| format!("Target: {} {unit}", chart::format_number(limit(metric))))
    .collect();
    assert_eq!(lines, wanted);
    assert_eq!(lines[0], "Target: 120 ms");

    // The timeline: the file's windows marked where they start, and the
    // run's length from the file.
    let windows: Vec<String> = app
        .all(".markers .marker")
        .iter()
        .filter_map(|m| m.get_attribute("title"))
        .filter(|t| t.ends_with(" starts"))
        .collect();
    let wanted: Vec<String> = file["run"]["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let at = w["from_min"].as_f64().unwrap() * 60.0;
            format!(
                "{} · {} starts",
                chart::format_clock(at),
                w["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(windows, wanted);
    assert_eq!(windows, ["6:00 · peak starts"]);
    let minutes = file["run"]["minutes"].as_f64().unwrap();
    let clock = app.text(".playback .clock");
    assert!(
        clock.ends_with(&format!("/ {}", chart::format_clock(minutes * 60.0))),
        "{clock}"
    );
}

#[wasm_bindgen_test]
fn a_kata_given_as_data_travels_with_the_request_and_a_built_in_one_as_before() {
    let design = design::format::parse(STARTER).unwrap().design;
    let given = Request::Grade {
        request: 4,
        kata: KataRef::Given(data()),
        seed: 2,
        design: design.clone(),
    };
    let bytes = protocol::encode(&given).unwrap();
    assert_eq!(protocol::decode::<Request>(&bytes).unwrap(), given);

    // A built-in kata is still its id alone on the wire: a request from
    // before kata data existed reads the same, and the other way round
    // (the design travels as its document text).
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    enum Before {
        Grade {
            request: u64,
            kata: String,
            seed: u64,
            design: String,
        },
    }
    impl protocol::Wire for Before {}
    let built_in = Request::Grade {
        request: 5,
        kata: "status-dashboard".into(),
        seed: 1,
        design: design.clone(),
    };
    let before = Before::Grade {
        request: 5,
        kata: "status-dashboard".into(),
        seed: 1,
        design: design::format::to_json(&design),
    };
    assert_eq!(
        protocol::encode(&built_in).unwrap(),
        protocol::encode(&before).unwrap()
    );
    assert_eq!(
        protocol::decode::<Request>(&protocol::encode(&before).unwrap()).unwrap(),
        built_in
    );
}

#[wasm_bindgen_test]
async fn a_kata_given_with_a_defect_is_said_in_words() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let broken = KataData {
        kata_json: KATA.replace("\"to_min\": 20", "\"to_min\": 45"),
        starter_json: STARTER.to_string(),
    };
    let handle = leptos::mount::mount_to(host.clone(), move || {
        playground::app_on_kata_grading_in_page(broken)
    });
    let alert = host
        .query_selector("[role=alert]")
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default());
    drop(handle);
    host.remove();
    let alert = alert.expect("an alert");
    assert!(
        alert.contains("could not start") && alert.contains("falls outside the run"),
        "{alert}"
    );
}

/// The page opens its built-in kata as the build read it
/// (`playground::built_in`): the same kata, starter included, as the
/// worker reads from the kata files; an unknown id is said in words.
#[wasm_bindgen_test]
fn the_built_in_kata_the_page_opens_is_the_one_the_worker_reads() {
    let mut ids = 0;
    for id in sim::kata::ids() {
        let page = playground::built_in::load(id).expect("built in");
        let files = sim::kata::load(id).expect("built in");
        assert_eq!(page, files, "{id}");
        assert!(!page.starter.nodes.is_empty(), "{id}: no starter");
        ids += 1;
    }
    assert!(ids > 0);
    assert!(playground::built_in::ids().eq(sim::kata::ids()));
    let unknown = playground::built_in::load("no-such-kata").expect_err("unknown");
    assert_eq!(
        unknown.to_string(),
        sim::kata::KataError::Unknown("no-such-kata".into()).to_string()
    );
}
