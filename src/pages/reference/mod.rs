//! Reference pages: short, searchable, zh and en. Each page is one file; its data (tables,
//! layer lists) lives in a `*_data` module so the facts can be read and reviewed on their own,
//! and the pure logic on them (port filter, header arithmetic) is tested without a browser.
//!
//! They are in the full build only (`pages::PAGES`): their tables and the OSI animation are
//! not needed to draw the first scene, so the first load leaves them out.

mod osi;
pub mod osi_data;
mod ports;
pub mod ports_data;
mod tcp_udp;
pub(crate) mod tcp_udp_data;

#[cfg(test)]
mod tests;

use yew::prelude::*;

use crate::i18n::Lang;
use crate::route::{Query, Route};

pub fn tcp_udp(_: &Query, key: String) -> Html {
    html! { <tcp_udp::TcpUdpPage key={key} /> }
}

pub fn ports(q: &Query, key: String) -> Html {
    html! { <ports::PortsPage key={key} query={q.get("q").unwrap_or("").to_string()} /> }
}

pub fn osi(q: &Query, key: String) -> Html {
    html! { <osi::OsiPage key={key} step={q.get("step").map(str::to_string)} /> }
}

/// A link to a scene. A plain function, not a component (each costs about 1 KB of wasm).
pub fn scene_link(r: Route, lang: Lang) -> Html {
    html! {
        <a class="scene-link" href={r.href()} data-testid={format!("scene-link-{}", r.id())}>
            { r.title().get(lang) }
        </a>
    }
}
