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
    // The full build exports the whole scene with its footnotes (`handout`), where the player
    // provides what it needs; the first load exports the frame on screen.
    #[cfg(feature = "full")]
    let source = use_context::<crate::engine::handout::Source>();
    let save = |svg: bool| {
        let name = p.export_name.clone();
        #[cfg(feature = "full")]
        let source = source.clone();
        Callback::from(move |_: MouseEvent| {
            #[cfg(feature = "full")]
            if let Some(s) = &source {
                if let Some((text, w, h)) = crate::engine::handout::svg(s) {
                    export::save_svg(&name, svg, text, w, h);
                    return;
                }
            }
            if svg {
                export::export_svg(&name);
            } else {
                export::export_png(&name);
            }
        })
    };
    #[cfg(feature = "full")]
    let print = source.clone().map(|s| {
        html! {
            <button class="chip" data-testid="print" onclick={Callback::from(move |_: MouseEvent| {
                crate::engine::handout::print(&s);
            })}>{ tr("打印 / PDF", "Print / PDF") }</button>
        }
    });
    #[cfg(not(feature = "full"))]
    let print: Option<Html> = None;
    html! {
        <div class="share">
            if p.share.is_some() {
                <button class="chip" data-testid="copy-link" onclick={copy(false)}>{ tr("复制链接", "Copy link") }</button>
                <button class="chip copy-embed" data-testid="copy-embed" onclick={copy(true)}>{ tr("复制嵌入代码", "Copy embed code") }</button>
            }
            <button class="chip" data-testid="export-svg" onclick={save(true)}>{ tr("导出 SVG", "Export SVG") }</button>
            <button class="chip" data-testid="export-png" onclick={save(false)}>{ tr("导出 PNG", "Export PNG") }</button>
            { for print }
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
