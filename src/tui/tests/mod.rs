//! Tests of the TUI through its update function and the runner, on a real sled
//! database: journeys that check what was **stored** (`journeys.rs`), snapshots of
//! every screen (`screens.rs`), and a property test that every write names what the
//! screen showed (`property.rs`).

mod figures;
mod journeys;
mod property;
mod screens;

use super::app::{App, Cmd, Options, Popup};
use super::glyphs::Glyphs;
use super::keymap::Keymap;
use super::theme::Theme;
use super::{Launch, Runner, prepare};
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::date;
use crate::domain::entry::Entry;
use crate::domain::period::Period;
use crate::domain::ward::GroupId;
use crate::i18n::Lang;
use crate::service::{HistoryQuery, Service};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers,
};
use std::path::{Path, PathBuf};

pub const TODAY: &str = "2026-11-22";

pub struct Fixture {
    pub app: App,
    pub runner: Runner,
    pub db: PathBuf,
    pub state: PathBuf,
    pub _dir: Option<tempfile::TempDir>,
}

pub fn opts(lang: Lang, ascii: bool) -> Options {
    Options {
        lang,
        glyphs: Glyphs::new(ascii),
        mouse: true,
        db_label: "ward.db".into(),
    }
}

pub fn launch(db: &Path, lang: Lang, ascii: bool) -> Launch {
    Launch {
        db: db.to_path_buf(),
        actor: Actor::new("tester", "tester"),
        lang,
        ascii,
        branch: None,
        period: None,
        demo: true,
    }
}

/// A temporary folder, in memory where the system has one (fsync costs nothing there,
/// so hundreds of flushed edits stay fast).
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().expect("tempdir")
}

impl Fixture {
    /// The demo ward in a fresh database.
    pub fn demo_with(lang: Lang, ascii: bool, theme: Theme) -> Fixture {
        let dir = scratch();
        let db = dir.path().join("demo.db");
        let state = dir.path().join("state");
        crate::app::ward::create_demo(&db, Actor::new("tester", "tester"), lang)
            .unwrap_or_else(|f| panic!("{}", f.message));
        let mut f = Fixture::open(&db, &state, lang, ascii, theme, None);
        f._dir = Some(dir);
        f
    }

    /// Start the TUI (as a new process would) on an existing database.
    pub fn open(
        db: &Path,
        state: &Path,
        lang: Lang,
        ascii: bool,
        theme: Theme,
        branch: Option<&str>,
    ) -> Fixture {
        let store = crate::store::Store::reopen(db).expect("open");
        let svc = crate::service::local::LocalService::new(store, Actor::new("tester", "tester"))
            .with_lang(lang)
            .with_today(date::parse(TODAY).unwrap());
        let mut l = launch(db, lang, ascii);
        l.branch = branch.map(str::to_string);
        let mut app = App::new(
            opts(lang, ascii),
            Keymap::default(),
            theme,
            "tester".into(),
            Period::Quarter(2026, 4),
        );
        let runner = prepare(&l, &mut app, Some(Box::new(svc)), Some(state.to_path_buf()))
            .unwrap_or_else(|f| panic!("{}", f.message));
        Fixture {
            app,
            runner,
            db: db.to_path_buf(),
            state: state.to_path_buf(),
            _dir: None,
        }
    }

    pub fn demo() -> Fixture {
        Fixture::demo_with(Lang::Vi, false, Theme::color())
    }

    /// Close the database (as quitting does), keeping the folder.
    pub fn close(mut self) -> (PathBuf, PathBuf, Option<tempfile::TempDir>) {
        self.runner.svc = None;
        (self.db, self.state, self._dir.take())
    }

    pub fn svc(&self) -> &dyn Service {
        self.runner.svc.as_deref().expect("service")
    }

    /// Feed an event like the real loop does: update, then carry out the command.
    pub fn send(&mut self, ev: Event) {
        match self.app.handle_event(&ev) {
            Some(cmd) => self.runner.perform(&mut self.app, cmd),
            None => self.runner.persist_drafts(&mut self.app),
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(key(code));
    }

    pub fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.send(key(KeyCode::Char(c)));
        }
    }

    pub fn render(&mut self, w: u16, h: u16) -> Terminal<TestBackend> {
        self.app.size = (w, h);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(&self.app, f.area())).unwrap();
        t
    }

    pub fn screen(&mut self, w: u16, h: u16) -> String {
        format!("{}", self.render(w, h).backend())
    }

    pub fn group_id(&self, name: &str) -> GroupId {
        self.svc().find_group(name).expect("group").id
    }

    /// The stored entry of a group's item in a period (a blank one if none).
    pub fn stored(&self, group: &str, item: &str, period: Period) -> Entry {
        let id = self.group_id(group);
        self.svc()
            .checklist(id, period)
            .expect("checklist")
            .into_iter()
            .find(|r| r.item.code == item)
            .map(|r| r.entry)
            .expect("row")
    }

    /// The newest audit records.
    pub fn log(&self, n: usize) -> Vec<AuditRecord> {
        self.svc()
            .history(HistoryQuery {
                limit: n,
                ..Default::default()
            })
            .expect("history")
    }

    /// Move the tree to a group by its name (tree focus).
    pub fn go_to(&mut self, name: &str) {
        let id = self.group_id(name);
        self.app.focus = super::app::Pane::Tree;
        for _ in 0..40 {
            if self.app.sel.group == id {
                return;
            }
            self.key(KeyCode::Down);
        }
        self.key(KeyCode::Home);
        for _ in 0..40 {
            if self.app.sel.group == id {
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("{name} not found in the tree");
    }

    /// Put the list's cursor on an item (list focus).
    pub fn select_item(&mut self, code: &str) {
        self.app.focus = super::app::Pane::List;
        let i = self
            .app
            .visible_rows()
            .iter()
            .position(|r| r.item.code == code)
            .unwrap_or_else(|| panic!("{code} not in the list"));
        self.app.list_sel = i;
    }

    pub fn form(&self) -> &super::form::EntryForm {
        match &self.app.popup {
            Some(Popup::Form(f)) => f,
            other => panic!("no form open: {other:?}"),
        }
    }

    /// In the open form, move to a field and type a value over it.
    pub fn fill(&mut self, field: super::form::Field, value: &str) {
        let i = self
            .form()
            .fields
            .iter()
            .position(|x| *x == field)
            .unwrap_or_else(|| panic!("{field:?} not in the form"));
        for _ in 0..40 {
            if self.form().sel == i {
                break;
            }
            self.key(KeyCode::Tab);
        }
        self.key(KeyCode::End);
        for _ in 0..2_000 {
            if self
                .form()
                .input(field)
                .is_none_or(|i| i.value().is_empty())
            {
                break;
            }
            self.key(KeyCode::Backspace);
        }
        self.typed(value);
    }
}

pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}
