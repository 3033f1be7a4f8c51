//! The player: a trace's ladder or state diagram, host panels, narration, timeline, controls,
//! sharing and export. Scenes give it a trace; it owns playback.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use synack_model::trace::{Addr, EventKind, Proto, QueueKind, TcpState, Trace};

use super::export;
use super::inspector::Inspector;
use super::labels::{Isns, Numbering, SegKind, SegKindText};
use super::ladder::{fmt_ms, kinds_present, state_group, LadderView, Placement};
use super::layout::Ladder;
use super::narration::{localize_name, narrated, sentence, timer_name};
use super::params::{fmt_speed, slider_from_speed, speed_from_slider, View};
use super::playback::{Action, Playback};
use super::state_diagram::{Lit, StateDiagram};
use super::Shared;
use crate::hooks::use_animation_frame;
use crate::i18n::{Lang, T};
use crate::num;

/// What the player reports back for the URL (only while paused, so playback does not spam
/// the history API).
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerState {
    pub t_us: u64,
    pub speed: f64,
    pub numbering: Numbering,
    pub view: View,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub trace: Shared<Trace>,
    pub ladder: Shared<Ladder>,
    pub lang: Lang,
    pub init_t: Option<u64>,
    pub speed: f64,
    pub numbering: Numbering,
    pub view: View,
    pub autoplay: bool,
    pub on_change: Callback<PlayerState>,
    /// (time, nonce): a request from the scene to show a moment (comparison-table rows).
    #[prop_or_default]
    pub jump: Option<(u64, u32)>,
    /// File name stem for exports.
    pub export_name: AttrValue,
    /// Builds the link for "Copy link" / "Copy embed code" (reads the current URL). `None`
    /// where a link cannot reproduce what is shown (a local file): no share buttons then.
    #[prop_or_default]
    pub share: Option<Callback<bool, String>>,
    #[prop_or_default]
    pub only: Option<Proto>,
    /// TCP and UDP ladders drawn side by side (same playhead) instead of the combined one.
    #[prop_or_default]
    pub split: Option<(Shared<Ladder>, Shared<Ladder>)>,
    /// A scene's own view, drawn under the controls from the live playhead (µs) on every
    /// frame, also while playing (the URL only learns the playhead when paused).
    #[prop_or_default]
    pub panel: Option<Callback<u64, Html>>,
    /// The playhead is held where it is (interview mode, while a question is open): the
    /// transport's buttons, the timeline and the keyboard shortcuts do nothing.
    #[prop_or_default]
    pub locked: bool,
}

