//! Copy link, copy embed code, export SVG and PNG, and the text last copied.

use yew::prelude::*;

use crate::engine::export;
use crate::i18n::{Lang, T};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Builds the link or the embed code; `None` where a link cannot reproduce what is shown.
    pub share: Option<Callback<bool, String>>,
    /// File name stem for exports.
    pub export_name: AttrValue,
    pub lang: Lang,
}

#[component]
pub fn ShareBar(p: &Props) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    // Also shown in a field: the browser may not allow the clipboard (`export::copy_text`).
    let shared_text = use_state(|| None::<String>);
    let copy = |embed: bool| {
        let (shared_text, share) = (shared_text.clone(), p.share.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(share) = &share {
                let text = share.emit(embed);
                export::copy_text(&text);
                shared_text.set(Some(text));
            }
        })
    };
    // Handouts (the whole scene with its footnotes, `handout`) are drawn by the full build,
    // where the player provides what they need. The first load does not carry them: pressed
    // there, Export and Print load the full build in place, say so meanwhile, and leave the
    // request in the link (`export=`), which the full build carries out once it has drawn the
    // scene (`handout::use_pending_export`).
    #[cfg(feature = "full")]
    let (save, print, loading) = {
        let source = use_context::<crate::engine::handout::Source>();
        crate::engine::handout::use_pending_export(source.clone(), p.export_name.clone());
        let save = {
            let (name, source) = (p.export_name.clone(), source.clone());
            move |svg: bool| {
                let (name, source) = (name.clone(), source.clone());
                Callback::from(move |_: MouseEvent| {
                    crate::engine::handout::export(source.as_ref(), &name, svg);
                })
            }
        };
        let print = source.map(|s| {
            Callback::from(move |_: MouseEvent| {
                crate::engine::handout::print(&s);
            })
        });
        (save, print, Html::default())
    };
    #[cfg(not(feature = "full"))]
    let (save, print, loading) = {
        // None: not asked; Some(None): loading; Some(Some(e)): the load failed.
        let state = use_state(|| None::<Option<String>>);
        let loading = match &*state {
            None => Html::default(),
            Some(None) => html! {
                <span class="export-loading" role="status" data-testid="export-loading">
                    { tr("正在加载讲义功能（完整版应用）……", "Loading the handout (the full app)…") }
                </span>
            },
            Some(Some(e)) => html! {
                <span class="notice error" role="alert" data-testid="export-error">
                    { tr("讲义没能加载，请检查网络后再试：", "The handout could not be loaded; check the connection and try again: ") }
                    { e.clone() }
                </span>
            },
        };
        let ask = move |what: &'static str| {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| {
                state.set(Some(None));
                let failed = state.setter();
                crate::pages::export_in_full_build(
                    what,
                    Callback::from(move |e: String| failed.set(Some(Some(e)))),
                );
            })
        };
        let print = ask("print");
        (
            move |svg: bool| ask(if svg { "svg" } else { "png" }),
            Some(print),
            loading,
        )
    };
    let print = print.map(|onclick| {
        html! {
            <button class="chip" data-testid="print" {onclick}>{ tr("打印 / PDF", "Print / PDF") }</button>
        }
    });
    html! {
        <div class="share">
            if p.share.is_some() {
                <button class="chip" data-testid="copy-link" onclick={copy(false)}>{ tr("复制链接", "Copy link") }</button>
                <button class="chip copy-embed" data-testid="copy-embed" onclick={copy(true)}>{ tr("复制嵌入代码", "Copy embed code") }</button>
            }
            <button class="chip" data-testid="export-svg" onclick={save(true)}>{ tr("导出 SVG", "Export SVG") }</button>
            <button class="chip" data-testid="export-png" onclick={save(false)}>{ tr("导出 PNG", "Export PNG") }</button>
            { for print }
            { loading }
            if let Some(text) = (*shared_text).clone() {
                <input class="share-out mono" readonly=true data-testid="share-output" value={text}
                    aria-label={tr("已复制的内容", "Copied text")}
                    onfocus={Callback::from(|e: FocusEvent| {
                        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                    })} />
            }
        </div>
    }
}
