//! End to end: the real binary in a real terminal (tmux), driven as a user would.
//!
//! Start on a fresh demo database, move to a group, toggle a step, record a meeting in
//! the entry form, quit; reopen and find the changes. The same flow runs under
//! `NO_COLOR` and `--ascii`. `.ci/run` installs tmux; without it (outside CI) the test
//! says so and returns.

use crate::common::{TODAY, run};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn start(name: &str, cmd: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("qcdc-e2e-{}-{name}", std::process::id());
        let st = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "e2e",
            ])
            .args(["-x", &w.to_string(), "-y", &h.to_string()])
            .arg(cmd)
            .status()
            .expect("tmux new-session");
        assert!(st.success());
        Tmux { socket }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let st = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "e2e", k])
                .status()
                .expect("send-keys");
            assert!(st.success());
            // A human pace is not needed, but keep events in separate reads.
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn text(&self, s: &str) {
        let st = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "e2e", "-l", s])
            .status()
            .expect("send-keys -l");
        assert!(st.success());
        std::thread::sleep(Duration::from_millis(40));
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "e2e"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("waited 15 s for {what:?}; the screen shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "e2e"])
            .status()
            .is_ok_and(|s| s.success())
    }

    fn wait_exit(&self) {
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "qcdc did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn tmux_or_skip() -> bool {
    if Tmux::available() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is missing in CI: .ci/run must install it"
    );
    eprintln!("note: tmux is not installed; the end-to-end TUI test did not run");
    false
}

/// The whole flow; `env` and `flags` select the variant.
fn flow(name: &str, env: &str, flags: &str, ascii: bool) {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    // The shell keeps the pane open after qcdc exits only long enough to see the status.
    let cmd = format!(
        "env TERM=xterm-256color QCDC_TODAY={TODAY} USER=tester QCDC_CONFIG={} {env} {} --db {} {flags} demo; echo EXIT=$?; sleep 3",
        shell_quote(&dir.path().join("no-config.toml").display().to_string()),
        shell_quote(env!("CARGO_BIN_EXE_qcdc")),
        shell_quote(&db.display().to_string()),
    );
    let t = Tmux::start(name, &cmd, 80, 24);
    let ward = if ascii {
        "Phuong Thanh Tam"
    } else {
        "Phường Thanh Tâm"
    };
    let first = t.wait_for(ward);
    if ascii {
        assert!(first.is_ascii(), "--ascii drew non-ASCII:\n{first}");
    }
    // The first group is selected; move down to the next group.
    t.keys(&["Down"]);
    // Checklist pane, toggle the first step of the first item.
    t.keys(&["Tab", "Space"]);
    t.wait_for(if ascii { "Da luu" } else { "Đã lưu" });
    // Find a contribution decision, open it, record a meeting.
    t.keys(&["/"]);
    t.text("muc dong gop");
    t.keys(&["Enter", "Enter"]);
    t.wait_for(if ascii {
        "Tong so ho"
    } else {
        "Tổng số hộ"
    });
    // Fields: four steps, meeting date, households, present, agree.
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    for _ in 0..12 {
        t.keys(&["BSpace"]);
    }
    t.text("15/11/2026");
    t.keys(&["Tab"]);
    for _ in 0..8 {
        t.keys(&["BSpace"]);
    }
    t.text("300");
    t.keys(&["Tab"]);
    for _ in 0..8 {
        t.keys(&["BSpace"]);
    }
    t.text("250");
    t.keys(&["Tab"]);
    for _ in 0..8 {
        t.keys(&["BSpace"]);
    }
    t.text("205");
    t.wait_for(if ascii {
        "Dat: 205/300"
    } else {
        "Đạt: 205/300"
    });
    t.keys(&["C-s"]);
    t.wait_for(if ascii { "Da luu" } else { "Đã lưu" });
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    t.wait_exit();

    // Reopen through the command line: both changes are there, with their audit records.
    let log = run(&db, &["log", "--format", "json", "--limit", "10"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    let recs = log.json();
    let actions: Vec<&str> = recs
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(&actions[..2], ["edit", "mark"], "{recs:#}");
    let edit = &recs[0];
    let changes = edit["changes"].as_array().expect("changes");
    let vote = changes
        .iter()
        .find(|c| c["field"] == "vote")
        .expect("vote change");
    assert!(
        vote["new"]
            .as_str()
            .unwrap_or("")
            .starts_with("300/250/205"),
        "{vote}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "meeting_date" && c["new"] == "2026-11-15")
    );
    assert_eq!(edit["actor"]["os_user"], crate::common::me());

    // And the TUI shows them again on reopening.
    let t = Tmux::start(&format!("{name}-again"), &cmd, 80, 24);
    t.wait_for(ward);
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
}

#[test]
fn tui_flow_on_a_fresh_demo_database() {
    flow("plain", "", "", false);
}

#[test]
fn tui_flow_under_no_color() {
    flow("nocolor", "NO_COLOR=1", "", false);
}

#[test]
fn tui_flow_in_ascii_mode() {
    flow("ascii", "", "--ascii", true);
}

#[test]
fn tui_refuses_to_start_without_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(&dir.path().join("w.db"), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("qcdc report"), "{}", r.stderr);
}

#[test]
fn tui_survives_resizing_to_tiny_and_back() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let cmd = format!(
        "env QCDC_TODAY={TODAY} QCDC_CONFIG={} {} --db {} demo; echo EXIT=$?; sleep 3",
        shell_quote(&dir.path().join("no-config.toml").display().to_string()),
        shell_quote(env!("CARGO_BIN_EXE_qcdc")),
        shell_quote(&db.display().to_string()),
    );
    let t = Tmux::start("resize", &cmd, 80, 24);
    t.wait_for("Phường Thanh Tâm");
    for (w, h) in [("20", "5"), ("1", "1"), ("120", "40"), ("80", "24")] {
        let st = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "resize-window",
                "-t",
                "e2e",
                "-x",
                w,
                "-y",
                h,
            ])
            .status()
            .expect("resize");
        assert!(st.success());
        std::thread::sleep(Duration::from_millis(200));
    }
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
}

