//! `qcdc log` and `qcdc undo`: who changed what, from what to what.

use crate::common::*;

#[test]
fn log_shows_the_member_the_os_user_and_old_to_new_for_a_mark() {
    let w = small_ward();
    w.ok(&[
        "--as",
        "Chị Lan",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "biet",
        "done",
    ]);
    let log = w.log();
    let rec = &log[0];
    assert_eq!(rec["action"], "mark");
    assert_eq!(rec["actor"]["member"], "Chị Lan");
    assert_eq!(rec["actor"]["os_user"], me());
    assert_eq!(rec["item"], "CK-02");
    assert_eq!(rec["period"], "2026-Q4");
    assert_eq!(
        rec["changes"],
        serde_json::json!([{"field": "step:biet", "old": "todo", "new": "done"}])
    );
    let text = w.ok(&["log", "--limit", "1"]).stdout;
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains(&format!("Chị Lan ({})", me())), "{text}");
    assert!(text.contains("Tổ dân phố 1 · CK-02 · 2026-Q4"), "{text}");
    assert!(text.contains("Dân biết: chưa làm → đã xong"), "{text}");

    // QCDC_MEMBER names the member too; without any, the OS user is the member.
    let mut c = qcdc(&w.db);
    c.env("QCDC_MEMBER", "Anh Minh")
        .args(["mark", "Tổ dân phố 1", "CK-02", "kiemtra", "doing"]);
    assert_eq!(run_cmd(c).code, 0);
    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "biet", "doing"]);
    let log = w.log();
    assert_eq!(log[1]["actor"]["member"], "Anh Minh");
    assert_eq!(log[0]["actor"]["member"], me());
    let text = w.ok(&["log", "--limit", "1"]).stdout;
    assert!(text.contains(&format!("  {}  ", me())), "{text}");
}

#[test]
fn log_filters_by_group_and_limits() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "biet", "done"]);
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "kiemtra", "done"]);
    let g1 = w
        .ok(&["log", "--group", "Tổ dân phố 1", "--format", "json"])
        .json();
    let g1 = g1.as_array().expect("array");
    // The two marks and the add-group record of Tổ dân phố 1.
    assert_eq!(g1.len(), 3, "{g1:?}");
    let limited = w.ok(&["log", "--limit", "2", "--format", "json"]).json();
    assert_eq!(limited.as_array().expect("array").len(), 2);
    let seqs: Vec<u64> = w
        .log()
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|p| p[0] > p[1]),
        "newest first: {seqs:?}"
    );
}

#[test]
fn undo_reverts_the_last_mark_as_a_new_audit_record() {
    let w = small_ward();
    w.ok(&[
        "--as",
        "Chị Lan",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "biet",
        "doing",
    ]);
    w.ok(&[
        "--as",
        "Chị Lan",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "biet",
        "done",
    ]);
    let before = w.log();
    let undone_seq = before[0]["seq"].as_u64().expect("seq");

    let out = w.ok(&["--as", "Chị Lan", "undo"]);
    assert!(out.stdout.starts_with("Đã hoàn tác"), "{}", out.stdout);
    let after = w.log();
    assert_eq!(after.len(), before.len() + 1, "the log grows by one");
    assert_eq!(&after[1..], &before[..], "nothing is rewritten");
    let rec = &after[0];
    assert_eq!(rec["action"], "undo");
    assert_eq!(rec["undoes"], undone_seq);
    assert_eq!(
        rec["changes"],
        serde_json::json!([{"field": "step:biet", "old": "done", "new": "doing"}])
    );
    let row = w.item("Tổ dân phố 1", "CK-02");
    assert_eq!(row["steps"]["biet"], "doing", "the old status is back");

    // A second undo goes one further back; then there is nothing left of hers.
    w.ok(&["--as", "Chị Lan", "undo"]);
    assert_eq!(w.item("Tổ dân phố 1", "CK-02")["steps"]["biet"], "todo");
    let none = w.ok(&["--as", "Chị Lan", "--lang", "en", "undo"]);
    assert_eq!(none.stdout.trim(), "Nothing of yours to undo.");
}

#[test]
fn undo_only_reverts_the_callers_own_changes() {
    let w = small_ward();
    w.ok(&[
        "--as",
        "Chị Lan",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "biet",
        "done",
    ]);
    let log = w.log();
    let other = w.ok(&["--as", "Anh Minh", "undo"]);
    assert!(
        other.stdout.contains("Không có thay đổi nào của bạn"),
        "{}",
        other.stdout
    );
    assert_eq!(w.log(), log);
    assert_eq!(w.item("Tổ dân phố 1", "CK-02")["steps"]["biet"], "done");
}

