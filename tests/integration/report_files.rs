//! `qcdc report` as files a ward sends upward: xlsx read back with calamine, csv with
//! its byte-order mark read back with the csv crate, md and the versioned JSON.

use crate::common::*;
use calamine::{Data, Reader};
use serde_json::Value;
use std::path::Path;

fn workbook(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).expect("the xlsx opens")
}

fn sheet(
    wb: &mut calamine::Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> calamine::Range<Data> {
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn text_at(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn num_at(r: &calamine::Range<Data>, row: u32, col: u32) -> Option<f64> {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// The row whose column `col` holds `text`.
fn find_row(r: &calamine::Range<Data>, col: u32, text: &str) -> u32 {
    (0..r.height() as u32)
        .find(|&i| text_at(r, i, col) == text)
        .unwrap_or_else(|| panic!("no row with {text:?} in column {col}"))
}

fn ratio(c: &Value) -> f64 {
    done(c) as f64 / applicable(c) as f64
}

#[test]
fn the_xlsx_report_has_a_summary_a_sheet_per_section_and_the_report_numbers() {
    let w = demo_ward();
    w.ok(&["settings", "set", "signer-name", "Nguyễn Văn Thành"]);
    w.ok(&["settings", "set", "place", "Thanh Tâm"]);
    let json = w.ok(&["report", "--format", "json"]).json();
    let file = w.dir.path().join("bao-cao.xlsx");
    w.ok(&[
        "report",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    let mut wb = workbook(&file);
    let names = wb.sheet_names();
    assert_eq!(
        names,
        [
            "Tổng hợp",
            "Theo chi bộ",
            "Các phần",
            "Chi bộ - Tổ",
            "I. Công khai",
            "II. Bàn và quyết định",
            "II. Biểu quyết",
            "III. Tham gia ý kiến",
            "IV. Kiểm tra, giám sát",
            "V. Ban TTND",
            "VI. Ban GSĐTCĐ",
            "VII. Kiến nghị, phản ánh",
            "VIII. Họp tổ dân phố",
            "VIII. Các cuộc họp",
            "VIII. Hội nghị cuối năm",
            "Quá hạn",
            "Hạn luật định",
            "Xu hướng",
        ]
    );

    let s = sheet(&mut wb, "Tổng hợp");
    assert_eq!(
        text_at(&s, 0, 0),
        "BÁO CÁO KẾT QUẢ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ"
    );
    assert!(text_at(&s, 1, 0).contains("Phường Thanh Tâm — Quý IV/2026"));
    let r = find_row(&s, 0, "Toàn phường (số bước đã làm)");
    assert_eq!(num_at(&s, r, 1), Some(done(&json["completion"]) as f64));
    assert_eq!(
        num_at(&s, r, 2),
        Some(applicable(&json["completion"]) as f64)
    );
    let pct = num_at(&s, r, 3).expect("the rate is a number, not text");
    assert!((pct - ratio(&json["completion"])).abs() < 1e-9, "{pct}");
    let prev = &json["previous"]["completion"];
    assert!((num_at(&s, r, 4).unwrap() - ratio(prev)).abs() < 1e-9);
    let change =
        json["completion"]["percent"].as_f64().unwrap() - prev["percent"].as_f64().unwrap();
    assert!((num_at(&s, r, 5).unwrap() - (change * 10.0).round() / 10.0).abs() < 1e-9);
    let r = find_row(&s, 0, "Công khai thông tin");
    let p = by_name(&json["by_pillar"], "Công khai thông tin");
    assert!((num_at(&s, r, 3).unwrap() - ratio(p)).abs() < 1e-9);
    // The summary ends with what is signed: who drew it up, and the ward's signer.
    let r = find_row(&s, 0, "NGƯỜI LẬP BIỂU");
    assert!(
        text_at(&s, r - 1, 1).starts_with("Thanh Tâm, ngày"),
        "{}",
        text_at(&s, r - 1, 1)
    );
    assert_eq!(text_at(&s, r, 1), "T/M ĐẢNG ỦY");
    assert_eq!(text_at(&s, r + 5, 1), "Nguyễn Văn Thành");
    // Each section's steps on the sections sheet, as in the JSON report.
    let c = sheet(&mut wb, "Các phần");
    for sec in json["sections"].as_array().unwrap() {
        let label = format!(
            "{}. {}",
            sec["number"].as_str().unwrap(),
            sec["title"].as_str().unwrap()
        );
        let r = find_row(&c, 0, &label);
        assert_eq!(num_at(&c, r, 1), Some(done(&sec["completion"]) as f64));
    }

    // Every group, with its households and completion; the whole ward last.
    let u = sheet(&mut wb, "Chi bộ - Tổ");
    assert_eq!(text_at(&u, 3, 2), "Tổ dân phố");
    assert_eq!(text_at(&u, 3, 7), "Tỷ lệ");
    let mut groups = 0;
    for b in json["branches"].as_array().unwrap() {
        for g in b["groups"].as_array().unwrap() {
            let r = find_row(&u, 2, g["name"].as_str().unwrap());
            assert_eq!(text_at(&u, r, 1), b["name"].as_str().unwrap());
            assert_eq!(num_at(&u, r, 4), g["households"].as_f64());
            assert!((num_at(&u, r, 7).unwrap() - ratio(&g["completion"])).abs() < 1e-9);
            groups += 1;
        }
    }
    assert_eq!(groups, 10);
    let r = find_row(&u, 1, "TOÀN PHƯỜNG");
    assert_eq!(num_at(&u, r, 5), Some(done(&json["completion"]) as f64));

    // Section II's votes sheet lists every vote with its threshold and verdict.
    let v = sheet(&mut wb, "II. Biểu quyết");
    assert_eq!(
        text_at(&v, 0, 0),
        "II. NHÂN DÂN BÀN VÀ QUYẾT ĐỊNH — CÁC CUỘC BIỂU QUYẾT"
    );
    let head = find_row(&v, 2, "Nội dung biểu quyết");
    let votes = json["votes"].as_array().unwrap();
    assert!(!votes.is_empty());
    for (i, vote) in votes.iter().enumerate() {
        let r = head + 1 + i as u32;
        assert_eq!(text_at(&v, r, 3), vote["group"].as_str().unwrap());
        assert_eq!(num_at(&v, r, 9), vote["verdict"]["agree"].as_f64());
        assert_eq!(num_at(&v, r, 11), vote["verdict"]["needed"].as_f64());
        let verdict = text_at(&v, r, 13);
        let passes = vote["verdict"]["passes"].as_bool().unwrap();
        assert!(
            verdict.starts_with(if passes { "Đạt" } else { "Không đạt" }),
            "{verdict}"
        );
    }
    // Section VIII: a row per group.
    let m = sheet(&mut wb, "VIII. Họp tổ dân phố");
    let head = find_row(&m, 2, "Tổ dân phố");
    assert_eq!(
        text_at(&m, head + 1, 2),
        json["meeting_groups"][0]["group"].as_str().unwrap()
    );
    // The trend: one column per quarter of the year that holds data.
    let t = sheet(&mut wb, "Xu hướng");
    let head = find_row(&t, 0, "Đơn vị");
    assert_eq!(text_at(&t, head, 1), "Quý III/2026");
    assert_eq!(text_at(&t, head, 2), "Quý IV/2026");
    assert!((num_at(&t, head + 1, 2).unwrap() - ratio(&json["completion"])).abs() < 1e-9);
}

#[test]
fn the_english_workbook_has_english_sheets() {
    let w = small_ward();
    let file = w.dir.path().join("report.xlsx");
    w.ok(&[
        "--lang",
        "en",
        "report",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    let wb = workbook(&file);
    assert_eq!(wb.sheet_names()[0], "Summary");
    assert!(
        wb.sheet_names()
            .contains(&"V. Inspection board".to_string())
    );
}

#[test]
fn formula_like_names_stay_text_in_xlsx_and_csv() {
    let w = small_ward();
    w.ok(&["branch", "add", "=HYPERLINK(\"http://x\",\"bấm\")"]);
    w.ok(&[
        "group",
        "add",
        "+Tổ 9",
        "--branch",
        "=HYPERLINK(\"http://x\",\"bấm\")",
        "--households",
        "50",
        "--leader",
        "@lê",
    ]);
    let file = w.dir.path().join("r.xlsx");
    w.ok(&[
        "report",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    let mut wb = workbook(&file);
    let u = sheet(&mut wb, "Chi bộ - Tổ");
    let r = find_row(&u, 2, "+Tổ 9");
    assert_eq!(text_at(&u, r, 3), "@lê", "written as text, as typed");
    let formulas = wb.worksheet_formula("Chi bộ - Tổ").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let csv = w.ok(&["report", "--format", "csv"]).stdout;
    assert!(
        csv.contains("'+Tổ 9") && csv.contains("'=HYPERLINK"),
        "{csv}"
    );
}

#[test]
fn csv_starts_with_a_bom_and_reads_back_as_the_report() {
    let w = demo_ward();
    let json = w.ok(&["report", "--format", "json"]).json();
    let out = w.dir.path().join("r.csv");
    w.ok(&["report", "--format", "csv", "--out", out.to_str().unwrap()]);
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 byte-order mark for Excel"
    );
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let head: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        head[..8],
        [
            "Cấp",
            "Chi bộ",
            "Tổ dân phố",
            "Số hộ",
            "Đã xong",
            "Áp dụng",
            "Tỷ lệ (%)",
            "Quá hạn"
        ]
    );
    assert!(head.contains(&"Kỳ trước (%)".to_string()));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    for b in json["branches"].as_array().unwrap() {
        for g in b["groups"].as_array().unwrap() {
            let row = rows
                .iter()
                .find(|r| &r[2] == g["name"].as_str().unwrap())
                .expect("a row per group");
            assert_eq!(&row[1], b["name"].as_str().unwrap());
            assert_eq!(
                row[3].parse::<u64>().unwrap(),
                g["households"].as_u64().unwrap()
            );
            assert_eq!(row[4].parse::<u64>().unwrap(), done(&g["completion"]));
            assert_eq!(row[5].parse::<u64>().unwrap(), applicable(&g["completion"]));
            assert_eq!(
                row[6].parse::<f64>().unwrap(),
                g["completion"]["percent"].as_f64().unwrap()
            );
        }
    }
    let ward = rows.iter().find(|r| &r[0] == "toàn phường").unwrap();
    assert_eq!(ward[4].parse::<u64>().unwrap(), done(&json["completion"]));
}

#[test]
fn json_report_is_schema_3_with_sections_meetings_and_trend() {
    let w = demo_ward();
    let r = w.ok(&["report", "--format", "json"]).json();
    assert_eq!(r["schema"], 3);
    assert_eq!(
        r["limit"], 1000,
        "lists are cut at 1,000 rows unless asked otherwise"
    );
    assert_eq!(r["votes_total"], r["votes"].as_array().unwrap().len());
    assert_eq!(r["overdue_total"], r["overdue"].as_array().unwrap().len());
    let keys: Vec<&str> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "cong-khai",
            "ban-quyet-dinh",
            "tham-gia-y-kien",
            "kiem-tra-giam-sat",
            "ban-ttnd",
            "ban-gsdtcd",
            "kien-nghi",
            "hop-to-dan-pho"
        ]
    );
    // Sections I–VII partition the checklist: their steps add up to the ward's.
    let (mut d, mut a) = (0, 0);
    for s in &r["sections"].as_array().unwrap()[..7] {
        d += done(&s["completion"]);
        a += applicable(&s["completion"]);
        for it in s["items"].as_array().unwrap() {
            let (e, c, p, n) = (
                it["expected"].as_u64().unwrap(),
                it["complete"].as_u64().unwrap(),
                it["in_progress"].as_u64().unwrap(),
                it["not_started"].as_u64().unwrap(),
            );
            assert_eq!(e, c + p + n, "{it}");
            assert_eq!(it["pending"].as_array().unwrap().len() as u64, p + n);
        }
    }
    assert_eq!(
        (d, a),
        (done(&r["completion"]), applicable(&r["completion"]))
    );
    let ii = &r["sections"][1];
    let votes = ii["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "votes")
        .unwrap();
    assert_eq!(
        votes["value"].as_u64().unwrap() as usize,
        r["votes"].as_array().unwrap().len()
    );
    for v in r["votes"].as_array().unwrap() {
        assert!(v["present"].is_u64() && v["form"].is_string(), "{v}");
    }
    assert_eq!(r["counts"]["groups"], 10);
    assert_eq!(r["meeting_groups"].as_array().unwrap().len(), 10);
    // The demo's quarterly records begin in Q3: Q1 and Q2 hold no data (no trend
    // point, not 0 %); Q3 is the period before Q4.
    let trend = r["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 2, "Q3–Q4 of 2026 (today is in Q4)");
    assert_eq!(trend[0]["period"], "2026-Q3");
    assert_eq!(trend[1]["completion"], r["completion"]);
    assert_eq!(trend[0]["completion"], r["previous"]["completion"]);
    assert_eq!(trend[0]["branches"].as_array().unwrap().len(), 7);

    let q1 = w
        .ok(&["report", "--format", "json", "--period", "2026-Q1"])
        .json();
    // Q1 holds no data in the demo: no trend point, not a 0 % one.
    assert_eq!(q1["trend"].as_array().unwrap().len(), 0);
    assert!(q1["previous"].is_null());
    let year = w
        .ok(&["report", "--format", "json", "--period", "2026"])
        .json();
    assert_eq!(year["period_label"], "Năm 2026");
    assert_eq!(year["trend"].as_array().unwrap().len(), 2);
}

#[test]
fn markdown_and_text_carry_the_eight_sections() {
    let w = demo_ward();
    let md = w.ok(&["report", "--format", "md"]).stdout;
    for h in [
        "## I. Kết quả thực hiện công khai thông tin",
        "## II. Nhân dân bàn và quyết định",
        "## V. Hoạt động của Ban Thanh tra nhân dân",
        "## VIII. Kết quả tổ chức họp tổ dân phố",
        "## Xu hướng theo quý",
    ] {
        assert!(md.contains(h), "{h} missing");
    }
    let text = w.ok(&["report"]).stdout;
    assert!(
        text.contains("VIII.") && text.contains("Xu hướng theo quý"),
        "{text}"
    );
}

/// End to end: the workbook opens in LibreOffice and converts to PDF. Skipped, with
/// the reason, where LibreOffice is not installed.
#[test]
fn libreoffice_converts_the_workbook_to_pdf() {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let w = demo_ward();
    let file = w.dir.path().join("bao-cao.xlsx");
    w.ok(&[
        "report",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    let profile = w.dir.path().join("lo-profile");
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(w.dir.path())
        .arg(&file)
        .output()
        .expect("run soffice");
    let pdf = w.dir.path().join("bao-cao.pdf");
    assert!(
        pdf.is_file(),
        "no PDF: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
    // The printed pages, as text laid out as on paper (poppler's pdftotext).
    let txt = w.dir.path().join("bao-cao.txt");
    match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg(&txt)
        .output()
    {
        Ok(o) if o.status.success() => {
            let text = std::fs::read_to_string(&txt).unwrap();
            let problems = printed_page_problems(&text);
            assert!(problems.is_empty(), "{problems:#?}");
        }
        _ => eprintln!("note: pdftotext is not installed; the printed pages were not read"),
    }
}

/// Issue 14 (1, 6): on paper, every page shows the heading row of the table printed on
/// it — one table heading per page (the summary page aside, whose small tables each
/// carry their own), none missing on a continued page, and every numbered row on the
/// page shaped as a row of that table (codes, dates, branches where its columns say).
fn printed_page_problems(text: &str) -> Vec<String> {
    use regex::Regex;
    let code = r"^\s*\d+\s+[A-Z]{2,3}-\d{2}\s";
    let date = Regex::new(r"\d{2}/\d{2}/\d{4}").unwrap();
    let code_re = Regex::new(code).unwrap();
    type RowCheck = Box<dyn Fn(&str) -> bool>;
    let dated = {
        let (c, d) = (code_re.clone(), date.clone());
        move |l: &str| c.is_match(l) && d.is_match(l)
    };
    let tables: Vec<(&str, Regex, Option<RowCheck>)> = vec![
        (
            "items",
            Regex::new("Phải thực").unwrap(),
            Some(Box::new({
                let (c, d) = (code_re.clone(), date.clone());
                move |l: &str| c.is_match(l) && !d.is_match(l)
            })),
        ),
        (
            "votes",
            Regex::new("Nội dung biểu quyết").unwrap(),
            Some(Box::new(dated.clone())),
        ),
        (
            "meetings per group",
            Regex::new("Họp gần").unwrap(),
            Some(Box::new({
                let r = Regex::new(r"^\s*\d+\s+\d+\s+\D").unwrap();
                move |l: &str| r.is_match(l)
            })),
        ),
        (
            "meetings",
            Regex::new(r"STT\s+Mã\s+Nội dung\s+Tổ dân phố\s+Ngày").unwrap(),
            Some(Box::new(dated)),
        ),
        (
            "overdue",
            Regex::new(r"STT\s+Chi bộ\s+Tổ dân phố\s+Mã").unwrap(),
            Some(Box::new({
                let r = Regex::new(r"^\s*\d+\s+Chi bộ").unwrap();
                move |l: &str| r.is_match(l)
            })),
        ),
        (
            "groups",
            Regex::new(r"Tổ trưởng\s+Số hộ").unwrap(),
            Some(Box::new({
                let r = Regex::new(r"^\s*\d+\s+Chi bộ").unwrap();
                move |l: &str| r.is_match(l)
            })),
        ),
        (
            "branches",
            Regex::new(r"Chi bộ\s+Số tổ\s+Số hộ").unwrap(),
            None,
        ),
        ("sections", Regex::new("Phần / chỉ tiêu").unwrap(), None),
        ("trend", Regex::new(r"Đơn vị\s+Quý").unwrap(), None),
    ];
    // A numbered row starts at the left, in the STT column; a number further right is
    // a wrapped line of another column.
    let numbered = Regex::new(r"^\s{0,12}\d+\s+\S").unwrap();
    let mut problems = Vec::new();
    for (i, page) in text.split('\u{c}').enumerate() {
        if page.trim().is_empty() || page.contains("BÁO CÁO KẾT QUẢ THỰC HIỆN") {
            continue;
        }
        let heads: Vec<_> = tables.iter().filter(|t| t.1.is_match(page)).collect();
        if heads.len() != 1 {
            problems.push(format!(
                "page {}: table headings {:?}",
                i + 1,
                heads.iter().map(|h| h.0).collect::<Vec<_>>()
            ));
            continue;
        }
        let (name, _, check) = heads[0];
        if let Some(check) = check
            && let Some(l) = page.lines().find(|l| numbered.is_match(l) && !check(l))
        {
            problems.push(format!("page {}: under {name}'s heading: {l}", i + 1));
        }
    }
    problems
}

/// `--limit N` keeps the first N rows of every list and the totals beside them;
/// `--limit 0` lists everything.
#[test]
fn report_limit_cuts_lists_but_not_totals() {
    let w = demo_ward();
    let all = w
        .ok(&[
            "--period", "2026", "report", "--format", "json", "--limit", "0",
        ])
        .json();
    assert!(all["limit"].is_null());
    let cut = w
        .ok(&[
            "--period", "2026", "report", "--format", "json", "--limit", "2",
        ])
        .json();
    assert_eq!(cut["limit"], 2);
    let votes = all["votes"].as_array().unwrap();
    assert!(votes.len() > 2, "the demo year has more than two votes");
    assert_eq!(cut["votes"].as_array().unwrap()[..], votes[..2]);
    assert_eq!(cut["votes_total"], votes.len());
    // Votes that failed come first.
    let failed = votes
        .iter()
        .take_while(|v| v["verdict"]["passes"] == false)
        .count();
    assert!(
        votes[failed..]
            .iter()
            .all(|v| v["verdict"]["passes"] == true)
    );
    for (c, a) in cut["sections"]
        .as_array()
        .unwrap()
        .iter()
        .zip(all["sections"].as_array().unwrap())
    {
        assert_eq!(c["completion"], a["completion"]);
        for (ci, ai) in c["items"]
            .as_array()
            .unwrap()
            .iter()
            .zip(a["items"].as_array().unwrap())
        {
            let pending = ai["pending"].as_array().unwrap();
            assert_eq!(ci["pending_total"], pending.len());
            assert_eq!(
                ci["pending"].as_array().unwrap()[..],
                pending[..pending.len().min(2)]
            );
        }
    }
    assert_eq!(cut["branches"], all["branches"], "figures are never cut");
    // The text report says how much was left out and how to see it all.
    let text = w.ok(&["--period", "2026", "report", "--limit", "2"]).stdout;
    assert!(text.contains("--limit 0"), "{text}");
}

/// Issue 14 (3): the demo ward holds data only for 2026; its 2026 report compared with
/// 2025 at 0 %, printed "+66.7" for every group and listed 433 items "tồn từ kỳ
/// trước". A period without data is "no data": no comparison, no backlog, no trend
/// point — in every format. A ward with data in the period before keeps them.
#[test]
fn a_period_without_data_is_no_data_not_a_backlog() {
    let w = demo_ward();
    let j = w
        .ok(&["--period", "2026", "report", "--format", "json"])
        .json();
    assert!(j["previous"].is_null(), "{}", j["previous"]);
    assert!(
        j["trend"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["period"].as_str().unwrap() >= "2026-Q3"),
        "{}",
        j["trend"]
    );
    let text = w.ok(&["--period", "2026", "report"]).stdout;
    let md = w
        .ok(&["--period", "2026", "report", "--format", "md"])
        .stdout;
    for out in [&text, &md] {
        assert!(!out.contains("Năm 2025"), "compared with 2025:\n{out}");
        assert!(!out.contains("tồn từ kỳ trước"), "a backlog:\n{out}");
    }
    let file = w.dir.path().join("nam.xlsx");
    w.ok(&[
        "--period",
        "2026",
        "report",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    let mut wb = workbook(&file);
    let o = sheet(&mut wb, "Quá hạn");
    for r in 0..o.height() as u32 {
        assert!(!text_at(&o, r, 8).contains("Tồn từ kỳ trước"), "row {r}");
    }
    let s = sheet(&mut wb, "Tổng hợp");
    let r = find_row(&s, 0, "Toàn phường (số bước đã làm)");
    assert_eq!(num_at(&s, r, 4), None, "no previous rate");
    assert_eq!(num_at(&s, r, 5), None, "no change");

    // 2026-Q4 after a Q3 with records: compared, as before.
    let q4 = w
        .ok(&["--period", "2026-Q4", "report", "--format", "json"])
        .json();
    assert_eq!(q4["previous"]["period"], "2026-Q3");

    // A generated ward with twelve quarters of records: 2026 is compared with 2025.
    let g = tempfile::tempdir().unwrap();
    let db = g.path().join("g.db");
    ok(&db, &["bench-gen", "--groups", "3", "--periods", "12"]);
    let y = ok(&db, &["--period", "2026", "report", "--format", "json"]).json();
    assert_eq!(y["previous"]["period"], "2025");
    assert_eq!(y["trend"].as_array().unwrap().len(), 4);
}
