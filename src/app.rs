//! The shell: routing, header (language and theme), and the page for the current route.

use gloo::events::EventListener;
use yew::prelude::*;

use crate::dom;
use crate::engine::params::Notice;
use crate::hooks::use_effect_on;
use crate::i18n::{txt, Api, Lang};
use crate::pages;
use crate::prefs::{self, Theme};
use crate::route::{Location, Route};

/// What every page needs to know about the shell.
#[derive(Clone, Debug, PartialEq)]
pub struct Shell {
    pub lang: Lang,
    pub theme: Theme,
    /// `embed=1`: only the scene and its controls, no site header.
    pub embed: bool,
    /// `api=node`: socket calls are named as a Node.js program makes them.
    pub api: Api,
}

/// The location as of the last real navigation. `seq` changes only on `hashchange`, so pages
/// that rewrite their own URL (playhead, parameters) with `replaceState` are not remounted.
#[derive(Clone, Debug, PartialEq)]
struct Nav {
    seq: u32,
    loc: Location,
}

#[component]
pub fn App() -> Html {
    let nav = use_state(|| Nav {
        seq: 0,
        loc: Location::parse(&dom::current_hash()),
    });
    let pref_lang = use_state(prefs::initial_lang);
    let pref_theme = use_state(prefs::initial_theme);
    // URL `lang`/`theme` win over remembered preferences (embeds choose their look), until the
    // reader flips the switch.
    let url_lang = use_state(|| nav.loc.query.get("lang").and_then(Lang::parse));
    let url_theme = use_state(|| nav.loc.query.get("theme").and_then(Theme::parse));

    {
        let nav = nav.clone();
        let url_lang = url_lang.clone();
        let url_theme = url_theme.clone();
        use_effect_on((), move |_| {
            let window = web_sys::window().expect("a browser window");
            let listener = EventListener::new(&window, "hashchange", move |_| {
                // After the full build took over (pages::LoadFull) it alone follows the URL.
                if crate::pages::handed_over() {
                    return;
                }
                dom::set_ready(false);
                let loc = Location::parse(&dom::current_hash());
                url_lang.set(loc.query.get("lang").and_then(Lang::parse));
                url_theme.set(loc.query.get("theme").and_then(Theme::parse));
                nav.set(Nav {
                    seq: nav.seq.wrapping_add(1),
                    loc,
                });
            });
            move || drop(listener)
        });
    }

    let lang = url_lang.unwrap_or(*pref_lang);
    let theme = url_theme.unwrap_or(*pref_theme);
    let embed = nav.loc.query.get("embed") == Some("1");
    let url_api = nav.loc.query.get("api").map(|v| (v, Api::parse(v)));
    // Follows the link; the switch changes it without reloading the page.
    let api_state = {
        let from_link = url_api.and_then(|(_, a)| a).unwrap_or_default();
        let st = use_state(|| (nav.seq, from_link));
        if st.0 != nav.seq {
            st.set((nav.seq, from_link));
        }
        st
    };
    let api = if api_state.0 == nav.seq {
        api_state.1
    } else {
        url_api.and_then(|(_, a)| a).unwrap_or_default()
    };
    let shell = Shell {
        lang,
        theme,
        embed,
        api,
    };
    // The API switch writes `api=node` into the link (and so into copied links and embed code);
    // C, the default, is written as no parameter.
    let on_api = {
        let api_state = api_state.clone();
        let seq = nav.seq;
        Callback::from(move |_: MouseEvent| {
            let next = api.other();
            let mut loc = Location::parse(&dom::current_hash());
            match next {
                Api::C => {
                    loc.query.remove("api");
                }
                Api::Node => loc.query.set("api", "node"),
            }
            dom::replace_hash(&loc.to_hash());
            api_state.set((seq, next));
        })
    };

    use_effect_on((lang, theme, embed), |(lang, theme, embed)| {
        dom::set_html_lang(lang.html_lang());
        dom::set_root_attr("data-theme", theme.code());
        dom::set_root_attr("data-embed", if *embed { "1" } else { "0" });
    });
    {
        let title = match nav.loc.route {
            Some(Route::Landing) => "synack".to_string(),
            Some(r) => format!("{} · synack", r.title().get(lang)),
            None => format!("{} · synack", txt::NOT_FOUND_TITLE.get(lang)),
        };
        use_effect_on(title, |title| dom::set_title(title));
    }

    let on_lang = {
        let pref_lang = pref_lang.clone();
        let url_lang = url_lang.clone();
        Callback::from(move |_: MouseEvent| {
            let next = lang.other();
            prefs::remember_lang(next);
            pref_lang.set(next);
            if url_lang.is_some() {
                url_lang.set(None);
                drop_url_param("lang");
            }
        })
    };
    let on_theme = {
        let pref_theme = pref_theme.clone();
        let url_theme = url_theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.other();
            prefs::remember_theme(next);
            pref_theme.set(next);
            if url_theme.is_some() {
                url_theme.set(None);
                drop_url_param("theme");
            }
        })
    };

    let page = pages::page_for(&nav.loc, nav.seq, api);

    // A `lang` or `theme` in the link that names nothing here is said, like a scene's bad
    // parameter, rather than silently ignored.
    let dismissed = use_state(|| None::<u32>);
    let shell_notices: Vec<Notice> = [
        ("lang", url_lang.is_none(), lang.code()),
        ("theme", url_theme.is_none(), theme.code()),
        ("api", url_api.is_some_and(|(_, a)| a.is_none()), api.code()),
    ]
    .into_iter()
    .filter_map(|(key, unknown, used)| {
        let given = nav.loc.query.get(key)?;
        unknown.then(|| Notice {
            key: key.into(),
            given: given.into(),
            used: used.into(),
            range: None,
        })
    })
    .collect();
    let notice = (!shell_notices.is_empty() && *dismissed != Some(nav.seq)).then(|| {
        let dismissed = dismissed.clone();
        let seq = nav.seq;
        html! {
            <div class="notice shell-notice" data-testid="shell-notice" role="status">
                { for shell_notices.iter().map(|n| html! { <p>{ n.text(lang) }</p> }) }
                <button class="chip" onclick={Callback::from(move |_: MouseEvent| dismissed.set(Some(seq)))}>
                    { txt::DISMISS.get(lang) }
                </button>
            </div>
        }
    });

    html! {
        <ContextProvider<Shell> context={shell}>
            <div class={classes!("shell", embed.then_some("embed"))}>
                if !embed {
                    <header class="site-header" data-testid="site-header">
                        <a class="brand" href="#/" data-testid="brand">
                            <span class="brand-mark" aria-hidden="true">{"⇄"}</span>
                            {"synack"}
                        </a>
                        // One group: on a phone it goes to a row of its own as a whole (each
                        // label on one line) rather than squeezing "中文" into 中 / 文.
                        <div class="header-switches">
                            <button class="chip" data-testid="lang-switch" onclick={on_lang}
                                title={txt::LANG_SWITCH_TITLE.get(lang)}
                                lang={lang.other().html_lang()}>
                                { txt::LANG_SWITCH.get(lang) }
                            </button>
                            <button class="chip" data-testid="api-switch" onclick={on_api}
                                title={txt::API_TITLE.get(lang)} aria-pressed={(api == Api::Node).to_string()}>
                                { match api { Api::C => txt::API_TO_NODE.get(lang), Api::Node => txt::API_TO_C.get(lang) } }
                            </button>
                            <button class="chip" data-testid="theme-switch" onclick={on_theme}
                                title={txt::THEME_TITLE.get(lang)} aria-pressed={(theme == Theme::Dark).to_string()}>
                                { match theme {
                                    Theme::Light => format!("☾ {}", txt::THEME_TO_DARK.get(lang)),
                                    Theme::Dark => format!("☀ {}", txt::THEME_TO_LIGHT.get(lang)),
                                } }
                            </button>
                        </div>
                    </header>
                }
                <main class="page-host">{ for notice }{ page }</main>
                if !embed {
                    <footer class="site-footer">{ txt::FOOTER.get(lang) }</footer>
                }
            </div>
        </ContextProvider<Shell>>
    }
}

fn drop_url_param(key: &str) {
    let mut loc = Location::parse(&dom::current_hash());
    loc.query.remove(key);
    dom::replace_hash(&loc.to_hash());
}

/// The shell context; pages are always rendered inside [`App`].
#[hook]
pub fn use_shell() -> Shell {
    use_context::<Shell>().unwrap_or(Shell {
        lang: Lang::En,
        theme: Theme::Light,
        embed: false,
        api: Api::C,
    })
}
