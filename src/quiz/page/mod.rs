//! The interview-mode page: one question at a time, the engine's player paused at the moment
//! the question is about, the verdict and explanation, then the animation plays on.
//!
//! Laid out like the player: the state and its reducer in [`state`], the page here (what the
//! link asks for, the memos and effects), and components that take `on*` callbacks: the
//! [`card`] of the question, the [`score_board`]; the keyboard is a hook in [`keys`].

mod card;
mod keys;
mod score_board;
mod state;

use yew::prelude::*;

use self::state::{items, Act, St};
use super::gen::{self, Item};
use super::score;
use super::words::{self, Words};
use super::{check, Question, Topic};
use crate::app::use_shell;
use crate::dom;
use crate::engine::labels::Numbering;
use crate::engine::layout::Ladder;
use crate::engine::params::{Notice, View};
use crate::engine::player::Player;
use crate::engine::Shared;
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};
use crate::route::{Location, Route};
use crate::texts::{Fetched, Text};

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
            range: None,
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

const LOADING: T = T::new("正在加载题目的文字…", "Loading the questions' words…");

/// The page's `data-words`: where the questions' words are (for the tests, like the OSI page).
fn words_state(f: Fetched) -> &'static str {
    match f {
        Fetched::Loading => "loading",
        Fetched::In(_) => "in",
        Fetched::Failed => "failed",
    }
}

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
    // The questions' words are a file fetched after the first paint (`quiz::words`); the bar,
    // the score and the links work without it.
    let fetched = crate::texts::use_table_words(Text::Quiz(lang), words::texts);
    let run = use_question(&st, item, fetched, lang);
    let submit = {
        let (st, q) = (st.clone(), run.question.clone());
        Callback::from(move |_: ()| {
            if let Some(q) = q.as_ref() {
                st.dispatch(Act::Judge(check(q, st.pick, &st.typed), q.topic));
            }
        })
    };
    let choices = run
        .question
        .as_ref()
        .as_ref()
        .map_or(0, |q| q.choices.len());
    keys::use_quiz_keys(st.clone(), choices, submit.clone());
    // One callback per kind of action, as in Yew's todomvc.
    let act = |f: fn() -> Act| {
        let st = st.clone();
        Callback::from(move |()| st.dispatch(f()))
    };
    let card = match (run.question.as_ref(), fetched) {
        (_, Fetched::Loading) => html! {
            <p class="notice" data-testid="quiz-loading" role="status">{ LOADING.get(lang) }</p>
        },
        (_, Fetched::Failed) => crate::texts::failed_notice(Text::Quiz(lang), lang),
        (None, Fetched::In(_)) => html! {
            <div class="notice error" data-testid="quiz-missing" role="alert">
                { T::new("这组参数下，模型的运行里没有出现这道题要问的时刻。请换一组参数。",
                     "In this variant the model's run does not reach the moment this question is about. Try a new variant.").get(lang) }
            </div>
        },
        (Some(q), Fetched::In(_)) => {
            let on_pick = act_with(&st, Act::Pick);
            let on_type = act_with(&st, Act::Type);
            card::question_card(&card::Props {
                q,
                pick: st.pick,
                typed: &st.typed,
                verdict: st.verdict,
                hint: st.hint,
                lang,
                on_pick,
                on_type,
                on_submit: submit.clone(),
                on_next: act(|| Act::Next),
            })
        }
    };
    html! {
        <div class="page quiz" data-testid="page-quiz" data-words={words_state(fetched)}>
            <h1>{ Route::Quiz.title().get(lang) }</h1>
            <p class="explain">{ INTRO.get(lang) }</p>
            { quiz_bar(&st, item, all.len(), lang) }
            if !notices.is_empty() {
                <div class="notice" data-testid="url-notice" role="status">
                    { for notices.iter().map(|n: &Notice| html! { <p>{ n.text(lang) }</p> }) }
                    <button class="chip" onclick={{
                        let notices = notices.clone();
                        Callback::from(move |_: MouseEvent| notices.set(Vec::new()))
                    }}>{ T::new("知道了", "Dismiss").get(lang) }</button>
                </div>
            }
            { card }
            { quiz_player(&st, item, &run, lang) }
            { score_board::score_board(&st.score, lang, &act(|| Act::Reset)) }
        </div>
    }
}

/// A question's run of the model, its ladder and the question asked of it.
struct QuestionRun {
    trace: std::rc::Rc<Option<Shared<synack_model::trace::Trace>>>,
    ladder: std::rc::Rc<Option<Shared<Ladder>>>,
    question: std::rc::Rc<Option<Question>>,
}

