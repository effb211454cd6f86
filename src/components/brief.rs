//! The left panel: the kata's brief and, later, the node palette.

use leptos::prelude::*;
use sim::kata::Kata;

/// The brief (context, constraints, outcomes) and the palette's place.
#[component]
pub fn BriefPanel(
    /// The kata whose brief is shown.
    kata: Kata,
) -> impl IntoView {
    view! {
        <aside class="side-panel brief" aria-label="Brief">
            <section>
                <h2>"Brief"</h2>
                <p class="meta">{format!("{} · about {} minutes", kata.difficulty, kata.minutes)}</p>
                {kata.brief.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            </section>
            <section>
                <h3>"Constraints"</h3>
                <ul>{kata.constraints.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            </section>
            <section>
                <h3>"You will practise"</h3>
                <ul>{kata.outcomes.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            </section>
            <section class="placeholder" aria-label="Palette">
                <h3>"Palette"</h3>
                <p>"Node palette: arrives with the diagram editor."</p>
            </section>
        </aside>
    }
}
