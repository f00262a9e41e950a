//! Issue 14 in the TUI: the figures of the group on screen (`F`) and the period's
//! narrative in a multi-line editor (`N`) — what was typed is what was STORED.

use super::*;
use crate::domain::ward::WARD_GROUP;

macro_rules! snap {
    ($name:expr, $f:expr, $w:expr, $h:expr) => {{
        let t = $f.render($w, $h);
        insta::assert_snapshot!(format!("{}_{}x{}", $name, $w, $h), t.backend());
    }};
}

fn stored(f: &Fixture, group: GroupId, code: &str) -> Option<u64> {
    f.svc()
        .figure_values(Some(Period::Quarter(2026, 4)))
        .expect("figures")
        .into_iter()
        .find(|v| v.group == group && v.code == code)
        .map(|v| v.value)
}

fn figures(f: &Fixture) -> &crate::tui::screens::figures::FiguresEdit {
    match &f.app.popup {
        Some(Popup::Figures(e)) => e,
        other => panic!("no figures popup: {other:?}"),
    }
}

fn select_figure(f: &mut Fixture, code: &str) {
    let i = figures(f)
        .rows
        .iter()
        .position(|(x, _)| x.code == code)
        .expect("figure");
    f.key(KeyCode::Home);
    for _ in 0..i {
        f.key(KeyCode::Down);
    }
}

#[test]
fn figures_typed_in_the_popup_are_stored_audited_and_undone() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    let g = f.group_id("Tổ dân phố 4");
    f.key(KeyCode::Char('F'));
    assert_eq!(figures(&f).group, g);
    select_figure(&mut f, "DG-01");
    // A digit starts the value; thousands as Vietnamese write them.
    f.typed("2.500.000");
    f.key(KeyCode::Enter);
    assert_eq!(stored(&f, g, "DG-01"), Some(2_500_000));
    let st = f.app.status.clone().expect("a status");
    assert!(st.text.starts_with("Đã lưu"), "{st:?}");
    assert_eq!(
        figures(&f)
            .rows
            .iter()
            .find(|(x, _)| x.code == "DG-01")
            .unwrap()
            .1,
        Some(2_500_000)
    );
    let rec = &f.log(1)[0];
    assert_eq!(
        (rec.action.as_str(), rec.item.as_str()),
        ("figure", "figure:DG-01")
    );
    assert_eq!(rec.actor.member, "tester");

    // A bad value: said why, nothing stored, still editing.
    select_figure(&mut f, "DON-01");
    f.key(KeyCode::Enter);
    f.typed("-3");
    f.key(KeyCode::Enter);
    let st = f.app.status.clone().expect("a status");
    assert!(st.error && st.text.contains("không hợp lệ"), "{st:?}");
    assert_eq!(stored(&f, g, "DON-01"), None);
    assert!(figures(&f).input.is_some());
    // Esc leaves the value, a second Esc the popup.
    f.key(KeyCode::Esc);
    assert!(figures(&f).input.is_none());
    // Only key presses count: a release does nothing.
    f.send(Event::Key(KeyEvent {
        code: KeyCode::Char('7'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    }));
    assert!(figures(&f).input.is_none());
    f.key(KeyCode::Char('7'));
    f.key(KeyCode::Enter);
    assert_eq!(stored(&f, g, "DON-01"), Some(7));
    // Delete removes it: no data, not 0.
    f.key(KeyCode::Delete);
    assert_eq!(stored(&f, g, "DON-01"), None);
    f.key(KeyCode::Esc);
    assert!(f.app.popup.is_none());

    // `u` undoes the last change (the removal), after asking: it is not on screen.
    f.key(KeyCode::Char('u'));
    assert!(matches!(f.app.popup, Some(Popup::ConfirmUndo(_))));
    f.key(KeyCode::Char('c'));
    assert_eq!(stored(&f, g, "DON-01"), Some(7));
    assert_eq!(f.log(1)[0].action, "undo");
}

#[test]
fn the_ward_records_its_own_figures_and_only_per_quarter() {
    let mut f = Fixture::demo();
    f.app.sel.group = WARD_GROUP;
    f.key(KeyCode::Char('F'));
    select_figure(&mut f, "HU-01");
    f.typed("2");
    f.key(KeyCode::Enter);
    assert_eq!(stored(&f, WARD_GROUP, "HU-01"), Some(2));
    f.key(KeyCode::Esc);
    // A year on screen: refused with the reason, no popup.
    f.app.sel.period = Period::Year(2026);
    f.key(KeyCode::Char('F'));
    assert!(f.app.popup.is_none());
    let st = f.app.status.clone().expect("a status");
    assert!(st.text.contains("theo quý"), "{st:?}");
}

#[test]
fn the_narrative_editor_stores_each_changed_section_in_nfc() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('N'));
    assert!(matches!(f.app.popup, Some(Popup::Narrative(_))));
    // Decomposed Vietnamese (as some input methods send it), two lines.
    f.typed("Các tổ niêm ye\u{302}\u{301}t đủ");
    f.key(KeyCode::Enter);
    f.typed("Số hộ dự họp tăng");
    f.key(KeyCode::Backspace);
    f.typed("g.");
    // The fourth section.
    f.key(KeyCode::BackTab);
    f.send(Event::Paste("Đề nghị\r\nhỗ trợ kinh phí".into()));
    // Esc with changes unsaved: asked, nothing lost.
    f.key(KeyCode::Esc);
    assert!(matches!(f.app.popup, Some(Popup::Narrative(_))));
    f.send(ctrl('s'));
    let n = f
        .svc()
        .narrative(Period::Quarter(2026, 4))
        .expect("narrative");
    assert_eq!(
        n.get("danh-gia"),
        Some("Các tổ niêm yết đủ\nSố hộ dự họp tăng.")
    );
    assert_eq!(n.get("kien-nghi"), Some("Đề nghị\nhỗ trợ kinh phí"));
    assert_eq!(n.get("han-che"), None);
    assert!(f.app.status.clone().unwrap().text.starts_with("Đã lưu"));
    let rec = &f.log(1)[0];
    assert_eq!(rec.action, "narrative");
    // Saved: Esc closes at once.
    f.key(KeyCode::Esc);
    assert!(f.app.popup.is_none());
    // Opened again, it shows what was stored; a second Esc drops an edit.
    f.key(KeyCode::Char('N'));
    f.key(KeyCode::End);
    f.typed(" Thêm");
    f.key(KeyCode::Esc);
    f.key(KeyCode::Esc);
    assert!(f.app.popup.is_none());
    let n2 = f
        .svc()
        .narrative(Period::Quarter(2026, 4))
        .expect("narrative");
    assert_eq!(n2, n);
}

#[test]
fn snapshot_figures_and_narrative() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Char('F'));
    select_figure(&mut f, "DON-01");
    f.typed("12");
    f.key(KeyCode::Enter);
    f.key(KeyCode::Down);
    f.typed("1.000");
    f.app.status = None;
    snap!("figures", f, 80, 24);
    f.key(KeyCode::Esc);
    f.key(KeyCode::Esc);
    f.key(KeyCode::Char('N'));
    f.typed("Các tổ dân phố niêm yết đầy đủ, đúng thời hạn; số hộ dự họp tăng so với quý trước, nhất là ở các tổ mới sáp nhập.");
    f.key(KeyCode::Enter);
    f.typed("Còn hai tổ chưa họp.");
    f.app.status = None;
    snap!("narrative", f, 80, 24);
}
