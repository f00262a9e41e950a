//! `qcdc template`: a ward's own items from a TOML file, retired without losing history.

use crate::common::*;

const LOCAL: &str = r#"
# Chỉ thị của quận: Ban TTND kiểm tra thu phí vệ sinh mỗi quý.
[[item]]
code = "PH-01"
title = "Ban TTND kiểm tra việc thu phí vệ sinh môi trường"
title_en = "Inspection board checks the sanitation fee collection"
pillar = "kiem-tra-giam-sat"
section = "V"
steps = ["lam", "kiemtra"]
recurrence = "quarterly"
scope = "group"
evidence = ["report"]
law = "10/2022/QH15"
article = 39
citation = "Điều 39 khoản 1"
"#;

fn write(w: &Ward, name: &str, s: &str) -> String {
    let p = w.dir.path().join(name);
    std::fs::write(&p, s).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_local_item_is_added_reported_and_retired_without_losing_history() {
    let w = small_ward();
    let file = write(&w, "chi-thi.toml", LOCAL);
    let dry = w.ok(&["template", "add", &file, "--dry-run"]);
    assert!(dry.stdout.starts_with("Chạy thử"), "{}", dry.stdout);
    assert!(!w.ok(&["template", "list"]).stdout.contains("PH-01"));
    w.ok(&["template", "add", &file]);
    let again = w.ok(&["template", "add", &file]);
    assert!(
        again.stdout.contains("0 mục; 1 mục đã có"),
        "{}",
        again.stdout
    );
    assert!(w.ok(&["template", "list"]).stdout.contains("PH-01"));
    let log = w.log();
    assert_eq!(log[0]["action"], "add-item");

    // It is on every group's checklist, in section V of the report.
    w.ok(&[
        "--period",
        "2026-Q3",
        "mark",
        "Tổ dân phố 1",
        "PH-01",
        "lam",
        "done",
    ]);
    w.ok(&[
        "--period",
        "2026-Q3",
        "mark",
        "Tổ dân phố 1",
        "PH-01",
        "kiemtra",
        "done",
    ]);
    let q3 = w
        .ok(&["report", "--format", "json", "--period", "2026-Q3"])
        .json();
    let v = q3["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "ban-ttnd")
        .unwrap();
    let row = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "PH-01")
        .unwrap();
    assert_eq!(
        (row["complete"].as_u64(), row["expected"].as_u64()),
        (Some(1), Some(3))
    );

    // Retired from Q4: gone from the Q4 checklist, still in the Q3 report, entries kept.
    let r = w.ok(&["template", "retire", "ph-01"]);
    assert!(r.stdout.contains("PH-01 từ kỳ 2026-Q4"), "{}", r.stdout);
    assert_eq!(w.log()[0]["action"], "retire-item");
    let q4 = w.ok(&["items", "Tổ dân phố 1", "--format", "json"]).json();
    assert!(!q4.as_array().unwrap().iter().any(|i| i["code"] == "PH-01"));
    // A retired item takes no new marks (issue 13), and nothing is stored.
    let before = w.log().len();
    let r = w.fails(&["mark", "Tổ dân phố 1", "PH-01", "lam", "done"], 65);
    assert!(
        r.stderr.contains("PH-01 đã thôi áp dụng từ kỳ 2026-Q4"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "--lang",
            "en",
            "mark",
            "Tổ dân phố 1",
            "PH-01",
            "lam",
            "done",
        ],
        65,
    );
    assert!(
        r.stderr.contains("PH-01 is retired from 2026-Q4"),
        "{}",
        r.stderr
    );
    assert_eq!(w.log().len(), before, "nothing written");
    let q3_items = w
        .ok(&[
            "--period",
            "2026-Q3",
            "items",
            "Tổ dân phố 1",
            "--format",
            "json",
        ])
        .json();
    let e = q3_items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "PH-01")
        .unwrap();
    assert_eq!(e["steps"]["lam"], "done");
    assert_eq!(
        w.ok(&["report", "--format", "json", "--period", "2026-Q3"])
            .json(),
        q3
    );
    assert!(
        w.ok(&["template", "list", "--all"])
            .stdout
            .contains("thôi áp dụng từ 2026-Q4")
    );
    w.ok(&["template", "reinstate", "PH-01"]);
    assert!(w.ok(&["items", "Tổ dân phố 1"]).stdout.contains("PH-01"));
    w.ok(&["check"]);
}

#[test]
fn a_bad_template_file_names_the_line_and_adds_nothing() {
    let w = small_ward();
    let bad = LOCAL.replace("kiem-tra-giam-sat", "kiem-tra");
    let file = write(&w, "sai.toml", &bad);
    let r = w.fails(&["template", "add", &file], 65);
    assert!(r.stderr.contains("sai.toml:3:"), "{}", r.stderr);
    assert!(r.stderr.contains("kiem-tra"), "{}", r.stderr);
    // An existing code with other content is refused.
    let clash = LOCAL.replace("PH-01", "CK-01");
    let file = write(&w, "trung.toml", &clash);
    let r = w.fails(&["--lang", "en", "template", "add", &file], 65);
    assert!(r.stderr.contains("CK-01 already exists"), "{}", r.stderr);
    let r = w.fails(&["template", "retire", "XX-99"], 65);
    assert!(r.stderr.contains("XX-99"), "{}", r.stderr);
    assert!(
        !w.ok(&["template", "list", "--all"])
            .stdout
            .contains("PH-01")
    );
}

/// Issue 13: the report section is the file's `section`, not a title word — an item
/// named after the Ban TTND but filed under IV stays in IV.
#[test]
fn a_local_item_goes_to_the_section_its_file_names() {
    let w = small_ward();
    let src = LOCAL.replace("section = \"V\"", "section = \"IV\"");
    let file = write(&w, "muc-iv.toml", &src);
    w.ok(&["template", "add", &file]);
    let rep = w
        .ok(&["report", "--format", "json", "--period", "2026-Q3"])
        .json();
    let in_section = |key: &str| {
        rep["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "PH-01")
    };
    assert!(in_section("kiem-tra-giam-sat"));
    assert!(!in_section("ban-ttnd"));
    // A file without a section is refused at the item's line, and nothing is added.
    let src = LOCAL.replace("section = \"V\"\n", "");
    let file = write(&w, "khong-phan.toml", &src);
    let r = w.fails(&["template", "add", &file], 65);
    assert!(r.stderr.contains("khong-phan.toml:3:"), "{}", r.stderr);
    assert!(r.stderr.contains("section"), "{}", r.stderr);
}

/// Issue 13: a four-step ward cannot take an item whose only steps are giám sát /
/// thụ hưởng (the six-step form): it could never be marked.
#[test]
fn an_item_with_no_step_the_ward_tracks_is_refused() {
    let w = small_ward();
    let src = LOCAL.replace("[\"lam\", \"kiemtra\"]", "[\"giamsat\", \"thuhuong\"]");
    let file = write(&w, "sau-buoc.toml", &src);
    let r = w.fails(&["template", "add", &file], 65);
    assert!(
        r.stderr.contains("PH-01 chỉ có bước giamsat, thuhuong"),
        "{}",
        r.stderr
    );
    let r = w.fails(&["--lang", "en", "template", "add", &file], 65);
    assert!(r.stderr.contains("could never be marked"), "{}", r.stderr);
    assert!(
        !w.ok(&["template", "list", "--all"])
            .stdout
            .contains("PH-01")
    );
}
