//! `qcdc backup`, `qcdc restore`, `qcdc check`: a ward never loses its year to a
//! damaged database.

use crate::common::*;
use std::path::{Path, PathBuf};

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

/// Overwrite bytes all over the database's files, as a failing disk would.
fn damage(db: &Path) {
    for name in ["db", "conf"] {
        let p = db.join(name);
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len();
        for i in (0..n).step_by(97) {
            bytes[i] ^= 0x5A;
        }
        std::fs::write(&p, bytes).unwrap();
    }
}

#[test]
fn backup_then_damage_then_restore_brings_the_data_back() {
    let w = demo_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let report = w.ok(&["report", "--format", "json"]).json();
    let log = w.log();
    let dir = w.dir.path().join("sao-luu");
    let out = w.ok(&["backup", dir.to_str().unwrap()]);
    assert!(out.stdout.starts_with("Đã sao lưu"), "{}", out.stdout);
    let files = backups(&dir);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(name.starts_with("qcdc-phuong-thanh-tam-2"), "{name}");
    // The .sha256 beside it is what `sha256sum -c` reads.
    let side = std::fs::read_to_string(format!("{}.sha256", files[0].display())).unwrap();
    assert!(side.ends_with(&format!("  {name}\n")), "{side}");
    w.ok(&["check"]);

    damage(&w.db);
    let r = w.run(&["check"]);
    assert_ne!(r.code, 0, "check must fail on a damaged database");
    assert!(r.stderr.contains("hỏng"), "{}", r.stderr);

    let r = w.ok(&["restore", files[0].to_str().unwrap()]);
    assert!(
        r.stdout.contains("Đã khôi phục Phường Thanh Tâm"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("before-restore"), "{}", r.stdout);
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), report);
    assert_eq!(w.log(), log);
    w.ok(&["check"]);
    let aside = w.dir.path().join("ward.db.before-restore");
    assert!(
        aside.join("db").is_file(),
        "the damaged database is kept aside"
    );
}

#[test]
fn a_deleted_database_is_restored_too() {
    let w = small_ward();
    let groups = w.groups();
    let dir = w.dir.path().join("b");
    w.ok(&["backup", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&w.db).unwrap();
    let file = backups(&dir).remove(0);
    let r = w.ok(&["restore", file.to_str().unwrap()]);
    assert!(!r.stdout.contains("before-restore"), "{}", r.stdout);
    assert_eq!(w.groups(), groups);
}

#[test]
fn backups_rotate_and_default_beside_the_database() {
    let w = small_ward();
    for _ in 0..4 {
        w.ok(&["backup", "--keep", "2"]);
    }
    let dir = w.dir.path().join("backups");
    let files = backups(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    // The newest are kept: a backup taken now is the last one listed.
    let sides: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .to_string_lossy()
                .ends_with(".sha256")
        })
        .collect();
    assert_eq!(sides.len(), 2);
}

