//! Autosave never loses work: another tab's save is never overwritten
//! silently, an unreadable autosave is backed up (and checked) before the
//! slot is written again, or left alone when it cannot be, and two embeds
//! on one page keep their own slots. In headless Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use design::{format, NodeKind, Point};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn starter() -> design::Design {
    sim::kata::load("status-dashboard").unwrap().starter
}

/// The starter with one more node: what "another tab" saved.
fn other_tabs_design() -> design::Design {
    let mut d = starter();
    d.add_node(NodeKind::Cdn, Point { x: 320.0, y: 64.0 });
    d.add_node(NodeKind::Cache, Point { x: 640.0, y: 64.0 });
    d
}

/// Another tab writes the slot: localStorage changes and, as the browser
/// does for other documents, a `storage` event arrives.
fn another_tab_saves(text: &str, with_event: bool) {
    let old = storage().get_item(AUTOSAVE).unwrap();
    storage().set_item(AUTOSAVE, text).unwrap();
    if with_event {
        let init = web_sys::StorageEventInit::new();
        init.set_key(Some(AUTOSAVE));
        init.set_old_value(old.as_deref());
        init.set_new_value(Some(text));
        init.set_storage_area(Some(&storage()));
        let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    }
}

/// An edit in this tab: a node added from the palette.
async fn edit(app: &Mounted) {
    app.open_palette().await;
    let item: web_sys::HtmlElement = app.find("[data-palette=\"read_replica\"]").unchecked_into();
    item.click();
    settle().await;
}

#[wasm_bindgen_test]
async fn another_tab_s_save_is_never_overwritten_and_the_learner_chooses() {
    playground::forget_autosave();
    save_design(&starter());
    let app = mount().await;
    let theirs = format::to_json(&other_tabs_design());
    another_tab_saves(&theirs, true);
    settle().await;
    assert!(app.has("[data-choice=\"load-other\"]"), "the page asks");
    // An edit here while the question is open writes nothing.
    edit(&app).await;
    assert_eq!(stored(AUTOSAVE).as_deref(), Some(theirs.as_str()));
    // Open the other tab's design: it is on the canvas, and autosave goes on.
    app.choose("load-other").await;
    assert_eq!(app.count("g.node"), 6);
    edit(&app).await;
    assert_eq!(
        saved_design().nodes.len(),
        7,
        "autosave resumed from theirs"
    );
}

#[wasm_bindgen_test]
async fn a_save_made_elsewhere_without_an_event_is_noticed_at_the_next_save() {
    playground::forget_autosave();
    save_design(&starter());
    let app = mount().await;
    let theirs = format::to_json(&other_tabs_design());
    another_tab_saves(&theirs, false);
    edit(&app).await;
    assert_eq!(
        stored(AUTOSAVE).as_deref(),
        Some(theirs.as_str()),
        "not overwritten"
    );
    assert!(app.has("[data-choice=\"keep-mine\"]"), "the page asks");
    // Keep this tab's: written on purpose, and autosave goes on.
    app.choose("keep-mine").await;
    assert_eq!(
        saved_design().nodes.len(),
        5,
        "the starter and this tab's replica"
    );
    edit(&app).await;
    assert_eq!(saved_design().nodes.len(), 6);
}

#[wasm_bindgen_test]
async fn unreadable_autosaves_are_each_backed_up_and_kept() {
    playground::forget_autosave();
    set_autosave("{ the first unreadable autosave");
    let app = mount().await;
    edit(&app).await; // the slot is written again: the backup must exist
    drop(app);
    set_autosave("{ the second unreadable autosave");
    let app = mount().await;
    let notice = app.notice();
    assert!(notice.contains("a copy was kept"), "{notice}");
    let backups = playground::autosave_backups();
    let kept: Vec<String> = backups.iter().filter_map(|k| stored(k)).collect();
    assert_eq!(
        kept,
        vec![
            "{ the first unreadable autosave".to_string(),
            "{ the second unreadable autosave".to_string()
        ],
        "a second unreadable autosave does not overwrite the first backup"
    );
    drop(app);
    playground::forget_autosave();
}

