//! The animated scenes, built on `crate::engine`: each turns URL parameters into a model
//! scenario, runs the model, and hands the trace to the player.

mod compare;
mod page;
pub mod text;

use yew::prelude::*;

use crate::route::{Query, Route};

pub use page::ScenePage;

pub fn has_scene(r: Route) -> bool {
    matches!(r, Route::Handshake | Route::Teardown | Route::TcpVsUdp)
}

pub fn render(r: Route, q: &Query, key: String) -> Html {
    html! { <ScenePage key={key} route={r} query={q.clone()} /> }
}
