//! Remembered preferences (language, theme): localStorage first, then the browser's defaults.
//! Storage can be missing or throw (private mode, sandboxed iframes); then we just don't remember.

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn code(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s.trim() {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

const LANG_KEY: &str = "synack.lang";
const THEME_KEY: &str = "synack.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn initial_lang() -> Lang {
    load(LANG_KEY)
        .and_then(|s| Lang::parse(&s))
        .or_else(|| {
            web_sys::window()?
                .navigator()
                .language()
                .and_then(|l| Lang::parse(&l))
        })
        // Neither remembered nor Chinese/English in the browser: English is the safer guess.
        .unwrap_or(Lang::En)
}

pub fn initial_theme() -> Theme {
    load(THEME_KEY)
        .and_then(|s| Theme::parse(&s))
        .unwrap_or_else(|| {
            if media_matches("(prefers-color-scheme: dark)") {
                Theme::Dark
            } else {
                Theme::Light
            }
        })
}

pub fn remember_lang(l: Lang) {
    store(LANG_KEY, l.code());
}

pub fn remember_theme(t: Theme) {
    store(THEME_KEY, t.code());
}

pub fn media_matches(q: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(q).ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

pub fn reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}
