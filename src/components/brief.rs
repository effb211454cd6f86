//! The left panel: two tabs, the kata's brief and the node palette. A
//! first visit opens on the brief; a returning learner (who has an
//! autosave) opens on the palette. A read-only page has no palette. The
//! panel is in the page's later part; until it comes the page shows
//! [`BriefFrame`].

use std::sync::Arc;

use leptos::prelude::*;
use sim::kata::Kata;

use crate::components::palette::Palette;
use crate::state::EditorState;

/// Which tab of the left panel is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftTab {
    /// The kata's brief.
    Brief,
    /// The node palette.
    Palette,
}

/// The brief (context, constraints, outcomes) and the node palette.
#[component]
pub fn BriefPanel(
    /// The kata whose brief is shown (shared with the page: the kata is
    /// large, and cloning it would keep its clone in the page's first
    /// download).
    kata: Arc<Kata>,
    /// The editor the palette adds to.
    state: EditorState,
    /// The tab shown first.
    initial: LeftTab,
    /// Whether the design is read-only: no palette, and no "Start
    /// building".
    readonly: bool,
    /// Called when the palette added a node in view.
    on_added: Callback<()>,
) -> impl IntoView {
    let tab = RwSignal::new(initial);
    // The palette is built the first time its tab is shown, and kept: on
    // opening, the brief is what shows, and building the palette's items
    // with it made that part of the page's build a long task.
    let palette_shown = Memo::new(move |shown: Option<&bool>| {
        shown.copied().unwrap_or(false) || tab.get() == LeftTab::Palette
    });
    let tab_button = move |which: LeftTab, label: &'static str, id: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                id=id
                class="tab"
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <aside class="side-panel brief" id="brief-panel" aria-label=panel_label(readonly)>
            <div class="tabs" role="tablist" aria-label="Left panel">
                {tab_button(LeftTab::Brief, "Brief", "tab-brief")}
                {(!readonly).then(|| tab_button(LeftTab::Palette, "Palette", "tab-palette"))}
            </div>
            <div role="tabpanel" aria-labelledby="tab-brief" class="brief-text" hidden=move || tab.get() != LeftTab::Brief>
                {opening(&kata.difficulty, kata.minutes, &kata.brief)}
                <details open>
                    <summary><h3>"Constraints"</h3></summary>
                    <ul>{kata.constraints.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                </details>
                <details open>
                    <summary><h3>"Scenarios you are graded on"</h3></summary>
                    <ul class="brief-scenarios">
                        {kata.scenarios.iter().map(|s| view! { <li><strong>{s.name.clone()}</strong>": "{s.passes.clone()}</li> }).collect_view()}
                    </ul>
                </details>
                <details open>
                    <summary><h3>"You will practise"</h3></summary>
                    <ul>{kata.outcomes.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}</ul>
                </details>
                {(!readonly).then(|| view! {
                    <button type="button" class="button primary start-building" on:click=move |_| tab.set(LeftTab::Palette)>
                        "Start building →"
                    </button>
                })}
            </div>
            {(!readonly).then(|| view! {
                <div role="tabpanel" aria-labelledby="tab-palette" hidden=move || tab.get() != LeftTab::Palette>
                    {move || palette_shown.get().then(|| view! { <Palette state=state on_added=on_added /> })}
                </div>
            })}
        </aside>
    }
}

/// The left panel's frame, which the page shows until its later part
/// (which holds [`BriefPanel`]) comes: the same region, with the brief's
/// paragraphs (the learner's task, which must be readable even if the
/// part cannot be downloaded) and a line on what is still to come.
#[component]
pub fn BriefFrame(
    /// The kata whose brief is shown (shared with the page).
    kata: Arc<Kata>,
    /// Whether the design is read-only (no palette).
    readonly: bool,
    /// Whether the later part could not be downloaded (the page tries
    /// again).
    missing: Signal<bool>,
) -> impl IntoView {
    let rest = if readonly {
        "The constraints and the scenarios"
    } else {
        "The constraints, the scenarios and the palette"
    };
    let to_come = move || {
        if missing.get() {
            format!(
                "{rest} come with the rest of the page, which could not be downloaded yet; \
                 the page tries again by itself."
            )
        } else {
            format!("{rest} are on their way.")
        }
    };
    view! {
        <aside class="side-panel brief" id="brief-panel" aria-label=panel_label(readonly)
            aria-busy=move || (!missing.get()).to_string()>
            <div class="brief-text">
                {opening(&kata.difficulty, kata.minutes, &kata.brief)}
                <p class="meta coming">{to_come}</p>
            </div>
        </aside>
    }
}

/// The left panel's name for assistive technology: a read-only page has
/// no palette.
fn panel_label(readonly: bool) -> &'static str {
    if readonly {
        "Brief"
    } else {
        "Brief and palette"
    }
}

/// The brief's opening, in the panel and in its frame: the kata's level
/// and length, then its paragraphs (the learner's task).
fn opening(difficulty: &str, minutes: u32, brief: &[String]) -> impl IntoView {
    view! {
        <p class="meta">{format!("{difficulty} · about {minutes} minutes")}</p>
        {brief.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
    }
}
