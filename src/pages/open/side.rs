//! The model run beside a recorded trace: the replay, the alignment of the two runs as notes on
//! both ladders, and the component that draws them side by side with the differences listed.

use synack_model::presets::Knobs;
use synack_model::read::path_text;
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;
use yew::prelude::*;

use super::diff;
use crate::engine::ladder::LadderView;
use crate::engine::layout::{Ladder, Note};
use crate::engine::params::Params;
use crate::engine::Shared;
use crate::i18n::{Lang, T};

/// The model's run of the same situation and how the recorded trace differs from it.
#[derive(PartialEq)]
pub struct ModelSide {
    pub(super) replay: diff::Replay,
    pub(super) diff: diff::Diff,
    /// The recorded ladder with the differences as notes, and the model's.
    pub(super) recorded: Shared<Ladder>,
    pub(super) trace: Shared<Trace>,
    pub(super) ladder: Shared<Ladder>,
}

pub(super) fn model_side(trace: &Trace, base: &Ladder, lang: Lang) -> Result<ModelSide, String> {
    model_side_with(trace, base, lang, diff::replay_for(trace))
}

/// A kernel recording of the repository (`tests/kernel-recordings/`, copied next to the page)
/// beside the model's run of the very scenario the lab ran, not of a preset guessed from it.
pub(super) fn recording_side(
    trace: &Trace,
    base: &Ladder,
    lang: Lang,
    name: &str,
    scenario: Scenario,
) -> Result<ModelSide, String> {
    let link = &scenario.network.default;
    let knobs = Knobs {
        latency_ms: link.latency_us as f64 / 1000.0,
        jitter_ms: link.jitter_us as f64 / 1000.0,
        loss_pct: link.loss_pct,
        seed: scenario.seed,
        profile: scenario.profile,
    };
    let replay = diff::Replay {
        scenario,
        preset: name.to_string(),
        knobs,
        rtt_us: None,
    };
    model_side_with(trace, base, lang, replay)
}

pub(super) fn model_side_with(
    trace: &Trace,
    base: &Ladder,
    lang: Lang,
    replay: diff::Replay,
) -> Result<ModelSide, String> {
    let mut model = synack_model::simulate(&replay.scenario).map_err(|e| format!("{e:?}"))?;
    if model.snapshots.is_empty() {
        model.build_snapshots(64);
    }
    let d = diff::diff(trace, &model);
    let mut recorded = base.clone();
    let mut ladder = Ladder::build(&model, None);
    let note = |text: String| Note { text, warn: true };
    let (only_rec, only_model) = match lang {
        Lang::Zh => ("模型里没有", "实测里没有"),
        Lang::En => ("not in the model", "not recorded"),
    };
    for p in &d.pairs {
        match *p {
            diff::Pair::OnlyA(i) => {
                recorded.notes.insert(i, note(only_rec.into()));
            }
            diff::Pair::OnlyB(j) => {
                ladder.notes.insert(j, note(only_model.into()));
            }
            diff::Pair::Both {
                a,
                b,
                dt,
                late: true,
            } => {
                let t = format!("Δt {:+.1} ms", dt as f64 / 1000.0);
                recorded.notes.insert(a, note(t.clone()));
                ladder.notes.insert(b, note(t));
            }
            diff::Pair::Both { .. } => {}
        }
    }
    Ok(ModelSide {
        replay,
        diff: d,
        recorded: Shared::new(recorded),
        trace: Shared::new(model),
        ladder: Shared::new(ladder),
    })
}

#[derive(Properties, PartialEq)]
pub(super) struct SideProps {
    pub(super) side: Shared<ModelSide>,
    pub(super) recorded: Shared<Trace>,
    pub(super) lang: Lang,
}

