//! The law as it happens (issue 13): items that arise per event or per term are no
//! duty until registered, and a registered occurrence keeps its own day and title.

use crate::common::*;
use serde_json::Value;

fn section_row<'a>(rep: &'a Value, key: &str, code: &str) -> &'a Value {
    rep["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} not in section {key}"))
}

/// The row of `code` in whichever section holds it.
fn any_row<'a>(rep: &'a Value, code: &str) -> &'a Value {
    rep["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in no section"))
}

fn overdue_codes(rep: &Value) -> Vec<String> {
    rep["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["item"].as_str().unwrap().to_string())
        .collect()
}

/// Điều 15 khoản 1 (BQ-01, a contribution decision) arises when a group decides on a
/// work; NĐ 59/2023 Điều 6–9 (BQ-04, electing the tổ trưởng) once per term. Neither is
/// in the denominator nor overdue for a year in which nothing was registered.
#[test]
fn event_and_term_items_count_only_once_registered_dieu_15_khoan_1_4() {
    let w = small_ward();
    let rep = w
        .ok(&[
            "--period", "2025", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    for code in [
        "BQ-01", "BQ-03", "BQ-04", "BQ-05", "CK-08", "YK-04", "GS-04",
    ] {
        let row = any_row(&rep, code);
        assert_eq!(row["expected"], 0, "{code}: {row}");
        assert_eq!(row["overdue"], 0, "{code}");
    }
    let overdue = overdue_codes(&rep);
    for code in ["BQ-01", "BQ-04", "BQ-05", "CK-08", "YK-04", "GS-04"] {
        assert!(
            !overdue.contains(&code.to_string()),
            "{code} in {overdue:?}"
        );
    }
    // The checklist still shows BQ-01, not registered and never overdue.
    let row = w.item("Tổ dân phố 1", "BQ-01");
    assert_eq!(row["registered"], false);
    assert_eq!(row["overdue"], false);
}

/// Registering an occurrence (`qcdc event add`) makes BQ-01 a duty of its year for that
/// group: counted, with its day and title stored and audited.
#[test]
fn a_registered_occurrence_is_counted_with_its_day_and_title_dieu_15_khoan_1() {
    let w = small_ward();
    let out = w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "10/03/2026",
        "--title",
        "Bê tông hóa hẻm 12",
    ]);
    assert!(out.stdout.starts_with("Đã đăng ký"), "{}", out.stdout);
    let row = w.item("Tổ dân phố 1", "BQ-01");
    assert_eq!(row["registered"], true);
    assert_eq!(row["evidence"]["occurred"], "2026-03-10");
    assert_eq!(row["evidence"]["title"], "Bê tông hóa hẻm 12");
    assert_eq!(row["version"], 1);
    let log = w.log();
    assert_eq!(log[0]["item"], "BQ-01");
    assert!(
        log[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "occurred" && c["new"] == "2026-03-10"),
        "{}",
        log[0]
    );
    // Stored: the export carries it.
    let export = w.ok(&["export"]).json();
    let stored = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item"] == "BQ-01")
        .expect("the BQ-01 entry is exported");
    assert_eq!(stored["evidence"]["occurred"], "2026-03-10");
    assert_eq!(stored["evidence"]["title"], "Bê tông hóa hẻm 12");
    let rep = w
        .ok(&["--period", "2026", "report", "--format", "json"])
        .json();
    let row = section_row(&rep, "ban-quyet-dinh", "BQ-01");
    assert_eq!(row["expected"], 1, "{row}");
    // Another group's BQ-01 is still no duty.
    assert_eq!(w.item("Tổ dân phố 2", "BQ-01")["registered"], false);
    // A second decision the same year is a second entry; the first is kept.
    let out = w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "20/06/2026",
        "--title",
        "Đèn chiếu sáng ngõ 5",
    ]);
    assert!(out.stdout.contains("BQ-01#2"), "{}", out.stdout);
    let bq01 = |w: &Ward| -> Vec<Value> {
        w.ok(&["items", "Tổ dân phố 1", "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["code"] == "BQ-01")
            .cloned()
            .collect()
    };
    let bq = bq01(&w);
    assert_eq!(bq.len(), 2, "{bq:#?}");
    assert_eq!(bq[0]["evidence"]["occurred"], "2026-03-10");
    assert_eq!(bq[1]["evidence"]["occurred"], "2026-06-20");
    assert_eq!(bq[1]["evidence"]["title"], "Đèn chiếu sáng ngõ 5");
    // Each has its own vote and steps: the second decided, the first not.
    w.ok(&[
        "--period",
        "2026",
        "vote",
        "Tổ dân phố 1",
        "BQ-01#2",
        "--present",
        "250",
        "--agree",
        "210",
        "--date",
        "21/06/2026",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "mark",
        "Tổ dân phố 1",
        "BQ-01#2",
        "ban",
        "done",
    ]);
    let bq = bq01(&w);
    assert!(bq[0]["evidence"]["vote"].is_null());
    assert_eq!(bq[1]["evidence"]["vote"]["agree"], 210);
    assert_eq!(bq[1]["steps"]["ban"], "done");
    assert_eq!(bq[0]["steps"]["ban"], "todo");
    let rep = w
        .ok(&["--period", "2026", "report", "--format", "json"])
        .json();
    assert_eq!(section_row(&rep, "ban-quyet-dinh", "BQ-01")["expected"], 2);
    // Stored as two entries.
    let export = w.ok(&["export"]).json();
    let keys: Vec<&str> = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["item"].as_str())
        .filter(|k| k.starts_with("BQ-01"))
        .collect();
    assert_eq!(keys, vec!["BQ-01", "BQ-01#2"]);
    // A regular item has no second occurrence.
    w.fails(&["mark", "Tổ dân phố 1", "GS-01#2", "ban", "done"], 65);
}

