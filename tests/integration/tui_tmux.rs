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
    assert_eq!(edit["actor"]["os_user"], "tester");

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
