//! The keyboard's actions (`editor::keymap` says which key is which):
//! what each does to the editor and the page. They belong to the page's
//! later part (`later::Later::run_action`), with the editing code only
//! they reach (copy and paste, duplicating, keyboard connections); the
//! app's key listener hands each action over, at once when the part is
//! there, or when it comes.

use editor::{Action, Step};
use leptos::prelude::*;

use crate::components::dialogs::Replace;
use crate::components::share::ShareDialog;
use crate::dom;
use crate::state::EditorState;

/// What the keyboard's actions act on: the editor and the page's dialogs.
#[derive(Clone, Copy)]
pub struct KeyTargets {
    /// The editor.
    pub state: EditorState,
    /// The question asked before the design is replaced, if open.
    pub replace: RwSignal<Option<Replace>>,
    /// Whether the shortcuts help is open.
    pub help: RwSignal<bool>,
    /// The sharing dialog, if open.
    pub share: RwSignal<Option<ShareDialog>>,
}

/// Carries out a keyboard action; true if the key was used. While a
/// dialog is open only Escape and ? act: they close it. Dialogs are
/// looked at when the action runs, which for a key pressed before the
/// later part came is when it comes. A page that is gone (a key that
/// waited for the part past an unmount) does nothing.
pub fn run(targets: KeyTargets, action: Action) -> bool {
    let KeyTargets {
        state,
        replace,
        help,
        share,
    } = targets;
    if state.is_gone() {
        return false;
    }
    if replace.get_untracked().is_some() || help.get_untracked() || share.get_untracked().is_some()
    {
        if action == Action::Cancel || action == Action::ToggleHelp {
            replace.set(None);
            help.set(false);
            share.set(None);
            return true;
        }
        return false;
    }
    act(state, action, help)
}

/// Carries out a keyboard action with no dialog open; true if the key
/// was used.
fn act(state: EditorState, action: Action, help: RwSignal<bool>) -> bool {
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
            let connecting = state.with_editor(|e| e.keyboard_connection().is_some());
            state.apply(|e| e.cancel());
            if connecting {
                state.notify("Connection cancelled.");
            }
            true
        }
        Action::Connect => {
            match state.apply(|e| e.start_keyboard_connection()) {
                // The source keeps the focus while the question is asked
                // (Tab must not carry it away); the prompt is announced by
                // the canvas's live region.
                Ok(_) => {
                    if let Some(from) = state.selection.with_untracked(|s| s.single_node().cloned())
                    {
                        dom::focus_node(from.as_str());
                    }
                }
                Err(error) => state.notify(format!("Cannot connect: {error}.")),
            }
            true
        }
        Action::ConnectTarget(step) => {
            let current = state.with_editor(|e| e.keyboard_connection().map(|(_, to)| to.clone()));
            let moved = state.apply(|e| e.choose_connection_target(step));
            if let (None, Step::Toward(direction), Some(current)) = (moved, step, current) {
                state.notify(state.with_editor(|e| {
                    editor::connect::nothing_toward(e.design(), &current, direction)
                }));
            }
            true
        }
        Action::ConnectConfirm => {
            let Some((from, to)) = state.with_editor(|e| {
                e.keyboard_connection()
                    .map(|(from, to)| (from.clone(), to.clone()))
            }) else {
                return false;
            };
            let result = state.apply(|e| e.finish_keyboard_connection());
            state.notify(
                state.with_editor(|e| editor::connect::outcome(e.design(), &from, &to, &result)),
            );
            true
        }
        Action::Nudge { dx, dy } => state.apply(|e| e.nudge(dx, dy)),
        Action::Inspect => {
            let has_node = state
                .selection
                .with_untracked(|s| s.single_node().is_some());
            if has_node {
                // Focus now when the inspector is showing; one just
                // unfolded is drawn after this handler, so try again then.
                dom::focus_first(".inspector #field-label");
                gloo_timers::callback::Timeout::new(0, || {
                    if !dom::is_focused("#field-label") {
                        dom::focus_first(".inspector #field-label");
                    }
                })
                .forget();
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
