//! The terminal interface: set-up and teardown of the terminal, the event loop, and the
//! runner that carries out the app's commands against the service.
//!
//! - `app`: state and update (no I/O); `view`: drawing; `form`: the entry form;
//!   `keymap`, `config`, `theme`: user-overridable data; `input`: text fields.

pub mod app;
pub mod config;
pub mod form;
pub mod input;
pub mod keymap;
pub mod theme;
pub mod view;

use crate::app::exit::{ExitCode, Failure};
use crate::domain::audit::Actor;
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::text;
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP};
use crate::i18n::Lang;
use crate::service::engine::ReportOptions;
use crate::service::{HistoryQuery, Service, ServiceError};
use app::{App, Cmd, Options, Snapshot};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{self, event, execute, queue, terminal};
use std::io::{IsTerminal, Write};
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

/// Load everything the screens show for a period and a group. `detailed`: the whole
/// report (the dashboard); else the completion figures only (the main screen).
pub fn load_snapshot(
    svc: &dyn Service,
    period: Period,
    group: GroupId,
    detailed: bool,
) -> Result<Snapshot, ServiceError> {
    load_snapshot_with(svc, period, detailed, &|_, _| Ok(group))
}

/// Chooses the group to show once branches and groups are read.
pub type PickGroup<'a> = dyn Fn(&[Branch], &[Group]) -> Result<GroupId, ServiceError> + 'a;

/// [`load_snapshot`], the group chosen once branches and groups are read.
pub fn load_snapshot_with(
    svc: &dyn Service,
    period: Period,
    detailed: bool,
    pick: &PickGroup<'_>,
) -> Result<Snapshot, ServiceError> {
    let ward = svc.ward()?;
    let branches = svc.branches()?;
    let groups = svc.groups()?;
    let group = pick(&branches, &groups)?;
    let group = if group == WARD_GROUP || groups.iter().any(|g| g.id == group) {
        group
    } else {
        WARD_GROUP
    };
    let report = svc.report_with(
        period,
        if detailed {
            ReportOptions::default()
        } else {
            ReportOptions::figures()
        },
    )?;
    let rows = svc.checklist(group, period)?;
    Ok(Snapshot {
        ward,
        branches,
        groups,
        report,
        detailed,
        rows,
        group,
    })
}

/// The group to open on: the first group of `--branch`, else the first group.
pub fn initial_group(svc: &dyn Service, branch: Option<&str>) -> Result<GroupId, ServiceError> {
    pick_group(&svc.branches()?, &svc.groups()?, branch)
}

fn pick_group(
    branches: &[Branch],
    groups: &[Group],
    branch: Option<&str>,
) -> Result<GroupId, ServiceError> {
    let pick = match branch {
        Some(name) => {
            let b = branches
                .iter()
                .find(|b| b.name == text::clean(name))
                .or_else(|| {
                    branches
                        .iter()
                        .find(|b| text::fold(&b.name) == text::fold(name))
                })
                .ok_or_else(|| ServiceError::UnknownBranch(name.to_string()))?;
            groups.iter().find(|g| g.branch == b.id)
        }
        None => branches
            .iter()
            .find_map(|b| groups.iter().find(|g| g.branch == b.id)),
    };
    Ok(pick.map(|g| g.id).unwrap_or(WARD_GROUP))
}

/// The runner: carry out one command, feed the result back into the app.
pub struct Runner {
    pub svc: Option<Box<dyn Service>>,
    pub db: PathBuf,
    pub actor: Actor,
}

impl Runner {
    pub fn reload(&self, app: &mut App) {
        let Some(svc) = &self.svc else { return };
        let detailed = app.screen == app::Screen::Dashboard;
        match load_snapshot(svc.as_ref(), app.period, app.group, detailed) {
            Ok(s) => app.loaded(s),
            Err(e) => app.fail(e.message(app.lang())),
        }
    }

    /// After an edit of `group`'s entry: its checklist, and the figures of that group
    /// alone patched into the tree (at city scale, reading one group instead of all).
    /// On the dashboard, or when the patch cannot be made, everything is reloaded.
    pub fn after_edit(&self, app: &mut App, group: GroupId) {
        let Some(svc) = &self.svc else { return };
        if app.screen == app::Screen::Dashboard || app.snap.is_none() {
            return self.reload(app);
        }
        let one = svc.report_with(
            app.period,
            ReportOptions {
                only: Some(group),
                ..ReportOptions::figures()
            },
        );
        let rows = svc.checklist(app.group, app.period);
        match (one, rows) {
            (Ok(one), Ok(rows)) if app.patch_figures(&one) => app.rows_loaded(app.group, rows),
            _ => self.reload(app),
        }
    }

