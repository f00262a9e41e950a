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

/// The small ward's figures for the first half of 2026: petitions in two quarters in
/// groups of both branches and the ward itself, money in one, party members (a count
/// at a date: the latest quarter's).
fn with_figures() -> Ward {
    let w = small_ward();
    for (p, g, code, v) in [
        ("2026-Q1", "Tổ dân phố 1", "DON-01", "4"),
        ("2026-Q2", "Tổ dân phố 1", "DON-01", "3"),
        ("2026-Q2", "Tổ dân phố 2", "DON-01", "5"),
        ("2026-Q1", "Tổ dân phố Đồng Tâm", "DON-01", "2"),
        ("2026-Q2", "phuong", "DON-01", "1"),
        ("2026-Q2", "Tổ dân phố Đồng Tâm", "DG-01", "1.500.000"),
        ("2026-Q1", "Tổ dân phố 1", "DC-02", "30"),
        ("2026-Q2", "Tổ dân phố 1", "DC-02", "32"),
        ("2026-Q3", "Tổ dân phố 1", "DON-01", "100"),
    ] {
        w.ok(&["--period", p, "figure", "set", g, code, v]);
    }
    w
}

fn figure<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

#[test]
fn reports_sum_figures_per_branch_and_ward_in_every_format() {
    let w = with_figures();
    let j = w
        .ok(&["report", "--period", "2026-H1", "--format", "json"])
        .json();
    // Hòa Bình: Tổ 1 (4 + 3) and Tổ 2 (5); Thống Nhất: Đồng Tâm (2); the ward 1.
    let don = figure(&j, "DON-01");
    assert_eq!(don["total"], 4 + 3 + 5 + 2 + 1);
    assert_eq!(don["ward"], 1);
    assert_eq!(by_name_in(&don["branches"], BRANCH_1)["value"], 12);
    assert_eq!(by_name_in(&don["branches"], BRANCH_2)["value"], 2);
    assert_eq!(figure(&j, "DG-01")["total"], 1_500_000);
    assert_eq!(
        by_name_in(&figure(&j, "DG-01")["branches"], BRANCH_1)["value"],
        Value::Null,
        "nothing recorded is no data, not 0"
    );
    // Party members: the latest quarter's count, not 30 + 32.
    assert_eq!(figure(&j, "DC-02")["total"], 32);
    assert_eq!(figure(&j, "DC-02")["rule"], "last");
    // A quarter: that quarter only; the year: all four.
    let q1 = w
        .ok(&["report", "--period", "2026-Q1", "--format", "json"])
        .json();
    assert_eq!(figure(&q1, "DON-01")["total"], 6);
    let y = w
        .ok(&["report", "--period", "2026", "--format", "json"])
        .json();
    assert_eq!(figure(&y, "DON-01")["total"], 115);
    // A period without figures: none, not a table of zeros.
    let q4 = w
        .ok(&["report", "--period", "2026-Q4", "--format", "json"])
        .json();
    assert_eq!(q4["figures"], serde_json::json!([]));

    // Text, Markdown: the figure with its parts, as Vietnamese write numbers.
    let t = w.ok(&["report", "--period", "2026-H1"]).stdout;
    assert!(t.contains("Chỉ tiêu đếm được"), "{t}");
    assert!(
        t.contains("DON-01  Đơn thư, kiến nghị, phản ánh tiếp nhận: 15 đơn"),
        "{t}"
    );
    assert!(t.contains(&format!("trong đó: {BRANCH_1}: 12 đơn")), "{t}");
    assert!(t.contains("1.500.000 đồng"), "{t}");
    let md = w
        .ok(&["report", "--period", "2026-H1", "--format", "md"])
        .stdout;
    assert!(
        md.contains("| DON-01 | **Đơn thư, kiến nghị, phản ánh tiếp nhận** | đơn | 15 |"),
        "{md}"
    );
    // CSV: a column per figure; the branch's value on its row, the whole ward's last.
    let csv = w
        .ok(&["report", "--period", "2026-H1", "--format", "csv"])
        .stdout;
    let mut rd = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let col = head
        .iter()
        .position(|h| h.starts_with("DON-01"))
        .expect("a DON-01 column");
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let hb = rows
        .iter()
        .find(|r| &r[0] == "chi bộ" && &r[1] == BRANCH_1)
        .unwrap();
    assert_eq!(&hb[col], "12");
    assert_eq!(&rows.last().unwrap()[col], "15");

    // The workbook: a sheet of its own, values as numbers.
    let xl = w.dir.path().join("bc.xlsx");
    w.ok(&[
        "report",
        "--period",
        "2026-H1",
        "--format",
        "xlsx",
        "--out",
        xl.to_str().unwrap(),
    ]);
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xl).unwrap();
    let s = wb.worksheet_range("Chỉ tiêu").expect("a Chỉ tiêu sheet");
    let r = (0..s.height() as u32)
        .find(|&i| matches!(s.get_value((i, 0)), Some(Data::String(c)) if c == "DG-01"))
        .expect("a DG-01 row");
    assert_eq!(s.get_value((r, 3)), Some(&Data::Float(1_500_000.0)));

    // Word: a table in section II.
    let doc = w.dir.path().join("bc.docx");
    w.ok(&[
        "report",
        "--period",
        "2026-H1",
        "--format",
        "docx",
        "--out",
        doc.to_str().unwrap(),
    ]);
    let text = crate::documents::docx_text(&std::fs::read(&doc).unwrap());
    let ii = text.find("II. KẾT QUẢ THỰC HIỆN").expect("section II");
    let iii = text.find("III. ĐÁNH GIÁ CHUNG").expect("section III");
    let at = text.find("Các chỉ tiêu đếm được").expect("the figures");
    assert!(ii < at && at < iii, "in section II");
    assert!(text[at..iii].contains("1.500.000"), "{}", &text[at..iii]);
}

