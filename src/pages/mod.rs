//! One component per route. Scenes live in `crate::scenes`; this module holds the simple pages
//! and the dispatch.

mod landing;
mod load_full;
mod not_found;
#[cfg(feature = "open")]
mod open;
#[cfg(feature = "full")]
pub mod reference;

pub use landing::Landing;
#[cfg(not(feature = "full"))]
pub use load_full::export_in_full_build;
pub use load_full::{handed_over, in_full_build, LoadFull, PENDING_EXPORT};
pub use not_found::NotFound;

use yew::prelude::*;

use crate::hooks::use_effect_on;
use crate::i18n::Lang;
use crate::route::{Location, Query, Route};
use crate::scenes::{self, ScenePage};

/// The pages other than the landing page and the scenes (`scenes::ALL`) that this build
/// draws: `(route, its page from the URL's query and the navigation key)`. The first-load build
/// has none; for their routes, and for the scenes it does not carry, it shows [`LoadFull`],
/// which fetches the build that draws them (the `full` and `open` features, Cargo.toml).
#[cfg(all(feature = "full", not(feature = "open")))]
pub const PAGES: &[(Route, Page)] = &[
    (Route::RefTcpUdp, reference::tcp_udp),
    (Route::RefPorts, reference::ports),
    (Route::RefOsi, reference::osi),
    (Route::Quiz, crate::quiz::render),
];
#[cfg(feature = "open")]
pub const PAGES: &[(Route, Page)] = &[
    (Route::RefTcpUdp, reference::tcp_udp),
    (Route::RefPorts, reference::ports),
    (Route::RefOsi, reference::osi),
    (Route::Quiz, crate::quiz::render),
    (Route::Open, |_, key| html! { <open::OpenPage key={key} /> }),
];
#[cfg(not(feature = "full"))]
pub const PAGES: &[(Route, Page)] = &[];

/// A page drawn from the URL's query and the navigation key.
pub type Page = fn(&Query, String) -> Html;

pub fn page_for(loc: &Location, seq: u32, api: crate::i18n::Api) -> Html {
    // Keyed by navigation so a real hashchange remounts the page with the new URL's parameters.
    let key = format!("{seq}");
    let Some(r) = loc.route else {
        return html! { <NotFound key={key} path={loc.path.clone()} /> };
    };
    if r == Route::Landing {
        return html! { <Landing key={key} /> };
    }
    // The Node.js view (its panel of programs, its narration), the state machine view,
    // presentation mode, teacher notes and the pace menu are in the full build only: few readers use them, and the Node.js view's code alone
    // was some 12 KB gz of every first visit.
    let full_only = api == crate::i18n::Api::Node
        || loc.query.get("present") == Some("1")
        || loc.query.get("view") == Some("states")
        || loc.query.get("notes").is_some()
        || loc.query.get("pace").is_some();
    if !cfg!(feature = "full") && full_only && scenes::of(r).is_some() {
        return html! { <LoadFull key={key} route={r} /> };
    }
    if let Some(scene) = scenes::of(r) {
        return html! { <ScenePage key={key} {scene} query={loc.query.clone()} /> };
    }
    match PAGES.iter().find(|(route, _)| *route == r) {
        Some((_, page)) => page(&loc.query, key),
        None => html! { <LoadFull key={key} route={r} /> },
    }
}

/// Marks the page as drawn once its first render is committed (tests wait on this).
#[hook]
pub fn use_ready_after_render() {
    use_effect_on((), |_| crate::dom::set_ready(true));
}

/// A compact list of every page, used by the landing and not-found pages. `compact`: titles
/// only. A plain function drawn with its page, not a component (each costs about 1 KB of wasm).
pub fn route_list(routes: &[Route], compact: bool, lang: Lang) -> Html {
    html! {
        <ul class={classes!("route-list", compact.then_some("compact"))}>
            { for routes.iter().map(|r| html! {
                <li class="route-card">
                    <a href={r.href()} data-testid={format!("link-{}", r.id())}>
                        <span class="route-title">{ r.title().get(lang) }</span>
                    </a>
                    if !compact {
                        <p class="route-blurb">{ r.blurb().get(lang) }</p>
                    }
                </li>
            }) }
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests build with every page (the default features): no route may be left to a full
    /// build that does not draw it either.
    #[test]
    fn the_full_build_draws_every_route_itself() {
        for &r in Route::ALL {
            let drawn = r == Route::Landing
                || scenes::of(r).is_some()
                || PAGES.iter().any(|(route, _)| *route == r);
            assert!(drawn, "{r:?} has no page");
        }
    }
}
