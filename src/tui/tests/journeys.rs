//! What a cadre does, key by key, and what the database holds afterwards.

use super::*;
use crate::domain::entry::StepStatus;
use crate::domain::step::Step;
use crate::domain::ward::WARD_GROUP;
use crate::tui::app::{Pane, Screen};
use crate::tui::form::Field;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};

const Q4: Period = Period::Quarter(2026, 4);

#[test]
fn a_key_release_event_is_ignored() {
    let mut f = Fixture::demo();
    let before = f.app.sel.group;
    let release = Event::Key(KeyEvent {
        code: KeyCode::Down,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    });
    assert_eq!(f.app.handle_event(&release), None);
    assert_eq!(f.app.sel.group, before);
    f.key(KeyCode::Down);
    assert_ne!(f.app.sel.group, before);
}

/// Issue 11 (1): `/ to dan pho 3 Enter Tab Space` marked Tổ dân phố 1.
#[test]
fn search_then_tick_marks_the_group_that_was_searched() {
    let mut f = Fixture::demo();
    let tdp1 = f.stored("Tổ dân phố 1", "CK-01", Q4);
    f.key(KeyCode::Char('/'));
    f.typed("to dan pho 3");
    f.key(KeyCode::Enter);
    f.key(KeyCode::Tab);
    assert_eq!(f.app.focus, Pane::List);
    let code = f.app.selected_row().expect("row").item.code.clone();
    let before = f.stored("Tổ dân phố 3", &code, Q4).status(Step::Biet);
    f.key(KeyCode::Char(' '));
    assert!(
        f.app.status.as_ref().is_some_and(|s| !s.error),
        "{:?}",
        f.app.status
    );
    let rec = &f.log(1)[0];
    assert_eq!(rec.group, f.group_id("Tổ dân phố 3"), "{rec:?}");
    assert_eq!(rec.item, code);
    assert_eq!(
        f.stored("Tổ dân phố 3", &code, Q4).status(Step::Biet),
        before.toggled()
    );
    assert_eq!(f.stored("Tổ dân phố 1", "CK-01", Q4), tdp1, "untouched");
}

/// The same with Esc ending the search, and Enter opening the form: the form is the
/// searched group's, and so is what it saves.
#[test]
fn a_form_opened_after_a_search_belongs_to_the_searched_group() {
    let mut f = Fixture::demo();
    let year = Period::Year(2026);
    let tdp1 = [
        f.stored("Tổ dân phố 1", "CK-01", Q4),
        f.stored("Tổ dân phố 1", "CK-01", year),
    ];
    f.key(KeyCode::Char('/'));
    f.typed("3");
    f.key(KeyCode::Esc);
    assert_eq!(f.app.sel.group, f.group_id("Tổ dân phố 3"));
    f.key(KeyCode::Right);
    f.select_item("CK-01");
    f.key(KeyCode::Enter);
    assert_eq!(f.form().base.group, f.group_id("Tổ dân phố 3"));
    assert_eq!(f.form().group_name, "Tổ dân phố 3");
    f.fill(Field::Note, "Niêm yết tại nhà văn hóa");
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    let slot = f.stored("Tổ dân phố 3", "CK-01", Q4).period;
    assert_eq!(
        f.stored("Tổ dân phố 3", "CK-01", slot).evidence.note,
        "Niêm yết tại nhà văn hóa"
    );
    assert_eq!(
        [
            f.stored("Tổ dân phố 1", "CK-01", Q4),
            f.stored("Tổ dân phố 1", "CK-01", year)
        ],
        tdp1,
        "Tổ dân phố 1 untouched"
    );
}

/// Issue 11 (2): posting dates on an item without a vote were never saved.
#[test]
fn posting_dates_on_an_item_without_a_vote_are_saved_and_shown_by_items() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 2");
    f.key(KeyCode::Tab);
    f.select_item("CK-01");
    f.key(KeyCode::Enter);
    assert!(!f.form().has(Field::Households), "no vote fields on CK-01");
    f.fill(Field::PostedFrom, "01/10/2026");
    f.fill(Field::PostedTo, "31/10/2026");
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "saved: {:?}", f.app.status);
    let slot = f.app.selected_row().unwrap().slot;
    let e = f.stored("Tổ dân phố 2", "CK-01", slot);
    assert_eq!(e.evidence.posted_from, date::parse("2026-10-01").ok());
    assert_eq!(e.evidence.posted_to, date::parse("2026-10-31").ok());
    // `qcdc items` prints the evidence from the same rows.
    let rows = f.svc().checklist(f.group_id("Tổ dân phố 2"), Q4).unwrap();
    let row = rows.iter().find(|r| r.item.code == "CK-01").unwrap();
    let lines = crate::cli::entries::evidence_lines(row, Lang::Vi, date::parse(TODAY).unwrap());
    assert!(
        lines.iter().any(|l| l.contains("01/10/2026 → 31/10/2026")),
        "{lines:?}"
    );
}

/// A vote: present and agreeing typed, the total from the roster, the verdict shown
/// live and stored with the vote.
#[test]
fn a_vote_typed_in_the_form_is_decided_and_stored() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    f.key(KeyCode::Enter);
    assert!(
        f.form().shown_errors(Lang::Vi).is_empty(),
        "a vote form opens without errors"
    );
    f.fill(Field::MeetingDate, "15/11/2026");
    f.fill(Field::Present, "250");
    f.fill(Field::Agree, "205");
    let v = f.form().verdict(Lang::Vi).expect("verdict");
    assert!(v.passes, "205 of 300 households: {}", v.summary_vi());
    assert!(f.screen(80, 24).contains("Đạt: 205/300"));
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    let slot = f.app.selected_row().unwrap().slot;
    let vote = f
        .stored("Tổ dân phố 4", "BQ-01", slot)
        .evidence
        .vote
        .expect("vote");
    assert_eq!((vote.total, vote.present, vote.agree), (300, 250, 205));
}

