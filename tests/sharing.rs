//! Links, embedding and the message protocol, in headless Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use design::{NodeKind, Point};
use playground::embed::{self, Inbound, Outbound, Refused};
use playground::page::PageOptions;
use serde_json::json;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn starter() -> design::Design {
    sim::kata::load("status-dashboard").unwrap().starter
}

fn a_different_design() -> design::Design {
    let mut d = starter();
    d.add_node(NodeKind::Cdn, Point { x: 320.0, y: 64.0 });
    d
}

#[wasm_bindgen_test]
fn page_options_read_embed_readonly_allow_and_hash() {
    let o = PageOptions::parse(
        "?embed=1&readonly=true&allow=https%3A%2F%2Fa.example,https://b.example/",
        "#d1.abc",
    );
    assert!(o.embed && o.readonly);
    assert_eq!(
        o.allowed_origins,
        vec!["https://a.example", "https://b.example"]
    );
    assert!(o.allow_errors.is_empty());
    assert_eq!(o.hash.as_deref(), Some("d1.abc"));
    assert!(o.allows("https://b.example") && !o.allows("https://evil.example"));
    // One value that is not an origin and the embed fails closed.
    let o = PageOptions::parse("?allow=https://a.example,javascript:x", "");
    assert_eq!(o.allow_errors.len(), 1);
    assert!(!o.allows("https://a.example") && o.post_targets().is_empty());
    let none = PageOptions::parse("", "#");
    assert!(!none.embed && none.hash.is_none());
}

#[wasm_bindgen_test]
fn inbound_messages_are_accepted_only_from_allowed_origins() {
    let o = PageOptions::parse("?allow=https://course.example", "");
    let load =
        json!({ "source": "kata-playground", "v": 1, "type": "load-design", "design": "d1.x" });
    assert_eq!(
        embed::read_inbound(&o, "https://course.example", &load),
        Ok(Inbound::LoadDesign("d1.x".into()))
    );
    assert_eq!(
        embed::read_inbound(&o, "https://evil.example", &load),
        Err(Refused::Origin("https://evil.example".into()))
    );
    assert_eq!(
        embed::read_inbound(&o, "https://course.example", &json!({ "hello": 1 })),
        Err(Refused::NotOurs)
    );
    let object = json!({ "source": "kata-playground", "v": 1, "type": "load-design", "design": { "version": 1 } });
    assert!(
        matches!(embed::read_inbound(&o, "https://course.example", &object), Ok(Inbound::LoadDesign(t)) if t.contains("version"))
    );
}

/// Every message to the course page is the JSON the documented shape
/// gives (written by the design crate's writer, compared as values).
#[wasm_bindgen_test]
fn outbound_messages_have_the_documented_shape() {
    let ready = Outbound::Ready {
        kata: "k\"1".into(),
    }
    .to_json();
    let changed = Outbound::DesignChanged {
        kata: "k".into(),
        share: "d2.a.b".into(),
    }
    .to_json();
    let graded = Outbound::Graded {
        trigger: playground::embed::Trigger::Run,
        kata: "k".into(),
        share: "d2.a.b".into(),
        passed: 0,
        total: 0,
    }
    .to_json();
    let read = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    assert_eq!(
        read(&ready),
        json!({ "source": "kata-playground", "v": 1, "type": "ready", "kata": "k\"1" })
    );
    assert_eq!(
        read(&changed),
        json!({ "source": "kata-playground", "v": 1, "type": "design-changed", "kata": "k", "share": "d2.a.b" })
    );
    assert_eq!(
        read(&graded),
        json!({
            "source": "kata-playground", "v": 1, "type": "graded", "trigger": "run",
            "kata": "k", "share": "d2.a.b",
            "result": {
                "score": { "raw": 0, "min": 0, "max": 0, "scaled": 0.0 },
                "success": false,
                "completion": true
            }
        })
    );
}

/// A design sent as an object is read as the text `serde_json` writes for
/// it.
#[wasm_bindgen_test]
fn a_design_sent_as_an_object_is_read_as_its_text() {
    let o = PageOptions::parse("?allow=https://course.example", "");
    let design = json!({ "version": 1, "nodes": [{ "id": "a", "label": "x\u{1}\"", "x": 1.5, "y": -0.0 }], "edges": [] });
    let object =
        json!({ "source": "kata-playground", "v": 1, "type": "load-design", "design": design });
    assert_eq!(
        embed::read_inbound(&o, "https://course.example", &object),
        Ok(Inbound::LoadDesign(serde_json::to_string(&design).unwrap()))
    );
}

