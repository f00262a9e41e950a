//! `qcdc rollup`: several wards merged for the district.

use crate::common::*;
use calamine::{Data, Reader};

#[test]
fn two_wards_roll_up_per_ward_and_per_branch() {
    let a = demo_ward();
    let b = small_ward();
    b.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let dir = tempfile::tempdir().unwrap();
    let fa = dir.path().join("thanh-tam.json");
    std::fs::write(&fa, a.ok(&["export"]).stdout).unwrap();
    // One ward sends its export, the other its JSON report.
    let fb = dir.path().join("thu-nghiem.json");
    std::fs::write(&fb, b.ok(&["report", "--format", "json"]).stdout).unwrap();
    let ra = a.ok(&["report", "--format", "json"]).json();
    let rb = b.ok(&["report", "--format", "json"]).json();

    let (fa_s, fb_s) = (fa.to_str().unwrap(), fb.to_str().unwrap());
    let r = run(
        &dir.path().join("none.db"),
        &["rollup", fa_s, fb_s, "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["format"], "qcdc-rollup");
    assert_eq!(j["period"], "2026-Q4");
    let wards = j["wards"].as_array().unwrap();
    assert_eq!(wards.len(), 2);
    assert_eq!(wards[0]["ward"], "Phường Thanh Tâm");
    assert_eq!(
        wards[0]["completion"], ra["completion"],
        "the export is counted as the ward counts it"
    );
    assert_eq!(wards[1]["completion"], rb["completion"]);
    assert_eq!(
        done(&j["total"]),
        done(&ra["completion"]) + done(&rb["completion"])
    );
    assert_eq!(
        applicable(&j["total"]),
        applicable(&ra["completion"]) + applicable(&rb["completion"])
    );
    assert_eq!(j["groups"], 13);
    let branches = j["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 7 + 2);
    let hb = branches.iter().find(|x| x["branch"] == BRANCH_1).unwrap();
    assert_eq!(hb["ward"], SMALL_WARD);
    assert_eq!(hb["households"], 300 + 186);

    // The workbook: a sheet per ward and per branch.
    let xl = dir.path().join("quan.xlsx");
    let r = run(
        &dir.path().join("none.db"),
        &[
            "rollup",
            fa_s,
            fb_s,
            "--format",
            "xlsx",
            "--out",
            xl.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xl).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Theo phường", "Theo chi bộ", "Theo trụ cột"]
    );
    let s = wb.worksheet_range("Theo phường").unwrap();
    let total = (0..s.height() as u32)
        .find(|&i| s.get_value((i, 1)) == Some(&Data::String("TOÀN QUẬN".into())))
        .expect("a district row");
    assert_eq!(s.get_value((total, 3)), Some(&Data::Float(13.0)));

    let md = run(
        &dir.path().join("none.db"),
        &["rollup", fa_s, fb_s, "--format", "md"],
    );
    assert!(md.stdout.contains("| Phường Thanh Tâm |"), "{}", md.stdout);

    // The same ward twice, or reports of different periods, are refused.
    let r = run(&dir.path().join("none.db"), &["rollup", fa_s, fa_s]);
    assert_eq!(r.code, 65);
    assert!(r.stderr.contains("đã có trong"), "{}", r.stderr);
    let r = run(
        &dir.path().join("none.db"),
        &["--period", "2026-Q3", "rollup", fa_s, fb_s],
    );
    assert_eq!(r.code, 65);
    assert!(r.stderr.contains("2026-Q4"), "{}", r.stderr);
    let r = run(
        &dir.path().join("none.db"),
        &["--period", "2026-Q3", "rollup", fa_s, "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()["wards"][0]["completion"],
        a.ok(&["report", "--format", "json", "--period", "2026-Q3"])
            .json()["completion"]
    );
}
