//! The top bar: product and kata title, then Watch (plays the graded
//! incident), undo/redo, the Design menu (new, clear, import, export),
//! sharing (copy link, embed) and the shortcuts help. On a phone the
//! sharing buttons and the help move into the menu, so every action stays
//! in reach at 320 px. A read-only page says so and shows only what cannot
//! edit.

use design::geometry;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::dialogs::Replace;
use crate::components::share::{copy_link, ShareDialog};
use crate::files;
use crate::run::RunState;
use crate::state::EditorState;

/// What the top bar's buttons act on.
#[derive(Clone, Copy)]
pub struct TopBarContext {
    /// The editor.
    pub state: EditorState,
    /// Grade and playback (the Run button).
    pub run: RunState,
    /// Set to ask before replacing the design.
    pub replace: RwSignal<Option<Replace>>,
    /// Whether the shortcuts help is open.
    pub help: RwSignal<bool>,
    /// The sharing dialog.
    pub share: RwSignal<Option<ShareDialog>>,
    /// The kata's id (links and file names).
    pub kata: &'static str,
    /// The seed shared with the design.
    pub seed: RwSignal<u64>,
    /// Whether edits are refused (read-only embed).
    pub readonly: bool,
}

/// The bar across the top of the page.
#[component]
pub fn TopBar(
    /// The kata's title.
    title: String,
    /// What the graded run plays ("the incident"), from the kata.
    event: String,
    /// What the buttons act on.
    context: TopBarContext,
) -> impl IntoView {
    let TopBarContext {
        state,
        run,
        replace,
        help,
        share,
        kata,
        seed,
        readonly,
    } = context;
    let file_input = NodeRef::<leptos::html::Input>::new();

    let export_json = move |_| {
        let text = state.with_editor(|e| design::format::to_json_pretty(e.design()));
        report(
            state,
            files::download_text(&text, &format!("{kata}-design.json"), "application/json"),
        );
    };
    let export_svg = move |_| {
        let svg = state.with_editor(|e| editor::export::to_svg(e.design()));
        report(
            state,
            files::download_text(&svg, &format!("{kata}-diagram.svg"), "image/svg+xml"),
        );
    };
    let export_png = move |_| {
        let (svg, size) = state.with_editor(|e| {
            let frame = geometry::bounds(e.design()).map_or((384.0, 224.0), |b| {
                let b = b.inflate(32.0);
                (b.width, b.height)
            });
            (editor::export::to_svg(e.design()), frame)
        });
        leptos::task::spawn_local(async move {
            let name = format!("{kata}-diagram.png");
            report(
                state,
                files::download_png(&svg, size.0, size.1, 2.0, &name).await,
            );
        });
    };
    let import = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match files::read_chosen_file(&input).await {
                Ok((name, text)) => match crate::json::parse_design(&text) {
                    Ok(parsed) => {
                        let notes = parsed.diagnostics.len();
                        state.apply(|e| e.replace_design(parsed.design));
                        state.fit_to_view();
                        if notes == 0 {
                            state.notify(format!(
                                "Imported {name}. Undo brings your previous design back."
                            ));
                        } else {
                            state.notify_lasting(format!(
                                "Imported {name} with {} Undo brings your previous design back.",
                                design::corrections(&parsed.diagnostics)
                            ));
                        }
                    }
                    Err(error) => state.notify_lasting(format!(
                        "{name} was not imported: {error}. Your design is unchanged."
                    )),
                },
                Err(error) => state.notify_lasting(error),
            }
            input.set_value(""); // choosing the same file again imports again
        });
    };

    view! {
        <header class="top-bar">
            {title_of_page(title, readonly)}
            <nav class="toolbar" aria-label="Editing">
                // Grading happens on every edit; this plays the graded
                // run on the canvas and charts, minute by minute.
                <button type="button" class="button primary" data-action="run"
                    title=format!("Your design is graded after every edit. This plays {event} on the canvas and charts, minute by minute.")
                    on:click=move |_| run.watch_first()>
                    <span aria-hidden="true">"▶ "</span>"Watch"<span class="run-more">{format!(" {event}")}</span>
                </button>
                <Show when=move || !readonly>
                    <button type="button" class="button" title="Undo (Ctrl/⌘ Z)" aria-label="Undo" data-action="undo"
                        prop:disabled=move || !state.can_undo.get()
                        on:click=move |_| { state.apply(|e| e.undo()); }>
                        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 0 12h-3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" /></svg>
                        <span class="label">"Undo"</span>
                    </button>
                    <button type="button" class="button" title="Redo (Shift Ctrl/⌘ Z)" aria-label="Redo" data-action="redo"
                        prop:disabled=move || !state.can_redo.get()
                        on:click=move |_| { state.apply(|e| e.redo()); }>
                        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M15 14l5-5-5-5 M20 9H10a6 6 0 0 0 0 12h3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" /></svg>
                        <span class="label">"Redo"</span>
                    </button>
                </Show>
                <details class="menu">
                    <summary class="button" data-action="design-menu">"Design"</summary>
                    <div class="menu-items" role="menu">
                        <Show when=move || !readonly>
                            <button type="button" role="menuitem" data-action="starter" on:click=move |ev| { close_menu(&ev); replace.set(Some(Replace::WithStarter)); }>"New from starter…"</button>
                            <button type="button" role="menuitem" data-action="clear" on:click=move |ev| { close_menu(&ev); replace.set(Some(Replace::WithEmpty)); }>"Clear…"</button>
                            <button type="button" role="menuitem" data-action="import" on:click=move |ev| {
                                close_menu(&ev);
                                if let Some(input) = file_input.get_untracked() { input.click(); }
                            }>"Import JSON…"</button>
                        </Show>
                        <button type="button" role="menuitem" data-action="export-json" on:click=move |ev| { close_menu(&ev); export_json(ev); }>"Export JSON"</button>
                        <button type="button" role="menuitem" data-action="export-svg" on:click=move |ev| { close_menu(&ev); export_svg(ev); }>"Export SVG"</button>
                        <button type="button" role="menuitem" data-action="export-png" on:click=move |ev| { close_menu(&ev); export_png(ev); }>"Export PNG"</button>
                        // A phone has no room for these in the bar itself.
                        <button type="button" role="menuitem" class="narrow-only" data-action="copy-link" on:click=move |ev| { close_menu(&ev); copy_link(state, share, kata, seed.get_untracked()); }>"Copy link"</button>
                        <button type="button" role="menuitem" class="narrow-only" data-action="embed" on:click=move |ev| { close_menu(&ev); share.set(Some(ShareDialog::Embed)); }>"Embed…"</button>
                        <button type="button" role="menuitem" class="narrow-only" data-action="help" on:click=move |ev| { close_menu(&ev); help.set(true); }>"Keyboard shortcuts"</button>
                    </div>
                </details>
                <input node_ref=file_input type="file" accept=".json,application/json" class="sr-only" tabindex="-1" aria-hidden="true" on:change=import />
                <button type="button" class="button wide-only" data-action="copy-link" title="Copy a link that holds the whole design"
                    on:click=move |_| copy_link(state, share, kata, seed.get_untracked())>
                    "Copy link"
                </button>
                <button type="button" class="button wide-only" data-action="embed" on:click=move |_| share.set(Some(ShareDialog::Embed))>"Embed"</button>
                <button type="button" class="button wide-only" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-action="help" on:click=move |_| help.update(|h| *h = !*h)>"?"</button>
            </nav>
        </header>
    }
}

