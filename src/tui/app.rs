//! The application state and its update: an event in, the state changed, and at most
//! one command out for the runner to carry out against the service. No I/O here.

use super::form::{EntryForm, Field};
use super::input::TextInput;
use super::keymap::{Action, Keymap};
use super::theme::Theme;
use crate::domain::audit::AuditRecord;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::period::Period;
use crate::domain::step::Step;
use crate::domain::template::Pillar;
use crate::domain::text;
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP, Ward};
use crate::i18n::Lang;
use crate::service::report::{GroupReport, Pct, PillarRow, Report, StepRow};
use crate::service::{ChecklistRow, EntryEdit, MarkRequest};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use std::collections::HashMap;

/// The smallest terminal the main screens are drawn in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub ascii: bool,
    pub mouse: bool,
    /// The database path, shown on the first-run screen.
    pub db_label: String,
}

/// Everything the screens show, loaded from the service in one go.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub ward: Ward,
    pub branches: Vec<Branch>,
    pub groups: Vec<Group>,
    pub report: Report,
    /// Whether `report` is whole (the dashboard's) or the completion figures only.
    pub detailed: bool,
    /// The checklist of the selected group (or of the ward, for [`WARD_GROUP`]).
    pub rows: Vec<ChecklistRow>,
    pub group: GroupId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateWard {
    pub name: TextInput,
    pub six: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// No ward in the database yet.
    FirstRun {
        creating: Option<CreateWard>,
    },
    Main,
    Dashboard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Detail(Box<EntryForm>),
    History {
        title: String,
        records: Vec<AuditRecord>,
        scroll: usize,
    },
    Period {
        options: Vec<Period>,
        sel: usize,
    },
    ConfirmQuit,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub pillar: Option<Pillar>,
    pub not_done: bool,
    pub overdue: bool,
}

impl Filters {
    pub fn any(&self) -> bool {
        self.pillar.is_some() || self.not_done || self.overdue
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// "Who is working?": shown at start when members are defined and the session does not
/// know who this is (shared office PCs).
#[derive(Debug, Clone, PartialEq)]
pub struct LoginPrompt {
    /// (name, has a PIN)
    pub members: Vec<(String, bool)>,
    pub sel: usize,
    /// Typing the PIN of the selected member.
    pub pin: Option<TextInput>,
}

impl LoginPrompt {
    pub fn new(members: &[crate::domain::member::Member]) -> LoginPrompt {
        LoginPrompt {
            members: members
                .iter()
                .map(|m| (m.name.clone(), m.has_pin))
                .collect(),
            sel: 0,
            pin: None,
        }
    }
}

fn sum_pct<'a>(p: impl Iterator<Item = &'a Pct>) -> Pct {
    p.map(Pct::completion)
        .sum::<crate::domain::Completion>()
        .into()
}

/// Per-pillar rows as the sum of the units' rows (names kept from `like`).
fn sum_pillars(like: &[PillarRow], units: &[&GroupReport]) -> Vec<PillarRow> {
    like.iter()
        .map(|row| PillarRow {
            completion: sum_pct(units.iter().flat_map(|g| {
                g.by_pillar
                    .iter()
                    .filter(|x| x.pillar == row.pillar)
                    .map(|x| &x.completion)
            })),
            ..row.clone()
        })
        .collect()
}

fn sum_steps(like: &[StepRow], units: &[&GroupReport]) -> Vec<StepRow> {
    like.iter()
        .map(|row| StepRow {
            completion: sum_pct(units.iter().flat_map(|g| {
                g.by_step
                    .iter()
                    .filter(|x| x.step == row.step)
                    .map(|x| &x.completion)
            })),
            ..row.clone()
        })
        .collect()
}

/// What the runner must do against the service.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Reload everything for the current period and group.
    Reload,
    /// Another group selected: its checklist.
    LoadGroup(GroupId),
    /// The dashboard opened on figures only: the whole report.
    LoadDetail,
    Mark(MarkRequest),
    Save(EntryEdit),
    Undo,
    History {
        group: GroupId,
        item: String,
        period: Period,
        title: String,
    },
    CreateDemo,
    CreateWard {
        name: String,
        six: bool,
    },
    Login {
        member: String,
        pin: Option<String>,
    },
    Quit,
}

