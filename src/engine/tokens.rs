//! The colour tokens of `static/style.css`, where CSS cannot reach them by itself.
//!
//! Each colour is written once, in `style.css` (`:root` and `:root[data-theme="dark"]`). The
//! SVG stylesheets of the ladder and the state diagram say `var(--lost)` and nothing else; the
//! export writes the current values of [`TOKENS`] into the standalone file; the capture canvas,
//! which has no CSS, reads them with [`current`] each time it draws, so it follows the theme.

use crate::dom::document;

/// The tokens the diagrams use. Every `var(--…)` of the SVG stylesheets is one of these (a
/// test checks it), so an exported file has a value for each.
pub const TOKENS: [&str; 20] = [
    "--bg",
    "--panel",
    "--panel-2",
    "--ink",
    "--ink-2",
    "--ink-3",
    "--line",
    "--syn",
    "--synack",
    "--ack",
    "--data",
    "--fin",
    "--rst",
    "--udp",
    "--lost",
    "--st-open",
    "--st-est",
    "--st-closing",
    "--st-closed",
    "--playhead",
];

/// The current value of each token in `names` (as `getComputedStyle` of the root element gives
/// it, so the theme in force), in order; an empty string where a token has no value.
pub fn current<const N: usize>(names: [&str; N]) -> [String; N] {
    let style = document()
        .and_then(|d| d.document_element())
        .zip(web_sys::window())
        .and_then(|(root, win)| win.get_computed_style(&root).ok().flatten());
    names.map(|t| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(t).ok())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    })
}

/// Every `var(--name)` in a stylesheet, for the test that each is in [`TOKENS`].
pub fn vars_used(css: &str) -> Vec<&str> {
    css.match_indices("var(")
        .map(|(i, _)| {
            let rest = &css[i + 4..];
            let end = rest.find([')', ',']).unwrap_or(rest.len());
            rest[..end].trim()
        })
        .collect()
}
