use yew::prelude::*;

use super::{use_ready_after_render, RouteList};
use crate::app::use_shell;
use crate::i18n::txt;
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub path: String,
}

#[component]
pub fn NotFound(props: &Props) -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let all: Vec<Route> = Route::ALL.to_vec();
    html! {
        <div class="page not-found" data-testid="not-found">
            <h1>{ txt::NOT_FOUND_TITLE.get(lang) }</h1>
            <p><code class="mono">{ format!("#{}", props.path) }</code></p>
            <p>{ txt::NOT_FOUND_BODY.get(lang) }</p>
            <RouteList routes={all} compact=true />
        </div>
    }
}