#[component]
pub fn Player(p: &Props) -> Html {
    let lang = p.lang;
    let reduced = use_memo((), |_| crate::prefs::reduced_motion());
    let pb = {
        let ladder = p.ladder.clone();
        let t = p.init_t.unwrap_or(0) as f64;
        let speed = p.speed;
        let reduced = *reduced;
        use_reducer(move || Playback::new(ladder, t, speed, reduced))
    };
    let numbering = use_state(|| p.numbering);
    let view = use_state(|| p.view);
    let selected = use_state(|| None::<usize>);
    let shared_text = use_state(|| None::<String>);
    let isns = use_memo(p.trace.clone(), |t| Shared::new(Isns::of_trace(t)));

    // New trace (a parameter changed): keep the playhead, drop a selection that may not exist.
    {
        let pb = pb.clone();
        let selected = selected.clone();
        use_effect_with(p.ladder.clone(), move |l| {
            if pb.ladder != *l {
                pb.dispatch(Action::Load(l.clone()));
                selected.set(None);
            }
        });
    }
    // What lies beside and below the diagram (the hosts' panels, narration, timeline, controls)
    // is drawn once the first frame is painted: the diagram comes first, and those parts' code
    // (compiled by the browser on first call) and layout do not hold it up.
    let painted = crate::hooks::use_after_paint();
    // Tests and benchmarks wait on `data-ready`: it is set once the whole player is drawn.
    use_effect_with(painted, |&painted| {
        if painted {
            crate::dom::set_ready(true)
        }
    });
    {
        let pb = pb.clone();
        use_effect_with(p.autoplay, move |&a| {
            if a {
                pb.dispatch(Action::Play);
            }
        });
    }
    // Jumps requested by the scene.
    {
        let pb = pb.clone();
        use_effect_with(p.jump, move |j| {
            if let Some((t, _)) = j {
                pb.dispatch(Action::Pause);
                pb.dispatch(Action::Seek(*t as f64));
            }
        });
    }
    // Report to the URL while paused.
    {
        let on_change = p.on_change.clone();
        let st = PlayerState {
            t_us: pb.t.round() as u64,
            speed: pb.speed,
            numbering: *numbering,
            view: *view,
        };
        use_effect_with((st, pb.playing), move |(st, playing)| {
            if !playing {
                on_change.emit(st.clone());
            }
        });
    }
    // Animation: one Tick per frame while playing.
    {
        let pb2 = pb.clone();
        let on_frame = Callback::from(move |dt: f64| pb2.dispatch(Action::Tick(dt)));
        use_animation_frame(pb.playing, on_frame);
    }
    // Keyboard: Space play/pause, ←/→ step, [ and ] start/end.
    let locked = use_mut_ref(|| false);
    *locked.borrow_mut() = p.locked;
    {
        let pb = pb.clone();
        let locked = locked.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("window");
            // Not passive: Space and the arrows must not also scroll the page.
            let opts = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(&window, "keydown", opts, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() || *locked.borrow() {
                    return;
                }
                let tag = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| el.tag_name())
                    .unwrap_or_default();
                if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                    return;
                }
                let action = match e.key().as_str() {
                    " " if tag != "BUTTON" => Action::Toggle,
                    "ArrowRight" => Action::Step(1),
                    "ArrowLeft" => Action::Step(-1),
                    "[" => Action::Start,
                    "]" => Action::End,
                    _ => return,
                };
                e.prevent_default();
                pb.dispatch(action);
            });
            move || drop(listener)
        });
    }

    let trace = &*p.trace;
    let ladder = &*p.ladder;
    let t = pb.t;

    // Stable callbacks: the static ladder layer re-renders only when its props change, and a
    // fresh Callback would make it redraw every arrow on every frame.
    let on_select = {
        let selected = selected.setter();
        use_callback((), move |i: usize, _| selected.set(Some(i)))
    };
    let split_select = {
        let combined = p.ladder.clone();
        let on_select = on_select.clone();
        use_memo((p.split.clone(), combined), move |(split, combined)| {
            split.as_ref().map(|(tcp, udp)| {
                [tcp, udp].map(|l| {
                    let (l, combined, on_select) = (l.clone(), combined.clone(), on_select.clone());
                    Callback::from(move |j: usize| {
                        if let Some(i) = l
                            .arrows
                            .get(j)
                            .and_then(|b| combined.arrows.iter().position(|a| a.id == b.id))
                        {
                            on_select.emit(i);
                        }
                    })
                })
            })
        })
    };
    let btn = |a: fn() -> Action| {
        let pb = pb.clone();
        Callback::from(move |_: MouseEvent| pb.dispatch(a()))
    };
    let on_scrub = {
        let pb = pb.clone();
        let ladder = p.ladder.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let v = num::parse_f64(&input.value()).unwrap_or(0.0);
            let y_end = ladder.warp.y(ladder.end() as f64);
            let y0 = ladder.warp.y(0.0);
            let t = ladder.warp.t(y0 + (y_end - y0) * v / 10_000.0);
            pb.dispatch(Action::Pause);
            pb.dispatch(Action::Seek(t));
        })
    };
    let on_speed = {
        let pb = pb.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let v = num::parse_f64(&input.value()).unwrap_or(500.0);
                pb.dispatch(Action::Speed(speed_from_slider(v)));
            }
        })
    };
    let scrub_value = {
        let y0 = ladder.warp.y(0.0);
        let y_end = ladder.warp.y(ladder.end() as f64);
        if y_end > y0 {
            ((ladder.warp.y(t) - y0) / (y_end - y0) * 10_000.0).round()
        } else {
            0.0
        }
    };

    // Narration: every event at the latest moment at or before the playhead. Worded once per
    // moment, not per frame: a burst (a thousand datagrams sent at once) is a thousand lines.
    let upto = trace.events.partition_point(|e| (e.t as f64) <= t);
    let first = match upto.checked_sub(1) {
        Some(last) => {
            let m = trace.events[last].t;
            trace.events[..upto].partition_point(|e| e.t < m)
        }
        None => 0,
    };
    let isns_now = (*isns).clone();
    // Worded only once the narration is drawn (after the first paint, see `painted`).
    let api = crate::app::use_shell().api;
    let lines = use_memo(
        (p.trace.clone(), first, upto, lang, p.only, painted, api),
        move |(trace, first, upto, lang, only, painted, api)| {
            let lines: Vec<String> = if !*painted {
                Vec::new()
            } else if *upto == 0 {
                vec![T::new(
                    "按 ▶ 播放，或用 → 一步一步看。",
                    "Press ▶ to play, or → to go one step at a time.",
                )
                .get(*lang)
                .to_string()]
            } else {
                let mut told = (*first..*upto)
                    .filter(|&i| keep_event(trace, i, *only) && narrated(&trace.events[i].kind));
                let mut lines: Vec<String> = told
                    .by_ref()
                    .take(NARRATION_LINES)
                    .filter_map(|i| sentence(trace, &isns_now, i, *lang, *api))
                    .collect();
                // A burst is summed up after its first lines: a thousand datagrams sent at once
                // would cost the frame a thousand paragraphs that nobody reads at one moment;
                // the ladder shows every one of them. The rest are counted, not worded.
                let more = told.count();
                if more > 0 {
                    lines.push(match *lang {
                        Lang::Zh => format!("……此刻还有 {more} 件事。"),
                        Lang::En => format!("… and {more} more at this moment."),
                    });
                }
                lines
            };
            Shared::new(lines)
        },
    );

    // State diagram: each TCP socket's state and last transition.
    let states_now = ladder.states_at(t);
    let lit: Vec<Lit> = states_now
        .iter()
        .map(|(sock, (lane, st, mark))| {
            // Named as the narration names it ("server", never a scenario's "conn").
            let label = super::narration::socket_name(trace, *sock, lang);
            Lit {
                who: label,
                side: (*lane).min(1),
                state: *st,
                last: mark.map(|m| (m.from, m.to)),
            }
        })
        .collect();

    // The sockets' queues and windows, for the hosts' panels (drawn after the first paint).
    let snap = painted.then(|| trace.view_at(t as u64));
    let hosts = ladder.lanes.iter().enumerate().map(|(lane, host)| {
        let name = trace
            .hosts
            .iter()
            .find(|h| h.id == *host)
            .map(|h| (localize_name(&h.name, lang), h.addr.clone()))
            .unwrap_or_default();
        let socks = trace
            .sockets
            .iter()
            .filter(|s| s.host == *host && p.only.is_none_or(|o| o == s.proto))
            .filter(|s| (s.created_us as f64) <= t || s.parent.is_none())
            .map(|s| {
                let view = snap.as_ref().and_then(|v| v.sockets.get(&s.id));
                let state = view.and_then(|v| v.state).or_else(|| {
                    states_now.get(&s.id).map(|(_, st, _)| *st)
                });
                let pill = match (s.proto, state) {
                    (Proto::Udp, _) => html! { <span class="pill udp">{"UDP"}</span> },
                    (Proto::Tcp, Some(st)) => html! { <span class={classes!("pill", state_group(st))} data-state={st.rfc_name()}>{ st.rfc_name() }</span> },
                    (Proto::Tcp, None) => html! { <span class="pill g-closed">{ TcpState::Closed.rfc_name() }</span> },
                };
                let timers = ladder
                    .timers
                    .iter()
                    .filter(|x| x.socket == s.id && (x.set as f64) <= t && x.end.is_none_or(|e| (e as f64) > t))
                    .map(|x| {
                        let total = (x.expires.saturating_sub(x.set)).max(1) as f64;
                        let left = (x.expires as f64 - t).max(0.0);
                        let frac = num::clamp(left / total, 0.0, 1.0);
                        let c = 2.0 * std::f64::consts::PI * 7.0;
                        html! {
                            <span class="timer" title={timer_name(x.kind, lang)}>
                                <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
                                    <circle cx="9" cy="9" r="7" class="timer-bg" />
                                    <circle cx="9" cy="9" r="7" class="timer-arc"
                                        stroke-dasharray={format!("{} {}", num::fixed(c * frac, 2), num::fixed(c, 2))} transform="rotate(-90 9 9)" />
                                </svg>
                                { format!("{} {}", timer_name(x.kind, lang), fmt_ms(left as u64)) }
                            </span>
                        }
                    });
                let queues = view.map(|v| v.queues.iter().filter(|(_, (_, cap))| *cap > 0).map(|(k, (len, cap))| {
                    let pct = num::clamp(*len as f64 / *cap as f64 * 100.0, 0.0, 100.0);
                    html! {
                        <span class="queue">
                            <span class="q-name">{ queue_name(*k, lang) }</span>
                            <span class="q-bar"><span class="q-fill" style={format!("width:{}%", num::fixed(pct, 1))} /></span>
                            <span class="q-num mono">{ format!("{len}/{cap}") }</span>
                        </span>
                    }
                }).collect::<Html>());
                // Numbered like the ladder's labels (relative to each direction's ISN, unless
                // the viewer chose absolute numbers).
                let win = view.and_then(|v| v.window).map(|w| {
                    let me = Addr { host: s.host, port: s.local_port };
                    // "—" where the number means nothing yet: no ISN for that direction, or a
                    // rcv_nxt still 0 before the peer's SYN (relative, it wraps to ~2^32).
                    let shown = |v: Option<u32>| {
                        v.filter(|&v| *numbering == Numbering::Absolute || v < 1 << 31)
                            .map_or_else(|| "—".to_string(), |v| v.to_string())
                    };
                    let (una, nxt, rcv) = match s.remote {
                        Some(peer) => (
                            shown(isns.value(me, peer, w.snd_una, *numbering)),
                            shown(isns.value(me, peer, w.snd_nxt, *numbering)),
                            shown(isns.value(peer, me, w.rcv_nxt, *numbering)),
                        ),
                        None => (w.snd_una.to_string(), w.snd_nxt.to_string(), w.rcv_nxt.to_string()),
                    };
                    html! {
                        <span class="win mono">{ format!("snd_una={una} snd_nxt={nxt} rcv_nxt={rcv} wnd={} cwnd={}",
                            w.snd_wnd, w.cwnd) }</span>
                    }
                });
                html! {
                    <div class="sock" data-testid={format!("sock-{}", s.id.0)}>
                        <span class="sock-label">{ panel_label(s, lang) }</span>
                        { pill }
                        { for timers }
                        { queues.unwrap_or_default() }
                        { for win }
                    </div>
                }
            });
        html! {
            <div class={classes!("host-panel", format!("side-{}", lane.min(1)))} data-testid={format!("host-{lane}")}>
                <div class="host-name"><strong>{ name.0 }</strong><span class="mono">{ format!(" {}", name.1) }</span></div>
                { for socks }
            </div>
        }
    });

    let kinds = use_memo(p.ladder.clone(), |l| {
        (kinds_present(l), l.arrows.iter().any(|a| a.lost()))
    });
    let legend = kinds.0.iter().map(|k| html! {
        <span class={classes!("legend-item")}><span class={classes!("swatch", format!("k-{}", k.css()))} />{ k.name(lang) }</span>
    });
    let has_loss = kinds.1;

    // For the timeline, which is drawn after the first paint.
    let ticks = use_memo((p.ladder.clone(), painted), |(l, painted)| {
        if *painted {
            timeline_ticks(l)
        } else {
            Vec::new()
        }
    });

    let toggle_num = {
        let numbering = numbering.clone();
        Callback::from(move |_: MouseEvent| {
            numbering.set(match *numbering {
                Numbering::Relative => Numbering::Absolute,
                Numbering::Absolute => Numbering::Relative,
            })
        })
    };
    let set_view = |v: View| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(v))
    };
    let share = |embed: bool| {
        let shared_text = shared_text.clone();
        let share = p.share.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(share) = &share {
                let text = share.emit(embed);
                export::copy_text(&text);
                shared_text.set(Some(text));
            }
        })
    };
    let name = p.export_name.to_string();
    let exp_svg = {
        let name = name.clone();
        Callback::from(move |_: MouseEvent| {
            export::export_svg(&name);
        })
    };
    let exp_png = Callback::from(move |_: MouseEvent| {
        export::export_png(&name);
    });

    let inspector = selected.and_then(|i| ladder.arrows.get(i)).map(|a| {
        let addr = |h: synack_model::trace::HostId| {
            trace
                .hosts
                .iter()
                .find(|x| x.id == h)
                .map(|x| x.addr.clone())
                .unwrap_or_default()
        };
        let endpoints = format!(
            "{}:{} → {}:{}",
            addr(a.segment.src.host),
            a.segment.src.port,
            addr(a.segment.dst.host),
            a.segment.dst.port
        );
        let selected = selected.clone();
        html! {
            <Inspector arrow={a.clone()} isns={(*isns).clone()} numbering={*numbering} lang={lang}
                endpoints={endpoints} on_close={Callback::from(move |_| selected.set(None))} />
        }
    });

    let playing = pb.playing;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);

    html! {
        <div class="player" data-testid="player" data-playing={playing.to_string()} data-t={num::fixed(t, 0)}>
            <div class="stage-tabs">
                // Only the two tabs in the tablist (the legend beside them is not a tab);
                // `display: contents` keeps the row's layout.
                <div role="tablist" style="display:contents">
                <button role="tab" class={classes!("tab", (*view == View::Ladder).then_some("on"))}
                    aria-selected={(*view == View::Ladder).to_string()} data-testid="view-ladder" onclick={set_view(View::Ladder)}>
                    { tr("时序图", "Sequence diagram") }
                </button>
                <button role="tab" class={classes!("tab", (*view == View::States).then_some("on"))}
                    aria-selected={(*view == View::States).to_string()} data-testid="view-states" onclick={set_view(View::States)}>
                    { tr("状态机", "State machine") }
                </button>
                </div>
                <span class="legend" aria-label={tr("图例", "Legend")}>
                    { for legend }
                    if has_loss { <span class="legend-item lost-item">{ tr("✕ 丢失", "✕ lost") }</span> }
                </span>
            </div>
            <div class="stage">
                <div class="stage-main" data-export="1">
                    if *view == View::Ladder {
                        if let Some((tcp, udp)) = p.split.clone() {
                            <div class="split">
                                { for [("TCP", tcp), ("UDP", udp)].into_iter().enumerate().map(|(k, (name, l))| {
                                    let sel = selected.and_then(|i| ladder.arrows.get(i)).and_then(|a| l.arrows.iter().position(|b| b.id == a.id));
                                    let on_select = split_select.as_ref().as_ref().map(|c| c[k].clone()).unwrap_or_default();
                                    html! {
                                        <div class="split-col" data-testid={format!("split-{}", name.to_ascii_lowercase())}>
                                            <div class="split-title">{ name }</div>
                                            <LadderView ladder={l} trace={p.trace.clone()} t={t} playing={playing} placement={Placement::SplitColumn(k as u8)}
                                                numbering={*numbering} lang={lang} selected={sel} on_select={on_select}
                                                uid={AttrValue::from(format!("lad-{}", name.to_ascii_lowercase()))} />
                                        </div>
                                    }
                                }) }
                            </div>
                        } else {
                            <LadderView ladder={p.ladder.clone()} trace={p.trace.clone()} t={t} playing={playing} placement={Placement::Stage}
                                numbering={*numbering} lang={lang} selected={*selected} on_select={on_select} />
                        }
                    } else {
                        <StateDiagram lit={lit} lang={lang} />
                    }
                </div>
                // The hosts' panels too: their column is there from the start, so nothing moves.
                <aside class="hosts" data-testid="hosts">
                    if painted {
                        { for hosts }
                    }
                </aside>
            </div>
            if painted {
                <div class="narration" data-testid="narration" aria-live="polite">
                    <span class="narr-time mono">{ fmt_ms(t as u64) }</span>
                    <NarrationLines lines={(*lines).clone()} />
                </div>
                // The timeline and the controls stay on screen while the player is (sticky, CSS):
                // a tall diagram must not push the play button below the first screen.
                <div class="transport" data-testid="transport">
                    <div class="timeline">
                        <svg class="ticks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
                            { for ticks.iter().map(|(k, d)| html! { <path class={format!("k-{}", k.css())} d={d.clone()} /> }) }
                        </svg>
                        <input type="range" class="scrub" disabled={p.locked} data-testid="scrub" min="0" max="10000" step="1"
                            value={num::shortest(scrub_value)} oninput={on_scrub}
                            aria-label={tr("时间轴", "Timeline")} />
                    </div>
                    <div class="bar">
                        <div class="controls">
                            <button class="ctl" disabled={p.locked} data-testid="start" title={tr("回到开头 [", "Start [")} onclick={btn(|| Action::Start)}>{"⇤"}</button>
                            <button class="ctl" disabled={p.locked} data-testid="step-back" title={tr("上一步 ←", "Step back ←")} onclick={btn(|| Action::Step(-1))}>{"◂"}</button>
                            <button class="ctl play" disabled={p.locked} data-testid="play" title={tr("播放/暂停（空格）", "Play/pause (Space)")}
                                aria-pressed={playing.to_string()} onclick={btn(|| Action::Toggle)}>
                                { if playing { "❚❚" } else { "▶" } }
                            </button>
                            <button class="ctl" disabled={p.locked} data-testid="step" title={tr("下一步 →", "Step →")} onclick={btn(|| Action::Step(1))}>{"▸"}</button>
                            <button class="ctl" disabled={p.locked} data-testid="end" title={tr("跳到结尾 ]", "End ]")} onclick={btn(|| Action::End)}>{"⇥"}</button>
                            <label class="speed">
                                <span class="speed-name">{ tr("速度", "Speed") }</span>
                                // 50 positions: an arrow key moves the speed by about 11 %
                                // (with 1000 it moved less than the shown rounding).
                                <input type="range" min="0" max="1000" step="20" data-testid="speed"
                                    value={num::shortest(slider_from_speed(pb.speed))} oninput={on_speed}
                                    aria-label={tr("播放速度", "Playback speed")} aria-valuetext={fmt_speed(pb.speed)} />
                                <span class="mono speed-val" data-testid="speed-value">{ fmt_speed(pb.speed) }</span>
                            </label>
                            <button class="chip seq-toggle" data-testid="numbering" onclick={toggle_num} aria-pressed={(*numbering == Numbering::Absolute).to_string()}>
                                { match *numbering { Numbering::Relative => tr("相对序号", "relative seq"), Numbering::Absolute => tr("绝对序号", "absolute seq") } }
                            </button>
                        </div>
                        <div class="share">
                            if p.share.is_some() {
                                <button class="chip" data-testid="copy-link" onclick={share(false)}>{ tr("复制链接", "Copy link") }</button>
                                <button class="chip copy-embed" data-testid="copy-embed" onclick={share(true)}>{ tr("复制嵌入代码", "Copy embed code") }</button>
                            }
                            <button class="chip" data-testid="export-svg" onclick={exp_svg}>{ tr("导出 SVG", "Export SVG") }</button>
                            <button class="chip" data-testid="export-png" onclick={exp_png}>{ tr("导出 PNG", "Export PNG") }</button>
                            if let Some(text) = (*shared_text).clone() {
                                <input class="share-out mono" readonly=true data-testid="share-output" value={text}
                                    aria-label={tr("已复制的内容", "Copied text")}
                                    onfocus={Callback::from(|e: FocusEvent| {
                                        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                                    })} />
                            }
                        </div>
                    </div>
                </div>
            }
            { for p.panel.as_ref().map(|f| f.emit(t.round() as u64)) }
            { for inspector }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NarrationProps {
    lines: Shared<Vec<String>>,
}

/// At most this many sentences of one moment are shown (see the narration memo).
const NARRATION_LINES: usize = 40;

/// The narration's sentences: re-rendered only when the moment (and so the memo) changes.
#[component]
fn NarrationLines(p: &NarrationProps) -> Html {
    html! {
        // Focusable: it scrolls, and a keyboard must reach what is below its fold.
        <div class="narr-lines" tabindex="0" role="log">{ for p.lines.iter().map(|l| html! { <p>{ l.clone() }</p> }) }</div>
    }
}

fn keep_event(trace: &Trace, i: usize, only: Option<Proto>) -> bool {
    let Some(only) = only else { return true };
    let proto_of_sock = |s: &synack_model::trace::SocketId| {
        trace.sockets.iter().find(|x| x.id == *s).map(|x| x.proto)
    };
    match &trace.events[i].kind {
        EventKind::SegmentSent { segment, .. } => {
            matches!(
                (&segment.header, only),
                (synack_model::trace::Header::Tcp(_), Proto::Tcp)
                    | (synack_model::trace::Header::Udp(_), Proto::Udp)
            )
        }
        EventKind::StateChanged { socket, .. }
        | EventKind::AppCall { socket, .. }
        | EventKind::AppReturn { socket, .. }
        | EventKind::TimerSet { socket, .. }
        | EventKind::TimerFired { socket, .. } => proto_of_sock(socket) == Some(only),
        _ => true,
    }
}

fn queue_name(k: QueueKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (QueueKind::SendBuffer, Lang::Zh) => "发送缓冲",
        (QueueKind::SendBuffer, Lang::En) => "send buf",
        (QueueKind::RecvBuffer, Lang::Zh) => "接收缓冲",
        (QueueKind::RecvBuffer, Lang::En) => "recv buf",
        (QueueKind::OutOfOrder, Lang::Zh) => "乱序",
        (QueueKind::OutOfOrder, Lang::En) => "out of order",
        (QueueKind::SynQueue, Lang::Zh) => "SYN 队列",
        (QueueKind::SynQueue, Lang::En) => "SYN queue",
        (QueueKind::AcceptQueue, Lang::Zh) => "accept 队列",
        (QueueKind::AcceptQueue, Lang::En) => "accept queue",
        (QueueKind::Datagrams, Lang::Zh) => "数据报",
        (QueueKind::Datagrams, Lang::En) => "datagrams",
    }
}

