//! Issue 12's backup, restore and check findings: a rotation that counts only real
//! backups, killed backups that leave nothing behind, a restore cut short that is
//! finished or undone, a restore that asks before replacing another ward or ending the
//! member list and is for administrators, `check` that calls only damage damaged, and
//! output that stays valid JSON whatever the names hold.

use crate::common::*;
use std::path::{Path, PathBuf};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> String {
    host_path(p)
}

/// Finding 5: 14 junk files matching the rotation's pattern made the admin's next
/// backup "remove 6 old backups" and leave none.
#[test]
fn the_rotation_counts_and_removes_only_this_wards_verified_backups() {
    let w = small_ward();
    let dir = w.dir.path().join("sao-luu");
    std::fs::create_dir_all(&dir).unwrap();
    // Planted: named like this ward's backups, older than any real one.
    let mut junk = Vec::new();
    for day in 1..=14 {
        let p = dir.join(format!("qcdc-phuong-thu-nghiem-202601{day:02}-000000.json"));
        std::fs::write(&p, b"{}").unwrap();
        junk.push(p);
    }
    // Another ward whose name folds to the same slug writes to the same folder.
    let other = Ward::empty();
    other.ok(&["init", "--ward", "Phuong Thu Nghiem"]);
    other.ok(&["backup", &s(&dir)]);
    let others: Vec<PathBuf> = json_files(&dir)
        .into_iter()
        .filter(|p| !junk.contains(p))
        .collect();
    assert_eq!(others.len(), 1);

    let mut real = Vec::new();
    for _ in 0..4 {
        let r = w.ok(&["backup", &s(&dir), "--keep", "2"]);
        real = json_files(&dir)
            .into_iter()
            .filter(|p| !junk.contains(p) && !others.contains(p))
            .collect();
        assert!(
            !real.is_empty(),
            "a backup must never remove every real one"
        );
        // Planted and foreign files are named on stderr, once each.
        assert!(r.stderr.contains("không tính, không xóa"), "{}", r.stderr);
    }
    assert_eq!(real.len(), 2, "the two newest real backups: {real:?}");
    for p in junk.iter().chain(&others) {
        assert!(p.exists(), "{} was removed", p.display());
    }
    // The other ward's own rotation leaves this ward's backups alone.
    other.ok(&["backup", &s(&dir), "--keep", "1"]);
    for p in &real {
        assert!(p.exists(), "the other ward removed {}", p.display());
    }
}

