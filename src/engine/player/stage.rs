//! The diagram: the ladder (or TCP and UDP ladders side by side), or the state machine.

use yew::prelude::*;

use synack_model::trace::Trace;

use crate::engine::labels::Numbering;
use crate::engine::ladder::{LadderView, Placement};
use crate::engine::layout::Ladder;
#[cfg(feature = "full")]
use crate::engine::narration::socket_name;
use crate::engine::params::View;
#[cfg(feature = "full")]
use crate::engine::state_diagram::{Lit, StateDiagram};
use crate::engine::Shared;
use crate::i18n::Lang;

/// What the diagram is drawn from. A plain function of it, not a component: its playhead
/// changes on every frame of playback, so a component's props check would never skip it.
pub struct Props {
    pub trace: Shared<Trace>,
    /// The combined ladder: selections are indices into its arrows, also in split view.
    pub ladder: Shared<Ladder>,
    pub split: Option<(Shared<Ladder>, Shared<Ladder>)>,
    pub view: View,
    pub t: f64,
    pub playing: bool,
    pub numbering: Numbering,
    pub lang: Lang,
    pub selected: Option<usize>,
    pub on_select: Callback<usize>,
}

pub fn view(p: &Props) -> Html {
    let body = match (&p.view, &p.split) {
        (View::Ladder, Some((tcp, udp))) => html! {
            <Split tcp={tcp.clone()} udp={udp.clone()} combined={p.ladder.clone()} trace={p.trace.clone()}
                t={p.t} playing={p.playing} numbering={p.numbering} lang={p.lang}
                selected={p.selected} on_select={p.on_select.clone()} />
        },
        (View::Ladder, None) => html! {
            <LadderView ladder={p.ladder.clone()} trace={p.trace.clone()} t={p.t} playing={p.playing}
                placement={Placement::Stage} numbering={p.numbering} lang={p.lang}
                selected={p.selected} on_select={p.on_select.clone()} />
        },
        #[cfg(feature = "full")]
        (View::States, _) => {
            html! { <StateDiagram lit={lit(&p.trace, &p.ladder, p.t, p.lang)} lang={p.lang} /> }
        }
        // The first-load build hands a page asking for the state machine to the full build
        // (`pages::page_for`) before it is drawn here.
        #[cfg(not(feature = "full"))]
        (View::States, _) => Html::default(),
    };
    html! { <div class="stage-main" data-export="1">{ body }</div> }
}

/// Each TCP socket's state and last transition at `t`, for the state diagram.
#[cfg(feature = "full")]
fn lit(trace: &Trace, ladder: &Ladder, t: f64, lang: Lang) -> Vec<Lit> {
    ladder
        .states_at(t)
        .iter()
        .map(|(sock, (lane, st, mark))| Lit {
            // Named as the narration names it ("server", never a scenario's "conn").
            who: socket_name(trace, *sock, lang),
            side: (*lane).min(1),
            state: *st,
            last: mark.map(|m| (m.from, m.to)),
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct SplitProps {
    tcp: Shared<Ladder>,
    udp: Shared<Ladder>,
    combined: Shared<Ladder>,
    trace: Shared<Trace>,
    t: f64,
    playing: bool,
    numbering: Numbering,
    lang: Lang,
    selected: Option<usize>,
    on_select: Callback<usize>,
}

/// TCP and UDP side by side on one playhead. Each column numbers its own arrows; a selection
/// is kept as an index into the combined ladder, so the inspector is the same in both views.
#[component]
fn Split(p: &SplitProps) -> Html {
    // Stable per-column callbacks (see `Player`): a fresh one would redraw every arrow.
    let on_select = use_memo(
        (
            p.tcp.clone(),
            p.udp.clone(),
            p.combined.clone(),
            p.on_select.clone(),
        ),
        |(tcp, udp, combined, on_select)| {
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
        },
    );
    let chosen = p.selected.and_then(|i| p.combined.arrows.get(i));
    let columns = [("TCP", &p.tcp), ("UDP", &p.udp)].into_iter().enumerate();
    html! {
        <div class="split">
            { for columns.map(|(k, (name, l))| {
                let sel = chosen.and_then(|a| l.arrows.iter().position(|b| b.id == a.id));
                let id = name.to_ascii_lowercase();
                html! {
                    <div class="split-col" data-testid={format!("split-{id}")}>
                        <div class="split-title">{ name }</div>
                        <LadderView ladder={l.clone()} trace={p.trace.clone()} t={p.t} playing={p.playing}
                            placement={Placement::SplitColumn(k as u8)} numbering={p.numbering} lang={p.lang}
                            selected={sel} on_select={on_select[k].clone()} uid={AttrValue::from(format!("lad-{id}"))} />
                    </div>
                }
            }) }
        </div>
    }
}
