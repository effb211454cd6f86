//! Browser tests of the app: mount it in headless Chromium and look at the
//! DOM it produced. Run with `cargo test -p playground --target
//! wasm32-unknown-unknown` (wasm-bindgen-test-runner + chromedriver).
#![cfg(target_arch = "wasm32")]

mod support;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app (grading on the page) into a fresh element, from the
/// starter; returns that element and the unmount handle.
fn mount_in_fresh_host() -> (web_sys::HtmlElement, impl Sized) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    playground::forget_autosave();
    let handle = leptos::mount::mount_to(host.clone(), playground::app_grading_in_page);
    (host, handle)
}

/// Mounts the app into a fresh element and returns that element once the
/// app has built every part (it builds them over several tasks). The unmount
/// handle is leaked on purpose so the app stays mounted for the assertions.
async fn mount_app() -> web_sys::HtmlElement {
    let (host, handle) = mount_in_fresh_host();
    std::mem::forget(handle);
    support::until_built(&host).await;
    host
}

#[wasm_bindgen_test]
async fn app_mounts_and_draws_the_starter_design_on_the_canvas() {
    let host = mount_app().await;
    let canvas = host.query_selector("svg.canvas").unwrap();
    assert!(canvas.is_some(), "no canvas in:\n{}", host.inner_html());

    let nodes = host.query_selector_all("svg.canvas g.node").unwrap();
    let kinds: Vec<String> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| {
            n.unchecked_into::<web_sys::Element>()
                .get_attribute("data-kind")
        })
        .collect();
    for expected in ["users", "api", "db_primary"] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "missing {expected} in {kinds:?}"
        );
    }
    let edges = host.query_selector_all("svg.canvas path.edge").unwrap();
    assert_eq!(edges.length(), 3);
}

#[wasm_bindgen_test]
async fn page_has_every_region_and_four_scenario_cards() {
    let host = mount_app().await;
    for region in [
        ".top-bar",
        ".brief",
        ".canvas-region",
        ".inspector",
        ".bottom-region",
    ] {
        assert!(
            host.query_selector(region).unwrap().is_some(),
            "missing region {region}"
        );
    }
    let cards = host.query_selector_all(".scenario-card").unwrap();
    assert_eq!(cards.length(), 4);
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("The status dashboard"));
    assert!(text.contains("Fast under surge"));
}

/// Which of `N` selectors match under an element at the end of each task
/// that changed what it holds (a mutation observer's records arrive at
/// the end of the task that made them); it stops recording when dropped.
struct TaskRecord<const N: usize> {
    /// One entry per task that changed the element.
    seen: std::rc::Rc<std::cell::RefCell<Vec<[bool; N]>>>,
    observer: web_sys::MutationObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl<const N: usize> TaskRecord<N> {
    fn start(host: &web_sys::HtmlElement, selectors: [&'static str; N]) -> Self {
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = seen.clone();
        let watched = host.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
            let has = |selector: &str| watched.query_selector(selector).unwrap().is_some();
            sink.borrow_mut().push(selectors.map(has));
        });
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        observer.observe_with_options(host, &options).unwrap();
        TaskRecord {
            seen,
            observer,
            _callback: callback,
        }
    }
}

impl<const N: usize> Drop for TaskRecord<N> {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The first grade's run view builds its playback controls, then a task
/// later its charts: in one task they made the longest task of opening
/// a link. When the results were built before the grade arrived (as they
/// usually are), the cards also come a task before the controls, which
/// follow the shown report (`RunState::show_report_soon`); a grade that
/// arrives first is shown with its controls when the results are built.
#[wasm_bindgen_test]
async fn the_first_grades_cards_controls_and_charts_come_in_tasks_of_their_own() {
    let (host, handle) = mount_in_fresh_host();
    // The results, graded cards, the run view's controls, its charts.
    let tasks = TaskRecord::start(
        &host,
        [
            ".bottom-region",
            ".scenario-card[data-passed]",
            ".run-view",
            ".run-view .chart",
        ],
    );
    let seen = tasks.seen.clone();
    let done = [true; 4];
    for _ in 0..500 {
        if seen.borrow().last() == Some(&done) {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    drop(tasks);
    let seen = seen.borrow();
    assert_eq!(
        seen.last(),
        Some(&done),
        "the grade and its run view: {seen:?}"
    );
    assert!(
        seen.contains(&[true, true, true, false]) && !seen.iter().any(|s| s[2] && !s[1]),
        "the controls with or after the cards, the charts in a later task: {seen:?}"
    );
    let results_before_grade = seen.iter().any(|s| s[0] && !s[1]);
    assert!(
        !results_before_grade || seen.contains(&[true, true, false, false]),
        "the cards a task before the controls: {seen:?}"
    );
    drop(handle);
    host.remove();
}

/// Opening is short tasks, not one long one: the mount runs the app's
/// setup, the next task builds its frame, the next the canvas and the
/// grade strip, the next the design's nodes and the next its connections,
/// then one task each the top bar, the brief, the inspector (with the
/// pane tabs), the results.
#[wasm_bindgen_test]
async fn the_page_is_built_over_short_tasks_canvas_first() {
    let (host, handle) = mount_in_fresh_host();
    let has = |selector: &str| host.query_selector(selector).unwrap().is_some();
    let next_task = || gloo_timers::future::TimeoutFuture::new(0);
    assert!(!has(".canvas-region"), "the setup's task builds nothing");

    next_task().await;
    assert!(has(".canvas-region"), "the frame comes a task later");
    assert!(!has("svg.canvas") && !has(".top-bar") && !has(".brief"));

    next_task().await;
    assert!(
        has("svg.canvas") && has(".grade-summary"),
        "{}",
        host.inner_html()
    );
    assert!(!has("svg.canvas g.node"), "the nodes come a task later");
    assert!(!has(".top-bar") && !has(".brief") && !has(".inspector") && !has(".bottom-region"));
    let tasks = TaskRecord::start(
        &host,
        [".top-bar", ".brief", ".inspector", ".bottom-region"],
    );
    let stages = tasks.seen.clone();

    next_task().await;
    assert!(has("svg.canvas g.node") && !has("svg.canvas g.edge-group"));

    next_task().await;
    assert!(
        has("svg.canvas g.edge-group"),
        "the connections a task later"
    );

    support::until_built(&host).await;
    drop(tasks);
    let stages = stages.borrow();
    assert!(
        stages.contains(&[true, false, false, false])
            && stages.contains(&[true, true, false, false])
            && stages.contains(&[true, true, true, false]),
        "the top bar, then the brief, then the inspector, then the results, each in a task of its own: {stages:?}"
    );
    for part in [
        ".top-bar",
        ".brief",
        ".inspector",
        ".bottom-region",
        ".scenario-card",
    ] {
        assert!(has(part), "{part} is built by the last task");
    }
    drop(handle);
    host.remove();
}
