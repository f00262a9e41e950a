//! Tests of the app's update (event in, state and command out) and insta snapshots of
//! every screen and popup at 80×24 and 120×40, on the demo ward.

use super::app::{App, Cmd, Options, Pane, Popup, Screen};
use super::keymap::Keymap;
use super::theme::Theme;
use super::{Launch, Runner, prepare};
use crate::domain::audit::Actor;
use crate::domain::date;
use crate::domain::entry::StepStatus;
use crate::domain::period::Period;
use crate::i18n::Lang;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use ratatui::style::Modifier;

struct Fixture {
    app: App,
    runner: Runner,
    _dir: tempfile::TempDir,
}

fn opts(lang: Lang, ascii: bool) -> Options {
    Options {
        lang,
        ascii,
        mouse: true,
        db_label: "ward.db".into(),
    }
}

fn demo_with(lang: Lang, ascii: bool, theme: Theme) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let actor = Actor::new("tester", "tester");
    let svc = crate::app::ward::create_demo(&db, actor.clone(), lang)
        .unwrap_or_else(|f| panic!("{}", f.message))
        .with_today(date::parse("2026-11-22").unwrap());
    let l = Launch {
        db: db.clone(),
        actor,
        lang,
        ascii,
        branch: None,
        period: None,
        demo: true,
    };
    let mut app = App::new(
        opts(lang, ascii),
        Keymap::default(),
        theme,
        "tester".into(),
        Period::Quarter(2026, 4),
    );
    let runner =
        prepare(&l, &mut app, Some(Box::new(svc))).unwrap_or_else(|f| panic!("{}", f.message));
    Fixture {
        app,
        runner,
        _dir: dir,
    }
}

fn demo() -> Fixture {
    demo_with(Lang::Vi, false, Theme::color())
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

impl Fixture {
    /// Feed events like the real loop does: update, then carry out the command.
    fn send(&mut self, ev: Event) {
        if let Some(cmd) = self.app.handle_event(&ev) {
            self.runner.perform(&mut self.app, cmd);
        }
    }

    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.send(key(KeyCode::Char(c)));
        }
    }

    fn render(&mut self, w: u16, h: u16) -> Terminal<TestBackend> {
        self.app.size = (w, h);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(&self.app, f.area())).unwrap();
        t
    }
}

// ---- update -------------------------------------------------------------------------

#[test]
fn a_key_release_event_is_ignored() {
    let mut f = demo();
    let before = f.app.group;
    let release = Event::Key(KeyEvent {
        code: KeyCode::Down,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    });
    assert_eq!(f.app.handle_event(&release), None);
    assert_eq!(f.app.group, before);
    // The same key pressed moves the selection.
    f.send(key(KeyCode::Down));
    assert_ne!(f.app.group, before);
}

#[test]
fn space_toggles_the_step_under_the_cursor_and_saves_it() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    assert_eq!(f.app.focus, Pane::List);
    let row = f.app.selected_row().unwrap().clone();
    let before = row.entry.status(crate::domain::Step::Biet);
    let cmd = f.app.handle_event(&key(KeyCode::Char(' '))).unwrap();
    match &cmd {
        Cmd::Mark(m) => {
            assert_eq!(m.item, row.item.code);
            assert_eq!(m.status, before.toggled());
            assert_eq!(m.base_version, Some(row.entry.version));
        }
        other => panic!("{other:?}"),
    }
    f.runner.perform(&mut f.app, cmd);
    let after = f
        .app
        .selected_row()
        .unwrap()
        .entry
        .status(crate::domain::Step::Biet);
    assert_eq!(after, before.toggled());
    assert!(
        f.app
            .status
            .as_ref()
            .is_some_and(|s| !s.error && s.text.starts_with("Đã lưu"))
    );
}

