//! How the page's regions share the screen: on a phone one pane at a time
//! (chosen with a tab bar), on wider screens side panels that fold away so
//! the canvas gets the room.

use leptos::prelude::*;

/// Below this window width (CSS pixels) the inspector starts folded, and
/// opens when a node is selected: a 1,024-px window otherwise leaves the
/// canvas 424 px wide.
pub const ROOMY_WIDTH: f64 = 1100.0;

/// The pane a phone shows (on a narrow screen the panels become
/// tabs over the canvas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Brief and palette.
    Panel,
    /// The canvas.
    Canvas,
    /// The inspector.
    Inspector,
    /// Timeline and scenario results.
    Results,
}

impl Pane {
    const ALL: [Pane; 4] = [Pane::Panel, Pane::Canvas, Pane::Inspector, Pane::Results];

    /// The pane's name in `data-pane` (and the CSS that reads it).
    pub fn key(self) -> &'static str {
        match self {
            Pane::Panel => "panel",
            Pane::Canvas => "canvas",
            Pane::Inspector => "inspector",
            Pane::Results => "results",
        }
    }

    /// The pane's name on its tab (a read-only page has no palette).
    pub fn label(self, readonly: bool) -> &'static str {
        match self {
            Pane::Panel if readonly => "Brief",
            Pane::Panel => "Brief & palette",
            Pane::Canvas => "Canvas",
            Pane::Inspector => "Inspector",
            Pane::Results => "Results",
        }
    }
}

/// Whether a side panel shows, and who folded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// The panel shows.
    Open,
    /// Folded by the page because the window is narrow: selecting a node
    /// opens the inspector again.
    FoldedForRoom,
    /// Folded by the learner: it stays folded until they open it.
    FoldedByLearner,
}

impl Fold {
    /// How a panel starts: open when there is room for it.
    pub fn initial(roomy: bool) -> Self {
        if roomy {
            Fold::Open
        } else {
            Fold::FoldedForRoom
        }
    }

    /// Whether the panel shows.
    pub fn is_open(self) -> bool {
        self == Fold::Open
    }

    /// The learner pressed the panel's fold button.
    pub fn toggled(self) -> Self {
        if self.is_open() {
            Fold::FoldedByLearner
        } else {
            Fold::Open
        }
    }

    /// A node was selected: the inspector opens unless the learner folded
    /// it themselves.
    pub fn on_selection(self) -> Self {
        match self {
            Fold::FoldedForRoom => Fold::Open,
            other => other,
        }
    }
}

/// Whether the window is wide enough for both side panels.
pub fn window_is_roomy() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_none_or(|w| w >= ROOMY_WIDTH)
}

/// The tab bar a phone shows at the bottom; hidden on wider screens.
#[component]
pub fn PaneTabs(
    /// The pane showing.
    pane: RwSignal<Pane>,
    /// Whether the design is read-only (its first tab has no palette).
    readonly: bool,
) -> impl IntoView {
    view! {
        <nav class="pane-tabs" role="tablist" aria-label="Panels">
            {Pane::ALL
                .into_iter()
                .map(|which| {
                    view! {
                        <button
                            type="button"
                            role="tab"
                            data-pane-tab=which.key()
                            aria-selected=move || (pane.get() == which).to_string()
                            on:click=move |_| pane.set(which)
                        >
                            {which.label(readonly)}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// The button on the canvas's edge that folds or opens a side panel.
#[component]
pub fn FoldButton(
    /// The panel's fold state.
    fold: RwSignal<Fold>,
    /// The panel's name ("brief", "inspector").
    name: &'static str,
    /// The id of the panel's element (`aria-controls`).
    controls: &'static str,
    /// Which edge of the canvas it sits on.
    side: &'static str,
) -> impl IntoView {
    // The arrow points where the panel will go: towards the edge to fold
    // it, away from it to open it.
    let arrow = move || match (side, fold.get().is_open()) {
        ("left", true) | ("right", false) => "‹",
        _ => "›",
    };
    let words = move || {
        if fold.get().is_open() {
            format!("Hide the {name}")
        } else {
            format!("Show the {name}")
        }
    };
    view! {
        <button
            type="button"
            class=format!("icon-button fold-button fold-{side}")
            data-fold=name
            aria-controls=controls
            aria-expanded=move || fold.get().is_open().to_string()
            aria-label=words
            title=words
            on:click=move |_| fold.update(|f| *f = f.toggled())
        >
            <span aria-hidden="true">{arrow}</span>
        </button>
    }
}
