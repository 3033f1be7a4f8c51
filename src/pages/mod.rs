//! One component per route. Scenes live in `crate::scenes`; this module holds the simple pages
//! and the dispatch.

mod coming_soon;
mod landing;
mod load_full;
mod not_found;
#[cfg(feature = "full")]
mod open;
pub mod reference;

pub use coming_soon::ComingSoon;
pub use landing::Landing;
pub use load_full::{handed_over, LoadFull};
pub use not_found::NotFound;
#[cfg(feature = "full")]
pub use open::OpenPage;

use yew::prelude::*;

use crate::route::{Location, Route};
use crate::scenes;

pub fn page_for(loc: &Location, seq: u32, api: crate::i18n::Api) -> Html {
    // Keyed by navigation so a real hashchange remounts the page with the new URL's parameters.
    let key = format!("{seq}");
    match loc.route {
        Some(Route::Landing) => html! { <Landing key={key} /> },
        // The Node.js view (its panel of programs, its narration) is in the full build only: few
        // readers switch to it, and its code was some 12 KB gz of every first visit.
        Some(r)
            if !cfg!(feature = "full") && api == crate::i18n::Api::Node && scenes::has_scene(r) =>
        {
            html! { <LoadFull key={key} route={r} /> }
        }
        #[cfg(feature = "full")]
        Some(Route::Open) => html! { <OpenPage key={key} /> },
        Some(r) if scenes::has_scene(r) => scenes::render(r, &loc.query, key),
        Some(r) if reference::has_page(r) => reference::render(r, &loc.query, key),
        #[cfg(feature = "full")]
        Some(r) if crate::quiz::has_page(r) => crate::quiz::render(&loc.query, key),
        #[cfg(not(feature = "full"))]
        Some(r) if FULL_ONLY.contains(&r) => html! { <LoadFull key={key} route={r} /> },
        Some(r) => html! { <ComingSoon key={key} route={r} /> },
        None => html! { <NotFound key={key} path={loc.path.clone()} /> },
    }
}

/// Pages whose code only the full build carries (the `full` feature, Cargo.toml): the first-load
/// build shows [`LoadFull`] for them, which fetches the full build. The reference pages are here
/// too: their tables and animation are not needed for the first scene.
pub const FULL_ONLY: &[Route] = &[
    Route::Sticky,
    Route::Udp,
    Route::Backlog,
    Route::Window,
    Route::Quiz,
    Route::Open,
    Route::RefTcpUdp,
    Route::RefPorts,
    Route::RefOsi,
];

/// Marks the page as drawn once its first render is committed (tests wait on this).
#[hook]
pub fn use_ready_after_render() {
    use_effect_with((), |_| crate::dom::set_ready(true));
}

/// A compact list of every page, used by the landing, coming-soon and not-found pages.
#[derive(Properties, PartialEq)]
pub struct RouteListProps {
    pub routes: Vec<Route>,
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn RouteList(props: &RouteListProps) -> Html {
    let lang = crate::app::use_shell().lang;
    html! {
        <ul class={classes!("route-list", props.compact.then_some("compact"))}>
            { for props.routes.iter().map(|r| html! {
                <li class={classes!("route-card", (!r.is_ready()).then_some("soon"))}>
                    <a href={r.href()} data-testid={format!("link-{}", r.id())}>
                        <span class="route-title">{ r.title().get(lang) }</span>
                        if !r.is_ready() {
                            <span class="badge soon">{ crate::i18n::txt::SOON.get(lang) }</span>
                        }
                    </a>
                    if !props.compact {
                        <p class="route-blurb">{ r.blurb().get(lang) }</p>
                    }
                </li>
            }) }
        </ul>
    }
}
