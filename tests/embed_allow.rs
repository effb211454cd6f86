//! The embed's `?allow=` fails closed, and inbound messages are screened
//! before they are read: in headless Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use playground::embed::{self, Refused, MAX_INBOUND_CHARS};
use playground::page::{parse_origin, PageOptions};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn well_formed_origins_are_kept_as_the_browser_writes_them() {
    for (value, origin) in [
        ("https://course.example.org", "https://course.example.org"),
        ("https://course.example.org/", "https://course.example.org"),
        ("  http://localhost:8080 ", "http://localhost:8080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://127.0.0.1", "https://127.0.0.1"),
    ] {
        assert_eq!(parse_origin(value).as_deref(), Ok(origin), "{value}");
    }
}

#[wasm_bindgen_test]
fn malformed_origins_are_refused_with_a_reason() {
    for (value, words) in [
        ("HTTP://course.example.org", "lower case"),
        ("https://Course.example.org", "lower case"),
        ("*", "wildcard"),
        ("null", "opaque origin"),
        ("course.example.org", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        (
            "https://course.example.org/lesson/1",
            "only the scheme, host and port",
        ),
        (
            "https://user@course.example.org",
            "only the scheme, host and port",
        ),
        ("https://", "host"),
        ("https://course.example.org:99999", "port"),
        ("https://course.example.org:http", "port"),
        ("https://course_example.org", "cannot have"),
        ("https://course.example.org:443", "default port"),
        ("http://course.example.org:80", "default port"),
        ("https://course.example.org:08080", "leading zeros"),
        ("https://course.example.org:0", "leading zeros"),
        ("https://course..example.org", "empty host label"),
        ("https://-course.example.org", "hyphen"),
        ("https://[evil]", "IPv6"),
        ("https://[::ABCD]", "IPv6"),
        ("", "empty"),
    ] {
        let err = parse_origin(value).expect_err(value);
        assert!(err.to_string().contains(words), "{value}: {err}");
        assert!(err.to_string().contains(&format!("“{}”", value)), "{err}");
    }
}

#[wasm_bindgen_test]
fn a_malformed_allow_posts_nothing_and_accepts_nothing() {
    for search in [
        "?embed=1&allow=HTTP://course.example.org",
        "?embed=1&allow=*",
        "?embed=1&allow=null",
        "?embed=1&allow=https://course.example.org,https://x.example/path",
    ] {
        let o = PageOptions::parse(search, "");
        assert!(!o.allow_errors.is_empty(), "{search}");
        assert!(o.post_targets().is_empty(), "{search}: nothing is posted");
        assert!(!o.allows("https://course.example.org"), "{search}");
    }
    // Well formed: each allowed origin is a target; none listed: any.
    let o = PageOptions::parse("?allow=https://a.example,https://b.example", "");
    assert_eq!(
        o.post_targets(),
        vec!["https://a.example", "https://b.example"]
    );
    assert_eq!(PageOptions::parse("?embed=1", "").post_targets(), vec!["*"]);
}

fn message(origin: &str, data: &JsValue) -> web_sys::MessageEvent {
    let init = web_sys::MessageEventInit::new();
    init.set_origin(origin);
    init.set_data(data);
    web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap()
}

fn load_design(design: &str) -> JsValue {
    let data = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&data, &JsValue::from_str(k), &v).unwrap();
    set("source", JsValue::from_str(embed::SOURCE));
    set("v", JsValue::from_f64(1.0));
    set("type", JsValue::from_str("load-design"));
    set("design", JsValue::from_str(design));
    data.into()
}

