//! The top bar: product name and kata title. Run, undo/redo, share and embed
//! controls join it when they work; none is shown before.

use leptos::prelude::*;

/// The bar across the top of the page.
#[component]
pub fn TopBar(
    /// The kata's title.
    title: String,
) -> impl IntoView {
    view! {
        <header class="top-bar">
            <span class="brand" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="22" height="22">
                    <path d="M4 17 L10 11 L14 15 L20 7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />
                </svg>
            </span>
            <span class="product">"Kata playground"</span>
            <span class="divider" aria-hidden="true">"/"</span>
            <h1 class="kata-title">{title}</h1>
        </header>
    }
}
