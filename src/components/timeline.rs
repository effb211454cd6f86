//! The bottom region: the run timeline and charts (later) and the four
//! scenario cards, shown as "not run yet" until the simulator is wired in.

use leptos::prelude::*;
use sim::kata::ScenarioInfo;

/// The timeline and the scenario cards.
#[component]
pub fn Timeline(
    /// The kata's scenarios, one card each.
    scenarios: Vec<ScenarioInfo>,
) -> impl IntoView {
    view! {
        <section class="bottom-region" aria-label="Run and results">
            <div class="timeline placeholder" aria-label="Timeline">
                <h2>"Timeline"</h2>
                <p>"Playback and charts of requests, latency, errors, staleness and cost: arrive with the simulator."</p>
            </div>
            <ul class="scenario-cards" aria-label="Scenarios">
                {scenarios
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li class="scenario-card not-run" data-scenario=s.id>
                                <h3>{s.name}</h3>
                                <p class="passes">{s.passes}</p>
                                <p class="status">"Not run yet"</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="sr-only" aria-live="polite"></div>
        </section>
    }
}
