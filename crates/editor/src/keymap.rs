//! The keyboard map: which key does what. The app turns a browser
//! `KeyboardEvent` into a [`KeyPress`] and acts on the [`Action`]: while a
//! keyboard connection is under way the keys mean something else
//! ([`action_while_connecting`]), otherwise [`action_for`].

use crate::connect::{Direction, Step};

/// A key press, as the browser reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPress {
    /// `KeyboardEvent.key`: "z", "Delete", "ArrowLeft", "Escape"…
    pub key: String,
    /// Ctrl on Windows and Linux, Cmd on macOS.
    pub command: bool,
    /// Shift held.
    pub shift: bool,
}

/// What a key press asks the editor to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Delete the selection.
    Delete,
    /// Duplicate the selection.
    Duplicate,
    /// Copy the selection to the app's clipboard.
    Copy,
    /// Paste the app's clipboard.
    Paste,
    /// Select every node.
    SelectAll,
    /// Cancel the gesture under way, or clear the selection.
    Cancel,
    /// Move the selection by this many grid steps.
    Nudge {
        /// Steps right (negative: left).
        dx: i32,
        /// Steps down (negative: up).
        dy: i32,
    },
    /// Open the inspector on the focused node.
    Inspect,
    /// Show or hide the shortcuts help.
    ToggleHelp,
    /// Zoom in around the view's centre.
    ZoomIn,
    /// Zoom out around the view's centre.
    ZoomOut,
    /// Fit the whole design into view.
    FitView,
    /// Start connecting the selected node to another, by keyboard.
    Connect,
    /// Choose another target for the keyboard connection.
    ConnectTarget(Step),
    /// Make the keyboard connection to the chosen target.
    ConnectConfirm,
}

/// One row of the shortcuts help: the keys and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl/⌘ Z", "Undo"),
    ("Shift Ctrl/⌘ Z, Ctrl Y", "Redo"),
    ("Delete, Backspace", "Delete the selection"),
    ("Ctrl/⌘ D", "Duplicate the selection"),
    ("Ctrl/⌘ C, Ctrl/⌘ V", "Copy, paste"),
    ("Ctrl/⌘ A", "Select all nodes"),
    ("Tab, Shift Tab", "Move between nodes"),
    ("Arrows (Shift: ×4)", "Move the selected nodes"),
    ("Enter", "Open the inspector"),
    (
        "C",
        "Connect the selected node: Tab or arrows choose the target, Enter connects, Escape cancels",
    ),
    ("Escape", "Cancel a drag or connection; clear the selection"),
    ("+, −, 0", "Zoom in, zoom out, fit to view"),
    ("?", "Show or hide this help"),
];

/// The action a key press asks for, if any.
pub fn action_for(press: &KeyPress) -> Option<Action> {
    let step = if press.shift { 4 } else { 1 };
    let key = press.key.as_str();
    if press.command {
        return match key.to_ascii_lowercase().as_str() {
            "z" if press.shift => Some(Action::Redo),
            "z" => Some(Action::Undo),
            "y" => Some(Action::Redo),
            "d" => Some(Action::Duplicate),
            "c" => Some(Action::Copy),
            "v" => Some(Action::Paste),
            "a" => Some(Action::SelectAll),
            _ => None,
        };
    }
    match key {
        "Delete" | "Backspace" => Some(Action::Delete),
        "Escape" => Some(Action::Cancel),
        "ArrowLeft" => Some(Action::Nudge { dx: -step, dy: 0 }),
        "ArrowRight" => Some(Action::Nudge { dx: step, dy: 0 }),
        "ArrowUp" => Some(Action::Nudge { dx: 0, dy: -step }),
        "ArrowDown" => Some(Action::Nudge { dx: 0, dy: step }),
        "Enter" => Some(Action::Inspect),
        "?" => Some(Action::ToggleHelp),
        "+" | "=" => Some(Action::ZoomIn),
        "-" => Some(Action::ZoomOut),
        "0" => Some(Action::FitView),
        "c" | "C" => Some(Action::Connect),
        _ => None,
    }
}

