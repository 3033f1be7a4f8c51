//! The words of the scenes' tables, as one small file per scene that the scene page fetches when
//! it opens (`static/words/<scene id>.tsv`, one of the files of `crate::texts`).
//!
//! The builds compile the tables (which step each row explains) but not their words: 49 KB
//! (19 KB gzipped) for all scenes, 40 % of the first load's tables, paid by every visitor
//! whichever scene they open. As files, a page downloads only its own scene's words (2-5 KB
//! gzipped), once; a scene is drawn and played without waiting for them. One line a row, in
//! table order: `scene-id TAB zh TAB en`. The tests' own builds keep the words in the tables
//! (`engine::teach::Row::text`).

#[cfg(not(test))]
use crate::scenes::SceneDef;
#[cfg(not(test))]
use crate::texts::{use_text, Fetched, Text};

/// The words of `scene`'s table: [`Fetched::Loading`] until its file is in (a scene without a
/// table has nothing to fetch).
#[cfg(not(test))]
#[yew::hook]
pub fn use_words(scene: &'static SceneDef) -> Fetched {
    use_text((!scene.teach.is_empty()).then_some(Text::Words(scene)))
}
