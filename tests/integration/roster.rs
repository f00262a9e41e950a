//! Rosters as ward spreadsheets come: XLSX with title rows and merged chi bộ cells,
//! updated households on re-import, all or nothing.

use crate::common::*;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

/// A roster as a ward's Excel file looks: a title, the heading on row 4, STT, the chi
/// bộ written once per block (merged), numbers as numbers, names typed with Unikey
/// (decomposed), a total row.
fn roster_xlsx(households_t2: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Danh sách").unwrap();
    let bold = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 5, "DANH SÁCH TỔ DÂN PHỐ PHƯỜNG NHẬP THỬ", &bold)
        .unwrap();
    ws.write_string(1, 0, "(Kèm theo Kế hoạch số 12/KH-UBND)")
        .unwrap();
    let head = [
        "STT",
        "Chi bộ",
        "Tên tổ dân phố",
        "Số hộ",
        "Tổ trưởng",
        "Trưởng ban công tác Mặt trận",
    ];
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &bold).unwrap();
    }
    ws.merge_range(4, 1, 5, 1, "Chi bộ Hòa Bình", &Format::new())
        .unwrap();
    let decomposed: String = "Tổ dân phố Đồng Tâm".nfd().collect();
    let rows: [(u32, &str, &str, &str); 3] = [
        (4, "Tổ dân phố 1", "245", "Nguyễn Văn An"),
        (5, "Tổ dân phố 2", households_t2, "Lê Thị Bình"),
        (6, &decomposed, "312", "Võ Thị Hồng"),
    ];
    for (i, (r, name, hh, leader)) in rows.iter().enumerate() {
        ws.write_number(*r, 0, (i + 1) as f64).unwrap();
        ws.write_string(*r, 2, *name).unwrap();
        match hh.parse::<u32>() {
            Ok(n) => ws.write_number(*r, 3, n as f64).unwrap(),
            Err(_) => ws.write_string(*r, 3, *hh).unwrap(),
        };
        ws.write_string(*r, 4, *leader).unwrap();
    }
    ws.write_string(6, 1, "Chi bộ Thống Nhất").unwrap();
    ws.write_string(6, 5, "Trần Văn Mặt").unwrap();
    ws.write_string(8, 1, "Tổng cộng").unwrap();
    ws.write_number(8, 3, 1743.0).unwrap();
    wb.save_to_buffer().unwrap()
}

fn write(w: &Ward, name: &str, bytes: &[u8]) -> String {
    let p = w.dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn group<'a>(groups: &'a [Value], name: &str) -> &'a Value {
    groups
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn an_xlsx_roster_imports_like_the_ward_sheet_reads() {
    let w = Ward::empty();
    w.ok(&["init", "--ward", "Phường Nhập Thử"]);
    let file = write(&w, "danh-sach.xlsx", &roster_xlsx("1186"));
    let dry = w.ok(&["import", "groups", &file, "--dry-run"]);
    assert!(
        dry.stdout
            .starts_with("Chạy thử (không ghi gì): +2 chi bộ, +3 tổ dân phố"),
        "{}",
        dry.stdout
    );
    assert!(w.groups().is_empty());

    w.ok(&["import", "groups", &file]);
    let groups = w.groups();
    assert_eq!(groups.len(), 3);
    let t2 = group(&groups, "Tổ dân phố 2");
    assert_eq!(
        t2["branch"], "Chi bộ Hòa Bình",
        "the merged chi bộ cell covers row 6"
    );
    assert_eq!(t2["households"], 1186);
    let dt = group(&groups, "Tổ dân phố Đồng Tâm");
    assert_eq!(dt["branch"], "Chi bộ Thống Nhất");
    assert_eq!(dt["front_head"], "Trần Văn Mặt");

    // The same file again: nothing changes, nothing is logged.
    let log = w.log();
    let again = w.ok(&["import", "groups", &file]);
    assert!(
        again
            .stdout
            .contains("+0 chi bộ, +0 tổ dân phố, 0 tổ cập nhật, 3 tổ không đổi"),
        "{}",
        again.stdout
    );
    assert_eq!(w.log(), log);

    // Next year's roster: Tổ 2 grew. Dry run says so, the import does it, audited.
    let file2 = write(&w, "danh-sach-2027.xlsx", &roster_xlsx("1.250"));
    let dry = w.ok(&["import", "groups", &file2, "--dry-run"]);
    assert!(
        dry.stdout.contains("~ Tổ dân phố 2: số hộ 1186 → 1250"),
        "{}",
        dry.stdout
    );
    assert_eq!(group(&w.groups(), "Tổ dân phố 2")["households"], 1186);
    w.ok(&["import", "groups", &file2]);
    assert_eq!(group(&w.groups(), "Tổ dân phố 2")["households"], 1250);
    let log = w.log();
    assert_eq!(log[0]["action"], "update-group");
    assert_eq!(log[0]["changes"][0]["field"], "households");
    assert_eq!(log[1]["action"], "import");
}

#[test]
fn a_bad_xlsx_roster_names_file_row_and_column_and_writes_nothing() {
    let w = small_ward();
    let (groups, log) = (w.groups(), w.log());
    let file = write(&w, "sai.xlsx", &roster_xlsx("khoảng 200"));
    let r = w.fails(&["import", "groups", &file], 65);
    assert!(
        r.stderr.contains("sai.xlsx: dòng 6, cột \"Số hộ\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("khoảng 200"), "{}", r.stderr);
    let r = w.fails(&["--lang", "en", "import", "groups", &file], 65);
    assert!(
        r.stderr.contains("sai.xlsx: row 6, column \"Số hộ\""),
        "{}",
        r.stderr
    );
    assert_eq!(w.groups(), groups);
    assert_eq!(w.log(), log);

    // A workbook without the columns, and a file that is not a workbook at all.
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "Họ và tên").unwrap();
    let file = write(&w, "khac.xlsx", &wb.save_to_buffer().unwrap());
    let r = w.fails(&["import", "groups", &file], 65);
    assert!(r.stderr.contains("thiếu cột"), "{}", r.stderr);
    let file = write(&w, "hong.xlsx", b"PK\x03\x04 not really a zip");
    let r = w.fails(&["import", "groups", &file], 65);
    assert!(
        r.stderr.contains("không đọc được bảng tính"),
        "{}",
        r.stderr
    );
    assert_eq!(w.groups(), groups);
}

#[test]
fn a_csv_with_a_title_and_a_total_row_imports() {
    let w = Ward::empty();
    w.ok(&["init", "--ward", "Phường Nhập Thử"]);
    let csv = "\u{feff}DANH SÁCH TỔ DÂN PHỐ;;;\r\n;;;\r\nSTT;Chi bộ;Tổ dân phố;Số hộ\r\n1;Chi bộ 1;Tổ 1;120\r\n2;;Tổ 2;130\r\n;Tổng cộng;;250\r\n";
    let file = write(&w, "ds.csv", csv.as_bytes());
    let r = w.ok(&["import", "groups", &file]);
    assert!(
        r.stdout.contains("+1 chi bộ, +2 tổ dân phố"),
        "{}",
        r.stdout
    );
    assert_eq!(group(&w.groups(), "Tổ 2")["branch"], "Chi bộ 1");
}