#[wasm_bindgen_test]
async fn an_unreadable_autosave_that_cannot_be_copied_is_left_alone_and_offered() {
    playground::forget_autosave();
    // Fill the storage so that the unreadable text cannot be stored twice.
    let big = "x".repeat(3 * 1024 * 1024);
    let unreadable = format!("{{ {big}");
    set_autosave(&unreadable);
    let mut filler = Vec::new();
    for i in 0..64 {
        let key = format!("test-filler-{i}");
        if storage().set_item(&key, &"y".repeat(256 * 1024)).is_err() {
            break;
        }
        filler.push(key);
    }
    let app = mount().await;
    assert!(
        app.has("[data-choice=\"download-unreadable\"]"),
        "the page offers a download"
    );
    let notice = app.notice();
    assert!(notice.contains("no room to copy it aside"), "{notice}");
    assert!(!notice.contains("a copy was kept"), "{notice}");
    app.choose("keep-paused").await;
    edit(&app).await;
    assert_eq!(
        stored(AUTOSAVE).as_deref(),
        Some(unreadable.as_str()),
        "the only copy is not overwritten"
    );
    for key in filler {
        storage().remove_item(&key).unwrap();
    }
    drop(app);
    playground::forget_autosave();
}

#[wasm_bindgen_test]
fn two_embeds_on_one_page_keep_their_own_slots() {
    let a = playground::embed_slot(None, Some("d2.first-design"));
    let b = playground::embed_slot(None, Some("d2.second-design"));
    assert_ne!(a, b);
    assert_eq!(
        a,
        playground::embed_slot(None, Some("d2.first-design")),
        "stable"
    );
    let named = playground::embed_slot(Some("lesson-3/task 2"), Some("d2.first-design"));
    assert!(named.contains("/lesson-3task2-"), "{named}");
    // Names that lose characters never share a slot by accident.
    assert_ne!(
        playground::embed_slot(Some("日本"), None),
        playground::embed_slot(Some("中文"), None)
    );
    assert!(playground::embed_slot(Some("lesson-3"), None).ends_with("/lesson-3"));
    assert_ne!(named, a);
    let o = playground::page::PageOptions::parse("?embed=1&slot=lesson-3", "");
    assert_eq!(o.slot.as_deref(), Some("lesson-3"));
}

/// Waits (up to 4 s) for a grade of `seed` on screen; the seed of the
/// grade shown last.
async fn graded_seed(app: &Mounted, seed: &str) -> Option<String> {
    let mut shown = None;
    for _ in 0..200 {
        if app.has(".results-summary") {
            shown = app.find(".results-summary").get_attribute("data-seed");
            if shown.as_deref() == Some(seed) {
                break;
            }
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    shown
}

#[wasm_bindgen_test]
async fn keeping_my_design_over_a_link_keeps_my_seed() {
    playground::forget_autosave();
    save_design(&starter());
    let link = design::share::encode(&other_tabs_design(), "status-dashboard", 7);
    set_address(&format!("#{link}"));
    let app = mount().await;
    app.choose("keep").await;
    assert_eq!(app.count("g.node"), 4, "my design");
    // Graded with my seed, and not again with the link's.
    assert_eq!(graded_seed(&app, "1").await.as_deref(), Some("1"));
    gloo_timers::future::TimeoutFuture::new(300).await;
    assert_eq!(
        graded_seed(&app, "1").await.as_deref(),
        Some("1"),
        "graded with my seed"
    );
    drop(app);

    // Opening the link's design takes its seed with it.
    save_design(&starter());
    set_address(&format!("#{link}"));
    let app = mount().await;
    app.choose("link").await;
    assert_eq!(app.count("g.node"), 6);
    assert_eq!(
        graded_seed(&app, "7").await.as_deref(),
        Some("7"),
        "graded with the link's seed"
    );
    drop(app);
    set_address("");
    playground::forget_autosave();
}

#[wasm_bindgen_test]
async fn an_embed_finds_work_saved_before_embeds_had_a_slot_each() {
    let legacy = "kata-playground/status-dashboard-embed/design";
    storage()
        .set_item(legacy, &format::to_json(&other_tabs_design()))
        .unwrap();
    let link = design::share::encode(&starter(), "status-dashboard", 1);
    let slot = playground::embed_slot(None, Some(&link));
    let own = format!("kata-playground/{slot}/design");
    storage().remove_item(&own).unwrap();
    set_address(&format!("?embed=1#{link}"));
    let app = mount().await;
    // The old work differs from the embed's design: the learner is asked,
    // and keeping it shows it.
    app.choose("keep").await;
    assert_eq!(app.count("g.node"), 6, "the work saved in the old slot");
    edit(&app).await;
    assert!(stored(&own).is_some(), "saved in the embed's own slot now");
    drop(app);
    storage().remove_item(&own).unwrap();
    storage().remove_item(legacy).unwrap();
    set_address("");
}
