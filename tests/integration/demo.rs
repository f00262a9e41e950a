//! `qcdc init --demo`, and `init` never touching an existing ward.

use crate::common::*;

#[test]
fn demo_ward_reports_at_least_nine_groups_in_six_branches_with_progress() {
    let w = demo_ward();
    let r = w.ok(&["report", "--format", "json"]).json();
    assert!(!r["ward"].as_str().expect("ward").is_empty());
    let branches = r["branches"].as_array().expect("branches");
    let groups: usize = branches
        .iter()
        .map(|b| b["groups"].as_array().expect("groups").len())
        .sum();
    assert!(branches.len() >= 6, "{} branches", branches.len());
    assert!(groups >= 9, "{groups} groups");
    assert!(done(&r["completion"]) > 0, "the demo has progress");
    assert!(done(&r["completion"]) < applicable(&r["completion"]));
    // Every branch has at least one group; one branch covers several (the law allows it).
    assert!(
        branches
            .iter()
            .all(|b| !b["groups"].as_array().expect("g").is_empty())
    );
    assert!(
        branches
            .iter()
            .any(|b| b["groups"].as_array().expect("g").len() > 1)
    );
    // The same numbers through the list commands.
    assert_eq!(w.groups().len(), groups);
    assert_eq!(w.branches().len(), branches.len());
}

#[test]
fn init_on_an_existing_ward_refuses_and_leaves_the_data_intact() {
    let w = demo_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "kiemtra", "done"]);
    let report = w.ok(&["report", "--format", "json"]).stdout;
    let groups = w.groups();
    let log = w.log();

    for args in [
        vec!["init", "--ward", "Phường Khác"],
        vec!["init", "--ward", "Phường Khác", "--steps", "6"],
        vec!["init", "--demo"],
    ] {
        let r = w.run(&args);
        assert_ne!(r.code, 0, "{args:?} must refuse");
        assert!(r.stderr.contains("không ghi đè"), "{}", r.stderr);
    }
    let en = w.run(&["--lang", "en", "init", "--ward", "X"]);
    assert_ne!(en.code, 0);
    assert!(en.stderr.contains("already holds a ward"), "{}", en.stderr);

    assert_eq!(w.ok(&["report", "--format", "json"]).stdout, report);
    assert_eq!(w.groups(), groups);
    assert_eq!(w.log(), log);
}

#[test]
fn init_with_six_steps_reports_six_steps() {
    let w = Ward::empty();
    let out = w.ok(&["init", "--ward", "Phường Sáu Bước", "--steps", "6"]);
    assert!(out.stdout.contains("6 bước"), "{}", out.stdout);
    let r = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(
        r["steps"],
        serde_json::json!(["biet", "ban", "lam", "kiemtra", "giamsat", "thuhuong"])
    );
}
