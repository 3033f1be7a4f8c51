//! The row above the diagram: the two view tabs and the legend of the segment kinds present.

use yew::prelude::*;

use crate::engine::labels::SegKindText;
use crate::engine::ladder::kinds_present;
use crate::engine::layout::Ladder;
use crate::engine::params::View;
use crate::engine::Shared;
use crate::i18n::{Lang, T};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: View,
    pub on_view: Callback<View>,
    pub ladder: Shared<Ladder>,
    pub lang: Lang,
    /// Presentation mode is on (the button then leaves it).
    pub presenting: bool,
    /// The Present button (and the `f` key, [`super::keys`]).
    pub on_present: Callback<()>,
}

#[component]
pub fn StageTabs(p: &Props) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    let refs = [use_node_ref(), use_node_ref()];
    let views = [View::Ladder, View::States];
    // The tablist's keys (WAI-ARIA's tabs pattern): ←/→ (and Home/End) select and focus the
    // other tab, Tab leaves the list from the selected one (the other is out of the Tab order).
    // Stopped here, so that on a tab the arrows do not also step the player (its keys listen on
    // the window).
    let onkeydown = {
        let (on_view, refs, view) = (p.on_view.clone(), refs.clone(), p.view);
        Callback::from(move |e: KeyboardEvent| {
            let at = views.iter().position(|v| *v == view).unwrap_or(0);
            let to = match e.key().as_str() {
                "ArrowRight" => (at + 1) % views.len(),
                "ArrowLeft" => (at + views.len() - 1) % views.len(),
                "Home" => 0,
                "End" => views.len() - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            if let Some(el) = refs[to].cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
            on_view.emit(views[to]);
        })
    };
    let tab = |i: usize, testid: &'static str, name: &'static str| {
        let (on_view, v) = (p.on_view.clone(), views[i]);
        html! {
            <button role="tab" class={classes!("tab", (p.view == v).then_some("on"))}
                aria-selected={(p.view == v).to_string()} data-testid={testid} ref={refs[i].clone()}
                tabindex={if p.view == v { "0" } else { "-1" }}
                onclick={Callback::from(move |_: MouseEvent| on_view.emit(v))}>
                { name }
            </button>
        }
    };
    html! {
        <div class="stage-tabs">
            // Only the two tabs in the tablist (the legend beside them is not a tab);
            // `display: contents` keeps the row's layout.
            <div role="tablist" style="display:contents" {onkeydown}>
                { tab(0, "view-ladder", tr("时序图", "Sequence diagram")) }
                { tab(1, "view-states", tr("状态机", "State machine")) }
            </div>
            <Legend ladder={p.ladder.clone()} lang={p.lang} />
            <button class="chip present-toggle" data-testid="present" aria-pressed={p.presenting.to_string()}
                title={tr("演示模式（F；Esc 退出）", "Presentation mode (F; Esc leaves)")}
                onclick={p.on_present.reform(|_: MouseEvent| ())}>
                { if p.presenting { tr("退出演示", "Leave") } else { tr("演示", "Present") } }
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    ladder: Shared<Ladder>,
    lang: Lang,
}

/// One swatch per segment kind the ladder draws, and "✕ lost" when something is lost.
#[component]
fn Legend(p: &LegendProps) -> Html {
    let lang = p.lang;
    let kinds = use_memo(p.ladder.clone(), |l| {
        (kinds_present(l), l.arrows.iter().any(|a| a.lost()))
    });
    let (kinds, has_loss) = &*kinds;
    html! {
        <span class="legend" aria-label={T::new("图例", "Legend").get(lang)}>
            { for kinds.iter().map(|k| html! {
                <span class={classes!("legend-item")}><span class={classes!("swatch", format!("k-{}", k.css()))} />{ k.name(lang) }</span>
            }) }
            if *has_loss { <span class="legend-item lost-item">{ T::new("✕ 丢失", "✕ lost").get(lang) }</span> }
        </span>
    }
}