    /// Another group picked in the tree: its checklist only.
    pub fn load_group(&self, app: &mut App, group: GroupId) {
        let Some(svc) = &self.svc else { return };
        match svc.checklist(group, app.period) {
            Ok(rows) => app.rows_loaded(group, rows),
            Err(e) => app.fail(e.message(app.lang())),
        }
    }

    pub fn perform(&mut self, app: &mut App, cmd: Cmd) {
        let lang = app.lang();
        match cmd {
            Cmd::Quit => app.quit = true,
            Cmd::Reload => self.reload(app),
            Cmd::LoadGroup(g) => self.load_group(app, g),
            Cmd::LoadDetail => self.reload(app),
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
                let Some(svc) = &self.svc else { return };
                match svc.login(&member, pin.as_deref()) {
                    Ok(s) => {
                        app.login = None;
                        app.actor = s.actor.label();
                        let role = if lang.is_en() {
                            s.role.name_en()
                        } else {
                            s.role.name_vi()
                        };
                        self.reload(app);
                        app.saved(format!(
                            "{} {} ({role})",
                            lang.t("Xin chào", "Welcome"),
                            s.actor.member
                        ));
                    }
                    Err(e) => {
                        if let Some(l) = &mut app.login {
                            l.pin = None;
                        }
                        app.fail(e.message(lang));
                    }
                }
            }
            Cmd::Mark(req) => {
                let Some(svc) = &self.svc else { return };
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
                let Some(svc) = &self.svc else { return };
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
            Cmd::Undo => {
                let Some(svc) = &self.svc else { return };
                match svc.undo_last() {
                    Ok(Some(r)) => {
                        self.after_edit(app, r.group);
                        let msg = format!(
                            "{} {} {}",
                            lang.t("Đã hoàn tác thay đổi", "Undid change"),
                            r.undoes.map(|s| format!("#{s}")).unwrap_or_default(),
                            r.item
                        );
                        app.saved(msg);
                    }
                    Ok(None) => app.fail(lang.t(
                        "Không có thay đổi nào của bạn để hoàn tác.",
                        "Nothing of yours to undo.",
                    )),
                    Err(e) => app.fail(e.message(lang)),
                }
            }
            Cmd::History {
                group,
                item,
                period,
                title,
            } => {
                let Some(svc) = &self.svc else { return };
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
        }
    }

    fn start(&mut self, app: &mut App, svc: Box<dyn Service>) {
        if let Ok(p) = svc.default_period() {
            app.period = p;
        }
        app.group = initial_group(svc.as_ref(), None).unwrap_or(WARD_GROUP);
        self.svc = Some(svc);
        self.reload(app);
    }
}

fn saved_text(lang: Lang) -> String {
    format!(
        "{} ✓ {}",
        lang.t("Đã lưu", "Saved"),
        chrono::Local::now().format("%H:%M:%S")
    )
}

/// Build the app for a launch (also used by the snapshot tests).
pub fn build_app(l: &Launch, cfg: &config::Config, keymap: keymap::Keymap) -> Result<App, Failure> {
    let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = if mono {
        theme::Theme::mono()
    } else {
        theme::Theme::color()
            .with_config(&cfg.theme)
            .map_err(|what| Failure {
                code: ExitCode::Data,
                message: config::ConfigError::Colour {
                    path: config::default_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    what,
                }
                .message(l.lang),
            })?
    };
    let opts = Options {
        lang: l.lang,
        ascii: l.ascii,
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

/// Prepare the runner and the first data (period, group) for a launch.
pub fn prepare(
    l: &Launch,
    app: &mut App,
    svc: Option<Box<dyn Service>>,
) -> Result<Runner, Failure> {
    let mut runner = Runner {
        svc: None,
        db: l.db.clone(),
        actor: l.actor.clone(),
    };
    if let Some(svc) = svc {
        let err = |e: ServiceError| Failure::from_service(&e, l.lang);
        app.period = match &l.period {
            Some(p) => p.parse().map_err(|_| Failure {
                code: ExitCode::Data,
                message: l
                    .lang
                    .t(
                        &format!("Kỳ báo cáo {p:?} không hợp lệ. Ghi theo dạng 2026, 2026-H1 hoặc 2026-Q3."),
                        &format!("Invalid period {p:?}. Use 2026, 2026-H1 or 2026-Q3."),
                    )
                    .to_string(),
            })?,
            None => svc.default_period().map_err(err)?,
        };
        app.focus = app::Pane::Tree;
        app.actor = svc.actor().label();
        // Members are defined and this session is nobody in particular: ask who is
        // working (shared office PCs). Esc goes on read-only.
        if let Ok(s) = svc.session()
            && s.role == crate::domain::member::Role::Viewer
            && !s.bootstrap
            && let Ok(members) = svc.members()
            && !members.is_empty()
        {
            app.login = Some(app::LoginPrompt::new(&members));
        }
        runner.svc = Some(svc);
        let branch = l.branch.clone();
        let snap = load_snapshot_with(
            runner.svc.as_deref().expect("just set"),
            app.period,
            false,
            &|b, g| pick_group(b, g, branch.as_deref()),
        )
        .map_err(err)?;
        app.loaded(snap);
    }
    Ok(runner)
}

/// Run the TUI.
pub fn launch(l: Launch) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure {
            code: ExitCode::Other,
            message: l
                .lang
                .t(
                    "Giao diện cần một cửa sổ dòng lệnh (terminal). Khi chạy trong tập lệnh, hãy dùng các lệnh con: \
                     qcdc report, qcdc items TỔ, qcdc mark …, qcdc vote … (xem qcdc --help).",
                    "The interface needs a terminal. From scripts, use the subcommands: \
                     qcdc report, qcdc items GROUP, qcdc mark …, qcdc vote … (see qcdc --help).",
                )
                .to_string(),
        });
    }
    let cfg_path = config::default_path();
    let cfg = config::Config::load(cfg_path.as_deref()).map_err(|e| Failure {
        code: ExitCode::Data,
        message: e.message(l.lang),
    })?;
    let keymap = cfg
        .keymap(
            &cfg_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        )
        .map_err(|e| Failure {
            code: ExitCode::Data,
            message: e.message(l.lang),
        })?;
    let svc = crate::app::connect::open_for_tui(&l.db, &l.actor, l.lang, l.demo)?;
    let mut app = build_app(&l, &cfg, keymap)?;
    let mut runner = prepare(&l, &mut app, svc)?;
    run_terminal(&mut app, &mut runner).map_err(|e| Failure {
        code: ExitCode::Other,
        message: format!(
            "{}: {e}",
            l.lang.t("Lỗi cửa sổ dòng lệnh", "Terminal error")
        ),
    })
}

