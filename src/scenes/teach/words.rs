//! The words of the first-load scenes' tables, as a file the first load fetches after its first
//! paint (`static/teach-words.tsv`, copied next to the page by index.html).
//!
//! The first load compiles the tables of its three scenes (which step each row explains) but
//! not their words: 40 % of their weight, paid by every visitor before the first diagram. The
//! words arrive as this small file instead, fetched once, so that a link opened straight onto
//! one of these scenes explains its steps as the full build does, without loading it. One line
//! a row, in table order: `scene-id TAB zh TAB en`. The full build's tables are its source: a
//! test keeps the file equal to them (`SYNACK_BLESS=1` rewrites it).

#[cfg(not(feature = "full"))]
use std::cell::RefCell;

#[cfg(any(test, not(feature = "full")))]
use crate::i18n::T;
#[cfg(any(test, not(feature = "full")))]
use crate::scenes::SceneDef;

/// Where the page finds the file (next to index.html).
#[cfg(not(feature = "full"))]
const FILE: &str = "./teach-words.tsv";

/// The words of `scene`'s table in `file`: `None` unless there is one line for each row (a file
/// from another version of the app is not trusted to name the same rows).
#[cfg(any(test, not(feature = "full")))]
pub fn parse(file: &'static str, scene: &SceneDef) -> Option<Vec<T>> {
    let id = scene.route.id();
    let words: Vec<T> = file
        .lines()
        .filter_map(|line| {
            let mut cols = line.splitn(3, '\t');
            let (s, zh, en) = (cols.next()?, cols.next()?, cols.next()?);
            (s == id).then_some(T::new(zh, en))
        })
        .collect();
    (words.len() == scene.teach.len() && !words.is_empty()).then_some(words)
}

/// The file as the tables give it: every first-load scene's rows, in table order.
#[cfg(test)]
pub fn file(scenes: &[&SceneDef]) -> String {
    let mut out = String::new();
    for s in scenes {
        for r in s.teach {
            out.push_str(&format!("{}\t{}\t{}\n", s.route.id(), r.text.zh, r.text.en));
        }
    }
    out
}

/// A scene's words, once parsed: (scene id, its words).
#[cfg(not(feature = "full"))]
type Parsed = Vec<(&'static str, Option<&'static [T]>)>;

/// Who waits for the words: a scene page's state, to set once they are in.
#[cfg(not(feature = "full"))]
type Waiting = Vec<(&'static SceneDef, yew::UseStateSetter<Option<&'static [T]>>)>;

#[cfg(not(feature = "full"))]
enum Fetch {
    NotYet,
    Waiting(Waiting),
    /// The file (leaked once: the page keeps it for its life); `None`: it could not be had.
    Done(Option<&'static str>),
}

#[cfg(not(feature = "full"))]
thread_local! {
    static FETCH: RefCell<Fetch> = const { RefCell::new(Fetch::NotYet) };
    /// Each scene's words, parsed from the file once.
    static PARSED: RefCell<Parsed> = const { RefCell::new(Vec::new()) };
}

#[cfg(not(feature = "full"))]
fn words_of(scene: &'static SceneDef) -> Option<&'static [T]> {
    let file = FETCH.with(|f| match *f.borrow() {
        Fetch::Done(file) => file,
        _ => None,
    })?;
    let id = scene.route.id();
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if let Some((_, w)) = p.iter().find(|(s, _)| *s == id) {
            return *w;
        }
        let w = parse(file, scene).map(|w| &*Box::leak(w.into_boxed_slice()));
        p.push((id, w));
        w
    })
}

/// The words of `scene`'s table in the first load: `None` until the file is in. It is fetched
/// once, after the first paint (this hook's effect); a failed fetch leaves the scenes without
/// paragraphs, as they were before.
#[cfg(not(feature = "full"))]
#[yew::hook]
pub fn use_words(scene: &'static SceneDef) -> Option<&'static [T]> {
    let words = yew::use_state(|| words_of(scene));
    {
        let words = words.clone();
        yew::use_effect_with(scene.route, move |_| {
            let now = words_of(scene);
            if *words != now {
                words.set(now);
            }
            if now.is_some() || scene.teach.is_empty() {
                return;
            }
            let start = FETCH.with(|f| match &mut *f.borrow_mut() {
                f @ Fetch::NotYet => {
                    *f = Fetch::Waiting(vec![(scene, words.setter())]);
                    true
                }
                Fetch::Waiting(w) => {
                    w.push((scene, words.setter()));
                    false
                }
                Fetch::Done(_) => false,
            });
            if start {
                wasm_bindgen_futures::spawn_local(async {
                    let text = crate::dom::fetch_text(FILE).await.ok();
                    let text = text.map(|t| &*Box::leak(t.into_boxed_str()));
                    let waiting = FETCH.with(|f| f.replace(Fetch::Done(text)));
                    if let Fetch::Waiting(w) = waiting {
                        for (scene, set) in w {
                            set.set(words_of(scene));
                        }
                    }
                });
            }
        });
    }
    *words
}
