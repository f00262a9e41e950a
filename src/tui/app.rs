//! The application's state and its update: an event in, the state changed, and at most
//! one command out for the runner to carry out against the service. No I/O here.
//!
//! One rule holds the state together: **what you see is what you edit**. The group on
//! screen and its checklist live in one [`Selection`]; changing the group or the period
//! empties the checklist ([`Rows::Loading`]) and asks for it, and nothing can be edited
//! until the rows of that very group and period are there. Every command that writes
//! is built from those rows, so it names the group, item and period on screen.
//!
//! Each screen handles its own keys and draws itself (`screens/`); this file holds the
//! state they share, the dispatch of events, and what the runner feeds back.

use super::drafts::{Draft, DraftKey};
use super::form::EntryForm;
use super::glyphs::Glyphs;
use super::input::TextInput;
use super::keymap::{Action, Keymap};
use super::theme::Theme;
use crate::domain::audit::AuditRecord;
use crate::domain::entry::Entry;
use crate::domain::period::Period;
use crate::domain::step::Step;
use crate::domain::template::Pillar;
use crate::domain::text;
use crate::domain::ward::{Branch, BranchId, Group, GroupId, WARD_GROUP, Ward, vote_total};
use crate::i18n::Lang;
use crate::service::report::{GroupReport, Pct, PillarRow, Report, StepRow};
use crate::service::{ChecklistRow, EntryEdit, MarkRequest, NewGroup, UndoRequest};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::BTreeMap;

/// The smallest terminal the screens are drawn in (an 80×24 terminal inside tmux or
/// screen over SSH has 23 rows; a split window often 60 columns).
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;
/// From this width the tree and the checklist stand side by side; below it one pane
/// fills the screen and Tab switches between them.
pub const WIDE: u16 = 80;

#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub glyphs: Glyphs,
    pub mouse: bool,
    /// The database path, shown on the first-run screen.
    pub db_label: String,
}

/// What the screens show about the whole ward for the period, loaded from the service.
#[derive(Debug, Clone)]
pub struct Overview {
    pub ward: Ward,
    pub branches: Vec<Branch>,
    pub groups: Vec<Group>,
    pub report: Report,
    /// Whether `report` is whole (the dashboard's) or the completion figures only.
    pub detailed: bool,
    /// The periods that hold any entry, oldest first: a period before the first of them
    /// has no data, which is not the same as nothing done.
    pub data_periods: Vec<Period>,
    /// The tree's order: branches as the ward lists them (its roster), and the groups
    /// of each by name as people count ("Tổ 2" before "Tổ 10"), as indexes into
    /// `report.branches`.
    pub order: Vec<(usize, Vec<usize>)>,
}

impl Overview {
    pub fn new(
        ward: Ward,
        branches: Vec<Branch>,
        groups: Vec<Group>,
        report: Report,
        detailed: bool,
        data_periods: Vec<Period>,
    ) -> Overview {
        let cmp = crate::present::natural_cmp;
        let order: Vec<(usize, Vec<usize>)> = report
            .branches
            .iter()
            .enumerate()
            .map(|(bi, b)| {
                let mut gs: Vec<usize> = (0..b.groups.len()).collect();
                gs.sort_by(|x, y| cmp(&b.groups[*x].name, &b.groups[*y].name));
                (bi, gs)
            })
            .collect();
        Overview {
            ward,
            branches,
            groups,
            report,
            detailed,
            data_periods,
            order,
        }
    }

    /// Whether `p` ended before the ward kept any record: before the first quarter or
    /// half-year that holds an entry and before the quarter of its first audited change
    /// (today's quarter for a ward with neither). A yearly entry does not count on its
    /// own: a ward created in November that ticks a yearly item kept nothing in March.
    pub fn before_data(&self, p: Period) -> bool {
        let first = crate::service::report::first_data(
            &self.data_periods,
            self.report.first_record,
            self.report.today,
        );
        p.end() < first
    }
}

/// The checklist of the selected group: asked for, or there.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Loading,
    Loaded(Vec<ChecklistRow>),
}

/// The group on screen, the period, and that group's checklist for that period.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub group: GroupId,
    pub period: Period,
    pub rows: Rows,
}

