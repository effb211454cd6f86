//! The diagram editor's logic, as plain Rust: the [`Editor`] (design,
//! selection, pointer gestures, viewport, clipboard, undo history), the
//! keyboard map, connecting nodes by keyboard ([`connect`]), which
//! lints the canvas shows ([`lints`]) and which notices stay on screen
//! ([`notices`]). The app's
//! components call into it from event handlers and draw what it holds;
//! nothing here knows about the browser, so every interaction is tested
//! natively.

#![deny(missing_docs)]

pub mod chart;
pub mod chunks;
pub mod connect;
mod editor;
pub mod export;
pub mod history;
pub mod icons;
pub mod id_set;
pub mod keymap;
pub mod lints;
pub mod notices;
pub mod paths;
pub mod playback;
mod selection;
pub mod touch;

pub use connect::{Direction, Step};
pub use editor::{EditError, Editor, Gesture, UNDO_LIMIT};
pub use history::History;
pub use id_set::IdSet;
pub use keymap::{action_for, action_while_connecting, Action, KeyPress, SHORTCUTS};
pub use playback::{Playback, Speed};
pub use selection::{EdgeRef, Selection};
pub use touch::{pinch_step, PinchStep};
