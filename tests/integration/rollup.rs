//! `qcdc rollup`: wards and communes merged for the province, and a ward's groups by
//! khu phố.

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

    // The workbook: the overview (most overdue first), per ward, per branch, per pillar.
    let xl = dir.path().join("tinh.xlsx");
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
        [
            "Tổng quan",
            "Theo phường, xã",
            "Theo chi bộ",
            "Theo trụ cột"
        ]
    );
    let s = wb.worksheet_range("Theo phường, xã").unwrap();
    let total = (0..s.height() as u32)
        .find(|&i| s.get_value((i, 1)) == Some(&Data::String("TỔNG CỘNG".into())))
        .expect("a total row");
    assert_eq!(s.get_value((total, 3)), Some(&Data::Float(13.0)));
    // Two-level government: no district anywhere.
    for name in wb.sheet_names() {
        let s = wb.worksheet_range(&name).unwrap();
        for c in s.used_cells() {
            if let Data::String(t) = c.2 {
                let t = t.to_lowercase();
                assert!(
                    !t.contains("quận") && !t.contains("huyện") && !t.contains("district"),
                    "{name}: {t}"
                );
            }
        }
    }

    let md = run(
        &dir.path().join("none.db"),
        &["rollup", fa_s, fb_s, "--format", "md"],
    );
    assert!(md.stdout.contains("| Phường Thanh Tâm |"), "{}", md.stdout);
    assert!(md.stdout.contains("| **TỔNG CỘNG** |"), "{}", md.stdout);
    let text = run(&dir.path().join("none.db"), &["rollup", fa_s, fb_s]);
    for out in [&md.stdout, &text.stdout, &r.stdout] {
        let low = out.to_lowercase();
        assert!(!low.contains("quận") && !low.contains("huyện"), "{out}");
    }

    // The same ward twice, or reports of different periods, are refused.
    let r = run(&dir.path().join("none.db"), &["rollup", fa_s, fa_s]);
    assert_eq!(r.code, 65);
    assert!(r.stderr.contains("đã có trong"), "{}", r.stderr);
    assert!(r.stderr.contains(fa_s), "the file is named: {}", r.stderr);
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

