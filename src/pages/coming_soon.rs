use yew::prelude::*;

use super::{use_ready_after_render, RouteList};
use crate::app::use_shell;
use crate::i18n::txt;
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub route: Route,
}

/// An honest placeholder: says what the page will do and that it is not built yet.
#[component]
pub fn ComingSoon(props: &Props) -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let ready: Vec<Route> = Route::ALL
        .into_iter()
        .filter(|r| r.is_ready() && *r != Route::Landing)
        .collect();
    html! {
        <div class="page coming-soon" data-testid={format!("page-{}", props.route.id())}>
            <div data-testid="coming-soon">
                <h1>{ props.route.title().get(lang) }</h1>
                <p class="route-blurb">{ props.route.blurb().get(lang) }</p>
                <div class="notice">
                    <strong>{ txt::COMING_SOON_TITLE.get(lang) }</strong>
                    <p>{ txt::COMING_SOON_BODY.get(lang) }</p>
                </div>
                <RouteList routes={ready} compact=true />
                <p><a href="#/">{ txt::BACK_HOME.get(lang) }</a></p>
            </div>
        </div>
    }
}
