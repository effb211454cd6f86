//! Small DOM helpers shared by the components: coordinates, event targets
//! and focus.

use design::Point;
use wasm_bindgen::JsCast;

/// The element's top-left corner in client coordinates and its size.
pub fn client_rect(element: &web_sys::Element) -> (Point, f64, f64) {
    let r = element.get_bounding_client_rect();
    (
        Point {
            x: r.left(),
            y: r.top(),
        },
        r.width(),
        r.height(),
    )
}

/// A client point (`clientX`, `clientY`) in the element's screen space
/// (CSS pixels from its top-left corner).
pub fn point_in_element(element: &web_sys::Element, client_x: f64, client_y: f64) -> Point {
    let (corner, _, _) = client_rect(element);
    Point {
        x: client_x - corner.x,
        y: client_y - corner.y,
    }
}

/// The closest element at or above the event target carrying `attribute`,
/// and that attribute's value.
pub fn closest_with(target: Option<web_sys::EventTarget>, attribute: &str) -> Option<String> {
    let element = target?.dyn_into::<web_sys::Element>().ok()?;
    let found = element.closest(&format!("[{attribute}]")).ok()??;
    found.get_attribute(attribute)
}

/// The value of `attribute` on the element under a client point (or an
/// ancestor of it).
pub fn attribute_at_point(client_x: f64, client_y: f64, attribute: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let element = document.element_from_point(client_x as f32, client_y as f32)?;
    closest_with(Some(element.into()), attribute)
}

/// Whether a key event comes from a button, link or disclosure, where
/// Enter activates what has the focus.
pub fn is_control_target(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("button, a[href], summary").ok().flatten())
        .is_some()
}

/// Whether the element with the focus matches `selector`.
pub fn is_focused(selector: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|e| e.matches(selector).unwrap_or(false))
}

/// Whether a key event comes from a canvas node (or inside one).
pub fn is_node_target(target: Option<web_sys::EventTarget>) -> bool {
    closest_with(target, "data-node").is_some()
}

/// Moves keyboard focus to the canvas node `id` (its `[data-node]`
/// element). Compared as an attribute, not put into a selector, since an
/// id may hold any character but spaces.
pub fn focus_node(id: &str) {
    let Some(nodes) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("[data-node]").ok())
    else {
        return;
    };
    let found = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::SvgElement>().ok())
        .find(|e| e.get_attribute("data-node").as_deref() == Some(id));
    if let Some(element) = found {
        let _ = element.focus();
    }
}

/// Whether a key event comes from a text field, where keys mean text.
pub fn is_typing_target(target: Option<web_sys::EventTarget>) -> bool {
    let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    matches!(
        element.tag_name().to_ascii_lowercase().as_str(),
        "input" | "textarea" | "select"
    ) || element.has_attribute("contenteditable")
}

/// Moves keyboard focus to the first element matching `selector`, an
/// HTML or an SVG element (canvas nodes are SVG).
pub fn focus_first(selector: &str) {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
    else {
        return;
    };
    let _ = match element.dyn_into::<web_sys::HtmlElement>() {
        Ok(html) => html.focus(),
        Err(other) => match other.dyn_into::<web_sys::SvgElement>() {
            Ok(svg) => svg.focus(),
            Err(_) => Ok(()),
        },
    };
}

/// Scrolls the first element that matches one of `selectors`, tried in
/// order, into view, the least distance that shows it.
pub fn scroll_into_view(selectors: &[&str]) {
    let document = web_sys::window().and_then(|w| w.document());
    let found = selectors.iter().find_map(|selector| {
        document
            .as_ref()
            .and_then(|d| d.query_selector(selector).ok().flatten())
    });
    if let Some(element) = found {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Calls a function whenever an element changes size (a `ResizeObserver`);
/// stops when dropped.
pub struct ResizeWatch {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl ResizeWatch {
    /// Watches `element`, calling `on_resize` after each change of its
    /// size (and once when watching starts). `None` if the browser has no
    /// `ResizeObserver`.
    pub fn new(element: &web_sys::Element, on_resize: impl Fn() + 'static) -> Option<Self> {
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(on_resize);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(element);
        Some(ResizeWatch {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Runs `f` once the page's thread is idle (after pending input, frames
/// and messages), or after `max_wait_ms` at the latest. Where the browser
/// has no `requestIdleCallback` (Safari), `f` runs in the next task.
pub fn when_idle(max_wait_ms: u32, f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let callback: &js_sys::Function = callback.unchecked_ref();
    let idle = wasm_bindgen::JsValue::from_str("requestIdleCallback");
    if js_sys::Reflect::has(&window, &idle).unwrap_or(false) {
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(max_wait_ms);
        if window
            .request_idle_callback_with_options(callback, &options)
            .is_ok()
        {
            return;
        }
    }
    let _ = window.set_timeout_with_callback(callback);
}
