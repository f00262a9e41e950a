//! Key bindings as data: actions, their default keys, user overrides from the config
//! file, and the help text generated from the live map.

use crate::i18n::Lang;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// What a key can do in the main views. Text fields take typed characters directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    Toggle,
    NotApplicable,
    Open,
    History,
    Undo,
    Redo,
    AddGroup,
    Dashboard,
    Agenda,
    Register,
    Search,
    Period,
    PrevPeriod,
    NextPeriod,
    FilterPillar,
    FilterNotDone,
    FilterOverdue,
    ClearFilters,
    Save,
    Figures,
    Narrative,
    Settings,
    Minutes,
    DeadlineDone,
}

impl Action {
    pub const ALL: [Action; 35] = [
        Action::Quit,
        Action::Help,
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextPane,
        Action::Toggle,
        Action::NotApplicable,
        Action::Open,
        Action::History,
        Action::Undo,
        Action::Redo,
        Action::AddGroup,
        Action::Dashboard,
        Action::Agenda,
        Action::Register,
        Action::Search,
        Action::Period,
        Action::PrevPeriod,
        Action::NextPeriod,
        Action::FilterPillar,
        Action::FilterNotDone,
        Action::FilterOverdue,
        Action::ClearFilters,
        Action::Save,
        Action::Figures,
        Action::Narrative,
        Action::Settings,
        Action::Minutes,
        Action::DeadlineDone,
    ];

    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextPane => "next_pane",
            Action::Toggle => "toggle",
            Action::NotApplicable => "not_applicable",
            Action::Open => "open",
            Action::History => "history",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::AddGroup => "add_group",
            Action::Dashboard => "dashboard",
            Action::Agenda => "agenda",
            Action::Register => "register",
            Action::Search => "search",
            Action::Period => "period",
            Action::PrevPeriod => "prev_period",
            Action::NextPeriod => "next_period",
            Action::FilterPillar => "filter_pillar",
            Action::FilterNotDone => "filter_not_done",
            Action::FilterOverdue => "filter_overdue",
            Action::ClearFilters => "clear_filters",
            Action::Save => "save",
            Action::Figures => "figures",
            Action::Narrative => "narrative",
            Action::Settings => "settings",
            Action::Minutes => "minutes",
            Action::DeadlineDone => "deadline_done",
        }
    }

    pub fn describe(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Action::Quit => ("Thoát", "Quit"),
            Action::Help => ("Trợ giúp (bảng phím này)", "Help (this key table)"),
            Action::Up => ("Lên", "Up"),
            Action::Down => ("Xuống", "Down"),
            Action::Left => ("Bước trước / khung trái", "Previous step / left pane"),
            Action::Right => ("Bước sau / khung phải", "Next step / right pane"),
            Action::PageUp => ("Lên một trang", "Page up"),
            Action::PageDown => ("Xuống một trang", "Page down"),
            Action::Top => ("Về đầu danh sách", "First row"),
            Action::Bottom => ("Về cuối danh sách", "Last row"),
            Action::NextPane => ("Chuyển khung", "Switch pane"),
            Action::Toggle => (
                "Đổi trạng thái bước dưới con trỏ",
                "Toggle the step under the cursor",
            ),
            Action::NotApplicable => (
                "Đặt bước là không áp dụng",
                "Set the step to not applicable",
            ),
            Action::Open => (
                "Mở chi tiết, ghi minh chứng",
                "Open the entry, record evidence",
            ),
            Action::History => ("Lịch sử thay đổi của mục", "History of the entry"),
            Action::Undo => (
                "Hoàn tác thay đổi gần nhất của bạn (hỏi trước nếu ở tổ khác)",
                "Undo your last change (asks first if it is in another group)",
            ),
            Action::Redo => (
                "Làm lại thay đổi vừa hoàn tác",
                "Redo the change you just undid",
            ),
            Action::AddGroup => ("Thêm tổ dân phố", "Add a residential group"),
            Action::Dashboard => ("Bảng tổng hợp / danh mục", "Dashboard / checklist"),
            Action::Agenda => (
                "Việc đến hạn và quá hạn / danh mục",
                "What falls due and what is late / checklist",
            ),
            Action::Register => (
                "Đăng ký một lần phát sinh của mục (hôm nay)",
                "Register an occurrence of the item (today)",
            ),
            Action::Search => ("Tìm (không cần dấu)", "Search (diacritics ignored)"),
            Action::Period => ("Chọn kỳ báo cáo", "Choose the reporting period"),
            Action::PrevPeriod => ("Kỳ trước", "Previous period"),
            Action::NextPeriod => ("Kỳ sau", "Next period"),
            Action::FilterPillar => ("Lọc theo trụ cột", "Filter by pillar"),
            Action::FilterNotDone => ("Lọc: chưa xong", "Filter: not done"),
            Action::FilterOverdue => ("Lọc: quá hạn", "Filter: overdue"),
            Action::ClearFilters => ("Bỏ lọc", "Clear filters"),
            Action::Save => ("Lưu (trong biểu mẫu)", "Save (in a form)"),
            Action::Figures => (
                "Số liệu chỉ tiêu của tổ (hoặc phường) trong quý",
                "Counted figures of the group (or ward) for the quarter",
            ),
            Action::Narrative => (
                "Viết phần nhận xét của báo cáo kỳ này",
                "Write the report's narrative for the period",
            ),
            Action::Settings => (
                "Thiết lập văn bản của phường (kiểu, cơ quan, số, người ký, nơi nhận)",
                "The ward's document settings (style, body, number, signer, recipients)",
            ),
            Action::Minutes => (
                "Ghi biên bản (.docx) của mục từ minh chứng đã lưu",
                "Write the item's minutes (.docx) from the stored evidence",
            ),
            Action::DeadlineDone => (
                "Việc đến hạn: ghi hạn của dòng là đã làm hôm nay",
                "Agenda: record the line's deadline done today",
            ),
        };
        lang.t(vi, en)
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            Action::Quit => &["q", "ctrl+c"],
            Action::Help => &["?", "f1"],
            Action::Up => &["up", "k"],
            Action::Down => &["down", "j"],
            Action::Left => &["left", "h"],
            Action::Right => &["right", "l"],
            Action::PageUp => &["pageup"],
            Action::PageDown => &["pagedown"],
            Action::Top => &["home", "g"],
            Action::Bottom => &["end", "G"],
            Action::NextPane => &["tab", "backtab"],
            Action::Toggle => &["space"],
            Action::NotApplicable => &["x"],
            Action::Open => &["enter", "e"],
            Action::History => &["H"],
            Action::Undo => &["u"],
            Action::Redo => &["ctrl+r", "U"],
            Action::AddGroup => &["a"],
            Action::Dashboard => &["d"],
            Action::Agenda => &["D"],
            Action::Register => &["r"],
            Action::Search => &["/"],
            Action::Period => &["p"],
            Action::PrevPeriod => &["["],
            Action::NextPeriod => &["]"],
            Action::FilterPillar => &["f"],
            Action::FilterNotDone => &["n"],
            Action::FilterOverdue => &["o"],
            Action::ClearFilters => &["c"],
            Action::Save => &["ctrl+s", "f2"],
            Action::Figures => &["F"],
            Action::Narrative => &["N"],
            Action::Settings => &["S"],
            Action::Minutes => &["ctrl+p"],
            Action::DeadlineDone => &["m"],
        }
    }
}