/// Ticking a step in a decision's form needs no vote figures.
#[test]
fn a_step_ticked_in_a_vote_form_saves_without_figures() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 5");
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    let slot = f.app.selected_row().unwrap().slot;
    let before = f.stored("Tổ dân phố 5", "BQ-01", slot);
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char(' '));
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    let after = f.stored("Tổ dân phố 5", "BQ-01", slot);
    assert_eq!(
        after.status(Step::Biet),
        before.status(Step::Biet).toggled()
    );
    assert_eq!(after.evidence.vote, before.evidence.vote);
}

#[test]
fn opening_and_closing_a_form_leaves_no_draft() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    for code in ["CK-01", "BQ-01", "GS-01"] {
        if f.app.visible_rows().iter().any(|r| r.item.code == code) {
            f.select_item(code);
            f.key(KeyCode::Enter);
            f.key(KeyCode::Tab);
            f.key(KeyCode::Esc);
        }
    }
    assert!(f.app.drafts.is_empty());
    assert_eq!(
        f.app.handle_event(&key(KeyCode::Char('q'))),
        Some(Cmd::Quit)
    );
}

/// A refused save says why in the form itself and stays open; nothing is written.
#[test]
fn a_refused_save_marks_the_field_and_writes_nothing() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    let slot = f.app.selected_row().unwrap().slot;
    let group = f.group_name_on_screen();
    let before = f.stored(&group, "BQ-01", slot);
    f.key(KeyCode::Enter);
    f.fill(Field::MeetingDate, "31/02/2026");
    f.send(ctrl('s'));
    assert!(matches!(f.app.popup, Some(Popup::Form(_))), "stays open");
    let s = f.screen(80, 24);
    assert!(s.contains("ngày không hợp lệ"), "{s}");
    assert!(s.contains("1 ô có lỗi"), "the form says it: {s}");
    assert!(s.contains("Chưa lưu"), "and the status line: {s}");
    f.key(KeyCode::Esc);
    assert_eq!(f.stored(&group, "BQ-01", slot), before, "nothing saved");
}

impl Fixture {
    fn group_name_on_screen(&self) -> String {
        self.app.group_name(self.app.sel.group)
    }
}

/// Issue 11 (4): undo reached other groups silently.
#[test]
fn undo_of_a_change_in_another_group_asks_first_and_redo_brings_it_back() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Tab);
    f.select_item("CK-02");
    let slot = f.app.selected_row().unwrap().slot;
    let before = f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet);
    f.key(KeyCode::Char(' '));
    let marked = f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet);
    assert_eq!(marked, before.toggled());
    f.go_to("Tổ dân phố 5");
    f.key(KeyCode::Char('u'));
    assert!(
        matches!(f.app.popup, Some(Popup::ConfirmUndo(_))),
        "asks first"
    );
    let s = f.screen(80, 24);
    assert!(s.contains("Tổ dân phố 4") && s.contains("CK-02"), "{s}");
    assert!(s.contains("không thuộc tổ đang xem"), "{s}");
    // Any other key: nothing is undone.
    f.key(KeyCode::Char('n'));
    assert_eq!(
        f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet),
        marked
    );
    // Ctrl+C is not a yes.
    f.key(KeyCode::Char('u'));
    f.send(ctrl('c'));
    assert_eq!(
        f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet),
        marked
    );
    f.key(KeyCode::Char('u'));
    f.key(KeyCode::Char('c'));
    assert_eq!(
        f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet),
        before
    );
    let st = f.app.status.clone().unwrap();
    assert!(
        st.text.contains("Đã hoàn tác") && st.text.contains("Tổ dân phố 4"),
        "{st:?}"
    );
    assert_eq!(f.log(1)[0].action, "undo");
    // Redo: the same question, then the mark is back.
    f.send(ctrl('r'));
    assert!(matches!(f.app.popup, Some(Popup::ConfirmUndo(_))));
    f.key(KeyCode::Char('y'));
    assert_eq!(
        f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet),
        marked
    );
    assert_eq!(f.log(1)[0].action, "redo");
    // And undo again undoes the redone change.
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Char('u'));
    assert_eq!(
        f.stored("Tổ dân phố 4", "CK-02", slot).status(Step::Biet),
        before,
        "on screen and one field: done at once"
    );
}

#[test]
fn undo_of_a_change_on_screen_is_done_at_once_and_says_what() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("CK-02");
    let group = f.group_name_on_screen();
    let slot = f.app.selected_row().unwrap().slot;
    let before = f.stored(&group, "CK-02", slot).status(Step::Biet);
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Char('u'));
    assert!(f.app.popup.is_none());
    assert_eq!(f.stored(&group, "CK-02", slot).status(Step::Biet), before);
    let text = f.app.status.clone().unwrap().text;
    assert!(text.contains("Dân biết:"), "in words: {text}");
    // The history popup reads as sentences too.
    f.key(KeyCode::Char('H'));
    let s = f.screen(100, 30);
    assert!(s.contains("hoàn tác") && s.contains("Dân biết:"), "{s}");
}

