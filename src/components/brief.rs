//! The left panel: the kata's brief (collapsible) and the palette.

use leptos::prelude::*;
use sim::kata::Kata;

use crate::components::palette::Palette;
use crate::state::EditorState;

/// The brief (context, constraints, outcomes) and the node palette.
#[component]
pub fn BriefPanel(
    /// The kata whose brief is shown.
    kata: Kata,
    /// The editor the palette adds to.
    state: EditorState,
) -> impl IntoView {
    view! {
        <aside class="side-panel brief" aria-label="Brief and palette">
            <details class="brief-text" open>
                <summary><h2>"Brief"</h2></summary>
                <p class="meta">{format!("{} · about {} minutes", kata.difficulty, kata.minutes)}</p>
                {kata.brief.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
                <h3>"Constraints"</h3>
                <ul>{kata.constraints.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                <h3>"You will practise"</h3>
                <ul>{kata.outcomes.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            </details>
            <Palette state=state />
        </aside>
    }
}
