//! The page's regions, one component module each.

pub mod brief;
pub mod canvas;
pub mod inspector;
pub mod timeline;
pub mod top_bar;