/// Dates honest (issue 13): what is registered as having arisen cannot lie after
/// today; a yearly duty needs no registration. Nothing is written either way.
#[test]
fn a_future_occurrence_and_a_regular_item_are_refused() {
    let w = small_ward();
    let before = w.log().len();
    let r = w.fails(
        &[
            "event",
            "add",
            "Tổ dân phố 1",
            "BQ-01",
            "--date",
            "2026-12-28",
        ],
        65,
    );
    assert!(r.stderr.contains("sau hôm nay"), "{}", r.stderr);
    let r = w.fails(
        &[
            "--lang",
            "en",
            "event",
            "add",
            "Tổ dân phố 1",
            "GS-01",
            "--date",
            "2026-11-01",
        ],
        65,
    );
    assert!(r.stderr.contains("regular duty"), "{}", r.stderr);
    assert_eq!(w.log().len(), before);
    assert_eq!(w.item("Tổ dân phố 1", "BQ-01")["version"], 0);
}

/// Per-term items (BQ-04 electing the tổ trưởng, NĐ 59/2023 Điều 6–9; GS-04 the Ban
/// TTND, whose term follows it, Điều 36 khoản 2) fall due in the last year of the
/// ward's term and are no duty in the other years.
#[test]
fn per_term_items_fall_due_in_the_terms_last_year_dieu_36_khoan_2() {
    let w = small_ward();
    let expected = |w: &Ward, period: &str| {
        let rep = w
            .ok(&["--period", period, "report", "--format", "json"])
            .json();
        section_row(&rep, "ban-quyet-dinh", "BQ-04")["expected"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(expected(&w, "2026"), 0, "no term set: nothing due");
    w.ok(&["settings", "set", "term", "2021-2026"]);
    assert_eq!(w.log()[0]["changes"][0]["new"], "2021-2026");
    assert_eq!(expected(&w, "2026"), SMALL_GROUPS.len() as u64);
    assert_eq!(expected(&w, "2025"), 0);
    assert!(w.ok(&["settings", "show"]).stdout.contains("2021-2026"));
    let r = w.fails(&["settings", "set", "term", "2026-2021"], 65);
    assert!(r.stderr.contains("2026-2021"), "{}", r.stderr);
    w.ok(&["settings", "set", "term", "2026-2031"]);
    assert_eq!(expected(&w, "2026"), 0);
}

/// `settings show` names the term per-term items follow: unset, each group's latest
/// held tổ trưởng election (Luật 10/2022/QH15 Điều 36 khoản 2); set, the ward's term.
/// The JSON carries it too, stored as the ward's (`export`).
#[test]
fn settings_show_names_the_term_in_text_and_json_dieu_36_khoan_2() {
    let w = small_ward();
    let json = w.ok(&["settings", "show", "--format", "json"]).json();
    let term = &json["term"];
    assert_eq!(term["value"], Value::Null, "{json}");
    assert_eq!(term["follows"], "group-election");
    assert_eq!(term["article"], "Điều 36 khoản 2 Luật 10/2022/QH15");
    assert!(
        term["rule"]
            .as_str()
            .unwrap()
            .contains("lần bầu Tổ trưởng tổ dân phố gần nhất"),
        "{term}"
    );
    let en = w.ok(&["--lang", "en", "settings", "show"]).stdout;
    let line = en.lines().find(|l| l.starts_with("term")).unwrap();
    assert!(
        line.contains("not set — each group's term follows its latest held election"),
        "{line}"
    );
    assert!(line.contains("Điều 36 khoản 2"), "{line}");
    // The document settings are still there, by their keys.
    assert!(json.get("signer_name").is_some(), "{json}");

    w.ok(&["settings", "set", "term", "2021-2026"]);
    let term = w
        .ok(&["--lang", "en", "settings", "show", "--format", "json"])
        .json()["term"]
        .clone();
    assert_eq!(
        (
            &term["value"],
            &term["start"],
            &term["end"],
            &term["follows"]
        ),
        (
            &Value::from("2021-2026"),
            &Value::from(2021),
            &Value::from(2026),
            &Value::from("ward")
        )
    );
    assert!(
        term["rule"].as_str().unwrap().contains("last year (2026)"),
        "{term}"
    );
    let export = w.ok(&["export"]).json();
    assert_eq!(
        export["ward"]["term"],
        serde_json::json!({"start": 2021, "end": 2026})
    );
}

/// Luật 10/2022/QH15 Điều 36 khoản 2 (the Ban TTND's term follows the tổ trưởng's):
/// with no term set, a group's held tổ trưởng election (Điều 15 khoản 4, BQ-04) opens
/// its term, so its Ban TTND member's election (Điều 15 khoản 5, BQ-05) is due that
/// year without being registered — in the report, `qcdc items` and `qcdc due` — and
/// overdue once the year has ended. A group without an election, or whose vote
/// failed, owes nothing. Nothing is stored for it until the team acts; a removal
/// (also a passing vote) is answered by marking BQ-05 not applicable.
#[test]
fn no_term_set_a_held_election_makes_bq_05_due_that_year_dieu_36_khoan_2() {
    let w = small_ward();
    let elect = |period: &str, group: &str, agree: &str, date: &str| {
        w.ok(&[
            "--period",
            period,
            "vote",
            group,
            "BQ-04",
            "--present",
            "180",
            "--agree",
            agree,
            "--date",
            date,
        ]);
    };
    // Tổ 1 (300 households) elects in June 2026; Tổ 2 (186) elected in 2025; Đồng Tâm's
    // vote fails (60 of 245).
    elect("2026", "Tổ dân phố 1", "170", "14/06/2026");
    elect("2025", "Tổ dân phố 2", "120", "08/06/2025");
    elect("2026", "Tổ dân phố Đồng Tâm", "60", "20/09/2026");
    let report = |period: &str| {
        w.ok(&["--period", period, "report", "--format", "json"])
            .json()
    };

    let r26 = report("2026");
    let bq05 = any_row(&r26, "BQ-05");
    assert_eq!(bq05["expected"], 1, "{bq05}");
    assert_eq!(bq05["pending"], serde_json::json!(["Tổ dân phố 1"]));
    assert_eq!(bq05["overdue"], 0, "2026 has not ended (today 22/11/2026)");
    // The half-year and quarter views count it as yearly items are counted.
    let h2 = report("2026-H2");
    assert_eq!(any_row(&h2, "BQ-05")["expected"], 1);
    let q1 = report("2026-Q1");
    assert_eq!(any_row(&q1, "BQ-05")["expected"], 1);

    let r25 = report("2025");
    let bq05 = any_row(&r25, "BQ-05");
    assert_eq!(
        (bq05["expected"].as_u64(), bq05["overdue"].as_u64()),
        (Some(1), Some(1))
    );
    let late: Vec<&Value> = r25["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["item"] == "BQ-05")
        .collect();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0]["group"], "Tổ dân phố 2");
    assert_eq!(late[0]["due"], "2025-12-31");

    // The checklist: registered (counted) for Tổ 1, with nothing stored; not for the others.
    let row = w.item("Tổ dân phố 1", "BQ-05");
    assert_eq!(
        (row["registered"].as_bool(), row["version"].as_u64()),
        (Some(true), Some(0))
    );
    assert_eq!(w.item("Tổ dân phố 2", "BQ-05")["registered"], false);
    assert_eq!(w.item("Tổ dân phố Đồng Tâm", "BQ-05")["registered"], false);
    let y25 = w
        .ok(&[
            "--period",
            "2025",
            "items",
            "Tổ dân phố 2",
            "--format",
            "json",
        ])
        .json();
    let row25 = y25
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "BQ-05")
        .unwrap();
    assert_eq!(
        (row25["registered"].as_bool(), row25["overdue"].as_bool()),
        (Some(true), Some(true))
    );
    // The agenda: the year's end for Tổ 1 alone.
    let due = w.ok(&["due", "--days", "40", "--format", "json"]).json();
    let bq05_due: Vec<&Value> = due
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["item"] == "BQ-05")
        .collect();
    assert_eq!(bq05_due.len(), 1, "{bq05_due:?}");
    assert_eq!(bq05_due[0]["group"], "Tổ dân phố 1");
    assert_eq!(bq05_due[0]["date"], "2026-12-31");
    // Derived, not stored: the export holds the three elections and no BQ-05.
    let export = w.ok(&["export"]).json();
    let keys: Vec<&str> = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["item"].as_str())
        .collect();
    assert_eq!(keys, ["BQ-04", "BQ-04", "BQ-04"]);

    // Tổ 1's vote was a removal, not a new term: the team marks BQ-05 not applicable
    // and it leaves the denominator.
    for step in ["biet", "ban", "kiemtra"] {
        w.ok(&[
            "--period",
            "2026",
            "mark",
            "Tổ dân phố 1",
            "BQ-05",
            step,
            "na",
        ]);
    }
    let bq05 = any_row(&report("2026"), "BQ-05").clone();
    assert_eq!(
        (bq05["expected"].as_u64(), bq05["not_applicable"].as_u64()),
        (Some(0), Some(1))
    );

    // With a term set, the term alone decides, as before: 2026-2031 makes nothing of
    // 2025 due; 2021-2026 makes every group's 2026 election due.
    w.ok(&["settings", "set", "term", "2026-2031"]);
    assert_eq!(any_row(&report("2025"), "BQ-05")["expected"], 0);
    assert_eq!(w.item("Tổ dân phố 2", "BQ-05")["registered"], false);
    w.ok(&["settings", "set", "term", "2021-2026"]);
    let bq05 = any_row(&report("2026"), "BQ-05").clone();
    assert_eq!(
        bq05["expected"], 2,
        "Tổ 2 and Đồng Tâm; Tổ 1's is not applicable"
    );
    assert_eq!(w.item("Tổ dân phố Đồng Tâm", "BQ-05")["registered"], true);
}