/// Finding 10: killed backups left `*.tmp` files forever.
#[test]
fn a_killed_backups_temporary_file_is_cleaned_up_by_the_next() {
    let w = small_ward();
    let dir = w.dir.path().join("b");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join(".qcdc-phuong-thu-nghiem-20261120-101010.json.4242.tmp");
    let young = dir.join(".qcdc-phuong-thu-nghiem-20261122-101010.json.4243.tmp");
    let foreign = dir.join(".qcdc-phuong-khac-20261120-101010.json.4244.tmp");
    for p in [&stale, &young, &foreign] {
        std::fs::write(p, b"{\"format\":\"qcdc-exp").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for p in [&stale, &foreign] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    let r = w.ok(&["backup", &s(&dir)]);
    assert!(r.stdout.contains("Đã dọn 1"), "{}", r.stdout);
    assert!(!stale.exists(), "an orphan of this ward is removed");
    assert!(
        young.exists(),
        "a file written a moment ago may be another backup's"
    );
    assert!(
        foreign.exists(),
        "another ward's files are not this ward's to clean"
    );
}

/// Finding 3: a restore killed between its two renames left no database ("create one
/// with `qcdc init`") while the data sat beside it.
#[test]
fn a_restore_cut_short_is_finished_or_undone_by_the_next_command() {
    let base = small_ward();
    base.ok(&["mark", "Tổ dân phố 1", "CK-01", "biet", "done"]);
    let dir = base.dir.path().join("b");
    base.ok(&["backup", &s(&dir)]);
    let file = json_files(&dir).remove(0);
    let backed_up = base.ok(&["report", "--format", "json"]).json();
    base.ok(&["mark", "Tổ dân phố 2", "CK-01", "biet", "done"]);
    let later = base.ok(&["report", "--format", "json"]).json();
    assert_ne!(backed_up, later);

    for (point, finished) in [
        ("restore-before-swap", false),
        ("restore-between-renames", true),
        ("restore-before-unmark", true),
    ] {
        let w = Ward::empty();
        copy_dir(&base.db, &w.db);
        let mut c = qcdc(&w.db);
        c.args(["restore", &s(&file)]).env("QCDC_FAILPOINT", point);
        let r = run_cmd(c);
        assert_ne!(r.code, 0, "{point}: the restore was meant to die");
        let marker = w.dir.path().join("ward.db.restoring");
        assert!(
            marker.exists(),
            "{point}: the marker is what the next open reads"
        );

        let r = w.ok(&["report", "--format", "json"]);
        let expected = if finished { &backed_up } else { &later };
        assert_eq!(&r.json(), expected, "{point}");
        let said = if finished {
            "nay đã hoàn tất"
        } else {
            "CSDL vẫn như trước"
        };
        assert!(r.stderr.contains(said), "{point}: {}", r.stderr);
        assert!(!marker.exists(), "{point}");
        assert!(
            !w.dir.path().join("ward.db.restore-tmp").exists(),
            "{point}: nothing half-built is left"
        );
        if finished {
            assert!(w.dir.path().join("ward.db.before-restore/db").is_file());
        }
        // Said once; the next command just works.
        let r = w.ok(&["group", "list"]);
        assert_eq!(r.stderr, "", "{point}");
        w.ok(&["check"]);
    }
}

/// Finding 8: a viewer could restore.
#[test]
fn restore_is_for_ward_administrators() {
    let w = small_ward();
    let dir = w.dir.path().join("b");
    w.ok(&["backup", &s(&dir)]);
    let file = json_files(&dir).remove(0);
    let me = me();
    w.ok(&[
        "member",
        "add",
        "Quản trị",
        "--role",
        "admin",
        "--unix-user",
        &me,
    ]);
    w.ok(&[
        "member",
        "add",
        "Người xem",
        "--role",
        "viewer",
        "--unix-user",
        &me,
    ]);
    w.ok(&[
        "--as",
        "Quản trị",
        "mark",
        "Tổ dân phố 1",
        "CK-01",
        "biet",
        "done",
    ]);
    let before = w.ok(&["report", "--format", "json"]).json();
    let r = w.fails(&["--as", "Người xem", "restore", &s(&file), "--yes"], 77);
    assert!(r.stderr.contains("chỉ quản trị phường"), "{}", r.stderr);
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), before);
    assert!(!w.dir.path().join("ward.db.before-restore").exists());
    // The administrator may (the backup predates the members: --yes says so).
    w.ok(&["--as", "Quản trị", "restore", &s(&file), "--yes"]);
    assert_ne!(w.ok(&["report", "--format", "json"]).json(), before);
}