/// Issue 11 (11): drafts lived in memory only.
#[test]
fn a_draft_survives_quitting_and_is_offered_back_on_the_next_start() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 2");
    f.key(KeyCode::Tab);
    f.select_item("CK-01");
    let slot = f.app.selected_row().unwrap().slot;
    f.key(KeyCode::Enter);
    f.fill(Field::Responsible, "Chị Hoa");
    // Ctrl+C in a form closes it like Esc, keeping the draft.
    f.send(ctrl('c'));
    assert!(f.app.popup.is_none());
    assert_eq!(f.app.drafts.len(), 1);
    // Quit asks (drafts are not in the database) — and two Ctrl+C do not pass.
    f.key(KeyCode::Char('q'));
    assert_eq!(f.app.popup, Some(Popup::ConfirmQuit));
    assert_eq!(f.app.handle_event(&ctrl('c')), None);
    assert!(!f.app.quit);
    f.key(KeyCode::Char('q'));
    f.key(KeyCode::Char('c'));
    assert!(f.app.quit);
    let (db, state, dir) = f.close();
    // The next start offers it; Enter opens it as it was; saving stores it.
    let mut g = Fixture::open(&db, &state, Lang::Vi, false, Theme::color(), None);
    g._dir = dir;
    assert!(matches!(g.app.popup, Some(Popup::Drafts { .. })));
    assert!(g.screen(80, 24).contains("Tổ dân phố 2 · CK-01"));
    g.key(KeyCode::Enter);
    assert_eq!(g.form().base.group, g.group_id("Tổ dân phố 2"));
    assert_eq!(
        g.form().input(Field::Responsible).unwrap().value(),
        "Chị Hoa"
    );
    g.send(ctrl('s'));
    assert!(g.app.popup.is_none(), "{:?}", g.app.status);
    assert_eq!(
        g.stored("Tổ dân phố 2", "CK-01", slot).evidence.responsible,
        "Chị Hoa"
    );
    assert!(g.app.drafts.is_empty());
    assert!(
        crate::tui::drafts::DraftStore::new(&state, &db, "tester")
            .load()
            .is_empty(),
        "the draft file is gone once saved"
    );
}

/// A crash while typing loses nothing: the open form is on disk after every key.
#[test]
fn the_form_being_typed_is_on_disk_after_every_key() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("CK-01");
    f.key(KeyCode::Enter);
    f.fill(Field::Note, "đang gõ dở");
    let kept = crate::tui::drafts::DraftStore::new(&f.state, &f.db, "tester").load();
    let d = kept.values().next().expect("the open form is kept");
    assert!(
        d.texts
            .iter()
            .any(|(fld, v)| *fld == Field::Note && v == "đang gõ dở")
    );
}

/// Issue 11 (6): 80×23 (an 80×24 terminal inside tmux) and 60×20 are usable.
#[test]
fn small_terminals_get_a_compact_screen_that_still_edits_the_right_group() {
    let mut f = Fixture::demo();
    for (w, h) in [(80u16, 23u16), (60, 20), (72, 22)] {
        f.send(Event::Resize(w, h));
        let s = f.screen(w, h);
        assert!(!s.contains("phóng to"), "{w}×{h} refused:\n{s}");
        assert!(
            s.contains("? phím") && s.contains("q thoát"),
            "{w}×{h}:\n{s}"
        );
    }
    // 60×20: one pane at a time; Tab goes to the checklist of the group selected.
    f.go_to("Tổ dân phố 6");
    f.key(KeyCode::Tab);
    let s = f.screen(60, 20);
    assert!(s.contains("Tổ dân phố 6"), "{s}");
    f.select_item("CK-02");
    let slot = f.app.selected_row().unwrap().slot;
    let before = f.stored("Tổ dân phố 6", "CK-02", slot).status(Step::Biet);
    f.key(KeyCode::Char(' '));
    assert_eq!(
        f.stored("Tổ dân phố 6", "CK-02", slot).status(Step::Biet),
        before.toggled()
    );
    // Below the minimum, the refusal names it.
    let s = f.screen(59, 19);
    assert!(s.contains("60×20"), "{s}");
}

/// Issue 11 (5): long names lost their number. Added from the TUI's own form.
#[test]
fn a_group_added_with_a_long_name_keeps_its_number_on_screen() {
    let mut f = Fixture::demo();
    let long = "Tổ dân phố 15 (khu dân cư chung cư Nguyễn Trãi, đường Đinh Tiên Hoàng)";
    f.key(KeyCode::Char('a'));
    assert!(matches!(f.app.popup, Some(Popup::AddGroup(_))));
    // The branch is prefilled from the group on screen; replace it.
    for _ in 0..40 {
        f.key(KeyCode::BackTab);
        if let Some(Popup::AddGroup(a)) = &f.app.popup
            && a.sel == 0
        {
            break;
        }
    }
    f.key(KeyCode::End);
    for _ in 0..60 {
        f.key(KeyCode::Backspace);
    }
    f.typed("khu pho 9");
    f.key(KeyCode::Tab);
    f.typed(long);
    f.key(KeyCode::Tab);
    f.typed("96");
    f.key(KeyCode::Enter);
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    let g = f.svc().find_group(long).expect("stored");
    assert_eq!(g.households, 96);
    assert_eq!(f.app.sel.group, g.id, "the new group is on screen");
    for (w, h) in [(80u16, 24u16), (60, 20)] {
        f.app.focus = Pane::Tree;
        let s = f.screen(w, h);
        assert!(s.contains("TDP 15"), "{w}×{h}:\n{s}");
        assert!(!s.contains("TDP…"), "{w}×{h}:\n{s}");
    }
}

/// Issue 11 (7): the dashboard's overdue count is the report's, for the period.
#[test]
fn the_dashboard_counts_overdue_as_the_report_does() {
    use crate::service::engine::ReportOptions;
    let mut f = Fixture::demo();
    for p in [Q4, Period::Quarter(2026, 3)] {
        if f.app.period() != p {
            f.key(KeyCode::Char('['));
        }
        f.key(KeyCode::Char('d'));
        assert_eq!(f.app.screen, Screen::Dashboard);
        let r = f.svc().report_with(p, ReportOptions::default()).unwrap();
        let s = f.screen(120, 40);
        assert!(
            s.contains(&format!("Quá hạn ({})", r.overdue_count())),
            "{p}: {}\n{s}",
            r.overdue_count()
        );
        f.key(KeyCode::Char('d'));
    }
}