/// Điều 19 khoản 1 điểm b; NĐ 61/2023 Điều 10 khoản 2 điểm a: a hương ước meeting
/// (BQ-03) without representatives of more than half the households goes on to a
/// household ballot. Both are kept, and the ballot decides.
#[test]
fn meeting_without_quorum_then_ballot_both_kept_ballot_decides_dieu_19_khoan_1_diem_b() {
    let w = small_ward();
    let base = ["--period", "2026-Q3", "vote", "Tổ dân phố 1", "BQ-03"];
    let meeting = w.ok(&[
        &base[..],
        &["--present", "120", "--agree", "110", "--date", "10/08/2026"],
    ]
    .concat());
    assert!(
        meeting
            .stdout
            .contains("không đủ hộ dự — phát phiếu (Điều 19 khoản 1 điểm b"),
        "{}",
        meeting.stdout
    );
    let ballot = w.ok(&[
        &base[..],
        &[
            "--present",
            "260",
            "--agree",
            "200",
            "--date",
            "25/08/2026",
            "--form",
            "ballot",
        ],
    ]
    .concat());
    assert!(ballot.stdout.starts_with("Đạt"), "{}", ballot.stdout);
    let row = w.item("Tổ dân phố 1", "BQ-03");
    assert_eq!(row["evidence"]["vote"]["form"], "ballot");
    assert_eq!(row["evidence"]["vote"]["verdict"]["passes"], true);
    assert_eq!(row["evidence"]["meeting_date"], "2026-08-25");
    let rounds = row["evidence"]["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 1, "{row}");
    assert_eq!(rounds[0]["form"], "meeting");
    assert_eq!(rounds[0]["present"], 120);
    assert_eq!(rounds[0]["date"], "2026-08-10");
    // Stored: the export carries both.
    let export = w.ok(&["export"]).json();
    let e = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item"] == "BQ-03")
        .unwrap();
    assert_eq!(e["evidence"]["rounds"][0]["count"]["form"], "meeting");
    // The quarter's report counts both: the meeting held on 10/08 is a meeting of
    // section VIII and a vote of section II (it did not reach attendance), the ballot
    // of 25/08 is the vote that passed.
    let rep = w
        .ok(&[
            "--period", "2026-Q3", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    let votes: Vec<(String, bool)> = rep["votes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["item"] == "BQ-03")
        .map(|v| {
            (
                v["meeting_date"].as_str().unwrap().to_string(),
                v["verdict"]["passes"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        votes,
        [
            ("2026-08-10".to_string(), false),
            ("2026-08-25".to_string(), true)
        ],
        "{rep}"
    );
    let meetings: Vec<&str> = rep["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["item"] == "BQ-03")
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(meetings, ["2026-08-10", "2026-08-25"], "{rep}");
    let g1 = rep["meeting_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "Tổ dân phố 1")
        .unwrap();
    assert!(g1["meetings"].as_u64().unwrap() >= 2, "{g1}");
    // Undo takes the ballot back and the meeting with it is the result again.
    w.ok(&["undo"]);
    let row = w.item("Tổ dân phố 1", "BQ-03");
    assert_eq!(row["evidence"]["vote"]["form"], "meeting");
    assert_eq!(row["evidence"]["rounds"].as_array().unwrap().len(), 0);
}

/// Điều 17 khoản 2: items 3–5 of Điều 15 are decided at a meeting; a ballot only after
/// a meeting without enough households present. Nothing is written when refused.
#[test]
fn a_ballot_without_a_failed_meeting_is_refused_for_dieu_15_khoan_3_to_5() {
    let w = small_ward();
    for code in ["BQ-03", "BQ-04", "BQ-05"] {
        let r = w.fails(
            &[
                "vote",
                "Tổ dân phố 1",
                code,
                "--present",
                "250",
                "--agree",
                "200",
                "--form",
                "ballot",
            ],
            65,
        );
        assert!(r.stderr.contains("Điều 17 khoản 2"), "{code}: {}", r.stderr);
        assert_eq!(w.item("Tổ dân phố 1", code)["version"], 0);
    }
    // A meeting that reached the threshold on attendance leaves no room for a ballot.
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-04",
        "--present",
        "250",
        "--agree",
        "100",
    ]);
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-04",
            "--present",
            "250",
            "--agree",
            "200",
            "--form",
            "ballot",
        ],
        65,
    );
    // Contributions (khoản 1) may go to a ballot directly (Điều 19 khoản 1 điểm c).
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "250",
        "--agree",
        "210",
        "--form",
        "ballot",
    ]);
}

/// Điều 17 khoản 2: online voting only for the matters of Điều 15 khoản 6 (BQ-06).
#[test]
fn online_is_refused_for_bq_01_to_05_and_accepted_for_bq_06_dieu_17_khoan_2() {
    let w = small_ward();
    for code in ["BQ-01", "BQ-02", "BQ-03", "BQ-04", "BQ-05"] {
        let r = w.fails(
            &[
                "--lang",
                "en",
                "vote",
                "Tổ dân phố 1",
                code,
                "--present",
                "250",
                "--agree",
                "200",
                "--form",
                "online",
            ],
            65,
        );
        assert!(r.stderr.contains("Điều 17 khoản 2"), "{code}: {}", r.stderr);
        assert!(r.stderr.contains("cannot be voted online"), "{}", r.stderr);
    }
    let ok = w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-06",
        "--present",
        "250",
        "--agree",
        "200",
        "--form",
        "online",
    ]);
    assert!(ok.stdout.starts_with("Đạt"), "{}", ok.stdout);
    assert_eq!(
        w.item("Tổ dân phố 1", "BQ-06")["evidence"]["vote"]["form"],
        "online"
    );
}

/// Dates honest (issue 13): a vote dated after today (2026-11-22 in the tests) is
/// refused unless planned; a quarter's report lists only the votes dated in it.
#[test]
fn future_votes_are_refused_and_a_quarter_lists_only_its_votes() {
    let w = small_ward();
    let r = w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-06",
            "--present",
            "250",
            "--agree",
            "200",
            "--date",
            "28/12/2026",
        ],
        65,
    );
    assert!(r.stderr.contains("--planned"), "{}", r.stderr);
    assert_eq!(w.item("Tổ dân phố 1", "BQ-06")["version"], 0);
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-06",
        "--present",
        "250",
        "--agree",
        "200",
        "--date",
        "28/12/2026",
        "--planned",
    ]);
    // Held April and October (yearly entries, each in its quarter's report).
    w.ok(&[
        "vote",
        "Tổ dân phố 2",
        "BQ-06",
        "--present",
        "150",
        "--agree",
        "120",
        "--date",
        "15/04/2026",
    ]);
    let r = w.ok(&[
        "--period",
        "2026-Q1",
        "vote",
        "Tổ dân phố Đồng Tâm",
        "BQ-01",
        "--present",
        "200",
        "--agree",
        "180",
        "--date",
        "05/10/2026",
    ]);
    assert!(
        r.stderr.is_empty() || r.stderr.contains("Lưu ý"),
        "{}",
        r.stderr
    );
    let votes = |p: &str| -> Vec<String> {
        w.ok(&["--period", p, "report", "--format", "json"]).json()["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                format!(
                    "{} {}",
                    v["group"].as_str().unwrap(),
                    v["item"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(votes("2026-Q1"), Vec::<String>::new());
    assert_eq!(votes("2026-Q2"), vec!["Tổ dân phố 2 BQ-06".to_string()]);
    assert_eq!(
        votes("2026-Q4"),
        vec!["Tổ dân phố Đồng Tâm BQ-01".to_string()]
    );
    // The planned December vote is not a result yet, even in the year's report.
    assert_eq!(votes("2026").len(), 2);
}

/// `qcdc due`: a planned decision meeting on Tuesday 01/12/2026 (today is 22/11) gives
/// its notice (NĐ 59/2023 Điều 3 khoản 3: two days before, Sunday 29/11) and the
/// sending of the decision (Điều 20 khoản 3: five working days, Tuesday 08/12, the
/// weekend skipped); a quarter that ended with steps left is late. Soonest first, each
/// with group, item, rule and article.
#[test]
fn the_agenda_lists_what_falls_due_and_what_is_late_soonest_first() {
    let w = small_ward();
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "250",
        "--agree",
        "210",
        "--date",
        "01/12/2026",
        "--planned",
    ]);
    w.ok(&[
        "--period",
        "2026-Q3",
        "mark",
        "Tổ dân phố 2",
        "CK-02",
        "biet",
        "done",
    ]);
    let rows = w.ok(&["due", "--days", "20", "--format", "json"]).json();
    let rows = rows.as_array().unwrap();
    let dates: Vec<&str> = rows.iter().map(|r| r["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "soonest first");
    let find = |article: &str| {
        rows.iter()
            .find(|r| r["item"] == "BQ-01" && r["article"].as_str().unwrap().starts_with(article))
            .unwrap_or_else(|| panic!("no BQ-01 deadline under {article}: {rows:#?}"))
    };
    let notice = find("Điều 3 khoản 3");
    assert_eq!(notice["date"], "2026-11-29");
    assert_eq!(notice["group"], "Tổ dân phố 1");
    assert_eq!(notice["late"], false);
    let send = find("Điều 20 khoản 3");
    assert_eq!(send["date"], "2026-12-08");
    assert!(send["rule_vi"].as_str().unwrap().contains("ngày làm việc"));
    let late = rows
        .iter()
        .find(|r| r["item"] == "CK-02" && r["group"] == "Tổ dân phố 2" && r["period"] == "2026-Q3")
        .expect("the third quarter's CK-02 is late");
    assert_eq!(late["late"], true);
    assert_eq!(late["date"], "2026-09-30");
    // Unregistered event items are on no agenda; --group narrows it.
    assert!(!rows.iter().any(|r| r["item"] == "BQ-03"));
    let one = w
        .ok(&["due", "--group", "Tổ dân phố 2", "--format", "json"])
        .json();
    assert!(
        one.as_array()
            .unwrap()
            .iter()
            .all(|r| r["group"] == "Tổ dân phố 2")
    );
    let text = w.ok(&["due", "--days", "20"]).stdout;
    assert!(text.contains("29/11/2026"), "{text}");
    assert!(text.contains("QUÁ HẠN"), "{text}");
}

/// BQ-07, a ward-wide contribution decision: its units are the groups (Điều 21 khoản
/// 1: at least two thirds of all the ward's groups agree), each group's own ballot
/// reported by its tổ trưởng (NĐ 59/2023 Điều 4 khoản 6 điểm c) and the ward's result
/// derived from them; the denominator cannot be lowered.
#[test]
fn bq_07_counts_groups_from_their_own_results_dieu_21_khoan_1() {
    let w = small_ward();
    // A hand count against fewer groups than the ward has is refused.
    let r = w.fails(
        &[
            "vote",
            "phuong",
            "BQ-07",
            "--households",
            "2",
            "--present",
            "2",
            "--agree",
            "2",
            "--form",
            "ballot",
        ],
        65,
    );
    assert!(
        r.stderr.contains("tổng số tổ dân phố của phường (3)"),
        "{}",
        r.stderr
    );
    // Online is not a form for it (Điều 17 khoản 2).
    w.fails(
        &[
            "vote",
            "phuong",
            "BQ-07",
            "--present",
            "3",
            "--agree",
            "3",
            "--form",
            "online",
        ],
        65,
    );
    // Tổ dân phố 1 (300 households): 210 agree ≥ 2/3 → it agrees.
    let one = w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-07",
        "--present",
        "260",
        "--agree",
        "210",
        "--form",
        "ballot",
        "--date",
        "05/10/2026",
    ]);
    assert!(one.stdout.starts_with("Đạt"), "{}", one.stdout);
    assert!(
        one.stdout.contains("Toàn phường: Không đạt: 1/3 tổ"),
        "{}",
        one.stdout
    );
    // Tổ dân phố 2 (186): 120 < 124 → it does not agree.
    w.ok(&[
        "vote",
        "Tổ dân phố 2",
        "BQ-07",
        "--present",
        "150",
        "--agree",
        "120",
        "--form",
        "ballot",
    ]);
    // Đồng Tâm (245): 170 ≥ 164 → agrees; 2 of 3 groups ≥ 2/3 → the ward passes.
    let last = w.ok(&[
        "vote",
        "Tổ dân phố Đồng Tâm",
        "BQ-07",
        "--present",
        "200",
        "--agree",
        "170",
        "--form",
        "ballot",
    ]);
    assert!(
        last.stdout.contains("Toàn phường: Đạt: 2/3 tổ"),
        "{}",
        last.stdout
    );
    let row = w.item("phuong", "BQ-07");
    assert_eq!(row["evidence"]["vote"]["total"], 3);
    assert_eq!(row["evidence"]["vote"]["present"], 3);
    assert_eq!(row["evidence"]["vote"]["agree"], 2);
    assert_eq!(row["evidence"]["vote"]["verdict"]["passes"], true);
    let export = w.ok(&["export"]).json();
    let e = export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item"] == "BQ-07")
        .unwrap();
    assert_eq!(e["evidence"]["group_votes"].as_array().unwrap().len(), 3);
    // Once groups' results are in, a hand count for the ward is refused.
    let r = w.fails(
        &[
            "vote",
            "phuong",
            "BQ-07",
            "--present",
            "3",
            "--agree",
            "3",
            "--form",
            "ballot",
        ],
        65,
    );
    assert!(r.stderr.contains("Điều 4 khoản 6"), "{}", r.stderr);
    // A group's count against fewer households than it has is refused.
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-07",
            "--households",
            "200",
            "--present",
            "150",
            "--agree",
            "140",
            "--form",
            "ballot",
        ],
        65,
    );
}

