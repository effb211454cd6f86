//! The root component: loads the kata and the autosaved design, wires the
//! keyboard and autosave, and lays out the regions of the page.

use editor::{action_for, Action, KeyPress};
use leptos::prelude::*;

use crate::components::{
    brief::{BriefPanel, LeftTab},
    canvas::Canvas,
    dialogs::{ConfirmReplace, Replace, ShortcutsHelp},
    inspector::Inspector,
    notice::NoticeArea,
    timeline::Timeline,
    top_bar::TopBar,
};
use crate::dom;
use crate::state::EditorState;
use crate::storage;

/// The kata this build opens.
pub const KATA: &str = "status-dashboard";

/// The whole page: top bar, brief and palette, canvas, inspector, timeline.
#[component]
pub fn App() -> impl IntoView {
    // The kata is fixed for the page's lifetime, so it is plain data, not a
    // signal; a load failure is shown in words instead of the editor.
    let kata = match sim::kata::load(KATA) {
        Ok(kata) => kata,
        Err(error) => {
            return view! {
                <div class="app-error" role="alert">
                    <h1>"The playground could not start"</h1>
                    <p>{error.to_string()}</p>
                </div>
            }
            .into_any()
        }
    };

    // The autosave wins over the starter: a reload must lose nothing.
    let (design, restore_note, returning) = match storage::restore(KATA) {
        Ok(Some((design, notes))) if notes.is_empty() => (design, None, true),
        Ok(Some((design, notes))) => (
            design,
            Some(format!(
                "Your autosaved design was restored with {} correction(s): {}",
                notes.len(),
                notes
                    .iter()
                    .map(|n| n.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            true,
        ),
        Ok(None) => (kata.starter.clone(), None, false),
        Err(error) => (kata.starter.clone(), Some(error.to_string()), false),
    };
    let state = EditorState::new(design);
    if let Some(note) = restore_note {
        state.notify(note);
    }

    // Autosave whenever the design settles (after each edit, not each drag
    // step). The first run only records the starting point.
    Effect::new(move |previous: Option<u64>| {
        let revision = state.saved_revision.get();
        if previous.is_some_and(|p| p != revision)
            && !state.with_editor(|e| storage::save(KATA, e.design()))
        {
            state.notify("Autosave failed: this browser is not letting the page store data.");
        }
        revision
    });

    let replace = RwSignal::new(None::<Replace>);
    // On a phone only one pane shows at a time; wider screens ignore it.
    let pane = RwSignal::new(Pane::Canvas);
    let on_long_press = Callback::new(move |()| pane.set(Pane::Inspector));
    let help = RwSignal::new(false);

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || dom::is_typing_target(ev.target()) {
            return;
        }
        let press = KeyPress {
            key: ev.key(),
            command: ev.ctrl_key() || ev.meta_key(),
            shift: ev.shift_key(),
        };
        let Some(action) = action_for(&press) else {
            return;
        };
        if replace.get_untracked().is_some() || help.get_untracked() {
            if action == Action::Cancel || action == Action::ToggleHelp {
                replace.set(None);
                help.set(false);
                ev.prevent_default();
            }
            return;
        }
        let handled = run_action(state, action, help);
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());

    let starter = kata.starter.clone();
    view! {
        <div class="app" data-pane=move || pane.get().key()>
            <TopBar title=kata.title.clone() state=state replace=replace help=help />
            <BriefPanel
                kata=kata.clone()
                state=state
                initial=if returning { LeftTab::Palette } else { LeftTab::Brief }
                on_added=Callback::new(move |()| pane.set(Pane::Canvas))
            />
            <main class="canvas-region" aria-label="Design canvas">
                <Canvas state=state on_long_press=on_long_press />
                <NoticeArea state=state />
            </main>
            <Inspector state=state />
            <Timeline scenarios=kata.scenarios.clone() />
            <PaneTabs pane=pane />
            <ConfirmReplace state=state pending=replace starter=starter />
            <ShortcutsHelp open=help />
        </div>
    }
    .into_any()
}

/// The pane a phone shows (DESIGN: on a narrow screen the panels become
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
    const ALL: [(Pane, &'static str); 4] = [
        (Pane::Panel, "Brief & palette"),
        (Pane::Canvas, "Canvas"),
        (Pane::Inspector, "Inspector"),
        (Pane::Results, "Results"),
    ];

    fn key(self) -> &'static str {
        match self {
            Pane::Panel => "panel",
            Pane::Canvas => "canvas",
            Pane::Inspector => "inspector",
            Pane::Results => "results",
        }
    }
}

/// The tab bar a phone shows at the bottom; hidden on wider screens.
#[component]
fn PaneTabs(pane: RwSignal<Pane>) -> impl IntoView {
    view! {
        <nav class="pane-tabs" role="tablist" aria-label="Panels">
            {Pane::ALL
                .into_iter()
                .map(|(which, label)| {
                    view! {
                        <button
                            type="button"
                            role="tab"
                            data-pane-tab=which.key()
                            aria-selected=move || (pane.get() == which).to_string()
                            on:click=move |_| pane.set(which)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Carries out a keyboard action; true if the key was used.
fn run_action(state: EditorState, action: Action, help: RwSignal<bool>) -> bool {
    match action {
        Action::Undo => state.apply(|e| e.undo()),
        Action::Redo => state.apply(|e| e.redo()),
        Action::Delete => state.apply(|e| e.delete_selection()),
        Action::Duplicate => state.apply(|e| e.duplicate_selection()),
        Action::Copy => state.apply(|e| e.copy()),
        Action::Paste => state.apply(|e| e.paste()),
        Action::SelectAll => {
            state.apply(|e| e.select_all());
            true
        }
        Action::Cancel => {
            state.apply(|e| e.cancel());
            true
        }
        Action::Nudge { dx, dy } => state.apply(|e| e.nudge(dx, dy)),
        Action::Inspect => {
            let has_node = state
                .selection
                .with_untracked(|s| s.single_node().is_some());
            if has_node {
                dom::focus_first(".inspector #field-label");
            }
            has_node
        }
        Action::ToggleHelp => {
            help.update(|h| *h = !*h);
            true
        }
        Action::ZoomIn => {
            state.zoom_centre(1.25);
            true
        }
        Action::ZoomOut => {
            state.zoom_centre(0.8);
            true
        }
        Action::FitView => {
            state.fit_to_view();
            true
        }
    }
}