/// A ward created today counts nothing overdue for periods before its data.
#[test]
fn a_new_ward_shows_no_data_rather_than_overdue_for_earlier_periods() {
    let dir = scratch();
    let db = dir.path().join("new.db");
    let svc = crate::app::ward::create_ward(
        &db,
        "Phường Mới",
        crate::domain::step::StepSet::Four,
        Actor::new("tester", "tester"),
        Lang::Vi,
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    drop(svc);
    let mut f = Fixture::open(
        &db,
        &dir.path().join("s"),
        Lang::Vi,
        false,
        Theme::color(),
        None,
    );
    // The empty tree says how to add groups.
    let s = f.screen(80, 24);
    assert!(s.contains("Chưa có tổ dân phố nào"), "{s}");
    // Today is 22/11/2026: Q3 ended before the ward kept anything.
    f.key(KeyCode::Char('['));
    assert_eq!(f.app.period(), Period::Quarter(2026, 3));
    f.key(KeyCode::Char('d'));
    let s = f.screen(120, 40);
    assert!(s.contains("Chưa có dữ liệu cho kỳ này"), "{s}");
    assert!(!s.contains("Quá hạn ("), "{s}");
}

/// Issue 11 (7): "Tổ dân phố 10" right after "Tổ dân phố 1".
#[test]
fn groups_sort_by_their_numbers_in_the_tree() {
    let mut f = Fixture::demo();
    for n in [10, 11] {
        f.svc()
            .add_group(crate::service::NewGroup {
                branch: "Chi bộ Tổ dân phố 1".into(),
                name: format!("Tổ dân phố {n}"),
                households: 100,
                leader: String::new(),
                front_head: String::new(),
            })
            .unwrap();
    }
    f.runner.reload(&mut f.app);
    let s = f.screen(120, 40);
    let pos = |n: &str| s.find(n).unwrap_or_else(|| panic!("{n} missing:\n{s}"));
    assert!(pos("Tổ dân phố 1 ") < pos("Tổ dân phố 10"));
    assert!(pos("Tổ dân phố 10") < pos("Tổ dân phố 11"));
    assert!(pos("Tổ dân phố 2 ") < pos("Tổ dân phố 3 "));
}

/// `--branch` filters the tree and finds the branch without diacritics or "Chi bộ".
#[test]
fn branch_option_filters_the_tree_and_ignores_diacritics_and_prefix() {
    let f0 = Fixture::demo();
    let (db, state, dir) = f0.close();
    let mut f = Fixture::open(
        &db,
        &state,
        Lang::Vi,
        false,
        Theme::color(),
        Some("khu dan cu dong tam"),
    );
    f._dir = dir;
    assert_eq!(
        f.app.sel.group,
        f.group_id("Tổ dân phố 2"),
        "first by number"
    );
    let s = f.screen(120, 40);
    assert!(
        s.contains("Tổ dân phố 3") && !s.contains("Tổ dân phố 6"),
        "{s}"
    );
    f.key(KeyCode::Char('c'));
    assert!(f.screen(120, 40).contains("Tổ dân phố 6"), "c clears it");
}

#[test]
fn english_translates_the_values_in_the_form() {
    let mut f = Fixture::demo_with(Lang::En, false, Theme::color());
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    f.key(KeyCode::Enter);
    let s = f.screen(100, 30);
    assert!(s.contains("community meeting"), "{s}");
    assert!(!s.contains("họp cộng đồng"), "{s}");
}

#[test]
fn ascii_mode_never_draws_a_question_mark_for_a_symbol() {
    let mut f = Fixture::demo_with(Lang::Vi, true, Theme::color());
    let mut seen = Vec::new();
    seen.push(f.screen(80, 24));
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    f.key(KeyCode::Enter);
    seen.push(f.screen(80, 24));
    f.key(KeyCode::Esc);
    f.key(KeyCode::Char('d'));
    seen.push(f.screen(80, 24));
    f.key(KeyCode::Char('?'));
    seen.push(f.screen(80, 24));
    for s in &seen {
        assert!(s.is_ascii(), "{s}");
        assert!(!s.contains("??"), "{s}");
    }
    assert!(seen[1].contains("> "), "the form's pointer: {}", seen[1]);
    // The arrows of the key table, the only place they are drawn as keys.
    assert!(
        seen[3].contains("^, k") && seen[3].contains("v, j"),
        "{}",
        seen[3]
    );
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut f = Fixture::demo();
    f.render(80, 24);
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let l = crate::tui::view::main_layout(area, Pane::Tree);
    let (tree, list) = (l.tree.unwrap(), l.list.unwrap());
    let click = |col, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let before = f.app.sel.group;
    f.send(click(tree.x + 3, tree.y + 5));
    assert_ne!(f.app.sel.group, before);
    assert!(f.app.sel.is_loaded(), "the clicked group's rows");
    assert!(
        f.app
            .sel
            .rows()
            .iter()
            .all(|r| r.entry.group == f.app.sel.group)
    );
    f.send(click(list.x + 3, list.y + 4));
    assert_eq!(f.app.focus, Pane::List);
    let sel = f.app.list_sel;
    f.send(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: list.x + 3,
        row: list.y + 4,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(f.app.list_sel, sel + 3);
    f.app.opts.mouse = false;
    let g = f.app.sel.group;
    f.send(click(tree.x + 3, tree.y + 2));
    assert_eq!(f.app.sel.group, g);
}

#[test]
fn paste_goes_into_the_focused_field_as_one_line() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char('/'));
    f.send(Event::Paste("dân\nbàn".into()));
    assert_eq!(f.app.search.value(), "dân bàn");
}

