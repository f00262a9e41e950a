//! Issue 14: counted figures — recorded per group (or the ward) and quarter, validated,
//! audited, undoable, carried by backup and restore, refused to those who may not edit
//! the group; summed per branch and ward in the reports.

use crate::common::*;
use serde_json::Value;

/// The value stored for a figure of a group (or "phuong") in a quarter.
fn stored(w: &Ward, group: &str, period: &str, code: &str) -> Value {
    let v = w
        .ok(&[
            "--period", period, "figure", "list", group, "--format", "json",
        ])
        .json();
    v["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no figure {code}"))["total"]
        .clone()
}

#[test]
fn a_figure_is_stored_audited_and_undone_like_every_edit() {
    let w = small_ward();
    let r = w.ok(&[
        "--as",
        "Chị Lan",
        "--period",
        "2026-Q1",
        "figure",
        "set",
        "Tổ dân phố 1",
        "DON-01",
        "12",
    ]);
    assert!(r.stdout.contains("Đã lưu"), "{}", r.stdout);
    assert_eq!(stored(&w, "Tổ dân phố 1", "2026-Q1", "DON-01"), 12);
    // By the start of its title, thousands separated as Vietnamese write them.
    w.ok(&[
        "--as",
        "Chị Lan",
        "--period",
        "2026-Q1",
        "figure",
        "set",
        "Tổ dân phố 1",
        "tien nhan dan",
        "25.000.000.000",
    ]);
    assert_eq!(
        stored(&w, "Tổ dân phố 1", "2026-Q1", "DG-01"),
        25_000_000_000u64
    );
    w.ok(&[
        "--as",
        "Chị Lan",
        "--period",
        "2026-Q1",
        "figure",
        "set",
        "Tổ dân phố 1",
        "DON-01",
        "15",
    ]);
    let log = w.log();
    assert_eq!(log[0]["action"], "figure");
    assert_eq!(log[0]["item"], "figure:DON-01");
    assert_eq!(log[0]["period"], "2026-Q1");
    assert_eq!(log[0]["actor"]["member"], "Chị Lan");
    assert_eq!(log[0]["changes"][0]["old"], "12");
    assert_eq!(log[0]["changes"][0]["new"], "15");
    // The same value again: nothing written, nothing audited.
    let n = w.log().len();
    let same = w.ok(&[
        "--as",
        "Chị Lan",
        "--period",
        "2026-Q1",
        "figure",
        "set",
        "Tổ dân phố 1",
        "DON-01",
        "15",
    ]);
    assert!(same.stdout.contains("Không đổi"), "{}", same.stdout);
    assert_eq!(w.log().len(), n);

    // Undo: back to 12, as a new audited record; again: 25 bn gone; redo brings it back.
    let u = w.ok(&["--as", "Chị Lan", "undo"]);
    assert!(u.stdout.starts_with("Đã hoàn tác"), "{}", u.stdout);
    assert_eq!(stored(&w, "Tổ dân phố 1", "2026-Q1", "DON-01"), 12);
    let log = w.log();
    assert_eq!(log[0]["action"], "undo");
    assert_eq!(log[0]["undoes"], log[1]["seq"]);
    w.ok(&["--as", "Chị Lan", "undo"]);
    assert_eq!(stored(&w, "Tổ dân phố 1", "2026-Q1", "DG-01"), Value::Null);
    w.ok(&["--as", "Chị Lan", "redo"]);
    assert_eq!(
        stored(&w, "Tổ dân phố 1", "2026-Q1", "DG-01"),
        25_000_000_000u64
    );

    // Someone else changed it since: the undo refuses (75) and changes nothing.
    w.ok(&[
        "--as",
        "Chị Lan",
        "--period",
        "2026-Q2",
        "figure",
        "set",
        "phuong",
        "DT-01",
        "1",
    ]);
    w.ok(&[
        "--as",
        "Anh Tuấn",
        "--period",
        "2026-Q2",
        "figure",
        "set",
        "0",
        "DT-01",
        "2",
    ]);
    let r = w.fails(&["--as", "Chị Lan", "undo"], 75);
    assert!(r.stderr.contains("DT-01"), "{}", r.stderr);
    assert_eq!(stored(&w, "phuong", "2026-Q2", "DT-01"), 2);
    // Clear removes the value (no data, not 0), audited.
    w.ok(&[
        "--as",
        "Anh Tuấn",
        "--period",
        "2026-Q2",
        "figure",
        "clear",
        "phuong",
        "DT-01",
    ]);
    assert_eq!(stored(&w, "phuong", "2026-Q2", "DT-01"), Value::Null);
    assert_eq!(w.log()[0]["changes"][0]["new"], "");
}

