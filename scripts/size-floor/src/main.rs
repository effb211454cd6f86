//! A page with only Leptos and an SVG canvas of nodes that can be
//! selected, built the way the playground's page is built; with the
//! `json` feature it reads its nodes with serde_json, and with the others
//! (Cargo.toml) it also reads what the playground reads before it draws.

use leptos::prelude::*;

#[derive(Clone, Debug, serde::Deserialize)]
struct Node {
    id: String,
    x: f64,
    y: f64,
    kind: String,
}

#[component]
fn Canvas(nodes: RwSignal<Vec<Node>>) -> impl IntoView {
    let selected = RwSignal::new(None::<String>);
    view! {
        <svg viewBox="0 0 800 600" role="img" aria-label="canvas">
            <For each=move || nodes.get() key=|n| n.id.clone() let:n>
                {
                    let id = n.id.clone();
                    let id2 = n.id.clone();
                    view! {
                        <g
                            transform=format!("translate({} {})", n.x, n.y)
                            class:selected=move || selected.get().as_deref() == Some(id.as_str())
                            on:pointerdown=move |_| selected.set(Some(id2.clone()))
                        >
                            <rect width="120" height="48" rx="6"></rect>
                            <text x="8" y="28">{n.kind.clone()}</text>
                        </g>
                    }
                }
            </For>
        </svg>
        <p>{move || selected.get().unwrap_or_default()}</p>
    }
}

/// What the playground reads before it draws, as the features ask: the
/// number of things read, so that nothing is optimised away.
#[allow(unused_variables, unused_mut)]
fn open(text: &str) -> usize {
    let mut read = 0;
    #[cfg(feature = "kata")]
    {
        read += sim::kata::load("status-dashboard").map_or(0, |k| k.scenarios.len());
    }
    #[cfg(feature = "link")]
    {
        read += design::share::decode(text).map_or(0, |s| s.design.nodes.len());
    }
    #[cfg(all(feature = "document", not(feature = "lints")))]
    {
        read += design::format::parse(text).map_or(0, |p| p.design.nodes.len());
    }
    #[cfg(feature = "lints")]
    {
        read += design::format::parse(text).map_or(0, |p| design::lint(&p.design).len());
    }
    read
}

fn main() {
    console_error_panic_hook::set_once();
    let hash = window().location().hash().unwrap_or_default();
    let read = open(&hash);
    if read > 0 {
        leptos::logging::log!("{read}");
    }
    #[cfg(feature = "json")]
    let nodes: Vec<Node> = serde_json::from_str(&hash).unwrap_or_default();
    #[cfg(not(feature = "json"))]
    let nodes = vec![Node {
        id: hash,
        x: 1.0,
        y: 2.0,
        kind: "cdn".into(),
    }];
    let nodes = RwSignal::new(nodes);
    mount_to_body(move || view! { <Canvas nodes /> });
}