/// Counts what reaches the terminal: bytes and write calls.
#[derive(Default)]
struct Counter {
    bytes: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
}

struct CountingStdout {
    out: std::io::Stdout,
    counter: std::sync::Arc<Counter>,
}

impl CountingStdout {
    fn new(counter: std::sync::Arc<Counter>) -> Self {
        CountingStdout {
            out: std::io::stdout(),
            counter,
        }
    }
}

/// The terminal's writer: everything a frame draws is kept until [`FrameWriter::commit`],
/// then leaves in one write (ratatui flushes after the cells and again for the cursor;
/// over a slow SSH link every write is a packet).
#[derive(Clone)]
struct FrameWriter {
    shared: std::rc::Rc<std::cell::RefCell<(Vec<u8>, CountingStdout)>>,
}

impl FrameWriter {
    fn commit(&self) -> std::io::Result<()> {
        let mut s = self.shared.borrow_mut();
        let (buf, out) = &mut *s;
        if !buf.is_empty() {
            out.write_all(&classic_colours(buf))?;
            buf.clear();
        }
        out.flush()
    }

    /// Forget what was drawn but not sent.
    fn discard(&self) {
        self.shared.borrow_mut().0.clear();
    }
}

/// crossterm writes the 16 palette colours in the 256-colour form (`38;5;1`): rewrite
/// them as the classic codes (`31`, `91`, `41`, `101`), which every console knows
/// (old Windows consoles, PuTTY) and which are shorter over a slow link.
fn classic_colours(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !b.windows(4).any(|w| w == b"8;5;") {
        return std::borrow::Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'[') {
            let start = i + 2;
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_digit() || b[end] == b';') {
                end += 1;
            }
            if b.get(end) == Some(&b'm') {
                let params: Vec<&[u8]> = b[start..end].split(|c| *c == b';').collect();
                let mut rewritten: Vec<String> = Vec::with_capacity(params.len());
                let mut k = 0;
                while k < params.len() {
                    let n = |j: usize| -> Option<u8> {
                        std::str::from_utf8(params.get(j)?).ok()?.parse().ok()
                    };
                    match (n(k), n(k + 1), n(k + 2)) {
                        (Some(base @ (38 | 48)), Some(5), Some(c)) if c < 16 => {
                            let fg = base == 38;
                            rewritten.push(match (fg, c < 8) {
                                (true, true) => format!("{}", 30 + c),
                                (true, false) => format!("{}", 90 + c - 8),
                                (false, true) => format!("{}", 40 + c),
                                (false, false) => format!("{}", 100 + c - 8),
                            });
                            k += 3;
                        }
                        _ => {
                            rewritten.push(String::from_utf8_lossy(params[k]).into_owned());
                            k += 1;
                        }
                    }
                }
                out.extend_from_slice(b"\x1b[");
                out.extend_from_slice(rewritten.join(";").as_bytes());
                out.push(b'm');
                i = end + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

impl Write for FrameWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.shared.borrow_mut().0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Write for CountingStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.out.write(buf)?;
        self.counter.bytes.fetch_add(n as u64, Relaxed);
        self.counter.writes.fetch_add(1, Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Per-frame figures for the benchmarks, written only when `QCDC_FRAME_STATS` is set.
struct FrameStats {
    file: Option<std::fs::File>,
    counter: std::sync::Arc<Counter>,
    frames: u64,
}

impl FrameStats {
    fn from_env() -> FrameStats {
        let file = std::env::var_os("QCDC_FRAME_STATS").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
        FrameStats {
            file,
            counter: Default::default(),
            frames: 0,
        }
    }

    fn counter(&self) -> std::sync::Arc<Counter> {
        self.counter.clone()
    }

    /// After a frame: its bytes, writes, draw time and time since the process started.
    fn frame(&mut self, started: std::time::Instant, event: Option<std::time::Instant>) {
        use std::sync::atomic::Ordering::Relaxed;
        let bytes = self.counter.bytes.swap(0, Relaxed);
        let writes = self.counter.writes.swap(0, Relaxed);
        self.frames += 1;
        if let Some(f) = &mut self.file {
            let since_start = process_uptime_ms();
            let since_main = crate::app::STARTED
                .get()
                .map(|t| t.elapsed().as_micros())
                .unwrap_or(0);
            let _ = writeln!(
                f,
                "frame={} bytes={bytes} writes={writes} draw_us={} key_to_frame_us={} since_main_us={since_main} uptime_ms={since_start}",
                self.frames,
                started.elapsed().as_micros(),
                event.map(|e| e.elapsed().as_micros()).unwrap_or(0)
            );
        }
    }
}

/// Milliseconds since this process started (Linux: from /proc; elsewhere 0).
fn process_uptime_ms() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        // Field 22 (starttime, clock ticks since boot) is index 19 after the ")".
        let start_ticks: f64 = fields.get(19).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
            .unwrap_or(0.0);
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        if hz > 0.0 {
            return ((uptime - start_ticks / hz) * 1000.0).max(0.0) as u64;
        }
    }
    0
}

/// Button presses and the wheel only (no motion events: they flood slow SSH links).
#[cfg(unix)]
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
#[cfg(unix)]
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";

fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    #[cfg(unix)]
    let _ = out.write_all(MOUSE_OFF.as_bytes());
    #[cfg(not(unix))]
    let _ = execute!(out, event::DisableMouseCapture);
    let _ = execute!(
        out,
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped: on every exit path, errors included.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn run_terminal(app: &mut App, runner: &mut Runner) -> std::io::Result<()> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Every edit is flushed when it is saved; restore the terminal before the
        // message so it is readable.
        restore_terminal();
        prev(info);
    }));
    terminal::enable_raw_mode()?;
    let _guard = TerminalGuard;
    let mut out = std::io::stdout();
    execute!(
        out,
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste
    )?;
    if app.opts.mouse {
        #[cfg(unix)]
        out.write_all(MOUSE_ON.as_bytes())?;
        #[cfg(not(unix))]
        execute!(out, event::EnableMouseCapture)?;
        out.flush()?;
    }
    // One buffered writer: each frame leaves in a single write. `QCDC_FRAME_STATS=FILE`
    // records, per frame, the bytes written, the number of writes and the time spent
    // (for the benchmarks).
    let mut stats = FrameStats::from_env();
    let frame = FrameWriter {
        shared: std::rc::Rc::new(std::cell::RefCell::new((
            Vec::with_capacity(64 * 1024),
            CountingStdout::new(stats.counter()),
        ))),
    };
    let backend = CrosstermBackend::new(frame.clone());
    let mut terminal = Terminal::new(backend)?;
    terminal.clear()?;
    // Draw every cell of the first frame, spaces included: a blank screen would
    // otherwise be filled by jumping the cursor over each run of spaces (a move costs
    // more bytes than the spaces it skips). A frame of a character nothing else draws (a
    // private-use one) is drawn and thrown away first, so that every real cell differs.
    terminal.draw(|f| {
        let area = f.area();
        let buf = f.buffer_mut();
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(c) = buf.cell_mut((x, y)) {
                    c.set_char('\u{e000}');
                }
            }
        }
    })?;
    frame.discard();
    queue!(
        terminal.backend_mut(),
        terminal::Clear(terminal::ClearType::All),
        crossterm::cursor::MoveTo(0, 0),
        // ratatui hid the cursor during the thrown-away frame and will not again.
        crossterm::cursor::Hide
    )?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    // One channel feeds the loop: terminal events from an input thread, and changes
    // pushed by the ward server. The loop sleeps until one of them arrives.
    enum Msg {
        Term(event::Event),
        Notice(crate::service::Notice),
        InputGone(std::io::Error),
    }
    let (tx, rx) = std::sync::mpsc::channel::<Msg>();
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                match event::read() {
                    Ok(ev) => {
                        if tx.send(Msg::Term(ev)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Msg::InputGone(e));
                        break;
                    }
                }
            }
        });
    }
    if let Some(notices) = runner.svc.as_ref().and_then(|s| s.subscribe()) {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for n in notices {
                if tx.send(Msg::Notice(n)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut dirty = true;
    let mut event_at: Option<std::time::Instant> = None;
    loop {
        if dirty {
            let t = std::time::Instant::now();
            terminal.draw(|f| f.render_widget(&*app, f.area()))?;
            frame.commit()?;
            stats.frame(t, event_at.take());
            dirty = false;
        }
        let ev = match rx.recv() {
            Ok(Msg::Term(ev)) => {
                event_at = Some(std::time::Instant::now());
                ev
            }
            Ok(Msg::Notice(n)) => {
                // Someone else changed something: show it within the second.
                runner.reload(app);
                let lang = app.lang();
                let what = if n.item.is_empty() {
                    String::new()
                } else {
                    format!("{} · {}", app.group_name(n.group), n.item)
                };
                app.info(format!(
                    "{} {} {what}",
                    n.who,
                    lang.t("vừa cập nhật", "updated")
                ));
                dirty = true;
                continue;
            }
            Ok(Msg::InputGone(e)) => return Err(e),
            Err(_) => break,
        };
        let changes = match &ev {
            event::Event::Key(k) => k.kind == event::KeyEventKind::Press,
            event::Event::Mouse(m) => {
                app.opts.mouse && !matches!(m.kind, event::MouseEventKind::Moved)
            }
            event::Event::Resize(..) | event::Event::Paste(_) => true,
            _ => false,
        };
        if let Some(cmd) = app.handle_event(&ev) {
            runner.perform(app, cmd);
        }
        if app.quit {
            break;
        }
        dirty |= changes;
    }
    drop(terminal);
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod frame_tests {
    #[test]
    fn palette_colours_are_written_in_the_classic_form() {
        let b = b"\x1b[1;1H\x1b[38;5;0;48;5;6m qcdc \x1b[38;5;9;49mx\x1b[38;5;200mY\x1b[0m";
        let out = super::classic_colours(b);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\x1b[1;1H\x1b[30;46m qcdc \x1b[91;49mx\x1b[38;5;200mY\x1b[0m"
        );
        let plain = b"\x1b[2;3Hno colour";
        assert!(matches!(
            super::classic_colours(plain),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
