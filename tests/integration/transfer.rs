//! `qcdc export` and `qcdc import database`: the whole database as versioned JSON.

use crate::common::*;

fn export(w: &Ward) -> Vec<u8> {
    let r = w.ok(&["export"]);
    r.stdout.into_bytes()
}

#[test]
fn export_import_export_gives_the_same_document() {
    let w = demo_ward();
    // Some history of every kind: marks, a vote, an undo, a local item, a retirement.
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&[
        "vote",
        "Tổ dân phố 2",
        "BQ-06",
        "--present",
        "150",
        "--agree",
        "120",
        "--date",
        "10/11/2026",
    ]);
    w.ok(&["mark", "Tổ dân phố 3", "CK-15", "biet", "doing"]);
    w.ok(&["undo"]);
    w.ok(&["template", "retire", "CK-18"]);
    let first = export(&w);
    let doc: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["format"], "qcdc-export");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    assert!(doc["audit"].as_array().unwrap().len() >= 4);

    let file = w.dir.path().join("ward.json");
    std::fs::write(&file, &first).unwrap();
    let copy = Ward::empty();
    let out = copy.ok(&["import", "database", file.to_str().unwrap()]);
    assert!(
        out.stdout.starts_with("Đã nạp Phường Thanh Tâm"),
        "{}",
        out.stdout
    );
    let second = export(&copy);
    assert!(
        first == second,
        "export → import → export must give the same bytes"
    );

    // The copy works as the original: same report, same log, and it takes new edits.
    assert_eq!(
        copy.ok(&["report", "--format", "json"]).json(),
        w.ok(&["report", "--format", "json"]).json()
    );
    assert_eq!(copy.log(), w.log());
    copy.ok(&["mark", "Tổ dân phố 1", "CK-15", "biet", "done"]);
    copy.ok(&["check"]);
}

#[test]
fn a_damaged_or_foreign_file_is_refused_and_nothing_is_created() {
    let w = small_ward();
    let good = export(&w);
    let edited = String::from_utf8(good.clone()).unwrap().replacen(
        "\"households\": 300",
        "\"households\": 301",
        1,
    );
    assert_ne!(edited.as_bytes(), good.as_slice());
    let file = w.dir.path().join("sua.json");
    std::fs::write(&file, edited).unwrap();
    let target = Ward::empty();
    let r = target.fails(&["import", "database", file.to_str().unwrap()], 65);
    assert!(r.stderr.contains("mã kiểm tra không khớp"), "{}", r.stderr);
    assert!(!target.db.exists(), "nothing was created");

    let report = w.dir.path().join("report.json");
    std::fs::write(&report, w.ok(&["report", "--format", "json"]).stdout).unwrap();
    let r = target.fails(
        &[
            "--lang",
            "en",
            "import",
            "database",
            report.to_str().unwrap(),
        ],
        65,
    );
    assert!(r.stderr.contains("not a qcdc export"), "{}", r.stderr);

    // Into a database that already holds a ward: refused, nothing changed.
    let file = w.dir.path().join("tot.json");
    std::fs::write(&file, &good).unwrap();
    let other = demo_ward();
    let before = other.log();
    let r = other.fails(&["import", "database", file.to_str().unwrap()], 1);
    assert!(
        r.stderr.contains("đã có dữ liệu của một phường"),
        "{}",
        r.stderr
    );
    assert_eq!(other.log(), before);
}

/// A backup written before the store's schema 3 (entries in sheets) still restores:
/// the document lists entries and audit records whatever the layout, and the members it
/// carries raw are read the same.
#[test]
fn an_export_of_schema_2_imports_into_schema_3() {
    let w = demo_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&["member", "add", "Nguyễn Thị Lan", "--role", "admin"]);
    let mut doc = qcdc::transfer::ExportDoc::from_json(
        w.ok(&["--as", "Nguyễn Thị Lan", "export"])
            .stdout
            .as_bytes(),
    )
    .unwrap();
    assert!(doc.raw.contains_key("members"), "{:?}", doc.raw.keys());
    doc.schema = 2;
    let doc = doc.seal();
    let file = w.dir.path().join("cu.json");
    std::fs::write(&file, doc.to_json()).unwrap();
    let copy = Ward::empty();
    copy.ok(&["import", "database", file.to_str().unwrap()]);
    assert_eq!(
        copy.ok(&["report", "--format", "json"]).json(),
        w.ok(&["report", "--format", "json"]).json()
    );
    assert!(
        copy.ok(&["member", "list"])
            .stdout
            .contains("Nguyễn Thị Lan")
    );
    copy.ok(&["check"]);
    // Raw data of a tree whose format changed is still refused.
    let mut odd = qcdc::transfer::ExportDoc::from_json(
        w.ok(&["--as", "Nguyễn Thị Lan", "export"])
            .stdout
            .as_bytes(),
    )
    .unwrap();
    odd.schema = 2;
    odd.raw
        .insert("entries".into(), vec![["00".into(), "00".into()]]);
    let odd = odd.seal();
    std::fs::write(&file, odd.to_json()).unwrap();
    let r = Ward::empty().fails(
        &["--lang", "en", "import", "database", file.to_str().unwrap()],
        65,
    );
    assert!(r.stderr.contains("cannot convert"), "{}", r.stderr);
}

/// Issue 13: only an item that arises (per event or per term) has further occurrences
/// ("BQ-01#2"); the service refuses "CK-02#2" for a quarterly duty, and so does
/// `import database`: the entry named, exit 65, nothing written. The same document with
/// an occurrence of an event item (BQ-06, Điều 15 khoản 6) imports.
#[test]
fn import_refuses_an_occurrence_of_a_regular_item_and_writes_nothing() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&[
        "vote",
        "Tổ dân phố 2",
        "BQ-06",
        "--present",
        "150",
        "--agree",
        "120",
        "--date",
        "10/11/2026",
    ]);
    let doc = qcdc::transfer::ExportDoc::from_json(w.ok(&["export"]).stdout.as_bytes()).unwrap();
    // A further occurrence right after its first (entries come sorted by key).
    let with_occurrence = |code: &str| {
        let mut d = doc.clone();
        let at = d.entries.iter().position(|e| e.item == code).unwrap();
        let mut more = d.entries[at].clone();
        more.item = format!("{code}#2");
        d.entries.insert(at + 1, more);
        d.seal().to_json()
    };
    let file = w.dir.path().join("lan-2.json");
    std::fs::write(&file, with_occurrence("CK-02")).unwrap();
    let target = Ward::empty();
    let r = target.fails(&["import", "database", file.to_str().unwrap()], 65);
    assert!(r.stderr.contains("CK-02#2"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("lần phát sinh thứ 2 của CK-02, mục thực hiện hằng quý"),
        "{}",
        r.stderr
    );
    let r = target.fails(
        &["--lang", "en", "import", "database", file.to_str().unwrap()],
        65,
    );
    assert!(
        r.stderr
            .contains("occurrence #2 of CK-02, a quarterly item"),
        "{}",
        r.stderr
    );
    assert!(!target.db.exists(), "nothing was created");

    std::fs::write(&file, with_occurrence("BQ-06")).unwrap();
    target.ok(&["import", "database", file.to_str().unwrap()]);
    let stored: Vec<String> = target.ok(&["export"]).json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item"].as_str().unwrap().to_string())
        .collect();
    assert!(stored.contains(&"BQ-06#2".to_string()), "{stored:?}");
    assert!(
        !stored.iter().any(|k| k.starts_with("CK-02#")),
        "{stored:?}"
    );
}
