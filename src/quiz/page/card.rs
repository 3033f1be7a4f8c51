//! The question card: the prompt, the choices or the number box, and after an answer the
//! verdict with the explanation.

use yew::prelude::*;

use super::super::{answer_text, Answer, Question};
use crate::i18n::{Lang, T};
use crate::pages::reference::scene_link;

/// What the card is drawn from. The card and its parts are plain functions drawn with the quiz
/// page (its callbacks are made anew with each of its renders, so a component's props check
/// would never skip them), not components: each costs about 1 KB of wasm.
pub struct Props<'a> {
    pub q: &'a Question,
    pub pick: Option<usize>,
    pub typed: &'a str,
    pub verdict: Option<bool>,
    /// The typed text was not a whole number.
    pub hint: bool,
    pub lang: Lang,
    pub on_pick: Callback<usize>,
    pub on_type: Callback<String>,
    pub on_submit: Callback<()>,
    pub on_next: Callback<()>,
}

pub fn question_card(p: &Props) -> Html {
    let (q, lang) = (p.q, p.lang);
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let body = if q.choices.is_empty() {
        typed_answer(p)
    } else {
        choices(p)
    };
    let verdict = p.verdict.map(|right| {
        html! {
            <div class={classes!("verdict", if right { "right" } else { "wrong" })} data-testid="verdict"
                data-right={right.to_string()} role="status">
                <strong>{ if right { tr("✓ 答对了", "✓ Right") } else { tr("✗ 不对", "✗ Not quite") } }</strong>
                if !right {
                    <span data-testid="correct-answer">{ format!(" {} {}", tr("正确答案：", "The answer is"), answer_text(q)) }</span>
                }
                <p data-testid="explain">{ q.explain.clone() }</p>
                <p class="see">{ tr("演示：", "See it: ") }{ scene_link(q.link, lang) }</p>
                <button class="primary" data-testid="next-after" onclick={p.on_next.reform(|_: MouseEvent| ())}>
                    { tr("下一题 →（Enter）", "Next question → (Enter)") }</button>
            </div>
        }
    });
    html! {
        <section class="quiz-card" data-testid="quiz-card" data-item={q.item}>
            <span class="badge topic">{ q.topic.name().get(lang) }</span>
            <p class="prompt" data-testid="prompt">{ q.prompt.clone() }</p>
            { body }
            if p.hint {
                <p class="hint" data-testid="hint" role="alert">{ tr("请输入一个整数。", "Please type a whole number.") }</p>
            }
            <p class="keys">{ if q.choices.is_empty() { tr("输入数字，按 Enter 提交。", "Type a number, Enter to submit.") }
                else { tr("按 1–4 选择，Enter 提交。", "Press 1–4 to choose, Enter to submit.") } }</p>
            { for verdict }
        </section>
    }
}

/// A whole number to type; Enter submits, or goes on once answered.
fn typed_answer(p: &Props) -> Html {
    let (unit, answered) = (p.q.unit, p.verdict.is_some());
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    let on_input = p.on_type.reform(|e: InputEvent| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    });
    let on_submit = {
        let (on_submit, on_next) = (p.on_submit.clone(), p.on_next.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if answered {
                on_next.emit(());
            } else {
                on_submit.emit(());
            }
        })
    };
    html! {
        <form class="quiz-typed" onsubmit={on_submit}>
            <input type="text" inputmode="numeric" autocomplete="off" class="mono" data-testid="answer-input"
                aria-label={tr("你的答案（整数）", "Your answer (a whole number)")}
                value={p.typed.to_string()} oninput={on_input} disabled={answered} />
            if !unit.is_empty() { <span class="unit mono">{ unit }</span> }
            <button type="submit" class="primary" data-testid="submit" disabled={answered}>{ tr("提交", "Submit") }</button>
        </form>
    }
}

/// The choices, numbered for the keyboard; once answered the right one (and a wrong pick) is
/// marked.
fn choices(p: &Props) -> Html {
    let answered = p.verdict.is_some();
    let choices = p.q.choices.iter().enumerate().map(|(i, c)| {
        let picked = p.pick == Some(i);
        let state = match (p.verdict, p.q.answer) {
            (Some(_), Answer::Choice(a)) if a == i => Some("right"),
            (Some(false), _) if picked => Some("wrong"),
            _ => None,
        };
        html! {
            <li>
                <button class={classes!("choice", picked.then_some("on"), state)} data-choice="1"
                    data-testid={format!("choice-{i}")} aria-pressed={picked.to_string()}
                    disabled={answered} onclick={p.on_pick.reform(move |_: MouseEvent| i)}>
                    <span class="key mono" aria-hidden="true">{ i + 1 }</span>
                    <span class="choice-text">{ c.clone() }</span>
                </button>
            </li>
        }
    });
    html! { <>
        <ol class="choices" role="list">{ for choices }</ol>
        <button class="primary" data-testid="submit" disabled={answered || p.pick.is_none()}
            onclick={p.on_submit.reform(|_: MouseEvent| ())}>
            { T::new("提交", "Submit").get(p.lang) }
        </button>
    </> }
}
