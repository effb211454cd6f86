//! The dialogs that stand between the learner's work and an overwrite:
//! an autosave that could be neither read nor copied aside, and a save
//! made by another tab (or embed) of the same slot. Either way nothing is
//! written until the learner chooses.

use leptos::prelude::*;

use crate::files;
use crate::state::EditorState;
use crate::storage::Autosave;

/// Which autosave question is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutosaveDialog {
    /// The autosave is unreadable and could not be copied aside.
    Unreadable,
    /// Another tab saved a different design in this slot.
    ChangedElsewhere,
}

/// The open autosave question, if any.
#[component]
pub fn AutosaveDialogs(
    /// The editor.
    state: EditorState,
    /// This page's autosave.
    autosave: StoredValue<Autosave>,
    /// The open question.
    dialog: RwSignal<Option<AutosaveDialog>>,
) -> impl IntoView {
    // Both choices that keep this page's design write it explicitly.
    let keep_mine = move |_| {
        let saved = state.with_editor(|e| autosave.try_update_value(|a| a.overwrite(e.design())));
        dialog.set(None);
        match saved {
            Some(Ok(())) => state.notify("Kept this tab's design; autosave goes on."),
            _ => state
                .notify("This tab's design could not be saved: the browser refused to store it."),
        }
    };
    move || {
        dialog.get().map(|which| match which {
            AutosaveDialog::Unreadable => view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="unreadable-title">
                        <h2 id="unreadable-title">"Your autosave could not be read"</h2>
                        <p>"It could not be copied aside either (the browser's storage is full), so it is left as it was and nothing is autosaved until you choose. Download it to keep it, then start afresh."</p>
                        <div class="dialog-buttons">
                            <button type="button" class="button" data-choice="download-unreadable" on:click=move |_| {
                                let text = autosave.with_value(Autosave::current_text).unwrap_or_default();
                                match files::download_text(&text, "unreadable-autosave.json", "application/json") {
                                    Ok(()) => state.notify("Downloaded the unreadable autosave. Autosave stays paused until you discard it."),
                                    Err(e) => state.notify(e.to_string()),
                                }
                            }>"Download it"</button>
                            <button type="button" class="button" data-choice="keep-paused" on:click=move |_| {
                                dialog.set(None);
                                state.notify("Autosave is paused: your unreadable autosave is left as it was.");
                            }>"Leave it, don't autosave"</button>
                            <button type="button" class="button" data-choice="discard-unreadable" on:click=keep_mine>
                                "Discard it and autosave"
                            </button>
                        </div>
                    </div>
                </div>
            }
            .into_any(),
            AutosaveDialog::ChangedElsewhere => view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="elsewhere-title">
                        <h2 id="elsewhere-title">"This design was changed in another tab"</h2>
                        <p>"Another tab (or another embed on this page) saved a different design in the same place. Nothing was overwritten. Which one do you want to keep working on?"</p>
                        <div class="dialog-buttons">
                            <button type="button" class="button" data-choice="keep-mine" on:click=keep_mine>
                                "Keep this tab's design"
                            </button>
                            <button type="button" class="button primary" data-choice="load-other" on:click=move |_| {
                                let other = autosave.with_value(Autosave::other_design);
                                dialog.set(None);
                                match other {
                                    Some(design) => {
                                        state.apply(|e| e.replace_design(design));
                                        state.fit_to_view();
                                        autosave.update_value(Autosave::resume);
                                        state.notify("Opened the other tab's design. Undo brings this tab's back.");
                                    }
                                    // Unreadable here, or gone: this tab's design
                                    // is written, so autosave does not stay paused.
                                    None => {
                                        let saved = state.with_editor(|e| {
                                            autosave.try_update_value(|a| a.overwrite(e.design()))
                                        });
                                        state.notify(match saved {
                                            Some(Ok(())) => "The other tab's design could not be read; this tab's is kept and saved.",
                                            _ => "The other tab's design could not be read, and this tab's could not be saved: the browser refused to store it.",
                                        });
                                    }
                                }
                            }>"Open the other tab's design"</button>
                        </div>
                    </div>
                </div>
            }
            .into_any(),
        })
    }
}
