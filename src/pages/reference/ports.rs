//! `#/ref/ports`: the common-ports table with a search box and protocol chips.
//! `#/ref/ports?q=redis` opens with a search filled in.

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::ports_data::{filter, texts, ProtoFilter, Reg, PORTS};
use crate::app::use_shell;
use crate::i18n::{Lang, T};
use crate::pages::use_ready_after_render;
use crate::route::Route;
use crate::texts::{Fetched, Text};

const INTRO: T = T::new(
    "面试常问的端口，加上今天开发中天天见到的端口。“IANA”表示这个端口正式登记给该服务；“惯例”表示只是大家习惯这样用（IANA 可能登记给了别的服务）。一份流传很广的面试端口表里已过时或有误的地方，说明中已更正。",
    "The ports interviews ask about, plus the ones developers meet every day. \"IANA\" means the port is officially assigned to the service; \"convention\" means it is just customary (IANA may list something else). Where an often-repeated interview table of ports is dated or wrong, the description says so.",
);
const SEARCH: T = T::new(
    "按端口号、名称或协议搜索",
    "Search by number, name or protocol",
);
const PLACEHOLDER: T = T::new(
    "如 80、redis、ssh、udp、邮件",
    "e.g. 80, redis, ssh, udp, mail",
);
const ALL: T = T::new("全部", "All");
const PORT: T = T::new("端口", "Port");
const TRANSPORT: T = T::new("传输层", "Transport");
const SERVICE: T = T::new("服务", "Service");
const STATUS: T = T::new("登记", "Status");
const WHAT: T = T::new("说明", "What it is");
const IANA: T = T::new("IANA", "IANA");
const RESERVED: T = T::new("IANA 保留", "IANA reserved");
const CONVENTION: T = T::new("惯例", "convention");
const SEED: T = T::new("面试常考", "interview list");
const DATED: T = T::new("历史", "historical");
const NONE: T = T::new(
    "没有匹配的端口。试试端口号、服务名或 tcp/udp。",
    "No port matches. Try a number, a service name, or tcp/udp.",
);
/// While the descriptions' file is on its way: the search already finds numbers, names and
/// protocols (they are in the build), not yet the words of the descriptions.
const LOADING: T = T::new(
    "正在加载端口说明……现在已经可以按端口号、名称和协议搜索，说明加载后也能搜说明里的词。",
    "Loading the ports' descriptions… The search finds numbers, names and protocols already, and the descriptions' words once they are in.",
);

fn reg_label(r: Reg) -> T {
    match r {
        Reg::Iana => IANA,
        Reg::Reserved => RESERVED,
        Reg::Convention => CONVENTION,
    }
}

fn count_text(lang: Lang, shown: usize, total: usize) -> String {
    match lang {
        Lang::Zh => format!("显示 {shown} / {total} 个端口"),
        Lang::En => format!("{shown} of {total} ports"),
    }
}

/// The `value` of an input event's target, without needing extra web-sys features.
fn target_value(e: &Event) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The initial search (from `?q=`).
    #[prop_or_default]
    pub query: String,
}

#[component]
pub fn PortsPage(props: &Props) -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let query = use_state(|| props.query.clone());
    let proto = use_state(|| ProtoFilter::All);
    // The descriptions are a file fetched after first paint (`crate::texts`): the table, its
    // numbers and names, and the search box are there and usable at once.
    let fetched = crate::texts::use_table_words(Text::RefPorts, texts);
    let (state, descs): (&str, &[T]) = match fetched {
        Fetched::In(w) => ("in", w),
        Fetched::Loading => ("loading", &[]),
        Fetched::Failed => ("failed", &[]),
    };
    let rows = filter(descs, &query, *proto);
    let missing = if fetched == Fetched::Loading {
        "…"
    } else {
        "—"
    };

    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| query.set(target_value(&e)))
    };
    let chip = |p: ProtoFilter, label: &str, id: &str| {
        let proto_h = proto.clone();
        html! {
            <button type="button" class="chip" aria-pressed={(*proto == p).to_string()}
                data-testid={format!("proto-{id}")}
                onclick={Callback::from(move |_| proto_h.set(p))}>{ label.to_string() }</button>
        }
    };

    html! {
        <div class="page reference ref-ports" data-testid="page-ref-ports" data-words={state}>
            <h1>{ Route::RefPorts.title().get(lang) }</h1>
            <p class="route-blurb">{ INTRO.get(lang) }</p>
            if fetched == Fetched::Loading {
                <p class="notice" data-testid="ports-loading" role="status">{ LOADING.get(lang) }</p>
            } else if fetched == Fetched::Failed {
                { crate::texts::failed_notice(Text::RefPorts, lang) }
            }
            <div class="port-tools" role="search">
                <label class="port-search">
                    <span>{ SEARCH.get(lang) }</span>
                    <input type="search" value={(*query).clone()} {oninput}
                        placeholder={PLACEHOLDER.get(lang)} data-testid="port-search"
                        autocomplete="off" spellcheck="false" />
                </label>
                <div class="chips" role="group" aria-label={TRANSPORT.get(lang)}>
                    { chip(ProtoFilter::All, ALL.get(lang), "all") }
                    { chip(ProtoFilter::Tcp, "TCP", "tcp") }
                    { chip(ProtoFilter::Udp, "UDP", "udp") }
                </div>
                <span class="port-count mono" data-testid="port-count" aria-live="polite">
                    { count_text(lang, rows.len(), PORTS.len()) }
                </span>
            </div>
            if rows.is_empty() {
                <p class="notice" data-testid="port-none">{ NONE.get(lang) }</p>
            } else {
                <div class="table-wrap">
                    <table class="ref-table port-table" data-testid="port-table">
                        <thead>
                            <tr>
                                <th scope="col">{ PORT.get(lang) }</th>
                                <th scope="col">{ TRANSPORT.get(lang) }</th>
                                <th scope="col">{ SERVICE.get(lang) }</th>
                                <th scope="col">{ STATUS.get(lang) }</th>
                                <th scope="col">{ WHAT.get(lang) }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for rows.iter().map(|(p, desc)| html! {
                                <tr data-testid={format!("port-row-{}", p.num)} class={classes!(p.dated.then_some("dated"))}>
                                    <td class="mono port-num">{ p.num }</td>
                                    <td class="mono">{ p.tr.label() }</td>
                                    <td class="port-name">{ p.name }</td>
                                    <td>
                                        <span class={classes!("badge", match p.reg { Reg::Iana => "iana", Reg::Reserved => "reserved", Reg::Convention => "convention" })}>
                                            { reg_label(p.reg).get(lang) }
                                        </span>
                                        if p.seed { <span class="badge seed">{ SEED.get(lang) }</span> }
                                        if p.dated { <span class="badge dated">{ DATED.get(lang) }</span> }
                                    </td>
                                    <td class="port-desc">{ desc.map_or(missing, |d| d.get(lang)) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </div>
    }
}
