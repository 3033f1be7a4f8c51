//! synack-model: a sans-IO, deterministic model of TCP and UDP hosts on a simulated network.
//!
//! No clock, no I/O, no global RNG: time is passed in, randomness comes from one seed, and the
//! same inputs give the same [`trace::Trace`] on native and wasm.
//!
//! Entry point: [`simulate`] runs a [`scenario::Scenario`]; [`presets`] builds the scenarios
//! the web app's scenes use.

pub mod app;
pub mod bench;
pub mod codec;
pub mod ctx;
pub mod diff;
pub mod net;
pub mod presets;
pub mod profile;
pub mod read;
pub mod rng;
pub mod scenario;
pub mod seq;
pub mod sim;
pub mod tcp;
pub mod text;
pub mod trace;
pub mod udp;
pub mod vecmap;

pub use vecmap::VecMap;

/// Runs a scenario to the end (nothing left to happen, or its limits) and returns the trace.
pub fn simulate(s: &scenario::Scenario) -> Result<trace::Trace, scenario::ScenarioError> {
    Ok(sim::Sim::new(s)?.run())
}
