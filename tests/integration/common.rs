//! Helpers: run the binary on a temporary database, and shared fixture databases.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use tempfile::TempDir;

/// "Today" for every command: in Quý IV/2026, so the default period is 2026-Q4.
pub const TODAY: &str = "2026-11-22";
/// The OS user every command runs as.
pub const OS_USER: &str = "tester";

/// The account the tests run as, as the system names it: what the audit log records
/// for a command (qcdc takes it from `getuid`, never from `USER`).
pub fn me() -> String {
    qcdc::sys::current_user_name()
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The binary under test: the `qcdc` cargo built for this machine or, when
/// `QCDC_TEST_BIN` names another build (CI's Windows pass: `qcdc.exe`), that one, run
/// through `QCDC_TEST_RUNNER` when it is set (`wine`).
pub struct Target {
    pub bin: PathBuf,
    pub runner: Option<PathBuf>,
}

pub fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| Target {
        bin: std::env::var_os("QCDC_TEST_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_qcdc"))),
        runner: std::env::var_os("QCDC_TEST_RUNNER")
            .filter(|r| !r.is_empty())
            .map(PathBuf::from),
    })
}

impl Target {
    /// A command that runs the binary under test (through the runner, if any).
    pub fn command(&self) -> Command {
        match &self.runner {
            Some(runner) => {
                let mut c = Command::new(runner);
                c.arg(&self.bin);
                // Wine's own diagnostics would mix with qcdc's messages on stderr.
                if std::env::var_os("WINEDEBUG").is_none() {
                    c.env("WINEDEBUG", "-all");
                }
                c
            }
            None => Command::new(&self.bin),
        }
    }

    /// Is the binary under test a Windows program (built for Windows, or run on it)?
    pub fn is_windows(&self) -> bool {
        cfg!(windows) || self.bin.extension().is_some_and(|e| e == "exe")
    }

    /// A Windows program run on Unix through a runner: Wine.
    pub fn under_wine(&self) -> bool {
        !cfg!(windows) && self.is_windows() && self.runner.is_some()
    }

    /// A path as the binary under test writes it. Under Wine: the same file through
    /// drive Z:, which Wine maps to the Unix root (`/tmp/x/ward.db` →
    /// `Z:\tmp\x\ward.db`), so the Windows binary works with a drive letter and
    /// backslashes as on a PC. Otherwise the path itself.
    pub fn path(&self, p: &Path) -> String {
        let s = p.to_str().expect("test paths are UTF-8");
        if self.under_wine() && s.starts_with('/') {
            format!("Z:{}", s.replace('/', "\\"))
        } else {
            s.to_string()
        }
    }
}

/// [`Target::path`] of the binary under test.
pub fn host_path(p: &Path) -> String {
    target().path(p)
}

/// The binary under test, on `db`, with a fixed date, user and language.
pub fn qcdc(db: &Path) -> Command {
    let mut c = target().command();
    c.env("QCDC_DB", host_path(db))
        .env("QCDC_TODAY", TODAY)
        .env("USER", OS_USER)
        .env_remove("USERNAME")
        .env_remove("QCDC_LANG")
        .env_remove("QCDC_MEMBER");
    if let Some(dir) = db.parent().filter(|p| p.is_dir()) {
        c.current_dir(dir);
    }
    c
}

pub fn run_cmd(mut c: Command) -> Run {
    let mut tries = 0;
    loop {
        let out = c.output().expect("run qcdc");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        };
        // qcdc never exits 1 without a message (cli::main prints every failure). Under
        // Wine, exit 1 with no output at all is Wine failing to start the program (seen
        // once in CI on a loaded machine, with its diagnostics off): nothing ran, so
        // running it again is safe. Natively this never retries.
        tries += 1;
        let wine_start_failed = target().under_wine()
            && run.code == 1
            && run.stdout.is_empty()
            && run.stderr.is_empty();
        if wine_start_failed && tries < 3 {
            eprintln!("note: Wine did not start {c:?} (exit 1, no output); trying again");
            std::thread::sleep(std::time::Duration::from_millis(500));
            continue;
        }
        return run;
    }
}

pub fn run(db: &Path, args: &[&str]) -> Run {
    let mut c = qcdc(db);
    c.args(args);
    run_cmd(c)
}