/// One SVG path per segment kind with a tick per send, positioned on the warped axis like the
/// scrubber (0..1000).
fn timeline_ticks(l: &Ladder) -> Vec<(SegKind, String)> {
    let y0 = l.warp.y(0.0);
    let y1 = l.warp.y(l.end() as f64).max(y0 + 1.0);
    // One path per kind in `SegKind::ALL` order (an array, not a map: less first-load code).
    let mut by: [String; SegKind::ALL.len()] = Default::default();
    for a in &l.arrows {
        let x = (a.y0 - y0) / (y1 - y0) * 1000.0;
        let k = SegKind::ALL.iter().position(|k| *k == a.kind).unwrap_or(0);
        by[k].push_str(&format!("M{} 0V10", num::fixed(x, 1)));
    }
    SegKind::ALL
        .into_iter()
        .zip(by)
        .filter(|(_, d)| !d.is_empty())
        .collect()
}

/// A socket's line in its host's panel: its label and port. An accepted connection is called
/// so (scenarios label it "conn"), and a label that already ends with the port (a capture's
/// "client :41002") does not get it twice.
fn panel_label(s: &synack_model::trace::SocketInfo, lang: Lang) -> String {
    let name = if s.parent.is_some() && s.label.starts_with("conn") {
        match lang {
            Lang::Zh => "已连接套接字".to_string(),
            Lang::En => "connection".to_string(),
        }
    } else {
        localize_name(&s.label, lang)
    };
    let port = format!(":{}", s.local_port);
    if name.ends_with(&port) {
        name
    } else {
        format!("{name} {port}")
    }
}
