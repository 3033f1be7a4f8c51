//! Reference pages: short, searchable, zh and en. Each page is one file; its data (tables,
//! layer lists) lives in a `*_data` module so the facts can be read and reviewed on their own,
//! and the pure logic on them (port filter, header arithmetic) is tested without a browser.
//!
//! They are in the full build only (`pages::FULL_ONLY`): their tables and the OSI animation are
//! not needed to draw the first scene, so the first load leaves them out.

#[cfg(feature = "full")]
mod osi;
#[cfg(feature = "full")]
pub mod osi_data;
#[cfg(feature = "full")]
mod ports;
#[cfg(feature = "full")]
pub mod ports_data;
#[cfg(feature = "full")]
mod tcp_udp;
#[cfg(feature = "full")]
mod tcp_udp_data;

#[cfg(test)]
mod tests;

use yew::prelude::*;

use crate::route::{Query, Route};

/// The reference routes built so far (the quiz and the capture viewer are elsewhere).
pub fn has_page(r: Route) -> bool {
    cfg!(feature = "full") && matches!(r, Route::RefTcpUdp | Route::RefPorts | Route::RefOsi)
}

pub fn render(r: Route, q: &Query, key: String) -> Html {
    match r {
        #[cfg(feature = "full")]
        Route::RefTcpUdp => html! { <tcp_udp::TcpUdpPage key={key} /> },
        #[cfg(feature = "full")]
        Route::RefPorts => {
            html! { <ports::PortsPage key={key} query={q.get("q").unwrap_or("").to_string()} /> }
        }
        #[cfg(feature = "full")]
        Route::RefOsi => {
            html! { <osi::OsiPage key={key} step={q.get("step").map(str::to_string)} /> }
        }
        _ => Html::default(),
    }
}

/// A link to a scene, with the "coming soon" badge when that scene is not built yet.
#[derive(Properties, PartialEq)]
pub struct SceneLinkProps {
    pub route: Route,
}

#[component]
pub fn SceneLink(props: &SceneLinkProps) -> Html {
    let lang = crate::app::use_shell().lang;
    let r = props.route;
    html! {
        <a class="scene-link" href={r.href()} data-testid={format!("scene-link-{}", r.id())}>
            { r.title().get(lang) }
            if !r.is_ready() {
                <span class="badge soon">{ crate::i18n::txt::SOON.get(lang) }</span>
            }
        </a>
    }
}