// ---- journeys of issue 11, in the real binary, checked in the database afterwards ----

/// The command that runs qcdc on `db` in a pane, with drafts kept under `state`.
fn qcdc_cmd(db: &std::path::Path, state: &std::path::Path, flags: &str) -> String {
    format!(
        "env TERM=xterm-256color LANG=C.UTF-8 QCDC_TODAY={TODAY} USER=tester QCDC_STATE_DIR={} QCDC_CONFIG={} {} --db {} {flags}",
        shell_quote(&state.display().to_string()),
        shell_quote(&state.join("no-config.toml").display().to_string()),
        shell_quote(env!("CARGO_BIN_EXE_qcdc")),
        shell_quote(&db.display().to_string()),
    )
}

fn demo_db(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    let r = run(&db, &["init", "--demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    db
}

#[test]
fn tui_search_then_tick_writes_to_the_searched_group() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let cmd = format!(
        "{}; echo EXIT=$?; sleep 3",
        qcdc_cmd(&db, &dir.path().join("state"), "")
    );
    let t = Tmux::start("search-tick", &cmd, 80, 24);
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["/"]);
    t.text("to dan pho 3");
    t.keys(&["Enter", "Tab", "Space"]);
    t.wait_for("Đã lưu");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    let log = run(&db, &["log", "--format", "json", "--limit", "1"]).json();
    let groups = run(&db, &["group", "list", "--format", "json"]).json();
    let tdp3 = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Tổ dân phố 3")
        .unwrap()["id"]
        .clone();
    assert_eq!(log[0]["action"], "mark");
    assert_eq!(log[0]["group"], tdp3, "{log:#}");
    let text = run(&db, &["log", "--limit", "1"]).stdout;
    assert!(text.contains("Tổ dân phố 3 · CK-01"), "{text}");
}

#[test]
fn tui_posting_dates_on_ck01_are_saved_and_shown_by_items() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let cmd = format!(
        "{}; echo EXIT=$?; sleep 3",
        qcdc_cmd(&db, &dir.path().join("state"), "")
    );
    let t = Tmux::start("posting", &cmd, 80, 23);
    t.wait_for("Phường Thanh Tâm");
    // Tổ dân phố 1 is the first group; CK-01 is the first row of its checklist.
    t.keys(&["Tab", "Enter"]);
    t.wait_for("Niêm yết đến ngày");
    // Fields: Dân biết, Dân kiểm tra, then the two posting dates.
    t.keys(&["Tab", "Tab", "Tab"]);
    for _ in 0..12 {
        t.keys(&["BSpace"]);
    }
    t.text("30/10/2026");
    t.keys(&["C-s"]);
    t.wait_for("Đã lưu");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    let items = run(&db, &["items", "Tổ dân phố 1"]).stdout;
    assert!(items.contains("→ 30/10/2026"), "{items}");
    let json = run(&db, &["items", "Tổ dân phố 1", "--format", "json"]).json();
    let ck = json
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "CK-01")
        .unwrap()
        .clone();
    assert_eq!(ck["evidence"]["posted_to"], "2026-10-30", "{ck:#}");
}

