//! The report as the document a ward signs and files: a Word file in the administrative
//! format wards use.
//!
//! - A Party body (Hướng dẫn 36-HD/VPTW, 2018): the issuing body on the left ("ĐẢNG BỘ …",
//!   "ĐẢNG ỦY PHƯỜNG …", "*", "Số: …-BC/ĐU"), "ĐẢNG CỘNG SẢN VIỆT NAM" on the right above
//!   the place and date.
//! - A state body or the Front (Nghị định 30/2020/NĐ-CP, Phụ lục I): the issuing body on the
//!   left, quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and tiêu ngữ "Độc lập - Tự do -
//!   Hạnh phúc" on the right.
//!
//! Both: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm (the lower bounds of
//! Phụ lục I), Times New Roman 14 pt for the body; then the title and trích yếu, the body
//! (đặc điểm tình hình, kết quả with its figures, đánh giá chung, nhiệm vụ và giải pháp,
//! kiến nghị và đề xuất), "Nơi nhận" and the signer. What the ward has not written or set
//! is left as dotted lines to fill in by hand.

use crate::domain::date::Date;
use crate::domain::settings::{DocSettings, DocStyle};
use crate::i18n::Lang;
use crate::service::report::{Pct, Report};
use docx_rs::*;

/// A4 in twentieths of a point.
pub mod minutes;

const A4_W: u32 = 11_906;
const A4_H: u32 = 16_838;
/// One millimetre in twentieths of a point.
const MM: i32 = 57;
/// Sizes in half-points.
const BODY: usize = 28;
const HEAD: usize = 26;
const SMALL: usize = 24;
const FONT: &str = "Times New Roman";
/// What is left to fill in by hand.
pub const DOTS: &str = "……………………";

/// What one report needs besides the figures.
#[derive(Debug, Clone)]
pub struct DocxOptions {
    pub settings: DocSettings,
    /// The date written under the header ("…, ngày 15 tháng 12 năm 2026").
    pub date: Date,
    /// The narrative sections a ward has written, by key (đánh giá chung, hạn chế,
    /// nguyên nhân, nhiệm vụ, kiến nghị); missing ones are dotted lines.
    pub narrative: Vec<(String, String)>,
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT)
}

fn run(text: impl Into<String>, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(fonts())
}

fn para(runs: Vec<Run>, align: AlignmentType) -> Paragraph {
    let mut p = Paragraph::new().align(align);
    for r in runs {
        p = p.add_run(r);
    }
    p.line_spacing(LineSpacing::new().before(0).after(60))
}

fn centered(text: impl Into<String>, size: usize) -> Paragraph {
    para(vec![run(text, size)], AlignmentType::Center)
}

fn body(text: impl Into<String>) -> Paragraph {
    para(vec![run(text, BODY)], AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(567)),
        None,
        None,
    )
}

fn heading(text: impl Into<String>) -> Paragraph {
    para(vec![run(text, BODY).bold()], AlignmentType::Both)
        .keep_next(true)
        .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
}

fn sub_heading(text: impl Into<String>) -> Paragraph {
    para(vec![run(text, BODY).bold().italic()], AlignmentType::Both)
        .keep_next(true)
        .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
}

/// "Hà Tĩnh, ngày 05 tháng 01 năm 2026": days below 10 and the months 1 and 2 take a
/// leading zero (Nghị định 30/2020/NĐ-CP, Phụ lục I).
pub fn place_and_date(place: &str, d: Date) -> String {
    use chrono::Datelike;
    let day = format!("{:02}", d.day());
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    let place = if place.trim().is_empty() {
        DOTS
    } else {
        place.trim()
    };
    format!("{place}, ngày {day} tháng {month} năm {}", d.year())
}

/// A percentage as the document's language writes it: "52,4%" in Vietnamese (decimal
/// comma), "52.4%" in English.
fn pct(p: &Pct, lang: Lang) -> String {
    match p.percent {
        Some(x) if lang.is_en() => format!("{x:.1}%"),
        Some(x) => format!("{x:.1}%").replace('.', ","),
        None => "–".into(),
    }
}

