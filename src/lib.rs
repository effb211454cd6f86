//! The playground app: Leptos components over the `design`, `editor` and
//! `sim` crates.
//!
//! The app is a thin wrapper: it owns the screen (layout, drawing, turning
//! browser events into editor commands) and nothing else. Designs,
//! geometry, editing and simulation are plain Rust in the crates beside it,
//! tested natively.

mod actions;
mod app;
pub mod built_in;
mod components;
mod dom;
pub mod embed;
mod files;
pub mod grading;
pub mod json;
pub mod later;
pub mod layout;
pub mod link;
pub mod page;
mod run;
mod state;
mod storage;

pub use app::{App, KATA};

/// Mounts the app on `<body>`; called once by the binary's `main`.
///
/// The page starts over several tasks. This one already holds the wasm's
/// instantiation; the next two read the kata and the starting design
/// (`app::prepare_opening`), the first of them having started the
/// download of the page's later part (`later::start_download`); the one
/// after runs the app's setup (see `App` for the rest). V8 compiles each
/// wasm function the first time it runs, on this thread: instantiating,
/// reading and building in one task made opening one long task.
pub fn start() {
    console_error_panic_hook::set_once();
    gloo_timers::callback::Timeout::new(0, || {
        // The page's later part is needed once the canvas is drawn (its
        // buttons, the brief, the first grade): its download starts at
        // the end of this task (its future is first polled then), two
        // tasks before the app that waits for it mounts.
        later::start_download();
        app::prepare_opening(|| leptos::mount::mount_to_body(App));
    })
    .forget();
}

/// Reads the share link in the page's address (if any) for the next app
/// a test mounts: the site reads its link as it starts (`start`), but an
/// app mounted directly opens as if the address had no link unless this
/// ran first.
pub async fn read_link_for_next_app() {
    app::prepare_link().await;
}

/// The app with grading on the page's own thread instead of a worker:
/// for the browser tests, which have no built worker to load.
pub fn app_grading_in_page() -> impl leptos::IntoView {
    leptos::prelude::provide_context(grading::transport::in_page());
    App()
}

/// The app on the kata `kata` (given as data, not built in), grading on
/// the page's own thread: for the browser tests of a kata added as data.
pub fn app_on_kata_grading_in_page(kata: grading::protocol::KataData) -> impl leptos::IntoView {
    leptos::prelude::provide_context(app::GivenKata::read(kata));
    app_grading_in_page()
}

/// Forgets the autosaved design of the kata `kata` and its backups.
pub fn forget_autosave_of(kata: &str) {
    storage::forget(kata);
}

/// Forgets the autosaved design and its backups, so a test can start
/// from the starter.
pub fn forget_autosave() {
    storage::forget(KATA);
}

/// The keys of the backups of unreadable autosaves, oldest first.
pub fn autosave_backups() -> Vec<String> {
    storage::backups(KATA)
}

/// The autosave slot an embed uses (see `docs/embed.md`).
pub fn embed_slot(explicit: Option<&str>, link: Option<&str>) -> String {
    storage::embed_slot(&app::embed_base(KATA), explicit, link)
}