/// A key with its modifiers, as written in the config file ("ctrl+s", "space", "G").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// KeyCode with an order, for stable help output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl+") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt+") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "space" => KeyCodeOrd::Char(' '),
            "enter" | "return" => KeyCodeOrd::Enter,
            "esc" | "escape" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" | "shift+tab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pageup" | "pgup" => KeyCodeOrd::PageUp,
            "pagedown" | "pgdn" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                KeyCodeOrd::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl+")?;
        }
        if self.alt {
            f.write_str("Alt+")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("Shift+Tab"),
            KeyCodeOrd::Backspace => f.write_str("Backspace"),
            KeyCodeOrd::Delete => f.write_str("Delete"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("unknown action {0:?} in [keys]")]
    UnknownAction(String),
    #[error("cannot read key {key:?} for action {action}")]
    BadKey { action: String, key: String },
    #[error("key {key} is bound to both {first} and {second}")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("Esc is reserved for closing popups; it cannot be bound to {0}")]
    Reserved(String),
}

impl KeymapError {
    pub fn message(&self, lang: Lang) -> String {
        if lang.is_en() {
            return self.to_string();
        }
        match self {
            KeymapError::UnknownAction(a) => format!("không có hành động {a:?} trong [keys]"),
            KeymapError::BadKey { action, key } => {
                format!("không đọc được phím {key:?} của hành động {action}")
            }
            KeymapError::Conflict { key, first, second } => {
                format!("phím {key} được gán cho cả {first} và {second}")
            }
            KeymapError::Reserved(a) => {
                format!("Esc dành để đóng cửa sổ, không gán được cho {a}")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    map: HashMap<Key, Action>,
    keys: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::build(&BTreeMap::new()).unwrap_or_else(|e| panic!("default keymap: {e}"))
    }
}

impl Keymap {
    /// Defaults with `overrides` (action name → keys) replacing an action's keys.
    pub fn build(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !Action::ALL.iter().any(|a| a.name() == name) {
                return Err(KeymapError::UnknownAction(name.clone()));
            }
        }
        let mut keys: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for a in Action::ALL {
            let list: Vec<String> = match overrides.get(a.name()) {
                Some(v) => v.clone(),
                None => a.defaults().iter().map(|s| s.to_string()).collect(),
            };
            let parsed = list
                .iter()
                .map(|k| {
                    Key::parse(k).ok_or_else(|| KeymapError::BadKey {
                        action: a.name().to_string(),
                        key: k.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if parsed.iter().any(|k| k.code == KeyCodeOrd::Esc) {
                return Err(KeymapError::Reserved(a.name().to_string()));
            }
            keys.insert(a, parsed);
        }
        let mut map: HashMap<Key, Action> = HashMap::new();
        for (a, ks) in &keys {
            for k in ks {
                if let Some(prev) = map.insert(*k, *a)
                    && prev != *a
                {
                    return Err(KeymapError::Conflict {
                        key: k.to_string(),
                        first: prev.name(),
                        second: a.name(),
                    });
                }
            }
        }
        Ok(Keymap { map, keys })
    }

    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        let k = Key::from_event(ev)?;
        self.map.get(&k).copied().or_else(|| {
            // Shifted letters arrive with SHIFT on some terminals and without on others.
            let mut plain = k;
            if let KeyCodeOrd::Char(c) = k.code
                && ev.modifiers.contains(KeyModifiers::SHIFT)
            {
                plain.code = KeyCodeOrd::Char(c);
            }
            self.map.get(&plain).copied()
        })
    }

    pub fn keys(&self, a: Action) -> &[Key] {
        self.keys.get(&a).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// "Space" / "Ctrl+S" — the first key of an action, for footers.
    pub fn first(&self, a: Action) -> String {
        self.keys(a)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// Every action with its keys and description, in a fixed order.
    pub fn help_rows(&self, lang: Lang) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .map(|a| {
                let ks: Vec<String> = self.keys(*a).iter().map(|k| k.to_string()).collect();
                (ks.join(", "), a.describe(lang))
            })
            .collect()
    }

    /// The key table as Markdown (KEYBINDINGS.md is checked against this).
    pub fn markdown(&self) -> String {
        let mut s = String::from("| Phím / Key | Việc / Action | config name |\n|---|---|---|\n");
        for a in Action::ALL {
            let ks: Vec<String> = self.keys(a).iter().map(|k| format!("`{k}`")).collect();
            s.push_str(&format!(
                "| {} | {} — {} | `{}` |\n",
                ks.join(", "),
                a.describe(Lang::Vi),
                a.describe(Lang::En),
                a.name()
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: m,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_have_no_conflicts() {
        let k = Keymap::default();
        assert_eq!(
            k.action(&ev(KeyCode::Char(' '), KeyModifiers::NONE)),
            Some(Action::Toggle)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Save)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn conflicting_override_is_rejected_with_both_names() {
        let mut o = BTreeMap::new();
        o.insert("toggle".to_string(), vec!["q".to_string()]);
        let e = Keymap::build(&o).unwrap_err();
        assert_eq!(
            e,
            KeymapError::Conflict {
                key: "q".into(),
                first: "quit",
                second: "toggle"
            }
        );
        assert!(e.message(Lang::Vi).contains("quit"));
    }

    #[test]
    fn override_replaces_the_action_keys() {
        let mut o = BTreeMap::new();
        o.insert("toggle".to_string(), vec!["t".to_string()]);
        let k = Keymap::build(&o).unwrap();
        assert_eq!(
            k.action(&ev(KeyCode::Char('t'), KeyModifiers::NONE)),
            Some(Action::Toggle)
        );
        assert_eq!(k.action(&ev(KeyCode::Char(' '), KeyModifiers::NONE)), None);
    }

    #[test]
    fn unknown_action_bad_key_and_esc_are_rejected() {
        let mut o = BTreeMap::new();
        o.insert("fly".to_string(), vec!["z".to_string()]);
        assert!(matches!(
            Keymap::build(&o),
            Err(KeymapError::UnknownAction(_))
        ));
        let mut o = BTreeMap::new();
        o.insert(
            "quit".to_string(),
            vec!["ctrl+".to_string(), "zz".to_string()],
        );
        assert!(matches!(Keymap::build(&o), Err(KeymapError::BadKey { .. })));
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["esc".to_string()]);
        assert!(matches!(Keymap::build(&o), Err(KeymapError::Reserved(_))));
    }

    #[test]
    fn keybindings_md_matches_the_keymap() {
        let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/KEYBINDINGS.md"))
            .expect("KEYBINDINGS.md");
        assert!(
            md.contains(&Keymap::default().markdown()),
            "KEYBINDINGS.md is out of date; paste in Keymap::default().markdown():\n{}",
            Keymap::default().markdown()
        );
    }
}