#[test]
fn tui_a_draft_left_at_quit_is_offered_back_on_the_next_start() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let state = dir.path().join("state");
    let cmd = format!("{}; echo EXIT=$?; sleep 3", qcdc_cmd(&db, &state, ""));
    let t = Tmux::start("draft", &cmd, 80, 24);
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["Tab", "Enter"]);
    t.wait_for("Ghi chú");
    // Down to the note (the last field) and type into it.
    t.keys(&["BTab"]);
    t.text(" — bản nháp");
    t.keys(&["Escape"]);
    t.wait_for("bản nháp chưa lưu");
    t.keys(&["q"]);
    t.wait_for("Thoát?");
    t.keys(&["c"]);
    t.wait_for("EXIT=0");
    drop(t);
    let t = Tmux::start("draft-again", &cmd, 80, 24);
    t.wait_for("Bản nháp chưa lưu từ lần trước");
    t.keys(&["Enter"]);
    t.wait_for("CK-01 · Tổ dân phố 1");
    t.keys(&["C-s"]);
    t.wait_for("Đã lưu");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    let json = run(&db, &["items", "Tổ dân phố 1", "--format", "json"]).json();
    let ck = json
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "CK-01")
        .unwrap()
        .clone();
    assert!(
        ck["evidence"]["note"]
            .as_str()
            .unwrap_or("")
            .ends_with("— bản nháp"),
        "{ck:#}"
    );
}

#[test]
fn tui_ctrl_z_suspends_and_fg_resumes() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    // An interactive shell with job control, as over SSH.
    let t = Tmux::start("suspend", "env PS1='SHELL$ ' bash --norc -i", 80, 24);
    t.wait_for("SHELL$");
    t.text(&qcdc_cmd(&db, &dir.path().join("state"), ""));
    t.keys(&["Enter"]);
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["C-z"]);
    let s = t.wait_for("Stopped");
    assert!(
        !s.contains("Phường Thanh Tâm"),
        "the screen is the shell's:\n{s}"
    );
    t.text("fg");
    t.keys(&["Enter"]);
    t.wait_for("Chi bộ · Tổ dân phố");
    // Still working after the resume: a mark is saved.
    t.keys(&["Tab", "Space"]);
    t.wait_for("Đã lưu");
    t.keys(&["q"]);
    t.wait_for("SHELL$");
    assert_eq!(
        run(&db, &["log", "--format", "json", "--limit", "1"]).json()[0]["action"],
        "mark"
    );
}

#[test]
fn tui_small_terminals_render_and_long_names_keep_their_number() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let long = "Tổ dân phố 15 (khu dân cư chung cư Nguyễn Trãi, đường Đinh Tiên Hoàng)";
    let r = run(
        &db,
        &[
            "group",
            "add",
            long,
            "--branch",
            "Chi bộ Tổ dân phố 1",
            "--households",
            "96",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (w, h) in [(80u16, 23u16), (60, 20)] {
        let cmd = format!(
            "{}; echo EXIT=$?; sleep 3",
            qcdc_cmd(&db, &dir.path().join("state"), "")
        );
        let t = Tmux::start(&format!("small-{w}x{h}"), &cmd, w, h);
        let s = t.wait_for("TDP 15");
        assert!(!s.contains("phóng to"), "{w}×{h} refused:\n{s}");
        assert!(s.contains("q thoát"), "{w}×{h}:\n{s}");
        t.keys(&["q"]);
        t.wait_for("EXIT=0");
    }
}

/// The Linux console and a C locale have no Vietnamese fonts: ASCII, and never `?`.
#[test]
fn tui_falls_back_to_ascii_on_the_linux_console_and_a_c_locale() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    for (name, env) in [("linux", "TERM=linux"), ("c-locale", "LANG=C LC_ALL=C")] {
        let cmd = format!(
            "{}; echo EXIT=$?; sleep 3",
            qcdc_cmd(&db, &dir.path().join("state"), "").replacen(
                "env ",
                &format!("env {env} "),
                1
            )
        );
        // The later assignment wins in `env`: put ours after the defaults.
        let cmd = cmd.replace(
            &format!("env {env} TERM=xterm-256color LANG=C.UTF-8"),
            &format!("env TERM=xterm-256color LANG=C.UTF-8 {env}"),
        );
        let t = Tmux::start(&format!("ascii-{name}"), &cmd, 80, 24);
        let s = t.wait_for("Phuong Thanh Tam");
        assert!(s.is_ascii(), "{name}:\n{s}");
        assert!(!s.contains("??"), "{name}:\n{s}");
        t.keys(&["q"]);
        t.wait_for("EXIT=0");
    }
}

