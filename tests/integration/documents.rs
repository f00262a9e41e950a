//! Issue 14: the paperwork a ward signs and files — the report as a Word document in the
//! administrative format (read back from its XML, in both styles), the ward's settings,
//! and the document converted by LibreOffice to an A4 PDF.

use crate::common::*;
use std::io::Read;

/// The text of a .docx: every `w:t` run of word/document.xml, in order, one string.
pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut out = String::new();
    let mut rest = xml.as_str();
    // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl…>`, `<w:tc>` or `<w:tr>`.
    while let Some(i) = rest
        .match_indices("<w:t")
        .find(|(i, _)| matches!(rest.as_bytes().get(i + 4), Some(b'>' | b' ')))
        .map(|(i, _)| i)
    {
        rest = &rest[i..];
        let Some(start) = rest.find('>') else { break };
        let Some(end) = rest.find("</w:t>") else {
            break;
        };
        if start < end {
            out.push_str(&rest[start + 1..end]);
            out.push('\n');
        }
        rest = &rest[end + 6..];
    }
    out.replace("&amp;", "&")
}

pub(crate) fn docx_xml(bytes: &[u8], part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    z.by_name(part)
        .expect("part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[test]
fn the_report_is_a_party_document_with_header_number_sections_and_signer() {
    let w = demo_ward();
    for (k, v) in [
        ("superior", "Đảng bộ tỉnh Hà Tĩnh"),
        ("issuer", "Đảng ủy phường Thanh Tâm"),
        ("number", "70-BC/ĐU"),
        ("place", "Thanh Tâm"),
        ("signer-title", "Phó Bí thư"),
        ("signer-name", "Nguyễn Văn Thành"),
        (
            "recipients",
            "Ban Thường vụ Tỉnh ủy, Ban Dân vận Tỉnh ủy; Các chi bộ; Lưu Văn phòng Đảng ủy",
        ),
    ] {
        w.ok(&["settings", "set", k, v]);
    }
    let file = w.dir.path().join("bao-cao.docx");
    w.ok(&[
        "report",
        "--format",
        "docx",
        "--date",
        "05/01/2027",
        "--out",
        file.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&file).expect("docx");
    let text = docx_text(&bytes);
    for expected in [
        "ĐẢNG BỘ TỈNH HÀ TĨNH",
        "ĐẢNG ỦY PHƯỜNG THANH TÂM",
        "Số: 70-BC/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Thanh Tâm, ngày 05 tháng 01 năm 2027",
        "BÁO CÁO",
        "Kết quả thực hiện dân chủ ở cơ sở Quý IV/2026",
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. NHIỆM VỤ, GIẢI PHÁP",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Nơi nhận:",
        "- Ban Thường vụ Tỉnh ủy, Ban Dân vận Tỉnh ủy,",
        "- Lưu Văn phòng Đảng ủy.",
        "T/M ĐẢNG ỦY",
        "PHÓ BÍ THƯ",
        "Nguyễn Văn Thành",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    // The figures are the report's.
    let r = w.ok(&["report", "--format", "json"]).json();
    let c = &r["counts"];
    assert!(
        text.contains(&format!(
            "{} chi bộ, {} tổ dân phố với {} hộ gia đình",
            c["branches"], c["groups"], c["households"]
        )),
        "{text}"
    );
    let done = r["completion"]["done"].as_u64().unwrap();
    let applicable = r["completion"]["applicable"].as_u64().unwrap();
    assert!(
        text.contains(&format!("({done}/{applicable} bước việc)")),
        "{text}"
    );
    for b in r["branches"].as_array().unwrap() {
        assert!(text.contains(b["name"].as_str().unwrap()), "{b}");
    }
    // No state header in a Party document; A4 and Times New Roman.
    assert!(!text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    let xml = docx_xml(&bytes, "word/document.xml");
    assert!(
        xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#),
        "A4"
    );
    assert!(xml.contains("Times New Roman"));
    assert!(xml.contains(r#"w:left="1710""#), "left margin 30 mm");
}

#[test]
fn the_state_format_has_the_national_title_and_the_motto() {
    let w = demo_ward();
    w.ok(&["settings", "set", "style", "state"]);
    w.ok(&[
        "settings",
        "set",
        "issuer",
        "Ủy ban nhân dân phường Thanh Tâm",
    ]);
    w.ok(&["settings", "set", "signer-for", "TM. Ủy ban nhân dân"]);
    w.ok(&["settings", "set", "signer-title", "Chủ tịch"]);
    let file = w.dir.path().join("bc.docx");
    w.ok(&[
        "report",
        "--format",
        "docx",
        "--number",
        "12/BC-UBND",
        "--signer",
        "Trần Thị Hoa",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = docx_text(&std::fs::read(&file).unwrap());
    for expected in [
        "ỦY BAN NHÂN DÂN PHƯỜNG THANH TÂM",
        "Số: 12/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Trần Thị Hoa",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(!text.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
    // Left unset: a dotted line to fill in by hand, not an invented place.
    assert!(
        text.contains("……, ngày") || text.contains("…………………, ngày"),
        "{text}"
    );
    // The per-report values did not change the ward's settings.
    let s = w.ok(&["settings", "show", "--format", "json"]).json();
    assert_eq!(s["number"], "");
    assert_eq!(s["signer_name"], "");
    // Settings are audited.
    assert!(w.log().iter().any(|r| r["action"] == "settings"));
}

#[test]
fn settings_refuse_unknown_keys_and_styles_and_need_an_administrator() {
    let w = demo_ward();
    let r = w.fails(&["settings", "set", "colour", "red"], 65);
    assert!(r.stderr.contains("signer-name"), "{}", r.stderr);
    let r = w.fails(&["settings", "set", "style", "kingdom"], 65);
    assert!(r.stderr.contains("party"), "{}", r.stderr);
    w.ok(&["member", "add", "Quản trị", "--role", "admin"]);
    w.ok(&[
        "--as",
        "Quản trị",
        "member",
        "add",
        "Người xem",
        "--role",
        "viewer",
    ]);
    let r = w.fails(&["--as", "Người xem", "settings", "set", "number", "1"], 77);
    assert!(r.stderr.contains("quản trị"), "{}", r.stderr);
}

/// End to end: the document opens in LibreOffice, converts to PDF, and its first page
/// is A4. Skipped, with the reason, where LibreOffice is not installed.
#[test]
fn libreoffice_prints_the_docx_on_a4() {
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
    let file = w.dir.path().join("bao-cao.docx");
    w.ok(&[
        "report",
        "--format",
        "docx",
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
    // The page size, rendered: pdftoppm at 72 dpi draws A4 as 595 × 842 pixels.
    let png = w.dir.path().join("page");
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .output();
    match rendered {
        Ok(o) if o.status.success() => {
            let bytes = std::fs::read(png.with_extension("png")).expect("png");
            // The PNG header: width and height, big-endian, at bytes 16–24.
            let wpx = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
            let hpx = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
            assert!(
                (594..=596).contains(&wpx) && (841..=843).contains(&hpx),
                "{wpx}×{hpx}"
            );
        }
        _ => {
            // Without poppler's renderer, the page box in the PDF says the same.
            let text = String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).into_owned();
            assert!(
                text.contains("MediaBox[0 0 595") || text.contains("/MediaBox [0 0 595"),
                "not A4"
            );
            eprintln!("note: pdftoppm is not installed; the page box was checked instead");
        }
    }
}

/// Issue 14 (4): under vi-VN every percentage column imported as text ("…,1066").
/// `--csv vi-vn` writes ';' and decimal commas; LibreOffice reads it under the
/// Vietnamese locale (1066) with the percentages as numbers. The default stays RFC 4180.
#[test]
fn a_vi_vn_csv_opens_with_numbers_in_a_vietnamese_spreadsheet() {
    use calamine::{Data, Reader, Xlsx};
    let w = demo_ward();
    let rfc = w.ok(&["report", "--format", "csv"]).stdout;
    assert!(rfc.lines().nth(1).unwrap().contains(','), "{rfc}");
    let file = w.dir.path().join("bao-cao.csv");
    w.ok(&[
        "report",
        "--format",
        "csv",
        "--csv",
        "vi-vn",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&file).unwrap();
    let second = text.lines().nth(1).unwrap();
    assert!(second.contains(';') && second.contains(','), "{second}");
    assert!(!second.contains('.'), "{second}");
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
    let profile = w.dir.path().join("lo-profile");
    // Separator ';' (59), quote '"' (34), UTF-8 (76), from line 1, language vi-VN (1066).
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--infilter=CSV:59,34,76,1,,1066",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(w.dir.path().join("lo"))
        .arg(&file)
        .output()
        .expect("run soffice");
    let xlsx = w.dir.path().join("lo").join("bao-cao.xlsx");
    assert!(xlsx.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).expect("open");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("read");
    let head: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let pct_cols: Vec<usize> = head
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("(%)"))
        .map(|(i, _)| i)
        .collect();
    assert!(pct_cols.len() >= 5, "{head:?}");
    let mut numbers = 0;
    for row in sheet.rows().skip(1) {
        for &c in &pct_cols {
            match &row[c] {
                Data::Float(_) | Data::Int(_) => numbers += 1,
                Data::Empty => {}
                other => panic!("column {:?} holds text {other:?}", head[c]),
            }
        }
    }
    assert!(numbers > 50, "{numbers} numbers");
}

/// Issue 14: a chi bộ secretary prints the report of their own branch — its groups and
/// figures (the same as the branch's line in the ward's report), without the ward's own
/// items, as a Party document of the branch under the ward's Party committee.
#[test]
fn a_branch_prints_its_own_report() {
    let w = demo_ward();
    w.ok(&["settings", "set", "issuer", "Đảng ủy phường Thanh Tâm"]);
    w.ok(&["settings", "set", "place", "Thanh Tâm"]);
    let ward = w.ok(&["report", "--format", "json"]).json();
    let b = w
        .ok(&[
            "report",
            "--branch",
            "khu dan cu dong tam",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(b["branch"], "Chi bộ Khu dân cư Đồng Tâm");
    assert_eq!(b["branches"].as_array().unwrap().len(), 1);
    let mine = by_name(&ward["branches"], "Chi bộ Khu dân cư Đồng Tâm");
    assert_eq!(b["branches"][0]["groups"], mine["groups"]);
    assert_eq!(b["completion"], mine["completion"]);
    assert_eq!(b["counts"]["ward_items"], 0);
    assert_eq!(b["counts"]["groups"], 3);
    assert_eq!(b["ward_level"]["completion"]["applicable"], 0);
    // The text report says whose it is, and totals the branch.
    let t = w.ok(&["report", "--branch", "Đồng Tâm"]).stdout;
    assert!(
        t.starts_with("Chi bộ Khu dân cư Đồng Tâm — Phường Thanh Tâm"),
        "{t}"
    );
    assert!(
        t.contains("TOÀN CHI BỘ") && !t.contains("Việc cấp phường"),
        "{t}"
    );
    // The Word document: the branch issues it, under the ward's Party committee.
    let file = w.dir.path().join("chi-bo.docx");
    w.ok(&[
        "report",
        "--branch",
        "dong tam",
        "--format",
        "docx",
        "--signer",
        "Lê Quang Vinh",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = docx_text(&std::fs::read(&file).unwrap());
    for want in [
        "ĐẢNG ỦY PHƯỜNG THANH TÂM",
        "CHI BỘ KHU DÂN CƯ ĐỒNG TÂM",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Thanh Tâm, ngày",
        "của Chi bộ Khu dân cư Đồng Tâm",
        "Tỷ lệ hoàn thành chung của chi bộ",
        "T/M CHI BỘ",
        "Lê Quang Vinh",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    // A branch that is not there: named, with the ward's branches.
    let r = w.fails(&["report", "--branch", "Khu phố 404"], 65);
    assert!(r.stderr.contains("Chi bộ Tổ dân phố 1"), "{}", r.stderr);
}

/// Issue 14: minutes qcdc can fill in from an entry's evidence — the posting record and
/// the meeting record of a residential group, in the state format, with what qcdc does
/// not know left as dotted lines; a kind the item does not have is refused.
#[test]
fn minutes_are_filled_in_from_the_evidence() {
    let w = demo_ward();
    w.ok(&["settings", "set", "place", "Thanh Tâm"]);
    let items = w
        .ok(&[
            "--period",
            "2026",
            "items",
            "Tổ dân phố 1",
            "--format",
            "json",
        ])
        .json();
    let row = |code: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap_or_else(|| panic!("no {code} on the checklist"))
            .clone()
    };

    // The posting record of CK-01.
    let ck = row("CK-01");
    let file = w.dir.path().join("niem-yet.docx");
    w.ok(&[
        "--period",
        "2026",
        "document",
        "Tổ dân phố 1",
        "CK-01",
        "--kind",
        "niem-yet",
        "--date",
        "13/01/2026",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = docx_text(&std::fs::read(&file).unwrap());
    let from = ck["evidence"]["posted_from"].as_str().unwrap(); // 2026-01-13
    let to = ck["evidence"]["posted_to"].as_str().unwrap();
    let vi = |iso: &str| format!("{}/{}/{}", &iso[8..10], &iso[5..7], &iso[..4]);
    for want in [
        "UBND PHƯỜNG THANH TÂM",
        "TỔ DÂN PHỐ 1",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thanh Tâm, ngày 13 tháng 01 năm 2026",
        "BIÊN BẢN",
        "Niêm yết công khai: kế hoạch phát triển kinh tế",
        &format!("từ ngày {} đến ngày {}", vi(from), vi(to)),
        "Điều 147 Bộ luật Dân sự 2015",
        "tối thiểu: 30 ngày",
        "NGƯỜI CHỨNG KIẾN",
        "(Ký, ghi rõ họ tên)",
        "……",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    if let Some(who) = ck["evidence"]["responsible"].as_str() {
        assert!(text.contains(who), "{who} missing:\n{text}");
    }

    // The meeting record of BQ-01: households, attendance, agreement, the verdict.
    let bq = row("BQ-01");
    let v = &bq["evidence"]["vote"];
    let (total, present, agree) = (
        v["total"].as_u64().unwrap(),
        v["present"].as_u64().unwrap(),
        v["agree"].as_u64().unwrap(),
    );
    let file = w.dir.path().join("hop.docx");
    w.ok(&[
        "--period",
        "2026",
        "document",
        "to dan pho 1",
        "BQ-01",
        "--kind",
        "hop",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = docx_text(&std::fs::read(&file).unwrap());
    for want in [
        format!("Tổng số hộ gia đình của Tổ dân phố 1: {total}"),
        format!("dự họp (hoặc số phiếu thu về): {present}"),
        format!("Số hộ gia đình tán thành: {agree}/{total}"),
        "Kết quả (Điều 21 Luật Thực hiện dân chủ ở cơ sở): Đạt".to_string(),
        "Chủ trì: ……".to_string(),
        "THƯ KÝ".to_string(),
        "CHỦ TRÌ".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?} missing:\n{text}");
    }

    // A second occurrence of BQ-01 (issue 13) has its own record: what arose, its vote.
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 1",
        "BQ-01",
        "--date",
        "10/11/2026",
        "--title",
        "Bê tông hóa hẻm 12",
    ]);
    w.ok(&[
        "vote",
        "Tổ dân phố 1",
        "BQ-01#2",
        "--present",
        "201",
        "--agree",
        "177",
        "--date",
        "12/11/2026",
    ]);
    let file = w.dir.path().join("hop-2.docx");
    w.ok(&[
        "--period",
        "2026",
        "document",
        "Tổ dân phố 1",
        "BQ-01#2",
        "--kind",
        "hop",
        "--out",
        file.to_str().unwrap(),
    ]);
    let text = docx_text(&std::fs::read(&file).unwrap());
    assert!(text.contains("(Bê tông hóa hẻm 12)"), "{text}");
    assert!(text.contains(&format!("tán thành: 177/{total}")), "{text}");
    assert!(text.contains("ngày 12 tháng 11 năm 2026"), "{text}");

    // Refusals: a kind the item does not have, a kind that does not exist, no file to
    // the terminal's place… nothing is written.
    let bad = w.dir.path().join("bad.docx");
    let r = w.fails(
        &[
            "--period",
            "2026",
            "document",
            "Tổ dân phố 1",
            "CK-01",
            "--kind",
            "hop",
            "--out",
            bad.to_str().unwrap(),
        ],
        65,
    );
    assert!(
        r.stderr.contains("niem-yet, ket-thuc-niem-yet"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "document",
            "Tổ dân phố 1",
            "CK-01",
            "--kind",
            "to-trinh",
            "--out",
            bad.to_str().unwrap(),
        ],
        65,
    );
    assert!(
        r.stderr.contains("niem-yet, ket-thuc-niem-yet, hop"),
        "{}",
        r.stderr
    );
    assert!(!bad.exists());
}
