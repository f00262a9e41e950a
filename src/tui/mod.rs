//! The terminal interface.
//!
//! - `app`: the state and its update (an event in, at most one command out; no I/O),
//!   built around one [`app::Selection`] — the group on screen and its checklist.
//! - `screens/`: one file per screen, each with its keys and its drawing: `main`
//!   (tree, checklist, detail line), `form` (the entry form), `dashboard`, `popups`
//!   (help, period, history, confirmations, drafts, login, add group, first run).
//! - `view`: what the screens share when drawing; `glyphs`: Unicode or ASCII symbols.
//! - `runner`: carries out commands against the service, keeps drafts on disk.
//! - `terminal`: set-up, teardown, Ctrl+Z, the event loop, one write per frame.
//! - `form`: the entry form's model; `drafts`: unsaved forms on disk; `input`: text
//!   fields; `keymap`, `config`, `theme`: user-overridable data.

pub mod app;
pub mod config;
pub mod drafts;
pub mod form;
pub mod glyphs;
pub mod input;
pub mod keymap;
pub mod runner;
pub mod screens;
pub mod terminal;
pub mod textarea;
pub mod theme;
pub mod view;

use crate::app::exit::{ExitCode, Failure};
use crate::domain::audit::Actor;
use crate::domain::period::Period;
use crate::i18n::Lang;
use crate::service::Service;
use app::{App, Options, Popup};
use glyphs::{Glyphs, TermCaps};
pub use runner::Runner;
use std::io::IsTerminal;
use std::path::PathBuf;

pub struct Launch {
    pub db: PathBuf,
    pub actor: Actor,
    pub lang: Lang,
    pub ascii: bool,
    pub branch: Option<String>,
    pub period: Option<String>,
    pub demo: bool,
}

/// Build the app for a launch (also used by the tests).
pub fn build_app(
    l: &Launch,
    cfg: &config::Config,
    keymap: keymap::Keymap,
    caps: TermCaps,
) -> Result<App, Failure> {
    let mono = caps.no_colour || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = if mono {
        theme::Theme::mono()
    } else {
        theme::Theme::color()
            .with_config(&cfg.theme)
            .map_err(|what| {
                Failure::new(
                    ExitCode::Data,
                    config::ConfigError::Colour {
                        path: config::default_path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        what,
                    }
                    .message(l.lang),
                )
            })?
    };
    let opts = Options {
        lang: l.lang,
        glyphs: Glyphs::new(l.ascii || caps.ascii_only),
        mouse: cfg.mouse,
        db_label: l.db.display().to_string(),
    };
    let today = crate::service::local::today_from_env();
    Ok(App::new(
        opts,
        keymap,
        theme,
        l.actor.label(),
        Period::quarter_of(today),
    ))
}

/// Prepare the runner and the first data (period, group, drafts) for a launch.
pub fn prepare(
    l: &Launch,
    app: &mut App,
    svc: Option<Box<dyn Service>>,
    state_dir: Option<PathBuf>,
) -> Result<Runner, Failure> {
    let mut runner = Runner::new(l.db.clone(), l.actor.clone(), state_dir);
    let Some(svc) = svc else {
        return Ok(runner);
    };
    let err = |e: crate::service::ServiceError| Failure::from_service(&e, l.lang);
    let period = match &l.period {
        Some(p) => p.parse().map_err(|_| {
            Failure::data(l.lang.t(
                &format!(
                    "Kỳ báo cáo {p:?} không hợp lệ. Ghi theo dạng 2026, 2026-H1 hoặc 2026-Q3."
                ),
                &format!("Invalid period {p:?}. Use 2026, 2026-H1 or 2026-Q3."),
            ))
        })?,
        None => svc.default_period().map_err(err)?,
    };
    app.sel.period = period;
    app.focus = app::Pane::Tree;
    app.actor = svc.actor().label();
    let branches = svc.branches().map_err(err)?;
    let groups = svc.groups().map_err(err)?;
    // `--branch`: that branch's groups only, found without diacritics or "Chi bộ".
    if let Some(name) = &l.branch {
        let b = runner::find_branch(&branches, name).ok_or_else(|| {
            Failure::from_service(
                &crate::service::ServiceError::UnknownBranch(name.clone()),
                l.lang,
            )
        })?;
        app.branch_filter = Some(b.id);
    }
    app.sel.group = runner::first_group(&branches, &groups, app.branch_filter);
    // Members are defined and this session is nobody in particular: ask who is
    // working (shared office PCs). Esc goes on read-only.
    let login = if let Ok(s) = svc.session()
        && s.role == crate::domain::member::Role::Viewer
        && !s.bootstrap
        && let Ok(members) = svc.members()
        && !members.is_empty()
    {
        Some(app::LoginPrompt::new(&members))
    } else {
        None
    };
    runner.svc = Some(svc);
    runner.reload(app);
    match login {
        // Drafts belong to a member: read them once we know who it is.
        Some(l) => app.popup = Some(Popup::Login(l)),
        None => runner.open_drafts(app),
    }
    Ok(runner)
}

/// Run the TUI.
pub fn launch(l: Launch) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure::new(
            ExitCode::Other,
            l.lang.t(
                "Giao diện cần một cửa sổ dòng lệnh (terminal). Khi chạy trong tập lệnh, hãy dùng các lệnh con: \
                 qcdc report, qcdc items TỔ, qcdc mark …, qcdc vote … (xem qcdc --help).",
                "The interface needs a terminal. From scripts, use the subcommands: \
                 qcdc report, qcdc items GROUP, qcdc mark …, qcdc vote … (see qcdc --help).",
            ),
        ));
    }
    let cfg_path = config::default_path();
    let cfg = config::Config::load(cfg_path.as_deref())
        .map_err(|e| Failure::new(ExitCode::Data, e.message(l.lang)))?;
    let keymap = cfg
        .keymap(
            &cfg_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        )
        .map_err(|e| Failure::new(ExitCode::Data, e.message(l.lang)))?;
    let svc = crate::app::connect::open_for_tui(&l.db, &l.actor, l.lang, l.demo)?;
    let mut app = build_app(&l, &cfg, keymap, TermCaps::from_env())?;
    let mut runner = prepare(&l, &mut app, svc, drafts::state_dir())?;
    terminal::run_terminal(&mut app, &mut runner).map_err(|e| {
        Failure::new(
            ExitCode::Other,
            format!(
                "{}: {e}",
                l.lang.t("Lỗi cửa sổ dòng lệnh", "Terminal error")
            ),
        )
    })
}

#[cfg(test)]
mod tests;
