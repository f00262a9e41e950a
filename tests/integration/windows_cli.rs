//! The command line as a ward office PC uses it, written to run against any build of
//! qcdc: the native one in `cargo test`, and in CI also `qcdc.exe` under Wine
//! (`QCDC_TEST_BIN=…/qcdc.exe QCDC_TEST_RUNNER=wine cargo test --test integration
//! windows_cli::`, see `.ci/run`). Under Wine every path is given as Windows writes it
//! (`Z:\tmp\…\ward.db`: a drive letter and backslashes, see [`host_path`]).
//!
//! What differs on Windows is asserted per target: the busy message (close the other
//! qcdc window, not `qcdc serve`), `qcdc serve` itself, the default database folder.

use crate::common::*;
use calamine::Reader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn write(w: &Ward, name: &str, bytes: &[u8]) -> PathBuf {
    let p = w.dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Every file of a folder (recursively) with its bytes, sorted by name.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_new_ward_takes_its_roster_from_an_excel_csv_at_a_windows_path() {
    let w = Ward::empty();
    let r = w.ok(&["init", "--ward", "Phường Thử Windows", "--steps", "6"]);
    // The path is printed as the binary got it (under Wine: Z:\…\ward.db).
    assert!(r.stdout.contains(&host_path(&w.db)), "{}", r.stdout);
    assert!(
        w.db.join("db").is_file(),
        "the database is where it was put"
    );
    // "CSV UTF-8" as Excel on Windows saves it: a byte-order mark, `;`, CRLF.
    let roster = write(
        &w,
        "Danh sách tổ.csv",
        "\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\r\n\
         Chi bộ Hòa Bình;Tổ dân phố 1;245;Nguyễn Văn An\r\n\
         Chi bộ Hòa Bình;Tổ dân phố 2;186;Lê Thị Bình\r\n\
         Chi bộ Thống Nhất;Tổ dân phố Đồng Tâm;312;Võ Thị Hồng\r\n"
            .as_bytes(),
    );
    let r = w.ok(&["import", "groups", &host_path(&roster)]);
    assert!(
        r.stdout.contains("+2 chi bộ, +3 tổ dân phố"),
        "{}",
        r.stdout
    );
    let groups = w.ok(&["group", "list", "--format", "json"]).json();
    let g = by_name(&groups, "Tổ dân phố Đồng Tâm");
    assert_eq!(g["households"], 312);
    assert_eq!(g["branch"], "Chi bộ Thống Nhất");
    assert_eq!(g["leader"], "Võ Thị Hồng");
    assert_eq!(w.groups().len(), 3);
    assert_eq!(w.branches().len(), 2);
}

#[test]
fn a_mark_and_a_vote_are_stored_and_in_the_audit_log() {
    let w = small_ward();
    let r = w.ok(&[
        "mark",
        "to dan pho dong tam",
        "CK-02",
        "biet",
        "done",
        "--note",
        "Niêm yết tại nhà văn hóa",
    ]);
    assert!(
        r.stdout.starts_with("Đã lưu: Tổ dân phố Đồng Tâm · CK-02"),
        "{}",
        r.stdout
    );
    let r = w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "250",
        "--agree",
        "200",
        "--date",
        "10/11/2026",
    ]);
    assert!(r.stdout.starts_with("Đạt: 200/300"), "{}", r.stdout);

    let row = w.item("Tổ dân phố Đồng Tâm", "CK-02");
    assert_eq!(row["steps"]["biet"], "done", "{row}");
    let report = w.ok(&["report", "--format", "json"]).json();
    let v = &report["votes"][0];
    assert_eq!(v["group"], "Tổ dân phố 1");
    assert_eq!(v["meeting_date"], "2026-11-10");
    assert_eq!(v["verdict"]["agree"], 200);
    assert_eq!(v["verdict"]["passes"], true);
    let log = w.log();
    assert!(
        log.iter()
            .any(|r| r.to_string().contains("Niêm yết tại nhà văn hóa")),
        "the note is in the audit log"
    );
    // The account as the system names it: getuid on Linux; GetUserNameW under Wine,
    // which answers with the Unix login the harness gives it (USER).
    let expected = if std::env::var_os("QCDC_TEST_RUNNER").is_some() {
        OS_USER.to_string()
    } else {
        me()
    };
    assert_eq!(log[0]["actor"]["os_user"], expected, "{}", log[0]);
}