#[test]
fn bad_figures_are_refused_with_a_reason_and_nothing_stored() {
    let w = small_ward();
    let n = w.log().len();
    for bad in ["-3", "1.5", "mười", "", "99999999999999999999"] {
        let r = w.fails(
            &[
                "--period",
                "2026-Q1",
                "figure",
                "set",
                "Tổ dân phố 1",
                "DON-01",
                bad,
            ],
            65,
        );
        assert!(r.stderr.contains("Số liệu"), "{bad}: {}", r.stderr);
    }
    let r = w.fails(
        &[
            "--lang",
            "en",
            "--period",
            "2026-Q1",
            "figure",
            "set",
            "Tổ dân phố 1",
            "DON-01",
            "-3",
        ],
        65,
    );
    assert!(r.stderr.contains("whole number"), "{}", r.stderr);
    // Unknown figure, unknown group, a year instead of a quarter.
    let r = w.fails(
        &[
            "--period",
            "2026-Q1",
            "figure",
            "set",
            "Tổ dân phố 1",
            "XX-9",
            "1",
        ],
        65,
    );
    assert!(r.stderr.contains("DON-01"), "{}", r.stderr);
    w.fails(
        &[
            "--period", "2026-Q1", "figure", "set", "Tổ 99", "DON-01", "1",
        ],
        65,
    );
    let r = w.fails(
        &[
            "--period",
            "2026",
            "figure",
            "set",
            "Tổ dân phố 1",
            "DON-01",
            "1",
        ],
        65,
    );
    assert!(r.stderr.contains("2026-Q1"), "{}", r.stderr);
    assert_eq!(w.log().len(), n, "nothing audited");
    assert_eq!(stored(&w, "Tổ dân phố 1", "2026-Q1", "DON-01"), Value::Null);

    // Roles: a group leader records their own group's figures, not another's (77);
    // a viewer none.
    w.ok(&[
        "member",
        "add",
        "Quản trị",
        "--role",
        "admin",
        "--unix-user",
        &me(),
    ]);
    w.ok(&[
        "member",
        "add",
        "Tổ trưởng",
        "--role",
        "group",
        "--group",
        "Tổ dân phố 2",
    ]);
    w.ok(&["member", "add", "Người xem", "--role", "viewer"]);
    w.ok(&[
        "--as",
        "Tổ trưởng",
        "--period",
        "2026-Q1",
        "figure",
        "set",
        "Tổ dân phố 2",
        "DV-01",
        "2",
    ]);
    w.fails(
        &[
            "--as",
            "Tổ trưởng",
            "--period",
            "2026-Q1",
            "figure",
            "set",
            "Tổ dân phố 1",
            "DV-01",
            "2",
        ],
        77,
    );
    w.fails(
        &[
            "--as",
            "Tổ trưởng",
            "--period",
            "2026-Q1",
            "figure",
            "set",
            "phuong",
            "DV-01",
            "2",
        ],
        77,
    );
    w.fails(
        &[
            "--as",
            "Người xem",
            "--period",
            "2026-Q1",
            "figure",
            "set",
            "Tổ dân phố 2",
            "DV-01",
            "3",
        ],
        77,
    );
    assert_eq!(stored(&w, "Tổ dân phố 2", "2026-Q1", "DV-01"), 2);
    assert_eq!(stored(&w, "Tổ dân phố 1", "2026-Q1", "DV-01"), Value::Null);
}

#[test]
fn backup_and_restore_carry_the_figures() {
    let w = small_ward();
    w.ok(&[
        "--period",
        "2026-Q3",
        "figure",
        "set",
        "Tổ dân phố Đồng Tâm",
        "DG-02",
        "140",
    ]);
    w.ok(&[
        "--period", "2026-Q3", "figure", "set", "phuong", "HU-01", "3",
    ]);
    let dir = w.dir.path().join("bk");
    w.ok(&["backup", dir.to_str().unwrap()]);
    let backup = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a backup");
    // The export carries the tree raw.
    let doc: Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    assert_eq!(doc["raw"]["figures"].as_array().map(Vec::len), Some(2));
    w.ok(&[
        "--period",
        "2026-Q3",
        "figure",
        "clear",
        "Tổ dân phố Đồng Tâm",
        "DG-02",
    ]);
    w.ok(&[
        "--period", "2026-Q3", "figure", "set", "phuong", "HU-01", "9",
    ]);
    w.ok(&["restore", backup.to_str().unwrap(), "--yes"]);
    assert_eq!(stored(&w, "Tổ dân phố Đồng Tâm", "2026-Q3", "DG-02"), 140);
    assert_eq!(stored(&w, "phuong", "2026-Q3", "HU-01"), 3);
}