#[test]
fn undo_of_a_change_someone_else_has_since_changed_is_refused() {
    let w = small_ward();
    w.ok(&[
        "--as",
        "Chị Lan",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "kiemtra",
        "done",
    ]);
    w.ok(&[
        "--as",
        "Anh Minh",
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "kiemtra",
        "doing",
    ]);
    let log = w.log();
    // Exit 75: a temporary failure; look at the current value and try again.
    let r = w.fails(&["--as", "Chị Lan", "undo"], 75);
    assert!(
        r.stderr.contains("Người khác vừa sửa mục này"),
        "{}",
        r.stderr
    );
    assert_eq!(w.log(), log, "nothing written");
    assert_eq!(w.item("Tổ dân phố 1", "CK-02")["steps"]["kiemtra"], "doing");
}

#[test]
fn undo_restores_a_vote_and_its_meeting_date() {
    let w = small_ward();
    let vote = |agree: &str, date: &str, form: &str| {
        w.ok(&[
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "250",
            "--agree",
            agree,
            "--date",
            date,
            "--form",
            form,
        ])
    };
    vote("200", "10/08/2026", "meeting");
    vote("150", "2026-09-01", "ballot");
    let out = w.ok(&["undo"]);
    assert!(
        out.stdout.contains("01/09/2026 → 10/08/2026"),
        "{}",
        out.stdout
    );
    // Reported in the period of its date (issue 13): the third quarter.
    let r = w
        .ok(&["--period", "2026-Q3", "report", "--format", "json"])
        .json();
    let v = &r["votes"][0];
    assert_eq!(v["meeting_date"], "2026-08-10");
    assert_eq!(v["verdict"]["agree"], 200);
    assert_eq!(v["verdict"]["passes"], true);
}

/// The confirmation names the group as stored, whatever the spelling typed; with no
/// `USER` in the environment the audit log records the account the process runs as
/// (from the system), not "unknown". Unix only (`id -un`); on Windows:
/// windows_cli::without_user_in_the_environment_the_audit_log_names_the_account.
#[cfg(unix)]
#[test]
fn a_mark_names_the_group_as_stored_and_the_account_without_user_set() {
    let w = small_ward();
    let mut c = qcdc(&w.db);
    c.env_remove("USER").env_remove("USERNAME");
    c.args(["mark", "to dan pho 1", "CK-02", "biet", "done"]);
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("Đã lưu: Tổ dân phố 1 · CK-02"),
        "{}",
        r.stdout
    );
    let me = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .expect("id -un")
            .stdout,
    )
    .expect("utf-8");
    let log = w.log();
    assert_eq!(log[0]["actor"]["os_user"], me.trim(), "{}", log[0]);
}

/// `qcdc undo --group G` asks first when the last change is another group's, and
/// refuses without a terminal unless `--yes`; `qcdc redo` brings an undone change back.
#[test]
fn undo_in_another_group_asks_first_and_redo_brings_it_back() {
    let w = small_ward();
    let status = |w: &Ward| -> String {
        let items = w.ok(&["items", "Tổ dân phố 1", "--format", "json"]).json();
        let ck = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "CK-02")
            .unwrap()
            .clone();
        ck["steps"]["biet"].as_str().unwrap().to_string()
    };
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    assert_eq!(status(&w), "done");
    let refused = w.fails(&["undo", "--group", "Tổ dân phố 2"], 65);
    assert!(
        refused.stderr.contains("Tổ dân phố 1"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(status(&w), "done", "nothing undone");
    // In the named group: no question.
    let out = w.ok(&["undo", "--group", "to dan pho 1"]);
    assert!(
        out.stdout.contains("Dân biết: đã xong → chưa làm"),
        "{}",
        out.stdout
    );
    assert_eq!(status(&w), "todo");
    let out = w.ok(&["redo"]);
    assert!(out.stdout.starts_with("Đã làm lại"), "{}", out.stdout);
    assert_eq!(status(&w), "done");
    assert_eq!(w.log()[0]["action"], "redo");
    // The redone change can be undone again, and with --yes from anywhere.
    w.ok(&["undo", "--group", "Tổ dân phố 2", "--yes"]);
    assert_eq!(status(&w), "todo");
    // Nothing left to redo after a new change.
    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "biet", "doing"]);
    let out = w.ok(&["redo"]);
    assert!(out.stdout.contains("Không có thay đổi"), "{}", out.stdout);
}
