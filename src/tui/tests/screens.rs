//! Snapshots of every screen and popup at 80×24 (and the compact sizes), on the demo
//! ward. Snapshots do not hold colour; where style matters it is asserted on the buffer.

use super::*;
use crate::tui::app::{Pane, Screen};
use crate::tui::form::Field;
use ratatui::style::Modifier;

macro_rules! snap {
    ($name:expr, $f:expr, $w:expr, $h:expr) => {{
        let t = $f.render($w, $h);
        insta::assert_snapshot!(format!("{}_{}x{}", $name, $w, $h), t.backend());
    }};
}

/// A screen at 80×24 (the size that must always work) and 120×40.
fn both_sizes(name: &str, mut setup: impl FnMut(&mut Fixture)) {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut f = Fixture::demo();
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
        f.key(KeyCode::Down);
        f.key(KeyCode::Down);
        f.key(KeyCode::Tab);
        f.key(KeyCode::Right);
    });
}

#[test]
fn snapshot_compact_sizes() {
    for (w, h) in [(80u16, 23u16), (60, 20)] {
        let mut f = Fixture::demo();
        f.send(Event::Resize(w, h));
        snap!("main_tree", f, w, h);
        f.key(KeyCode::Tab);
        snap!("main_list", f, w, h);
        f.key(KeyCode::Enter);
        snap!("form", f, w, h);
    }
}

#[test]
fn snapshot_dashboard() {
    both_sizes("dashboard", |f| f.key(KeyCode::Char('d')));
    let mut f = Fixture::demo();
    f.send(Event::Resize(60, 20));
    f.key(KeyCode::Char('d'));
    snap!("dashboard", f, 60, 20);
}

/// The agenda (issue 13): what falls due in 30 days and what is late, soonest first.
#[test]
fn snapshot_agenda() {
    both_sizes("agenda", |f| f.key(KeyCode::Char('D')));
}

#[test]
fn snapshot_entry_forms() {
    both_sizes("form", |f| {
        f.key(KeyCode::Tab);
        f.key(KeyCode::Char('/'));
        f.typed("muc dong gop");
        f.key(KeyCode::Enter);
        f.key(KeyCode::Enter);
    });
    // An item without a vote: no vote fields.
    both_sizes("form_posting", |f| {
        f.key(KeyCode::Tab);
        f.select_item("CK-01");
        f.key(KeyCode::Enter);
    });
    // A refused save: the field is marked and the form says it.
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("BQ-01");
    f.key(KeyCode::Enter);
    f.fill(Field::MeetingDate, "31/02/2026");
    f.fill(Field::Present, "400");
    f.send(ctrl('s'));
    snap!("form_refused", f, 80, 24);
    // The tallest form at 80×24 keeps its field under the cursor and its keys in view.
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.select_item("BQ-03");
    f.key(KeyCode::Enter);
    for _ in 0..11 {
        f.key(KeyCode::Tab);
    }
    snap!("form_scrolled", f, 80, 24);
}

#[test]
fn snapshot_help() {
    both_sizes("help", |f| f.key(KeyCode::Char('?')));
    let mut f = Fixture::demo();
    f.key(KeyCode::Char('?'));
    for _ in 0..40 {
        f.key(KeyCode::Down);
    }
    snap!("help_end", f, 80, 24);
}

#[test]
fn snapshot_period_picker() {
    both_sizes("period", |f| f.key(KeyCode::Char('p')));
}

#[test]
fn snapshot_history() {
    both_sizes("history", |f| {
        f.key(KeyCode::Tab);
        f.key(KeyCode::Char(' '));
        f.key(KeyCode::Char('H'));
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
        f.key(KeyCode::Char('['));
        f.key(KeyCode::Tab);
        f.key(KeyCode::Char('o'));
    });
}

#[test]
fn snapshot_confirm_quit_and_drafts() {
    both_sizes("confirm_quit", |f| {
        f.key(KeyCode::Tab);
        f.key(KeyCode::Enter);
        f.key(KeyCode::Char(' '));
        f.key(KeyCode::Esc);
        f.key(KeyCode::Char('q'));
    });
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    f.key(KeyCode::Enter);
    f.key(KeyCode::Char(' '));
    f.key(KeyCode::Esc);
    let (db, state, dir) = f.close();
    let mut g = Fixture::open(&db, &state, Lang::Vi, false, Theme::color(), None);
    g._dir = dir;
    snap!("drafts_offered", g, 80, 24);
}

