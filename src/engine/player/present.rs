//! Presentation mode (the Present button, the `f` key, `present=1` in the link): the player
//! fills the screen for a room. The diagram takes most of it, scaled so that its labels read from
//! the back row; beside it the narration, the notes and the inspector, under it both hosts' state; the
//! timeline and the controls along the bottom. Esc leaves.
//!
//! It asks the browser for full screen (the Fullscreen API) where that is allowed; where it is
//! not (an iframe without `allowfullscreen`, a link opened without a click) the same layout
//! covers the page's viewport instead, so it works everywhere. Only the layout changes: what is
//! drawn is still a function of the trace and the playhead.
//!
//! Full build only: the first-load build hands the page over (`pages::in_full_build`).

use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::dom;
use crate::engine::layout::Ladder;
use crate::engine::Shared;
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};
use crate::route::Location;

/// Presentation mode's state: on or off, and the reader's font-size steps (A−/A+).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Show {
    pub on: bool,
    /// Steps of [`SIZE_STEP`] from the size chosen for the viewport.
    pub size: i32,
}

pub enum ShowAction {
    Toggle,
    Leave,
    /// One step larger (+1) or smaller (-1).
    Size(i32),
}

/// The font-size control's range and step (×1.15 a step: about one point of a 7-point size).
const SIZE_MIN: i32 = -3;
const SIZE_MAX: i32 = 5;
const SIZE_STEP: f64 = 1.15;

impl Reducible for Show {
    type Action = ShowAction;

