//! Grading off the page's thread: the engine runs in a Web Worker.
//!
//! - [`protocol`]: the requests and answers, and their wire form.
//! - [`service`]: the worker's loop (latest request wins; fixes tested a
//!   grade per turn so a newer request supersedes them).
//! - [`helpers`]: helper workers the grading worker starts on machines
//!   with idle cores, each grading one candidate fix at a time.
//! - [`transport`]: how the page reaches the service (a worker on the
//!   site, the page itself in browser tests).
//! - [`worker`]: the worker binary's entry point.
//!
//! Invariant: the page's binary (`src/main.rs`) never calls the engine;
//! only the worker binary does, so the page's wasm stays small.

pub mod helpers;
pub mod protocol;
pub mod service;
pub mod transport;
pub mod worker;

/// Milliseconds on this thread's clock, the page's or the worker's (both
/// have `performance` on their global scope).
pub fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