#[test]
fn every_report_format_is_written_and_reads_back() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let text = w.ok(&["report"]).stdout;
    assert!(text.contains(SMALL_WARD), "{text}");
    assert!(text.contains("Tổ dân phố Đồng Tâm"), "{text}");
    let json = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(json["schema"], 3);
    assert_eq!(json["ward"], SMALL_WARD);

    let dir = w.dir.path().join("Báo cáo");
    std::fs::create_dir(&dir).unwrap();
    let out = |format: &str, name: &str| -> PathBuf {
        let p = dir.join(name);
        w.ok(&["report", "--format", format, "--out", &host_path(&p)]);
        assert!(p.is_file(), "{format}: no {}", p.display());
        p
    };
    let csv = std::fs::read(out("csv", "bao-cao.csv")).unwrap();
    assert!(csv.starts_with(b"\xef\xbb\xbf"), "Excel needs the BOM");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Tổ dân phố Đồng Tâm"), "{csv}");
    assert!(
        csv.lines().any(|l| l.contains(",Tổ dân phố 1,300,1,")),
        "{csv}"
    );
    let md = std::fs::read_to_string(out("md", "bao-cao.md")).unwrap();
    assert!(
        md.starts_with(&format!(
            "# Báo cáo kết quả thực hiện dân chủ ở cơ sở — {SMALL_WARD}"
        )),
        "{md}"
    );
    let text_file = std::fs::read_to_string(out("text", "bao-cao.txt")).unwrap();
    assert_eq!(text_file, text, "the file is what the screen shows");
    let json_file = std::fs::read(out("json", "bao-cao.json")).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&json_file).unwrap(),
        json
    );
    let xlsx = out("xlsx", "bao-cao.xlsx");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("the xlsx opens");
    assert_eq!(wb.sheet_names()[0], "Tổng hợp");
    let s = wb.worksheet_range("Chi bộ - Tổ").unwrap();
    assert!(
        s.cells()
            .any(|(_, _, c)| matches!(c, calamine::Data::String(s) if s == "Tổ dân phố Đồng Tâm")),
        "the groups are in the workbook"
    );
}

#[test]
fn a_backup_restores_the_ward_as_it_was_and_check_passes() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let before = w.ok(&["report", "--format", "json"]).json();
    let dir = w.dir.path().join("Sao lưu");
    let r = w.ok(&["backup", &host_path(&dir)]);
    assert!(r.stdout.starts_with("Đã sao lưu"), "{}", r.stdout);
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a backup file");
    assert!(
        dir.join(format!(
            "{}.sha256",
            file.file_name().unwrap().to_string_lossy()
        ))
        .is_file()
    );

    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "biet", "done"]);
    assert_eq!(w.item("Tổ dân phố 2", "CK-02")["steps"]["biet"], "done");
    let r = w.ok(&["restore", &host_path(&file)]);
    assert!(r.stdout.contains("Đã khôi phục"), "{}", r.stdout);
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), before);
    assert_eq!(w.item("Tổ dân phố 2", "CK-02")["steps"]["biet"], "todo");
    assert!(
        w.dir
            .path()
            .join("ward.db.before-restore")
            .join("db")
            .is_file(),
        "the replaced database is kept aside"
    );
    let r = w.ok(&["check"]);
    assert!(r.stdout.contains("Không phát hiện lỗi"), "{}", r.stdout);
    let j = w.ok(&["check", "--format", "json"]).json();
    assert_eq!(j["problems"], serde_json::json!([]));
    assert_eq!(j["groups"], SMALL_GROUPS.len());
}