/// Issue 14: figures and the narrative typed in the real terminal are stored.
#[test]
fn tui_figures_and_narrative_typed_in_a_terminal_are_stored() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let cmd = format!(
        "{}; echo EXIT=$?; sleep 3",
        qcdc_cmd(&db, &dir.path().join("state"), "")
    );
    let t = Tmux::start("figures", &cmd, 80, 24);
    t.wait_for("Phường Thanh Tâm");
    // Tổ dân phố 1 is on screen; its first figure is the residents' count.
    t.keys(&["F"]);
    t.wait_for("Chỉ tiêu — Tổ dân phố 1");
    t.text("1.234");
    t.keys(&["Enter"]);
    t.wait_for("Đã lưu");
    t.keys(&["Escape"]);
    t.keys(&["N"]);
    t.wait_for("Phần viết của báo cáo");
    t.text("Các tổ họp đủ, đúng hạn.");
    t.keys(&["Enter"]);
    t.text("Số hộ dự tăng.");
    t.keys(&["C-s"]);
    t.wait_for("Đã lưu");
    t.keys(&["Escape", "q"]);
    t.wait_for("EXIT=0");
    let figs = run(
        &db,
        &[
            "--period",
            "2026-Q4",
            "figure",
            "list",
            "Tổ dân phố 1",
            "--format",
            "json",
        ],
    )
    .json();
    let dc = figs["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DC-01")
        .unwrap()
        .clone();
    assert_eq!(dc["total"], 1234, "{figs:#}");
    let n = run(
        &db,
        &[
            "--period",
            "2026-Q4",
            "narrative",
            "show",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(
        n["sections"]["danh-gia"],
        "Các tổ họp đủ, đúng hạn.\nSố hộ dự tăng."
    );
}

/// Issue 13: the agenda screen (`D`) lists what is late and what falls due, soonest
/// first; `Enter` opens that group's checklist on that item and period, and a tick
/// there is written to that very entry (checked in the audit log afterwards).
#[test]
fn tui_agenda_lists_the_soonest_and_enter_opens_it_for_editing() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let due = run(&db, &["due", "--days", "30", "--format", "json"]).json();
    let first = due.as_array().expect("agenda")[0].clone();
    assert_eq!(first["late"], true, "{first:#}");
    let cmd = format!(
        "{}; echo EXIT=$?; sleep 3",
        qcdc_cmd(&db, &dir.path().join("state"), "")
    );
    let t = Tmux::start("agenda", &cmd, 80, 24);
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["D"]);
    let screen = t.wait_for("Việc đến hạn");
    let date = first["date"].as_str().unwrap();
    let shown = format!("{}/{}/{}", &date[8..10], &date[5..7], &date[0..4]);
    let line = screen
        .lines()
        .find(|l| l.contains(&shown))
        .unwrap_or_else(|| panic!("no {shown} line:\n{screen}"));
    assert!(line.contains("QUÁ HẠN"), "{line}");
    assert!(line.contains(first["item"].as_str().unwrap()), "{line}");
    t.keys(&["Enter"]);
    t.wait_for(first["item"].as_str().unwrap());
    t.keys(&["Space"]);
    t.wait_for("Đã lưu");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    let log = run(&db, &["log", "--format", "json", "--limit", "1"]).json();
    assert_eq!(log[0]["action"], "mark", "{log:#}");
    assert_eq!(log[0]["item"], first["item"], "{log:#}");
    assert_eq!(log[0]["period"], first["period"], "{log:#}");
}

/// Issue 13: on the agenda, `m` records the selected law deadline done today — the
/// first late line of the demo, a decision's sending to UBND (Điều 20 khoản 3 Luật
/// 10/2022/QH15) — and the status line says so only once saved; what is STORED is read
/// back with `qcdc items --format json` after quitting, and the line is off `qcdc due`.
#[test]
fn tui_agenda_m_records_the_sending_done_dieu_20_khoan_3() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_db(dir.path());
    let due = run(&db, &["due", "--days", "30", "--format", "json"]).json();
    let first = due.as_array().expect("agenda")[0].clone();
    assert_eq!(first["code"], "send-result", "{first:#}");
    assert_eq!(first["late"], true, "{first:#}");
    let cmd = format!(
        "{}; echo EXIT=$?; sleep 3",
        qcdc_cmd(&db, &dir.path().join("state"), "")
    );
    let t = Tmux::start("agenda-m", &cmd, 100, 30);
    t.wait_for("Phường Thanh Tâm");
    t.keys(&["D"]);
    t.wait_for("[send-result]");
    t.keys(&["m"]);
    t.wait_for("Đã ghi đã làm");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    let group = first["group"].as_str().unwrap();
    let key = first["key"].as_str().unwrap();
    let items = run(&db, &["items", group, "--format", "json"]).json();
    let row = items
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {group}"));
    assert_eq!(
        row["evidence"]["met"],
        serde_json::json!([{"code": "send-result", "date": crate::common::TODAY}]),
        "{row:#}"
    );
    let after = run(&db, &["due", "--days", "30", "--format", "json"]).json();
    assert!(
        !after
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == group && r["key"] == key && r["code"] == "send-result"),
        "{after:#}"
    );
}
