//! `--format json` on every list command is JSON that scripts can read.

use crate::common::*;

#[test]
fn branch_group_items_log_and_report_json_parse_with_their_fields() {
    let w = demo_ward();
    let branches = w.branches();
    assert!(!branches.is_empty());
    for b in &branches {
        assert!(
            b["id"].is_u64() && b["name"].is_string() && b["groups"].is_array(),
            "{b}"
        );
    }
    let groups = w.groups();
    for g in &groups {
        for key in ["name", "branch", "leader", "front_head"] {
            assert!(g[key].is_string(), "{key} in {g}");
        }
        assert!(
            g["id"].is_u64() && g["households"].as_u64().is_some_and(|h| h > 0),
            "{g}"
        );
    }
    let listed: usize = branches
        .iter()
        .map(|b| b["groups"].as_array().expect("g").len())
        .sum();
    assert_eq!(listed, groups.len(), "each group is in exactly one branch");

    let first = groups[0]["name"].as_str().expect("name");
    let items = w.ok(&["items", first, "--format", "json"]).json();
    let items = items.as_array().expect("items");
    assert!(!items.is_empty());
    for i in items {
        for key in ["code", "title", "pillar", "period", "citation"] {
            assert!(i[key].is_string(), "{key} in {i}");
        }
        assert!(i["steps"].is_object() && i["completion"].is_object(), "{i}");
        assert!(i["overdue"].is_boolean() && i["version"].is_u64(), "{i}");
    }
    let ward_items = w.ok(&["items", "phuong", "--format", "json"]).json();
    assert!(!ward_items.as_array().expect("ward items").is_empty());
    let en_ward = w
        .ok(&["--lang", "en", "items", "ward", "--format", "json"])
        .json();
    assert_eq!(
        en_ward, ward_items,
        "`ward` and `phuong` are the same checklist"
    );

    let log = w.log();
    assert!(!log.is_empty(), "loading the demo is in the log");
    for r in &log {
        assert!(
            r["seq"].is_u64() && r["at_ms"].is_i64() && r["action"].is_string(),
            "{r}"
        );
        assert!(
            r["actor"]["member"].is_string() && r["actor"]["os_user"].is_string(),
            "{r}"
        );
        assert!(r["changes"].is_array(), "{r}");
    }

    let report = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(report["schema"], 3);
}

#[test]
fn empty_lists_are_empty_json_arrays() {
    let w = Ward::empty();
    w.ok(&["init", "--ward", "Phường Trống"]);
    assert_eq!(
        w.ok(&["branch", "list", "--format", "json"]).json(),
        serde_json::json!([])
    );
    assert_eq!(
        w.ok(&["group", "list", "--format", "json"]).json(),
        serde_json::json!([])
    );
    assert_eq!(
        w.ok(&["log", "--format", "json"]).json(),
        serde_json::json!([])
    );
    let r = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(r["branches"], serde_json::json!([]));
}

#[test]
fn ascii_mode_prints_no_diacritics() {
    let w = small_ward();
    let out = w.ok(&["--ascii", "report"]).stdout;
    assert!(out.is_ascii(), "{out}");
    assert!(out.contains("Phuong Thu Nghiem"), "{out}");
}
