//! The words of the scenes' tables, as one small file per scene that the scene page fetches when
//! it opens (`static/words/<scene id>.tsv`, copied next to the page by index.html).
//!
//! The builds compile the tables (which step each row explains) but not their words: 49 KB
//! (19 KB gzipped) for all scenes, 40 % of the first load's tables, paid by every visitor
//! whichever scene they open. As files, a page downloads only its own scene's words (2-5 KB
//! gzipped), once (the browser caches them like the other files of the site); a scene is drawn
//! and played without waiting for them. One line a row, in table order:
//! `scene-id TAB zh TAB en`. The tables in `scenes::teach` are the source: a test keeps the files
//! equal to them (`SYNACK_BLESS=1` rewrites them), and the tests' own builds keep the words in
//! the tables (`engine::teach::Row::text`).

use crate::i18n::T;
use crate::scenes::SceneDef;

/// Where the page finds `id`'s words: relative to the page, so that a site copied under a
/// sub-folder (a course site) finds them too.
pub fn file_of(id: &str) -> String {
    format!("./words/{id}.tsv")
}

/// What a page has of its scene's words (the tests' tables carry their own).
#[cfg(not(test))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Words {
    /// Not in yet: the scene shows no paragraph until they are.
    Loading,
    /// The rows' words, in table order.
    In(&'static [T]),
    /// The file could not be had (a page opened from `file://`, a host that does not serve it)
    /// or is from another version of the app: the page says so (see [`FAILED`]).
    Failed,
}

/// What the page says when its scene's words could not be had: the animation, narration and
/// every control work without them. The page names the file after it.
pub const FAILED: T = T::new(
    "这个场景的讲解段落没能加载：网站没有提供这个文件，或网络断了。动画、旁白和所有控件照常可用。文件：",
    "This scene's step explanations could not be loaded: the site does not serve their file, or the network is down. The animation, the narration and every control work without them. File:",
);

/// The words of `scene`'s table in `file`: `None` unless there is one line for each row (a file
/// from another version of the app is not trusted to name the same rows).
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

/// `scene`'s file as its table gives it: its rows, in table order.
#[cfg(test)]
pub fn file(scene: &SceneDef) -> String {
    let mut out = String::new();
    for r in scene.teach {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            scene.route.id(),
            r.text.zh,
            r.text.en
        ));
    }
    out
}

#[cfg(not(test))]
pub use fetch::use_words;

/// The fetch, once per scene for the page's life.
#[cfg(not(test))]
mod fetch {
    use std::cell::RefCell;

    use super::{file_of, parse, Words};
    use crate::scenes::SceneDef;

    /// A scene's words: asked for (who waits for them: a scene page's state, to set once they
    /// are in), or had (the file leaked once: the page keeps it for its life).
    enum Fetch {
        Waiting(Vec<yew::UseStateSetter<Words>>),
        Done(Words),
    }

    thread_local! {
        /// (scene id, its fetch), for the scenes asked for so far.
        static FETCHES: RefCell<Vec<(&'static str, Fetch)>> = const { RefCell::new(Vec::new()) };
    }

    /// What the page has of `scene`'s words now; `None`: not asked for yet.
    fn now(scene: &SceneDef) -> Option<Words> {
        if scene.teach.is_empty() {
            return Some(Words::In(&[]));
        }
        let id = scene.route.id();
        FETCHES.with(|f| {
            f.borrow()
                .iter()
                .find(|(s, _)| *s == id)
                .map(|(_, f)| match f {
                    Fetch::Waiting(_) => Words::Loading,
                    Fetch::Done(w) => *w,
                })
        })
    }

    /// The words of `scene`'s table: [`Words::Loading`] until its file is in. It is fetched
    /// once, after the page's first paint (this hook's effect).
    #[yew::hook]
    pub fn use_words(scene: &'static SceneDef) -> Words {
        let words = yew::use_state(|| now(scene).unwrap_or(Words::Loading));
        {
            let words = words.clone();
            yew::use_effect_with(scene.route, move |_| {
                let id = scene.route.id();
                let start = FETCHES.with(|f| {
                    let mut f = f.borrow_mut();
                    match f.iter_mut().find(|(s, _)| *s == id) {
                        Some((_, Fetch::Waiting(w))) => {
                            w.push(words.setter());
                            false
                        }
                        Some((_, Fetch::Done(_))) => false,
                        None if scene.teach.is_empty() => false,
                        None => {
                            f.push((id, Fetch::Waiting(vec![words.setter()])));
                            true
                        }
                    }
                });
                let shown = now(scene).unwrap_or(Words::Loading);
                if *words != shown {
                    words.set(shown);
                }
                if start {
                    wasm_bindgen_futures::spawn_local(async move {
                        let text = crate::dom::fetch_text(&file_of(id)).await.ok();
                        let got = text
                            .and_then(|t| parse(Box::leak(t.into_boxed_str()), scene))
                            .map_or(Words::Failed, |w| {
                                Words::In(Box::leak(w.into_boxed_slice()))
                            });
                        let waiting = FETCHES.with(|f| {
                            let mut f = f.borrow_mut();
                            let entry = f.iter_mut().find(|(s, _)| *s == id);
                            entry.map(|(_, e)| std::mem::replace(e, Fetch::Done(got)))
                        });
                        if let Some(Fetch::Waiting(w)) = waiting {
                            for set in w {
                                set.set(got);
                            }
                        }
                    });
                }
            });
        }
        *words
    }
}
