//! `qcdc report`: completion per ward, branch, group, pillar and step; csv, md and --out.

use crate::common::*;
use serde_json::Value;

const PILLARS: [&str; 4] = [
    "cong-khai",
    "ban-quyet-dinh",
    "tham-gia-y-kien",
    "kiem-tra-giam-sat",
];
const FOUR_STEPS: [&str; 4] = ["biet", "ban", "lam", "kiemtra"];

fn row<'a>(rows: &'a Value, key: &str, code: &str) -> &'a Value {
    rows.as_array()
        .expect("rows")
        .iter()
        .find(|r| r[key] == code)
        .unwrap_or_else(|| panic!("no {key}={code} in {rows}"))
}

fn check_pct(c: &Value, what: &str) {
    let (d, a) = (done(c), applicable(c));
    assert!(d <= a, "{what}: done {d} > applicable {a}");
    match c["percent"].as_f64() {
        Some(p) => {
            assert!(a > 0, "{what}: a percent with nothing applicable");
            let expected = (d as f64 * 1000.0 / a as f64).round() / 10.0;
            assert!((p - expected).abs() < 1e-9, "{what}: {p}% for {d}/{a}");
        }
        None => assert_eq!(a, 0, "{what}: no percent but {a} applicable"),
    }
}

/// Every field scripts read, with consistent numbers.
fn check_report_shape(r: &Value) {
    assert_eq!(r["ward"], SMALL_WARD);
    assert_eq!(r["period"], "2026-Q4");
    check_pct(&r["completion"], "ward");
    let pillars: Vec<&str> = r["by_pillar"]
        .as_array()
        .expect("by_pillar")
        .iter()
        .map(|p| p["pillar"].as_str().expect("pillar code"))
        .collect();
    assert_eq!(pillars, PILLARS);
    let steps: Vec<&str> = r["by_step"]
        .as_array()
        .expect("by_step")
        .iter()
        .map(|s| s["step"].as_str().expect("step code"))
        .collect();
    assert_eq!(steps, FOUR_STEPS, "a four-step ward reports four steps");
    let branches = r["branches"].as_array().expect("branches");
    assert_eq!(branches.len(), 2);
    let (mut sum_done, mut sum_app) = (0, 0);
    for b in branches {
        let name = b["name"].as_str().expect("branch name");
        check_pct(&b["completion"], name);
        let (mut gd, mut ga) = (0, 0);
        for g in b["groups"].as_array().expect("groups") {
            let gname = g["name"].as_str().expect("group name");
            let expected = SMALL_GROUPS
                .iter()
                .find(|(n, ..)| *n == gname)
                .unwrap_or_else(|| panic!("unexpected group {gname}"));
            assert_eq!(expected.1, name, "{gname} is in {}", expected.1);
            assert_eq!(g["households"], expected.2);
            check_pct(&g["completion"], gname);
            assert_eq!(g["by_pillar"].as_array().expect("by_pillar").len(), 4);
            assert_eq!(g["by_step"].as_array().expect("by_step").len(), 4);
            assert!(g["overdue"].is_u64(), "{gname}: overdue is a count");
            gd += done(&g["completion"]);
            ga += applicable(&g["completion"]);
        }
        assert_eq!(
            (gd, ga),
            (done(&b["completion"]), applicable(&b["completion"])),
            "a branch is the sum of its groups"
        );
        sum_done += gd;
        sum_app += ga;
    }
    let wl = &r["ward_level"]["completion"];
    assert_eq!(
        (sum_done + done(wl), sum_app + applicable(wl)),
        (done(&r["completion"]), applicable(&r["completion"])),
        "the ward is its branches plus the ward-level items"
    );
}

#[test]
fn marking_a_step_done_moves_completion_of_ward_branch_group_pillar_and_step() {
    let w = small_ward();
    let before = w.ok(&["report", "--format", "json"]).json();
    check_report_shape(&before);
    assert_eq!(done(&before["completion"]), 0, "nothing is marked yet");
    assert!(applicable(&before["completion"]) > 0);
    assert_eq!(before["completion"]["percent"], 0.0);

    let out = w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    assert!(out.stdout.starts_with("Đã lưu"), "{}", out.stdout);

    let after = w.ok(&["report", "--format", "json"]).json();
    check_report_shape(&after);
    let delta = |path: &dyn Fn(&Value) -> &Value| {
        (
            done(path(&after)) as i64 - done(path(&before)) as i64,
            applicable(path(&after)) as i64 - applicable(path(&before)) as i64,
        )
    };
    assert_eq!(delta(&|r| &r["completion"]), (1, 0));
    assert_eq!(
        delta(&|r| row(&r["by_pillar"], "pillar", "cong-khai")),
        (1, 0)
    );
    assert_eq!(
        delta(&|r| row(&r["by_pillar"], "pillar", "ban-quyet-dinh")),
        (0, 0)
    );
    assert_eq!(delta(&|r| row(&r["by_step"], "step", "biet")), (1, 0));
    assert_eq!(delta(&|r| row(&r["by_step"], "step", "kiemtra")), (0, 0));
    let b1 = |r: &Value| by_name(&r["branches"], BRANCH_1).clone();
    let b2 = |r: &Value| by_name(&r["branches"], BRANCH_2).clone();
    assert_eq!(
        done(&b1(&after)["completion"]),
        done(&b1(&before)["completion"]) + 1
    );
    assert_eq!(b2(&after)["completion"], b2(&before)["completion"]);
    let g = |r: &Value, name: &str| by_name(&b1(r)["groups"], name).clone();
    let (g1, g1_before) = (g(&after, "Tổ dân phố 1"), g(&before, "Tổ dân phố 1"));
    assert_eq!(done(&g1["completion"]), done(&g1_before["completion"]) + 1);
    assert_eq!(done(row(&g1["by_pillar"], "pillar", "cong-khai")), 1);
    assert_eq!(done(row(&g1["by_step"], "step", "biet")), 1);
    assert_eq!(
        g(&after, "Tổ dân phố 2")["completion"],
        g(&before, "Tổ dân phố 2")["completion"],
        "the other group of the branch does not move"
    );
}

