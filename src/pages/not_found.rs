use yew::prelude::*;

use super::{route_list, use_ready_after_render};
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
    html! {
        <div class="page not-found" data-testid="not-found">
            <h1>{ txt::NOT_FOUND_TITLE.get(lang) }</h1>
            <p><code class="mono">{ format!("#{}", props.path) }</code></p>
            <p>{ txt::NOT_FOUND_BODY.get(lang) }</p>
            { route_list(Route::ALL, true, lang) }
        </div>
    }
}