/// A table without borders for the header and the signature blocks.
fn blocks(left: Vec<Paragraph>, right: Vec<Paragraph>, left_w: usize) -> Table {
    let text_w = (A4_W as usize) - (30 + 15) * MM as usize;
    let mut l = TableCell::new().width(left_w, WidthType::Dxa);
    for p in left {
        l = l.add_paragraph(p);
    }
    let mut r = TableCell::new().width(text_w - left_w, WidthType::Dxa);
    for p in right {
        r = r.add_paragraph(p);
    }
    Table::without_borders(vec![TableRow::new(vec![l, r])])
        .set_grid(vec![left_w, text_w - left_w])
        .width(text_w, WidthType::Dxa)
}

/// Completion per pillar: steps done and the rate.
fn pillar_table(by_pillar: &[crate::service::report::PillarRow], lang: Lang) -> Table {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let rows = by_pillar
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                format!("{}/{}", p.completion.done, p.completion.applicable),
                pct(&p.completion, lang),
            ]
        })
        .collect();
    figures(
        &[
            &t("Nội dung", "Pillar"),
            &t("Bước đã xong", "Steps done"),
            &t("Tỷ lệ", "Rate"),
        ],
        rows,
        &[5_400, 2_000, 1_500],
    )
}

/// A figure ("12", "52,4%", "3/4", "+1,5", "–") rather than a name: set to the right.
fn numeric(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || "%/,.+-– ".contains(c))
}