#[test]
fn a_step_marked_not_applicable_leaves_the_denominator() {
    let w = small_ward();
    let before = w.ok(&["report", "--format", "json"]).json();
    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "kiemtra", "na"]);
    let after = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(done(&after["completion"]), done(&before["completion"]));
    assert_eq!(
        applicable(&after["completion"]),
        applicable(&before["completion"]) - 1
    );
    let row = w.item("Tổ dân phố 2", "CK-02");
    assert_eq!(row["steps"]["kiemtra"], "na");
    assert_eq!(applicable(&row["completion"]), 1);
    // "doing" is not done: the numerator stays.
    w.ok(&["mark", "Tổ dân phố 2", "CK-02", "biet", "doing"]);
    let doing = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(done(&doing["completion"]), done(&before["completion"]));
}

#[test]
fn a_yearly_item_marked_in_a_quarter_is_kept_for_the_year() {
    let w = small_ward();
    w.ok(&[
        "--period",
        "2026-Q4",
        "mark",
        "Tổ dân phố 1",
        "CK-01",
        "biet",
        "done",
    ]);
    let year = w.ok(&[
        "--period",
        "2026",
        "items",
        "Tổ dân phố 1",
        "--format",
        "json",
    ]);
    let ck01 = year
        .json()
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == "CK-01")
        .cloned()
        .expect("CK-01");
    assert_eq!(ck01["period"], "2026");
    assert_eq!(ck01["steps"]["biet"], "done");
    // The same entry shows in every quarter of the year.
    let q2 = w.ok(&[
        "--period",
        "2026-Q2",
        "items",
        "Tổ dân phố 1",
        "--format",
        "json",
    ]);
    let in_q2 = q2.json();
    let ck01 = in_q2
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == "CK-01")
        .expect("CK-01");
    assert_eq!(ck01["steps"]["biet"], "done");
}

#[test]
fn report_csv_has_a_bom_a_header_and_one_row_per_branch_group_and_ward_total() {
    let w = demo_ward();
    let json = w.ok(&["report", "--format", "json"]).json();
    let branches = json["branches"].as_array().expect("branches");
    let groups: usize = branches
        .iter()
        .map(|b| b["groups"].as_array().expect("groups").len())
        .sum();

    let out = w.ok(&["report", "--format", "csv"]);
    let bytes = out.stdout.as_bytes();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with a UTF-8 BOM"
    );
    let body = &out.stdout["\u{feff}".len()..];
    let first = body.lines().next().expect("a header");
    assert!(
        first.starts_with("Cấp,Chi bộ,Tổ dân phố,Số hộ,Đã xong,Áp dụng,Tỷ lệ (%),Quá hạn,"),
        "{first}"
    );
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes());
    let header = rdr.headers().expect("header").clone();
    assert_eq!(
        header.len(),
        8 + 4 + 2,
        "eight fixed columns, one per pillar, the previous period and the change"
    );
    let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("a CSV row")).collect();
    // one row per branch, per group, the ward-level items and the whole ward
    assert_eq!(records.len(), branches.len() + groups + 2);
    for r in &records {
        assert_eq!(r.len(), header.len());
    }
    let group_rows: Vec<_> = records.iter().filter(|r| &r[0] == "tổ").collect();
    assert_eq!(group_rows.len(), groups);
    let total = records.last().expect("the ward row");
    assert_eq!(&total[0], "toàn phường");
    assert_eq!(
        total[4].parse::<u64>().ok(),
        Some(done(&json["completion"]))
    );
    assert_eq!(
        total[5].parse::<u64>().ok(),
        Some(applicable(&json["completion"]))
    );

    let en = w.ok(&["--lang", "en", "report", "--format", "csv"]);
    assert!(
        en.stdout
            .starts_with("\u{feff}Level,Branch,Group,Households,Done,Applicable,Percent,Overdue,")
    );
}

#[test]
fn report_out_writes_the_file_and_nothing_to_stdout() {
    let w = demo_ward();
    let expected = w.ok(&["report", "--format", "csv"]).stdout;
    let path = w.dir.path().join("bao-cao.csv");
    let out = w.ok(&[
        "report",
        "--format",
        "csv",
        "--out",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.stdout, "");
    assert_eq!(
        std::fs::read_to_string(&path).expect("the report file"),
        expected
    );

    // A relative --out is relative to the working directory; json and md too.
    w.ok(&["report", "--format", "json", "--out", "bao-cao.json"]);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(w.dir.path().join("bao-cao.json")).expect("json file"),
    )
    .expect("the file is JSON");
    assert_eq!(json["schema"], 3);
    w.ok(&["report", "--format", "md", "--out", "bao-cao.md"]);
    let md = std::fs::read_to_string(w.dir.path().join("bao-cao.md")).expect("md file");
    assert!(md.starts_with("# "), "{md}");

    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn report_out_to_a_missing_folder_fails_without_a_partial_file() {
    let w = small_ward();
    let path = w.dir.path().join("no-such-folder").join("r.csv");
    let r = w.run(&[
        "report",
        "--format",
        "csv",
        "--out",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("Không ghi được"), "{}", r.stderr);
    assert!(!path.exists());
}
