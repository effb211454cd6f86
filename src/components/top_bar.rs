//! The top bar: product and kata title, then the editing controls that
//! work today (undo, redo, new from starter, clear, shortcuts). Run, share
//! and embed join when they work.

use leptos::prelude::*;

use crate::components::dialogs::Replace;
use crate::state::EditorState;

/// The bar across the top of the page.
#[component]
pub fn TopBar(
    /// The kata's title.
    title: String,
    /// The editor.
    state: EditorState,
    /// Set to ask for confirmation before replacing the design.
    replace: RwSignal<Option<Replace>>,
    /// Whether the shortcuts help is open.
    help: RwSignal<bool>,
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
            <nav class="toolbar" aria-label="Editing">
                <button type="button" class="button" title="Undo (Ctrl/⌘ Z)" data-action="undo"
                    prop:disabled=move || !state.can_undo.get()
                    on:click=move |_| { state.apply(|e| e.undo()); }>
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 0 12h-3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" /></svg>
                    "Undo"
                </button>
                <button type="button" class="button" title="Redo (Shift Ctrl/⌘ Z)" data-action="redo"
                    prop:disabled=move || !state.can_redo.get()
                    on:click=move |_| { state.apply(|e| e.redo()); }>
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M15 14l5-5-5-5 M20 9H10a6 6 0 0 0 0 12h3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" /></svg>
                    "Redo"
                </button>
                <span class="toolbar-gap" />
                <button type="button" class="button" data-action="starter" on:click=move |_| replace.set(Some(Replace::WithStarter))>"New from starter"</button>
                <button type="button" class="button" data-action="clear" on:click=move |_| replace.set(Some(Replace::WithEmpty))>"Clear"</button>
                <button type="button" class="button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-action="help" on:click=move |_| help.update(|h| *h = !*h)>"?"</button>
            </nav>
        </header>
    }
}
