//! `qcdc import groups`: rosters as Excel saves them; all or nothing.

use crate::common::*;
use serde_json::Value;

/// NFD: "Tổ dân phố Đồng Tâm" and "Võ Thị Hồng" as Unikey can deliver them.
fn decomposed(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let d: String = s.nfd().collect();
    assert_ne!(d, s, "the test text has diacritics to decompose");
    d
}

/// BOM, semicolons, CRLF, a blank row, thousands separator, decomposed names.
fn good_roster() -> Vec<u8> {
    let mut s = String::from("\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\r\n");
    s.push_str("Chi bộ Hòa Bình;Tổ dân phố 1;245;Nguyễn Văn An\r\n");
    s.push_str(";;;\r\n");
    s.push_str("Chi bộ Hòa Bình;Tổ dân phố 2;1.230;Lê Thị Bình\r\n");
    s.push_str(&format!(
        "{};{};312;{}\r\n",
        decomposed("Chi bộ Thống Nhất"),
        decomposed("Tổ dân phố Đồng Tâm"),
        decomposed("Võ Thị Hồng")
    ));
    s.into_bytes()
}

fn write(w: &Ward, name: &str, bytes: &[u8]) -> String {
    let p = w.dir.path().join(name);
    std::fs::write(&p, bytes).expect("write roster");
    p.to_str().expect("utf-8 path").to_string()
}

