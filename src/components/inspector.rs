//! The right panel, where the selected node's parameters will be edited.

use leptos::prelude::*;

/// The inspector region; empty until the editor lands.
#[component]
pub fn Inspector() -> impl IntoView {
    view! {
        <aside class="side-panel inspector placeholder" aria-label="Inspector">
            <h2>"Inspector"</h2>
            <p>"Node parameters: arrive with the diagram editor."</p>
        </aside>
    }
}