/// A line of the checklist pane: a pillar heading or an item (index into visible rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListLine {
    Heading(Pillar),
    Item(usize),
}

/// A line of the branch/group tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeLine {
    Ward,
    Branch(usize),
    Group(usize, usize),
}

pub struct App {
    pub opts: Options,
    pub keymap: Keymap,
    pub theme: Theme,
    pub actor: String,
    pub screen: Screen,
    pub snap: Option<Snapshot>,
    pub period: Period,
    pub focus: Pane,
    /// The selected group (or WARD_GROUP).
    pub group: GroupId,
    pub list_sel: usize,
    pub step_col: usize,
    pub popup: Option<Popup>,
    pub search: TextInput,
    pub searching: bool,
    pub tree_search: TextInput,
    pub tree_searching: bool,
    pub filters: Filters,
    /// Unsaved forms, kept when a popup is closed with Esc.
    pub drafts: HashMap<(GroupId, String, Period), EntryForm>,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub quit: bool,
    /// The "who is working" prompt, while it is open.
    pub login: Option<LoginPrompt>,
}

/// The main screen's areas for a terminal size (shared by drawing and mouse hits).
pub struct MainLayout {
    pub header: Rect,
    pub tree: Rect,
    pub list: Rect,
    pub footer: Rect,
}

pub fn main_layout(area: Rect) -> MainLayout {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(area);
    let tree_w = (area.width * 3 / 8).clamp(30, 44);
    let [tree, list] =
        Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(1)]).areas(body);
    MainLayout {
        header,
        tree,
        list,
        footer,
    }
}

/// The first line shown so that line `sel` is visible in `height` lines.
pub fn scroll_offset(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        sel.saturating_sub(height - 1)
    }
}

impl App {
    pub fn new(opts: Options, keymap: Keymap, theme: Theme, actor: String, period: Period) -> App {
        App {
            opts,
            keymap,
            theme,
            actor,
            screen: Screen::FirstRun { creating: None },
            snap: None,
            period,
            focus: Pane::Tree,
            group: WARD_GROUP,
            list_sel: 0,
            step_col: 0,
            popup: None,
            search: TextInput::new("", 100),
            searching: false,
            tree_search: TextInput::new("", 100),
            tree_searching: false,
            filters: Filters::default(),
            drafts: HashMap::new(),
            status: None,
            size: (MIN_WIDTH, MIN_HEIGHT),
            quit: false,
            login: None,
        }
    }

    pub fn lang(&self) -> Lang {
        self.opts.lang
    }

    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.opts.lang.t(vi, en)
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    /// A note in the status line (not an error).
    pub fn info(&mut self, text: impl Into<String>) {
        self.say(text);
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// The checklist of another group (or the same one, after an edit).
    pub fn rows_loaded(&mut self, group: GroupId, rows: Vec<ChecklistRow>) {
        let Some(s) = &mut self.snap else { return };
        s.group = group;
        s.rows = rows;
        self.group = group;
        let n = self.visible_rows().len();
        self.list_sel = self.list_sel.min(n.saturating_sub(1));
    }

    /// Put one group's new figures (a report counted for that group alone) into the
    /// tree: the group, its branch and the ward's totals, summed the way the report
    /// sums them. The lists and the pillar × step table go stale, so the dashboard
    /// reloads when it opens. `false`: the group is not in the tree (reload instead).
    pub fn patch_figures(&mut self, one: &Report) -> bool {
        let Some(s) = &mut self.snap else {
            return false;
        };
        let r = &mut s.report;
        r.ward_level = one.ward_level.clone();
        if let Some(new) = one.branches.first().and_then(|b| b.groups.first()) {
            let Some(branch) = r
                .branches
                .iter_mut()
                .find(|b| b.groups.iter().any(|g| g.id == new.id))
            else {
                return false;
            };
            if let Some(g) = branch.groups.iter_mut().find(|g| g.id == new.id) {
                *g = new.clone();
            }
            let groups: Vec<&GroupReport> = branch.groups.iter().collect();
            branch.completion = sum_pct(groups.iter().map(|g| &g.completion));
            branch.by_pillar = sum_pillars(&branch.by_pillar, &groups);
            branch.by_step = sum_steps(&branch.by_step, &groups);
        }
        let all: Vec<&GroupReport> = std::iter::once(&r.ward_level)
            .chain(r.branches.iter().flat_map(|b| &b.groups))
            .collect();
        r.completion = sum_pct(all.iter().map(|g| &g.completion));
        r.by_pillar = sum_pillars(&r.by_pillar, &all);
        r.by_step = sum_steps(&r.by_step, &all);
        s.detailed = false;
        true
    }

    /// New data from the service.
    pub fn loaded(&mut self, snap: Snapshot) {
        self.group = snap.group;
        self.snap = Some(snap);
        if matches!(self.screen, Screen::FirstRun { .. }) {
            self.screen = Screen::Main;
        }
        let n = self.visible_rows().len();
        self.list_sel = self.list_sel.min(n.saturating_sub(1));
        let steps = self.ward_steps().len();
        self.step_col = self.step_col.min(steps.saturating_sub(1));
    }

    pub fn ward_steps(&self) -> &'static [Step] {
        self.snap
            .as_ref()
            .map(|s| s.ward.steps.steps())
            .unwrap_or(&Step::ALL[..4])
    }