/// The main screen holds the completion figures only; an edit patches the edited
/// group's figures in (its branch and the ward summed again) and they equal a fresh
/// load; the dashboard loads the whole report when it opens.
#[test]
fn an_edit_patches_the_figures_and_the_dashboard_loads_the_whole_report() {
    use crate::service::engine::ReportOptions;
    let mut f = demo();
    assert!(!f.app.snap.as_ref().unwrap().detailed);
    assert!(f.app.snap.as_ref().unwrap().report.sections.is_empty());
    // Moving in the tree loads that group's checklist only.
    f.send(key(KeyCode::Down));
    f.send(key(KeyCode::Down));
    let group = f.app.group;
    assert_eq!(f.app.snap.as_ref().unwrap().group, group);
    assert!(
        f.app
            .snap
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .all(|r| r.entry.group == group)
    );
    f.send(key(KeyCode::Tab));
    for _ in 0..3 {
        f.send(key(KeyCode::Char(' ')));
        f.send(key(KeyCode::Down));
    }
    let svc = f.runner.svc.as_ref().unwrap();
    let fresh = svc
        .report_with(Period::Quarter(2026, 4), ReportOptions::figures())
        .unwrap();
    let patched = &f.app.snap.as_ref().unwrap().report;
    assert_eq!(patched.branches, fresh.branches);
    assert_eq!(patched.ward_level, fresh.ward_level);
    assert_eq!(
        (&patched.completion, &patched.by_pillar, &patched.by_step),
        (&fresh.completion, &fresh.by_pillar, &fresh.by_step)
    );
    let cmd = f.app.handle_event(&key(KeyCode::Char('d')));
    assert_eq!(cmd, Some(Cmd::LoadDetail));
    f.runner.perform(&mut f.app, cmd.unwrap());
    let s = f.app.snap.as_ref().unwrap();
    assert!(s.detailed && !s.report.sections.is_empty() && !s.report.trend.is_empty());
    // Back on the main screen and again on the dashboard: nothing to load.
    f.send(key(KeyCode::Char('d')));
    assert_eq!(f.app.handle_event(&key(KeyCode::Char('d'))), None);
}

#[test]
fn recording_a_meeting_in_the_form_saves_and_shows_the_verdict() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    // Find BQ-01 (a two-thirds decision) by searching without diacritics.
    f.send(key(KeyCode::Char('/')));
    f.typed("muc dong gop");
    f.send(key(KeyCode::Enter));
    assert!(f.app.selected_row().unwrap().item.code.starts_with("BQ-0"));
    let code = f.app.selected_row().unwrap().item.code.clone();
    f.send(key(KeyCode::Enter));
    let Some(Popup::Detail(form)) = &f.app.popup else {
        panic!("no form")
    };
    let hh = form
        .fields
        .iter()
        .position(|x| *x == super::form::Field::Households)
        .unwrap();
    for _ in 0..hh {
        f.send(key(KeyCode::Tab));
    }
    for (i, v) in ["300", "250", "205"].iter().enumerate() {
        for _ in 0..8 {
            f.send(key(KeyCode::Backspace));
        }
        f.typed(v);
        if i < 2 {
            f.send(key(KeyCode::Tab));
        }
    }
    let Some(Popup::Detail(form)) = &f.app.popup else {
        panic!("no form")
    };
    let v = form.verdict(Lang::Vi).unwrap();
    assert_eq!(
        v.summary_vi(),
        "Đạt: 205/300 hộ đồng ý, cần ≥ 2/3 tổng số hộ (tối thiểu 200)"
    );
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "form closes after saving");
    let row = f
        .app
        .visible_rows()
        .into_iter()
        .find(|r| r.item.code == code)
        .unwrap()
        .clone();
    assert_eq!(row.entry.evidence.vote.map(|v| v.agree), Some(205));
}