    fn reduce(self: Rc<Self>, action: ShowAction) -> Rc<Self> {
        let mut s = *self;
        match action {
            ShowAction::Toggle => s.on = !s.on,
            ShowAction::Leave => s.on = false,
            ShowAction::Size(d) => s.size = (s.size + d).clamp(SIZE_MIN, SIZE_MAX),
        }
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

/// The scale of the diagram and of the side panel for a viewport `width` px wide and `size`
/// steps. The ladder is drawn in CSS px with 12 px labels; at 1920 px the diagram is scaled
/// ×1.6 (labels 19 px), at 1280 px ×1.07, never below ×1: a projector's 1920 px are seen from
/// much further away than a laptop's.
pub fn scales(width: f64, size: i32) -> (f64, f64) {
    let k = SIZE_STEP.powi(size);
    let stage = (width / 1200.0).clamp(1.0, MAX_ZOOM) * k;
    let side = (width / 1280.0).clamp(1.0, 1.6) * k;
    (stage, side)
}

/// The narrowest a ladder is drawn (in its own px) when presentation mode scales it up to fill
/// the stage's height: a single ladder keeps its time axis and room for its labels (wide
/// layout, `ladder::Geometry`), TCP vs UDP two columns as wide as in the normal page.
const FILL_MIN_WIDTH: f64 = 720.0;
const FILL_MIN_WIDTH_SPLIT: f64 = 900.0;

/// The diagram's scale for a stage `stage_w`×`stage_h` px on screen holding a drawing
/// `diagram_h` px tall (in its own px; `None`: not a ladder, or a view shares the stage):
/// the viewport's scale ([`scales`]), raised until the drawing fills the stage's height or
/// reaches its narrowest width, whichever binds first. A short scene (the handshake, the
/// teardown, UDP) left the lower half of the stage empty at the viewport's scale. The size
/// control's steps `size` apply on top.
pub fn stage_zoom(
    width: f64,
    size: i32,
    stage: Option<(f64, f64)>,
    diagram_h: Option<f64>,
    split: bool,
) -> f64 {
    let (base, _) = scales(width, 0);
    let fill = match (stage, diagram_h) {
        (Some((w, h)), Some(d)) if w > 0.0 && h > 0.0 && d > 0.0 => {
            let min_w = if split {
                FILL_MIN_WIDTH_SPLIT
            } else {
                FILL_MIN_WIDTH
            };
            (h / d).min(w / min_w).min(MAX_ZOOM)
        }
        _ => base,
    };
    base.max(fill) * SIZE_STEP.powi(size)
}

/// The viewport's scale at most (`scales`), and the fill's.
const MAX_ZOOM: f64 = 2.4;

/// How much taller the ladder's time axis is drawn so that the drawing fills the stage's height
/// once [`stage_zoom`]'s width has bound: a short scene (the handshake, UDP) scaled until its
/// narrowest width fills the stage's width left the lower third of a projector's stage empty.
/// Only the time axis stretches (`Ladder::stretched`): the labels keep the zoom's size and the
/// lanes the stage's width. `stage_h`: the stage's height on screen; `diagram_h`: the drawing's
/// height in its own px, of which `time_h` is the time axis (the part that stretches); `zoom`:
/// the diagram's scale. 1 (unchanged) when the drawing already fills the stage or scrolls; at
/// most [`MAX_STRETCH`], so a two-arrow run does not become a wall of slopes.
pub fn stage_stretch(stage_h: f64, diagram_h: f64, time_h: f64, zoom: f64) -> f64 {
    if !(stage_h > 0.0 && diagram_h > 0.0 && time_h > 0.0 && zoom > 0.0) {
        return 1.0;
    }
    // Two pixels of the drawing's own short of the stage: a drawing one rounding taller than
    // its scroller would give it a scroll bar.
    let room = stage_h / zoom - 2.0 - diagram_h;
    (1.0 + room / time_h).clamp(1.0, MAX_STRETCH)
}

/// The time axis is stretched at most this much ([`stage_stretch`]).
const MAX_STRETCH: f64 = 3.0;

/// TCP vs UDP's two ladders.
type SplitLadders = (Shared<Ladder>, Shared<Ladder>);

/// The stage's ladders with their time axis stretched `k` times (`Ladder::stretched`), made
/// once per ladder and stretch: a new one redraws every arrow. `k` = 1: the ladders as they are.
#[hook]
pub fn use_stretched(
    ladder: &Shared<Ladder>,
    split: &Option<SplitLadders>,
    k: f64,
) -> (Shared<Ladder>, Option<SplitLadders>) {
    let key = (ladder.clone(), split.clone(), (k * 1000.0).round() as i64);
    let stretched = use_memo(key, move |(ladder, split, _)| {
        if k <= 1.0 {
            return (ladder.clone(), split.clone());
        }
        let s = |l: &Shared<Ladder>| Shared::new(l.stretched(k));
        (s(ladder), split.as_ref().map(|(tcp, udp)| (s(tcp), s(udp))))
    });
    (*stretched).clone()
}

/// Presentation mode's state, and its effects on the page: the link's `present=1`, full
/// screen, the page behind kept still, Esc and leaving full screen.
#[hook]
pub fn use_show() -> UseReducerHandle<Show> {
    let show = use_reducer(|| Show {
        on: Location::parse(&dom::current_hash()).query.get("present") == Some("1"),
        size: 0,
    });
    // Whether full screen was ours: leaving it (Esc, the browser's own UI) leaves the mode.
    let fullscreen = use_mut_ref(|| false);
    {
        let fullscreen = fullscreen.clone();
        use_effect_on(show.on, move |&on| {
            let mut loc = Location::parse(&dom::current_hash());
            if on {
                loc.query.set("present", "1");
                enter_fullscreen();
            } else {
                loc.query.remove("present");
                if *fullscreen.borrow() {
                    exit_fullscreen();
                }
            }
            dom::replace_hash(&loc.to_hash());
            dom::set_root_attr("data-presenting", if on { "1" } else { "0" });
        });
    }
    {
        let dispatch = show.dispatcher();
        use_effect_on((), move |_| {
            let window = web_sys::window().expect("window");
            let on_key = {
                let dispatch = dispatch.clone();
                EventListener::new(&window, "keydown", move |e| {
                    if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        if e.key() == "Escape" {
                            dispatch.dispatch(ShowAction::Leave);
                        }
                    }
                })
            };
            let on_fullscreen = dom::document().map(|doc| {
                let target = doc.clone();
                EventListener::new(&target, "fullscreenchange", move |_| {
                    let full = doc.fullscreen_element().is_some();
                    if !full && *fullscreen.borrow() {
                        dispatch.dispatch(ShowAction::Leave);
                    }
                    *fullscreen.borrow_mut() = full;
                })
            });
            move || {
                drop((on_key, on_fullscreen));
                dom::set_root_attr("data-presenting", "0");
            }
        });
    }
    show
}

/// Asks for full screen for the whole page. Refused (no user activation, an iframe without
/// `allowfullscreen`): the layout covers the viewport all the same, so the refusal is only
/// caught, not reported.
fn enter_fullscreen() {
    let Some(doc) = dom::document() else {
        return;
    };
    if !doc.fullscreen_enabled() || doc.fullscreen_element().is_some() {
        return;
    }
    let Some(el) = doc.document_element() else {
        return;
    };
    // `requestFullscreen()` returns a promise; web-sys's binding drops it, and a refusal would
    // then be an unhandled rejection in the console.
    let request = js_sys::Reflect::get(&el, &"requestFullscreen".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&el).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    if let Some(p) = request {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        });
    }
}