/// The action a key press asks for while a keyboard connection is under
/// way: Tab and Shift Tab walk the candidates, the arrows go the arrow's
/// way, Enter connects, Escape cancels. Every other key does nothing then
/// (`None`), so no edit slips in under the question being asked.
pub fn action_while_connecting(press: &KeyPress) -> Option<Action> {
    if press.command {
        return None;
    }
    let toward = |d| Some(Action::ConnectTarget(Step::Toward(d)));
    match press.key.as_str() {
        "Tab" if press.shift => Some(Action::ConnectTarget(Step::Previous)),
        "Tab" => Some(Action::ConnectTarget(Step::Next)),
        "ArrowLeft" => toward(Direction::Left),
        "ArrowRight" => toward(Direction::Right),
        "ArrowUp" => toward(Direction::Up),
        "ArrowDown" => toward(Direction::Down),
        "Enter" => Some(Action::ConnectConfirm),
        "Escape" => Some(Action::Cancel),
        "?" => Some(Action::ToggleHelp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str, command: bool, shift: bool) -> KeyPress {
        KeyPress {
            key: key.to_string(),
            command,
            shift,
        }
    }

    #[test]
    fn undo_and_redo_shortcuts() {
        assert_eq!(action_for(&press("z", true, false)), Some(Action::Undo));
        assert_eq!(action_for(&press("Z", true, true)), Some(Action::Redo));
        assert_eq!(action_for(&press("y", true, false)), Some(Action::Redo));
        assert_eq!(action_for(&press("z", false, false)), None);
    }

    #[test]
    fn arrows_nudge_and_shift_moves_further() {
        assert_eq!(
            action_for(&press("ArrowLeft", false, false)),
            Some(Action::Nudge { dx: -1, dy: 0 })
        );
        assert_eq!(
            action_for(&press("ArrowDown", false, true)),
            Some(Action::Nudge { dx: 0, dy: 4 })
        );
    }

    #[test]
    fn editing_keys() {
        assert_eq!(
            action_for(&press("Delete", false, false)),
            Some(Action::Delete)
        );
        assert_eq!(
            action_for(&press("Backspace", false, false)),
            Some(Action::Delete)
        );
        assert_eq!(
            action_for(&press("Escape", false, false)),
            Some(Action::Cancel)
        );
        assert_eq!(
            action_for(&press("d", true, false)),
            Some(Action::Duplicate)
        );
        assert_eq!(
            action_for(&press("Enter", false, false)),
            Some(Action::Inspect)
        );
        assert_eq!(action_for(&press("c", false, false)), Some(Action::Connect));
        assert_eq!(action_for(&press("C", false, true)), Some(Action::Connect));
        assert_eq!(action_for(&press("c", true, false)), Some(Action::Copy));
    }

    #[test]
    fn connecting_keys_choose_confirm_and_cancel() {
        let connecting = |key, shift| action_while_connecting(&press(key, false, shift));
        assert_eq!(
            connecting("Tab", false),
            Some(Action::ConnectTarget(Step::Next))
        );
        assert_eq!(
            connecting("Tab", true),
            Some(Action::ConnectTarget(Step::Previous))
        );
        assert_eq!(
            connecting("ArrowUp", false),
            Some(Action::ConnectTarget(Step::Toward(Direction::Up)))
        );
        assert_eq!(connecting("Enter", false), Some(Action::ConnectConfirm));
        assert_eq!(connecting("Escape", false), Some(Action::Cancel));
        // Editing keys wait until the connection is made or cancelled.
        assert_eq!(connecting("Delete", false), None);
        assert_eq!(connecting("c", false), None);
        assert_eq!(
            action_while_connecting(&press("z", true, false)),
            None,
            "no undo in the middle of the question"
        );
    }

    #[test]
    fn the_help_lists_the_connection_key() {
        assert!(SHORTCUTS
            .iter()
            .any(|(keys, what)| *keys == "C" && what.contains("Connect")));
    }
}
