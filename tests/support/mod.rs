//! Shared helpers of the browser tests: mount the app with its stylesheet,
//! dispatch real DOM pointer, keyboard and wheel events, and read back the
//! design the app autosaved.
#![allow(dead_code)]

use design::{format, Design, NodeId, Point};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The localStorage slot the app autosaves to.
pub const AUTOSAVE: &str = "kata-playground/status-dashboard/design";

/// A mounted app; unmounts (and removes its listeners) on drop.
pub struct Mounted {
    /// The element the app is mounted in.
    pub host: HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.take();
        self.host.remove();
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Puts the app's stylesheets on the page once, so layout is real: the
/// page's, and its later part's, which the part adds itself as it comes
/// (a test may mount one of its components without it).
fn ensure_style() {
    let doc = document();
    if doc.get_element_by_id("app-style").is_none() {
        let style = doc.create_element("style").unwrap();
        style.set_id("app-style");
        style.set_text_content(Some(concat!(
            include_str!("../../style/main.css"),
            include_str!("../../style/later.css")
        )));
        doc.head().unwrap().append_child(&style).unwrap();
        doc.body()
            .unwrap()
            .set_attribute("style", "margin:0")
            .unwrap();
    }
}

/// Mounts the app on a clean slate (no autosave), then lets effects run.
pub async fn mount_fresh() -> Mounted {
    playground::forget_autosave();
    mount().await
}

/// Mounts the app with whatever is in localStorage.
pub async fn mount() -> Mounted {
    ensure_style();
    // A test that failed never unmounted its app: clear it off the page so
    // this one is laid out at the top of the window.
    let leftovers = document().query_selector_all(".test-host").unwrap();
    for i in 0..leftovers.length() {
        if let Some(node) = leftovers.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    host.set_class_name("test-host");
    document().body().unwrap().append_child(&host).unwrap();
    // The browser unpacks a link in the address before the app opens it,
    // as the site does.
    playground::read_link_for_next_app().await;
    let handle = leptos::mount::mount_to(host.clone(), playground::app_grading_in_page);
    let mounted = Mounted {
        host,
        handle: Some(Box::new(handle)),
    };
    until_built(&mounted.host).await;
    settle().await;
    mounted
}

/// Waits (up to 5 s) until the app in `host` has built every part (it
/// builds them over several tasks, which a debug build takes a while to
/// run), or has said that it could not start.
pub async fn until_built(host: &Element) {
    for _ in 0..500 {
        if host
            .query_selector(".bottom-region, .app-error")
            .unwrap()
            .is_some()
        {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("the app was never built:\n{}", host.inner_html());
}

/// Sets the page's query and hash without reloading (what `?embed=1`,
/// `?allow=` and a `#d2.…` link look like to the app when it mounts).
pub fn set_address(search_and_hash: &str) {
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search_and_hash}")),
        )
        .unwrap();
}

/// Waits (up to 2 s) until `ready` holds; whether it does.
pub async fn until(mut ready: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if ready() {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    ready()
}

/// Lets timers, effects and rendering catch up.
pub async fn settle() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

/// Stores a design as the autosave, as if the learner had made it earlier.
pub fn set_autosave(text: &str) {
    storage().set_item(AUTOSAVE, text).unwrap();
}

/// Stores a design as the autosave.
pub fn save_design(design: &Design) {
    set_autosave(&format::to_json(design));
}

/// Reads a localStorage slot.
pub fn stored(key: &str) -> Option<String> {
    storage().get_item(key).unwrap()
}

/// The design the app last autosaved.
pub fn saved_design() -> Design {
    let text = stored(AUTOSAVE).expect("the app autosaved");
    format::parse(&text).expect("the autosave parses").design
}

impl Mounted {
    /// Clicks the dialog's choice `choice` (its `data-choice`), then lets
    /// the app catch up.
    pub async fn choose(&self, choice: &str) {
        let button: HtmlElement = self
            .find(&format!("[data-choice=\"{choice}\"]"))
            .unchecked_into();
        button.click();
        settle().await;
    }

    /// Waits (up to 5 s) until the canvas has drawn `nodes` nodes and
    /// `edges` connections: a big design is drawn a chunk per task.
    pub async fn wait_until_drawn(&self, nodes: u32, edges: u32) {
        for _ in 0..250 {
            if self.count("g.node") == nodes && self.count("g.edge-group") == edges {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        assert_eq!(
            (self.count("g.node"), self.count("g.edge-group")),
            (nodes, edges),
            "the canvas drew the whole design"
        );
    }

    /// The first element matching `selector` inside the app.
    pub fn find(&self, selector: &str) -> Element {
        self.host
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    /// Whether something matches `selector`.
    pub fn has(&self, selector: &str) -> bool {
        self.host.query_selector(selector).unwrap().is_some()
    }

    /// How many elements match `selector`.
    pub fn count(&self, selector: &str) -> u32 {
        self.host.query_selector_all(selector).unwrap().length()
    }

    /// Switches the left panel to the palette tab.
    pub async fn open_palette(&self) {
        self.find("#tab-palette")
            .unchecked_into::<HtmlElement>()
            .click();
        settle().await;
    }

    /// The canvas `<svg>`.
    pub fn canvas(&self) -> Element {
        self.find("svg.canvas")
    }

    /// A node's `<g>` element.
    pub fn node(&self, id: &str) -> Element {
        self.find(&format!("[data-node=\"{id}\"]"))
    }

    /// Focuses a node's element (as Tab would) and lets the page react.
    pub async fn focus_node(&self, id: &str) {
        let node: HtmlElement = self.node(id).unchecked_into();
        node.focus().unwrap();
        settle().await;
    }

    /// What the notice area says now.
    pub fn notice(&self) -> String {
        self.find(".notice-area").text_content().unwrap_or_default()
    }

    /// The current zoom, read off the viewport transform.
    pub fn zoom(&self) -> f64 {
        let t = self.find("g.viewport").get_attribute("transform").unwrap();
        t.trim_start_matches("scale(")
            .split(')')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The whole text of the app.
    pub fn text(&self) -> String {
        self.host.text_content().unwrap_or_default()
    }
}

/// The centre of an element in client coordinates.
pub fn centre(element: &Element) -> Point {
    let r = element.get_bounding_client_rect();
    Point {
        x: r.left() + r.width() / 2.0,
        y: r.top() + r.height() / 2.0,
    }
}

/// The client point at a fraction of an element's box.
pub fn at_fraction(element: &Element, fx: f64, fy: f64) -> Point {
    let r = element.get_bounding_client_rect();
    Point {
        x: r.left() + r.width() * fx,
        y: r.top() + r.height() * fy,
    }
}

/// Dispatches a pointer event of `pointer_type` ("mouse", "touch") for
/// pointer `id` (the first touch, id 11, is the primary one).
pub fn pointer_of(
    pointer_type: &str,
    id: i32,
    kind: &str,
    target: &Element,
    at: Point,
    shift: bool,
) {
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_client_x(at.x.round() as i32);
    init.set_client_y(at.y.round() as i32);
    init.set_pointer_id(id);
    init.set_pointer_type(pointer_type);
    init.set_is_primary(id == 1 || id == 11);
    init.set_button(if kind == "pointermove" { -1 } else { 0 });
    init.set_buttons(if kind == "pointerup" { 0 } else { 1 });
    init.set_shift_key(shift);
    let event = web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Dispatches a mouse-type pointer event.
pub fn pointer(kind: &str, target: &Element, at: Point, shift: bool) {
    pointer_of("mouse", 1, kind, target, at, shift);
}

/// Dispatches a touch-type pointer event for finger `id`.
pub fn touch(kind: &str, target: &Element, id: i32, at: Point) {
    pointer_of("touch", id, kind, target, at, false);
}

/// A press on `target`, a few moves on `canvas` towards `to`, and a release.
pub async fn drag(target: &Element, from: Point, to: Point, canvas: &Element, shift: bool) {
    pointer("pointerdown", target, from, shift);
    for step in 1..=4 {
        let f = f64::from(step) / 4.0;
        let p = Point {
            x: from.x + (to.x - from.x) * f,
            y: from.y + (to.y - from.y) * f,
        };
        pointer("pointermove", canvas, p, shift);
    }
    pointer("pointerup", canvas, to, shift);
    settle().await;
}

/// A click made of pointer events (press and release in place).
pub async fn tap(target: &Element) {
    let at = centre(target);
    pointer("pointerdown", target, at, false);
    pointer("pointerup", target, at, false);
    settle().await;
}

/// Dispatches a key press on `target` (bubbling to the window).
pub async fn key_on(target: &Element, key: &str, command: bool, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_key(key);
    init.set_ctrl_key(command);
    init.set_shift_key(shift);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
    settle().await;
}

/// A key press on the page body.
pub async fn key(key: &str, command: bool, shift: bool) {
    let body: Element = document().body().unwrap().into();
    key_on(&body, key, command, shift).await;
}

/// Sets an input's value and fires `change`, as typing and leaving does.
pub async fn type_into(input: &Element, text: &str) {
    let input: web_sys::HtmlInputElement = input.clone().unchecked_into();
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    settle().await;
}

/// A node's position in a design.
pub fn position(design: &Design, id: &str) -> Point {
    design
        .node(&NodeId::from(id))
        .expect("node exists")
        .position
}