#[wasm_bindgen_test]
fn graded_messages_carry_an_xapi_like_result() {
    let text = Outbound::Graded {
        trigger: playground::embed::Trigger::LoadDesign,
        kata: "status-dashboard".into(),
        share: "d1.x".into(),
        passed: 3,
        total: 4,
    }
    .to_json();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["source"], "kata-playground");
    assert_eq!(m["v"], 1);
    assert_eq!(m["type"], "graded");
    assert_eq!(m["trigger"], "load-design");
    assert_eq!(m["result"]["score"]["raw"], 3);
    assert_eq!(m["result"]["score"]["max"], 4);
    assert_eq!(m["result"]["score"]["scaled"], 0.75);
    assert_eq!(m["result"]["success"], false);
}

/// base64url without padding, by the browser's `btoa` (apart from the
/// design crate's).
fn b64(bytes: &[u8]) -> String {
    let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
    let standard = web_sys::window().unwrap().btoa(&latin1).unwrap();
    standard
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// A `d1` link (no checksum) whose deflate stream is `deflated`.
fn d1_of(deflated: &[u8]) -> String {
    format!("d1.{}", b64(deflated))
}

#[wasm_bindgen_test]
async fn the_page_reads_every_link_as_the_native_reader_does() {
    use design::share::{self, MAX_INFLATED_BYTES};
    use miniz_oxide::deflate::compress_to_vec;
    use playground::link::{self, LinkError};
    let mut links = Vec::new();
    for (design, seed) in [
        (starter(), 1),
        (a_different_design(), 7),
        (design::Design::default(), 0),
    ] {
        let good = share::encode(&design, "status-dashboard", seed);
        let body = &good["d2.".len()..good.rfind('.').unwrap()];
        links.push(format!("https://play.example/?embed=1#{good}"));
        links.push(good.replacen("d2.", "d2.A", 1));
        links.push(format!("d1.{body}"));
        // Cut off anywhere (a few places): not base64, or a stream cut off.
        for cut in [1, 2, 5, body.len() / 3, body.len() / 2, body.len() - 1] {
            links.push(format!("d1.{}", &body[..cut]));
        }
    }
    let payload = b"not a design at all".repeat(5);
    let stream = compress_to_vec(&payload, 6);
    links.push(d1_of(&stream));
    // Bytes after the end of the stream.
    links.push(d1_of(&[stream.as_slice(), &[0]].concat()));
    links.push(d1_of(&[stream.as_slice(), &[1, 2, 3]].concat()));
    // The unpacking limit, and one byte over it.
    links.push(d1_of(&compress_to_vec(&vec![0; MAX_INFLATED_BYTES], 6)));
    links.push(d1_of(&compress_to_vec(&vec![0; MAX_INFLATED_BYTES + 1], 6)));
    let bomb_stream = compress_to_vec(&vec![9; 8 * MAX_INFLATED_BYTES], 10);
    let bomb = d1_of(&bomb_stream);
    links.push(bomb.clone());
    // Too large before it is found damaged: cut off, or with bytes after it.
    links.push(d1_of(&bomb_stream[..bomb_stream.len() / 2]));
    // Cut off in the piece of 256 bytes where it passes the limit.
    links.push(d1_of(&bomb_stream[..300]));
    links.push(d1_of(&[bomb_stream.as_slice(), &[0]].concat()));
    // No link, a newer one, an empty stream, a block type that does not exist.
    links.extend([
        "hello".into(),
        "d9.AAAA".into(),
        "d1.".into(),
        d1_of(&[0b111, 0, 0]),
    ]);
    // Random bytes as a stream (a fixed sequence).
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for len in 0..120 {
        let bytes: Vec<u8> = (0..len % 40)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        links.push(d1_of(&bytes));
    }
    for text in &links {
        let native = share::decode(text).map_err(LinkError::Share);
        let page = link::decode(text).await;
        assert_eq!(page, native, "{text}");
    }
    // Not a comparison that could pass with both readers wrong alike.
    assert_eq!(
        link::decode(&bomb).await,
        Err(LinkError::Share(share::ShareError::TooLarge))
    );
    assert_eq!(
        link::decode(&links[2]).await.map(|s| (s.design, s.seed)),
        Ok((starter(), 1))
    );
}

#[wasm_bindgen_test]
async fn a_link_opens_its_design_exactly_and_leaves_the_address_clean() {
    playground::forget_autosave();
    let linked = a_different_design();
    set_address(&format!(
        "#{}",
        design::share::encode(&linked, "status-dashboard", 7)
    ));
    let app = mount().await;
    assert_eq!(app.count("g.node"), 5);
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(hash, "", "the hash was taken in and removed");
    // The first edit autosaves exactly the linked design plus that edit.
    tap(&app.node("api")).await;
    key("ArrowDown", false, false).await;
    let mut expected = linked.clone();
    expected.node_mut(&"api".into()).unwrap().position.y += 16.0;
    assert_eq!(saved_design(), expected);
}

#[wasm_bindgen_test]
async fn a_corrupted_link_is_explained_and_the_autosave_survives() {
    let mine = a_different_design();
    save_design(&mine);
    let good = design::share::encode(&starter(), "status-dashboard", 1);
    let corrupted = format!("#{}", &good[..good.len() / 2]);
    set_address(&corrupted);
    let app = mount().await;
    assert_eq!(saved_design(), mine, "the autosave is untouched");
    assert_eq!(
        app.count("g.node"),
        mine.nodes.len() as u32,
        "and it is what is shown"
    );
    let notice = app.notice();
    assert!(
        notice.contains("could not be opened") && notice.contains("autosaved design is kept"),
        "{notice}"
    );
}

#[wasm_bindgen_test]
async fn a_browser_without_an_inflater_says_so_and_keeps_the_link() {
    playground::forget_autosave();
    let link = design::share::encode(&a_different_design(), "status-dashboard", 1);
    set_address(&format!("#{link}"));
    // A browser from before 2023: no DecompressionStream.
    let global = js_sys::global();
    let name = wasm_bindgen::JsValue::from_str("DecompressionStream");
    let inflater = js_sys::Reflect::get(&global, &name).unwrap();
    js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &name).unwrap();
    let app = mount().await;
    js_sys::Reflect::set(&global, &name, &inflater).unwrap();
    let notice = app.notice();
    assert!(notice.contains("cannot unpack design links"), "{notice}");
    assert_eq!(app.count("g.node"), 4, "the starter is shown");
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(hash, format!("#{link}"), "the link stays, to be copied");
    set_address("");
}

