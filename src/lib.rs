//! The playground app: Leptos components over the `design` and `sim` crates.
//!
//! The app is a thin wrapper: it owns the screen (layout, canvas drawing,
//! interaction) and nothing else. Designs, geometry and simulation are plain
//! Rust in the `design` and `sim` crates, tested natively.

mod app;
mod components;
mod icons;

pub use app::App;

/// Mounts the app on `<body>`; called once by the binary's `main`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
