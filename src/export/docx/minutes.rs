//! Minutes qcdc can fill in from an entry's evidence (issue 14): the posting record
//! (biên bản niêm yết), the record of the end of a posting (biên bản kết thúc niêm yết)
//! and the record of a residential group's meeting (biên bản họp tổ dân phố), in the
//! administrative format of the ward's documents. What qcdc does not know — the hour, who
//! was there, what was said, the signatures — is left as dotted lines to fill in by hand.

use super::{
    BODY, DOTS, Docx, Paragraph, blocks, body, centered, document, heading, or_dots, para, run,
};
use crate::domain::date::{Date, format_vi};
use crate::domain::settings::{DocSettings, DocStyle};
use crate::i18n::Lang;
use chrono::Datelike;
use docx_rs::AlignmentType;

/// Which record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesKind {
    /// Biên bản niêm yết công khai (Điều 13 khoản 2 Luật 10/2022/QH15: niêm yết).
    Posting,
    /// Biên bản kết thúc niêm yết.
    PostingEnd,
    /// Biên bản họp tổ dân phố (the meeting that discusses and decides).
    Meeting,
}

impl MinutesKind {
    /// The names `qcdc document --kind` takes.
    pub const NAMES: [&'static str; 3] = ["niem-yet", "ket-thuc-niem-yet", "hop"];

    pub fn parse(s: &str) -> Option<MinutesKind> {
        match crate::domain::text::fold(s.trim())
            .replace(' ', "-")
            .as_str()
        {
            "niem-yet" | "posting" => Some(MinutesKind::Posting),
            "ket-thuc-niem-yet" | "ket-thuc" | "posting-end" => Some(MinutesKind::PostingEnd),
            "hop" | "hop-to-dan-pho" | "meeting" => Some(MinutesKind::Meeting),
            _ => None,
        }
    }
}

/// What a record is filled in from: the ward, the group, the item and one entry's
/// evidence (the caller reads them from the store and computes the verdict).
#[derive(Debug, Clone)]
pub struct MinutesInput {
    pub kind: MinutesKind,
    pub ward: String,
    /// The residential group, or `None` for the ward's own item.
    pub group: Option<String>,
    /// The place written before the date (the ward's setting), may be empty.
    pub place: String,
    pub item_code: String,
    pub item_title: String,
    pub citation: String,
    pub period_label: String,
    pub posted_from: Option<Date>,
    pub posted_to: Option<Date>,
    /// The least number of days the law asks the posting to last, if any.
    pub min_days: Option<u32>,
    pub meeting_date: Option<Date>,
    /// "họp", "phát phiếu", "trực tuyến".
    pub form: Option<String>,
    pub total: Option<u32>,
    pub present: Option<u32>,
    pub agree: Option<u32>,
    /// The verdict under Điều 21 in words ("Đạt: 176/245 hộ đồng ý, cần …").
    pub verdict: Option<String>,
    pub minutes_no: String,
    pub responsible: String,
    pub note: String,
    /// The date written under the header.
    pub date: Date,
}

fn day_words(d: Date) -> String {
    format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

fn dotted_date(d: Option<Date>) -> String {
    d.map(day_words)
        .unwrap_or_else(|| "ngày …… tháng …… năm ……".to_string())
}

fn percent(part: u32, of: u32) -> String {
    if of == 0 {
        return String::new();
    }
    format!(" ({:.1}%)", part as f64 * 100.0 / of as f64).replace('.', ",")
}

/// A line of dots to write on.
fn dotted_line() -> Paragraph {
    para(vec![run(DOTS.repeat(3), BODY)], AlignmentType::Left)
}

/// The record as a .docx file. Vietnamese: these records are filed as written; under
/// `--lang en` only the dotted-line hints and headings are translated where it matters
/// little, so the text stays Vietnamese.
pub fn minutes_docx(m: &MinutesInput, _lang: Lang) -> Result<Vec<u8>, String> {
    let ward_up = m.ward.to_uppercase();
    // A group's record: the group under the ward's People's Committee; the ward's own:
    // the committee itself. State format (quốc hiệu, tiêu ngữ).
    let settings = DocSettings {
        style: DocStyle::State,
        superior: if m.group.is_some() {
            format!("UBND {ward_up}")
        } else {
            String::new()
        },
        issuer: match &m.group {
            Some(g) => g.to_uppercase(),
            None => format!("ỦY BAN NHÂN DÂN {ward_up}"),
        },
        // "Biên bản số 05/BB-TDP1" as recorded: the number alone after "Số:".
        number: {
            let n = m.minutes_no.trim();
            ["Biên bản số ", "biên bản số ", "BB số ", "Số ", "số "]
                .iter()
                .find_map(|p| n.strip_prefix(p))
                .unwrap_or(n)
                .trim()
                .to_string()
        },
        place: m.place.clone(),
        signer_for: String::new(),
        signer_title: String::new(),
        signer_name: String::new(),
        recipients: Vec::new(),
    };
    let unit = m.group.clone().unwrap_or_else(|| m.ward.clone());
    let (subject, mut paras) = match m.kind {
        MinutesKind::Posting => posting(m, &unit),
        MinutesKind::PostingEnd => posting_end(m, &unit),
        MinutesKind::Meeting => meeting(m, &unit),
    };
    let mut doc = document(&settings, m.date, _lang)
        .add_paragraph(para(
            vec![run("BIÊN BẢN", 32).bold()],
            AlignmentType::Center,
        ))
        .add_paragraph(para(vec![run(subject, BODY).bold()], AlignmentType::Center))
        .add_paragraph(centered("-----", BODY));
    for p in paras.drain(..) {
        doc = doc.add_paragraph(p);
    }
    doc = signatures(doc, m);
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// "Hôm nay, vào hồi … ngày …, tại …" and "Chúng tôi gồm:" with three lines to fill in.
fn opening(m: &MinutesInput, day: Option<Date>, unit: &str) -> Vec<Paragraph> {
    let mut p = vec![
        body(format!(
            "Hôm nay, vào hồi …… giờ …… {}, tại {}, {unit}, {}.",
            dotted_date(day),
            DOTS,
            m.ward
        )),
        body("Chúng tôi gồm:".to_string()),
    ];
    for i in 1..=3 {
        p.push(body(format!("{i}. Ông/Bà: {DOTS} Chức vụ: {DOTS}")));
    }
    p
}

fn posting(m: &MinutesInput, unit: &str) -> (String, Vec<Paragraph>) {
    let mut p = opening(m, m.posted_from, unit);
    p.push(body(format!(
        "Đã tiến hành niêm yết công khai: {} (mã {}; căn cứ {}).",
        subject_title(m),
        m.item_code,
        m.citation
    )));
    p.push(body(posting_span(m)));
    p.push(body(format!("Tài liệu niêm yết gồm: {DOTS}")));
    p.push(body(
        "Biên bản được lập thành …… bản, lập xong hồi …… giờ …… cùng ngày; những người có mặt cùng thống nhất ký tên."
            .to_string(),
    ));
    (format!("Niêm yết công khai: {}", subject_title(m)), p)
}

fn posting_end(m: &MinutesInput, unit: &str) -> (String, Vec<Paragraph>) {
    let mut p = opening(m, m.posted_to, unit);
    p.push(body(format!(
        "Tiến hành kết thúc việc niêm yết công khai: {} (mã {}; căn cứ {}).",
        subject_title(m),
        m.item_code,
        m.citation
    )));
    p.push(body(posting_span(m)));
    p.push(body(
        "Trong thời gian niêm yết, đã nhận được …… ý kiến phản ánh, kiến nghị của Nhân dân; cụ thể:"
            .to_string(),
    ));
    p.push(dotted_line());
    p.push(dotted_line());
    p.push(body(
        "Biên bản được lập thành …… bản, lập xong hồi …… giờ …… cùng ngày; những người có mặt cùng thống nhất ký tên."
            .to_string(),
    ));
    (
        format!("Kết thúc niêm yết công khai: {}", subject_title(m)),
        p,
    )
}

/// "Thời gian niêm yết: từ ngày … đến ngày … (30 ngày, …)". The days are counted
/// without the first (Bộ luật Dân sự 2015 Điều 147 khoản 2: a period counted in days
/// starts the day after the event), and both ways of counting are said.
fn posting_span(m: &MinutesInput) -> String {
    let from = m.posted_from.map(format_vi).unwrap_or_else(|| DOTS.into());
    let to = m.posted_to.map(format_vi).unwrap_or_else(|| DOTS.into());
    let mut s = format!("Thời gian niêm yết: từ ngày {from} đến ngày {to}");
    if let (Some(a), Some(b)) = (m.posted_from, m.posted_to)
        && b >= a
    {
        let days = (b - a).num_days();
        s.push_str(&format!(
            " ({days} ngày, không kể ngày bắt đầu niêm yết theo Điều 147 Bộ luật Dân sự 2015)"
        ));
    }
    if let Some(min) = m.min_days {
        s.push_str(&format!("; thời gian niêm yết tối thiểu: {min} ngày"));
    }
    s.push('.');
    s
}

fn meeting(m: &MinutesInput, unit: &str) -> (String, Vec<Paragraph>) {
    let form = m.form.clone().unwrap_or_else(|| "họp".into());
    let mut p = vec![body(format!(
        "Hôm nay, vào hồi …… giờ …… {}, tại {}, {unit} ({}) tổ chức {} để Nhân dân bàn và quyết định: {} (căn cứ {}).",
        dotted_date(m.meeting_date),
        DOTS,
        m.ward,
        if form == "họp" {
            "cuộc họp".to_string()
        } else {
            format!("lấy ý kiến bằng hình thức {form}")
        },
        m.item_title,
        m.citation
    ))];
    p.push(heading("I. THÀNH PHẦN".to_string()));
    p.push(body(format!("Chủ trì: {DOTS} Thư ký: {DOTS}")));
    let total = m
        .total
        .map(|t| t.to_string())
        .unwrap_or_else(|| DOTS.into());
    let present = match (m.present, m.total) {
        (Some(pr), Some(t)) => format!("{pr}{}", percent(pr, t)),
        (Some(pr), None) => pr.to_string(),
        _ => DOTS.into(),
    };
    p.push(body(format!(
        "Tổng số hộ gia đình của {unit}: {total}; số hộ gia đình có đại diện dự họp (hoặc số phiếu thu về): {present}."
    )));
    p.push(body(format!("Khách mời: {DOTS}")));
    p.push(heading("II. NỘI DUNG".to_string()));
    p.push(body(format!(
        "Cuộc họp đã nghe trình bày và thảo luận về: {}.",
        m.item_title
    )));
    p.push(body("Ý kiến phát biểu:".to_string()));
    p.push(dotted_line());
    p.push(dotted_line());
    p.push(heading("III. KẾT QUẢ BIỂU QUYẾT".to_string()));
    let agree = match (m.agree, m.total) {
        (Some(a), Some(t)) => format!("{a}/{t} tổng số hộ{}", percent(a, t)),
        (Some(a), None) => a.to_string(),
        _ => DOTS.into(),
    };
    p.push(body(format!(
        "Số hộ gia đình tán thành: {agree}; không tán thành: ……; ý kiến khác: …….",
    )));
    p.push(body(format!(
        "Kết quả (Điều 21 Luật Thực hiện dân chủ ở cơ sở): {}.",
        m.verdict.clone().unwrap_or_else(|| DOTS.into())
    )));
    p.push(heading("IV. NỘI DUNG ĐƯỢC QUYẾT ĐỊNH".to_string()));
    if m.note.trim().is_empty() {
        p.push(dotted_line());
        p.push(dotted_line());
    } else {
        p.push(body(m.note.trim().to_string()));
    }
    p.push(body(
        "Cuộc họp kết thúc hồi …… giờ …… cùng ngày. Biên bản đã được đọc lại cho những người dự họp cùng nghe và nhất trí."
            .to_string(),
    ));
    (format!("Họp {unit} về: {}", lower_first(&m.item_title)), p)
}

/// The signature blocks: who witnessed or kept the record on the left, who presided on
/// the right (the responsible person's name when recorded).
fn signatures(doc: Docx, m: &MinutesInput) -> Docx {
    let (left, right) = match m.kind {
        MinutesKind::Meeting => ("THƯ KÝ", "CHỦ TRÌ"),
        _ => ("NGƯỜI CHỨNG KIẾN", "ĐẠI DIỆN TỔ DÂN PHỐ"),
    };
    let right = if m.group.is_none() && m.kind != MinutesKind::Meeting {
        "ĐẠI DIỆN UBND PHƯỜNG"
    } else {
        right
    };
    let block = |title: &str, name: &str| {
        let mut v = vec![
            para(vec![run(title, BODY).bold()], AlignmentType::Center),
            para(
                vec![run("(Ký, ghi rõ họ tên)", BODY).italic()],
                AlignmentType::Center,
            ),
        ];
        for _ in 0..3 {
            v.push(centered("", BODY));
        }
        v.push(para(
            vec![run(or_dots(name), BODY).bold()],
            AlignmentType::Center,
        ));
        v
    };
    doc.add_paragraph(centered("", BODY)).add_table(blocks(
        block(left, ""),
        block(right, &m.responsible),
        4_600,
    ))
}

/// The item's title after "Niêm yết công khai:", without its own "Công khai".
fn subject_title(m: &MinutesInput) -> String {
    let t = m.item_title.trim();
    let rest = ["Công khai ", "công khai "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    lower_first(rest)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