#[wasm_bindgen_test]
async fn a_link_from_a_newer_version_says_so() {
    playground::forget_autosave();
    set_address("#d9.AAAA");
    let app = mount().await;
    let notice = app.notice();
    assert!(notice.to_lowercase().contains("newer"), "{notice}");
    assert_eq!(app.count("g.node"), 4, "the starter is shown");
}

#[wasm_bindgen_test]
async fn when_a_link_differs_from_the_autosave_the_learner_chooses() {
    let mine = a_different_design();
    save_design(&mine);
    let linked = starter();
    set_address(&format!(
        "#{}",
        design::share::encode(&linked, "status-dashboard", 1)
    ));
    let app = mount().await;
    assert!(app.has("[data-choice=\"keep\"]"), "the learner is asked");
    assert_eq!(
        app.count("g.node"),
        mine.nodes.len() as u32,
        "their own design shows meanwhile"
    );
    app.choose("link").await;
    assert_eq!(saved_design(), linked);
    key("z", true, false).await;
    assert_eq!(saved_design(), mine, "undo brings their design back");
}

#[wasm_bindgen_test]
async fn a_course_page_on_an_allowed_origin_can_load_a_design() {
    playground::forget_autosave();
    set_address("?embed=1&allow=https://course.example");
    let app = mount().await;
    assert!(app.find(".app").class_list().contains("embed"));
    let linked = a_different_design();
    let send = |origin: &str| {
        let init = web_sys::MessageEventInit::new();
        init.set_origin(origin);
        let data = json!({ "source": "kata-playground", "v": 1, "type": "load-design",
            "design": design::share::encode(&linked, "status-dashboard", 1) });
        init.set_data(&js_sys::JSON::parse(&data.to_string()).unwrap());
        let event = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    };
    send("https://evil.example");
    settle().await;
    assert_eq!(app.count("g.node"), 4, "ignored from an origin not allowed");
    send("https://course.example");
    settle().await;
    assert_eq!(app.count("g.node"), 5, "loaded from the allowed origin");
    set_address("");
}

