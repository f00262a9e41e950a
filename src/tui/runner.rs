//! The runner: carries out the app's commands against the service and feeds the
//! results back into the app, and keeps the drafts on disk. All of the TUI's I/O but
//! the terminal's is here.

use super::app::{App, Cmd, Overview, Popup, Rows};
use super::drafts::DraftStore;
use crate::domain::audit::Actor;
use crate::domain::date;
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::ward::{Branch, BranchId, Group, GroupId, WARD_GROUP};
use crate::i18n::Lang;
use crate::service::engine::ReportOptions;
use crate::service::{HistoryQuery, Service, ServiceError};
use std::path::PathBuf;

/// Everything the screens show about the ward for a period. `detailed`: the whole
/// report (the dashboard); else the completion figures only (the main screen).
pub fn load_overview(
    svc: &dyn Service,
    period: Period,
    detailed: bool,
) -> Result<Overview, ServiceError> {
    let ward = svc.ward()?;
    let branches = svc.branches()?;
    let groups = svc.groups()?;
    let report = svc.report_with(
        period,
        if detailed {
            ReportOptions::default()
        } else {
            ReportOptions::figures()
        },
    )?;
    let data_periods = svc.periods()?;
    Ok(Overview::new(
        ward,
        branches,
        groups,
        report,
        detailed,
        data_periods,
    ))
}

pub use crate::domain::ward::find_branch;

/// The group to open on, the first the tree shows: of `branch`, else of the first
/// branch in the ward's own order, the first by name as people count; the ward when
/// there are none.
pub fn first_group(branches: &[Branch], groups: &[Group], branch: Option<BranchId>) -> GroupId {
    let mut bs: Vec<&Branch> = branches
        .iter()
        .filter(|b| branch.is_none_or(|id| b.id == id))
        .collect();
    bs.sort_by_key(|b| b.id);
    for b in bs {
        let mut gs: Vec<&Group> = groups.iter().filter(|g| g.branch == b.id).collect();
        gs.sort_by(|a, b| crate::present::natural_cmp(&a.name, &b.name));
        if let Some(g) = gs.first() {
            return g.id;
        }
    }
    WARD_GROUP
}

pub struct Runner {
    pub svc: Option<Box<dyn Service>>,
    pub db: PathBuf,
    pub actor: Actor,
    /// Where drafts are kept (`None`: nowhere writable; they live in memory only).
    pub state_dir: Option<PathBuf>,
    pub drafts: Option<DraftStore>,
    /// Where minutes are written (`None`: the user's documents folder, else the
    /// database's).
    pub docs_dir: Option<PathBuf>,
}

impl Runner {
    pub fn new(db: PathBuf, actor: Actor, state_dir: Option<PathBuf>) -> Runner {
        Runner {
            svc: None,
            db,
            actor,
            state_dir,
            drafts: None,
            docs_dir: None,
        }
    }

    /// Read the drafts kept for the member now working, and offer them.
    pub fn open_drafts(&mut self, app: &mut App) {
        let Some(dir) = &self.state_dir else { return };
        let member = self
            .svc
            .as_ref()
            .map(|s| s.actor().member)
            .unwrap_or_else(|| self.actor.member.clone());
        let store = DraftStore::new(dir, &self.db, &member);
        app.drafts_found(store.load());
        self.drafts = Some(store);
    }

    /// Write the drafts if they changed (after every event that touched a form).
    pub fn persist_drafts(&self, app: &mut App) {
        if !std::mem::take(&mut app.drafts_dirty) {
            return;
        }
        if let Some(store) = &self.drafts
            && let Err(e) = store.save(app.drafts_to_keep().iter())
        {
            app.fail(format!(
                "{} {}: {e}",
                app.t("Không ghi được bản nháp vào", "Cannot keep the drafts in"),
                store.path().display()
            ));
        }
    }

    pub fn reload(&self, app: &mut App) {
        let Some(svc) = &self.svc else { return };
        let detailed = app.screen == super::app::Screen::Dashboard;
        let period = app.sel.period;
        let result = load_overview(svc.as_ref(), period, detailed).and_then(|o| {
            let groups = &o.groups;
            let group =
                if app.sel.group == WARD_GROUP || groups.iter().any(|g| g.id == app.sel.group) {
                    app.sel.group
                } else {
                    WARD_GROUP
                };
            Ok((o, svc.checklist(group, period)?, group))
        });
        match result {
            Ok((o, rows, group)) => {
                app.sel.group = group;
                app.loaded(o, rows);
            }
            Err(e) => app.fail(e.message(app.lang())),
        }
    }

