//! Languages and UI text.
//!
//! Every visible string is a [`T`]: a pair of `&'static str`, Chinese and English, so a missing
//! translation is a compile error rather than a blank label. Text that is built from data
//! (narration, labels) lives next to the code that builds it and takes a [`Lang`].

/// Which programming interface the page speaks: the C socket calls (connect(), recv(), the
/// default) or Node.js's `net` and `dgram` (`net.connect()`, the `'data'` event). The URL's
/// `api=node` chooses Node; embeds keep it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Api {
    #[default]
    C,
    Node,
}

impl Api {
    /// The value used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Api::C => "c",
            Api::Node => "node",
        }
    }

    pub fn parse(s: &str) -> Option<Api> {
        match s.trim().to_ascii_lowercase().as_str() {
            "c" | "posix" => Some(Api::C),
            "node" | "nodejs" | "node.js" => Some(Api::Node),
            _ => None,
        }
    }

    /// Whether the page speaks Node.js. Never in the first-load build: it hands every scene
    /// page with `api=node` over to the full build (`pages::page_for`), so its scenes are only
    /// ever drawn in the C view, and a constant `false` here keeps the Node.js words and
    /// sentences out of its download.
    pub fn is_node(self) -> bool {
        cfg!(feature = "full") && self == Api::Node
    }

    pub fn other(self) -> Api {
        match self {
            Api::C => Api::Node,
            Api::Node => Api::C,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The value used in URLs and localStorage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// BCP 47 tag for `<html lang>` (fonts and screen readers pick by it).
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Accepts our codes and browser tags ("zh-CN", "zh-Hans", "en-US").
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// One piece of UI text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct T {
    pub zh: &'static str,
    pub en: &'static str,
}

impl T {
    pub const fn new(zh: &'static str, en: &'static str) -> T {
        T { zh, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The shell's text. Scene text lives in `scenes/`.
pub mod txt {
    use super::T;

    pub const TAGLINE: T = T::new(
        "看见 TCP 和 UDP 如何工作：逐个报文、逐个状态，可暂停、可倒放。",
        "See TCP and UDP work: packet by packet, state by state, paused or rewound at will.",
    );
    pub const LANG_SWITCH: T = T::new("English", "中文");
    pub const LANG_SWITCH_TITLE: T = T::new("切换到英文", "Switch to Chinese");
    pub const THEME_TO_DARK: T = T::new("深色", "Dark");
    pub const THEME_TO_LIGHT: T = T::new("浅色", "Light");
    pub const THEME_TITLE: T = T::new("切换浅色/深色主题", "Switch light/dark theme");
    pub const SCENES: T = T::new("动画场景", "Animated scenes");
    pub const REFERENCE: T = T::new("速查与练习", "Reference and practice");
    pub const NOT_FOUND_TITLE: T = T::new("没有这个页面", "No such page");
    pub const NOT_FOUND_BODY: T = T::new(
        "这个地址不对应任何页面。也许链接被截断了？下面是所有页面：",
        "Nothing lives at this address. Perhaps the link was cut short? Here is every page:",
    );
    pub const BACK_HOME: T = T::new("回到首页", "Back to the start page");
    pub const PANIC_TITLE: T = T::new("出错了", "Something broke");
    pub const FOOTER: T = T::new(
        "所有动画都由确定性的协议模型算出：同样的参数和随机种子，得到同样的报文。",
        "Every animation is computed by a deterministic protocol model: same parameters and random seed, same packets.",
    );
    pub const DISMISS: T = T::new("知道了", "Dismiss");
    pub const API_TO_NODE: T = T::new("用 Node.js 的说法", "Node.js view");
    pub const API_TO_C: T = T::new("用 C 套接字的说法", "C sockets view");
    pub const API_TITLE: T = T::new(
        "把套接字调用说成 Node.js 的 net/dgram（socket.write()、'data' 事件），或说成 C 的 connect()/recv()",
        "Name the socket calls as Node.js's net/dgram does (socket.write(), the 'data' event) or as C's connect()/recv()",
    );
}
