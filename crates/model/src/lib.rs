//! synack-model: a sans-IO, deterministic model of TCP and UDP hosts on a simulated network.
//!
//! No clock, no I/O, no global RNG: time is passed in, randomness comes from one seed, and the
//! same inputs give the same [`trace::Trace`] on native and wasm.

pub mod trace;
