//! The simulation engine of the system-design kata playground.
//!
//! This crate knows nothing about the browser: no web crates, no wall clock
//! (`std::time::Instant`), no threads; simulated time is an input. Runs are
//! deterministic: the same design, kata and seed give a bit-identical report
//! natively and in wasm, because randomness comes from a named seeded
//! generator ([`rng::SimRng`]) and every transcendental function from `libm`
//! (or, for the loops that evaluate hundreds of exponentials, from
//! [`expo`]: plain IEEE arithmetic on a table computed with `libm`).
//!
//! The numerical core:
//! - [`queueing`]: Erlang B/C, the M/M/c steady state (means, exact wait and
//!   sojourn distributions, quantiles, moments), Pollaczek–Khinchine, and the
//!   TTL-cache closed forms;
//! - [`latency`]: hop latencies as moments, lognormal fits, mixtures;
//! - [`histogram`]: the request-weighted histogram behind window quantiles;
//! - [`fluid`]: the fluid backlog of an overloaded service;
//! - [`mmck`]: the M/M/c/K queue (a limited waiting room) in steady state
//!   at any load, its blocking and the time in system of admitted requests;
//! - [`rng`]: the seeded random number generator and its distributions;
//! - [`expo`]: inline exponentials of non-positive arguments.
//!
//! The engine ([`engine`]): [`engine::Sim`] runs a design through a
//! [`engine::Scenario`] tick by tick and produces an [`engine::Report`].
//!
//! Katas ([`kata`]) are data files compiled in; [`grade`] runs a design
//! through a kata and judges each of its scenarios, with the reason and the
//! next thing to try.
//!
//! Units: times in seconds, rates in requests per second.

pub mod engine;
pub mod expo;
pub mod fluid;
pub mod grade;
pub mod histogram;
pub mod kata;
pub mod latency;
pub mod mmck;
pub mod queueing;
pub mod rng;
