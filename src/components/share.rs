//! Sharing: "Copy link" (the whole design in the URL hash), the embed
//! snippet dialog, and the question asked when a link's design differs from
//! the autosaved one.

use design::Design;
use leptos::prelude::*;

use crate::files;
use crate::state::EditorState;

/// The address of this page without its hash (where links point).
pub fn page_address() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Which sharing dialog is open.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareDialog {
    /// The link, shown for copying by hand (the clipboard was refused).
    Link(String),
    /// The embed snippet.
    Embed,
    /// A link's design differs from the autosave: which to keep? (With
    /// the link's seed, used only if the link's design is opened.)
    LinkOrAutosave(Box<Design>, u64),
}

/// Copies the share link of the design on screen and confirms it, or
/// shows it for copying by hand when the browser refuses the clipboard.
/// The top bar's "Copy link" calls it; both are in the page's later part,
/// with the compressor that writes the link's share string.
pub fn copy_link(
    state: EditorState,
    dialog: RwSignal<Option<ShareDialog>>,
    kata: &'static str,
    seed: u64,
) {
    let code = state.with_editor(|e| design::share::encode(e.design(), kata, seed));
    let link = format!("{}#{code}", page_address());
    leptos::task::spawn_local(async move {
        let copied = files::copy_to_clipboard(&link).await;
        // The clipboard's answer may come after the page is gone (the
        // dialog goes with it).
        if dialog.is_disposed() {
            return;
        }
        match copied {
            Ok(()) => state.notify(format!(
                "Link copied: {} characters, the whole design.",
                link.chars().count()
            )),
            Err(_) => dialog.set(Some(ShareDialog::Link(link))),
        }
    });
}

/// The iframe snippet that embeds this design.
pub fn embed_snippet(
    state: EditorState,
    kata: &str,
    seed: u64,
    title: &str,
    readonly: bool,
) -> String {
    let code = state.with_editor(|e| design::share::encode(e.design(), kata, seed));
    let query = if readonly {
        "?embed=1&readonly=1"
    } else {
        "?embed=1"
    };
    format!(
        "<iframe src=\"{}{query}#{code}\" title=\"{}\" width=\"100%\" height=\"640\" style=\"border:0\" allow=\"clipboard-write\" loading=\"lazy\"></iframe>",
        page_address(),
        title.replace('"', "&quot;")
    )
}

/// The sharing dialogs.
#[component]
pub fn ShareDialogs(
    /// The editor.
    state: EditorState,
    /// The open dialog, if any.
    dialog: RwSignal<Option<ShareDialog>>,
    /// The kata's id.
    kata: &'static str,
    /// The kata's title (for the iframe's accessible name).
    title: String,
    /// The seed shared with the design.
    seed: RwSignal<u64>,
) -> impl IntoView {
    let readonly = RwSignal::new(false);
    let title = StoredValue::new(title);
    let close = move |_| dialog.set(None);
    move || {
        dialog.get().map(|which| match which {
            ShareDialog::Link(link) => view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="link-title">
                        <h2 id="link-title">"Share this design"</h2>
                        <p>"The browser did not let the page copy. Select the link and copy it:"</p>
                        <input class="copy-field" type="text" readonly prop:value=link on:focus=select_all />
                        <div class="dialog-buttons">
                            <button type="button" class="button primary" on:click=close>"Done"</button>
                        </div>
                    </div>
                </div>
            }
            .into_any(),
            ShareDialog::Embed => {
                let snippet = move || embed_snippet(state, kata, seed.get(), &title.get_value(), readonly.get());
                view! {
                    <div class="dialog-backdrop">
                        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="embed-title">
                            <h2 id="embed-title">"Embed in a course page"</h2>
                            <p>"Paste this into your page. The playground reports the learner's grade to the page (see the embed guide)."</p>
                            <textarea class="copy-field snippet" readonly rows="5" prop:value=snippet on:focus=select_all_area></textarea>
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=move || readonly.get()
                                    on:change=move |ev| readonly.set(event_target_checked(&ev)) />
                                " Read-only (learners can look and run, not edit)"
                            </label>
                            <div class="dialog-buttons">
                                <button type="button" class="button" on:click=move |_| {
                                    let text = snippet();
                                    leptos::task::spawn_local(async move {
                                        match files::copy_to_clipboard(&text).await {
                                            Ok(()) => state.notify("Embed snippet copied."),
                                            Err(e) => state.notify(e),
                                        }
                                    });
                                }>"Copy snippet"</button>
                                <button type="button" class="button primary" on:click=close>"Done"</button>
                            </div>
                        </div>
                    </div>
                }
                .into_any()
            }
            ShareDialog::LinkOrAutosave(linked, link_seed) => {
                let linked = StoredValue::new(*linked);
                view! {
                    <div class="dialog-backdrop">
                        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="conflict-title">
                            <h2 id="conflict-title">"Open the linked design?"</h2>
                            <p>"This link holds a design that differs from the one you were working on. Your work is kept either way: opening the link can be undone."</p>
                            <div class="dialog-buttons">
                                <button type="button" class="button" data-choice="keep" on:click=move |_| {
                                    dialog.set(None);
                                    state.notify("Kept your design; the link was not opened.");
                                }>"Keep my design"</button>
                                <button type="button" class="button primary" data-choice="link" on:click=move |_| {
                                    state.apply(|e| e.replace_design(linked.get_value()));
                                    seed.set(link_seed);
                                    state.fit_to_view();
                                    dialog.set(None);
                                    state.notify("Opened the linked design. Undo brings yours back.");
                                }>"Open the link's design"</button>
                            </div>
                        </div>
                    </div>
                }
                .into_any()
            }
        })
    }
}

fn select_all(ev: web_sys::FocusEvent) {
    use wasm_bindgen::JsCast;
    if let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}

fn select_all_area(ev: web_sys::FocusEvent) {
    use wasm_bindgen::JsCast;
    if let Some(area) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    {
        area.select();
    }
}