#[wasm_bindgen_test]
async fn a_link_pasted_into_the_open_tab_is_offered_not_imposed() {
    playground::forget_autosave();
    let app = mount().await;
    let window = web_sys::window().unwrap();
    let link = design::share::encode(&a_different_design(), "status-dashboard", 5);
    window.location().set_hash(&link).unwrap();
    assert!(
        until(|| app.has("[data-choice=\"link\"]")).await,
        "the learner is asked"
    );
    assert_eq!(app.count("g.node"), 4, "the starter shows meanwhile");
    assert_eq!(
        window.location().hash().unwrap(),
        "",
        "the hash is taken in"
    );
    app.choose("link").await;
    assert!(
        until(|| app.count("g.node") == 5).await,
        "the link's design opens"
    );
    // A damaged one is explained, and the design stays.
    window.location().set_hash("d1.AAAA").unwrap();
    assert!(
        until(|| app.notice().contains("Your design is unchanged")).await,
        "{}",
        app.notice()
    );
    assert_eq!(app.count("g.node"), 5);
}

/// Unpacks `link` twice, after the app began unpacking it: by then the
/// app has read it too (the browser unpacks a link asynchronously, and
/// the tests wait for a reading whose result the app must ignore).
async fn outlast_the_reading_of(link: &str) {
    for _ in 0..2 {
        playground::link::decode(link).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn of_two_links_pasted_one_after_the_other_the_last_is_offered() {
    playground::forget_autosave();
    let app = mount().await;
    let window = web_sys::window().unwrap();
    // A large design takes longer to unpack than the small one pasted
    // after it.
    let mut large = starter();
    for i in 0..400 {
        let at = Point {
            x: 64.0 * f64::from(i % 20),
            y: 480.0 + 64.0 * f64::from(i / 20),
        };
        large.add_node(NodeKind::Api, at);
    }
    let mut small = starter();
    let operator = small.nodes[1].id.clone();
    small.remove_node(&operator);
    let first = design::share::encode(&large, "status-dashboard", 1);
    let second = design::share::encode(&small, "status-dashboard", 1);
    // Each hashchange is handled as it is dispatched, so the first link is
    // still being unpacked when the second is pasted.
    let paste = |link: &str| {
        set_address(&format!("#{link}"));
        let event = web_sys::Event::new("hashchange").unwrap();
        window.dispatch_event(&event).unwrap();
    };
    paste(&first);
    paste(&second);
    assert!(until(|| app.has("[data-choice=\"link\"]")).await);
    outlast_the_reading_of(&first).await;
    settle().await;
    app.choose("link").await;
    assert!(
        until(|| app.count("g.node") == 3).await,
        "the last link pasted opens"
    );
    settle().await;
    assert_eq!(app.count("g.node"), 3);
}

#[wasm_bindgen_test]
async fn the_last_design_a_course_page_sends_is_the_one_that_stays() {
    // The embed keeps its own autosave: start and leave it empty.
    let slot = playground::embed_slot(None, None);
    playground::forget_autosave_of(&slot);
    set_address("?embed=1&allow=https://course.example");
    let app = mount().await;
    let send = |design: serde_json::Value| {
        let init = web_sys::MessageEventInit::new();
        init.set_origin("https://course.example");
        let data =
            json!({ "source": "kata-playground", "v": 1, "type": "load-design", "design": design });
        init.set_data(&js_sys::JSON::parse(&data.to_string()).unwrap());
        let event = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
        web_sys::window().unwrap().dispatch_event(&event).unwrap();
    };
    // A link (unpacked asynchronously), then a JSON document (read at
    // once): the document was sent last, so it stays.
    let linked = a_different_design();
    let mut smaller = starter();
    let operator = smaller.nodes[1].id.clone();
    smaller.remove_node(&operator);
    send(json!(design::share::encode(&linked, "status-dashboard", 1)));
    send(serde_json::from_str(&design::format::to_json(&smaller)).unwrap());
    assert!(until(|| app.count("g.node") == 3).await);
    outlast_the_reading_of(&design::share::encode(&linked, "status-dashboard", 1)).await;
    settle().await;
    assert_eq!(
        app.count("g.node"),
        3,
        "the link read later did not replace it"
    );
    drop(app);
    playground::forget_autosave_of(&slot);
    set_address("");
}

#[wasm_bindgen_test]
async fn read_only_embeds_refuse_edits() {
    playground::forget_autosave();
    set_address("?embed=1&readonly=1");
    let app = mount().await;
    assert!(
        !app.has("[data-action=\"undo\"]"),
        "no undo button when nothing can change"
    );
    let api = app.node("api");
    drag(
        &api,
        centre(&api),
        Point {
            x: centre(&api).x + 100.0,
            y: centre(&api).y,
        },
        &app.canvas(),
        false,
    )
    .await;
    assert_eq!(
        api.get_attribute("transform").as_deref(),
        Some("translate(320 224)")
    );
    key("Delete", false, false).await;
    assert_eq!(app.count("g.node"), 4);
    set_address("");
}