/// Finding 10: restoring another ward's backup replaced the database without a word;
/// finding 8: a backup from before the member list put the ward back into bootstrap.
#[test]
fn a_restore_that_changes_the_ward_or_ends_the_member_list_asks_first() {
    let w = small_ward();
    let other = Ward::empty();
    other.ok(&["init", "--ward", "Phường Bên Cạnh"]);
    let dir = w.dir.path().join("b");
    other.ok(&["backup", &s(&dir)]);
    let foreign = json_files(&dir).remove(0);
    let before = w.ok(&["report", "--format", "json"]).json();

    let r = w.fails(&["restore", &s(&foreign)], 65);
    assert!(
        r.stderr.contains("Phường Bên Cạnh") && r.stderr.contains(SMALL_WARD),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    let en = w.fails(&["--lang", "en", "restore", &s(&foreign)], 65);
    assert!(en.stderr.contains("another ward"), "{}", en.stderr);
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), before);

    // Its own backup from before the member list.
    let own_dir = w.dir.path().join("own");
    w.ok(&["backup", &s(&own_dir)]);
    let own = json_files(&own_dir).remove(0);
    w.ok(&[
        "member",
        "add",
        "Quản trị",
        "--role",
        "admin",
        "--unix-user",
        &me(),
    ]);
    let r = w.fails(&["restore", &s(&own)], 65);
    assert!(r.stderr.contains("không có thành viên"), "{}", r.stderr);
    assert_eq!(
        w.ok(&["member", "list", "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = w.ok(&["restore", &s(&own), "--yes"]);
    assert!(r.stdout.contains("Đã khôi phục"), "{}", r.stdout);
    assert_eq!(
        w.ok(&["member", "list", "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// Finding 10: `check` called a healthy database damaged (exit 65, "restore it") for a
/// refused --repair and a wrong PIN. (The read-only file system: damaged.rs.)
#[test]
fn check_calls_only_damage_damaged() {
    let w = small_ward();
    let me = me();
    w.ok(&[
        "member",
        "add",
        "Quản trị",
        "--role",
        "admin",
        "--unix-user",
        &me,
    ]);
    w.ok(&[
        "member",
        "add",
        "Người xem",
        "--role",
        "viewer",
        "--unix-user",
        &me,
    ]);
    let r = w.fails(&["--as", "Người xem", "check", "--repair"], 77);
    assert!(!r.stderr.contains("hỏng"), "{}", r.stderr);
    assert!(!r.stderr.contains("restore"), "{}", r.stderr);

    let mut c = qcdc(&w.db);
    c.args([
        "--as",
        "Quản trị",
        "member",
        "add",
        "Lan",
        "--role",
        "viewer",
        "--unix-user",
        &me,
        "--pin",
    ])
    .env("QCDC_NEW_PIN", "246813");
    assert_eq!(run_cmd(c).code, 0);
    let mut c = qcdc(&w.db);
    c.args(["--as", "Lan", "check"]).env("QCDC_PIN", "000000");
    let r = run_cmd(c);
    assert_eq!(r.code, 77, "{}", r.stderr);
    assert!(!r.stderr.contains("hỏng"), "{}", r.stderr);
    w.ok(&["--as", "Quản trị", "check", "--repair"]);
}

/// Derived records out of step are what `--repair` is for: the message says so, not
/// "restore the latest backup" (which loses every change since).
#[test]
fn check_offers_repair_for_what_repair_fixes() {
    let w = small_ward();
    {
        let db = sled_open(&w.db);
        let names = db.open_tree("group_names").unwrap();
        let first = names.iter().next().unwrap().unwrap().0;
        names.remove(first).unwrap();
        db.flush().unwrap();
    }
    let r = w.fails(&["check"], 65);
    assert!(r.stderr.contains("qcdc check --repair"), "{}", r.stderr);
    assert!(!r.stderr.contains("qcdc restore"), "{}", r.stderr);
    w.ok(&["check", "--repair"]);
    w.ok(&["check"]);
}

/// Finding 4: a name holding a C1 control made `export` and `report --format json`
/// write invalid JSON, which `import database` and `rollup` then refused.
#[test]
fn control_characters_in_names_keep_every_json_output_valid() {
    use qcdc::transfer::ExportDoc;
    let w = small_ward();
    let file = w.dir.path().join("x.json");
    w.ok(&["export", "--out", &s(&file)]);
    let mut doc: ExportDoc = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    // Every class of control a foreign file can carry: C0, ESC, DEL, C1 (NEL, CSI),
    // and the line separators JSON allows raw but JavaScript does not.
    let odd = [
        "Tổ\u{1}dân phố 1",
        "Tổ\u{1b}[31m 2",
        "Tổ dân phố\u{7f} Đồng Tâm\u{85}\u{9b}2J\u{2028}\u{2029}",
    ];
    for (g, name) in doc.groups.iter_mut().zip(odd) {
        g.name = name.to_string();
    }
    doc.ward.name = "Phường\u{9b}6n Thử".into();
    let doc = doc.seal();
    let foreign = w.dir.path().join("foreign.json");
    std::fs::write(&foreign, doc.to_json()).unwrap();

    let v = Ward::empty();
    v.ok(&["import", "database", &s(&foreign)]);
    let out = v.dir.path().join("again.json");
    v.ok(&["export", "--out", &s(&out)]);
    let again = std::fs::read(&out).unwrap();
    let text = String::from_utf8(again.clone()).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c)),
        "no raw control in the file"
    );
    let back: ExportDoc = serde_json::from_slice(&again).expect("the export is JSON");
    assert!(back.checksum_ok());
    let names: Vec<&str> = back.groups.iter().map(|g| g.name.as_str()).collect();
    for name in odd {
        assert!(names.contains(&name), "{name:?} in {names:?}");
    }
    // Imported again, and rolled up.
    let third = Ward::empty();
    third.ok(&["import", "database", &s(&out)]);
    let r = third.ok(&["rollup", &s(&out), "--format", "json"]);
    let rolled = r.json();
    assert!(
        rolled.to_string().contains("Phường\\u009b6n Thử")
            || rolled.to_string().contains("Phường\u{9b}6n Thử")
    );
    // Every JSON on standard output parses and names the groups as they are.
    for args in [
        &["report", "--format", "json"][..],
        &["group", "list", "--format", "json"],
        &["log", "--format", "json"],
    ] {
        let r = v.ok(args);
        assert!(
            !r.stdout
                .chars()
                .any(|c| ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{7f}'),
            "{args:?}: a raw control reaches the terminal"
        );
        let j = r.json();
        if args[0] == "group" {
            let got: Vec<String> = j
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap().to_string())
                .collect();
            for name in odd {
                assert!(got.iter().any(|g| g == name), "{name:?} in {got:?}");
            }
        }
    }
    // The report as a file too.
    let rep = v.dir.path().join("r.json");
    v.ok(&["report", "--format", "json", "--out", &s(&rep)]);
    let _: serde_json::Value = serde_json::from_slice(&std::fs::read(&rep).unwrap()).unwrap();
}
