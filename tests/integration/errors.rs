//! Failures: the exit code scripts rely on, a message that says what to do, and no harm
//! done to data that is not ours.

use crate::common::*;

#[test]
fn no_database_at_the_path_gives_exit_1_and_suggests_qcdc_init() {
    let w = Ward::empty();
    let r = w.fails(&["report"], 1);
    assert!(r.stderr.starts_with("Lỗi: "), "{}", r.stderr);
    assert!(r.stderr.contains("qcdc init"), "{}", r.stderr);
    let en = w.fails(&["--lang", "en", "group", "list"], 1);
    assert!(
        en.stderr.starts_with("Error: No database at"),
        "{}",
        en.stderr
    );
    assert!(en.stderr.contains("qcdc init"), "{}", en.stderr);
    assert!(!w.db.exists(), "a read command creates no database");
}

#[test]
fn a_folder_that_is_not_a_qcdc_database_is_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("tai-lieu");
    std::fs::create_dir(&folder).expect("folder");
    std::fs::write(folder.join("ghi-chu.txt"), "sổ ghi chép quan trọng").expect("file");
    for args in [
        &["report"][..],
        &["mark", "Tổ 1", "CK-02", "biet", "done"],
        &["undo"],
    ] {
        let r = run(&folder, args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        // Not "run qcdc init here": the folder holds someone's files.
        assert!(
            r.stderr.contains("không phải cơ sở dữ liệu qcdc"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("--db"), "{}", r.stderr);
    }
    let r = run(&folder, &["init", "--ward", "Phường X"]);
    assert_ne!(
        r.code, 0,
        "init refuses a folder with other files: {}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("ghi-chu.txt")).expect("still there"),
        "sổ ghi chép quan trọng"
    );
    let names: Vec<_> = std::fs::read_dir(&folder)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["ghi-chu.txt"], "nothing was added to the folder");
}

#[test]
fn a_foreign_file_named_db_is_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("other-app");
    std::fs::create_dir(&folder).expect("folder");
    let precious = "dữ liệu của chương trình khác — không được xóa\n".repeat(20);
    std::fs::write(folder.join("db"), &precious).expect("file");
    let r = run(&folder, &["report"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(folder.join("db")).unwrap_or_default(),
        precious,
        "the foreign file was overwritten (stderr: {})",
        r.stderr
    );
    assert!(
        !folder.join("conf").exists(),
        "sled files were added to a foreign folder"
    );
}

#[test]
fn an_invalid_period_gives_exit_65() {
    let w = small_ward();
    for p in ["2026-Q5", "2026-H3", "26", "Q4-2026"] {
        let r = w.fails(&["--period", p, "report"], 65);
        assert!(r.stderr.contains("không hợp lệ"), "{p}: {}", r.stderr);
    }
    let en = w.fails(
        &[
            "--lang",
            "en",
            "--period",
            "2026-Q5",
            "items",
            "Tổ dân phố 1",
        ],
        65,
    );
    assert!(
        en.stderr.contains("Invalid period \"2026-Q5\""),
        "{}",
        en.stderr
    );
}

#[test]
fn a_quarterly_item_needs_a_quarter_period() {
    let w = small_ward();
    let log = w.log();
    let r = w.fails(
        &[
            "--period",
            "2026",
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
        ],
        65,
    );
    assert!(
        r.stderr.contains("CK-02") && r.stderr.contains("2026-Q1"),
        "{}",
        r.stderr
    );
    w.fails(
        &[
            "--period",
            "2026-H2",
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
        ],
        65,
    );
    assert_eq!(w.log(), log);
}

