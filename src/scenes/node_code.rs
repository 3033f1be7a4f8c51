//! The Node.js program of a scene's case (`api=node`): the code that produces the case on a real
//! machine, what it prints, and what to look at. The programs live in `snippets/node/` (run by
//! `e2e/snippets.test.mjs` against the installed `node`, so what the page shows is what they
//! print); Trunk copies the folder next to the page, and this panel fetches the files it needs
//! when it is shown, so none of them is part of the wasm or of the first load.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::export;
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};

const DIR: &str = "./snippets/node/";

#[derive(Clone, Debug, PartialEq)]
struct Texts {
    zh: String,
    en: String,
}

impl Texts {
    fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One program of `snippets/node/manifest.json`.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    scene: String,
    /// The scene's case id; `*` for every case of the scene.
    case: String,
    /// `case`, `remedy` (the sticky scene's fixes) or `node-only`.
    kind: String,
    file: String,
    expected: String,
    /// The modules of this folder the program imports, shown under it so that the page
    /// holds all of a runnable program.
    uses: Vec<String>,
    title: Texts,
    note: Texts,
}

/// One entry of `snippets/node/corrections.json`: a common claim and what is true.
#[derive(Clone, Debug, PartialEq)]
struct Correction {
    /// Its `where`.
    scene: String,
    claim: Texts,
    truth: Texts,
    source: String,
}

/// The Node-only programs (where Node behaves differently from the C view) and the scene they
/// belong beside.
const NODE_ONLY: &[(&str, &[&str])] = &[
    ("teardown", &["half-close", "reset-and-destroy"]),
    ("backlog", &["blocked-event-loop"]),
    ("sticky", &["backpressure"]),
    ("window", &["backpressure"]),
    ("udp", &["dgram-whole-message"]),
];

/// The scene's case that shows what a Node-only program is about: there the program is shown
/// opened. (scene, case, Node-only program)
const OPEN_BESIDE: &[(&str, &str, &str)] = &[
    ("teardown", "half-close", "half-close"),
    ("teardown", "abort", "reset-and-destroy"),
    ("backlog", "accept-late", "blocked-event-loop"),
    ("backlog", "overflow", "blocked-event-loop"),
    ("udp", "truncation", "dgram-whole-message"),
    ("window", "slow-reader", "backpressure"),
];

thread_local! {
    /// The manifest and the corrections, fetched once per page.
    static MANIFEST: RefCell<Option<Rc<Vec<Entry>>>> = const { RefCell::new(None) };
    static CORRECTIONS: RefCell<Option<Rc<Vec<Correction>>>> = const { RefCell::new(None) };
}

// The two files are read with the browser's own JSON parser: serde_json's code would be part
// of the first load (the handshake and teardown scenes show this panel too), some 50 KB gz.

/// The objects of a JSON array.
fn json_list(text: &str, what: &str) -> Result<Vec<wasm_bindgen::JsValue>, String> {
    let v = js_sys::JSON::parse(text).map_err(|_| format!("{what}: not JSON"))?;
    if !js_sys::Array::is_array(&v) {
        return Err(format!("{what}: not a list"));
    }
    Ok(js_sys::Array::from(&v).iter().collect())
}