#[test]
fn invalid_form_input_is_not_saved() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Char('/')));
    f.typed("muc dong gop");
    f.send(key(KeyCode::Enter));
    let version = f.app.selected_row().unwrap().entry.version;
    f.send(key(KeyCode::Enter));
    let Some(Popup::Detail(form)) = &f.app.popup else {
        panic!("no form")
    };
    let md = form
        .fields
        .iter()
        .position(|x| *x == super::form::Field::MeetingDate)
        .unwrap();
    for _ in 0..md {
        f.send(key(KeyCode::Tab));
    }
    for _ in 0..12 {
        f.send(key(KeyCode::Backspace));
    }
    f.typed("31/02/2026");
    f.send(ctrl('s'));
    assert!(
        matches!(f.app.popup, Some(Popup::Detail(_))),
        "form stays open"
    );
    assert!(f.app.status.as_ref().is_some_and(|s| s.error));
    let t = f.render(80, 24);
    let screen = format!("{}", t.backend());
    assert!(screen.contains("ngày không hợp lệ"), "{screen}");
    f.send(key(KeyCode::Esc));
    assert_eq!(
        f.app.selected_row().unwrap().entry.version,
        version,
        "nothing saved"
    );
}

#[test]
fn esc_on_an_edited_form_keeps_a_draft() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Enter));
    f.send(key(KeyCode::Char(' ')));
    f.send(key(KeyCode::Esc));
    assert!(f.app.popup.is_none());
    assert_eq!(f.app.drafts.len(), 1);
    // Reopening restores the draft; quitting now asks first.
    f.send(key(KeyCode::Enter));
    assert!(matches!(f.app.popup, Some(Popup::Detail(_))));
    assert!(f.app.drafts.is_empty());
    f.send(key(KeyCode::Esc));
    assert_eq!(f.app.handle_event(&key(KeyCode::Char('q'))), None);
    assert_eq!(f.app.popup, Some(Popup::ConfirmQuit));
    assert_eq!(f.app.handle_event(&key(KeyCode::Char('n'))), None);
    assert!(!f.app.quit);
}

#[test]
fn search_ignores_diacritics_and_filters_the_checklist() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    let all = f.app.visible_rows().len();
    f.send(key(KeyCode::Char('/')));
    f.typed("huong uoc");
    let found: Vec<String> = f
        .app
        .visible_rows()
        .iter()
        .map(|r| r.item.title.clone())
        .collect();
    assert!(!found.is_empty() && found.len() < all);
    assert!(
        found
            .iter()
            .all(|t| crate::domain::text::matches(t, "hương ước")),
        "{found:?}"
    );
    f.send(key(KeyCode::Esc));
    assert_eq!(f.app.search.value(), "huong uoc", "Esc keeps the filter");
    f.send(key(KeyCode::Char('c')));
    assert_eq!(f.app.visible_rows().len(), all);
}

#[test]
fn quick_filters_and_period_switching() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Char('n')));
    assert!(
        f.app
            .visible_rows()
            .iter()
            .all(|r| !r.completion.is_complete())
    );
    f.send(key(KeyCode::Char('c')));
    f.send(key(KeyCode::Char('[')));
    assert_eq!(f.app.period, Period::Quarter(2026, 3));
    // Go down the tree to the group with the most overdue items.
    let worst = f
        .app
        .snap
        .as_ref()
        .unwrap()
        .report
        .branches
        .iter()
        .flat_map(|b| b.groups.iter())
        .max_by_key(|g| g.overdue)
        .unwrap()
        .clone();
    assert!(worst.overdue > 0);
    f.send(key(KeyCode::Tab));
    for _ in 0..20 {
        if f.app.group == worst.id {
            break;
        }
        f.send(key(KeyCode::Down));
    }
    assert_eq!(f.app.group, worst.id);
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Char('o')));
    assert!(
        !f.app.visible_rows().is_empty(),
        "Q3 has overdue items in the demo"
    );
    assert!(f.app.visible_rows().iter().all(|r| r.overdue));
    f.send(key(KeyCode::Char('p')));
    assert!(matches!(f.app.popup, Some(Popup::Period { .. })));
    f.send(key(KeyCode::Down));
    f.send(key(KeyCode::Enter));
    assert_eq!(f.app.period, Period::Quarter(2026, 4));
}