#[test]
fn an_edit_patches_the_figures_and_the_dashboard_loads_the_whole_report() {
    use crate::service::engine::ReportOptions;
    let mut f = Fixture::demo();
    assert!(!f.app.data.as_ref().unwrap().detailed);
    f.key(KeyCode::Down);
    f.key(KeyCode::Down);
    let group = f.app.sel.group;
    assert!(f.app.sel.rows().iter().all(|r| r.entry.group == group));
    f.key(KeyCode::Tab);
    for _ in 0..3 {
        f.key(KeyCode::Char(' '));
        f.key(KeyCode::Down);
    }
    let fresh = f.svc().report_with(Q4, ReportOptions::figures()).unwrap();
    let patched = &f.app.data.as_ref().unwrap().report;
    assert_eq!(patched.branches, fresh.branches);
    assert_eq!(patched.ward_level, fresh.ward_level);
    assert_eq!(
        (&patched.completion, &patched.by_pillar, &patched.by_step),
        (&fresh.completion, &fresh.by_pillar, &fresh.by_step)
    );
    let cmd = f.app.handle_event(&key(KeyCode::Char('d')));
    assert_eq!(cmd, Some(Cmd::LoadDetail));
    f.runner.perform(&mut f.app, cmd.unwrap());
    let s = f.app.data.as_ref().unwrap();
    assert!(s.detailed && !s.report.sections.is_empty() && !s.report.trend.is_empty());
    f.key(KeyCode::Char('d'));
    assert_eq!(f.app.handle_event(&key(KeyCode::Char('d'))), None);
}

/// The dashboard's lists scroll, and Enter opens the row's group on that item.
#[test]
fn the_dashboard_lists_scroll_and_open_the_item() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('['));
    f.key(KeyCode::Char('d'));
    let rows: Vec<(String, String)> = f
        .app
        .dash_overdue()
        .iter()
        .map(|o| (o.group.clone(), o.item.clone()))
        .collect();
    assert!(rows.len() > 10, "the demo's Q3 has many overdue rows");
    for _ in 0..7 {
        f.key(KeyCode::Down);
    }
    assert_eq!(f.app.dash.overdue, 7);
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Main);
    let (g, item) = &rows[7];
    let gid = f.svc().find_group(g).map(|x| x.id).unwrap_or(WARD_GROUP);
    assert_eq!(f.app.sel.group, gid);
    assert_eq!(&f.app.selected_row().expect("row").item.code, item);
}

/// Issue 13: the agenda opens on `D`, soonest first; `Enter` on a line opens that
/// group's checklist on that item and period, and a tick writes that very entry.
#[test]
fn the_agenda_opens_the_item_of_a_line_and_a_tick_writes_it() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('D'));
    assert_eq!(f.app.screen, Screen::Agenda);
    let rows = f.app.agenda.clone().expect("loaded");
    assert!(rows.len() > 3);
    assert!(
        rows.windows(2).all(|w| w[0].date <= w[1].date),
        "soonest first"
    );
    f.key(KeyCode::Down);
    f.key(KeyCode::Down);
    let want = rows[2].clone();
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Main);
    assert_eq!(f.app.sel.group, want.group_id);
    let row = f.app.selected_row().expect("row").clone();
    assert_eq!(row.item.code, want.item);
    assert_eq!(row.slot, want.period);
    f.key(KeyCode::Char(' '));
    let log = f.svc().history(Default::default()).unwrap();
    assert_eq!(log[0].item, want.item);
    assert_eq!(log[0].period, want.period.to_string());
    assert_eq!(log[0].group, want.group_id);
}

/// Issue 13: `r` on an item that arises registers its next occurrence (today), the
/// ones before kept; on a regular item it is refused and nothing is written.
#[test]
fn r_registers_a_further_occurrence_and_refuses_a_regular_item() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("CK-01");
    let before = f.svc().history(Default::default()).unwrap().len();
    f.key(KeyCode::Char('r'));
    assert_eq!(f.svc().history(Default::default()).unwrap().len(), before);
    f.select_item("BQ-01");
    let group = f.app.sel.group;
    let slot = f.app.selected_row().unwrap().slot;
    f.key(KeyCode::Char('r'));
    let rows = f.svc().checklist(group, slot).unwrap();
    let bq: Vec<_> = rows.iter().filter(|r| r.item.code == "BQ-01").collect();
    assert_eq!(
        bq.len(),
        2,
        "{:?}",
        bq.iter().map(|r| &r.entry.item).collect::<Vec<_>>()
    );
    assert_eq!(bq[1].entry.item, "BQ-01#2");
    assert_eq!(bq[1].entry.version, 1);
    assert_eq!(
        bq[1].entry.evidence.occurred,
        Some(f.app.data.as_ref().unwrap().report.today)
    );
    assert!(bq[0].entry.version > 0, "the first is kept");
    // The new row is on screen.
    assert!(f.app.sel.rows().iter().any(|r| r.entry.item == "BQ-01#2"));
}

#[test]
fn quick_filters_and_period_switching() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char('n'));
    assert!(
        f.app
            .visible_rows()
            .iter()
            .all(|r| !r.completion.is_complete())
    );
    f.key(KeyCode::Char('c'));
    f.key(KeyCode::Char('['));
    assert_eq!(f.app.period(), Period::Quarter(2026, 3));
    assert!(
        f.app
            .sel
            .rows()
            .iter()
            .all(|r| crate::tui::screens::dashboard::period_within(r.slot, Period::Year(2026)))
    );
    f.key(KeyCode::Char('o'));
    assert!(f.app.visible_rows().iter().all(|r| r.overdue));
    f.key(KeyCode::Char('p'));
    assert!(matches!(f.app.popup, Some(Popup::Period { .. })));
    f.key(KeyCode::Down);
    f.key(KeyCode::Enter);
    assert_eq!(f.app.period(), Q4);
}

