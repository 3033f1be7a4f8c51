//! The animated scenes, built on `crate::engine`.

use yew::prelude::*;

use crate::route::{Query, Route};

pub fn has_scene(_r: Route) -> bool {
    false
}

pub fn render(_r: Route, _q: &Query, _key: String) -> Html {
    Html::default()
}