/// Run and insist on exit code 0.
pub fn ok(db: &Path, args: &[&str]) -> Run {
    let r = run(db, args);
    assert_eq!(
        r.code, 0,
        "qcdc {args:?} failed\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    r
}

/// Run and insist on a given exit code; returns the run.
pub fn fails(db: &Path, args: &[&str], code: i32) -> Run {
    let r = run(db, args);
    assert_eq!(
        r.code, code,
        "qcdc {args:?}: expected exit {code}\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    r
}

/// A database location in its own temporary folder (removed on drop).
pub struct Ward {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Ward {
    /// A folder with nothing at `db` yet.
    pub fn empty() -> Ward {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("ward.db");
        Ward { dir, db }
    }

    /// A copy of a fixture database.
    pub fn copy_of(src: &Path) -> Ward {
        let w = Ward::empty();
        copy_dir(src, &w.db);
        w
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(&self.db, args)
    }

    pub fn ok(&self, args: &[&str]) -> Run {
        ok(&self.db, args)
    }

    pub fn fails(&self, args: &[&str], code: i32) -> Run {
        fails(&self.db, args, code)
    }

    /// The whole audit log (`log --format json`), newest first.
    pub fn log(&self) -> Vec<Value> {
        let v = self
            .ok(&["log", "--limit", "100000", "--format", "json"])
            .json();
        v.as_array().expect("log is an array").clone()
    }

    pub fn groups(&self) -> Vec<Value> {
        let v = self.ok(&["group", "list", "--format", "json"]).json();
        v.as_array().expect("group list is an array").clone()
    }

    pub fn branches(&self) -> Vec<Value> {
        let v = self.ok(&["branch", "list", "--format", "json"]).json();
        v.as_array().expect("branch list is an array").clone()
    }

    /// The checklist row of `item` for `group` in the default period (2026-Q4).
    pub fn item(&self, group: &str, item: &str) -> Value {
        let v = self.ok(&["items", group, "--format", "json"]).json();
        v.as_array()
            .expect("items is an array")
            .iter()
            .find(|r| r["code"] == item)
            .unwrap_or_else(|| panic!("no {item} in the checklist of {group}"))
            .clone()
    }
}

/// Copy a folder recursively (a database is a folder: conf, db, blobs/).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create copy");
    for e in std::fs::read_dir(src).expect("read dir") {
        let e = e.expect("dir entry");
        let to = dst.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy file");
        }
    }
}

/// The small ward every test starts from: two branches, three groups, nothing marked.
pub const SMALL_WARD: &str = "Phường Thử Nghiệm";
pub const BRANCH_1: &str = "Chi bộ Hòa Bình";
pub const BRANCH_2: &str = "Chi bộ Thống Nhất";
/// (name, branch, households, leader)
pub const SMALL_GROUPS: [(&str, &str, u32, &str); 3] = [
    ("Tổ dân phố 1", BRANCH_1, 300, "Nguyễn Văn An"),
    ("Tổ dân phố 2", BRANCH_1, 186, "Lê Thị Bình"),
    ("Tổ dân phố Đồng Tâm", BRANCH_2, 245, "Trần Quang Vinh"),
];

/// Build the small ward with the command line, as a user would.
pub fn build_small_ward(db: &Path) {
    ok(db, &["init", "--ward", SMALL_WARD]);
    ok(db, &["branch", "add", BRANCH_1]);
    ok(db, &["branch", "add", BRANCH_2]);
    for (name, branch, hh, leader) in SMALL_GROUPS {
        ok(
            db,
            &[
                "group",
                "add",
                name,
                "--branch",
                branch,
                "--households",
                &hh.to_string(),
                "--leader",
                leader,
            ],
        );
    }
}

/// A fresh copy of the small ward (built once per test run).
pub fn small_ward() -> Ward {
    static FIXTURE: OnceLock<Ward> = OnceLock::new();
    let f = FIXTURE.get_or_init(|| {
        let w = Ward::empty();
        build_small_ward(&w.db);
        w
    });
    Ward::copy_of(&f.db)
}

/// A fresh copy of the demo ward (`qcdc init --demo`, run once per test run).
pub fn demo_ward() -> Ward {
    static FIXTURE: OnceLock<Ward> = OnceLock::new();
    let f = FIXTURE.get_or_init(|| {
        let w = Ward::empty();
        ok(&w.db, &["init", "--demo"]);
        w
    });
    Ward::copy_of(&f.db)
}

/// Find an object in a JSON array by its "name".
pub fn by_name<'a>(arr: &'a Value, name: &str) -> &'a Value {
    arr.as_array()
        .expect("an array")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name:?} in {arr}"))
}

/// `done` of a completion object (`{done, applicable, percent}`).
pub fn done(c: &Value) -> u64 {
    c["done"].as_u64().expect("done")
}

pub fn applicable(c: &Value) -> u64 {
    c["applicable"].as_u64().expect("applicable")
}

/// Open a database with sled itself, waiting while the lock of a handle this process
/// just dropped is still being released (sled frees it from its own threads).
pub fn sled_open(db: &Path) -> sled::Db {
    let start = std::time::Instant::now();
    loop {
        match sled::open(db) {
            Ok(d) => return d,
            Err(e) if start.elapsed() < std::time::Duration::from_secs(5) => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("sled open {}: {e}", db.display()),
        }
    }
}
