//! Teacher notes beside the narration: the note of the step at the playhead, drawn from
//! markdown-light (paragraphs, **bold**, *italic*, `code`, [links](https://…)), and a small
//! editor. The notes live in the link (`notes=`, [`crate::engine::notes`]), so "Copy link" and
//! "Copy embed code" carry them. Full build only.

use yew::prelude::*;

use synack_model::trace::Trace;

use crate::dom;
use crate::engine::notes::{self, Note};
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::route::Location;

use super::narration::step_at;

/// The link's notes, or why they could not be read.
pub type Loaded = Result<Vec<Note>, notes::Error>;

/// The notes of the link as the page opened it.
pub fn from_link() -> Loaded {
    match Location::parse(&dom::current_hash()).query.get("notes") {
        Some(v) => notes::decode(v),
        None => Ok(Vec::new()),
    }
}

/// Writes the notes into the link (replaceState: no reload, no history entry).
fn to_link(notes: &[Note]) {
    let mut loc = Location::parse(&dom::current_hash());
    let v = notes::encode(notes);
    if v.is_empty() {
        loc.query.remove("notes");
    } else {
        loc.query.set("notes", v);
    }
    dom::replace_hash(&loc.to_hash());
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub trace: Shared<Trace>,
    pub t: f64,
    pub lang: Lang,
    pub notes: Shared<Loaded>,
    pub on_change: Callback<Vec<Note>>,
    /// Editing allowed (not in presentation mode, not while a question is open).
    pub editable: bool,
}

#[component]
pub fn TeacherNotes(p: &Props) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    let editing = use_state(|| None::<usize>);
    let draft = use_node_ref();
    let (first, upto) = step_at(&p.trace, p.t);
    let notes: &[Note] = match &*p.notes {
        Ok(n) => n,
        Err(e) => {
            return html! {
                <div class="notice error teacher-note-error" role="alert" data-testid="notes-error">{ e.text(p.lang) }</div>
            }
        }
    };
    let here: Vec<&Note> = notes
        .iter()
        .filter(|n| n.event >= first && n.event < upto.max(1))
        .collect();
    // A new note belongs to the last event at the playhead (the first one before any).
    let step = upto.saturating_sub(1);

    if let Some(event) = *editing {
        let text = notes
            .iter()
            .find(|n| n.event == event)
            .map(|n| n.text.clone())
            .unwrap_or_default();
        let save = {
            let (editing, draft, on_change) = (editing.clone(), draft.clone(), p.on_change.clone());
            let all = notes.to_vec();
            Callback::from(move |_: MouseEvent| {
                // The textarea's `value` (read through JS: web-sys's textarea type is not
                // among the app's features for this one field).
                let value = draft
                    .get()
                    .and_then(|el| js_sys::Reflect::get(&el, &"value".into()).ok())
                    .and_then(|v| v.as_string());
                if let Some(value) = value {
                    let value: String = value.chars().take(notes::MAX_NOTE_CHARS).collect();
                    let mut all = all.clone();
                    notes::set(&mut all, event, &value);
                    to_link(&all);
                    on_change.emit(all.clone());
                }
                editing.set(None);
            })
        };
        let cancel = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(None))
        };
        return html! {
            <div class="teacher-note editing" data-testid="note-editor">
                <label class="note-label" for="note-draft">
                    { tr("这一步的批注", "Your note on this step") }
                    <span class="note-hint">{ tr("空行分段；**粗体** *斜体* `代码` [链接](https://…)",
                        "blank line: new paragraph; **bold** *italic* `code` [link](https://…)") }</span>
                </label>
                // `defaultvalue`, not `value`: Yew writes a `value` back into the element on every
                // render that differs from what it holds, and this one renders again whenever the
                // player does (a step, a frame of playback, the page's words arriving), which
                // wiped what was typed before "Save" read it.
                <textarea id="note-draft" ref={draft} rows="5" maxlength={notes::MAX_NOTE_CHARS.to_string()}
                    data-testid="note-text" defaultvalue={text} />
                <div class="note-buttons">
                    <button class="chip" data-testid="note-save" onclick={save}>{ tr("保存到链接", "Save into the link") }</button>
                    <button class="chip" data-testid="note-cancel" onclick={cancel}>{ tr("取消", "Cancel") }</button>
                </div>
            </div>
        };
    }

    let edit = {
        let editing = editing.clone();
        let event = here.last().map_or(step, |n| n.event);
        Callback::from(move |_: MouseEvent| editing.set(Some(event)))
    };
    html! {
        <div class="teacher-notes">
            { for here.iter().map(|n| html! {
                <aside class="teacher-note" data-testid="teacher-note" aria-label={tr("教师批注", "Teacher's note")}>
                    { render(&n.text) }
                </aside>
            }) }
            if p.editable {
                <button class="chip note-edit" data-testid="note-edit" onclick={edit}
                    title={tr("为这一步写批注；批注保存在链接和嵌入代码里", "Write a note on this step; it is kept in the link and the embed code")}>
                    { if here.is_empty() { tr("✎ 添加批注", "✎ Add a note") } else { tr("✎ 编辑批注", "✎ Edit the note") } }
                </button>
            }
        </div>
    }
}

/// Markdown-light to HTML nodes (never to markup text: a note cannot inject anything).
/// Paragraphs are separated by blank lines; a single newline is a line break.
pub fn render(text: &str) -> Html {
    let paragraphs = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines = p.lines().enumerate().map(|(i, l)| {
                html! { <>{ for (i > 0).then(|| html! { <br /> }) }{ inline(l) }</> }
            });
            html! { <p>{ for lines }</p> }
        });
    html! { <>{ for paragraphs }</> }
}

/// One line's inline marks: `code` first (nothing inside it is a mark), then links, **bold**
/// and *italic*. An unclosed mark is plain text.
fn inline(s: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let next = ["`", "[", "**", "*"]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min_by_key(|&(i, m)| (i, std::cmp::Reverse(m.len())));
        let Some((i, mark)) = next else {
            out.push(html! { { rest } });
            break;
        };
        let (before, from) = rest.split_at(i);
        let body = &from[mark.len()..];
        let parsed = match mark {
            "`" => body
                .find('`')
                .map(|j| (html! { <code>{ &body[..j] }</code> }, &body[j + 1..])),
            "[" => link(body),
            _ => body.find(mark).filter(|&j| j > 0).map(|j| {
                let inner = inline(&body[..j]);
                let node = if mark == "**" {
                    html! { <strong>{ inner }</strong> }
                } else {
                    html! { <em>{ inner }</em> }
                };
                (node, &body[j + mark.len()..])
            }),
        };
        match parsed {
            Some((node, after)) => {
                out.push(html! { { before } });
                out.push(node);
                rest = after;
            }
            None => {
                // Not a mark: the character is text.
                let k = i + mark.len();
                out.push(html! { { &rest[..k] } });
                rest = &rest[k..];
            }
        }
    }
    html! { <>{ for out }</> }
}

/// `text](url)` after a `[`: a link to an http(s) address only (no `javascript:`).
fn link(body: &str) -> Option<(Html, &str)> {
    let close = body.find("](")?;
    let after = &body[close + 2..];
    let end = after.find(')')?;
    let (text, url) = (&body[..close], after[..end].trim());
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(['"', ' ']) {
        return None;
    }
    Some((
        html! { <a href={url.to_string()} target="_blank" rel="noopener noreferrer">{ text }</a> },
        &after[end + 1..],
    ))
}
