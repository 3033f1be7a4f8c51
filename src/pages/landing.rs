use yew::prelude::*;

use super::{route_list, use_ready_after_render};
use crate::app::use_shell;
use crate::i18n::txt;
use crate::route::Route;

#[component]
pub fn Landing() -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let scenes: Vec<Route> = Route::ALL
        .iter()
        .copied()
        .filter(|r| *r != Route::Landing && !r.is_reference())
        .collect();
    let refs: Vec<Route> = Route::ALL
        .iter()
        .copied()
        .filter(|r| r.is_reference())
        .collect();
    html! {
        <div class="page landing" data-testid="page-landing">
            <section class="hero">
                <h1>{"synack"}</h1>
                <p class="tagline">{ txt::TAGLINE.get(lang) }</p>
            </section>
            <h2>{ txt::SCENES.get(lang) }</h2>
            { route_list(&scenes, false, lang) }
            <h2>{ txt::REFERENCE.get(lang) }</h2>
            { route_list(&refs, false, lang) }
        </div>
    }
}
