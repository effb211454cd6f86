//! The root component: loads the kata and lays out the regions of the page.

use leptos::prelude::*;

use crate::components::{
    brief::BriefPanel, canvas::Canvas, inspector::Inspector, timeline::Timeline, top_bar::TopBar,
};

/// The whole page: top bar, brief and palette, canvas, inspector, timeline.
#[component]
pub fn App() -> impl IntoView {
    // The kata is fixed for the page's lifetime, so it is plain data, not a
    // signal; a load failure is shown in words instead of the editor.
    match sim::kata::load("status-dashboard") {
        Ok(kata) => {
            let starter = kata.starter.clone();
            view! {
                <div class="app">
                    <TopBar title=kata.title.clone() />
                    <BriefPanel kata=kata.clone() />
                    <main class="canvas-region" aria-label="Design canvas">
                        <Canvas design=starter />
                    </main>
                    <Inspector />
                    <Timeline scenarios=kata.scenarios.clone() />
                </div>
            }
            .into_any()
        }
        Err(error) => view! {
            <div class="app-error" role="alert">
                <h1>"The playground could not start"</h1>
                <p>{error.to_string()}</p>
            </div>
        }
        .into_any(),
    }
}