/// In a half-year view a quarterly item shows once per quarter, each labelled.
#[test]
fn quarterly_items_in_a_half_year_view_carry_their_quarter() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('p'));
    if let Some(Popup::Period { options, .. }) = &f.app.popup {
        let i = options
            .iter()
            .position(|p| *p == Period::Half(2026, 2))
            .unwrap();
        f.app.popup = Some(Popup::Period {
            options: options.clone(),
            sel: i,
        });
    }
    f.key(KeyCode::Enter);
    assert_eq!(f.app.period(), Period::Half(2026, 2));
    f.key(KeyCode::Tab);
    let s = f.screen(120, 40);
    assert!(s.contains("[Q3]") && s.contains("[Q4]"), "{s}");
}

#[test]
fn first_run_creates_a_ward_and_says_how_to_add_groups() {
    let dir = scratch();
    let db = dir.path().join("new.db");
    let l = launch(&db, Lang::Vi, false);
    let mut app = App::new(
        opts(Lang::Vi, false),
        Keymap::default(),
        Theme::color(),
        "tester".into(),
        Period::Quarter(2026, 4),
    );
    let runner = prepare(&l, &mut app, None, Some(dir.path().join("s"))).unwrap();
    let mut f = Fixture {
        app,
        runner,
        db: db.clone(),
        state: dir.path().join("s"),
        _dir: Some(dir),
    };
    assert!(matches!(f.app.screen, Screen::FirstRun(None)));
    f.key(KeyCode::Char('2'));
    f.key(KeyCode::Enter);
    assert!(
        f.app.status.as_ref().is_some_and(|s| s.error),
        "empty name refused"
    );
    f.typed("Phường Bến Thành");
    f.key(KeyCode::Tab);
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Main);
    let d = f.app.data.as_ref().unwrap();
    assert_eq!(d.ward.name, "Phường Bến Thành");
    assert_eq!(d.ward.steps.count(), 6);
    assert!(f.screen(80, 24).contains("Chưa có tổ dân phố nào"));
}

#[test]
fn who_is_working_prompt_logs_in_a_member_with_a_pin() {
    let dir = scratch();
    let db = dir.path().join("demo.db");
    let boot = crate::app::ward::create_demo(&db, Actor::new("Nguyễn Thị Lan", "setup"), Lang::Vi)
        .unwrap_or_else(|f| panic!("{}", f.message));
    use crate::domain::member::Role;
    use crate::service::NewMember;
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
        .with_today(date::parse(TODAY).unwrap());
    let mut l = launch(&db, Lang::Vi, false);
    l.actor = Actor::new("office", "office");
    let mut app = App::new(
        opts(Lang::Vi, false),
        Keymap::default(),
        Theme::color(),
        "office".into(),
        Period::Quarter(2026, 4),
    );
    let runner = prepare(
        &l,
        &mut app,
        Some(Box::new(svc)),
        Some(dir.path().join("s")),
    )
    .unwrap();
    let mut f = Fixture {
        app,
        runner,
        db,
        state: dir.path().join("s"),
        _dir: Some(dir),
    };
    assert!(matches!(f.app.popup, Some(Popup::Login(_))));
    f.key(KeyCode::Enter);
    f.typed("1111");
    f.key(KeyCode::Enter);
    assert!(matches!(f.app.popup, Some(Popup::Login(_))));
    assert!(f.app.status.as_ref().is_some_and(|s| s.error));
    f.key(KeyCode::Enter);
    f.typed("2468");
    f.key(KeyCode::Enter);
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    assert_eq!(f.app.actor, "Lê Thị Hoa (office)");
    // The group leader may edit their own group and nothing else.
    f.go_to("Tổ dân phố 1");
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char(' '));
    assert!(
        f.app.status.as_ref().is_some_and(|s| !s.error),
        "{:?}",
        f.app.status
    );
    assert_eq!(f.log(1)[0].actor.member, "Lê Thị Hoa");
    f.go_to("Tổ dân phố 2");
    f.key(KeyCode::Tab);
    f.key(KeyCode::Char(' '));
    assert!(f.app.status.as_ref().is_some_and(|s| s.error), "not hers");
    let _ = StepStatus::Done;
}

fn settings_popup(f: &Fixture) -> &crate::tui::screens::settings::SettingsEdit {
    match &f.app.popup {
        Some(Popup::Settings(e)) => e,
        other => panic!("no settings popup: {other:?}"),
    }
}

fn select_setting(f: &mut Fixture, key: &str) {
    let i = crate::domain::settings::DocSettings::KEYS
        .iter()
        .position(|k| *k == key)
        .expect("a setting");
    f.key(KeyCode::Home);
    for _ in 0..i {
        f.key(KeyCode::Down);
    }
}

/// Issue 14: `S`, a setting typed on one line, stored (recipients split on ';'), read
/// back through the service, audited; "Đã lưu" only once stored.
#[test]
fn document_settings_typed_in_the_popup_are_stored_and_read_back() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('S'));
    assert_eq!(settings_popup(&f).stored, f.svc().doc_settings().unwrap());
    let t = f.render(80, 24);
    insta::assert_snapshot!("settings_80x24", t.backend());
    select_setting(&mut f, "place");
    f.key(KeyCode::Enter);
    f.typed("Thanh Tâm");
    f.key(KeyCode::Enter);
    assert_eq!(f.svc().doc_settings().unwrap().place, "Thanh Tâm");
    let st = f.app.status.clone().expect("a status");
    assert!(st.text.starts_with("Đã lưu") && !st.error, "{st:?}");
    assert_eq!(settings_popup(&f).stored.place, "Thanh Tâm");
    assert!(settings_popup(&f).input.is_none());
    assert_eq!(f.log(1)[0].actor.member, "tester");

    // Recipients: one line, ';' between them (a name holds a comma).
    select_setting(&mut f, "recipients");
    f.key(KeyCode::Enter);
    for _ in 0..200 {
        f.key(KeyCode::Backspace);
    }
    f.typed("Ban Thường vụ Tỉnh ủy, Ban Dân vận; Lưu VP");
    f.send(ctrl('s'));
    assert_eq!(
        f.svc().doc_settings().unwrap().recipients,
        ["Ban Thường vụ Tỉnh ủy, Ban Dân vận", "Lưu VP"]
    );

    // A bad style: the reason in the popup and the status line, nothing changed.
    let before = f.svc().doc_settings().unwrap();
    select_setting(&mut f, "style");
    f.key(KeyCode::Enter);
    for _ in 0..10 {
        f.key(KeyCode::Backspace);
    }
    f.typed("kingdom");
    f.key(KeyCode::Enter);
    let st = f.app.status.clone().expect("a status");
    assert!(st.error && st.text.contains("party"), "{st:?}");
    assert!(
        settings_popup(&f)
            .error
            .as_deref()
            .is_some_and(|e| e.contains("party"))
    );
    assert!(settings_popup(&f).input.is_some(), "still editing");
    assert_eq!(f.svc().doc_settings().unwrap(), before);
    let t = f.render(80, 24);
    insta::assert_snapshot!("settings_refused_80x24", t.backend());
    f.key(KeyCode::Esc);
    f.key(KeyCode::Esc);
    assert!(f.app.popup.is_none());
}