/// The recorded ladder and the model's, side by side (whole runs), with the differences noted
/// on the arrows and summed up above them.
#[component]
pub(super) fn SideBySide(p: &SideProps) -> Html {
    let lang = p.lang;
    let m = &*p.side;
    let d = &m.diff;
    let k = &m.replay.knobs;
    let numbering = Params::defaults("").numbering;
    let rtt = m
        .replay
        .rtt_us
        .map(crate::engine::ladder::fmt_ms)
        .unwrap_or_else(|| "—".into());
    let params = match lang {
        Lang::Zh => format!(
            "模型预设 {}，Linux 配置，单程延迟 {:.3} ms（握手 RTT {rtt} 的一半），丢包 {:.1}%（实测重传比例），种子 {}。",
            m.replay.preset, k.latency_ms, k.loss_pct, k.seed
        ),
        Lang::En => format!(
            "Model preset {}, Linux profile, one-way delay {:.3} ms (half the handshake RTT {rtt}), loss {:.1}% (the share of retransmitted segments), seed {}.",
            m.replay.preset, k.latency_ms, k.loss_pct, k.seed
        ),
    };
    let tol = match lang {
        Lang::Zh => format!(
            "时间容差：较晚时间的 {}% 或 {} ms，取较大者（与 synack-lab compare 相同）。",
            diff::TOLERANCE.pct,
            diff::TOLERANCE.floor_us as f64 / 1000.0
        ),
        Lang::En => format!(
            "Timing tolerance: {}% of the later time or {} ms, whichever is larger (as in synack-lab compare).",
            diff::TOLERANCE.pct,
            diff::TOLERANCE.floor_us as f64 / 1000.0
        ),
    };
    let verdict = if d.agree() {
        T::new(
            "一致：包序列、状态和时间都在容差内。",
            "They agree: packet sequence, states and timing within the tolerance.",
        )
        .get(lang)
        .to_string()
    } else {
        match lang {
            Lang::Zh => format!(
                "有差异：实测多出 {} 个包，缺少 {} 个，{} 个时间超出容差。",
                d.extra(), d.missing(), d.late()
            ),
            Lang::En => format!(
                "They differ: {} segment(s) only recorded, {} only in the model, {} beyond the timing tolerance.",
                d.extra(), d.missing(), d.late()
            ),
        }
    };
    let sides = [T::new("客户端", "client"), T::new("服务端", "server")];
    let state_rows = (0..2).map(|i| {
        let ok = d.states_agree(i);
        html! {
            <tr class={classes!((!ok).then_some("differs"))} data-testid={format!("diff-states-{i}")}>
                <td>{ sides[i].get(lang) }</td>
                <td class="mono">{ path_text(&d.states_a[i]) }</td>
                <td class="mono">{ path_text(&d.states_b[i]) }</td>
                <td>{ if ok { "✓" } else { "≠" } }</td>
            </tr>
        }
    });
    let noop = Callback::from(|_: usize| ());
    html! {
        <section class="side-by-side" data-testid="open-compare">
            <h2>{ T::new("与模型对照", "Side by side with the model").get(lang) }</h2>
            <p class="muted">{ params }{" "}{ tol }</p>
            <p class={classes!("notice", if d.agree() { "ok" } else { "warn" })} data-testid="diff-verdict">{ verdict }</p>
            if d.truncated {
                <p class="muted">{ format!("{} {}", T::new("只比较了前", "Only the first").get(lang), diff::MAX_ALIGN) }</p>
            }
            <div class="table-scroll">
                <table class="diff-states">
                    <thead><tr>
                        <th></th>
                        <th>{ T::new("实测的状态", "Recorded states").get(lang) }</th>
                        <th>{ T::new("模型的状态", "Model states").get(lang) }</th>
                        <th></th>
                    </tr></thead>
                    <tbody>{ for state_rows }</tbody>
                </table>
            </div>
            <div class="split">
                <div class="split-col" data-testid="compare-recorded">
                    <div class="split-title">{ T::new("实测", "Recorded") .get(lang) }</div>
                    <LadderView ladder={m.recorded.clone()} trace={p.recorded.clone()} t={m.recorded.duration as f64 + 1.0}
                        playing=false follow=false {numbering} {lang} selected={None::<usize>} on_select={noop.clone()} uid="cmp-a" />
                </div>
                <div class="split-col" data-testid="compare-model">
                    <div class="split-title">{ T::new("模型", "Model").get(lang) }</div>
                    <LadderView ladder={m.ladder.clone()} trace={m.trace.clone()} t={m.ladder.duration as f64 + 1.0}
                        playing=false follow=false {numbering} {lang} selected={None::<usize>} on_select={noop} uid="cmp-b" />
                </div>
            </div>
        </section>
    }
}