/// The model's run for the current item and variant (again only when they change), the
/// question in `lang`, and the effects that follow the state: the score is remembered, the URL
/// names the question and the variant (so a link reproduces it).
#[hook]
fn use_question(
    st: &UseReducerHandle<St>,
    item: &'static Item,
    fetched: Fetched,
    lang: Lang,
) -> QuestionRun {
    let v = st.v;
    let trace = use_memo((st.idx, v), move |_| {
        gen::trace_for(item, v).map(Shared::new)
    });
    let ladder = use_memo(trace.clone(), |t| {
        t.as_ref()
            .as_ref()
            .map(|t| Shared::new(Ladder::build(t, None)))
    });
    let question = {
        let trace = trace.clone();
        use_memo((st.idx, v, lang, fetched), move |_| {
            let Fetched::In(w) = fetched else {
                return None;
            };
            gen::ask(
                item,
                v,
                trace.as_ref().as_ref().map(|t| &**t),
                Words::new(w, lang),
            )
        })
    };
    // Reset writes the empty score.
    use_effect_on(st.score.clone(), score::save);
    use_effect_on((item.id, v), |(id, v)| {
        let mut loc = Location::parse(&dom::current_hash());
        loc.query.set("q", *id);
        loc.query.set("v", v.to_string());
        dom::replace_hash(&loc.to_hash());
    });
    // Questions without an animation still mark the page as drawn for tests.
    crate::pages::use_ready_after_render();
    QuestionRun {
        trace,
        ladder,
        question,
    }
}

/// A callback that turns what a control reports into an action (todomvc's `make_callback`).
fn act_with<V: 'static>(st: &UseReducerHandle<St>, f: fn(V) -> Act) -> Callback<V> {
    let st = st.clone();
    Callback::from(move |v| st.dispatch(f(v)))
}

/// The bar above the question: the topic filter, where this question is in the list, the
/// variant, and the buttons for a new variant and the next question.
fn quiz_bar(st: &UseReducerHandle<St>, item: &Item, count: usize, lang: Lang) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
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
    let topic_options = Topic::ALL.iter().map(|t| {
        html! { <option value={t.code()} selected={st.topic == Some(*t)}>{ t.name().get(lang) }</option> }
    });
    let on_variant = act_with(st, |_: MouseEvent| Act::Variant);
    let on_next = act_with(st, |_: MouseEvent| Act::Next);
    html! {
        <div class="quiz-bar">
            <label class="quiz-topic">
                <span>{ tr("题目范围", "Topic") }</span>
                <select data-testid="quiz-topic" onchange={on_filter}>
                    <option value="" selected={st.topic.is_none()}>{ tr("全部", "All") }</option>
                    { for topic_options }
                </select>
            </label>
            <span class="mono quiz-pos" data-testid="quiz-pos">{ format!("{}/{count}", st.idx + 1) }</span>
            <span class="mono quiz-variant" data-testid="quiz-variant" title={tr("参数组", "Variant")}>
                { variant_text(st.v, item, lang) }
            </span>
            <button class="chip" data-testid="new-variant" onclick={on_variant}>{ tr("换一组参数", "New variant") }</button>
            <button class="chip" data-testid="next" onclick={on_next}>{ tr("下一题 →", "Next question →") }</button>
        </div>
    }
}

/// The player paused at the question's moment (locked until it is answered, then playing on).
fn quiz_player(st: &UseReducerHandle<St>, item: &Item, run: &QuestionRun, lang: Lang) -> Html {
    let (Some(q), Some(t), Some(l)) = (
        run.question.as_ref(),
        run.trace.as_ref(),
        run.ladder.as_ref(),
    ) else {
        return html! {};
    };
    let v = st.v;
    let share = Callback::from(|_: bool| format!("{}{}", dom::base_url(), dom::current_hash()));
    html! {
        <div class="quiz-stage" data-testid="quiz-stage">
            <Player key={format!("{}-{v}", item.id)} trace={t.clone()} ladder={l.clone()} lang={lang}
                init_t={q.pause_us} speed={0.1} numbering={Numbering::Relative} view={View::Ladder}
                autoplay={st.verdict.is_some()} locked={st.verdict.is_none()} on_change={Callback::noop()}
                export_name={AttrValue::from(format!("synack-quiz-{}", item.id))} share={share} />
        </div>
    }
}

fn variant_text(v: u32, item: &Item, lang: Lang) -> String {
    if item.kind.scene(v).is_none() {
        return format!("#{v}");
    }
    let k = gen::knobs(v);
    let profile = match k.profile {
        synack_model::profile::ProfileId::Linux => "Linux",
        synack_model::profile::ProfileId::Rfc => "RFC",
    };
    // num::shortest: `{}` on the f64 would link core's float formatter (flt2dec).
    let ms = crate::num::shortest(k.latency_ms);
    match lang {
        Lang::Zh => format!("#{v} · {profile} · 单程 {ms} ms · 种子 {}", k.seed),
        Lang::En => format!("#{v} · {profile} · {ms} ms one way · seed {}", k.seed),
    }
}
