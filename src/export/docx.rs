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

fn pct(p: &Pct) -> String {
    match p.percent {
        Some(x) => format!("{x:.1}%"),
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

/// A table of figures: a heading row in bold, the rows below; numbers to the right.
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
                    .enumerate()
                    .map(|(i, (t, w))| cell(t, false, i > 0, *w))
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

/// The report as a .docx file.
pub fn report_docx(r: &Report, o: &DocxOptions, lang: Lang) -> Result<Vec<u8>, String> {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_string();
    let s = &o.settings;
    let or_dots = |v: &str| {
        if v.trim().is_empty() {
            DOTS.to_string()
        } else {
            v.trim().to_string()
        }
    };
    let number = format!("{} {}", t("Số:", "No.:"), or_dots(&s.number));
    let date = place_and_date(&s.place, o.date);

    // ---- the header ---------------------------------------------------------------
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

    let mut doc = Docx::new()
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
        .add_paragraph(centered("", BODY));

    // ---- title and trích yếu ------------------------------------------------------
    doc = doc
        .add_paragraph(para(
            vec![run(t("BÁO CÁO", "REPORT"), 32).bold()],
            AlignmentType::Center,
        ))
        .add_paragraph(para(
            vec![
                run(
                    format!(
                        "{} {}",
                        t(
                            "Kết quả thực hiện dân chủ ở cơ sở",
                            "Grassroots democracy: results for"
                        ),
                        r.period_label
                    ),
                    BODY,
                )
                .bold(),
            ],
            AlignmentType::Center,
        ))
        .add_paragraph(centered("-----", BODY));

    // ---- I. đặc điểm tình hình ----------------------------------------------------
    let c = &r.counts;
    doc = doc
        .add_paragraph(heading(t(
            "I. ĐẶC ĐIỂM TÌNH HÌNH",
            "I. THE WARD",
        )))
        .add_paragraph(body(if lang.is_en() {
            format!(
                "{} has {} Party branches, {} residential groups and {} households. The checklist follows Law 10/2022/QH15 and Decrees 59/2023/NĐ-CP and 61/2023/NĐ-CP ({} items, {} for each group, {} for the ward).",
                r.ward, c.branches, c.groups, c.households, c.items, c.group_items, c.ward_items
            )
        } else {
            format!(
                "{} có {} chi bộ, {} tổ dân phố với {} hộ gia đình. Việc thực hiện dân chủ ở cơ sở được theo dõi theo Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15, Nghị định 59/2023/NĐ-CP và Nghị định 61/2023/NĐ-CP ({} nội dung, trong đó {} nội dung ở từng tổ dân phố, {} nội dung cấp phường).",
                r.ward, c.branches, c.groups, c.households, c.items, c.group_items, c.ward_items
            )
        }));

    // ---- II. kết quả --------------------------------------------------------------
    doc = doc
        .add_paragraph(heading(t(
            "II. KẾT QUẢ THỰC HIỆN",
            "II. RESULTS",
        )))
        .add_paragraph(body(if lang.is_en() {
            format!(
                "Steps completed across the ward: {} ({} of {}); overdue entries: {}; decisions voted: {}, of which {} did not pass.",
                pct(&r.completion),
                r.completion.done,
                r.completion.applicable,
                r.overdue_count(),
                r.votes_count(),
                r.votes_failed_count()
            )
        } else {
            format!(
                "Tỷ lệ hoàn thành chung của phường: {} ({}/{} bước việc); số việc quá hạn: {}; số nội dung đã biểu quyết: {}, trong đó {} nội dung không đạt.",
                pct(&r.completion),
                r.completion.done,
                r.completion.applicable,
                r.overdue_count(),
                r.votes_count(),
                r.votes_failed_count()
            )
        }));
    let pillar_rows: Vec<Vec<String>> = r
        .by_pillar
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                format!("{}/{}", p.completion.done, p.completion.applicable),
                pct(&p.completion),
            ]
        })
        .collect();
    doc = doc.add_table(figures(
        &[
            &t("Nội dung", "Pillar"),
            &t("Bước đã xong", "Steps done"),
            &t("Tỷ lệ", "Rate"),
        ],
        pillar_rows,
        &[5_400, 2_000, 1_500],
    ));
    doc = doc.add_paragraph(centered("", SMALL));
    let branch_rows: Vec<Vec<String>> = r
        .branches
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.groups.len().to_string(),
                format!("{}/{}", b.completion.done, b.completion.applicable),
                pct(&b.completion),
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
            pct(&sec.completion)
        )));
        for f in &sec.facts {
            let of = f.of.map(|o| format!("/{o}")).unwrap_or_default();
            doc = doc.add_paragraph(body(format!("- {}: {}{of}.", f.label, f.value)));
        }
    }

    // ---- III–V: what the ward writes ----------------------------------------------
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

    // ---- Nơi nhận and the signer --------------------------------------------------
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

    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
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