#[test]
fn restore_verifies_before_touching_anything() {
    let w = small_ward();
    let dir = w.dir.path().join("b");
    w.ok(&["backup", dir.to_str().unwrap()]);
    let good = backups(&dir).remove(0);
    w.ok(&[
        "group",
        "add",
        "Tổ dân phố 4",
        "--branch",
        BRANCH_1,
        "--households",
        "90",
    ]);
    let groups = w.groups();

    // A truncated file and an edited one are refused.
    let bytes = std::fs::read(&good).unwrap();
    let cut = w.dir.path().join("cut.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let r = w.fails(&["restore", cut.to_str().unwrap()], 65);
    assert!(
        r.stderr.contains("không phải bản sao lưu dùng được"),
        "{}",
        r.stderr
    );
    let edited = w.dir.path().join("edited.json");
    std::fs::write(
        &edited,
        String::from_utf8(bytes.clone())
            .unwrap()
            .replace("Nguyễn Văn An", "Nguyễn Văn Ăn"),
    )
    .unwrap();
    let r = w.fails(&["--lang", "en", "restore", edited.to_str().unwrap()], 65);
    assert!(r.stderr.contains("checksum"), "{}", r.stderr);
    assert_eq!(w.groups(), groups, "nothing changed");
    assert!(!w.dir.path().join("ward.db.before-restore").exists());

    // While the database is open in another process (here: this test), refused.
    let store = qcdc::store::Store::open(&w.db).unwrap();
    let r = w.fails(&["restore", good.to_str().unwrap()], 75);
    assert!(
        r.stderr.contains("đang được một chương trình qcdc khác mở"),
        "{}",
        r.stderr
    );
    drop(store);
    assert_eq!(w.groups(), groups);
    w.ok(&["restore", good.to_str().unwrap()]);
    assert_eq!(w.groups().len(), 3, "back to the backup");
}

#[test]
fn check_names_what_is_wrong() {
    let w = small_ward();
    // An entry for a group that does not exist, written behind qcdc's back.
    {
        let store = qcdc::store::Store::open(&w.db).unwrap();
        let doc = store.export_doc().unwrap();
        assert!(qcdc::transfer::validate(&doc).is_empty());
    }
    {
        use qcdc::store::layout::{sheet_key, tally_key};
        use qcdc::store::records::{SheetV3, TallyV2, encode};
        let db = crate::common::sled_open(&w.db);
        let sheets = db.open_tree("sheets").unwrap();
        let tallies = db.open_tree("tallies").unwrap();
        let year = qcdc::domain::Period::Year(2026);
        let e = qcdc::domain::Entry {
            version: 1,
            ..qcdc::domain::Entry::new(77, "CK-01", year)
        };
        let mut sheet = SheetV3::default();
        sheet.put(&e, None);
        // A tally that matches its sheet: the problem is the group, not the summary.
        let tally = TallyV2::of_sheets([(year, &sheet)]);
        sheets.insert(sheet_key(year, 77), encode(&sheet)).unwrap();
        tallies.insert(tally_key(2026, 77), encode(&tally)).unwrap();
        sheets.insert(b"junk", b"not a record".to_vec()).unwrap();
        db.flush().unwrap();
    }
    let r = w.fails(&["check"], 65);
    assert!(
        r.stdout.contains("thuộc tổ dân phố không tồn tại"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("sheets"), "{}", r.stdout);
    let j = w.run(&["--lang", "en", "check", "--format", "json"]);
    assert_eq!(j.code, 65);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 2, "{v}");
}

/// While the ward server holds the database, backup, check, export, roster imports and
/// template changes go through it. (Unix only, as the ward server is.)
#[cfg(unix)]
#[test]
fn backup_check_import_and_template_work_through_the_ward_server() {
    let w = small_ward();
    let server = crate::server::Server::start(&w.db);
    let dir = w.dir.path().join("qua-may-chu");
    let out = w.ok(&["backup", dir.to_str().unwrap()]);
    assert!(out.stdout.starts_with("Đã sao lưu"), "{}", out.stdout);
    w.ok(&["check"]);
    let roster = w.dir.path().join("ds.csv");
    std::fs::write(
        &roster,
        format!(
            "Chi bộ,Tổ dân phố,Số hộ\n{BRANCH_1},Tổ dân phố 1,310\n{BRANCH_2},Tổ dân phố 9,90\n"
        ),
    )
    .unwrap();
    let r = w.ok(&["import", "groups", roster.to_str().unwrap()]);
    assert!(
        r.stdout.contains("+1 tổ dân phố, 1 tổ cập nhật"),
        "{}",
        r.stdout
    );
    w.ok(&["template", "retire", "CK-18"]);
    // Restore is refused while the server has the database open.
    let file = backups(&dir).remove(0);
    w.fails(&["restore", file.to_str().unwrap()], 75);
    drop(server);
    assert_eq!(w.groups().len(), 4);
    w.ok(&["restore", file.to_str().unwrap()]);
    assert_eq!(w.groups().len(), 3);
}

/// A ward whose document is larger than a socket frame may be backed up and exported
/// through the ward server: the document comes in chunks, each far below the limit.
#[cfg(unix)]
#[test]
fn a_backup_through_the_server_is_not_bounded_by_the_frame_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lon.db");
    ok(&db, &["bench-gen", "--groups", "300", "--periods", "12"]);
    let direct = dir.path().join("truc-tiep.json");
    ok(&db, &["export", "--out", direct.to_str().unwrap()]);
    let size = std::fs::metadata(&direct).unwrap().len();
    assert!(
        size > 32 << 20,
        "the document must not fit a frame: {size} bytes"
    );
    let server = crate::server::Server::start(&db);
    let backups_dir = dir.path().join("sao-luu");
    let out = ok(&db, &["backup", backups_dir.to_str().unwrap()]);
    assert!(out.stdout.starts_with("Đã sao lưu"), "{}", out.stdout);
    drop(server);
    let file = backups(&backups_dir).remove(0);
    assert!(
        std::fs::read(&file).unwrap() == std::fs::read(&direct).unwrap(),
        "the backup through the server is the export"
    );
    // And it restores (restore reads the database it built back against the file).
    let copy = dir.path().join("ban-sao.db");
    let out = ok(&copy, &["restore", file.to_str().unwrap()]);
    assert!(out.stdout.contains("300 tổ dân phố"), "{}", out.stdout);
}