#[wasm_bindgen_test]
fn inbound_messages_are_screened_before_they_are_read() {
    let o = PageOptions::parse("?allow=https://course.example", "");
    let huge = "x".repeat(64 * 1024 * 1024);
    let big = load_design(&huge);
    // A stranger's 64 MB message: refused by its origin, never copied.
    let clock = web_sys::window().unwrap().performance().unwrap();
    let started = clock.now();
    assert_eq!(
        embed::screen_inbound(&o, &message("https://evil.example", &big)),
        Err(Refused::Origin("https://evil.example".into()))
    );
    let took = clock.now() - started;
    // From the allowed origin: refused by its size, before parsing.
    assert_eq!(
        embed::screen_inbound(&o, &message("https://course.example", &big)),
        Err(Refused::TooLarge(huge.len()))
    );
    assert!(huge.len() > MAX_INBOUND_CHARS);
    // Another script's message: not ours, silently.
    assert_eq!(
        embed::screen_inbound(
            &o,
            &message("https://course.example", &JsValue::from_str("hi"))
        ),
        Err(Refused::NotOurs)
    );
    // A small one from the allowed origin is read.
    let ok = embed::screen_inbound(&o, &message("https://course.example", &load_design("d1.x")))
        .expect("read");
    assert_eq!(ok["design"], "d1.x");
    // A malformed allow accepts nothing, even from a listed origin.
    let bad = PageOptions::parse("?allow=https://course.example,*", "");
    assert_eq!(
        embed::screen_inbound(
            &bad,
            &message("https://course.example", &load_design("d1.x"))
        ),
        Err(Refused::BadAllow)
    );
    // Reported, not asserted (the machine is shared): the stranger's
    // message cost a property read.
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "screening a 64 MB message from a stranger took {took:.1} ms"
    )));
}

#[wasm_bindgen_test]
async fn a_malformed_allow_is_told_to_the_course_author_on_the_page() {
    playground::forget_autosave();
    set_address("?embed=1&allow=HTTP://course.example.org");
    let app = mount().await;
    settle().await;
    let notice = app.find(".notice").text_content().unwrap_or_default();
    assert!(notice.contains("?allow= is malformed"), "{notice}");
    assert!(notice.contains("lower case"), "{notice}");
    set_address("");
}

#[wasm_bindgen_test]
async fn notices_about_input_stay_together_and_under_passing_ones() {
    playground::forget_autosave();
    // Two things said at startup: a link from a newer version (the starter
    // is shown instead) and a malformed `?allow=`.
    set_address("?embed=1&allow=HTTP://course.example.org#d9.AAAA");
    let app = mount().await;
    settle().await;
    let lasting = || app.count(".notice.lasting");
    assert_eq!(lasting(), 2, "{}", app.notice());
    assert!(
        app.notice().to_lowercase().contains("newer"),
        "{}",
        app.notice()
    );
    assert!(
        app.notice().contains("?allow= is malformed"),
        "{}",
        app.notice()
    );
    // A passing notice comes after them and takes neither's place; their
    // words stay the same elements (so they are not announced again).
    let first_words = app.find(".notice.lasting span");
    app.focus_node("db").await;
    key_on(&app.node("db"), "c", false, false).await;
    key_on(&app.node("db"), "Escape", false, false).await;
    assert_eq!(lasting(), 2, "{}", app.notice());
    assert!(
        app.notice().ends_with("Connection cancelled."),
        "{}",
        app.notice()
    );
    assert!(first_words.is_same_node(Some(&app.find(".notice.lasting span"))));
    // Dismissing one leaves the other.
    app.find(".notice.lasting .notice-dismiss")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(lasting(), 1, "{}", app.notice());
    assert!(
        app.notice().contains("?allow= is malformed"),
        "{}",
        app.notice()
    );
    assert!(
        !app.notice().to_lowercase().contains("newer"),
        "{}",
        app.notice()
    );
    // The one left, now first, is dismissed by its own button.
    app.find(".notice.lasting .notice-dismiss")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(lasting(), 0, "{}", app.notice());
    set_address("");
}

#[wasm_bindgen_test]
fn a_message_of_unknown_type_is_named_in_quotes_on_one_line() {
    let o = PageOptions::parse("?allow=https://course.example", "");
    let data = serde_json::json!({
        "source": embed::SOURCE, "v": 1, "type": "say \"hi\"\nthen", "design": "d1.x"
    });
    let refused = embed::read_inbound(&o, "https://course.example", &data)
        .expect_err("an unknown type is refused");
    assert_eq!(refused, Refused::Unknown("say \"hi\"\nthen".into()));
    assert_eq!(
        refused.to_string(),
        r#"ignored a playground message of unknown type "say \"hi\"\nthen""#
    );
}
