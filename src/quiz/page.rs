//! The interview-mode page: one question at a time, the engine's player paused at the moment
//! the question is about, the verdict and explanation, then the animation plays on.

use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::gen::{self, Item};
use super::score::{self, Score};
use super::{answer_text, check, Question, Topic};
use crate::app::use_shell;
use crate::dom;
use crate::engine::labels::Numbering;
use crate::engine::layout::Ladder;
use crate::engine::params::{Notice, View};
use crate::engine::player::Player;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::pages::reference::SceneLink;
use crate::route::{Location, Route};

#[derive(Clone, Debug, PartialEq)]
struct St {
    /// Index into `gen::all()`.
    idx: usize,
    v: u32,
    pick: Option<usize>,
    typed: String,
    verdict: Option<bool>,
    /// The typed text was not a whole number.
    hint: bool,
    score: Score,
    topic: Option<Topic>,
}

enum Act {
    Pick(usize),
    Type(String),
    /// The result of `check` for the current question.
    Judge(Option<bool>, Topic),
    Next,
    Variant,
    Reset,
    Filter(Option<Topic>),
}

fn items() -> Vec<&'static Item> {
    gen::all().collect()
}

impl Reducible for St {
    type Action = Act;
    fn reduce(self: Rc<Self>, a: Act) -> Rc<Self> {
        let mut s = (*self).clone();
        let fresh = |s: &mut St| {
            s.pick = None;
            s.typed.clear();
            s.verdict = None;
            s.hint = false;
        };
        match a {
            Act::Pick(i) if s.verdict.is_none() => s.pick = Some(i),
            Act::Pick(_) => return self,
            Act::Type(t) if s.verdict.is_none() => {
                s.typed = t;
                s.hint = false;
            }
            Act::Type(_) => return self,
            Act::Judge(r, topic) => {
                if s.verdict.is_some() {
                    return self;
                }
                match r {
                    Some(right) => {
                        s.verdict = Some(right);
                        s.score.record(topic, right);
                    }
                    None => s.hint = true,
                }
            }
            Act::Next => {
                let all = items();
                let n = all.len();
                s.idx = (1..=n)
                    .map(|k| (s.idx + k) % n)
                    .find(|&i| s.topic.is_none_or(|t| all[i].topic == t))
                    .unwrap_or(s.idx);
                fresh(&mut s);
            }
            Act::Variant => {
                s.v = s.v.wrapping_add(1);
                fresh(&mut s);
            }
            Act::Reset => s.score = Score::default(),
            Act::Filter(t) => {
                s.topic = t;
                let all = items();
                if let Some(t) = t {
                    if all[s.idx].topic != t {
                        s.idx = all.iter().position(|i| i.topic == t).unwrap_or(s.idx);
                        fresh(&mut s);
                    }
                }
            }
        }
        Rc::new(s)
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The link's `q`, `v` and `topic`, as written: a value that names nothing here gets a
    /// notice, like a scene's bad parameter.
    pub item: Option<String>,
    pub variant: Option<String>,
    #[prop_or_default]
    pub topic: Option<String>,
}

/// What the link asked for, read once: (first item, variant, topic, notices).
fn from_link(p: &Props) -> (usize, u32, Option<Topic>, Vec<Notice>) {
    let all = items();
    let mut notices = Vec::new();
    let mut bad = |key: &str, given: &str, used: &str| {
        notices.push(Notice {
            key: key.into(),
            given: given.into(),
            used: used.into(),
        })
    };
    let topic = match p.topic.as_deref() {
        None | Some("") => None,
        Some(code) => {
            let t = Topic::from_code(code);
            if t.is_none() {
                bad("topic", code, "all");
            }
            t
        }
    };
    let first_of_topic = || {
        all.iter()
            .position(|i| topic.is_none_or(|t| i.topic == t))
            .unwrap_or(0)
    };
    let idx = match p.item.as_deref() {
        None => first_of_topic(),
        Some(id) => all.iter().position(|i| i.id == id).unwrap_or_else(|| {
            let i = first_of_topic();
            bad("q", id, all[i].id);
            i
        }),
    };
    let variant = match p.variant.as_deref() {
        None => 0,
        Some(v) => v.trim().parse::<u32>().unwrap_or_else(|_| {
            bad("v", v, "0");
            0
        }),
    };
    (idx, variant, topic, notices)
}

const INTRO: T = T::new(
    "动画停在关键的一刻：下一个报文是什么？状态会变成什么？确认号是多少？答完以后看解释，动画接着放给你看。题目由协议模型的运行结果生成，点“换一组参数”会换时延、随机种子和协议栈，答案随之重新计算。",
    "The animation stops at the moment that matters: what is the next segment, the next state, the ack number? After you answer, read why and watch the animation carry on. Questions are generated from the protocol model's runs; \"New variant\" changes the delay, seed and stack profile, and the answers are worked out again.",
);

#[component]
pub fn QuizPage(p: &Props) -> Html {
    let lang = use_shell().lang;
    let link = use_memo((), |_| from_link(p));
    let notices = use_state(|| link.3.clone());
    let st = {
        let (idx, v, topic) = (link.0, link.1, link.2);
        use_reducer(move || St {
            idx,
            v,
            pick: None,
            typed: String::new(),
            verdict: None,
            hint: false,
            score: score::load(),
            topic,
        })
    };
    let all = items();
    let item = all[st.idx.min(all.len() - 1)];
    let v = st.v;

    let trace = use_memo((st.idx, v), move |_| {
        gen::trace_for(item, v).map(Shared::new)
    });
    let ladder = use_memo(trace.clone(), |t| {
        t.as_ref()
            .as_ref()
            .map(|t| Shared::new(Ladder::build(t, None)))
    });
    let q: Rc<Option<Question>> = {
        let trace = trace.clone();
        use_memo((st.idx, v, lang), move |_| {
            gen::ask(item, v, trace.as_ref().as_ref().map(|t| &**t), lang)
        })
    };

    // The score is remembered whenever it changes (and reset writes the empty score).
    use_effect_with(st.score.clone(), score::save);
    // The URL names the question and the variant, so a link reproduces it.
    use_effect_with((item.id, v), |(id, v)| {
        let mut loc = Location::parse(&dom::current_hash());
        loc.query.set("q", *id);
        loc.query.set("v", v.to_string());
        dom::replace_hash(&loc.to_hash());
    });
    // Questions without an animation still mark the page as drawn for tests.
    crate::pages::use_ready_after_render();

    let submit = {
        let st = st.clone();
        let q = q.clone();
        Callback::from(move |_: ()| {
            if let Some(q) = q.as_ref() {
                st.dispatch(Act::Judge(check(q, st.pick, &st.typed), q.topic));
            }
        })
    };
    // Keyboard: 1–4 pick a choice, Enter submits (then goes to the next question).
    {
        let st = st.clone();
        let submit = submit.clone();
        let n = q.as_ref().as_ref().map_or(0, |q| q.choices.len());
        use_effect(move || {
            let window = web_sys::window().expect("window");
            let opts = gloo::events::EventListenerOptions::enable_prevent_default();
            let l = EventListener::new_with_options(&window, "keydown", opts, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let el = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                let tag = el.as_ref().map(|el| el.tag_name()).unwrap_or_default();
                let on_choice = el
                    .as_ref()
                    .is_some_and(|el| el.has_attribute("data-choice"));
                let key = e.key();
                if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                    return;
                }
                if let Some(d) = key.parse::<usize>().ok().filter(|d| (1..=n).contains(d)) {
                    e.prevent_default();
                    st.dispatch(Act::Pick(d - 1));
                } else if key == "Enter"
                    && (on_choice || !matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY"))
                {
                    e.prevent_default();
                    if st.verdict.is_some() {
                        st.dispatch(Act::Next);
                    } else {
                        submit.emit(());
                    }
                }
            });
            move || drop(l)
        });
    }

    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let act = |a: fn() -> Act| {
        let st = st.clone();
        Callback::from(move |_: MouseEvent| st.dispatch(a()))
    };
    let on_filter = {
        let st = st.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            st.dispatch(Act::Filter(Topic::from_code(&v)));
        })
    };

    let card = match q.as_ref() {
        None => html! {
            <div class="notice error" data-testid="quiz-missing" role="alert">
                { tr("这组参数下，模型的运行里没有出现这道题要问的时刻。请换一组参数。",
                     "In this variant the model's run does not reach the moment this question is about. Try a new variant.") }
            </div>
        },
        Some(q) => question_card(q, &st, lang, submit.clone()),
    };

    let player = match (q.as_ref(), trace.as_ref(), ladder.as_ref()) {
        (Some(q), Some(t), Some(l)) => {
            let share =
                Callback::from(|_: bool| format!("{}{}", dom::base_url(), dom::current_hash()));
            html! {
                <div class="quiz-stage" data-testid="quiz-stage">
                    <Player key={format!("{}-{v}", item.id)} trace={t.clone()} ladder={l.clone()} lang={lang}
                        init_t={q.pause_us} speed={0.1} numbering={Numbering::Relative} view={View::Ladder}
                        autoplay={st.verdict.is_some()} locked={st.verdict.is_none()} on_change={Callback::noop()}
                        export_name={AttrValue::from(format!("synack-quiz-{}", item.id))} share={share} />
                </div>
            }
        }
        _ => html! {},
    };

    let topic_options = Topic::ALL.iter().map(|t| {
        html! { <option value={t.code()} selected={st.topic == Some(*t)}>{ t.name().get(lang) }</option> }
    });
    let pos = st.idx + 1;

    html! {
        <div class="page quiz" data-testid="page-quiz">
            <h1>{ Route::Quiz.title().get(lang) }</h1>
            <p class="explain">{ INTRO.get(lang) }</p>
            <div class="quiz-bar">
                <label class="quiz-topic">
                    <span>{ tr("题目范围", "Topic") }</span>
                    <select data-testid="quiz-topic" onchange={on_filter}>
                        <option value="" selected={st.topic.is_none()}>{ tr("全部", "All") }</option>
                        { for topic_options }
                    </select>
                </label>
                <span class="mono quiz-pos" data-testid="quiz-pos">{ format!("{pos}/{}", all.len()) }</span>
                <span class="mono quiz-variant" data-testid="quiz-variant" title={tr("参数组", "Variant")}>
                    { variant_text(v, item, lang) }
                </span>
                <button class="chip" data-testid="new-variant" onclick={act(|| Act::Variant)}>{ tr("换一组参数", "New variant") }</button>
                <button class="chip" data-testid="next" onclick={act(|| Act::Next)}>{ tr("下一题 →", "Next question →") }</button>
            </div>
            if !notices.is_empty() {
                <div class="notice" data-testid="url-notice" role="status">
                    { for notices.iter().map(|n: &Notice| html! { <p>{ n.text(lang) }</p> }) }
                    <button class="chip" onclick={{
                        let notices = notices.clone();
                        Callback::from(move |_: MouseEvent| notices.set(Vec::new()))
                    }}>{ tr("知道了", "Dismiss") }</button>
                </div>
            }
            { card }
            { player }
            { score_panel(&st.score, lang, act(|| Act::Reset)) }
        </div>
    }
}

