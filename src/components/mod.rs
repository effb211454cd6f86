//! The page's regions and their parts, one component module each.

pub mod autosave;
pub mod brief;
pub mod canvas;
pub mod charts;
pub mod connections;
pub mod dialogs;
pub mod edge;
pub mod inspector;
pub mod minimap;
pub mod node;
pub mod node_run;
pub mod notice;
pub mod palette;
pub mod results;
pub mod share;
pub mod timeline_controls;
pub mod top_bar;

use leptos::prelude::*;

/// A flag that turns true in the task after this one, for a view whose
/// heavier part comes a moment after the rest: each wasm function is
/// compiled on the page's thread the first time it runs, so building
/// both at once made one long task. Made in a view, it goes with that
/// view (and never turns true if the view is gone by then).
pub fn true_next_task() -> ReadSignal<bool> {
    let due = RwSignal::new(false);
    set_timeout(
        move || {
            let _ = due.try_set(true);
        },
        std::time::Duration::ZERO,
    );
    due.read_only()
}