#[test]
fn undo_reverts_my_last_change() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    let before = f
        .app
        .selected_row()
        .unwrap()
        .entry
        .status(crate::domain::Step::Biet);
    f.send(key(KeyCode::Char(' ')));
    f.send(key(KeyCode::Char('u')));
    assert_eq!(
        f.app
            .selected_row()
            .unwrap()
            .entry
            .status(crate::domain::Step::Biet),
        before
    );
    f.send(key(KeyCode::Char('H')));
    let Some(Popup::History { records, .. }) = &f.app.popup else {
        panic!("no history")
    };
    assert_eq!(records.len(), 2, "the mark and its undo: {records:?}");
    assert_eq!(records[0].action, "undo");
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut f = demo();
    f.render(80, 24);
    let l = super::app::main_layout(ratatui::layout::Rect::new(0, 0, 80, 24));
    // Click the fifth line of the tree.
    let click = |col, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let before = f.app.group;
    f.send(click(l.tree.x + 3, l.tree.y + 5));
    assert_ne!(f.app.group, before);
    f.send(click(l.list.x + 3, l.list.y + 4));
    assert_eq!(f.app.focus, Pane::List);
    let sel = f.app.list_sel;
    f.send(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: l.list.x + 3,
        row: l.list.y + 4,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(f.app.list_sel, sel + 3);
    // With the mouse off, clicks do nothing.
    f.app.opts.mouse = false;
    let g = f.app.group;
    f.send(click(l.tree.x + 3, l.tree.y + 2));
    assert_eq!(f.app.group, g);
}

#[test]
fn paste_goes_into_the_focused_field_as_one_line() {
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Char('/')));
    f.send(Event::Paste("dân\nbàn".into()));
    assert_eq!(f.app.search.value(), "dân bàn");
}

#[test]
fn first_run_creates_a_ward() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let l = Launch {
        db: db.clone(),
        actor: Actor::new("tester", "tester"),
        lang: Lang::Vi,
        ascii: false,
        branch: None,
        period: None,
        demo: false,
    };
    let mut app = App::new(
        opts(Lang::Vi, false),
        Keymap::default(),
        Theme::color(),
        "tester".into(),
        Period::Quarter(2026, 4),
    );
    let mut runner = prepare(&l, &mut app, None).unwrap();
    let mut f = Fixture {
        app,
        runner: Runner {
            svc: None,
            db,
            actor: l.actor.clone(),
        },
        _dir: dir,
    };
    std::mem::swap(&mut f.runner, &mut runner);
    assert!(matches!(f.app.screen, Screen::FirstRun { creating: None }));
    f.send(key(KeyCode::Char('2')));
    f.send(key(KeyCode::Enter));
    assert!(
        f.app.status.as_ref().is_some_and(|s| s.error),
        "empty name refused"
    );
    f.typed("Phường Bến Thành");
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Enter));
    assert_eq!(f.app.screen, Screen::Main);
    let s = f.app.snap.as_ref().unwrap();
    assert_eq!(s.ward.name, "Phường Bến Thành");
    assert_eq!(s.ward.steps.count(), 6);
}

// ---- rendering --------------------------------------------------------------------

#[test]
fn rendering_into_any_size_never_panics() {
    let mut f = demo();
    for (w, h) in [
        (0, 0),
        (1, 1),
        (2, 1),
        (20, 5),
        (79, 24),
        (80, 23),
        (80, 24),
        (200, 60),
    ] {
        f.render(w, h);
    }
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Enter));
    for (w, h) in [(1, 1), (20, 5), (80, 24)] {
        f.render(w, h);
    }
    f.send(key(KeyCode::Esc));
    f.send(key(KeyCode::Char('d')));
    for (w, h) in [(1, 1), (30, 10), (80, 24)] {
        f.render(w, h);
    }
}

#[test]
fn too_small_window_says_so() {
    let mut f = demo();
    let t = f.render(40, 10);
    let s = format!("{}", t.backend());
    assert!(s.contains("phóng to"), "{s}");
}