/// A string field ("" when missing or not a string).
fn text_of(o: &wasm_bindgen::JsValue, key: &str) -> String {
    js_sys::Reflect::get(o, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A list-of-strings field (empty when missing).
fn texts_list(o: &wasm_bindgen::JsValue, key: &str) -> Vec<String> {
    let v = js_sys::Reflect::get(o, &key.into()).unwrap_or_default();
    if !js_sys::Array::is_array(&v) {
        return Vec::new();
    }
    js_sys::Array::from(&v)
        .iter()
        .filter_map(|x| x.as_string())
        .collect()
}

/// A `{zh, en}` field.
fn texts_of(o: &wasm_bindgen::JsValue, key: &str) -> Texts {
    let t = js_sys::Reflect::get(o, &key.into()).unwrap_or_default();
    Texts {
        zh: text_of(&t, "zh"),
        en: text_of(&t, "en"),
    }
}

async fn manifest() -> Result<Rc<Vec<Entry>>, String> {
    if let Some(m) = MANIFEST.with(|m| m.borrow().clone()) {
        return Ok(m);
    }
    let text = crate::dom::fetch_text(&format!("{DIR}manifest.json")).await?;
    let entries: Vec<Entry> = json_list(&text, "manifest.json")?
        .iter()
        .map(|o| Entry {
            scene: text_of(o, "scene"),
            case: text_of(o, "case"),
            kind: text_of(o, "kind"),
            file: text_of(o, "file"),
            expected: text_of(o, "expected"),
            uses: texts_list(o, "uses"),
            title: texts_of(o, "title"),
            note: texts_of(o, "note"),
        })
        .collect();
    let m = Rc::new(entries);
    MANIFEST.with(|slot| *slot.borrow_mut() = Some(m.clone()));
    Ok(m)
}

async fn corrections() -> Result<Rc<Vec<Correction>>, String> {
    if let Some(c) = CORRECTIONS.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let text = crate::dom::fetch_text(&format!("{DIR}corrections.json")).await?;
    let list: Vec<Correction> = json_list(&text, "corrections.json")?
        .iter()
        .map(|o| Correction {
            scene: text_of(o, "where"),
            claim: texts_of(o, "claim"),
            truth: texts_of(o, "truth"),
            source: text_of(o, "source"),
        })
        .collect();
    let c = Rc::new(list);
    CORRECTIONS.with(|slot| *slot.borrow_mut() = Some(c.clone()));
    Ok(c)
}

/// The scene's other programs: the Node-only cases beside it and, for the sticky scene, the
/// remedies (each case shows its own program above them).
fn extras(m: &[Entry], scene: &str, case: &str) -> Vec<Entry> {
    let node_only = NODE_ONLY
        .iter()
        .find(|(s, _)| *s == scene)
        .map_or(&[][..], |(_, ids)| *ids);
    m.iter()
        .filter(|e| {
            (e.kind == "remedy" && e.scene == scene && e.case != case)
                || (e.scene == "node-only" && node_only.contains(&e.case.as_str()))
        })
        .cloned()
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Loading,
    /// No program for this case.
    None,
    Failed(String),
    Ready {
        entry: Box<Entry>,
        files: Files,
    },
}

/// A program's text, the modules it imports (path, text) and what it prints.
#[derive(Clone, Debug, PartialEq)]
struct Files {
    code: String,
    used: Vec<(String, String)>,
    output: String,
}

async fn fetch_files(e: &Entry) -> Result<Files, String> {
    let code = crate::dom::fetch_text(&format!("{DIR}{}", e.file)).await?;
    let mut used = Vec::new();
    for u in &e.uses {
        used.push((
            u.clone(),
            crate::dom::fetch_text(&format!("{DIR}{u}")).await?,
        ));
    }
    let output = crate::dom::fetch_text(&format!("{DIR}{}", e.expected)).await?;
    Ok(Files { code, used, output })
}

/// The modules a program imports, each under its path.
fn used_modules(f: &Files) -> Html {
    f.used
        .iter()
        .map(|(path, text)| {
            html! { <>
                <div class="node-code-bar"><span class="mono muted">{ path.clone() }</span></div>
                <pre class="node-code" data-testid="node-used" tabindex="0"><code>{ text.clone() }</code></pre>
            </> }
        })
        .collect()
}

async fn load(scene: String, case: String) -> Loaded {
    let m = match manifest().await {
        Ok(m) => m,
        Err(e) => return Loaded::Failed(e),
    };
    let Some(entry) = m
        .iter()
        .find(|e| e.scene == scene && (e.case == case || e.case == "*"))
        .cloned()
    else {
        return Loaded::None;
    };
    match fetch_files(&entry).await {
        Ok(files) => Loaded::Ready {
            entry: Box::new(entry),
            files,
        },
        Err(e) => Loaded::Failed(e),
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub scene: AttrValue,
    pub case: AttrValue,
    pub lang: Lang,
}

/// A program shown folded: its title, then (opened) its note, code and output, fetched when
/// opened.
#[derive(Properties, PartialEq)]
struct FoldProps {
    entry: Rc<Entry>,
    lang: Lang,
    /// Shown opened (its files fetched at once).
    #[prop_or_default]
    open: bool,
}

#[component]
fn Fold(p: &FoldProps) -> Html {
    let files = use_state(|| None::<Result<Files, String>>);
    let fetch = {
        let files = files.clone();
        let e = p.entry.clone();
        move || {
            if files.is_some() {
                return;
            }
            let (files, e) = (files.clone(), e.clone());
            wasm_bindgen_futures::spawn_local(async move {
                files.set(Some(fetch_files(&e).await));
            });
        }
    };
    {
        let fetch = fetch.clone();
        use_effect_on(p.open, move |open| {
            if *open {
                fetch();
            }
        });
    }
    let ontoggle = Callback::from(move |_: Event| fetch());
    let lang = p.lang;
    let testid = (p.entry.kind == "node-only").then(|| format!("node-only-{}", p.entry.case));
    html! {
        <details class="node-more" {ontoggle} open={p.open} data-testid={testid}>
            <summary>{ p.entry.title.get(lang) }</summary>
            <p>{ p.entry.note.get(lang) }</p>
            { match &*files {
                None => html! {},
                Some(Err(e)) => html! { <p class="notice error mono">{ e.clone() }</p> },
                Some(Ok(f)) => html! { <>
                    <pre class="node-code" tabindex="0"><code>{ f.code.clone() }</code></pre>
                    { used_modules(f) }
                    <pre class="node-output" tabindex="0">{ f.output.clone() }</pre>
                </> },
            } }
        </details>
    }
}

#[component]
pub fn NodeCode(p: &Props) -> Html {
    let lang = p.lang;
    let loaded = use_state(|| Loaded::Loading);
    let more = use_state(Vec::<Rc<Entry>>::new);
    let fixes = use_state(Vec::<Correction>::new);
    {
        let (more, fixes) = (more.clone(), fixes.clone());
        use_effect_on((p.scene.clone(), p.case.clone()), move |(scene, case)| {
            let (scene, case) = (scene.to_string(), case.to_string());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(m) = manifest().await {
                    more.set(extras(&m, &scene, &case).into_iter().map(Rc::new).collect());
                }
                if let Ok(c) = corrections().await {
                    fixes.set(c.iter().filter(|c| c.scene == scene).cloned().collect());
                }
            });
        });
    }
    {
        let loaded = loaded.clone();
        use_effect_on((p.scene.clone(), p.case.clone()), move |(scene, case)| {
            loaded.set(Loaded::Loading);
            let (scene, case) = (scene.to_string(), case.to_string());
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(load(scene, case).await);
            });
        });
    }
    let heading = T::new("用 Node.js 自己跑一遍", "Run it yourself in Node.js").get(lang);
    let body = match &*loaded {
        Loaded::Loading => {
            html! { <p class="muted">{ T::new("正在加载……", "Loading…").get(lang) }</p> }
        }
        Loaded::None => html! {
            <p class="muted">{ T::new("这个情形没有单独的 Node.js 程序。", "This case has no Node.js program of its own.").get(lang) }</p>
        },
        Loaded::Failed(e) => html! {
            <p class="notice error" role="alert">
                { T::new("没能加载 Node.js 程序：", "Could not load the Node.js program: ").get(lang) }
                <span class="mono">{ e.clone() }</span>
            </p>
        },
        Loaded::Ready { entry, files } => {
            let copy = {
                let code = files.code.clone();
                Callback::from(move |_: MouseEvent| {
                    export::copy_text(&code);
                })
            };
            html! { <>
                <h3>{ entry.title.get(lang) }</h3>
                <p>{ entry.note.get(lang) }</p>
                <div class="node-code-bar">
                    <span class="mono muted">{ format!("node {}", entry.file.rsplit('/').next().unwrap_or(&entry.file)) }</span>
                    <button class="chip" data-testid="node-copy" onclick={copy}>{ T::new("复制代码", "Copy code").get(lang) }</button>
                </div>
                <pre class="node-code" data-testid="node-code" tabindex="0"><code>{ files.code.clone() }</code></pre>
                { used_modules(files) }
                <h3>{ T::new("它打印的内容", "What it prints").get(lang) }</h3>
                <pre class="node-output" data-testid="node-output" tabindex="0">{ files.output.clone() }</pre>
            </> }
        }
    };
    html! {
        <section class="node-panel" data-testid="node-panel" aria-label={heading}>
            <h2>{ heading }</h2>
            { body }
            if more.iter().any(|e| e.kind != "node-only") {
                <h3>{ T::new("这一场景的更多 Node.js 程序", "More Node.js programs for this scene").get(lang) }</h3>
                { for more.iter().filter(|e| e.kind != "node-only").map(|e| html! { <Fold entry={e.clone()} {lang} /> }) }
            }
            if more.iter().any(|e| e.kind == "node-only") {
                // Where Node behaves differently from the C calls the diagram shows.
                <h3>{ T::new("只在 Node.js 里：与 C 的不同之处", "Only in Node.js: where it differs from C").get(lang) }</h3>
                { for more.iter().filter(|e| e.kind == "node-only").map(|e| {
                    let open = OPEN_BESIDE.iter().any(|(s, c, n)| *s == p.scene.as_str() && *c == p.case.as_str() && *n == e.case);
                    html! { <Fold entry={e.clone()} {lang} {open} /> }
                }) }
            }
            if !fixes.is_empty() {
                <h3>{ T::new("常见说法，更正", "Common claims, corrected").get(lang) }</h3>
                <ul class="node-fixes" data-testid="node-corrections">
                    { for fixes.iter().map(|c| html! {
                        <li>
                            <p class="claim">{ c.claim.get(lang) }</p>
                            <p>{ c.truth.get(lang) }</p>
                            if !c.source.is_empty() { <p class="muted mono">{ c.source.clone() }</p> }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}