fn by_name_in<'a>(arr: &'a Value, name: &str) -> &'a Value {
    arr.as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_roll_up_sums_figures_from_exports_and_json_reports() {
    let a = with_figures();
    let b = demo_ward();
    b.ok(&[
        "--period", "2026-Q2", "figure", "set", "phuong", "DON-01", "20",
    ]);
    b.ok(&[
        "--period", "2026-Q1", "figure", "set", "phuong", "HU-01", "2",
    ]);
    let dir = tempfile::tempdir().unwrap();
    // One ward sends its export (figures carried raw), the other its JSON report.
    let fa = dir.path().join("a.json");
    std::fs::write(&fa, a.ok(&["export"]).stdout).unwrap();
    let fb = dir.path().join("b.json");
    std::fs::write(
        &fb,
        b.ok(&["report", "--period", "2026-H1", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let none = dir.path().join("none.db");
    let args = |fmt: &str| {
        vec![
            "--period".to_string(),
            "2026-H1".into(),
            "rollup".into(),
            fa.to_str().unwrap().into(),
            fb.to_str().unwrap().into(),
            "--format".into(),
            fmt.into(),
        ]
    };
    let run_fmt = |fmt: &str| {
        let a = args(fmt);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let r = run(&none, &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r
    };
    let j = run_fmt("json").json();
    let f = |code: &str| {
        j["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("no {code}"))
            .clone()
    };
    assert_eq!(f("DON-01")["total"], 15 + 20);
    assert_eq!(f("DON-01")["wards"], 2);
    assert_eq!(f("HU-01")["total"], 2);
    assert_eq!(f("HU-01")["wards"], 1);
    assert_eq!(f("DG-01")["total"], 1_500_000);
    let t = run_fmt("text").stdout;
    assert!(
        t.contains("DON-01  Đơn thư, kiến nghị, phản ánh tiếp nhận: 35 đơn (2"),
        "{t}"
    );
    let md = run_fmt("md").stdout;
    assert!(md.contains("| DG-01 |"), "{md}");
    // The province's workbook and Word document.
    let xl = dir.path().join("tinh.xlsx");
    let mut a = args("xlsx");
    a.extend(["--out".to_string(), xl.to_str().unwrap().to_string()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    assert_eq!(run(&none, &a).code, 0);
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xl).unwrap();
    let s = wb.worksheet_range("Chỉ tiêu").expect("a Chỉ tiêu sheet");
    let r = (0..s.height() as u32)
        .find(|&i| matches!(s.get_value((i, 0)), Some(Data::String(c)) if c == "DON-01"))
        .expect("a DON-01 row");
    assert_eq!(s.get_value((r, 3)), Some(&Data::Float(35.0)));
    let docx = dir.path().join("tinh.docx");
    let mut a = args("docx");
    a.extend(["--out".to_string(), docx.to_str().unwrap().to_string()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = run(&none, &a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = crate::documents::docx_text(&std::fs::read(&docx).unwrap());
    assert!(text.contains("Các chỉ tiêu đếm được"), "{text}");
    assert!(
        text.contains("DON-01 Đơn thư, kiến nghị, phản ánh tiếp nhận\n"),
        "{text}"
    );
}