fn names(groups: &[Value]) -> Vec<String> {
    groups
        .iter()
        .map(|g| g["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn a_good_roster_is_imported_with_names_in_nfc_and_dry_run_writes_nothing() {
    let w = Ward::empty();
    w.ok(&["init", "--ward", "Phường Nhập Thử"]);
    let file = write(&w, "danh-sach.csv", &good_roster());
    let log = w.log();

    let dry = w.ok(&["import", "groups", &file, "--dry-run"]);
    assert!(dry.stdout.contains("không ghi gì"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("+2 chi bộ, +3 tổ dân phố"),
        "{}",
        dry.stdout
    );
    assert!(w.groups().is_empty(), "--dry-run wrote groups");
    assert!(w.branches().is_empty(), "--dry-run wrote branches");
    assert_eq!(w.log(), log, "--dry-run wrote to the audit log");
    let dry_en = w.ok(&["--lang", "en", "import", "groups", &file, "--dry-run"]);
    assert!(
        dry_en.stdout.starts_with("Dry run (nothing written)"),
        "{}",
        dry_en.stdout
    );

    let done = w.ok(&["import", "groups", &file]);
    assert!(
        done.stdout.contains("+2 chi bộ, +3 tổ dân phố"),
        "{}",
        done.stdout
    );
    let groups = w.groups();
    assert_eq!(
        names(&groups),
        ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố Đồng Tâm"],
        "names are stored composed (NFC)"
    );
    let dong_tam = &groups[2];
    assert_eq!(dong_tam["branch"], "Chi bộ Thống Nhất");
    assert_eq!(dong_tam["leader"], "Võ Thị Hồng");
    assert_eq!(dong_tam["households"], 312);
    assert_eq!(
        groups[1]["households"], 1230,
        "\"1.230\" is one thousand two hundred thirty"
    );
    let branches = w.branches();
    assert_eq!(branches.len(), 2);
    assert_eq!(
        by_name(&Value::Array(branches), "Chi bộ Hòa Bình")["groups"],
        serde_json::json!(["Tổ dân phố 1", "Tổ dân phố 2"])
    );
    // Imported groups can be found by their composed name.
    w.ok(&["mark", "Tổ dân phố Đồng Tâm", "CK-02", "biet", "done"]);
}

#[test]
fn re_importing_the_same_roster_changes_nothing() {
    let w = Ward::empty();
    w.ok(&["init", "--ward", "Phường Nhập Thử"]);
    let file = write(&w, "danh-sach.csv", &good_roster());
    w.ok(&["import", "groups", &file]);
    let (groups, log) = (w.groups(), w.log());

    let again = w.ok(&["import", "groups", &file]);
    assert!(
        again.stdout.contains("+0 chi bộ, +0 tổ dân phố"),
        "{}",
        again.stdout
    );
    // The same roster typed without decomposition, in another case, comma-separated.
    let composed = "chi bo,to dan pho,so ho,to truong\n\
                    Chi bộ Thống Nhất,TỔ DÂN PHỐ ĐỒNG TÂM,312,Võ Thị Hồng\n";
    let f2 = write(&w, "danh-sach-2.csv", composed.as_bytes());
    let again2 = w.ok(&["import", "groups", &f2]);
    assert!(
        again2.stdout.contains("+0 chi bộ, +0 tổ dân phố"),
        "{}",
        again2.stdout
    );

    assert_eq!(w.groups(), groups);
    assert_eq!(w.log(), log, "a no-op import leaves no audit record");
}

#[test]
fn a_bad_roster_is_rejected_with_row_and_column_and_nothing_is_written() {
    let w = small_ward();
    let (groups, branches, log) = (w.groups(), w.branches(), w.log());
    // Rows 2 and 3 are good (a new branch and two new groups), row 4 is not.
    // (LF line ends here; CRLF row numbers are the ignored test below.)
    let bad = "\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\n\
               Chi bộ Mới;Tổ dân phố 9;120;Phan Văn Chín\n\
               Chi bộ Mới;Tổ dân phố 10;130;Đỗ Thị Mười\n\
               Chi bộ Mới;Tổ dân phố 11;abc;Hà Văn Mười Một\n";
    let file = write(&w, "sai.csv", bad.as_bytes());

    let r = w.fails(&["import", "groups", &file], 65);
    assert!(r.stderr.contains("dòng 4"), "names the row: {}", r.stderr);
    assert!(
        r.stderr.contains("\"Số hộ\""),
        "names the column: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("abc"),
        "shows the bad value: {}",
        r.stderr
    );
    let en = w.fails(&["--lang", "en", "import", "groups", &file], 65);
    assert!(
        en.stderr.contains("row 4, column \"Số hộ\""),
        "{}",
        en.stderr
    );
    // --dry-run rejects it the same way.
    w.fails(&["import", "groups", &file, "--dry-run"], 65);

    assert_eq!(
        w.groups(),
        groups,
        "not even the good rows before the bad one"
    );
    assert_eq!(w.branches(), branches);
    assert_eq!(w.log(), log);
}

#[test]
fn a_bad_crlf_roster_is_rejected_and_nothing_is_written() {
    let w = small_ward();
    let (groups, log) = (w.groups(), w.log());
    let bad = "\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\r\n\
               Chi bộ Mới;Tổ dân phố 9;120;Phan Văn Chín\r\n\
               Chi bộ Mới;Tổ dân phố 10;130;Đỗ Thị Mười\r\n\
               Chi bộ Mới;Tổ dân phố 11;abc;Hà Văn Mười Một\r\n";
    let file = write(&w, "sai-crlf.csv", bad.as_bytes());
    let r = w.fails(&["import", "groups", &file], 65);
    assert!(
        r.stderr.contains("\"Số hộ\"") && r.stderr.contains("abc"),
        "{}",
        r.stderr
    );
    assert_eq!(w.groups(), groups);
    assert_eq!(w.log(), log);
}

#[test]
fn row_numbers_are_right_in_a_crlf_roster() {
    let w = small_ward();
    let bad = "Chi bộ,Tổ dân phố,Số hộ,Tổ trưởng\r\n\
               Chi bộ Mới,Tổ dân phố 9,120,Phan Văn Chín\r\n\
               Chi bộ Mới,Tổ dân phố 10,130,Đỗ Thị Mười\r\n\
               Chi bộ Mới,Tổ dân phố 11,abc,Hà Văn Mười Một\r\n";
    let file = write(&w, "sai-crlf.csv", bad.as_bytes());
    let r = w.fails(&["--lang", "en", "import", "groups", &file], 65);
    assert!(r.stderr.contains("row 4, column \"Số hộ\""), "{}", r.stderr);
    let dup = "Chi bộ,Tổ dân phố,Số hộ,Tổ trưởng\r\nA,Tổ 7,100,X\r\nA,to 7,100,Y\r\n";
    let file = write(&w, "trung-crlf.csv", dup.as_bytes());
    let r = w.fails(&["--lang", "en", "import", "groups", &file], 65);
    assert!(
        r.stderr.contains("row 3") && r.stderr.contains("row 2"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_roster_missing_a_column_or_repeating_a_group_is_rejected() {
    let w = small_ward();
    let groups = w.groups();
    let missing = write(
        &w,
        "thieu.csv",
        "Chi bộ,Tổ dân phố,Tổ trưởng\nA,B,C\n".as_bytes(),
    );
    let r = w.fails(&["import", "groups", &missing], 65);
    assert!(
        r.stderr.contains("dòng 1") && r.stderr.contains("số hộ"),
        "{}",
        r.stderr
    );
    let dup = write(
        &w,
        "trung.csv",
        "chi bộ,tổ dân phố,số hộ,tổ trưởng\nA,Tổ 7,100,X\nA,to 7,100,Y\n".as_bytes(),
    );
    let r = w.fails(&["import", "groups", &dup], 65);
    assert!(r.stderr.contains("dòng 3"), "{}", r.stderr);
    let missing_file = w.dir.path().join("khong-co.csv");
    w.fails(
        &["import", "groups", missing_file.to_str().expect("utf-8")],
        65,
    );
    assert_eq!(w.groups(), groups);
}