fn variant_text(v: u32, item: &Item, lang: Lang) -> String {
    if !matches!(item.kind, gen::Kind::Trace(..)) {
        return format!("#{v}");
    }
    let k = gen::knobs(v);
    let profile = match k.profile {
        synack_model::profile::ProfileId::Linux => "Linux",
        synack_model::profile::ProfileId::Rfc => "RFC",
    };
    match lang {
        Lang::Zh => format!(
            "#{v} · {profile} · 单程 {} ms · 种子 {}",
            k.latency_ms, k.seed
        ),
        Lang::En => format!(
            "#{v} · {profile} · {} ms one way · seed {}",
            k.latency_ms, k.seed
        ),
    }
}

fn question_card(
    q: &Question,
    st: &UseReducerHandle<St>,
    lang: Lang,
    submit: Callback<()>,
) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let answered = st.verdict.is_some();
    let body = if q.choices.is_empty() {
        let on_input = {
            let st = st.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    st.dispatch(Act::Type(i.value()));
                }
            })
        };
        let on_submit = {
            let submit = submit.clone();
            let st = st.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if st.verdict.is_some() {
                    st.dispatch(Act::Next);
                } else {
                    submit.emit(());
                }
            })
        };
        html! {
            <form class="quiz-typed" onsubmit={on_submit}>
                <input type="text" inputmode="numeric" autocomplete="off" class="mono" data-testid="answer-input"
                    aria-label={tr("你的答案（整数）", "Your answer (a whole number)")}
                    value={st.typed.clone()} oninput={on_input} disabled={answered} />
                if !q.unit.is_empty() { <span class="unit mono">{ q.unit }</span> }
                <button type="submit" class="primary" data-testid="submit" disabled={answered}>{ tr("提交", "Submit") }</button>
            </form>
        }
    } else {
        let choices = q.choices.iter().enumerate().map(|(i, c)| {
            let picked = st.pick == Some(i);
            let state = match (st.verdict, q.answer) {
                (Some(_), super::Answer::Choice(a)) if a == i => Some("right"),
                (Some(false), _) if picked => Some("wrong"),
                _ => None,
            };
            let onclick = {
                let st = st.clone();
                Callback::from(move |_: MouseEvent| st.dispatch(Act::Pick(i)))
            };
            html! {
                <li>
                    <button class={classes!("choice", picked.then_some("on"), state)} data-choice="1"
                        data-testid={format!("choice-{i}")} aria-pressed={picked.to_string()}
                        disabled={answered} {onclick}>
                        <span class="key mono" aria-hidden="true">{ i + 1 }</span>
                        <span class="choice-text">{ c.clone() }</span>
                    </button>
                </li>
            }
        });
        let onclick = submit.reform(|_: MouseEvent| ());
        html! { <>
            <ol class="choices" role="list">{ for choices }</ol>
            <button class="primary" data-testid="submit" disabled={answered || st.pick.is_none()} {onclick}>
                { tr("提交", "Submit") }
            </button>
        </> }
    };
    let verdict = st.verdict.map(|right| {
        let next = {
            let st = st.clone();
            Callback::from(move |_: MouseEvent| st.dispatch(Act::Next))
        };
        html! {
            <div class={classes!("verdict", if right { "right" } else { "wrong" })} data-testid="verdict"
                data-right={right.to_string()} role="status">
                <strong>{ if right { tr("✓ 答对了", "✓ Right") } else { tr("✗ 不对", "✗ Not quite") } }</strong>
                if !right {
                    <span data-testid="correct-answer">{ format!(" {} {}", tr("正确答案：", "The answer is"), answer_text(q)) }</span>
                }
                <p data-testid="explain">{ q.explain.clone() }</p>
                <p class="see">{ tr("演示：", "See it: ") }<SceneLink route={q.link} /></p>
                <button class="primary" data-testid="next-after" onclick={next}>{ tr("下一题 →（Enter）", "Next question → (Enter)") }</button>
            </div>
        }
    });
    html! {
        <section class="quiz-card" data-testid="quiz-card" data-item={q.item}>
            <span class="badge topic">{ q.topic.name().get(lang) }</span>
            <p class="prompt" data-testid="prompt">{ q.prompt.clone() }</p>
            { body }
            if st.hint {
                <p class="hint" data-testid="hint" role="alert">{ tr("请输入一个整数。", "Please type a whole number.") }</p>
            }
            <p class="keys">{ if q.choices.is_empty() { tr("输入数字，按 Enter 提交。", "Type a number, Enter to submit.") }
                else { tr("按 1–4 选择，Enter 提交。", "Press 1–4 to choose, Enter to submit.") } }</p>
            { for verdict }
        </section>
    }
}

fn score_panel(s: &Score, lang: Lang, reset: Callback<MouseEvent>) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let (r, a) = s.totals();
    let rows = Topic::ALL.iter().map(|t| {
        let (r, a) = s.per.get(t).copied().unwrap_or((0, 0));
        html! {
            <li><span>{ t.name().get(lang) }</span>
                <span class="mono" data-testid={format!("score-{}", t.code())}>{ format!("{r}/{a}") }</span></li>
        }
    });
    html! {
        <section class="quiz-score" data-testid="quiz-score">
            <h2>{ tr("得分", "Score") }</h2>
            <p class="totals">
                <span>{ tr("总计 ", "Total ") }<b class="mono" data-testid="score-total">{ format!("{r}/{a}") }</b></span>
                <span>{ tr("连对 ", "Streak ") }<b class="mono" data-testid="streak">{ s.streak }</b></span>
                <span>{ tr("最佳连对 ", "Best streak ") }<b class="mono" data-testid="best-streak">{ s.best }</b></span>
                <button class="chip" data-testid="score-reset" onclick={reset}>{ tr("清零", "Reset") }</button>
            </p>
            <ul class="per-topic">{ for rows }</ul>
        </section>
    }
}