#[test]
fn snapshot_confirm_undo() {
    let mut f = Fixture::demo();
    f.go_to("Tổ dân phố 4");
    f.key(KeyCode::Tab);
    f.select_item("CK-02");
    f.key(KeyCode::Char(' '));
    f.go_to("Tổ dân phố 5");
    f.key(KeyCode::Char('u'));
    if let Some(Popup::ConfirmUndo(p)) = &mut f.app.popup {
        p.record.at_ms = 0;
    }
    snap!("confirm_undo", f, 80, 24);
}

#[test]
fn snapshot_add_group_and_empty_ward() {
    both_sizes("add_group", |f| {
        f.key(KeyCode::Char('a'));
        f.typed("Tổ dân phố 9");
    });
}

#[test]
fn snapshot_english_and_ascii() {
    for (w, h) in [(80u16, 24u16), (60, 20)] {
        let mut f = Fixture::demo_with(Lang::En, false, Theme::color());
        snap!("main_en", f, w, h);
        f.key(KeyCode::Tab);
        f.select_item("BQ-01");
        f.key(KeyCode::Enter);
        snap!("form_en", f, w, h);
        let mut f = Fixture::demo_with(Lang::Vi, true, Theme::color());
        snap!("main_ascii", f, w, h);
        f.key(KeyCode::Tab);
        f.select_item("BQ-01");
        f.key(KeyCode::Enter);
        snap!("form_ascii", f, w, h);
    }
}

#[test]
fn snapshot_first_run_and_too_small() {
    for (w, h) in [(80u16, 24u16), (60, 20)] {
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
        let _ = app.handle_event(&key(KeyCode::Char('2')));
        for c in "Phường Bến Thành".chars() {
            let _ = app.handle_event(&key(KeyCode::Char(c)));
        }
        t.draw(|fr| fr.render_widget(&app, fr.area())).unwrap();
        insta::assert_snapshot!(format!("first_run_create_{w}x{h}"), t.backend());
    }
    let mut f = Fixture::demo();
    snap!("too_small", f, 59, 19);
}

#[test]
fn snapshot_who_is_working() {
    let dir = scratch();
    let db = dir.path().join("demo.db");
    let boot = crate::app::ward::create_demo(&db, Actor::new("Lan", "setup"), Lang::Vi)
        .unwrap_or_else(|f| panic!("{}", f.message));
    use crate::domain::member::Role;
    boot.add_member(crate::service::NewMember {
        name: "Nguyễn Thị Lan".into(),
        role: Role::Admin,
        branches: vec![],
        groups: vec![],
        unix_user: None,
        pin: Some("1234".into()),
    })
    .unwrap();
    drop(boot);
    let store = crate::store::Store::reopen(&db).unwrap();
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
    snap!("who_is_working", f, 80, 24);
}

// ---- styles, which snapshots do not see ----------------------------------------------

#[test]
fn rendering_into_any_size_never_panics() {
    let mut f = Fixture::demo();
    let sizes = [
        (0, 0),
        (1, 1),
        (2, 1),
        (20, 5),
        (59, 20),
        (60, 19),
        (60, 20),
        (79, 24),
        (80, 23),
        (80, 24),
        (200, 60),
    ];
    for (w, h) in sizes {
        f.render(w, h);
    }
    f.key(KeyCode::Tab);
    f.key(KeyCode::Enter);
    for (w, h) in sizes {
        f.render(w, h);
    }
    f.key(KeyCode::Esc);
    f.key(KeyCode::Char('d'));
    for (w, h) in sizes {
        f.render(w, h);
    }
    f.key(KeyCode::Char('?'));
    for (w, h) in sizes {
        f.render(w, h);
    }
}

#[test]
fn no_color_selection_is_reverse_video() {
    let mut f = Fixture::demo_with(Lang::Vi, false, Theme::mono());
    let t = f.render(80, 24);
    let buf = t.backend().buffer();
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let tree = crate::tui::view::main_layout(area, Pane::Tree)
        .tree
        .unwrap();
    let y = tree.y + 1 + f.app.tree_sel_line() as u16;
    let cell = &buf[(tree.x + 3, y)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    assert_eq!(cell.fg, ratatui::style::Color::Reset);
}

#[test]
fn done_steps_are_green_and_the_text_cursor_is_drawn() {
    let mut f = Fixture::demo();
    f.key(KeyCode::Tab);
    let t = f.render(120, 40);
    let found = t
        .backend()
        .buffer()
        .content()
        .iter()
        .any(|c| c.symbol() == "✓" && c.fg == ratatui::style::Color::Green);
    assert!(found);
    // In a text field the cursor is a reversed cell just after the text.
    f.select_item("CK-01");
    f.key(KeyCode::Enter);
    f.fill(Field::Note, "abc");
    let t = f.render(80, 24);
    let buf = t.backend().buffer();
    let reversed = buf
        .content()
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(reversed >= 1);
    assert_eq!(f.app.screen, Screen::Main);
}
