//! The animated scenes, built on `crate::engine`: each turns URL parameters into a model
//! scenario, runs the model, and hands the trace to the player.

// Scenes 2 are in the full build only (see `pages::FULL_ONLY`).
#[cfg(feature = "full")]
mod backlog;
mod compare;
#[cfg(feature = "full")]
mod node_code;
mod node_text;
mod page;
mod recordings;
#[cfg(feature = "full")]
mod sticky;
pub mod text;
#[cfg(feature = "full")]
mod udp;
#[cfg(feature = "full")]
mod window;

use yew::prelude::*;

use crate::route::{Query, Route};

pub use page::ScenePage;

pub fn has_scene(r: Route) -> bool {
    matches!(r, Route::Handshake | Route::Teardown | Route::TcpVsUdp)
        || (cfg!(feature = "full")
            && matches!(
                r,
                Route::Sticky | Route::Udp | Route::Backlog | Route::Window
            ))
}

pub fn render(r: Route, q: &Query, key: String) -> Html {
    html! { <ScenePage key={key} route={r} query={q.clone()} /> }
}

#[cfg(test)]
pub fn page_params_for_test() -> crate::engine::params::Params {
    page::base_params(Route::Handshake)
}

#[cfg(test)]
pub fn run_for_test(
    r: Route,
    p: &crate::engine::params::Params,
) -> Result<synack_model::trace::Trace, String> {
    page::run(r, p)
}