impl Selection {
    pub fn rows(&self) -> &[ChecklistRow] {
        match &self.rows {
            Rows::Loaded(r) => r,
            Rows::Loading => &[],
        }
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self.rows, Rows::Loaded(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateWard {
    pub name: TextInput,
    pub six: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// No ward in the database yet.
    FirstRun(Option<CreateWard>),
    Main,
    Dashboard,
    /// What falls due and what is late (issue 13).
    Agenda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    List,
}

/// Typing into a search field (of the tree or of the checklist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    Tree,
    List,
}

/// The dashboard's two lists, which scroll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashList {
    Overdue,
    Votes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashState {
    pub focus: DashList,
    pub overdue: usize,
    pub votes: usize,
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

/// Adding a group from the TUI (a ward created on the first-run screen has none).
#[derive(Debug, Clone, PartialEq)]
pub struct AddGroup {
    /// Chi bộ, tên tổ, số hộ, tổ trưởng.
    pub inputs: [TextInput; 4],
    pub sel: usize,
}

impl AddGroup {
    pub fn new(branch: &str) -> AddGroup {
        AddGroup {
            inputs: [
                TextInput::new(branch, 200),
                TextInput::new("", 200),
                TextInput::new("", 7),
                TextInput::new("", 200),
            ],
            sel: if branch.is_empty() { 0 } else { 1 },
        }
    }
}

/// An undo (or redo) the service named, waiting for the user's yes.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    pub record: AuditRecord,
    pub redo: bool,
    pub group_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Form(Box<EntryForm>),
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
    ConfirmUndo(UndoPlan),
    /// Drafts kept from an earlier session, offered back.
    Drafts {
        sel: usize,
    },
    Login(LoginPrompt),
    AddGroup(AddGroup),
    /// The counted figures of a group for a quarter (`screens::figures`).
    Figures(Box<crate::tui::screens::figures::FiguresEdit>),
    /// The period's narrative in a multi-line editor (`screens::figures`).
    Narrative(Box<crate::tui::screens::figures::NarrativeEdit>),
    /// The ward's document settings (`screens::settings`).
    Settings(Box<crate::tui::screens::settings::SettingsEdit>),
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

/// What the runner must do against the service. Handlers return it; dropping one is a
/// compile error (`#[must_use]` here and on every handler), which is how "the search
/// selected a group but its checklist was never loaded" cannot come back.
#[must_use = "the runner must carry out this command"]
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Reload the overview and the selected group's checklist for the period.
    Reload,
    /// The selected group's checklist ([`App::sel`] says which and for when).
    LoadRows,
    /// The dashboard opened on figures only: the whole report.
    LoadDetail,
    /// The agenda: what falls due and what is late.
    LoadAgenda,
    /// Record a law deadline of an entry done today (from the agenda, issue 13):
    /// through the service's checklist and save, audited, then the agenda reloaded.
    DeadlineDone {
        group: GroupId,
        /// The entry's key (an occurrence's for items that arise).
        item: String,
        period: Period,
        code: crate::domain::entry::DeadlineCode,
    },
    Mark(MarkRequest),
    Save(EntryEdit),
    /// Ask the service what an undo (or redo) would reverse.
    PlanUndo {
        redo: bool,
    },
    Undo(UndoRequest),
    History {
        group: GroupId,
        item: String,
        period: Period,
        title: String,
    },
    AddGroup(NewGroup),
    /// The figures stored for a group and quarter, to show in their popup.
    OpenFigures {
        group: GroupId,
        period: Period,
    },
    SetFigure(crate::service::FigureSet),
    OpenNarrative(Period),
    SaveNarrative {
        period: Period,
        /// (section key, cleaned text) of each changed section.
        sections: Vec<(String, String)>,
    },
    /// The ward's document settings, to show in their popup.
    OpenSettings,
    /// Set one document setting (its text form, as `qcdc settings set` takes it).
    SetSetting {
        key: String,
        value: String,
    },
    /// Write the minutes an entry has, from its stored evidence, as .docx files.
    WriteMinutes {
        group: GroupId,
        /// The entry's item key (an occurrence's key for items that arise).
        item: String,
        period: Period,
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
    /// Ctrl+Z: give the terminal back to the shell until `fg`.
    Suspend,
    Quit,
}

/// A line of the checklist pane: a pillar heading or an item (index into visible rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListLine {
    Heading(Pillar),
    Item(usize),
}

/// A line of the branch/group tree (indexes into the report's branches and groups).
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
    pub data: Option<Overview>,
    pub sel: Selection,
    pub focus: Pane,
    pub list_sel: usize,
    pub step_col: usize,
    pub search: TextInput,
    pub tree_search: TextInput,
    pub typing: Option<Typing>,
    pub filters: Filters,
    /// `--branch`: the tree shows this branch only (until `c` clears the filters).
    pub branch_filter: Option<BranchId>,
    pub dash: DashState,
    /// The agenda screen's lines (`None` until loaded) and the one under the cursor.
    pub agenda: Option<Vec<crate::service::agenda::AgendaRow>>,
    pub agenda_sel: usize,
    /// The entry (group, key, period) whose deadline the agenda last recorded done:
    /// its row left the agenda, yet `u` undoes it there at once, as an edit on screen.
    pub agenda_marked: Option<(GroupId, String, Period)>,
    pub popup: Option<Popup>,
    /// Unsaved forms by entry; kept on disk by the runner whenever they change.
    pub drafts: BTreeMap<DraftKey, Draft>,
    /// Drafts (or the open form) changed since the runner last wrote them.
    pub drafts_dirty: bool,
    /// A draft to open once its group's checklist is loaded.
    pub pending_open: Option<DraftKey>,
    /// A row to put the cursor on once its group's checklist is loaded (from the
    /// dashboard).
    pub pending_row: Option<DraftKey>,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub quit: bool,
}

/// Completion as the report sums it.
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

/// The first line shown so that line `sel` is visible in `height` lines.
pub fn scroll_offset(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        sel.saturating_sub(height - 1)
    }
}

