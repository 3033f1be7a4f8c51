//! `#/ref/tcp-udp`: TCP's properties and the TCP vs UDP table, each linked to its scene.

use yew::prelude::*;

use super::scene_link;
use super::tcp_udp_data::{texts, FEATURES, ROWS};
use crate::app::use_shell;
use crate::i18n::T;
use crate::pages::use_ready_after_render;
use crate::route::Route;
use crate::texts::{Fetched, Text};

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
        html! { <span class="scene-links">{ for scenes.iter().map(|r| scene_link(*r, lang)) }</span> }
    };
    let fetched = crate::texts::use_table_words(Text::RefTcpUdp, texts);
    let (w, keys) = match fetched {
        Fetched::In(w) => (w, texts()),
        Fetched::Loading => {
            return html! {
                <div class="page reference ref-tcp-udp" data-testid="page-ref-tcp-udp" data-words="loading">
                    <h1>{ Route::RefTcpUdp.title().get(lang) }</h1>
                    <p class="route-blurb">{ INTRO.get(lang) }</p>
                </div>
            }
        }
        Fetched::Failed => {
            return html! {
                <div class="page reference ref-tcp-udp" data-testid="page-ref-tcp-udp" data-words="failed">
                    <h1>{ Route::RefTcpUdp.title().get(lang) }</h1>
                    <p class="route-blurb">{ INTRO.get(lang) }</p>
                    { crate::texts::failed_notice(Text::RefTcpUdp, lang) }
                </div>
            }
        }
    };
    // A text's words, by its key (`texts`; the file has exactly those, `texts::parse`).
    let at = |key: String| -> &'static str {
        let i = keys.iter().position(|(k, _)| *k == key);
        i.and_then(|i| w.get(i)).map_or("", |t| t.get(lang))
    };
    html! {
        <div class="page reference ref-tcp-udp" data-testid="page-ref-tcp-udp" data-words="in">
            <h1>{ Route::RefTcpUdp.title().get(lang) }</h1>
            <p class="route-blurb">{ INTRO.get(lang) }</p>

            <h2>{ FEATURES_TITLE.get(lang) }</h2>
            <ol class="features">
                { for FEATURES.iter().enumerate().map(|(i, f)| html! {
                    <li>
                        <p>{ at(format!("feature.{i}")) }</p>
                        if f.fix.is_some() {
                            <p class="fix"><strong>{ FIX.get(lang) }{ COLON.get(lang) }</strong>{ at(format!("feature.{i}.fix")) }</p>
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
                                <th scope="row">{ at(format!("row.{}.aspect", r.id)) }</th>
                                <td data-label="TCP">{ at(format!("row.{}.tcp", r.id)) }</td>
                                <td data-label="UDP">{ at(format!("row.{}.udp", r.id)) }</td>
                                <td data-label={SEE.get(lang)}>{ links(r.scenes) }</td>
                            </tr>
                            if r.fix.is_some() {
                                <tr class="fix-row" data-testid={format!("tcpudp-fix-{}", r.id)}>
                                    <td colspan="4"><p class="fix"><strong>{ FIX.get(lang) }{ COLON.get(lang) }</strong>{ at(format!("row.{}.fix", r.id)) }</p></td>
                                </tr>
                            }
                        </> }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