#[test]
fn no_color_selection_is_reverse_video() {
    let mut f = demo_with(Lang::Vi, false, Theme::mono());
    let t = f.render(80, 24);
    let buf = t.backend().buffer();
    let l = super::app::main_layout(ratatui::layout::Rect::new(0, 0, 80, 24));
    let y = l.tree.y + 1 + f.app.tree_sel_line() as u16;
    let cell = &buf[(l.tree.x + 3, y)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    assert_eq!(cell.fg, ratatui::style::Color::Reset);
}

#[test]
fn ascii_mode_draws_only_ascii_and_no_diacritics() {
    let mut f = demo_with(Lang::Vi, true, Theme::color());
    for (w, h) in [(80, 24), (120, 40)] {
        let t = f.render(w, h);
        let s = format!("{}", t.backend());
        assert!(s.is_ascii(), "{s}");
        assert!(s.contains("To dan pho 1") || s.contains("TDP 1"), "{s}");
    }
}

macro_rules! snap {
    ($name:expr, $f:expr, $w:expr, $h:expr) => {{
        let t = $f.render($w, $h);
        insta::assert_snapshot!(format!("{}_{}x{}", $name, $w, $h), t.backend());
    }};
}

fn both_sizes(name: &str, mut setup: impl FnMut(&mut Fixture)) {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut f = demo();
        f.app.size = (w, h);
        setup(&mut f);
        f.app.status = None;
        snap!(name, f, w, h);
    }
}

#[test]
fn snapshot_main_screen() {
    both_sizes("main", |_| {});
}

#[test]
fn snapshot_main_screen_checklist_focused() {
    both_sizes("main_list", |f| {
        f.send(key(KeyCode::Down));
        f.send(key(KeyCode::Down));
        f.send(key(KeyCode::Tab));
        f.send(key(KeyCode::Right));
    });
}

#[test]
fn snapshot_dashboard() {
    both_sizes("dashboard", |f| f.send(key(KeyCode::Char('d'))));
}

#[test]
fn snapshot_entry_form() {
    both_sizes("form", |f| {
        f.send(key(KeyCode::Tab));
        f.send(key(KeyCode::Char('/')));
        f.typed("muc dong gop");
        f.send(key(KeyCode::Enter));
        f.send(key(KeyCode::Enter));
    });
}

#[test]
fn snapshot_help() {
    both_sizes("help", |f| f.send(key(KeyCode::Char('?'))));
}

#[test]
fn snapshot_period_picker() {
    both_sizes("period", |f| f.send(key(KeyCode::Char('p'))));
}

#[test]
fn snapshot_history() {
    both_sizes("history", |f| {
        f.send(key(KeyCode::Tab));
        f.send(key(KeyCode::Char('H')));
        // Times depend on the clock and the time zone: pin them.
        if let Some(Popup::History { records, .. }) = &mut f.app.popup {
            for r in records.iter_mut() {
                r.at_ms = 0;
                r.actor = Actor::new("tester", "tester");
            }
        }
    });
}

#[test]
fn snapshot_filtered_overdue_previous_quarter() {
    both_sizes("overdue_q3", |f| {
        f.send(key(KeyCode::Char('[')));
        f.send(key(KeyCode::Tab));
        f.send(key(KeyCode::Char('o')));
    });
}

#[test]
fn snapshot_confirm_quit() {
    both_sizes("confirm_quit", |f| {
        f.send(key(KeyCode::Tab));
        f.send(key(KeyCode::Enter));
        f.send(key(KeyCode::Char(' ')));
        f.send(key(KeyCode::Esc));
        f.send(key(KeyCode::Char('q')));
    });
}

#[test]
fn snapshot_english_and_ascii() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut f = demo_with(Lang::En, false, Theme::color());
        snap!("main_en", f, w, h);
        let mut f = demo_with(Lang::Vi, true, Theme::color());
        snap!("main_ascii", f, w, h);
    }
}

