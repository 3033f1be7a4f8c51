//! Small helpers around the browser objects the app touches directly.

pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Rewrites the hash without adding a history entry or firing `hashchange`
/// (the app already shows what the new URL describes).
pub fn replace_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
        }
    }
}

/// The page's address without the hash (for "copy link" and embed snippets).
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

pub fn set_root_attr(name: &str, value: &str) {
    if let Some(el) = document().and_then(|d| d.document_element()) {
        let _ = el.set_attribute(name, value);
    }
}

pub fn set_html_lang(lang: &str) {
    if let Some(el) = document().and_then(|d| d.document_element()) {
        el.set_attribute("lang", lang).ok();
    }
}

/// `document.body.dataset.ready`: "1" once the page's first frame is drawn, "0" while a route
/// change is pending. Tests and benchmarks wait on it.
pub fn set_ready(ready: bool) {
    if let Some(body) = document().and_then(|d| d.body()) {
        let _ = body.set_attribute("data-ready", if ready { "1" } else { "0" });
    }
}

pub fn set_title(title: &str) {
    if let Some(d) = document() {
        d.set_title(title);
    }
}

/// Writes a panic into the page so a crash is never a blank screen.
pub fn show_panic(message: &str) {
    let Some(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    let el = match doc.get_element_by_id("panic-overlay") {
        Some(el) => el,
        None => {
            let Ok(el) = doc.create_element("div") else {
                return;
            };
            el.set_id("panic-overlay");
            let _ = el.set_attribute("data-testid", "error-overlay");
            let _ = el.set_attribute("role", "alert");
            let _ = body.append_child(&el);
            el
        }
    };
    let zh = doc
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .is_some_and(|l| l.starts_with("zh"));
    let title = if zh {
        crate::i18n::txt::PANIC_TITLE.zh
    } else {
        crate::i18n::txt::PANIC_TITLE.en
    };
    let hint = if zh {
        "页面遇到了程序错误。请刷新重试；如果能重现，请把这段信息和链接一起报告。"
    } else {
        "The page hit a program error. Reload to try again; if it happens again, please report this message with the link."
    };
    let h = doc.create_element("h2").ok();
    let p = doc.create_element("p").ok();
    let pre = doc.create_element("pre").ok();
    el.set_text_content(None);
    if let (Some(h), Some(p), Some(pre)) = (h, p, pre) {
        h.set_text_content(Some(title));
        p.set_text_content(Some(hint));
        pre.set_text_content(Some(message));
        let _ = el.append_child(&h);
        let _ = el.append_child(&p);
        let _ = el.append_child(&pre);
    }
    let _ = body.set_attribute("data-ready", "error");
}

pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&msg.as_str().into());
        show_panic(&msg);
    }));
}
