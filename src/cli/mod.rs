//! The command-line front end: parse, open the service, run one command, exit with a
//! code scripts can rely on (see [`crate::app::exit`]).
//!
//! One function per command: `ward.rs` (init, branches, groups, members, the server),
//! `entries.rs` (a group's checklist, marks, votes, the audit log, undo and redo),
//! `reports.rs` (reports, imports, exports, the template, backups, check, roll-up).

pub mod args;
pub mod documents;
pub mod entries;
mod figures;
pub mod output;
pub mod reports;
pub mod ward;

pub use crate::app::connect::{actor, default_db_path, open_service};
pub use crate::app::exit::{EXIT_BUSY, EXIT_DATA, EXIT_OK, EXIT_OTHER, EXIT_USAGE, Failure};
pub use crate::app::ward::create_demo;

use crate::domain::period::Period;
use crate::domain::text;
use crate::domain::ward::{GroupId, WARD_GROUP};
use crate::i18n::Lang;
use crate::service::Service;
use args::*;
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};

type CliResult = Result<(), Failure>;

/// Entry point of the binary: returns the exit code.
pub fn main() -> i32 {
    crate::app::STARTED.get_or_init(std::time::Instant::now);
    // Windows: the console's output in UTF-8 for as long as qcdc runs (its code page
    // is put back when `console` is dropped); nothing to do elsewhere.
    let console = crate::sys::Console::set_up();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code.code();
        }
    };
    let lang = cli.lang;
    let ascii = cli.ascii;
    if !ascii && let Some(advice) = console.ascii_advice(lang) {
        let _ = writeln!(std::io::stderr(), "{advice}");
    }
    let result = run(cli);
    // Opens outside `open_service` (check, restore, backup) may have repaired too.
    crate::app::connect::say_guard_notices(lang);
    // Every database this process opened is closed now: record that its files are as
    // a clean exit leaves them (see store::guard).
    crate::store::guard::seal_all();
    match result {
        Ok(()) => EXIT_OK.code(),
        Err(f) => {
            let prefix = lang.t("Lỗi", "Error");
            // Messages quote file names, cells and headings: no escape sequence from
            // them reaches the terminal.
            let msg = text::printable(&format!("{prefix}: {}", f.message));
            let msg = if ascii { text::to_ascii(&msg) } else { msg };
            let _ = writeln!(std::io::stderr(), "{msg}");
            f.code.code()
        }
    }
}

/// Print to stdout, ASCII-folded under `--ascii`.
pub struct Out {
    pub ascii: bool,
}

impl Out {
    pub fn print(&self, s: &str) {
        // Names come from the database: whatever got into it, no control character
        // reaches the terminal raw.
        let s = text::printable(s);
        let s = if self.ascii { text::to_ascii(&s) } else { s };
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(s.as_bytes());
        let _ = so.flush();
    }

    pub fn line(&self, s: &str) {
        self.print(&format!("{s}\n"));
    }
}

pub fn parse_period(s: Option<&str>, svc: &dyn Service, lang: Lang) -> Result<Period, Failure> {
    match s {
        None => svc
            .default_period()
            .map_err(|e| Failure::from_service(&e, lang)),
        Some(p) => p.parse().map_err(|_| {
            Failure::data(lang.t(
                &format!(
                    "Kỳ báo cáo {p:?} không hợp lệ. Ghi theo dạng 2026, 2026-H1 hoặc 2026-Q3."
                ),
                &format!("Invalid period {p:?}. Use 2026, 2026-H1 or 2026-Q3."),
            ))
        }),
    }
}

/// The group a user named (ignoring diacritics and case) and its name as stored, for
/// messages ("to 1" is Tổ 1). "phường"/"ward" is the ward itself.
pub fn resolve_group_named(
    svc: &dyn Service,
    name: &str,
    lang: Lang,
) -> Result<(GroupId, String), Failure> {
    let f = text::fold(name);
    if matches!(f.trim(), "phuong" | "ward" | "cap phuong") {
        return Ok((WARD_GROUP, lang.t("Cấp phường", "Ward").to_string()));
    }
    svc.find_group(name)
        .map(|g| (g.id, g.name))
        .map_err(|e| Failure::from_service(&e, lang))
}

fn run(cli: Cli) -> CliResult {
    let lang = cli.lang;
    let db = cli.db.clone().unwrap_or_else(|| default_db_path("ward.db"));
    let who = actor(cli.member.as_deref());
    let cx = reports::Ctx {
        db: &db,
        who: who.clone(),
        lang,
        ascii: cli.ascii,
        period: cli.period.as_deref(),
    };
    let Some(command) = cli.command else {
        return crate::tui::launch(crate::tui::Launch {
            db: db.clone(),
            actor: who,
            lang,
            ascii: cli.ascii,
            branch: cli.branch.clone(),
            period: cli.period.clone(),
            demo: false,
        });
    };
    match command {
        Command::Demo { branch } => crate::tui::launch(crate::tui::Launch {
            db: cli.db.clone().unwrap_or_else(|| default_db_path("demo.db")),
            actor: who,
            lang,
            ascii: cli.ascii,
            branch: branch.or(cli.branch.clone()),
            period: cli.period.clone(),
            demo: true,
        }),
        Command::Init(a) => ward::init(&cx, &a),
        Command::Branch(b) => ward::branch(&cx, b),
        Command::Group(g) => ward::group(&cx, g),
        Command::Member(m) => ward::member(&cx, m),
        Command::Settings(c) => ward::settings(&cx, c),
        Command::Narrative(c) => ward::narrative(&cx, c),
        Command::Document(a) => documents::document(&cx, a),
        Command::Figure(c) => figures::figure(&cx, c),
        Command::BenchGen {
            groups,
            periods,
            batch_kb,
        } => ward::bench_gen(&cx, groups, periods, batch_kb),
        Command::Serve(a) => ward::serve(&cx, a),
        Command::Items(a) => entries::items(&cx, &a),
        Command::Mark(a) => entries::mark(&cx, a),
        Command::Vote(a) => entries::vote(&cx, a),
        Command::Event(EventCmd::Add(a)) => entries::event_add(&cx, a),
        Command::Due(a) => entries::due(&cx, &a),
        Command::Log(a) => entries::log(&cx, &a),
        Command::Undo(a) => entries::undo(&cx, &a, false),
        Command::Redo(a) => entries::undo(&cx, &a, true),
        c @ (Command::Report(_)
        | Command::Import(_)
        | Command::Export(_)
        | Command::Template(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::Check(_)
        | Command::Rollup(_)) => reports::run(c, &cx),
    }
}

/// Write a whole file or nothing: a temporary file beside it, then a rename.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file_atomically_with(path, &mut |w| w.write_all(bytes))
}

/// [`write_file_atomically`] for a document written piece by piece.
pub fn write_file_atomically_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    let written = {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut tmp.1);
        write(&mut w).and_then(|_| w.flush())
    };
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp.0);
        return Err(e);
    }
    tmp.1.sync_all()?;
    drop(tmp.1);
    std::fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for i in 0..100u32 {
        let p = dir.join(format!(".qcdc-{}-{i}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no temporary file name free"))
}
