//! The simulated network: per-direction links and scripted fault rules.

pub mod faults;
pub mod link;
