//! `qcdc vote`: Điều 21 thresholds, counted against all households.

use crate::common::*;

#[test]
fn bq01_is_a_two_thirds_decision_in_the_template_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/template.toml");
    let src = std::fs::read_to_string(&path).expect("data/template.toml");
    let t = qcdc::data::parse_template("data/template.toml", &src).expect("template parses");
    let bq01 = t.get("BQ-01").expect("BQ-01 in the template");
    assert_eq!(bq01.vote, Some(qcdc::domain::VoteRule::TwoThirds));
    assert_eq!(bq01.citation.article, 15);
    assert_eq!(bq01.citation.clause, Some(1));
}

#[test]
fn two_hundred_of_three_hundred_households_pass_a_two_thirds_matter_and_199_fail() {
    let w = small_ward();
    let vote = |lang: &str, agree: &str| {
        w.ok(&[
            "--lang",
            lang,
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "250",
            "--agree",
            agree,
        ])
        .stdout
    };
    let pass = vote("vi", "200");
    assert!(pass.starts_with("Đạt: 200/300"), "{pass}");
    let fail = vote("vi", "199");
    assert!(fail.starts_with("Không đạt: 199/300"), "{fail}");
    assert!(fail.contains("tối thiểu 200"), "{fail}");
    let fail_en = vote("en", "199");
    assert!(fail_en.starts_with("Fails: 199/300"), "{fail_en}");
    let pass_en = vote("en", "200");
    assert!(pass_en.starts_with("Passes: 200/300"), "{pass_en}");

    // The last vote recorded is the one the report shows.
    let r = w.ok(&["report", "--format", "json"]).json();
    let votes = r["votes"].as_array().expect("votes");
    assert_eq!(votes.len(), 1, "{votes:?}");
    assert_eq!(votes[0]["item"], "BQ-01");
    assert_eq!(votes[0]["group"], "Tổ dân phố 1");
    assert_eq!(votes[0]["verdict"]["passes"], true);
    assert_eq!(votes[0]["verdict"]["needed"], 200);
}

#[test]
fn a_majority_matter_needs_more_than_half_of_all_households_not_of_those_present() {
    let w = small_ward();
    // BQ-04 (electing the tổ trưởng): > 50 % of all 300 households, i.e. 151.
    let args = |agree: &'static str| {
        [
            "vote",
            "Tổ dân phố 1",
            "BQ-04",
            "--households",
            "300",
            "--present",
            "160",
            "--agree",
            agree,
        ]
    };
    let fail = w.ok(&args("150")).stdout;
    assert!(
        fail.starts_with("Không đạt"),
        "150 of 300 is not a majority: {fail}"
    );
    let pass = w.ok(&args("151")).stdout;
    assert!(pass.starts_with("Đạt"), "{pass}");
}

#[test]
fn impossible_counts_are_rejected_and_nothing_is_written() {
    let w = small_ward();
    let log = w.log();
    let r = w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "301",
            "--agree",
            "200",
        ],
        65,
    );
    assert!(
        r.stderr.contains("Số hộ dự (301) lớn hơn tổng số hộ (300)"),
        "{}",
        r.stderr
    );
    let en = w.fails(
        &[
            "--lang",
            "en",
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "301",
            "--agree",
            "200",
        ],
        65,
    );
    assert!(
        en.stderr
            .contains("present (301) is more than the households (300)"),
        "{}",
        en.stderr
    );
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "100",
            "--agree",
            "101",
        ],
        65,
    );
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "0",
            "--present",
            "0",
            "--agree",
            "0",
        ],
        65,
    );
    // Not a decision, and an unknown form.
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "CK-02",
            "--households",
            "300",
            "--present",
            "250",
            "--agree",
            "200",
        ],
        65,
    );
    w.fails(
        &[
            "vote",
            "Tổ dân phố 1",
            "BQ-01",
            "--households",
            "300",
            "--present",
            "250",
            "--agree",
            "200",
            "--form",
            "fax",
        ],
        65,
    );
    assert_eq!(w.log(), log, "a rejected vote leaves no trace");
    assert_eq!(
        w.ok(&["report", "--format", "json"]).json()["votes"],
        serde_json::json!([])
    );
}
