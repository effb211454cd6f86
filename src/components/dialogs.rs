//! Modal dialogs: the confirmation before replacing the design, and the
//! keyboard shortcuts help.

use leptos::prelude::*;

use crate::state::EditorState;

/// Which replacement of the whole design is waiting for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Start again from the kata's starter design.
    WithStarter,
    /// Start from an empty canvas.
    WithEmpty,
}

/// The confirmation dialog for "New from starter" and "Clear".
#[component]
pub fn ConfirmReplace(
    /// The editor.
    state: EditorState,
    /// The pending replacement; the dialog shows while it is `Some`.
    pending: RwSignal<Option<Replace>>,
    /// The kata's starter design.
    starter: design::Design,
) -> impl IntoView {
    let starter = StoredValue::new(starter);
    let confirm = move |_| {
        if let Some(which) = pending.get_untracked() {
            let design = match which {
                Replace::WithStarter => starter.get_value(),
                Replace::WithEmpty => design::Design::default(),
            };
            state.apply(|e| e.replace_design(design));
            state.fit_to_view();
            state.notify("Design replaced. Undo brings yours back.");
        }
        pending.set(None);
    };
    move || {
        pending.get().map(|which| {
            let (title, body, yes) = match which {
                Replace::WithStarter => (
                    "Start again from the starter design?",
                    "Your current design is replaced by the kata's starter. You can undo this.",
                    "Start from the starter",
                ),
                Replace::WithEmpty => (
                    "Clear the canvas?",
                    "Every node and connection is removed. You can undo this.",
                    "Clear the canvas",
                ),
            };
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
                        <h2 id="confirm-title">{title}</h2>
                        <p>{body}</p>
                        <div class="dialog-buttons">
                            <button type="button" class="button" on:click=move |_| pending.set(None) autofocus>"Cancel"</button>
                            <button type="button" class="button primary" data-confirm="yes" on:click=confirm>{yes}</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// The keyboard shortcuts overlay.
#[component]
pub fn ShortcutsHelp(
    /// Whether it is shown.
    open: RwSignal<bool>,
) -> impl IntoView {
    move || {
        open.get().then(|| {
            let rows = editor::SHORTCUTS
                .iter()
                .map(|(keys, what)| view! { <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{*what}</td></tr> })
                .collect_view();
            view! {
                <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" on:click=|ev| ev.stop_propagation()>
                        <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                        <table class="shortcuts">{rows}</table>
                        <p class="muted">"Drag on empty canvas to pan; Shift-drag to select with a box; wheel or pinch to zoom."</p>
                        <div class="dialog-buttons">
                            <button type="button" class="button primary" on:click=move |_| open.set(false)>"Close"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
