//! The grading worker: trunk builds this binary for a Web Worker
//! (`data-type="worker"` in index.html). It runs the engine, so the page's
//! own wasm does not carry it and the page never freezes while it runs.

fn main() {
    console_error_panic_hook::set_once();
    playground::grading::worker::serve();
}