    /// The selected group's checklist for the selected period.
    #[must_use]
    pub fn load_rows(&self, app: &mut App) -> Option<Cmd> {
        let svc = self.svc.as_ref()?;
        let (group, period) = (app.sel.group, app.sel.period);
        match svc.checklist(group, period) {
            Ok(rows) => app.rows_loaded(group, period, rows),
            Err(e) => app.fail(e.message(app.lang())),
        }
        None
    }

    /// After an edit of `group`'s entry: the figures of that group alone patched into
    /// the tree (at city scale, reading one group instead of all), and the checklist on
    /// screen read again. On the dashboard, or when the patch cannot be made, everything
    /// is reloaded.
    pub fn after_edit(&self, app: &mut App, group: GroupId) {
        let Some(svc) = &self.svc else { return };
        if app.screen == super::app::Screen::Dashboard || app.data.is_none() {
            return self.reload(app);
        }
        let one = svc.report_with(
            app.sel.period,
            ReportOptions {
                only: Some(group),
                ..ReportOptions::figures()
            },
        );
        let (shown, period) = (app.sel.group, app.sel.period);
        let rows = svc.checklist(shown, period);
        match (one, rows) {
            (Ok(one), Ok(rows)) if app.patch_figures(&one) => {
                // The data periods may have grown (a first entry in a new period).
                if let (Ok(p), Some(d)) = (svc.periods(), app.data.as_mut()) {
                    d.data_periods = p;
                }
                app.rows_loaded(shown, period, rows);
            }
            _ => self.reload(app),
        }
    }

    /// The agenda read again (`D`, and after a deadline is recorded done or undone).
    fn load_agenda(&self, app: &mut App) {
        let Some(svc) = &self.svc else { return };
        match crate::service::agenda::agenda(
            svc.as_ref(),
            svc.today(),
            crate::tui::screens::agenda::AGENDA_DAYS,
            None,
        ) {
            Ok(rows) => app.agenda_loaded(rows),
            Err(e) => app.fail(e.message(app.lang())),
        }
    }

    /// Carry out a command, and whatever it leads to.
    pub fn perform(&mut self, app: &mut App, cmd: Cmd) {
        let mut next = Some(cmd);
        let mut guard = 0;
        while let Some(cmd) = next.take() {
            next = self.perform_one(app, cmd);
            guard += 1;
            if guard > 8 {
                break;
            }
        }
        self.persist_drafts(app);
    }