/// Only a ward administrator sets the document settings: a viewer's save is refused
/// by the service (Forbidden), said in the popup, and nothing is stored.
#[test]
fn a_viewer_cannot_change_the_document_settings() {
    use crate::domain::member::Role;
    use crate::service::NewMember;
    let mut f = Fixture::demo();
    let m = |name: &str, role| NewMember {
        name: name.into(),
        role,
        branches: vec![],
        groups: vec![],
        unix_user: None,
        pin: None,
    };
    f.svc().add_member(m("Quản trị", Role::Admin)).unwrap();
    f.svc().login("Quản trị", None).unwrap();
    f.svc().add_member(m("Người xem", Role::Viewer)).unwrap();
    f.svc().login("Người xem", None).unwrap();
    let before = f.svc().doc_settings().unwrap();
    f.key(KeyCode::Char('S'));
    select_setting(&mut f, "number");
    f.key(KeyCode::Enter);
    f.typed("70-BC/ĐU");
    f.key(KeyCode::Enter);
    let st = f.app.status.clone().expect("a status");
    assert!(st.error && st.text.contains("quản trị"), "{st:?}");
    assert!(
        settings_popup(&f)
            .error
            .as_deref()
            .is_some_and(|e| e.contains("quản trị"))
    );
    assert_eq!(f.svc().doc_settings().unwrap(), before);
}

/// The text of a .docx's word/document.xml, tags left out.
fn docx_text(path: &Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Issue 14: Ctrl+P on a checklist row and in the entry form writes the item's minutes
/// from the stored evidence (the meeting's of a vote under Điều 21 Luật 10/2022/QH15;
/// the posting's two of a niêm yết, Điều 13 khoản 2), whole, named in ASCII, and the
/// status line gives the full path.
#[test]
fn ctrl_p_writes_the_minutes_of_an_entry_into_the_documents_folder() {
    let mut f = Fixture::demo();
    let docs = scratch();
    f.runner.docs_dir = Some(docs.path().to_path_buf());
    f.go_to("Tổ dân phố 1");
    f.select_item("BQ-01");
    f.send(ctrl('p'));
    let hop = docs
        .path()
        .join("bien-ban-hop-BQ-01-to-dan-pho-1-2026.docx");
    let st = f.app.status.clone().expect("a status");
    assert!(
        !st.error && st.text.contains(&hop.display().to_string()),
        "{st:?}"
    );
    let text = docx_text(&hop);
    let vote = f
        .stored("Tổ dân phố 1", "BQ-01", Period::Year(2026))
        .evidence
        .vote
        .expect("the demo's vote");
    for want in [
        "TỔ DÂN PHỐ 1".to_string(),
        format!("Tổng số hộ gia đình của Tổ dân phố 1: {}", vote.total),
        format!("Số hộ gia đình tán thành: {}/{}", vote.agree, vote.total),
    ] {
        assert!(text.contains(&want), "{want:?} missing:\n{text}");
    }
    let title = f
        .svc()
        .template()
        .unwrap()
        .get("BQ-01")
        .unwrap()
        .title
        .clone();
    let first_word = title.split_whitespace().nth(1).unwrap_or("").to_lowercase();
    assert!(
        text.to_lowercase().contains(&first_word),
        "{title}:\n{text}"
    );

    // In the entry form of a posting: its two records. Nothing else is in the folder
    // (no temporary file left behind).
    f.select_item("CK-01");
    f.key(KeyCode::Enter);
    let slot = f.form().base.period.to_string();
    f.send(ctrl('p'));
    let st = f.app.status.clone().expect("a status");
    assert!(!st.error, "{st:?}");
    for kind in ["niem-yet", "ket-thuc-niem-yet"] {
        let p = docs
            .path()
            .join(format!("bien-ban-{kind}-CK-01-to-dan-pho-1-{slot}.docx"));
        assert!(st.text.contains(&p.display().to_string()), "{st:?}");
        let text = docx_text(&p);
        assert!(
            text.contains("TỔ DÂN PHỐ 1") && text.contains("CK-01"),
            "{text}"
        );
    }
    assert_eq!(std::fs::read_dir(docs.path()).unwrap().count(), 3);

    // An edited form is saved first: the record says only what is stored.
    f.fill(Field::Note, "đổi");
    f.send(ctrl('p'));
    let st = f.app.status.clone().expect("a status");
    assert!(st.error && st.text.contains("Ctrl+S"), "{st:?}");
    assert_eq!(std::fs::read_dir(docs.path()).unwrap().count(), 3);
}

/// Issue 13: on the agenda, `m` records the selected law deadline done today — here
/// Tổ dân phố 4's BQ-02 decision of 08/02/2026, late at UBND since 13/02 (Điều 20
/// khoản 3 Luật 10/2022/QH15: five working days). The status line speaks after the
/// save, the STORED entry keeps it, the line leaves the agenda; `u` takes it back there
/// at once. A period's end cannot be recorded done: said, nothing written.
#[test]
fn m_on_the_agenda_records_send_result_done_and_u_undoes_it_dieu_20_khoan_3() {
    use crate::domain::entry::{DeadlineCode, DeadlineMet};
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('D'));
    let rows = f.app.agenda.clone().expect("loaded");
    let g4 = f.group_id("Tổ dân phố 4");
    let is_it = |r: &crate::service::agenda::AgendaRow| {
        r.group_id == g4 && r.key == "BQ-02" && r.code == DeadlineCode::SendResult
    };
    let at = rows
        .iter()
        .position(is_it)
        .expect("BQ-02's sending is late");
    assert!(rows[at].late);
    // A period's end first: refused in the status line, nothing written.
    let end = rows
        .iter()
        .position(|r| r.code == DeadlineCode::PeriodEnd)
        .expect("a period ended with steps left");
    let before = f.log(1)[0].seq;
    f.app.agenda_sel = end;
    f.key(KeyCode::Char('m'));
    let st = f.app.status.clone().expect("said");
    assert!(st.error && st.text.contains("Hạn hết kỳ"), "{st:?}");
    assert_eq!(f.log(1)[0].seq, before);
    // Now the sending.
    f.app.agenda_sel = at;
    let version = f
        .stored("Tổ dân phố 4", "BQ-02", Period::Year(2026))
        .version;
    f.key(KeyCode::Char('m'));
    let st = f.app.status.clone().expect("said");
    assert!(!st.error && st.text.contains("Đã ghi đã làm"), "{st:?}");
    let e = f.stored("Tổ dân phố 4", "BQ-02", Period::Year(2026));
    assert_eq!(
        e.evidence.met,
        vec![DeadlineMet {
            code: DeadlineCode::SendResult,
            date: date::parse(TODAY).unwrap()
        }]
    );
    assert_eq!(e.version, version + 1);
    let rec = &f.log(1)[0];
    assert_eq!((rec.group, rec.item.as_str()), (g4, "BQ-02"));
    assert_eq!(rec.changes[0].field, "met");
    assert_eq!(f.app.screen, Screen::Agenda);
    let now = f.app.agenda.clone().expect("reloaded");
    assert!(!now.iter().any(is_it), "recorded done: off the agenda");
    assert_eq!(now.len(), rows.len() - 1);
    // `u` on the agenda: undone at once (no question), the line back, late again.
    f.key(KeyCode::Char('u'));
    assert!(f.app.popup.is_none(), "{:?}", f.app.popup);
    let e = f.stored("Tổ dân phố 4", "BQ-02", Period::Year(2026));
    assert!(e.evidence.met.is_empty());
    let back = f.app.agenda.clone().expect("reloaded");
    assert!(back.iter().any(|r| is_it(r) && r.late));
    assert_eq!(back.len(), rows.len());
}