/// Two occurrences of BQ-01 travel through export and import as two entries, each
/// with its own history (the audit records that changed it, and only those), and the
/// copy exports to the same bytes.
#[test]
fn occurrences_keep_their_own_history_through_export_and_import() {
    let w = small_ward();
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 2",
        "BQ-01",
        "--date",
        "10/03/2026",
    ]);
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 2",
        "BQ-01",
        "--date",
        "20/06/2026",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "mark",
        "Tổ dân phố 2",
        "BQ-01#2",
        "biet",
        "done",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "mark",
        "Tổ dân phố 2",
        "BQ-01",
        "ban",
        "doing",
    ]);
    let first = w.ok(&["export"]).stdout;
    let file = w.dir.path().join("ward.json");
    std::fs::write(&file, &first).unwrap();
    let copy = Ward::empty();
    copy.ok(&["import", "database", file.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]).stdout, first);
    copy.ok(&["check"]);
    // The province roll-up counts both occurrences as the ward's own report does.
    let local = w
        .ok(&["--period", "2026", "report", "--format", "json"])
        .json();
    let up = w
        .ok(&[
            "--period",
            "2026",
            "rollup",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    assert_eq!(up["wards"][0]["completion"], local["completion"], "{up:#}");
    let store = qcdc::store::Store::open(&copy.db).expect("open");
    let gid = store
        .groups()
        .unwrap()
        .into_iter()
        .find(|g| g.name == "Tổ dân phố 2")
        .unwrap()
        .id;
    let y = qcdc::domain::Period::Year(2026);
    let second = store.entry_audit(y, gid, "BQ-01#2").unwrap();
    assert_eq!(second.len(), 2, "{second:#?}");
    assert!(second.iter().all(|r| r.item == "BQ-01#2"));
    let first_h = store.entry_audit(y, gid, "BQ-01").unwrap();
    assert_eq!(first_h.len(), 2, "{first_h:#?}");
    assert!(first_h.iter().all(|r| r.item == "BQ-01"));
}

fn late_rows(rep: &Value) -> Vec<(String, String, String, String)> {
    rep["late_deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["group"].as_str().unwrap().to_string(),
                d["item"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["due"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Điều 20 khoản 3: the result of a meeting goes to the ward's UBND and UB MTTQ within
/// 05 working days. A meeting on Thursday 05/03/2026 counts Friday, then Monday to
/// Thursday: due Thursday 12/03/2026 (the weekend skipped). With steps left and nothing
/// recorded, the quarter's report lists it as a late law deadline with its article, in
/// every format; once the entry's steps are done it leaves the list. A quarter that
/// ended before the deadline does not list it.
#[test]
fn report_lists_a_late_law_deadline_dieu_20_khoan_3() {
    let w = small_ward();
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "2026-03-02",
        "--title",
        "Đường hẻm 12",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "30",
        "--agree",
        "25",
        "--date",
        "2026-03-05",
    ]);
    // Tổ 2 met on Monday 30/03/2026: due Monday 06/04/2026, a day of the next quarter.
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 2",
        "BQ-01",
        "--date",
        "2026-03-20",
        "--title",
        "Cống",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "vote",
        "Tổ dân phố 2",
        "BQ-01",
        "--present",
        "30",
        "--agree",
        "25",
        "--date",
        "2026-03-30",
    ]);
    let q2 = w
        .ok(&[
            "--period", "2026-Q2", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    assert!(
        late_rows(&q2).contains(&(
            "Tổ dân phố 2".into(),
            "BQ-01".into(),
            "send-result".into(),
            "2026-04-06".into()
        )),
        "{q2}"
    );
    let rep = w
        .ok(&[
            "--period", "2026-Q1", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    let late = late_rows(&rep);
    assert!(!late.iter().any(|l| l.0 == "Tổ dân phố 2"), "{late:?}");
    assert!(
        late.contains(&(
            "Tổ dân phố 1".into(),
            "BQ-01".into(),
            "send-result".into(),
            "2026-03-12".into()
        )),
        "{late:?}"
    );
    let row = rep["late_deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "send-result")
        .unwrap();
    assert!(
        row["article"].as_str().unwrap().contains("Điều 20 khoản 3"),
        "{row}"
    );
    assert_eq!(rep["late_deadlines_total"], late.len());
    // The meeting's notice (NĐ 59/2023 Điều 3 khoản 3) prepared a meeting now held:
    // nothing to make good, so not listed.
    assert!(!late.iter().any(|l| l.2 == "meeting-notice"), "{late:?}");
    // Every format shows it.
    let text = w.ok(&["--period", "2026-Q1", "report"]).stdout;
    assert!(text.contains("Hạn luật định đã qua"), "{text}");
    assert!(text.contains("12/03/2026"), "{text}");
    let md = w
        .ok(&["--period", "2026-Q1", "report", "--format", "md"])
        .stdout;
    assert!(md.contains("Điều 20 khoản 3"), "{md}");
    // The workbook gives it its own sheet; the Word report a numbered part with a table.
    let xlsx = w.dir.path().join("q1.xlsx");
    w.ok(&[
        "--period",
        "2026-Q1",
        "report",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("xlsx");
    use calamine::Reader;
    let sh = wb.worksheet_range("Hạn luật định").expect("the sheet");
    let cells: Vec<String> = sh.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.iter().any(|c| c == "Tổ dân phố 1"), "{cells:?}");
    assert!(
        cells.iter().any(|c| c.contains("Điều 20 khoản 3")),
        "{cells:?}"
    );
    let docx = w.dir.path().join("q1.docx");
    w.ok(&[
        "--period",
        "2026-Q1",
        "report",
        "--format",
        "docx",
        "--out",
        docx.to_str().unwrap(),
    ]);
    let text = crate::documents::docx_text(&std::fs::read(&docx).unwrap());
    assert!(
        text.contains("Hạn luật định đã qua, chưa ghi nhận thực hiện"),
        "{text}"
    );
    assert!(text.contains("Điều 20 khoản 3"), "{text}");
    // Steps done: the duty was carried out, the deadline is no longer listed.
    for step in ["biet", "ban", "lam", "kiemtra"] {
        w.ok(&[
            "--period",
            "2026",
            "mark",
            "Tổ dân phố 1",
            "BQ-01",
            step,
            "done",
        ]);
    }
    let rep = w
        .ok(&[
            "--period", "2026-Q1", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    assert!(
        !late_rows(&rep)
            .iter()
            .any(|l| l.0 == "Tổ dân phố 1" && l.1 == "BQ-01"),
        "{rep}"
    );
}

/// An entry's stored evidence, deadlines and version, by entry key ("BQ-01#2"), from
/// `qcdc items --format json`.
fn entry_json(w: &Ward, group: &str, key: &str) -> Value {
    w.ok(&["items", group, "--format", "json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {group}'s checklist"))
        .clone()
}

fn deadline_of<'a>(row: &'a Value, code: &str) -> &'a Value {
    row["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {row:#}"))
}

fn agenda_row(w: &Ward, key: &str, code: &str) -> Option<Value> {
    w.ok(&["due", "--days", "20", "--format", "json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == "Tổ dân phố 1" && r["key"] == key && r["code"] == code)
        .cloned()
}

/// A decision met on Friday 06/11/2026 is sent to the ward's UBND and UB MTTQ within
/// five working days, by Friday 13/11 (Điều 20 khoản 3 Luật 10/2022/QH15). Today,
/// 22/11, it is late — on the agenda, in `items`. `qcdc due done` records it sent (on
/// the day given): STORED in the entry's evidence, audited, off the agenda; `qcdc due
/// undo` and `qcdc undo` take it back. Refusals (a code the entry has not, the period's
/// end, a day after today, a bad date, taking back what was not recorded) exit 65 and
/// leave the database as it was.
#[test]
fn due_done_records_the_sending_of_a_decision_dieu_20_khoan_3() {
    let w = small_ward();
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "250",
        "--agree",
        "210",
        "--date",
        "06/11/2026",
    ]);
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    let send = deadline_of(&row, "send-result");
    assert_eq!(send["date"], "2026-11-13");
    assert_eq!(send["late"], true);
    assert!(send.get("done").is_none());
    // The meeting notice (NĐ 59/2023 Điều 3 khoản 3) prepared a meeting already held:
    // no longer late, and not on the agenda.
    assert_eq!(deadline_of(&row, "meeting-notice")["late"], false);
    assert!(agenda_row(&w, "BQ-01", "meeting-notice").is_none());
    let late = agenda_row(&w, "BQ-01", "send-result").expect("late on the agenda");
    assert_eq!(late["late"], true);
    assert_eq!(late["article"], "Điều 20 khoản 3 Luật 10/2022/QH15");
    let text = w.ok(&["items", "Tổ dân phố 1"]).stdout;
    assert!(text.contains("[send-result] — QUÁ HẠN"), "{text}");
    // The report's late list, by the same rule.
    let in_report = |w: &Ward| {
        let rep = w
            .ok(&[
                "--period", "2026-Q4", "report", "--format", "json", "--limit", "0",
            ])
            .json();
        late_rows(&rep).iter().any(|l| {
            l.0 == "Tổ dân phố 1" && l.1 == "BQ-01" && l.2 == "send-result" && l.3 == "2026-11-13"
        })
    };
    assert!(in_report(&w));

    // Refusals, nothing written.
    let log_before = w.log().len();
    let version = row["version"].clone();
    let r = w.fails(&["due", "done", "Tổ dân phố 1", "BQ-01", "investor"], 65);
    assert!(
        r.stderr.contains("không có hạn \"investor\"")
            && r.stderr.contains("meeting-notice (04/11/2026)")
            && r.stderr.contains("send-result (13/11/2026)"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "--lang",
            "en",
            "due",
            "done",
            "Tổ dân phố 1",
            "BQ-01",
            "nonsense",
        ],
        65,
    );
    assert!(
        r.stderr
            .contains("has no deadline \"nonsense\". Its deadlines: meeting-notice"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "due",
            "done",
            "Tổ dân phố 1",
            "BQ-01",
            "send-result",
            "--date",
            "23/11/2026",
        ],
        65,
    );
    assert!(
        r.stderr.contains("sau hôm nay (22/11/2026)"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "due",
            "done",
            "Tổ dân phố 1",
            "BQ-01",
            "send-result",
            "--date",
            "31/02/2026",
        ],
        65,
    );
    assert!(r.stderr.contains("Ngày không hợp lệ"), "{}", r.stderr);
    let r = w.fails(&["due", "done", "Tổ dân phố 1", "BQ-01", "period-end"], 65);
    assert!(r.stderr.contains("Hạn hết kỳ"), "{}", r.stderr);
    let r = w.fails(&["due", "undo", "Tổ dân phố 1", "BQ-01", "send-result"], 65);
    assert!(r.stderr.contains("chưa được ghi là đã làm"), "{}", r.stderr);
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(row["version"], version);
    assert_eq!(row["evidence"]["met"], serde_json::json!([]));
    assert_eq!(w.log().len(), log_before);

    // Recorded done on 12/11: stored, audited, off the agenda.
    let out = w.ok(&[
        "due",
        "done",
        "to dan pho 1",
        "bq-01",
        "send-result",
        "--date",
        "12/11/2026",
    ]);
    assert!(
        out.stdout
            .contains("Đã ghi đã làm: Tổ dân phố 1 · BQ-01 · 2026")
            && out.stdout.contains("làm ngày 12/11/2026"),
        "{}",
        out.stdout
    );
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(
        row["evidence"]["met"],
        serde_json::json!([{"code": "send-result", "date": "2026-11-12"}])
    );
    let send = deadline_of(&row, "send-result");
    assert_eq!(send["done"], "2026-11-12");
    assert_eq!(send["late"], false);
    assert_eq!(row["version"], version.as_u64().unwrap() + 1);
    let rec = &w.log()[0];
    assert_eq!(rec["item"], "BQ-01");
    assert_eq!(rec["changes"][0]["field"], "met");
    assert_eq!(rec["changes"][0]["new"], "send-result=2026-11-12");
    assert!(agenda_row(&w, "BQ-01", "send-result").is_none());
    assert!(!in_report(&w), "recorded done: off the report's late list");
    let text = w.ok(&["items", "Tổ dân phố 1"]).stdout;
    assert!(text.contains("[send-result] — đã làm 12/11/2026"), "{text}");

    // Taken back: late again.
    let out = w.ok(&[
        "--lang",
        "en",
        "due",
        "undo",
        "Tổ dân phố 1",
        "BQ-01",
        "send-result",
    ]);
    assert!(out.stdout.contains("Taken back"), "{}", out.stdout);
    assert!(out.stdout.contains("now late"), "{}", out.stdout);
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(row["evidence"]["met"], serde_json::json!([]));
    assert!(agenda_row(&w, "BQ-01", "send-result").is_some_and(|r| r["late"] == true));
    assert!(in_report(&w));

    // Recorded today (the default), then `qcdc undo` reverses it like any edit.
    w.ok(&["due", "done", "Tổ dân phố 1", "BQ-01", "send-result"]);
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(
        row["evidence"]["met"],
        serde_json::json!([{"code": "send-result", "date": "2026-11-22"}])
    );
    w.ok(&["undo", "--yes"]);
    let row = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(row["evidence"]["met"], serde_json::json!([]));
}

/// A second decision of the year is its own occurrence (`BQ-01#2`) with its own
/// deadlines: its sending (Điều 20 khoản 3: Thursday 12/11 + five working days =
/// Thursday 19/11) is recorded done on that occurrence alone. An upcoming meeting
/// notice (NĐ 59/2023 Điều 3 khoản 3: two days before a meeting on 01/12, so 29/11)
/// recorded done leaves the agenda before its day.
#[test]
fn due_done_on_an_occurrence_and_an_upcoming_notice_nd_59_dieu_3_khoan_3() {
    let w = small_ward();
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "02/11/2026",
    ]);
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "10/11/2026",
    ]);
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01#2",
        "--present",
        "250",
        "--agree",
        "210",
        "--date",
        "12/11/2026",
    ]);
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01",
        "--present",
        "250",
        "--agree",
        "210",
        "--date",
        "01/12/2026",
        "--planned",
    ]);
    let late = agenda_row(&w, "BQ-01#2", "send-result").expect("the second is late");
    assert_eq!(
        (late["date"].as_str(), late["late"].as_bool()),
        (Some("2026-11-19"), Some(true))
    );
    let notice = agenda_row(&w, "BQ-01", "meeting-notice").expect("the first's notice ahead");
    assert_eq!(
        (notice["date"].as_str(), notice["late"].as_bool()),
        (Some("2026-11-29"), Some(false))
    );
    let text = w.ok(&["due"]).stdout;
    assert!(text.contains("Tổ dân phố 1 · BQ-01#2"), "{text}");
    assert!(text.contains("mã send-result"), "{text}");

    w.ok(&["due", "done", "Tổ dân phố 1", "BQ-01#2", "send-result"]);
    let second = entry_json(&w, "Tổ dân phố 1", "BQ-01#2");
    assert_eq!(
        second["evidence"]["met"],
        serde_json::json!([{"code": "send-result", "date": "2026-11-22"}])
    );
    assert_eq!(
        entry_json(&w, "Tổ dân phố 1", "BQ-01")["evidence"]["met"],
        serde_json::json!([])
    );
    assert!(agenda_row(&w, "BQ-01#2", "send-result").is_none());

    w.ok(&[
        "due",
        "done",
        "Tổ dân phố 1",
        "BQ-01",
        "meeting-notice",
        "--date",
        "21/11/2026",
    ]);
    let first = entry_json(&w, "Tổ dân phố 1", "BQ-01");
    assert_eq!(
        first["evidence"]["met"],
        serde_json::json!([{"code": "meeting-notice", "date": "2026-11-21"}])
    );
    assert_eq!(deadline_of(&first, "meeting-notice")["done"], "2026-11-21");
    assert!(agenda_row(&w, "BQ-01", "meeting-notice").is_none());
    // The sending of that decision, Tuesday 08/12, is still ahead, on the agenda.
    assert!(agenda_row(&w, "BQ-01", "send-result").is_some_and(|r| r["late"] == false));
}