fn exit_fullscreen() {
    if let Some(doc) = dom::document() {
        if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        }
    }
}

/// The viewport's width and the stage's size on screen (once measured), kept up to date when
/// either changes: the stage's own size is watched, since the bars above and below it change it
/// without any resize of the window (the controls appear a frame after the diagram; a change of
/// language wraps them differently).
#[hook]
fn use_viewport(stage: NodeRef) -> (f64, Option<(f64, f64)>) {
    let width = use_state_eq(viewport_width);
    let size = use_state_eq(|| None::<(f64, f64)>);
    {
        let (width, size) = (width.setter(), size.setter());
        use_effect_on((), move |_| {
            let el = stage.cast::<web_sys::Element>();
            let measure = move || {
                width.set(viewport_width());
                if let Some(el) = stage.cast::<web_sys::Element>() {
                    size.set(Some((el.client_width() as f64, el.client_height() as f64)));
                }
            };
            measure();
            let watch = el.and_then(|el| dom::on_resize(&el, measure.clone()));
            let window = web_sys::window().expect("window");
            let l = EventListener::new(&window, "resize", move |_| measure());
            move || drop((l, watch))
        });
    }
    (*width, *size)
}

fn viewport_width() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(1280.0)
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub show: Show,
    pub lang: Lang,
    pub on_show: Callback<ShowAction>,
    /// `.player`'s data attributes, which tests and the scene read.
    pub playing: bool,
    pub t: AttrValue,
    /// The view tabs and the legend (with the button that leaves).
    pub tabs: Html,
    pub stage: Html,
    /// Narration, notes, inspector: the column beside the diagram.
    pub side: Html,
    /// The hosts' panels: under the diagram, side by side.
    pub hosts: Html,
    /// The scene's own view drawn with the player (the window scene's cwnd chart): under the
    /// diagram, on screen with it, its first part (the chart) on top.
    #[prop_or_default]
    pub below: Option<Html>,
    pub transport: Html,
    /// The ladder's height in its own px (the taller of TCP vs UDP's two, with their titles);
    /// `None` for the state machine.
    #[prop_or_default]
    pub diagram_h: Option<f64>,
    /// Of `diagram_h`, the time axis: the part [`stage_stretch`] stretches.
    #[prop_or_default]
    pub time_h: Option<f64>,
    #[prop_or_default]
    pub split: bool,
    /// Told the time axis's stretch ([`stage_stretch`]) whenever it changes; the player draws
    /// the stage's ladders stretched by it.
    #[prop_or_default]
    pub on_stretch: Callback<f64>,
}