    // ---- derived views -------------------------------------------------------------

    pub fn tree_lines(&self) -> Vec<TreeLine> {
        let Some(s) = &self.snap else { return vec![] };
        let q = self.tree_search.value();
        let mut out = vec![TreeLine::Ward];
        for (bi, b) in s.report.branches.iter().enumerate() {
            let groups: Vec<usize> = b
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| text::matches(&g.name, q) || text::matches(&b.name, q))
                .map(|(i, _)| i)
                .collect();
            if groups.is_empty() && !q.trim().is_empty() {
                continue;
            }
            out.push(TreeLine::Branch(bi));
            out.extend(groups.into_iter().map(|gi| TreeLine::Group(bi, gi)));
        }
        out
    }

    fn line_group(&self, l: TreeLine) -> Option<GroupId> {
        let s = self.snap.as_ref()?;
        match l {
            TreeLine::Ward => Some(WARD_GROUP),
            TreeLine::Branch(_) => None,
            TreeLine::Group(b, g) => Some(s.report.branches.get(b)?.groups.get(g)?.id),
        }
    }

    /// Index of the selected group among the tree lines.
    pub fn tree_sel_line(&self) -> usize {
        self.tree_lines()
            .iter()
            .position(|l| self.line_group(*l) == Some(self.group))
            .unwrap_or(0)
    }

    pub fn group_name(&self, id: GroupId) -> String {
        if id == WARD_GROUP {
            return self.t("Việc cấp phường", "Ward-level items").to_string();
        }
        self.snap
            .as_ref()
            .and_then(|s| s.groups.iter().find(|g| g.id == id))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    /// The checklist rows that pass the filters and the search.
    pub fn visible_rows(&self) -> Vec<&ChecklistRow> {
        let Some(s) = &self.snap else { return vec![] };
        let q = self.search.value();
        s.rows
            .iter()
            .filter(|r| self.filters.pillar.is_none_or(|p| r.item.pillar == p))
            .filter(|r| !self.filters.not_done || !r.completion.is_complete())
            .filter(|r| !self.filters.overdue || r.overdue)
            .filter(|r| {
                q.trim().is_empty()
                    || text::matches(&r.item.title, q)
                    || text::matches(&r.item.title_en, q)
                    || text::matches(&r.item.code, q)
                    || text::matches(&r.item.citation.text, q)
            })
            .collect()
    }

    pub fn list_lines(&self) -> Vec<ListLine> {
        let mut out = Vec::new();
        let mut last = None;
        for (i, r) in self.visible_rows().iter().enumerate() {
            if last != Some(r.item.pillar) {
                last = Some(r.item.pillar);
                out.push(ListLine::Heading(r.item.pillar));
            }
            out.push(ListLine::Item(i));
        }
        out
    }

    pub fn selected_row(&self) -> Option<&ChecklistRow> {
        self.visible_rows().get(self.list_sel).copied()
    }

    pub fn draft_key(row: &ChecklistRow) -> (GroupId, String, Period) {
        (row.entry.group, row.item.code.clone(), row.slot)
    }

    // ---- update ----------------------------------------------------------------------

    /// Handle one terminal event. Returns the command to carry out, if any.
    pub fn handle_event(&mut self, ev: &Event) -> Option<Cmd> {
        match ev {
            Event::Key(k) => {
                // Windows reports Release (and Repeat) too: act on Press only.
                if k.kind != KeyEventKind::Press {
                    return None;
                }
                self.handle_key(k)
            }
            Event::Paste(s) => {
                self.paste(s);
                None
            }
            Event::Resize(w, h) => {
                self.size = (*w, *h);
                None
            }
            Event::Mouse(m) if self.opts.mouse => self.handle_mouse(m),
            _ => None,
        }
    }

    fn paste(&mut self, s: &str) {
        if let Some(Popup::Detail(f)) = &mut self.popup {
            let field = f.selected();
            if let Some(i) = f.input_mut(field) {
                i.insert(s);
            }
        } else if self.searching {
            self.search.insert(s);
            self.list_sel = 0;
        } else if self.tree_searching {
            self.tree_search.insert(s);
        } else if let Screen::FirstRun { creating: Some(c) } = &mut self.screen {
            c.name.insert(s);
        }
    }

    fn handle_key(&mut self, k: &KeyEvent) -> Option<Cmd> {
        self.status = None;
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(l) = self.login.take() {
            return self.login_key(l, k, ctrl_c);
        }
        if let Some(p) = self.popup.take() {
            return self.popup_key(p, k);
        }
        if let Screen::FirstRun { creating } = self.screen.clone() {
            return self.first_run_key(creating, k, ctrl_c);
        }
        if self.searching || self.tree_searching {
            self.search_key(k);
            return None;
        }
        let action = self.keymap.action(k)?;
        self.action(action)
    }

    fn login_key(&mut self, mut l: LoginPrompt, k: &KeyEvent, ctrl_c: bool) -> Option<Cmd> {
        if ctrl_c {
            return Some(Cmd::Quit);
        }
        if let Some(pin) = &mut l.pin {
            match k.code {
                KeyCode::Esc => l.pin = None,
                KeyCode::Enter => {
                    let member = l.members.get(l.sel)?.0.clone();
                    let pin = pin.value().to_string();
                    self.login = Some(l);
                    return Some(Cmd::Login {
                        member,
                        pin: Some(pin),
                    });
                }
                KeyCode::Backspace => pin.backspace(),
                KeyCode::Char(c) if c.is_ascii_digit() => pin.insert(&c.to_string()),
                _ => {}
            }
            self.login = Some(l);
            return None;
        }
        match (k.code, self.keymap.action(k)) {
            // Esc: carry on read-only; nothing is lost.
            (KeyCode::Esc, _) => {
                self.say(self.t(
                    "Đang xem (chỉ đọc). Chạy lại với --as TÊN để sửa.",
                    "Viewing (read-only). Start again with --as NAME to edit.",
                ));
                return None;
            }
            (KeyCode::Enter, _) => {
                let (member, has_pin) = l.members.get(l.sel)?.clone();
                if has_pin {
                    l.pin = Some(TextInput::new("", 12));
                } else {
                    self.login = Some(l);
                    return Some(Cmd::Login { member, pin: None });
                }
            }
            (_, Some(Action::Down)) => l.sel = (l.sel + 1).min(l.members.len().saturating_sub(1)),
            (_, Some(Action::Up)) => l.sel = l.sel.saturating_sub(1),
            _ => {}
        }
        self.login = Some(l);
        None
    }

    fn first_run_key(
        &mut self,
        creating: Option<CreateWard>,
        k: &KeyEvent,
        ctrl_c: bool,
    ) -> Option<Cmd> {
        match creating {
            None => match k.code {
                KeyCode::Char('1') => Some(Cmd::CreateDemo),
                KeyCode::Char('2') => {
                    self.screen = Screen::FirstRun {
                        creating: Some(CreateWard {
                            name: TextInput::new("", 200),
                            six: false,
                        }),
                    };
                    None
                }
                KeyCode::Char('q') | KeyCode::Char('3') => Some(Cmd::Quit),
                _ if ctrl_c => Some(Cmd::Quit),
                _ => None,
            },
            Some(mut c) => {
                if ctrl_c {
                    return Some(Cmd::Quit);
                }
                let cmd = match k.code {
                    KeyCode::Esc => {
                        self.screen = Screen::FirstRun { creating: None };
                        return None;
                    }
                    KeyCode::Enter => {
                        let name = c.name.cleaned();
                        if name.is_empty() {
                            self.fail(self.t("Hãy nhập tên phường.", "Type the ward name."));
                            None
                        } else {
                            Some(Cmd::CreateWard { name, six: c.six })
                        }
                    }
                    KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                        c.six = !c.six;
                        None
                    }
                    KeyCode::Backspace => {
                        c.name.backspace();
                        None
                    }
                    KeyCode::Delete => {
                        c.name.delete();
                        None
                    }
                    KeyCode::Left => {
                        c.name.left();
                        None
                    }
                    KeyCode::Right => {
                        c.name.right();
                        None
                    }
                    KeyCode::Home => {
                        c.name.home();
                        None
                    }
                    KeyCode::End => {
                        c.name.end();
                        None
                    }
                    KeyCode::Char(ch) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                        c.name.insert(&ch.to_string());
                        None
                    }
                    _ => None,
                };
                if matches!(self.screen, Screen::FirstRun { .. }) {
                    self.screen = Screen::FirstRun { creating: Some(c) };
                }
                cmd
            }
        }
    }

    fn search_key(&mut self, k: &KeyEvent) {
        let tree = self.tree_searching;
        let input = if tree {
            &mut self.tree_search
        } else {
            &mut self.search
        };
        match k.code {
            // Esc ends typing but keeps the filter: it never throws anything away.
            KeyCode::Esc | KeyCode::Enter | KeyCode::Down | KeyCode::Up | KeyCode::Tab => {
                self.searching = false;
                self.tree_searching = false;
            }
            KeyCode::Backspace => input.backspace(),
            KeyCode::Delete => input.delete(),
            KeyCode::Left => input.left(),
            KeyCode::Right => input.right(),
            KeyCode::Home => input.home(),
            KeyCode::End => input.end(),
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                input.insert(&c.to_string())
            }
            _ => {}
        }
        if tree {
            self.select_first_visible_group();
        } else {
            self.list_sel = 0;
        }
    }

    fn select_first_visible_group(&mut self) -> Option<Cmd> {
        let lines = self.tree_lines();
        if lines
            .iter()
            .any(|l| self.line_group(*l) == Some(self.group))
            && self.tree_search.value().is_empty()
        {
            return None;
        }
        let first = lines
            .iter()
            .filter_map(|l| match l {
                TreeLine::Group(..) => self.line_group(*l),
                _ => None,
            })
            .next();
        first.and_then(|g| self.select_group(g))
    }

    fn select_group(&mut self, g: GroupId) -> Option<Cmd> {
        if g == self.group {
            return None;
        }
        self.group = g;
        self.list_sel = 0;
        Some(Cmd::LoadGroup(g))
    }

    fn move_tree(&mut self, delta: isize) -> Option<Cmd> {
        let lines = self.tree_lines();
        let selectable: Vec<GroupId> = lines.iter().filter_map(|l| self.line_group(*l)).collect();
        if selectable.is_empty() {
            return None;
        }
        let cur = selectable
            .iter()
            .position(|g| *g == self.group)
            .unwrap_or(0) as isize;
        let next = (cur + delta).clamp(0, selectable.len() as isize - 1) as usize;
        self.select_group(selectable[next])
    }

    fn move_list(&mut self, delta: isize) {
        let n = self.visible_rows().len();
        if n == 0 {
            self.list_sel = 0;
            return;
        }
        self.list_sel = (self.list_sel as isize + delta).clamp(0, n as isize - 1) as usize;
    }

    fn page(&self) -> isize {
        (self.size.1.saturating_sub(6)).max(1) as isize
    }

    fn action(&mut self, a: Action) -> Option<Cmd> {
        let on_list = self.focus == Pane::List && self.screen == Screen::Main;
        match a {
            Action::Quit => {
                if self.drafts.is_empty() {
                    return Some(Cmd::Quit);
                }
                self.popup = Some(Popup::ConfirmQuit);
                None
            }
            Action::Help => {
                self.popup = Some(Popup::Help { scroll: 0 });
                None
            }
            Action::Dashboard => {
                self.screen = if self.screen == Screen::Dashboard {
                    Screen::Main
                } else {
                    Screen::Dashboard
                };
                let whole = self.snap.as_ref().is_none_or(|s| s.detailed);
                (self.screen == Screen::Dashboard && !whole).then_some(Cmd::LoadDetail)
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let d: isize = match a {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -self.page(),
                    Action::PageDown => self.page(),
                    Action::Top => -1_000_000,
                    _ => 1_000_000,
                };
                if on_list {
                    self.move_list(d);
                    None
                } else {
                    self.move_tree(d)
                }
            }
            Action::NextPane => {
                self.focus = if self.focus == Pane::Tree {
                    Pane::List
                } else {
                    Pane::Tree
                };
                None
            }
            Action::Left => {
                if on_list {
                    if self.step_col == 0 {
                        self.focus = Pane::Tree;
                    } else {
                        self.step_col -= 1;
                    }
                }
                None
            }
            Action::Right => {
                if on_list {
                    self.step_col =
                        (self.step_col + 1).min(self.ward_steps().len().saturating_sub(1));
                } else {
                    self.focus = Pane::List;
                }
                None
            }
            Action::Toggle | Action::NotApplicable => {
                if !on_list {
                    self.focus = Pane::List;
                    return None;
                }
                self.toggle(a == Action::NotApplicable)
            }
            Action::Open => {
                if !on_list || self.screen != Screen::Main {
                    self.focus = Pane::List;
                    self.screen = Screen::Main;
                    return None;
                }
                self.open_detail();
                None
            }
            Action::History => {
                let row = self.selected_row()?;
                Some(Cmd::History {
                    group: row.entry.group,
                    item: row.item.code.clone(),
                    period: row.slot,
                    title: format!("{} · {}", row.item.code, self.group_name(row.entry.group)),
                })
            }
            Action::Undo => Some(Cmd::Undo),
            Action::Search => {
                if self.focus == Pane::Tree {
                    self.tree_searching = true;
                } else {
                    self.searching = true;
                }
                None
            }
            Action::Period => {
                let y = self.period.year();
                let mut options = Vec::new();
                for year in [y.saturating_sub(1), y] {
                    for q in 1..=4 {
                        options.push(Period::Quarter(year, q));
                    }
                    options.push(Period::Half(year, 1));
                    options.push(Period::Half(year, 2));
                    options.push(Period::Year(year));
                }
                let sel = options.iter().position(|p| *p == self.period).unwrap_or(0);
                self.popup = Some(Popup::Period { options, sel });
                None
            }
            Action::PrevPeriod | Action::NextPeriod => {
                let p = if a == Action::PrevPeriod {
                    self.period.previous()
                } else {
                    self.period.next()
                };
                let p = p?;
                self.period = p;
                Some(Cmd::Reload)
            }
            Action::FilterPillar => {
                self.filters.pillar = match self.filters.pillar {
                    None => Some(Pillar::ALL[0]),
                    Some(p) => Pillar::ALL
                        .iter()
                        .position(|x| *x == p)
                        .and_then(|i| Pillar::ALL.get(i + 1))
                        .copied(),
                };
                self.list_sel = 0;
                None
            }
            Action::FilterNotDone => {
                self.filters.not_done = !self.filters.not_done;
                self.list_sel = 0;
                None
            }
            Action::FilterOverdue => {
                self.filters.overdue = !self.filters.overdue;
                self.list_sel = 0;
                None
            }
            Action::ClearFilters => {
                self.filters = Filters::default();
                self.search.clear();
                self.tree_search.clear();
                self.list_sel = 0;
                None
            }
            Action::Save => None,
        }
    }

    fn toggle(&mut self, na: bool) -> Option<Cmd> {
        let step = *self.ward_steps().get(self.step_col)?;
        let row = self.selected_row()?.clone();
        if !row.item.steps.contains(&step) {
            let msg = format!(
                "{} \"{}\" {} {}.",
                self.t("Bước", "Step"),
                if self.lang().is_en() {
                    step.name_en()
                } else {
                    step.name_vi()
                },
                self.t("không áp dụng cho mục", "does not apply to"),
                row.item.code
            );
            self.fail(msg);
            return None;
        }
        let cur = row.entry.status(step);
        let status = if na {
            if cur == StepStatus::NotApplicable {
                StepStatus::Todo
            } else {
                StepStatus::NotApplicable
            }
        } else {
            cur.toggled()
        };
        Some(Cmd::Mark(MarkRequest {
            group: row.entry.group,
            item: row.item.code.clone(),
            period: row.slot,
            step,
            status,
            note: None,
            base_version: Some(row.entry.version),
        }))
    }

    fn open_detail(&mut self) {
        let Some(row) = self.selected_row().cloned() else {
            return;
        };
        let Some(snap) = &self.snap else { return };
        let key = Self::draft_key(&row);
        let form = match self.drafts.remove(&key) {
            Some(f) => f,
            None => {
                let mut f = EntryForm::new(
                    &row.item,
                    &self.group_name(row.entry.group),
                    &row.entry,
                    snap.ward.steps,
                );
                // A new vote starts from the law's denominator: all households of the
                // group (all groups, for a ward-wide decision).
                let total = if row.entry.group == WARD_GROUP {
                    snap.groups.len() as u32
                } else {
                    snap.groups
                        .iter()
                        .find(|g| g.id == row.entry.group)
                        .map(|g| g.households)
                        .unwrap_or(0)
                };
                if row.entry.evidence.vote.is_none()
                    && total > 0
                    && let Some(i) = f.input_mut(Field::Households)
                {
                    i.insert(&total.to_string());
                }
                f
            }
        };
        self.popup = Some(Popup::Detail(Box::new(form)));
    }

    fn popup_key(&mut self, p: Popup, k: &KeyEvent) -> Option<Cmd> {
        let action = self.keymap.action(k);
        match p {
            Popup::Help { scroll } => {
                let scroll = match action {
                    Some(Action::Down) => scroll + 1,
                    Some(Action::Up) => scroll.saturating_sub(1),
                    Some(Action::PageDown) => scroll + 10,
                    Some(Action::PageUp) => scroll.saturating_sub(10),
                    _ => return None,
                };
                self.popup = Some(Popup::Help { scroll });
                None
            }
            Popup::History {
                title,
                records,
                scroll,
            } => {
                let scroll = match action {
                    Some(Action::Down) => (scroll + 1).min(records.len().saturating_sub(1)),
                    Some(Action::Up) => scroll.saturating_sub(1),
                    Some(Action::PageDown) => (scroll + 10).min(records.len().saturating_sub(1)),
                    Some(Action::PageUp) => scroll.saturating_sub(10),
                    _ => return None,
                };
                self.popup = Some(Popup::History {
                    title,
                    records,
                    scroll,
                });
                None
            }
            Popup::ConfirmQuit => match k.code {
                KeyCode::Char('y')
                | KeyCode::Char('c')
                | KeyCode::Char('Y')
                | KeyCode::Char('C') => Some(Cmd::Quit),
                _ => None,
            },
            Popup::Period { options, mut sel } => {
                match (k.code, action) {
                    (KeyCode::Esc, _) => return None,
                    (KeyCode::Enter, _) => {
                        if let Some(p) = options.get(sel) {
                            self.period = *p;
                            return Some(Cmd::Reload);
                        }
                        return None;
                    }
                    (_, Some(Action::Down)) => sel = (sel + 1).min(options.len().saturating_sub(1)),
                    (_, Some(Action::Up)) => sel = sel.saturating_sub(1),
                    _ => {}
                }
                self.popup = Some(Popup::Period { options, sel });
                None
            }
            Popup::Detail(mut f) => {
                let lang = self.lang();
                if k.code == KeyCode::Esc {
                    // Closing never discards: an edited form is kept as a draft.
                    if f.is_dirty(lang) {
                        let key = (f.base.group, f.item.code.clone(), f.base.period);
                        self.drafts.insert(key, *f);
                        self.say(self.t(
                            "Đã đóng; bản nháp chưa lưu được giữ lại (mở lại mục để tiếp tục).",
                            "Closed; the unsaved draft is kept (open the entry again to continue).",
                        ));
                    }
                    return None;
                }
                if action == Some(Action::Save)
                    || (k.code == KeyCode::Char('s') && k.modifiers.contains(KeyModifiers::CONTROL))
                {
                    let (errs, entry) = f.validate(lang);
                    if let Some(mut entry) = entry {
                        let base_version = Some(
                            f.conflict
                                .as_ref()
                                .map(|c| c.version)
                                .unwrap_or(f.base.version),
                        );
                        entry.version = f.base.version;
                        self.popup = Some(Popup::Detail(f));
                        return Some(Cmd::Save(EntryEdit {
                            entry,
                            base_version,
                        }));
                    }
                    let msg = format!(
                        "{} ({})",
                        self.t(
                            "Chưa lưu: hãy sửa các ô báo lỗi",
                            "Not saved: fix the fields marked in red"
                        ),
                        errs.len()
                    );
                    self.fail(msg);
                    self.popup = Some(Popup::Detail(f));
                    return None;
                }
                let field = f.selected();
                match k.code {
                    KeyCode::Tab | KeyCode::Down | KeyCode::Enter => f.next(),
                    KeyCode::BackTab | KeyCode::Up => f.prev(),
                    _ if !field.is_text() => match k.code {
                        KeyCode::Char(' ') | KeyCode::Right => f.cycle(false),
                        KeyCode::Left => f.cycle(true),
                        KeyCode::Char('x') => {
                            if let Field::Step(s) = field {
                                f.steps[s.index()] = StepStatus::NotApplicable;
                            }
                        }
                        _ => {}
                    },
                    _ => {
                        if let Some(i) = f.input_mut(field) {
                            match k.code {
                                KeyCode::Backspace => i.backspace(),
                                KeyCode::Delete => i.delete(),
                                KeyCode::Left => i.left(),
                                KeyCode::Right => i.right(),
                                KeyCode::Home => i.home(),
                                KeyCode::End => i.end(),
                                KeyCode::Char(c)
                                    if !k.modifiers.contains(KeyModifiers::CONTROL) =>
                                {
                                    i.insert(&c.to_string())
                                }
                                _ => {}
                            }
                        }
                    }
                }
                self.popup = Some(Popup::Detail(f));
                None
            }
        }
    }

    fn handle_mouse(&mut self, m: &MouseEvent) -> Option<Cmd> {
        if self.popup.is_some() || self.screen != Screen::Main {
            return None;
        }
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let l = main_layout(area);
        let pos = Position::new(m.column, m.row);
        let in_tree = l.tree.contains(pos);
        let in_list = l.list.contains(pos);
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let d = if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if in_list {
                    self.move_list(d);
                    None
                } else if in_tree {
                    self.move_tree(d)
                } else {
                    None
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if in_tree {
                    self.focus = Pane::Tree;
                    let inner_h = l.tree.height.saturating_sub(2) as usize;
                    let lines = self.tree_lines();
                    let off = scroll_offset(self.tree_sel_line(), inner_h);
                    let idx = off + (m.row.saturating_sub(l.tree.y + 1)) as usize;
                    let g = lines.get(idx).and_then(|line| self.line_group(*line))?;
                    self.select_group(g)
                } else if in_list {
                    self.focus = Pane::List;
                    // One line of column headings under the border.
                    let inner_h = l.list.height.saturating_sub(3) as usize;
                    let lines = self.list_lines();
                    let sel_line = lines
                        .iter()
                        .position(|x| *x == ListLine::Item(self.list_sel))
                        .unwrap_or(0);
                    let off = scroll_offset(sel_line, inner_h);
                    let idx = off + (m.row.saturating_sub(l.list.y + 2)) as usize;
                    if let Some(ListLine::Item(i)) = lines.get(idx) {
                        self.list_sel = *i;
                    }
                    None
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The runner reports a saved change.
    pub fn saved(&mut self, text: String) {
        if matches!(self.popup, Some(Popup::Detail(_))) {
            self.popup = None;
        }
        self.say(text);
    }

    /// A save met a newer version: keep the form, show the current value.
    pub fn conflict(&mut self, current: Entry, message: String) {
        if let Some(Popup::Detail(f)) = &mut self.popup {
            f.conflict = Some(current);
        }
        self.fail(message);
    }

    pub fn show_history(&mut self, title: String, records: Vec<AuditRecord>) {
        self.popup = Some(Popup::History {
            title,
            records,
            scroll: 0,
        });
    }
}