#[test]
fn a_damaged_database_is_refused_and_its_files_stay_as_they_were() {
    let w = small_ward();
    // A flipped run of bytes in sled's log, as a failing disk or a half-copied USB
    // stick leaves it.
    let log = w.db.join("db");
    let mut bytes = std::fs::read(&log).unwrap();
    for b in &mut bytes[200..264] {
        *b = 0xff;
    }
    std::fs::write(&log, bytes).unwrap();
    let before = files(&w.db);
    let outside = names_in(w.dir.path());

    let r = w.run(&["group", "list"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("bị hỏng"), "{}", r.stderr);
    assert!(r.stderr.contains(&host_path(&w.db)), "{}", r.stderr);
    let r = w.run(&["--lang", "en", "check"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("damaged"), "{}", r.stderr);

    // Nothing repaired over what could still be read, no trial copy left behind.
    assert!(files(&w.db) == before, "the database's files changed");
    assert_eq!(names_in(w.dir.path()), outside);
}

#[test]
fn a_trial_copy_left_by_a_process_that_is_gone_is_removed() {
    let w = small_ward();
    // A process killed while it checked a copy of the database left this behind (no
    // process has this id: Linux's and Wine's ids stay far below it).
    let stale = w.dir.path().join(".ward.db.qcdc-check-4000000-0");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("db"), b"copy").unwrap();
    // This test's own process runs: its copy is not touched. (Under Wine, process ids
    // are Wine's own, so a Unix id says nothing there.)
    let live = w
        .dir
        .path()
        .join(format!(".ward.db.qcdc-check-{}-0", std::process::id()));
    if !target().under_wine() {
        std::fs::create_dir(&live).unwrap();
    }
    // Without the seal of a clean exit, the next open checks a copy first.
    let _ = std::fs::remove_file(w.db.join("qcdc-seal"));
    w.ok(&["group", "list"]);
    assert!(!stale.exists(), "the stale copy is still there");
    if !target().under_wine() {
        assert!(live.exists(), "a running process's copy was removed");
        std::fs::remove_dir(&live).unwrap();
    }
    assert_eq!(
        names_in(w.dir.path()),
        ["ward.db"],
        "no copy of this run left behind"
    );
}

#[test]
fn without_user_in_the_environment_the_audit_log_names_the_account() {
    let w = small_ward();
    let mut c = qcdc(&w.db);
    c.env_remove("USER").env_remove("USERNAME");
    c.args(["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // On Windows the name comes from GetUserNameW; Wine answers with the Unix login.
    let me = Command::new("id").arg("-un").output();
    let log = w.log();
    match me {
        Ok(me) if me.status.success() => {
            let me = String::from_utf8(me.stdout).unwrap();
            assert_eq!(log[0]["actor"]["os_user"], me.trim(), "{}", log[0]);
        }
        _ => assert_ne!(log[0]["actor"]["os_user"], "unknown", "{}", log[0]),
    }
}

#[test]
fn the_default_database_is_in_the_platform_data_folder() {
    let scratch = tempfile::tempdir().unwrap();
    let mut c = target().command();
    c.env_remove("QCDC_DB")
        .env("QCDC_TODAY", TODAY)
        .env("XDG_DATA_HOME", scratch.path())
        .current_dir(scratch.path())
        .args(["--lang", "en", "group", "list"]);
    let r = run_cmd(c);
    if target().is_windows() {
        if r.code == 0 {
            // A Wine prefix (or a PC) where qcdc already keeps a ward: nothing to learn
            // without touching it. CI's prefix is new.
            assert!(
                std::env::var_os("CI").is_none(),
                "CI's Wine prefix must be a new one"
            );
            eprintln!("note: a default database exists already; its folder was not checked");
            return;
        }
        // %LOCALAPPDATA%: the local profile, not the roaming one.
        assert!(
            r.stderr.contains(r"\AppData\Local\qcdc\qcdc\data\ward.db"),
            "{}",
            r.stderr
        );
        let drive = r.stderr.split("No database at ").nth(1).unwrap_or("");
        assert!(
            drive.as_bytes().get(1) == Some(&b':') && drive.as_bytes().get(2) == Some(&b'\\'),
            "{}",
            r.stderr
        );
    } else {
        assert_ne!(r.code, 0);
        let expected = scratch.path().join("qcdc").join("ward.db");
        assert!(
            r.stderr
                .contains(&format!("No database at {}.", expected.display())),
            "{}",
            r.stderr
        );
        assert!(!expected.exists(), "looking created nothing");
    }
}

#[test]
fn the_ward_server_is_offered_only_where_it_runs() {
    let w = small_ward();
    let help = w.ok(&["--help"]).stdout;
    if target().is_windows() {
        assert!(!help.contains("serve"), "{help}");
        let r = w.fails(&["serve"], 2);
        assert!(r.stderr.contains("chỉ chạy trên Linux"), "{}", r.stderr);
        let r = w.fails(&["--lang", "en", "serve"], 2);
        assert!(r.stderr.contains("runs on Linux only"), "{}", r.stderr);
    } else {
        assert!(help.contains("serve"), "{help}");
    }
}

/// A qcdc window: the TUI of the binary under test in a terminal (tmux), on `db`.
struct Window {
    socket: String,
}

impl Window {
    /// `None` (with a note) where tmux is missing outside CI.
    fn open(name: &str, db: &Path) -> Option<Window> {
        let have_tmux = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have_tmux {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is missing in CI: .ci/run must install it"
            );
            eprintln!("note: tmux is not installed; the second-window test did not run");
            return None;
        }
        let t = target();
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let mut cmd = format!("env QCDC_TODAY={TODAY} USER={OS_USER} WINEDEBUG=-all ");
        if let Some(r) = &t.runner {
            cmd += &quote(r.to_str().unwrap());
            cmd += " ";
        }
        cmd += &format!(
            "{} --ascii --db {}",
            quote(t.bin.to_str().unwrap()),
            quote(&host_path(db))
        );
        let socket = format!("qcdc-win-{}-{name}", std::process::id());
        let st = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "w",
            ])
            .args(["-x", "100", "-y", "30", &cmd])
            .status()
            .expect("tmux new-session");
        assert!(st.success());
        let win = Window { socket };
        // The key bar is drawn once the database is open (Wine takes a few seconds).
        win.wait(|s| s.contains("thoat"), "the TUI's key bar");
        Some(win)
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "w"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "w"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn wait(&self, done: impl Fn(&str) -> bool, what: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if done(&s) {
                return;
            }
            assert!(
                self.alive() && start.elapsed() < Duration::from_secs(60),
                "waited for {what}; the window shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Quit with `q`, as a user closes it.
    fn close(&self) {
        let st = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "w", "q"])
            .status()
            .expect("send-keys");
        assert!(st.success());
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "qcdc did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[test]
fn a_second_qcdc_is_told_the_database_is_open_in_another_window() {
    let w = small_ward();
    let Some(window) = Window::open("busy", &w.db) else {
        return;
    };
    let vi = w.fails(&["group", "list"], 75);
    let en = w.fails(
        &[
            "--lang",
            "en",
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
        ],
        75,
    );
    assert!(vi.stderr.contains(&host_path(&w.db)), "{}", vi.stderr);
    if target().is_windows() {
        // No ward server on Windows: name what to do on the PC.
        assert!(
            vi.stderr.contains("hãy đóng cửa sổ qcdc kia"),
            "{}",
            vi.stderr
        );
        assert!(
            en.stderr.contains("close the other qcdc window"),
            "{}",
            en.stderr
        );
        assert!(!vi.stderr.contains("serve") && !en.stderr.contains("serve"));
    } else {
        assert!(
            vi.stderr
                .contains("đang được một chương trình qcdc khác mở"),
            "{}",
            vi.stderr
        );
        assert!(en.stderr.contains("qcdc serve"), "{}", en.stderr);
    }
    // init on a busy path is busy too, not "already initialised".
    w.fails(&["init", "--ward", "X"], 75);

    window.close();
    let row = w.item("Tổ dân phố 1", "CK-02");
    assert_eq!(row["steps"]["biet"], "todo", "the busy mark wrote nothing");
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    assert_eq!(w.item("Tổ dân phố 1", "CK-02")["steps"]["biet"], "done");
}