/// Issue 13: the checklist's pillar headings count as the report does — an item that
/// arises and was not registered is listed (to be registered) but is no duty — so the
/// group's pillar percentages on screen are the report's for that group and period.
#[test]
fn the_checklist_pillar_headings_are_the_reports_for_the_group() {
    use crate::service::engine::ReportOptions;
    use crate::tui::view::pct_text;
    let mut f = Fixture::demo();
    let r = f
        .svc()
        .report_with(f.app.period(), ReportOptions::default())
        .unwrap();
    let gid = f.app.sel.group;
    let g = r
        .branches
        .iter()
        .flat_map(|b| &b.groups)
        .find(|g| g.id == gid)
        .expect("the group on screen is in the report");
    let s = f.screen(120, 60);
    for p in &g.by_pillar {
        let want = format!(
            "── {} {}",
            p.name,
            pct_text(p.completion.completion()).trim()
        );
        assert!(s.contains(&want), "{want}\n{s}");
    }
}

/// Issue 13 (NĐ 59/2023 Điều 9 khoản 3): in the form of "bầu, cho thôi làm Tổ trưởng"
/// the cadre says the meeting removed the tổ trưởng; saved, the stored entry is a
/// removal and carries the 60 days to the new election.
#[test]
fn the_form_records_a_removal_and_its_new_election_deadline() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Tab);
    f.select_item("BQ-04");
    f.key(KeyCode::Enter);
    let i = f
        .form()
        .fields
        .iter()
        .position(|x| *x == Field::Removal)
        .expect("a removal choice in the form of Điều 15 khoản 4");
    for _ in 0..40 {
        if f.form().sel == i {
            break;
        }
        f.key(KeyCode::Tab);
    }
    f.key(KeyCode::Char(' '));
    assert!(f.form().removal);
    assert!(
        f.screen(80, 24).contains("Cho thôi"),
        "{}",
        f.screen(80, 24)
    );
    f.fill(Field::MeetingDate, "02/03/2026");
    f.fill(Field::Present, "200");
    f.fill(Field::Agree, "180");
    f.send(ctrl('s'));
    assert!(f.app.popup.is_none(), "{:?}", f.app.status);
    let slot = f.app.selected_row().unwrap().slot;
    let e = f.stored("Tổ dân phố 4", "BQ-04", slot);
    assert!(e.evidence.removal, "stored as a removal");
    let item = f.svc().template().unwrap().get("BQ-04").cloned().unwrap();
    let d = e
        .deadlines(&item)
        .into_iter()
        .find(|d| d.code == crate::domain::entry::DeadlineCode::Reelect)
        .expect("the new election's deadline");
    assert_eq!(d.date, crate::domain::date::parse("2026-05-01").unwrap());
    // An item that is no election has no such choice.
    f.key(KeyCode::Esc);
    f.select_item("BQ-01");
    f.key(KeyCode::Enter);
    assert!(!f.form().fields.contains(&Field::Removal));
}