pub fn ctrl(k: &KeyEvent, c: char) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char(c)
}

impl App {
    pub fn new(opts: Options, keymap: Keymap, theme: Theme, actor: String, period: Period) -> App {
        App {
            opts,
            keymap,
            theme,
            actor,
            screen: Screen::FirstRun(None),
            data: None,
            sel: Selection {
                group: WARD_GROUP,
                period,
                rows: Rows::Loading,
            },
            focus: Pane::Tree,
            list_sel: 0,
            step_col: 0,
            search: TextInput::new("", 100),
            tree_search: TextInput::new("", 100),
            typing: None,
            filters: Filters::default(),
            branch_filter: None,
            dash: DashState {
                focus: DashList::Overdue,
                overdue: 0,
                votes: 0,
            },
            agenda: None,
            agenda_sel: 0,
            agenda_marked: None,
            popup: None,
            drafts: BTreeMap::new(),
            drafts_dirty: false,
            pending_open: None,
            pending_row: None,
            status: None,
            size: (WIDE, 24),
            quit: false,
        }
    }

    pub fn lang(&self) -> Lang {
        self.opts.lang
    }

    pub fn g(&self) -> &Glyphs {
        &self.opts.glyphs
    }

    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.opts.lang.t(vi, en)
    }

    /// A note in the status line (not an error).
    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    pub fn period(&self) -> Period {
        self.sel.period
    }

    pub fn compact(&self) -> bool {
        self.size.0 < WIDE
    }

    pub fn ward_steps(&self) -> &'static [Step] {
        self.data
            .as_ref()
            .map(|s| s.ward.steps.steps())
            .unwrap_or(&Step::ALL[..4])
    }

    pub fn group_name(&self, id: GroupId) -> String {
        if id == WARD_GROUP {
            return self.t("Việc cấp phường", "Ward-level items").to_string();
        }
        self.data
            .as_ref()
            .and_then(|s| s.groups.iter().find(|g| g.id == id))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    // ---- what the runner feeds back ------------------------------------------------

    /// New overview and rows from the service, for [`Self::sel`]'s group and period.
    pub fn loaded(&mut self, overview: Overview, rows: Vec<ChecklistRow>) {
        let group = self.sel.group;
        let known = group == WARD_GROUP || overview.groups.iter().any(|g| g.id == group);
        self.data = Some(overview);
        if matches!(self.screen, Screen::FirstRun(_)) {
            self.screen = Screen::Main;
        }
        if known {
            self.rows_loaded(group, self.sel.period, rows);
        } else {
            // The group is gone (another cadre's roster import): show the ward.
            self.sel.group = WARD_GROUP;
            self.sel.rows = Rows::Loading;
        }
        let steps = self.ward_steps().len();
        self.step_col = self.step_col.min(steps.saturating_sub(1));
    }

    /// A group's checklist arrived. Only the rows of the group and period on screen are
    /// taken; anything else is stale and dropped.
    pub fn rows_loaded(&mut self, group: GroupId, period: Period, rows: Vec<ChecklistRow>) {
        if group != self.sel.group || period != self.sel.period {
            return;
        }
        debug_assert!(rows.iter().all(|r| r.entry.group == group));
        self.sel.rows = Rows::Loaded(rows);
        let n = self.visible_rows().len();
        self.list_sel = self.list_sel.min(n.saturating_sub(1));
        self.apply_pending_row();
        if let Some(key) = self.pending_open.take() {
            if key.0 == group
                && let Some(i) = self
                    .visible_rows()
                    .iter()
                    .position(|r| r.entry.item == key.1 && r.slot == key.2)
            {
                self.list_sel = i;
                self.focus = Pane::List;
                self.screen = Screen::Main;
                self.open_form();
            } else {
                self.pending_open = Some(key);
            }
        }
    }

    /// Put the cursor on the row the dashboard asked for, once its rows are here.
    pub fn apply_pending_row(&mut self) {
        let Some(key) = self.pending_row.take() else {
            return;
        };
        if key.0 != self.sel.group || !self.sel.is_loaded() {
            self.pending_row = Some(key);
            return;
        }
        if let Some(i) = self
            .visible_rows()
            .iter()
            .position(|r| r.entry.item == key.1 && r.slot == key.2)
        {
            self.list_sel = i;
            // Opened from a list (dashboard, agenda): the cursor goes to a step the item
            // has, so the first tick marks it instead of being refused.
            let steps: Vec<crate::domain::step::Step> = self.ward_steps().to_vec();
            if let Some(row) = self.visible_rows().get(i)
                && !steps
                    .get(self.step_col)
                    .is_some_and(|s| row.item.steps.contains(s))
                && let Some(c) = steps.iter().position(|s| row.item.steps.contains(s))
            {
                self.step_col = c;
            }
        }
    }

    /// Put one group's new figures (a report counted for that group alone) into the
    /// tree: the group, its branch and the ward's totals, summed the way the report
    /// sums them. `false`: the group is not in the tree (reload instead).
    pub fn patch_figures(&mut self, one: &Report) -> bool {
        let Some(s) = &mut self.data else {
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

    /// The runner reports a saved change.
    pub fn saved(&mut self, text: String) {
        if let Some(Popup::Form(f)) = &self.popup {
            let key = (f.base.group, f.base.item.clone(), f.base.period);
            self.drafts.remove(&key);
            self.drafts_dirty = true;
            self.popup = None;
        }
        self.info(text);
    }

    /// A save met a newer version: keep the form, show the current value.
    pub fn conflict(&mut self, current: Entry, message: String) {
        if let Some(Popup::Form(f)) = &mut self.popup {
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

    /// Drafts kept from an earlier session: offered back.
    pub fn drafts_found(&mut self, drafts: BTreeMap<DraftKey, Draft>) {
        self.drafts = drafts;
        if !self.drafts.is_empty() && self.popup.is_none() {
            self.popup = Some(Popup::Drafts { sel: 0 });
        }
    }

    /// What to persist as drafts now: the kept ones and the form being typed in (so a
    /// crash or a dropped connection loses nothing).
    pub fn drafts_to_keep(&self) -> Vec<Draft> {
        let mut all: BTreeMap<DraftKey, Draft> = self.drafts.clone();
        if let Some(Popup::Form(f)) = &self.popup
            && f.is_dirty(self.lang())
        {
            let d = f.to_draft();
            all.insert(d.key(), d);
        }
        all.into_values().collect()
    }

    // ---- derived views -------------------------------------------------------------

    pub fn tree_lines(&self) -> Vec<TreeLine> {
        let Some(s) = &self.data else { return vec![] };
        let q = self.tree_search.value();
        let mut out = vec![TreeLine::Ward];
        for (bi, gis) in &s.order {
            let b = &s.report.branches[*bi];
            if self.branch_filter.is_some_and(|id| id != b.id) {
                continue;
            }
            let branch_hit = text::matches(&b.name, q);
            let groups: Vec<usize> = gis
                .iter()
                .copied()
                .filter(|gi| branch_hit || text::matches(&b.groups[*gi].name, q))
                .collect();
            if groups.is_empty() && !q.trim().is_empty() {
                continue;
            }
            out.push(TreeLine::Branch(*bi));
            out.extend(groups.into_iter().map(|gi| TreeLine::Group(*bi, gi)));
        }
        out
    }

    pub fn line_group(&self, l: TreeLine) -> Option<GroupId> {
        let s = self.data.as_ref()?;
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
            .position(|l| self.line_group(*l) == Some(self.sel.group))
            .unwrap_or(0)
    }

    /// The checklist rows that pass the filters and the search.
    pub fn visible_rows(&self) -> Vec<&ChecklistRow> {
        let q = self.search.value();
        self.sel
            .rows()
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

    pub fn draft_key(row: &ChecklistRow) -> DraftKey {
        (row.entry.group, row.entry.item.clone(), row.slot)
    }

    // ---- shared updates ------------------------------------------------------------

    /// Show another group: its checklist is asked for, and until it comes nothing can be
    /// edited (the old group's rows are gone, not shown under the new name).
    #[must_use]
    pub fn select_group(&mut self, g: GroupId) -> Option<Cmd> {
        if g == self.sel.group {
            return None;
        }
        self.sel = Selection {
            group: g,
            period: self.sel.period,
            rows: Rows::Loading,
        };
        self.list_sel = 0;
        Some(Cmd::LoadRows)
    }

    /// Another period: everything is counted again.
    #[must_use]
    pub fn set_period(&mut self, p: Period) -> Option<Cmd> {
        self.sel.period = p;
        self.sel.rows = Rows::Loading;
        Some(Cmd::Reload)
    }

    /// The law's denominator for a vote in `group`.
    pub fn vote_total(&self, group: GroupId) -> u32 {
        self.data
            .as_ref()
            .map(|s| vote_total(group, &s.groups))
            .unwrap_or(0)
    }

    /// Open the selected row's form (a kept draft of it comes back as it was).
    pub fn open_form(&mut self) {
        if !self.sel.is_loaded() {
            return;
        }
        let Some(row) = self.selected_row().cloned() else {
            return;
        };
        let Some(steps) = self.data.as_ref().map(|s| s.ward.steps) else {
            return;
        };
        debug_assert_eq!(row.entry.group, self.sel.group);
        let mut f = EntryForm::new(
            &row.item,
            &self.group_name(self.sel.group),
            &row.entry,
            steps,
            self.vote_total(self.sel.group),
        );
        if let Some(d) = self.drafts.get(&Self::draft_key(&row)) {
            f.apply_draft(d);
        }
        self.popup = Some(Popup::Form(Box::new(f)));
    }

    // ---- events --------------------------------------------------------------------

    /// Handle one terminal event. Returns the command to carry out, if any.
    #[must_use]
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
        match (&mut self.popup, self.typing, &mut self.screen) {
            (Some(Popup::Form(f)), _, _) => {
                if let Some(i) = f.edit_selected() {
                    i.insert(s);
                }
                self.drafts_dirty = true;
            }
            (Some(Popup::AddGroup(a)), _, _) => a.inputs[a.sel].insert(s),
            (Some(Popup::Figures(e)), _, _) => {
                if let Some(i) = &mut e.input {
                    i.insert(s);
                }
            }
            (Some(Popup::Settings(e)), _, _) => {
                if let Some(i) = &mut e.input {
                    i.insert(s);
                }
            }
            (Some(Popup::Narrative(e)), _, _) => {
                let sec = e.section;
                e.texts[sec].insert(s);
            }
            (Some(_), _, _) => {}
            (None, Some(Typing::List), _) => {
                self.search.insert(s);
                self.list_sel = 0;
            }
            (None, Some(Typing::Tree), _) => self.tree_search.insert(s),
            (None, None, Screen::FirstRun(Some(c))) => c.name.insert(s),
            _ => {}
        }
    }

    fn handle_key(&mut self, k: &KeyEvent) -> Option<Cmd> {
        self.status = None;
        if ctrl(k, 'z') {
            return Some(Cmd::Suspend);
        }
        if let Some(p) = self.popup.take() {
            return self.popup_key(p, k);
        }
        if let Screen::FirstRun(creating) = self.screen.clone() {
            return self.first_run_key(creating, k);
        }
        if self.typing.is_some() {
            return self.search_key(k);
        }
        let action = self.keymap.action(k)?;
        match self.screen {
            Screen::Dashboard => self.dashboard_action(action),
            Screen::Agenda => self.agenda_action(action),
            _ => self.main_action(action),
        }
    }

    /// Keys every screen shares: quit, help, dashboard, periods.
    #[must_use]
    pub fn common_action(&mut self, a: Action) -> Option<Option<Cmd>> {
        Some(match a {
            Action::Quit => {
                if self.drafts.is_empty() {
                    Some(Cmd::Quit)
                } else {
                    self.popup = Some(Popup::ConfirmQuit);
                    None
                }
            }
            Action::Help => {
                self.popup = Some(Popup::Help { scroll: 0 });
                None
            }
            Action::Agenda => {
                if self.screen == Screen::Agenda {
                    self.screen = Screen::Main;
                    None
                } else {
                    self.screen = Screen::Agenda;
                    Some(Cmd::LoadAgenda)
                }
            }
            Action::Dashboard => {
                self.screen = if self.screen == Screen::Dashboard {
                    Screen::Main
                } else {
                    Screen::Dashboard
                };
                let whole = self.data.as_ref().is_none_or(|s| s.detailed);
                (self.screen == Screen::Dashboard && !whole).then_some(Cmd::LoadDetail)
            }
            Action::Period => {
                let y = self.period().year();
                let mut options = Vec::new();
                for year in [y.saturating_sub(1), y] {
                    for q in 1..=4 {
                        options.push(Period::Quarter(year, q));
                    }
                    options.push(Period::Half(year, 1));
                    options.push(Period::Half(year, 2));
                    options.push(Period::Year(year));
                }
                let sel = options
                    .iter()
                    .position(|p| *p == self.period())
                    .unwrap_or(0);
                self.popup = Some(Popup::Period { options, sel });
                None
            }
            Action::PrevPeriod | Action::NextPeriod => {
                let p = if a == Action::PrevPeriod {
                    self.period().previous()
                } else {
                    self.period().next()
                };
                match p {
                    Some(p) => self.set_period(p),
                    None => None,
                }
            }
            Action::Undo => Some(Cmd::PlanUndo { redo: false }),
            Action::Redo => Some(Cmd::PlanUndo { redo: true }),
            _ => return None,
        })
    }

    /// What the service would undo: done at once when it is on screen and one field,
    /// else the user is asked first (naming the group, item, period and change).
    #[must_use]
    pub fn undo_planned(&mut self, plan: Option<AuditRecord>, redo: bool) -> Option<Cmd> {
        let Some(record) = plan else {
            self.fail(if redo {
                self.t(
                    "Không có thay đổi nào của bạn để làm lại.",
                    "Nothing of yours to redo.",
                )
            } else {
                self.t(
                    "Không có thay đổi nào của bạn để hoàn tác.",
                    "Nothing of yours to undo.",
                )
            });
            return None;
        };
        let on_screen = (self.screen == Screen::Main
            && record.group == self.sel.group
            && self
                .sel
                .rows()
                .iter()
                .any(|r| r.entry.item == record.item && r.slot.to_string() == record.period))
            || (self.screen == Screen::Agenda && self.agenda_shows(&record));
        if on_screen && record.changes.len() <= 1 {
            return Some(Cmd::Undo(UndoRequest {
                redo,
                expect: Some(record.seq),
            }));
        }
        let group_name = self.group_name(record.group);
        self.popup = Some(Popup::ConfirmUndo(UndoPlan {
            record,
            redo,
            group_name,
        }));
        None
    }

    /// A one-line account of an undo or redo that was done.
    pub fn undone(&mut self, rec: &AuditRecord, redo: bool) {
        let lang = self.lang();
        let what: Vec<String> = rec
            .changes
            .iter()
            .map(|c| crate::present::change(c, lang))
            .collect();
        self.info(format!(
            "{} {} · {} · {}: {}",
            if redo {
                self.t("Đã làm lại", "Redone")
            } else {
                self.t("Đã hoàn tác", "Undone")
            },
            self.group_name(rec.group),
            rec.item,
            rec.period,
            what.join("; ")
        ));
    }
}
