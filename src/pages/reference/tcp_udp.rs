//! `#/ref/tcp-udp`: TCP's properties and the TCP vs UDP table, each linked to its scene.

use yew::prelude::*;

use super::tcp_udp_data::{FEATURES, ROWS};
use super::SceneLink;
use crate::app::use_shell;
use crate::i18n::T;
use crate::pages::use_ready_after_render;
use crate::route::Route;

const INTRO: T = T::new(
    "面试里最常问的对照表。每一行右边的链接打开演示它的动画场景；标着“常见说法有误”的地方，是我们对常见说法的更正。",
    "The comparison interviewers ask for most. The link on each row opens the animated scene that shows it; where a row is marked \"common claim corrected\", the common wording is imprecise and we say what is true.",
);
const FEATURES_TITLE: T = T::new("TCP 的特性", "What TCP guarantees");
const TABLE_TITLE: T = T::new("TCP 与 UDP 的区别", "TCP vs UDP");
const ASPECT: T = T::new("方面", "Aspect");
const SEE: T = T::new("演示", "See it");
const COLON: T = T::new("：", ": ");
const FIX: T = T::new("常见说法有误", "Common claim corrected");

#[component]
pub fn TcpUdpPage() -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let links = |scenes: &[Route]| {
        html! { <span class="scene-links">{ for scenes.iter().map(|r| html! { <SceneLink route={*r} /> }) }</span> }
    };
    html! {
        <div class="page reference ref-tcp-udp" data-testid="page-ref-tcp-udp">
            <h1>{ Route::RefTcpUdp.title().get(lang) }</h1>
            <p class="route-blurb">{ INTRO.get(lang) }</p>

            <h2>{ FEATURES_TITLE.get(lang) }</h2>
            <ol class="features">
                { for FEATURES.iter().map(|f| html! {
                    <li>
                        <p>{ f.text.get(lang) }</p>
                        if let Some(fix) = f.fix {
                            <p class="fix"><strong>{ FIX.get(lang) }{ COLON.get(lang) }</strong>{ fix.get(lang) }</p>
                        }
                        { links(f.scenes) }
                    </li>
                }) }
            </ol>

            <h2>{ TABLE_TITLE.get(lang) }</h2>
            <div class="table-wrap">
                <table class="ref-table compare-table" data-testid="tcpudp-table">
                    <thead>
                        <tr>
                            <th scope="col">{ ASPECT.get(lang) }</th>
                            <th scope="col">{"TCP"}</th>
                            <th scope="col">{"UDP"}</th>
                            <th scope="col">{ SEE.get(lang) }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for ROWS.iter().map(|r| html! { <>
                            <tr data-testid={format!("tcpudp-row-{}", r.id)}>
                                <th scope="row">{ r.aspect.get(lang) }</th>
                                <td data-label="TCP">{ r.tcp.get(lang) }</td>
                                <td data-label="UDP">{ r.udp.get(lang) }</td>
                                <td data-label={SEE.get(lang)}>{ links(r.scenes) }</td>
                            </tr>
                            if let Some(fix) = r.fix {
                                <tr class="fix-row" data-testid={format!("tcpudp-fix-{}", r.id)}>
                                    <td colspan="4"><p class="fix"><strong>{ FIX.get(lang) }{ COLON.get(lang) }</strong>{ fix.get(lang) }</p></td>
                                </tr>
                            }
                        </> }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