#[test]
fn snapshot_first_run_and_too_small() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut app = App::new(
            opts(Lang::Vi, false),
            Keymap::default(),
            Theme::color(),
            "tester".into(),
            Period::Quarter(2026, 4),
        );
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|fr| fr.render_widget(&app, fr.area())).unwrap();
        insta::assert_snapshot!(format!("first_run_{w}x{h}"), t.backend());
        app.handle_event(&key(KeyCode::Char('2')));
        for c in "Phường Bến Thành".chars() {
            app.handle_event(&key(KeyCode::Char(c)));
        }
        t.draw(|fr| fr.render_widget(&app, fr.area())).unwrap();
        insta::assert_snapshot!(format!("first_run_create_{w}x{h}"), t.backend());
    }
    let mut f = demo();
    snap!("too_small", f, 20, 5);
}

#[test]
fn status_done_mark_is_shown_in_the_list() {
    // Styles matter for the status symbols: done steps are green in colour mode.
    let mut f = demo();
    f.send(key(KeyCode::Tab));
    let t = f.render(120, 40);
    let buf = t.backend().buffer();
    let found = buf
        .content()
        .iter()
        .any(|c| c.symbol() == "✓" && c.fg == ratatui::style::Color::Green);
    assert!(found);
    let _ = StepStatus::Done;
}

#[test]
fn who_is_working_prompt_logs_in_a_member_with_a_pin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let boot = crate::app::ward::create_demo(&db, Actor::new("Nguyễn Thị Lan", "setup"), Lang::Vi)
        .unwrap_or_else(|f| panic!("{}", f.message));
    use crate::domain::member::Role;
    use crate::service::{NewMember, Service};
    let m = |name: &str, role, pin: Option<&str>| NewMember {
        name: name.into(),
        role,
        branches: vec![],
        groups: if role == Role::GroupLeader {
            vec!["Tổ dân phố 1".into()]
        } else {
            vec![]
        },
        unix_user: None,
        pin: pin.map(str::to_string),
    };
    boot.add_member(m("Nguyễn Thị Lan", Role::Admin, None))
        .unwrap();
    boot.add_member(m("Lê Thị Hoa", Role::GroupLeader, Some("2468")))
        .unwrap();
    drop(boot);
    let store = crate::store::Store::open(&db).unwrap();
    let svc = crate::service::local::LocalService::new(store, Actor::new("office", "office"))
        .with_today(date::parse("2026-11-22").unwrap());
    let l = Launch {
        db,
        actor: Actor::new("office", "office"),
        lang: Lang::Vi,
        ascii: false,
        branch: None,
        period: None,
        demo: false,
    };
    let mut app = App::new(
        opts(Lang::Vi, false),
        Keymap::default(),
        Theme::color(),
        "office".into(),
        Period::Quarter(2026, 4),
    );
    let runner = prepare(&l, &mut app, Some(Box::new(svc))).unwrap();
    let mut f = Fixture {
        app,
        runner,
        _dir: dir,
    };
    assert!(
        f.app.login.is_some(),
        "members exist and nobody is identified: ask"
    );
    snap!("who_is_working", f, 80, 24);
    // Members are listed by name; the first has a PIN: a wrong one is refused, the right
    // one logs in.
    f.send(key(KeyCode::Enter));
    f.typed("1111");
    f.send(key(KeyCode::Enter));
    assert!(f.app.login.is_some());
    assert!(f.app.status.as_ref().is_some_and(|s| s.error));
    f.send(key(KeyCode::Enter));
    f.typed("2468");
    f.send(key(KeyCode::Enter));
    assert!(f.app.login.is_none(), "{:?}", f.app.status);
    assert_eq!(f.app.actor, "Lê Thị Hoa (office)");
    // The group leader may edit their own group (the first one) and nothing else.
    f.send(key(KeyCode::Tab));
    f.send(key(KeyCode::Char(' ')));
    assert!(
        f.app.status.as_ref().is_some_and(|s| !s.error),
        "{:?}",
        f.app.status
    );
}