/// A table of figures: a heading row in bold, the rows below; figures to the right.
fn figures(head: &[&str], rows: Vec<Vec<String>>, widths: &[usize]) -> Table {
    let cell = |t: &str, bold: bool, right: bool, w: usize| {
        let mut r = run(t.to_string(), SMALL);
        if bold {
            r = r.bold();
        }
        TableCell::new()
            .width(w, WidthType::Dxa)
            .add_paragraph(para(
                vec![r],
                if right {
                    AlignmentType::Right
                } else {
                    AlignmentType::Left
                },
            ))
    };
    let mut out = vec![
        TableRow::new(
            head.iter()
                .zip(widths)
                .map(|(h, w)| cell(h, true, false, *w))
                .collect(),
        )
        .cant_split(),
    ];
    for row in rows {
        out.push(
            TableRow::new(
                row.iter()
                    .zip(widths)
                    .map(|(t, w)| cell(t, false, numeric(t), *w))
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out).set_grid(widths.to_vec())
}

fn narrative<'a>(o: &'a DocxOptions, key: &str) -> Option<&'a str> {
    o.narrative
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// The paragraphs of a written section, or dotted lines to write on.
fn written(o: &DocxOptions, key: &str) -> Vec<Paragraph> {
    match narrative(o, key) {
        Some(text) => text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(body)
            .collect(),
        // A line of dots that fits the 165 mm text width at 14 pt.
        None => (0..3)
            .map(|_| para(vec![run(DOTS.repeat(3), BODY)], AlignmentType::Left))
            .collect(),
    }
}

/// `v`, or dotted lines to fill in by hand.
fn or_dots(v: &str) -> String {
    if v.trim().is_empty() {
        DOTS.to_string()
    } else {
        v.trim().to_string()
    }
}

/// A4 with the decree's margins, and the header: the issuing body and number on the
/// left; "ĐẢNG CỘNG SẢN VIỆT NAM" (Party) or quốc hiệu and tiêu ngữ (state) on the right
/// above the place and date.
fn document(s: &DocSettings, date: Date, lang: Lang) -> Docx {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let number = format!("{} {}", t("Số:", "No.:"), or_dots(&s.number));
    let date = place_and_date(&s.place, date);
    let mut left = Vec::new();
    if !s.superior.trim().is_empty() {
        left.push(centered(s.superior.to_uppercase(), HEAD));
    }
    left.push(para(
        vec![run(or_dots(&s.issuer).to_uppercase(), HEAD).bold()],
        AlignmentType::Center,
    ));
    let mut right = Vec::new();
    match s.style {
        DocStyle::Party => {
            left.push(centered("*", HEAD));
            left.push(centered(number, HEAD));
            right.push(para(
                vec![run("ĐẢNG CỘNG SẢN VIỆT NAM", 30).bold().underline("single")],
                AlignmentType::Center,
            ));
        }
        DocStyle::State => {
            left.push(centered("_______", HEAD));
            left.push(centered(number, HEAD));
            right.push(para(
                vec![run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", HEAD).bold()],
                AlignmentType::Center,
            ));
            right.push(para(
                vec![
                    run("Độc lập - Tự do - Hạnh phúc", BODY)
                        .bold()
                        .underline("single"),
                ],
                AlignmentType::Center,
            ));
        }
    }
    right.push(para(vec![run(date, BODY).italic()], AlignmentType::Center));

    Docx::new()
        .page_size(A4_W, A4_H)
        .page_margin(
            PageMargin::new()
                .top(20 * MM)
                .bottom(20 * MM)
                .left(30 * MM)
                .right(15 * MM)
                .header(10 * MM)
                .footer(10 * MM),
        )
        .default_fonts(fonts())
        .default_size(BODY)
        .add_table(blocks(left, right, 3_700))
        .add_paragraph(centered("", BODY))
}

/// "BÁO CÁO" and its trích yếu.
fn title(doc: Docx, subject: String, lang: Lang) -> Docx {
    doc.add_paragraph(para(
        vec![run(lang.t("BÁO CÁO", "REPORT"), 32).bold()],
        AlignmentType::Center,
    ))
    .add_paragraph(para(vec![run(subject, BODY).bold()], AlignmentType::Center))
    .add_paragraph(centered("-----", BODY))
}

/// III–V: what the ward (or the province) writes — its narrative, or dotted lines.
fn assessment(mut doc: Docx, o: &DocxOptions, lang: Lang) -> Docx {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    doc = doc.add_paragraph(heading(t("III. ĐÁNH GIÁ CHUNG", "III. ASSESSMENT")));
    doc = doc.add_paragraph(sub_heading(t("1. Ưu điểm", "1. Strengths")));
    for p in written(o, "danh-gia") {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_paragraph(sub_heading(t(
        "2. Hạn chế, nguyên nhân",
        "2. Shortcomings and causes",
    )));
    for p in written(o, "han-che") {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_paragraph(heading(t(
        "IV. NHIỆM VỤ, GIẢI PHÁP",
        "IV. TASKS AND MEASURES",
    )));
    for p in written(o, "nhiem-vu") {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_paragraph(heading(t("V. KIẾN NGHỊ, ĐỀ XUẤT", "V. RECOMMENDATIONS")));
    for p in written(o, "kien-nghi") {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_paragraph(centered("", BODY));

    doc
}

/// "Nơi nhận" on the left, the signer on the right; then the file's bytes.
fn closing(mut doc: Docx, s: &DocSettings, lang: Lang) -> Result<Vec<u8>, String> {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let mut to = vec![para(
        vec![run(t("Nơi nhận:", "To:"), SMALL).bold().italic()],
        AlignmentType::Left,
    )];
    let recipients: Vec<String> = if s.recipients.is_empty() {
        vec![DOTS.to_string()]
    } else {
        s.recipients.clone()
    };
    let n = recipients.len();
    for (i, rcp) in recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { "," };
        to.push(para(
            vec![run(format!("- {rcp}{end}"), 22)],
            AlignmentType::Left,
        ));
    }
    let mut sign = vec![
        para(
            vec![run(or_dots(&s.signer_for).to_uppercase(), BODY).bold()],
            AlignmentType::Center,
        ),
        para(
            vec![run(or_dots(&s.signer_title).to_uppercase(), BODY).bold()],
            AlignmentType::Center,
        ),
    ];
    for _ in 0..4 {
        sign.push(centered("", BODY));
    }
    sign.push(para(
        vec![run(or_dots(&s.signer_name), BODY).bold()],
        AlignmentType::Center,
    ));
    doc = doc.add_table(blocks(to, sign, 4_600));

    let mut xml = doc.build();
    xml.document = repeat_heading_rows(&xml.document);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// Mark the first row of every table that has row properties (the tables of figures;
/// the borderless header and signature blocks have none) as a heading row, which Word
/// and LibreOffice repeat at the top of every page the table continues on. docx-rs
/// 0.4 has no setter for `w:tblHeader`; the element goes into the row's `w:trPr`.
fn repeat_heading_rows(document: &[u8]) -> Vec<u8> {
    let Ok(xml) = std::str::from_utf8(document) else {
        return document.to_vec();
    };
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some(t) = rest.find("<w:tbl>") {
        let (before, table) = rest.split_at(t);
        out.push_str(before);
        // The first row, up to its first cell.
        let first_cell = table.find("<w:tc>").unwrap_or(table.len());
        match table[..first_cell].find("<w:trPr>") {
            Some(pr) => {
                let at = pr + "<w:trPr>".len();
                out.push_str(&table[..at]);
                out.push_str("<w:tblHeader />");
                rest = &table[at..];
            }
            None => {
                out.push_str("<w:tbl>");
                rest = &table["<w:tbl>".len()..];
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// The report as a .docx file.
pub fn report_docx(r: &Report, o: &DocxOptions, lang: Lang) -> Result<Vec<u8>, String> {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let subject = match &r.branch {
        None => format!(
            "{} {}",
            t(
                "Kết quả thực hiện dân chủ ở cơ sở",
                "Grassroots democracy: results for"
            ),
            r.period_label
        ),
        Some(b) => format!(
            "{} {} {}",
            t(
                "Kết quả thực hiện dân chủ ở cơ sở của",
                "Grassroots democracy: results of"
            ),
            b,
            r.period_label
        ),
    };
    let mut doc = title(document(&o.settings, o.date, lang), subject, lang);

    // ---- I. đặc điểm tình hình ----------------------------------------------------
    let c = &r.counts;
    doc = doc
        .add_paragraph(heading(t(
            "I. ĐẶC ĐIỂM TÌNH HÌNH",
            "I. THE WARD",
        )))
        .add_paragraph(body(match (&r.branch, lang.is_en()) {
            (Some(b), true) => format!(
                "{b} ({}) has {} residential groups and {} households; this report counts the {} items each group carries out.",
                r.ward, c.groups, c.households, c.group_items
            ),
            (Some(b), false) => format!(
                "{b} ({}) có {} tổ dân phố với {} hộ gia đình; báo cáo này tính {} nội dung mỗi tổ dân phố thực hiện theo Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15, Nghị định 59/2023/NĐ-CP và Nghị định 61/2023/NĐ-CP.",
                r.ward, c.groups, c.households, c.group_items
            ),
            (None, true) => format!(
                "{} has {} Party branches, {} residential groups and {} households. The checklist follows Law 10/2022/QH15 and Decrees 59/2023/NĐ-CP and 61/2023/NĐ-CP ({} items, {} for each group, {} for the ward).",
                r.ward, c.branches, c.groups, c.households, c.items, c.group_items, c.ward_items
            ),
            (None, false) => format!(
                "{} có {} chi bộ, {} tổ dân phố với {} hộ gia đình. Việc thực hiện dân chủ ở cơ sở được theo dõi theo Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15, Nghị định 59/2023/NĐ-CP và Nghị định 61/2023/NĐ-CP ({} nội dung, trong đó {} nội dung ở từng tổ dân phố, {} nội dung cấp phường).",
                r.ward, c.branches, c.groups, c.households, c.items, c.group_items, c.ward_items
            ),
        }));

    // ---- II. kết quả --------------------------------------------------------------
    doc = doc
        .add_paragraph(heading(t(
            "II. KẾT QUẢ THỰC HIỆN",
            "II. RESULTS",
        )))
        .add_paragraph(body(if lang.is_en() {
            format!(
                "Steps completed across the {}: {} ({} of {}); overdue entries: {}; decisions voted: {}, of which {} did not pass.",
                if r.branch.is_some() { "branch" } else { "ward" },
                pct(&r.completion, lang),
                r.completion.done,
                r.completion.applicable,
                r.overdue_count(),
                r.votes_count(),
                r.votes_failed_count()
            )
        } else {
            format!(
                "Tỷ lệ hoàn thành chung của {}: {} ({}/{} bước việc); số việc quá hạn: {}; số nội dung đã biểu quyết: {}, trong đó {} nội dung không đạt.",
                if r.branch.is_some() { "chi bộ" } else { "phường" },
                pct(&r.completion, lang),
                r.completion.done,
                r.completion.applicable,
                r.overdue_count(),
                r.votes_count(),
                r.votes_failed_count()
            )
        }));
    doc = doc.add_table(pillar_table(&r.by_pillar, lang));
    doc = doc.add_paragraph(centered("", SMALL));
    let branch_rows: Vec<Vec<String>> = r
        .branches
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.groups.len().to_string(),
                format!("{}/{}", b.completion.done, b.completion.applicable),
                pct(&b.completion, lang),
            ]
        })
        .collect();
    doc = doc.add_table(figures(
        &[
            &t("Chi bộ", "Party branch"),
            &t("Số tổ", "Groups"),
            &t("Bước đã xong", "Steps done"),
            &t("Tỷ lệ", "Rate"),
        ],
        branch_rows,
        &[4_400, 1_000, 2_000, 1_500],
    ));
    for (i, sec) in r.sections.iter().enumerate() {
        doc = doc.add_paragraph(sub_heading(format!(
            "{}. {} ({})",
            i + 1,
            sec.title,
            pct(&sec.completion, lang)
        )));
        for f in &sec.facts {
            let of = f.of.map(|o| format!("/{o}")).unwrap_or_default();
            doc = doc.add_paragraph(body(format!("- {}: {}{of}.", f.label, f.value)));
        }
    }
    // Counted figures (`qcdc figure`), when any was recorded for the period.
    let lines = crate::export::figures::lines(r, lang.is_en());
    if !lines.is_empty() {
        doc = doc.add_paragraph(sub_heading(format!(
            "{}. {}",
            r.sections.len() + 1,
            t("Các chỉ tiêu đếm được", "Counted figures")
        )));
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                vec![
                    if l.sub {
                        format!("   {}", l.label)
                    } else {
                        l.label.clone()
                    },
                    l.unit.clone(),
                    crate::domain::figure::show(l.value, lang.is_en()),
                ]
            })
            .collect();
        doc = doc.add_table(figures(
            &[
                &t("Chỉ tiêu", "Figure"),
                &t("Đơn vị", "Unit"),
                &t("Số liệu", "Value"),
            ],
            rows,
            &[5_400, 1_500, 2_000],
        ));
    }
    // The law's deadlines passed and not met (issue 13), when there are any.
    if r.late_deadlines_total > 0 {
        let n = r.sections.len() + 1 + usize::from(!lines.is_empty());
        doc = doc.add_paragraph(sub_heading(format!(
            "{n}. {} ({})",
            t(
                "Hạn luật định đã qua, chưa ghi nhận thực hiện",
                "Law deadlines passed, not recorded done"
            ),
            r.late_deadlines_total
        )));
        let rows: Vec<Vec<String>> = r
            .late_deadlines
            .iter()
            .map(|d| {
                vec![
                    d.group.clone(),
                    format!("{} — {}", d.item, d.what),
                    crate::domain::date::format_vi(d.due),
                    d.article.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(figures(
            &[
                &t("Tổ dân phố", "Group"),
                &t("Việc phải làm", "What was due"),
                &t("Hạn", "Due"),
                &t("Căn cứ", "Article"),
            ],
            rows,
            &[2_000, 3_600, 1_300, 2_000],
        ));
        if let Some(m) = crate::export::more(
            r.late_deadlines.len(),
            r.late_deadlines_total as usize,
            lang.is_en(),
        ) {
            doc = doc.add_paragraph(body(m));
        }
    }

    doc = assessment(doc, o, lang);
    closing(doc, &o.settings, lang)
}

/// The province's roll-up as a .docx file: the same administrative frame as a ward's
/// report, with the wards and communes in one table (the most overdue first, the total
/// last), the pillars, the report's sections and the areas of `--by`.
pub fn rollup_docx(
    r: &crate::rollup::Rollup,
    o: &DocxOptions,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let en = lang.is_en();
    let subject = format!(
        "{} {}",
        t(
            "Tổng hợp kết quả thực hiện dân chủ ở cơ sở của các phường, xã",
            "Grassroots democracy in the wards and communes: results for"
        ),
        r.period_label
    );
    let mut doc = title(document(&o.settings, o.date, lang), subject, lang);
    let overdue: u64 = r.wards.iter().map(|w| u64::from(w.overdue)).sum();
    let failed_votes: u64 = r.wards.iter().map(|w| u64::from(w.votes_failed)).sum();

    // ---- I. tình hình chung -------------------------------------------------------
    doc = doc
        .add_paragraph(heading(t("I. TÌNH HÌNH CHUNG", "I. OVERVIEW")))
        .add_paragraph(body(if en {
            format!(
                "{} wards and communes sent their figures: {} residential groups, {} households.",
                r.wards.len(),
                r.groups,
                r.households
            )
        } else {
            format!(
                "{} phường, xã gửi số liệu, với {} tổ dân phố và {} hộ gia đình.",
                r.wards.len(),
                r.groups,
                r.households
            )
        }));
    if !r.failed.is_empty() {
        let names: Vec<String> = r.failed.iter().map(|f| f.message(en)).collect();
        doc = doc.add_paragraph(body(format!(
            "{} {}",
            t(
                "Không tổng hợp được các tệp sau:",
                "These files could not be rolled up:"
            ),
            names.join("; ")
        )));
    }

    // ---- II. kết quả --------------------------------------------------------------
    let before = r
        .previous
        .as_ref()
        .map(|p| format!("; {} {}", t("kỳ trước", "the period before"), pct(p, lang)))
        .unwrap_or_default();
    doc = doc
        .add_paragraph(heading(t("II. KẾT QUẢ THỰC HIỆN", "II. RESULTS")))
        .add_paragraph(body(if en {
            format!(
                "Steps completed ({}): {} ({} of {}){before}; overdue entries: {overdue}; decisions that did not pass: {failed_votes}.",
                r.total_label,
                pct(&r.total, lang),
                r.total.done,
                r.total.applicable
            )
        } else {
            format!(
                "Tỷ lệ hoàn thành chung ({}): {} ({}/{} bước việc){before}; số việc quá hạn: {overdue}; số nội dung biểu quyết không đạt: {failed_votes}.",
                r.total_label,
                pct(&r.total, lang),
                r.total.done,
                r.total.applicable
            )
        }));
    doc = doc.add_paragraph(sub_heading(t(
        "1. Từng phường, xã (quá hạn nhiều nhất trước)",
        "1. Each ward and commune (most overdue first)",
    )));
    let mut rows: Vec<Vec<String>> = r
        .worst_first()
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            vec![
                (i + 1).to_string(),
                w.ward.clone(),
                w.groups.to_string(),
                pct(&w.completion, lang),
                w.previous
                    .as_ref()
                    .map(|p| pct(p, lang))
                    .unwrap_or_else(|| "–".into()),
                w.overdue.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        r.total_label.clone(),
        r.groups.to_string(),
        pct(&r.total, lang),
        r.previous
            .as_ref()
            .map(|p| pct(p, lang))
            .unwrap_or_else(|| "–".into()),
        overdue.to_string(),
    ]);
    doc = doc.add_table(figures(
        &[
            &t("STT", "No."),
            &t("Phường, xã", "Ward/commune"),
            &t("Số tổ", "Groups"),
            &t("Tỷ lệ", "Rate"),
            &t("Kỳ trước", "Before"),
            &t("Quá hạn", "Overdue"),
        ],
        rows,
        &[700, 3_700, 1_000, 1_200, 1_200, 1_100],
    ));
    doc = doc
        .add_paragraph(centered("", SMALL))
        .add_paragraph(sub_heading(t("2. Theo nội dung", "2. By pillar")));
    doc = doc.add_table(pillar_table(&r.by_pillar, lang));
    doc = doc
        .add_paragraph(centered("", SMALL))
        .add_paragraph(sub_heading(t(
            "3. Theo phần của báo cáo",
            "3. By section of the report",
        )));
    let section_rows = r
        .sections
        .iter()
        .map(|sec| {
            vec![
                format!("{}. {}", sec.number, sec.title),
                format!("{}/{}", sec.completion.done, sec.completion.applicable),
                pct(&sec.completion, lang),
            ]
        })
        .collect();
    doc = doc.add_table(figures(
        &[
            &t("Phần", "Section"),
            &t("Bước đã xong", "Steps done"),
            &t("Tỷ lệ", "Rate"),
        ],
        section_rows,
        &[5_400, 2_000, 1_500],
    ));
    if !r.areas.is_empty() {
        let label = r.area_label.clone().unwrap_or_else(|| t("Khu vực", "Area"));
        doc = doc
            .add_paragraph(centered("", SMALL))
            .add_paragraph(sub_heading(format!(
                "4. {} {}",
                t("Theo", "By"),
                label.to_lowercase()
            )));
        let area_rows = r
            .areas
            .iter()
            .map(|a| {
                let name = match &a.ward {
                    Some(w) => format!("{} ({w})", a.area),
                    None => a.area.clone(),
                };
                vec![
                    name,
                    a.groups.to_string(),
                    pct(&a.completion, lang),
                    a.overdue.to_string(),
                ]
            })
            .collect();
        doc = doc.add_table(figures(
            &[
                &label,
                &t("Số tổ", "Groups"),
                &t("Tỷ lệ", "Rate"),
                &t("Quá hạn", "Overdue"),
            ],
            area_rows,
            &[4_400, 1_000, 1_500, 2_000],
        ));
    }
    if !r.figures.is_empty() {
        doc = doc
            .add_paragraph(centered("", SMALL))
            .add_paragraph(sub_heading(t("Các chỉ tiêu đếm được", "Counted figures")));
        doc = doc.add_table(figures(
            &[
                &t("Chỉ tiêu", "Figure"),
                &t("Đơn vị", "Unit"),
                &t("Tổng", "Total"),
                &t("Số đơn vị ghi", "Reporting"),
            ],
            crate::export::figures::rollup_rows(r, lang.is_en())
                .into_iter()
                .map(Vec::from)
                .collect(),
            &[4_400, 1_300, 2_000, 1_200],
        ));
    }
    doc = assessment(doc, o, lang);
    closing(doc, &o.settings, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_leading_zeros_as_the_decree_asks() {
        let d = |s| crate::domain::date::parse(s).unwrap();
        assert_eq!(
            place_and_date("Hà Tĩnh", d("2026-01-05")),
            "Hà Tĩnh, ngày 05 tháng 01 năm 2026"
        );
        assert_eq!(
            place_and_date("Hà Tĩnh", d("2026-12-15")),
            "Hà Tĩnh, ngày 15 tháng 12 năm 2026"
        );
        assert!(place_and_date("", d("2026-03-09")).starts_with(DOTS));
    }
}
