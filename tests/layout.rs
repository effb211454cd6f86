//! Browser tests of the page's layout: the grade strip that keeps the pass
//! count and next step on screen, the side panels that fold, and what a
//! read-only page shows.
#![cfg(target_arch = "wasm32")]

mod support;

use playground::layout::Fold;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Waits (up to 6 s) until the grade strip shows a pass count.
async fn graded_strip(app: &Mounted) -> String {
    let mut text = String::new();
    for _ in 0..300 {
        if app.has(".grade-summary .grade-count") {
            text = app
                .find(".grade-summary")
                .text_content()
                .unwrap_or_default();
            if !text.starts_with("Grading") {
                break;
            }
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    text
}

fn is_displayed(element: &web_sys::Element) -> bool {
    let rect = element.get_bounding_client_rect();
    rect.width() > 0.0 && rect.height() > 0.0
}

#[wasm_bindgen_test]
async fn the_grade_strip_shows_the_pass_count_and_the_first_failed_scenarios_next_step() {
    let app = mount_fresh().await;
    let text = graded_strip(&app).await;
    // The starter passes one scenario of four (the cards say the same).
    assert!(text.contains("1 of 4 passed"), "strip: {text}");
    let first_failed = app
        .find(".scenario-card.failed h3")
        .text_content()
        .unwrap_or_default();
    let next = app.find(".grade-summary .grade-next");
    assert!(
        next.text_content()
            .unwrap_or_default()
            .starts_with(&first_failed),
        "the strip names the first failed card ({first_failed}): {text}"
    );
    // On screen without scrolling, and directly under the top bar.
    let strip = app.find(".grade-summary").get_bounding_client_rect();
    let bar = app.find(".top-bar").get_bounding_client_rect();
    assert!(strip.top() >= bar.bottom() - 1.0 && strip.bottom() <= 200.0);
}

#[wasm_bindgen_test]
async fn side_panels_fold_and_open_with_their_buttons() {
    let app = mount_fresh().await;
    let brief = app.find(".brief");
    assert!(is_displayed(&brief), "the brief shows at first");
    let button = app.find("[data-fold=\"brief\"]");
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let canvas_before = app.canvas().get_bounding_client_rect().width();

    button.unchecked_ref::<web_sys::HtmlElement>().click();
    settle().await;
    assert!(!is_displayed(&brief), "folded");
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    let canvas_after = app.canvas().get_bounding_client_rect().width();
    assert!(
        canvas_after > canvas_before + 100.0,
        "the canvas takes the room: {canvas_before} → {canvas_after}"
    );

    button.unchecked_ref::<web_sys::HtmlElement>().click();
    settle().await;
    assert!(is_displayed(&brief), "open again");
}

#[wasm_bindgen_test]
fn a_panel_folded_for_room_opens_on_selection_but_one_the_learner_folded_stays_folded() {
    assert_eq!(Fold::initial(true), Fold::Open);
    assert_eq!(Fold::initial(false), Fold::FoldedForRoom);
    assert_eq!(Fold::FoldedForRoom.on_selection(), Fold::Open);
    let folded = Fold::Open.toggled();
    assert_eq!(folded, Fold::FoldedByLearner);
    assert_eq!(folded.on_selection(), Fold::FoldedByLearner);
    assert_eq!(folded.toggled(), Fold::Open);
}

#[wasm_bindgen_test]
async fn a_read_only_page_says_so_has_no_palette_and_its_inspector_takes_no_typing() {
    playground::forget_autosave();
    set_address("?embed=1&readonly=1");
    let app = mount().await;
    assert!(app.has(".readonly-badge"), "a read-only badge");
    assert!(!app.has("#tab-palette"), "no palette tab");
    assert!(!app.has(".palette"), "no palette");
    assert!(!app.has(".start-building"), "no Start building");

    // Selecting a node opens the embed's folded inspector on its settings,
    // which can be read but not typed into.
    tap(&app.node("api")).await;
    settle().await;
    let inspector = app.find(".inspector");
    assert!(is_displayed(&inspector), "the inspector opened");
    let label = app.find("#field-label");
    assert!(label.has_attribute("readonly"), "label field is read-only");
    let fields = app
        .host
        .query_selector_all(".inspector input, .inspector select")
        .unwrap();
    assert!(fields.length() > 1);
    for i in 0..fields.length() {
        let field: web_sys::Element = fields.item(i).unwrap().unchecked_into();
        assert!(
            field.has_attribute("readonly") || field.has_attribute("disabled"),
            "{} accepts input",
            field.outer_html()
        );
    }
    set_address("");
}

#[wasm_bindgen_test]
async fn enter_on_a_node_unfolds_a_folded_inspector_and_focuses_its_first_field() {
    let app = mount_fresh().await;
    let fold = app.find("[data-fold=\"inspector\"]");
    if fold.get_attribute("aria-expanded").as_deref() == Some("true") {
        fold.unchecked_ref::<web_sys::HtmlElement>().click();
        settle().await;
    }
    let api = app.node("api");
    tap(&api).await;
    assert!(
        !is_displayed(&app.find(".inspector")),
        "folded by the learner, selecting does not open it"
    );
    key_on(&api, "Enter", false, false).await;
    settle().await;
    assert!(is_displayed(&app.find(".inspector")), "Enter unfolded it");
    let focused = document().active_element().map(|e| e.id());
    assert_eq!(focused.as_deref(), Some("field-label"));
}

#[wasm_bindgen_test]
async fn c_starts_a_connection_only_from_a_focused_node() {
    let app = mount_fresh().await;
    let api = app.node("api");
    tap(&api).await;
    // With the node selected but the focus on a button, C is a letter.
    let button = app.find(".grade-summary .grade-show");
    key_on(&button, "c", false, false).await;
    assert!(!app.has(".connect-prompt"), "no connection from a button");
    key_on(&api, "c", false, false).await;
    assert!(app.has(".connect-prompt"), "a connection from the node");
    key_on(&api, "Escape", false, false).await;
}

#[wasm_bindgen_test]
async fn a_node_added_past_a_chunk_of_a_big_design_is_drawn_and_focused_at_once() {
    let mut design = design::Design::default();
    for i in 0..editor::chunks::DRAW_CHUNK {
        let at = design::Point {
            x: (i % 10) as f64 * 208.0,
            y: (i / 10) as f64 * 96.0,
        };
        design.add_node(design::NodeKind::Api, at);
    }
    playground::forget_autosave();
    save_design(&design);
    let app = mount().await;
    app.wait_until_drawn(editor::chunks::DRAW_CHUNK as u32, 0)
        .await;
    app.open_palette().await;
    app.find("[data-palette=\"cache\"]")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(app.count("g.node"), editor::chunks::DRAW_CHUNK as u32 + 1);
    let focused = document()
        .active_element()
        .and_then(|e| e.get_attribute("data-kind"));
    assert_eq!(
        focused.as_deref(),
        Some("cache"),
        "the new node has the focus"
    );
}
