//! The capture's conversation list: a filter, one row a conversation, more rows on request.

use std::rc::Rc;

use yew::prelude::*;

use super::state::{CaptureView, ConvRow, PAGE};
use super::{format, problems};
use crate::i18n::{Lang, T};

#[derive(Properties, PartialEq)]
pub(super) struct TableProps {
    pub(super) view: CaptureView,
    pub(super) lang: Lang,
    pub(super) on_filter: Callback<InputEvent>,
    /// (conversation id, its packets).
    pub(super) on_pick: Callback<(u32, u64)>,
    /// Asks for this many rows.
    pub(super) on_more: Callback<usize>,
}

#[derive(Properties, PartialEq)]
struct RowProps {
    row: Rc<ConvRow>,
    on: bool,
    lang: Lang,
    on_pick: Callback<(u32, u64)>,
}

/// One conversation; its own component so a click re-renders two rows, not the whole table.
#[component]
fn ConvRowView(p: &RowProps) -> Html {
    let r = &*p.row;
    let pick = {
        let cb = p.on_pick.clone();
        let (id, packets) = (r.id, r.packets);
        Callback::from(move |_: MouseEvent| cb.emit((id, packets)))
    };
    html! {
        <tr class={classes!(p.on.then_some("on"), r.has_trouble.then_some("trouble"))}
            data-testid={format!("conv-{}", r.id)} onclick={pick.clone()}>
            <td class="mono">{ r.id }</td>
            <td>{ format::proto_name(r.proto) }</td>
            <td class="mono">{ r.a.clone() }</td>
            <td class="mono">{ r.b.clone() }</td>
            <td class="num">{ r.packets }</td>
            <td class="num">{ format::bytes(r.bytes) }</td>
            <td class="num">{ format::duration_us(r.duration_us) }</td>
            <td>{ format::progress_name(r.progress, p.lang) }</td>
            <td class="marks">{ format::mark_words(r.marks, p.lang, ", ") }</td>
            <td><button class="case" aria-pressed={p.on.to_string()} onclick={pick}>
                { T::new("查看", "View").get(p.lang) }</button></td>
        </tr>
    }
}

/// The conversation list (like Wireshark's Statistics → Conversations) and the reader's
/// problems. Rows are the worker's `ConversationRow` JSON.
#[component]
pub(super) fn CaptureTable(p: &TableProps) -> Html {
    let lang = p.lang;
    let s = &p.view.summary;
    let problems = &s.problems;
    let suppressed = s.problems_suppressed;
    let summary = match lang {
        Lang::Zh => format!(
            "{}：{} 帧，{} 个 TCP/UDP 包，{} 个会话",
            p.view.name, s.frames, s.packets, s.conversations
        ),
        Lang::En => format!(
            "{}: {}, {}, {}",
            p.view.name,
            count(s.frames, "frame"),
            count(s.packets, "TCP/UDP packet"),
            count(s.conversations, "conversation")
        ),
    };
    let partial = s.partial;
    let problem_list = (!problems.is_empty()).then(|| {
        html! {
            <div class={classes!("notice", if partial { "error" } else { "warn" })} data-testid="open-problems">
                <strong>{ if partial {
                    T::new("文件没能读完，下面是读到的部分：", "The file could not be read to the end; below is what was read:").get(lang)
                } else {
                    T::new("读取时的警告：", "Warnings while reading:").get(lang)
                } }</strong>
                <ul>
                    { for problems.iter().map(|pr| html! {
                        <li data-what={problems::what(&pr.detail)}>
                            <span class="mono">{ format::problem_place(&pr.location, lang) }</span>
                            { " — " }{ problems::problem_text(&pr.detail, lang) }
                        </li>
                    }) }
                    if suppressed > 0 {
                        <li>{ format!("… +{suppressed}") }</li>
                    }
                </ul>
            </div>
        }
    });
    let rows = p.view.rows.iter().map(|r| {
        html! { <ConvRowView key={r.id} row={r.clone()} on={p.view.selected == Some(r.id)} {lang}
        on_pick={p.on_pick.clone()} /> }
    });
    let shown = p.view.rows.len() as u64;
    let more = (shown < p.view.total_rows).then(|| {
        let next = shown as usize + PAGE;
        let cb = p.on_more.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(next));
        html! {
            <p class="open-more" data-testid="open-more">
                <span class="muted">{ match lang {
                    Lang::Zh => format!("显示了 {shown} / {} 个会话；用筛选缩小范围，或", p.view.total_rows),
                    Lang::En => format!("Showing {shown} of {} conversations; narrow them with the filter, or", p.view.total_rows),
                } }</span>{" "}
                <button class="case" data-testid="open-more-button" {onclick}>
                    { match lang {
                        Lang::Zh => format!("再显示 {} 个", (p.view.total_rows - shown).min(PAGE as u64)),
                        Lang::En => format!("show {} more", (p.view.total_rows - shown).min(PAGE as u64)),
                    } }
                </button>
            </p>
        }
    });
    html! {
        <section class="open-capture" data-testid="open-capture">
            <p data-testid="open-summary">{ summary }</p>
            { for problem_list }
            <label class="open-filter">
                <span>{ T::new("筛选", "Filter") .get(lang) }</span>
                <input type="search" data-testid="open-filter" oninput={p.on_filter.clone()}
                    placeholder="10.0.0.1 port 80 rst · :443 retrans · udp · trouble" />
            </label>
            if let Some(e) = &p.view.filter_error {
                <p class="notice error mono" role="alert" data-testid="open-filter-error">{ e.clone() }</p>
            }
            // A box of its own (static/full/open.css): with a page of rows, the ladder of the picked
            // conversation stays a short scroll away.
            <div class="table-scroll open-conversations-wrap">
                <table class="conv-table" data-testid="open-conversations">
                    <thead><tr>
                        <th>{"#"}</th>
                        <th>{ T::new("协议", "Proto").get(lang) }</th>
                        <th>{ T::new("地址 A", "Address A").get(lang) }</th>
                        <th>{ T::new("地址 B", "Address B").get(lang) }</th>
                        <th>{ T::new("包", "Packets").get(lang) }</th>
                        <th>{ T::new("字节", "Bytes").get(lang) }</th>
                        <th>{ T::new("时长", "Duration").get(lang) }</th>
                        <th>{ T::new("最远状态", "Furthest state").get(lang) }</th>
                        <th>{ T::new("问题标记", "Trouble").get(lang) }</th>
                        <th></th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            { for more }
            if p.view.rows.is_empty() {
                <p class="muted" data-testid="open-no-rows">{ T::new("没有会话。", "No conversations.").get(lang) }</p>
            }
        </section>
    }
}

/// "1 frame", "2 frames": an English count with its noun.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
