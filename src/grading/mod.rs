//! Grading off the page's thread: the engine runs in a Web Worker.
//!
//! - [`protocol`]: the requests and answers, and their wire form.
//! - [`service`]: the worker's loop (latest request wins; fixes tested a
//!   grade per turn so a newer request supersedes them).
//! - [`transport`]: how the page reaches the service (a worker on the
//!   site, the page itself in browser tests).
//! - [`worker`]: the worker binary's entry point.
//!
//! Invariant: the page's binary (`src/main.rs`) never calls the engine;
//! only the worker binary does, so the page's wasm stays small.

pub mod protocol;
pub mod service;
pub mod transport;
pub mod worker;
