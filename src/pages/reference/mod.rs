//! Reference pages: short, searchable, zh and en. Each page is one file; its data (tables,
//! layer lists) lives in a `*_data` module so the facts can be read and reviewed on their own,
//! and the pure logic on them (port filter, header arithmetic) is tested without a browser.

mod osi;
pub mod osi_data;
mod ports;
pub mod ports_data;
mod tcp_udp;
mod tcp_udp_data;

#[cfg(test)]
mod tests;

use yew::prelude::*;

use crate::route::{Query, Route};

/// The reference routes built so far (the quiz and the capture viewer are elsewhere).
pub fn has_page(r: Route) -> bool {
    matches!(r, Route::RefTcpUdp | Route::RefPorts | Route::RefOsi)
}

pub fn render(r: Route, q: &Query, key: String) -> Html {
    match r {
        Route::RefTcpUdp => html! { <tcp_udp::TcpUdpPage key={key} /> },
        Route::RefPorts => {
            html! { <ports::PortsPage key={key} query={q.get("q").unwrap_or("").to_string()} /> }
        }
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