/// The top bar's frame: the product, the kata's title and the read-only
/// badge, without the buttons. The page shows it until its later part
/// (which holds [`TopBar`]) comes; the bar's row has a fixed height, so
/// the buttons fill in without moving anything.
#[component]
pub fn TopBarFrame(
    /// The kata's title.
    title: String,
    /// Whether edits are refused (read-only embed).
    readonly: bool,
) -> impl IntoView {
    view! { <header class="top-bar">{title_of_page(title, readonly)}</header> }
}

/// The product, the kata's title (the page's heading) and the read-only
/// badge: the start of the top bar, with or without its buttons.
fn title_of_page(title: String, readonly: bool) -> impl IntoView {
    view! {
        <span class="brand" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="22" height="22">
                <path d="M4 17 L10 11 L14 15 L20 7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        </span>
        <span class="product">"Kata playground"</span>
        <span class="divider" aria-hidden="true">"/"</span>
        <h1 class="kata-title">{title}</h1>
        {readonly.then(|| view! {
            <span class="badge readonly-badge" title="This design is shown read-only: it can be watched, shared and exported, not edited">"Read-only"</span>
        })}
    }
}

/// Closes the `<details>` menu a menu item sits in.
fn close_menu(ev: &web_sys::MouseEvent) {
    let menu = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("details").ok().flatten());
    if let Some(menu) = menu {
        let _ = menu.remove_attribute("open");
    }
}

/// Shows a file operation's failure in words.
fn report(state: EditorState, result: Result<(), files::FileError>) {
    if let Err(error) = result {
        state.notify(format!("Export failed: {error}"));
    }
}