/// Export files of `n` generated wards (groups from 41 up), named by their size.
fn generated_wards(dir: &std::path::Path, sizes: &[u32]) -> Vec<String> {
    sizes
        .iter()
        .map(|g| {
            let db = dir.join(format!("w{g}.db"));
            ok(
                &db,
                &["bench-gen", "--groups", &g.to_string(), "--periods", "4"],
            );
            let f = dir.join(format!("w{g}.json"));
            ok(&db, &["export", "--out", f.to_str().unwrap()]);
            f.to_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_failing_ward_is_named_and_keep_going_rolls_up_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = generated_wards(dir.path(), &[5, 6, 7]);
    // One damaged on the way (a byte changed in the middle), one not JSON at all.
    let damaged = dir.path().join("hong.json");
    let mut bytes = std::fs::read(&files[1]).unwrap();
    let key = b"\"households\": ";
    let at = bytes.windows(key.len()).position(|w| w == key).unwrap() + key.len();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&damaged, &bytes).unwrap();
    let garbage = dir.path().join("rac.json");
    std::fs::write(&garbage, "không phải JSON").unwrap();
    files[1] = damaged.to_str().unwrap().to_string();
    files.push(garbage.to_str().unwrap().to_string());
    let none = dir.path().join("none.db");
    let out = dir.path().join("tinh.xlsx");
    let mut args = vec!["rollup"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "xlsx", "--out", out.to_str().unwrap()]);
    // All or nothing by default: both named, nothing written.
    let r = run(&none, &args);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(
        r.stderr.contains("hong.json") && r.stderr.contains("mã kiểm tra"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rac.json"), "{}", r.stderr);
    assert!(r.stderr.contains("--keep-going"), "{}", r.stderr);
    assert!(!out.exists());
    // --keep-going: the two good wards, the others listed on stderr and in the output.
    args.push("--keep-going");
    let r = run(&none, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Bỏ qua") && r.stderr.contains("hong.json"),
        "{}",
        r.stderr
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let s = wb.worksheet_range("Tổng quan").unwrap();
    let cells: Vec<String> = s.used_cells().map(|c| c.2.to_string()).collect();
    assert!(cells.iter().any(|c| c.contains("hong.json")), "{cells:?}");
    let mut json = vec!["rollup"];
    json.extend(files.iter().map(String::as_str));
    json.extend(["--format", "json", "--keep-going"]);
    let j = ok(&none, &json).json();
    assert_eq!(j["wards"].as_array().unwrap().len(), 2);
    assert_eq!(j["failed"].as_array().unwrap().len(), 2);
    assert_eq!(j["failed"][0]["source"], files[1].as_str());
    // Nothing readable at all is still an error.
    let r = run(
        &none,
        &[
            "rollup",
            files[1].as_str(),
            files[3].as_str(),
            "--keep-going",
        ],
    );
    assert_eq!(r.code, 65);
}

#[test]
fn the_overview_puts_the_most_overdue_wards_first_under_the_label_asked() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_wards(dir.path(), &[4, 9, 6]);
    let none = dir.path().join("none.db");
    // 2026-Q3 has ended (today is 2026-11-22): what is not done is overdue.
    let mut args = vec!["--period", "2026-Q3", "rollup"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "json", "--total-label", "TOÀN TỈNH"]);
    let j = ok(&none, &args).json();
    assert_eq!(j["total_label"], "TOÀN TỈNH");
    let mut overdue: Vec<(u64, f64, String)> = j["wards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["overdue"].as_u64().unwrap(),
                w["completion"]["percent"].as_f64().unwrap(),
                w["ward"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The most overdue first, then the lowest completion.
    overdue.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)));
    assert!(overdue[0].0 > overdue[2].0, "{overdue:?}");
    let out = dir.path().join("tinh.xlsx");
    args.truncate(args.len() - 4);
    args.extend([
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
        "--total-label",
        "TOÀN TỈNH",
    ]);
    ok(&none, &args);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let s = wb.worksheet_range("Tổng quan").unwrap();
    let head = (0..s.height() as u32)
        .find(|&i| s.get_value((i, 0)) == Some(&Data::String("STT".into())))
        .unwrap();
    let listed: Vec<String> = (1..=3)
        .map(|k| s.get_value((head + k, 1)).unwrap().to_string())
        .collect();
    assert_eq!(
        listed,
        overdue.iter().map(|o| o.2.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        s.get_value((head + 4, 1)),
        Some(&Data::String("TOÀN TỈNH".into()))
    );
}

#[test]
fn by_areas_groups_wards_and_a_wards_groups() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_wards(dir.path(), &[4, 5, 6]);
    let none = dir.path().join("none.db");
    let name = |g: u32| format!("Phường thử tải {g} tổ");
    // Wards by the area they came from (TOML), one left unassigned, one unknown name.
    let by = dir.path().join("khu-vuc.toml");
    std::fs::write(
        &by,
        format!(
            "label = \"Khu vực cũ\"\n[wards]\n\"{}\" = \"Khu vực Bắc\"\n\"{}\" = \"Khu vực Bắc\"\n\"Phường Không Có\" = \"Khu vực Nam\"\n",
            name(4),
            name(6)
        ),
    )
    .unwrap();
    let mut args = vec!["rollup"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "json", "--by", by.to_str().unwrap()]);
    let r = ok(&none, &args);
    assert!(r.stderr.contains("Phường Không Có"), "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["area_level"], "wards");
    assert_eq!(j["area_label"], "Khu vực cũ");
    let areas = j["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 2, "{areas:?}");
    assert_eq!(areas[0]["area"], "Khu vực Bắc");
    assert_eq!(areas[0]["wards"], 2);
    let wards = j["wards"].as_array().unwrap();
    let north: Vec<&serde_json::Value> = wards
        .iter()
        .filter(|w| w["area"] == "Khu vực Bắc")
        .collect();
    assert_eq!(
        done(&areas[0]["completion"]),
        north.iter().map(|w| done(&w["completion"])).sum::<u64>()
    );
    assert_eq!(areas[1]["area"], "(chưa xếp khu vực)");
    assert_eq!(
        areas
            .iter()
            .map(|a| applicable(&a["completion"]))
            .sum::<u64>(),
        applicable(&j["total"])
    );
    // Inside one ward: its groups by khu phố (CSV), the sums those of the groups.
    let csv = dir.path().join("khu-pho.csv");
    std::fs::write(
        &csv,
        "Tổ dân phố;Khu phố\nTổ dân phố 1;Khu phố 1\nTổ dân phố 2;Khu phố 1\nTổ dân phố 3;Khu phố 2\nTổ dân phố 4;Khu phố 2\n",
    )
    .unwrap();
    let r = ok(
        &none,
        &[
            "rollup",
            files[0].as_str(),
            "--format",
            "json",
            "--by",
            csv.to_str().unwrap(),
        ],
    );
    let j = r.json();
    assert_eq!(j["area_level"], "groups");
    let areas = j["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 2, "{areas:?}");
    assert_eq!(areas[0]["ward"], name(4).as_str());
    assert_eq!(areas[0]["area"], "Khu phố 1");
    assert_eq!(areas[0]["groups"], 2);
    let db = dir.path().join("w4.db");
    let report = ok(&db, &["report", "--format", "json"]).json();
    let groups: Vec<&serde_json::Value> = report["branches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["groups"].as_array().unwrap())
        .collect();
    let of = |names: &[&str]| -> u64 {
        groups
            .iter()
            .filter(|g| names.contains(&g["name"].as_str().unwrap()))
            .map(|g| done(&g["completion"]))
            .sum()
    };
    let names: Vec<String> = groups
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    let first_two: Vec<&str> = names.iter().take(2).map(String::as_str).collect();
    assert_eq!(first_two, ["Tổ dân phố 1", "Tổ dân phố 2"], "{names:?}");
    assert_eq!(done(&areas[0]["completion"]), of(&first_two));
    // The workbook has the level as a sheet; a file that says neither level is refused.
    let out = dir.path().join("phuong.xlsx");
    ok(
        &none,
        &[
            "rollup",
            files[0].as_str(),
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
            "--by",
            csv.to_str().unwrap(),
        ],
    );
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert!(
        wb.sheet_names().contains(&"Theo khu phố".to_string()),
        "{:?}",
        wb.sheet_names()
    );
    std::fs::write(&csv, "Tên,Khu\nA,B\n").unwrap();
    let r = run(
        &none,
        &["rollup", files[0].as_str(), "--by", csv.to_str().unwrap()],
    );
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(r.stderr.contains("tổ dân phố"), "{}", r.stderr);
}

#[test]
fn progress_is_shown_on_stderr_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_wards(dir.path(), &[3, 4]);
    let r = ok(
        &dir.path().join("none.db"),
        &["rollup", files[0].as_str(), files[1].as_str(), "--progress"],
    );
    assert!(r.stderr.contains("Đang tổng hợp 2/2 tệp"), "{}", r.stderr);
    // Not unless asked (stderr here is not a terminal).
    let r = ok(
        &dir.path().join("none.db"),
        &["rollup", files[0].as_str(), files[1].as_str()],
    );
    assert!(!r.stderr.contains("Đang tổng hợp"), "{}", r.stderr);
}

/// The roll-up holds one ward at a time (two, on two threads): rolling up four times
/// as many wards needs about the same memory, far less than the files. Measured with
/// the counting allocator in a process of its own (other tests would count too), on
/// wards made in process: a regression to holding every document fails here.
#[test]
fn rolling_up_many_wards_holds_one_ward_at_a_time() {
    const CHILD: &str = "QCDC_ROLLUP_MEMORY_DIR";
    let Ok(dir) = std::env::var(CHILD) else {
        let dir = tempfile::tempdir().unwrap();
        for g in 8..40u32 {
            let db = dir.path().join(format!("w{g}.db"));
            qcdc::bench::generate(&db, g, 4, 256 << 10).unwrap();
            // sled lets go of the files a moment after the generator's handle is dropped.
            let store = qcdc::store::Store::reopen(&db).unwrap();
            let mut f = std::fs::File::create(dir.path().join(format!("w{g}.json"))).unwrap();
            store.export_to(&mut f).unwrap();
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "rollup::rolling_up_many_wards_holds_one_ward_at_a_time",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("1 passed"),
            "the measuring test did not run: {text}"
        );
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let files: Vec<std::path::PathBuf> =
        (8..40u32).map(|g| dir.join(format!("w{g}.json"))).collect();
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let today = qcdc::domain::date::Date::from_ymd_opt(2026, 11, 22).unwrap();
    let roll = |files: &[std::path::PathBuf]| {
        let o = qcdc::rollup::Options {
            period: None,
            today,
            lang: qcdc::i18n::Lang::Vi,
            keep_going: false,
            threads: 2,
            areas: None,
            total_label: None,
            progress: None,
        };
        crate::alloc::reset_peak();
        let before = crate::alloc::live();
        let r = qcdc::rollup::rollup_files(files, &o).unwrap();
        let peak = crate::alloc::peak() - before;
        (r, peak)
    };
    // The eight largest wards, then all of them: the same largest ward, four times
    // as many.
    let (few, peak_few) = roll(&files[24..]);
    let (all, peak_all) = roll(&files);
    assert_eq!(few.wards.len(), 8);
    assert_eq!(all.wards.len(), 32);
    eprintln!(
        "roll-up peak: {peak_few} bytes for the 8 largest wards, {peak_all} for all 32 ({bytes} bytes of files)"
    );
    assert!(
        peak_all < bytes as usize / 8,
        "32 wards' roll-up held {peak_all} bytes at once, for {bytes} bytes of files"
    );
    assert!(
        peak_all * 4 < peak_few * 5,
        "4× the wards took {peak_all} bytes at once against {peak_few}: not flat"
    );
}

/// Issue 14/16: the roll-up as a Word document the rolling-up body signs — its own
/// header (from a settings file, one value overridden on the command line), the wards
/// most overdue first under the label asked, and every table's heading row repeated on
/// the pages it runs onto. A settings file that cannot be read is said before anything
/// is rolled up, and nothing is written.
#[test]
fn the_roll_up_is_a_word_document_of_the_body_that_rolls_up() {
    use crate::documents::{docx_text, docx_xml};
    let dir = tempfile::tempdir().unwrap();
    let files = generated_wards(dir.path(), &[4, 9, 6]);
    let none = dir.path().join("none.db");
    let settings = dir.path().join("bdv.toml");
    std::fs::write(
        &settings,
        "superior = \"TỈNH ỦY HÀ TĨNH\"\nissuer = \"BAN DÂN VẬN TỈNH ỦY\"\n\
         number = \"15-BC/BDV\"\nplace = \"Hà Tĩnh\"\nsigner_for = \"T/M BAN DÂN VẬN\"\n\
         signer_title = \"Trưởng ban\"\nsigner_name = \"Trần Thị Hoa\"\n\
         recipients = [\"Thường trực Tỉnh ủy\", \"Lưu Văn phòng\"]\n",
    )
    .unwrap();
    let mut args = vec!["--period", "2026-Q3", "rollup"];
    args.extend(files.iter().map(String::as_str));
    let mut json_args = args.clone();
    json_args.extend(["--format", "json"]);
    let j = ok(&none, &json_args).json();
    let out = dir.path().join("tinh.docx");
    let mut docx_args = args.clone();
    docx_args.extend([
        "--format",
        "docx",
        "--out",
        out.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
        "--number",
        "16-BC/BDV",
        "--date",
        "05/12/2026",
        "--total-label",
        "TOÀN TỈNH",
    ]);
    ok(&none, &docx_args);
    let bytes = std::fs::read(&out).unwrap();
    let text = docx_text(&bytes);
    for want in [
        "TỈNH ỦY HÀ TĨNH",
        "BAN DÂN VẬN TỈNH ỦY",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số: 16-BC/BDV",
        "Hà Tĩnh, ngày 05 tháng 12 năm 2026",
        "I. TÌNH HÌNH CHUNG",
        "II. KẾT QUẢ THỰC HIỆN",
        "TOÀN TỈNH",
        "Nơi nhận",
        "Thường trực Tỉnh ủy",
        "T/M BAN DÂN VẬN",
        "Trần Thị Hoa",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    assert!(
        !text.contains("15-BC/BDV"),
        "the number given replaces the file's"
    );
    // The wards most overdue first (then the lowest completion), each with its
    // completion as a Vietnamese document writes it (decimal comma).
    let mut wards = j["wards"].as_array().unwrap().clone();
    wards.sort_by(|a, b| {
        let pct = |w: &serde_json::Value| w["completion"]["percent"].as_f64().unwrap();
        b["overdue"]
            .as_u64()
            .cmp(&a["overdue"].as_u64())
            .then(pct(a).total_cmp(&pct(b)))
    });
    let mut at = 0;
    for w in &wards {
        let name = w["ward"].as_str().unwrap();
        let i = text[at..]
            .find(name)
            .unwrap_or_else(|| panic!("{name} out of order:\n{text}"));
        at += i;
        let p = format!("{:.1}%", w["completion"]["percent"].as_f64().unwrap()).replace('.', ",");
        assert!(text[at..].contains(&p), "{name}: {p} missing");
    }
    // Every table of figures repeats its heading row on the pages it runs onto.
    let xml = docx_xml(&bytes, "word/document.xml");
    let headed = xml.matches("<w:tblHeader").count();
    // Tables of figures have borders; the header and signature blocks have none.
    let figures = xml.matches("<w:tbl>").count() - xml.matches("<w:tblBorders />").count();
    assert!(figures >= 3, "wards, pillars, sections: {figures}");
    assert_eq!(headed, figures, "one repeated heading per table of figures");

    // A settings file that is not TOML: exit 65 before any reading, nothing written.
    std::fs::write(&settings, "issuer = [unclosed").unwrap();
    let bad = dir.path().join("bad.docx");
    let last = docx_args.len();
    docx_args[last - 9] = bad.to_str().unwrap();
    let r = fails(&none, &docx_args, 65);
    assert!(r.stderr.contains("TOML"), "{}", r.stderr);
    assert!(!bad.exists());
}
