//! The score: totals, streaks and one line per topic, with a reset button.

use yew::prelude::*;

use super::super::score::Score;
use super::super::Topic;
use crate::i18n::{Lang, T};

/// A plain function drawn with the quiz page (its reset callback is made anew with each of the
/// page's renders, so a component's props check would never skip it), not a component: each
/// costs about 1 KB of wasm.
pub fn score_board(s: &Score, lang: Lang, on_reset: &Callback<()>) -> Html {
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
                <button class="chip" data-testid="score-reset" onclick={on_reset.reform(|_: MouseEvent| ())}>{ tr("清零", "Reset") }</button>
            </p>
            <ul class="per-topic">{ for rows }</ul>
        </section>
    }
}