#[test]
fn unknown_group_item_step_or_status_gives_exit_65_and_writes_nothing() {
    let w = small_ward();
    let log = w.log();
    let r = w.fails(&["mark", "Tổ dân phố 99", "CK-02", "biet", "done"], 65);
    assert!(r.stderr.contains("qcdc group list"), "{}", r.stderr);
    let r = w.fails(&["mark", "Tổ dân phố 1", "CK-99", "biet", "done"], 65);
    assert!(r.stderr.contains("CK-99"), "{}", r.stderr);
    let r = w.fails(&["mark", "Tổ dân phố 1", "CK-02", "nghi", "done"], 65);
    assert!(r.stderr.contains("Bước không hợp lệ"), "{}", r.stderr);
    let r = w.fails(
        &[
            "--lang",
            "en",
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "nghi",
            "done",
        ],
        65,
    );
    assert!(r.stderr.contains("Unknown step \"nghi\""), "{}", r.stderr);
    w.fails(&["mark", "Tổ dân phố 1", "CK-02", "biet", "finished"], 65);
    // A step the item does not go through, a six-step step in a four-step ward.
    w.fails(&["mark", "Tổ dân phố 1", "CK-02", "lam", "done"], 65);
    w.fails(&["mark", "Tổ dân phố 1", "CK-02", "giamsat", "done"], 65);
    // A ward item for a group, a group item for the ward.
    w.fails(&["mark", "Tổ dân phố 1", "GS-03", "biet", "done"], 65);
    w.fails(&["mark", "phuong", "CK-02", "biet", "done"], 65);
    w.fails(&["items", "Tổ dân phố 99"], 65);
    w.fails(
        &[
            "group",
            "add",
            "Tổ dân phố 4",
            "--branch",
            "Chi bộ Không Có",
            "--households",
            "10",
        ],
        65,
    );
    w.fails(
        &[
            "group",
            "add",
            "to dan pho 1",
            "--branch",
            BRANCH_1,
            "--households",
            "10",
        ],
        65,
    );
    w.fails(&["branch", "add", "chi bo hoa binh"], 65);
    assert_eq!(w.log(), log);
}

#[test]
fn usage_errors_give_exit_2() {
    let w = small_ward();
    w.fails(&["mark", "Tổ dân phố 1", "CK-02"], 2);
    w.fails(&["vote", "Tổ dân phố 1", "BQ-01", "--present", "1"], 2);
    w.fails(&["report", "--format", "pdf"], 2);
    w.fails(&["no-such-command"], 2);
    w.fails(
        &[
            "group",
            "add",
            "Tổ 5",
            "--branch",
            BRANCH_1,
            "--households",
            "nhiều",
        ],
        2,
    );
    let fresh = Ward::empty();
    fresh.fails(&["init"], 2);
    let r = fresh.fails(&["init", "--ward", "Phường Năm Bước", "--steps", "5"], 2);
    assert!(r.stderr.contains("4 hoặc 6"), "{}", r.stderr);
    assert!(!fresh.db.exists(), "a refused init creates nothing");
    assert_eq!(fresh.run(&["--help"]).code, 0);
}

/// Set the stored schema version with sled directly (as a newer qcdc would have).
fn set_schema(db: &std::path::Path, v: u32) {
    let sled_db = crate::common::sled_open(db);
    let meta = sled_db.open_tree("meta").expect("meta");
    meta.insert("schema", &v.to_be_bytes()).expect("insert");
    sled_db.flush().expect("flush");
}

fn schema(db: &std::path::Path) -> Option<u32> {
    let sled_db = crate::common::sled_open(db);
    let meta = sled_db.open_tree("meta").expect("meta");
    let v = meta.get("schema").expect("get")?;
    Some(u32::from_be_bytes(v.as_ref().try_into().expect("u32")))
}

#[test]
fn a_database_from_a_newer_qcdc_is_refused_and_not_changed() {
    let w = small_ward();
    set_schema(&w.db, qcdc::store::SCHEMA_VERSION + 1);
    let r = w.fails(&["report"], 1);
    assert!(r.stderr.contains("phiên bản qcdc mới hơn"), "{}", r.stderr);
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
        1,
    );
    assert!(
        en.stderr.contains("written by a newer qcdc"),
        "{}",
        en.stderr
    );
    assert!(
        en.stderr
            .contains(&format!("schema {}", qcdc::store::SCHEMA_VERSION + 1))
    );
    w.fails(&["init", "--ward", "X"], 1);
    assert_eq!(
        schema(&w.db),
        Some(qcdc::store::SCHEMA_VERSION + 1),
        "left as it was"
    );
    let reopened = qcdc::store::Store::open(&w.db);
    assert!(matches!(
        reopened,
        Err(qcdc::store::StoreError::TooNew { .. })
    ));
}