/// NĐ 59/2023 Điều 9 khoản 3: after the residents remove their tổ trưởng, the ward
/// decides the new election within 60 days. Registered as a removal (`--removal`), the
/// occurrence carries that deadline — late in the report once passed, even with the
/// removal's own steps done, until recorded done — and, being no election, it opens no
/// term: the Ban TTND member's election (Điều 36 khoản 2) is not made due by it. Only
/// "bầu, cho thôi" items take `--removal`.
#[test]
fn a_removal_makes_the_new_election_due_in_60_days_nd_59_dieu_9_khoan_3() {
    let w = small_ward();
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-04",
        "--date",
        "2026-03-02",
        "--title",
        "Cho thôi ông A",
        "--removal",
    ]);
    w.ok(&[
        "--period",
        "2026",
        "vote",
        "Tổ dân phố 1",
        "BQ-04",
        "--present",
        "200",
        "--agree",
        "180",
        "--date",
        "2026-03-02",
    ]);
    let row = w.item("Tổ dân phố 1", "BQ-04");
    assert_eq!(row["evidence"]["removal"], true, "{row}");
    let late = |w: &Ward| {
        late_rows(
            &w.ok(&[
                "--period", "2026-Q2", "report", "--format", "json", "--limit", "0",
            ])
            .json(),
        )
    };
    let want = (
        "Tổ dân phố 1".to_string(),
        "BQ-04".to_string(),
        "reelect".to_string(),
        "2026-05-01".to_string(),
    );
    assert!(late(&w).contains(&want), "{:?}", late(&w));
    for step in ["biet", "ban", "kiemtra"] {
        w.ok(&[
            "--period",
            "2026",
            "mark",
            "Tổ dân phố 1",
            "BQ-04",
            step,
            "done",
        ]);
    }
    assert!(
        late(&w).contains(&want),
        "the removal's steps are not the new election"
    );
    // No term opened: the group's Ban TTND member election is not due for it.
    let rep = w
        .ok(&[
            "--period", "2026", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    assert_eq!(
        any_row(&rep, "BQ-05")["expected"],
        0,
        "{}",
        any_row(&rep, "BQ-05")
    );
    w.ok(&[
        "--period",
        "2026",
        "due",
        "done",
        "Tổ dân phố 1",
        "BQ-04",
        "reelect",
        "--date",
        "2026-04-20",
    ]);
    assert!(!late(&w).contains(&want));
    // A removal is only for "bầu, cho thôi": refused elsewhere, nothing written.
    let before = w.ok(&["export"]).stdout;
    let out = w.run(&[
        "event",
        "add",
        "Tổ dân phố 2",
        "BQ-01",
        "--date",
        "2026-03-02",
        "--removal",
    ]);
    assert_eq!(out.code, 65, "{}", out.stderr);
    assert!(out.stderr.contains("cho thôi"), "{}", out.stderr);
    assert_eq!(w.ok(&["export"]).stdout, before);
}
