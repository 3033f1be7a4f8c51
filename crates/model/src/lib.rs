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
pub mod script;
pub mod seq;
pub mod sim;
pub mod tcp;
pub mod text;
pub mod trace;
pub mod udp;
pub mod vecmap;

pub use vecmap::VecMap;

/// Runs a scenario to the end (nothing left to happen, or its limits) and returns the trace.
/// A scripted peer whose expectation failed is an error ([`scenario::ScenarioError::Script`]);
/// [`sim::Sim::run`] gives the trace up to that point instead (cut short with the same
/// message), for a viewer.
pub fn simulate(s: &scenario::Scenario) -> Result<trace::Trace, scenario::ScenarioError> {
    let mut sim = sim::Sim::new(s)?;
    while sim.advance(usize::MAX) == sim::RunState::Running {}
    if let Some(f) = sim.script_failure() {
        return Err(scenario::ScenarioError::Script(f.clone()));
    }
    Ok(sim.finish())
}
