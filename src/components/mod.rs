//! The page's regions and their parts, one component module each.

pub mod autosave;
pub mod brief;
pub mod canvas;
pub mod charts;
pub mod connections;
pub mod dialogs;
pub mod edge;
pub mod inspector;
pub mod minimap;
pub mod node;
pub mod node_run;
pub mod notice;
pub mod palette;
pub mod results;
pub mod share;
pub mod timeline_controls;
pub mod top_bar;