    #[must_use]
    fn perform_one(&mut self, app: &mut App, cmd: Cmd) -> Option<Cmd> {
        let lang = app.lang();
        match cmd {
            Cmd::Quit => app.quit = true,
            // The terminal loop suspends; without a terminal there is nothing to do.
            Cmd::Suspend => {}
            Cmd::Reload | Cmd::LoadDetail => self.reload(app),
            Cmd::LoadAgenda => self.load_agenda(app),
            Cmd::DeadlineDone {
                group,
                item,
                period,
                code,
            } => {
                let svc = self.svc.as_ref()?;
                // Read, changed and saved by the service (validated, audited, flushed)
                // before the status line says so; the agenda is read again after.
                let done = crate::service::agenda::set_done(
                    svc.as_ref(),
                    group,
                    &item,
                    period,
                    code.code(),
                    Some(svc.today()),
                );
                match done {
                    Ok(o) => {
                        self.after_edit(app, group);
                        self.load_agenda(app);
                        let d = &o.deadline;
                        let text = format!(
                            "{}: {} · {} · {} ({} {}) — {}",
                            lang.t("Đã ghi đã làm", "Recorded done"),
                            app.group_name(group),
                            o.entry.item,
                            if lang.is_en() { &d.what_en } else { &d.what_vi },
                            lang.t("hạn", "due"),
                            date::format_vi(d.date),
                            lang.t("u để hoàn tác", "u to undo"),
                        );
                        app.deadline_stored(group, item, period, text);
                    }
                    Err(e) => {
                        self.load_agenda(app);
                        app.fail(e.message(lang));
                    }
                }
            }
            Cmd::LoadRows => return self.load_rows(app),
            Cmd::CreateDemo => {
                match crate::app::ward::create_demo(&self.db, self.actor.clone(), lang) {
                    Ok(svc) => self.start(app, Box::new(svc)),
                    Err(f) => app.fail(f.message),
                }
            }
            Cmd::CreateWard { name, six } => {
                let steps = if six { StepSet::Six } else { StepSet::Four };
                match crate::app::ward::create_ward(
                    &self.db,
                    &name,
                    steps,
                    self.actor.clone(),
                    lang,
                ) {
                    Ok(svc) => self.start(app, Box::new(svc)),
                    Err(f) => app.fail(f.message),
                }
            }
            Cmd::Login { member, pin } => {
                let svc = self.svc.as_ref()?;
                match svc.login(&member, pin.as_deref()) {
                    Ok(s) => {
                        app.popup = None;
                        app.actor = s.actor.label();
                        let role = if lang.is_en() {
                            s.role.name_en()
                        } else {
                            s.role.name_vi()
                        };
                        self.reload(app);
                        self.open_drafts(app);
                        if !matches!(app.popup, Some(Popup::Drafts { .. })) {
                            app.info(format!(
                                "{} {} ({role})",
                                lang.t("Xin chào", "Welcome"),
                                s.actor.member
                            ));
                        }
                    }
                    Err(e) => {
                        if let Some(Popup::Login(l)) = &mut app.popup {
                            l.pin = None;
                        }
                        app.fail(e.message(lang));
                    }
                }
            }
            Cmd::Mark(req) => {
                let svc = self.svc.as_ref()?;
                let group = req.group;
                match svc.mark(req) {
                    Ok(_) => {
                        self.after_edit(app, group);
                        app.saved(saved_text(lang));
                    }
                    Err(e) => {
                        self.reload(app);
                        app.fail(e.message(lang));
                    }
                }
            }
            Cmd::Save(edit) => {
                let svc = self.svc.as_ref()?;
                let group = edit.entry.group;
                match svc.save_entry(edit) {
                    Ok(_) => {
                        self.after_edit(app, group);
                        app.saved(saved_text(lang));
                    }
                    Err(ServiceError::Conflict { current }) => {
                        let msg = ServiceError::Conflict {
                            current: current.clone(),
                        }
                        .message(lang);
                        app.conflict(*current, msg);
                    }
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::PlanUndo { redo } => {
                let svc = self.svc.as_ref()?;
                match svc.undo_plan(redo) {
                    Ok(plan) => return app.undo_planned(plan, redo),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::Undo(req) => {
                let svc = self.svc.as_ref()?;
                match svc.undo(req) {
                    Ok(Some(r)) => {
                        self.after_edit(app, r.group);
                        if app.screen == super::app::Screen::Agenda {
                            self.load_agenda(app);
                        }
                        app.undone(&r, req.redo);
                    }
                    Ok(None) => app.fail(lang.t(
                        "Không có thay đổi nào của bạn để hoàn tác.",
                        "Nothing of yours to undo.",
                    )),
                    Err(e) => {
                        self.reload(app);
                        app.fail(e.message(lang));
                    }
                }
            }
            Cmd::History {
                group,
                item,
                period,
                title,
            } => {
                let svc = self.svc.as_ref()?;
                match svc.history(HistoryQuery {
                    group: Some(group),
                    item: Some(item),
                    period: Some(period),
                    limit: 500,
                }) {
                    Ok(recs) => app.show_history(title, recs),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::OpenFigures { group, period } => {
                let svc = self.svc.as_ref()?;
                match svc.figure_values(Some(period)) {
                    Ok(v) => {
                        let mine: Vec<(String, u64)> = v
                            .into_iter()
                            .filter(|f| f.group == group && f.period == period)
                            .map(|f| (f.code, f.value))
                            .collect();
                        app.show_figures(group, period, &mine);
                    }
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::SetFigure(req) => {
                let svc = self.svc.as_ref()?;
                let (code, value) = (req.code.clone(), req.value);
                // Stored, audited and flushed by the service before it answers: only
                // then does the screen say "Đã lưu".
                match svc.set_figure(req) {
                    Ok(_) => app.figure_stored(&code, value, saved_text(lang)),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::OpenNarrative(period) => {
                let svc = self.svc.as_ref()?;
                match svc.narrative(period) {
                    Ok(n) => app.show_narrative(period, n),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::SaveNarrative { period, sections } => {
                let svc = self.svc.as_ref()?;
                let mut done = Vec::new();
                for (key, text) in &sections {
                    match svc.set_narrative(period, key, text) {
                        Ok(_) => done.push((key.clone(), text.clone())),
                        Err(e) => {
                            app.narrative_stored(&done, String::new());
                            app.fail(e.message(lang));
                            return None;
                        }
                    }
                }
                app.narrative_stored(&done, saved_text(lang));
            }
            Cmd::OpenSettings => {
                let svc = self.svc.as_ref()?;
                match svc.doc_settings() {
                    Ok(s) => app.show_settings(s),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::SetSetting { key, value } => {
                let svc = self.svc.as_ref()?;
                // Set on the settings as stored now (another may have changed another
                // one); stored, audited and flushed by the service before it answers.
                let mut s = match svc.doc_settings() {
                    Ok(s) => s,
                    Err(e) => {
                        app.settings_refused(e.message(lang));
                        return None;
                    }
                };
                if let Err((vi, en)) = s.set(&key, &value) {
                    app.settings_refused(lang.t(&vi, &en).to_string());
                    return None;
                }
                match svc.set_doc_settings(s).and_then(|_| svc.doc_settings()) {
                    Ok(stored) => app.settings_stored(stored, saved_text(lang)),
                    Err(e) => app.settings_refused(e.message(lang)),
                }
            }
            Cmd::WriteMinutes {
                group,
                item,
                period,
            } => match self.write_minutes(app, group, &item, period) {
                Ok(msg) => app.info(msg),
                Err(msg) => app.fail(msg),
            },
            Cmd::AddGroup(g) => {
                let svc = self.svc.as_ref()?;
                let branches = match svc.branches() {
                    Ok(b) => b,
                    Err(e) => {
                        app.fail(e.message(lang));
                        return None;
                    }
                };
                let branch = match find_branch(&branches, &g.branch) {
                    Some(b) => Ok(b.name.clone()),
                    None => svc.add_branch(&g.branch).map(|b| b.name),
                };
                match branch
                    .and_then(|b| svc.add_group(crate::service::NewGroup { branch: b, ..g }))
                {
                    Ok(added) => {
                        app.popup = None;
                        app.sel.group = added.id;
                        app.sel.rows = Rows::Loading;
                        self.reload(app);
                        app.info(format!(
                            "{} {} ({} {})",
                            lang.t("Đã thêm", "Added"),
                            added.name,
                            added.households,
                            lang.t("hộ", "households")
                        ));
                    }
                    Err(e) => app.fail(e.message(lang)),
                }
            }
        }
        None
    }

    /// The minutes an entry has, filled in from its stored evidence, each written whole
    /// (a temporary file renamed) into the documents folder. `Ok`: what the status line
    /// says, with the full paths.
    fn write_minutes(
        &self,
        app: &App,
        group: GroupId,
        item: &str,
        period: Period,
    ) -> Result<String, String> {
        use crate::app::minutes;
        let lang = app.lang();
        let svc = self.svc.as_ref().ok_or_else(|| {
            lang.t("Chưa mở phường nào.", "No ward is open.")
                .to_string()
        })?;
        let err = |e: ServiceError| e.message(lang);
        let rows = svc.checklist(group, period).map_err(err)?;
        let row = rows.iter().find(|r| r.entry.item == item).ok_or_else(|| {
            lang.t(
                "Mục này không còn trong danh mục của kỳ.",
                "The item is no longer on the period's checklist.",
            )
            .to_string()
        })?;
        let ward = svc.ward().map_err(err)?;
        let settings = svc.doc_settings().map_err(err)?;
        let group_name = (group != WARD_GROUP).then(|| app.group_name(group));
        let unit = group_name.clone().unwrap_or_else(|| ward.name.clone());
        let dir = self
            .docs_dir
            .clone()
            .unwrap_or_else(|| minutes::documents_dir(&self.db));
        let mut written = Vec::new();
        for kind in minutes::kinds_of(&row.item) {
            let input = minutes::input_from(
                row,
                &ward.name,
                group_name.as_deref(),
                &settings.place,
                kind,
                svc.today(),
            );
            let bytes = crate::export::docx::minutes::minutes_docx(&input, lang)?;
            let path = dir.join(minutes::file_name(
                kind,
                &row.entry.item,
                &unit,
                &row.slot.to_string(),
            ));
            minutes::write_atomically(&path, &bytes).map_err(|e| {
                format!(
                    "{} {}: {e}",
                    lang.t("Không ghi được", "Could not write"),
                    path.display()
                )
            })?;
            written.push(path.display().to_string());
        }
        Ok(format!(
            "{}: {}",
            lang.t("Đã ghi biên bản", "Minutes written"),
            written.join(" · ")
        ))
    }

    /// A ward was just created on the first-run screen: work on it.
    fn start(&mut self, app: &mut App, svc: Box<dyn Service>) {
        if let Ok(p) = svc.default_period() {
            app.sel.period = p;
        }
        if let (Ok(b), Ok(g)) = (svc.branches(), svc.groups()) {
            app.sel.group = first_group(&b, &g, None);
        }
        self.svc = Some(svc);
        self.reload(app);
        self.open_drafts(app);
    }
}

fn saved_text(lang: Lang) -> String {
    format!(
        "{} ✓ {}",
        lang.t("Đã lưu", "Saved"),
        chrono::Local::now().format("%H:%M:%S")
    )
}