/// The player's layout in presentation mode.
#[component]
pub fn Presenting(p: &Props) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    let stage_ref = use_node_ref();
    let (width, measured) = use_viewport(stage_ref.clone());
    let (_, side) = scales(width, p.show.size);
    // A scene's own view under the diagram shares the stage's height: no filling then.
    let diagram_h = p.diagram_h.filter(|_| p.below.is_none());
    let stage = stage_zoom(width, p.show.size, measured, diagram_h, p.split);
    let stretch = match (measured, diagram_h, p.time_h) {
        (Some((_, h)), Some(d), Some(time_h)) => stage_stretch(h, d, time_h, stage),
        _ => 1.0,
    };
    {
        let on_stretch = p.on_stretch.clone();
        use_effect_on((stretch * 1000.0).round() as i64, move |_| {
            on_stretch.emit(stretch)
        });
    }
    // The ladder measures its own width on the window's resize event (`LadderView`): a new
    // scale changes that width without one, so it is announced the same way.
    use_effect_on((stage * 1000.0).round() as i64, |_| {
        if let Some(w) = web_sys::window() {
            if let Ok(e) = web_sys::Event::new("resize") {
                let _ = w.dispatch_event(&e);
            }
        }
    });
    let size = |d: i32| p.on_show.reform(move |_: MouseEvent| ShowAction::Size(d));
    html! {
        <div class="player presenting" data-testid="player" data-playing={p.playing.to_string()} data-t={p.t.clone()}
            role="region" aria-label={tr("演示模式", "Presentation mode")}
            style={format!("--stage-zoom:{};--side-zoom:{}", crate::num::fixed(stage, 3), crate::num::fixed(side, 3))}>
            <div class="present-top">
                { p.tabs.clone() }
                <span class="present-size" role="group" aria-label={tr("字号", "Type size")}>
                    <button class="chip" data-testid="present-smaller" title={tr("缩小字号", "Smaller type")}
                        disabled={p.show.size <= SIZE_MIN} onclick={size(-1)}>{ "A−" }</button>
                    <button class="chip" data-testid="present-larger" title={tr("放大字号", "Larger type")}
                        disabled={p.show.size >= SIZE_MAX} onclick={size(1)}>{ "A+" }</button>
                </span>
            </div>
            <div class="present-main">
                <div class={classes!("stage", "present-stage", p.below.is_some().then_some("with-below"))}
                    data-testid="present-stage" ref={stage_ref}>
                    { p.stage.clone() }
                    if let Some(below) = &p.below {
                        <div class="present-below" data-testid="present-below">{ below.clone() }</div>
                    }
                </div>
                <aside class="present-side" data-testid="present-side">{ p.side.clone() }</aside>
                <div class="present-hosts">{ p.hosts.clone() }</div>
            </div>
            { p.transport.clone() }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projector_gets_labels_of_at_least_sixteen_pixels() {
        // The ladder's segment labels are 12 px (ladder.rs, SVG_CSS).
        let (stage, _) = scales(1920.0, 0);
        assert!(12.0 * stage >= 16.0, "{}", 12.0 * stage);
        let (small, _) = scales(1920.0, SIZE_MIN);
        assert!(small < stage);
    }

    #[test]
    fn a_short_ladder_is_scaled_to_the_stage_height_until_its_width_binds() {
        let (base, _) = scales(1920.0, 0);
        // A handshake 330 px tall on a 1450×900 stage: the height binds (900 / 330 = 2.7 would
        // make it 537 px wide, under the narrowest 720), so the width does: 1450 / 720.
        let z = stage_zoom(1920.0, 0, Some((1450.0, 900.0)), Some(330.0), false);
        assert!((z - 1450.0 / 720.0).abs() < 1e-9 && z > base, "{z}");
        // 600 px tall: the height binds first (1.5 < 2.01), under the viewport's scale: kept.
        let z = stage_zoom(1920.0, 0, Some((1450.0, 900.0)), Some(600.0), false);
        assert_eq!(z, base);
        // 480 px tall: 900 / 480 fills the height exactly.
        let z = stage_zoom(1920.0, 0, Some((1450.0, 900.0)), Some(480.0), false);
        assert!((z - 900.0 / 480.0).abs() < 1e-9, "{z}");
        // Two columns keep more width; not measured yet, or no ladder: the viewport's scale.
        let z = stage_zoom(1920.0, 0, Some((1450.0, 900.0)), Some(330.0), true);
        assert!((z - 1450.0 / 900.0).abs() < 1e-9, "{z}");
        assert_eq!(stage_zoom(1920.0, 0, None, Some(330.0), false), base);
        assert_eq!(
            stage_zoom(1920.0, 0, Some((1450.0, 900.0)), None, false),
            base
        );
        // The size control still scales on top.
        let up = stage_zoom(1920.0, 1, Some((1450.0, 900.0)), Some(480.0), false);
        assert!((up - 900.0 / 480.0 * SIZE_STEP).abs() < 1e-9);
    }

    #[test]
    fn a_short_ladder_whose_width_binds_stretches_its_time_axis_to_the_stage_height() {
        // The handshake on a 1920×1080 projector: a stage 934 px tall on screen, the zoom bound
        // by the width (1456 / 720), a drawing 294 px tall of which 194 are its time axis.
        let zoom = 1456.0 / 720.0;
        let k = stage_stretch(934.0, 294.0, 194.0, zoom);
        assert!(k > 1.5, "{k}");
        // Stretched, the drawing fills the stage's height to within its two px of slack.
        let filled = (294.0 + 194.0 * (k - 1.0)) * zoom;
        assert!((filled - (934.0 - 2.0 * zoom)).abs() < 1e-6, "{filled}");
        // A drawing taller than the stage (it scrolls) keeps its axis; a two-arrow run is
        // stretched at most MAX_STRETCH; nothing measured: unchanged.
        assert_eq!(stage_stretch(934.0, 1100.0, 1000.0, zoom), 1.0);
        assert_eq!(stage_stretch(934.0, 120.0, 20.0, zoom), MAX_STRETCH);
        assert_eq!(stage_stretch(0.0, 294.0, 194.0, zoom), 1.0);
    }

    #[test]
    fn the_size_control_stops_at_its_ends() {
        let mut s = Rc::new(Show { on: true, size: 0 });
        for _ in 0..20 {
            s = s.reduce(ShowAction::Size(1));
        }
        assert_eq!(s.size, SIZE_MAX);
        for _ in 0..20 {
            s = s.reduce(ShowAction::Size(-1));
        }
        assert_eq!(s.size, SIZE_MIN);
    }
}
