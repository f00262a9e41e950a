//! The report as an Excel workbook, ready to print and send upward: a summary sheet,
//! the completion of every branch and group, one sheet per section I–VIII, what is
//! overdue, and the trend over the year with a chart.

use super::sheet::{
    Cell, Col, Formats, Row, col, new_sheet, print_setup, put_text, ratio, row, strong, table,
    text, title, widths,
};
use crate::domain::date::{Date, format_vi};
use crate::domain::settings::DocSettings;
use crate::domain::template::Scope;
use crate::domain::vote::VoteForm;
use crate::i18n::Lang;
use crate::service::report::{Pct, Report};
use crate::service::sections::{ItemRow, Section};
use rust_xlsxwriter::{Chart, ChartType, DocProperties, Workbook, XlsxError};

/// Summary sheet widths: the label column and the number columns (A4 portrait).
const W0: f64 = 50.0;
const W1: f64 = 10.5;

fn pct(p: &Pct) -> Cell {
    ratio(p.done, p.applicable)
}

/// Change in percentage points between two completions.
fn delta(now: &Pct, before: Option<&Pct>) -> Cell {
    Cell::Points(match (now.percent, before.and_then(|b| b.percent)) {
        (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
        _ => None,
    })
}

fn form_name(f: VoteForm, en: bool) -> &'static str {
    match (f, en) {
        (_, false) => f.name_vi(),
        (VoteForm::Meeting, true) => "community meeting",
        (VoteForm::Ballot, true) => "household ballot",
        (VoteForm::Online, true) => "online vote",
    }
}

/// Sheet names, short enough for Excel's 31 characters.
fn section_sheet(s: &Section, en: bool) -> String {
    let short = match (s.key.as_str(), en) {
        ("cong-khai", false) => "Công khai",
        ("ban-quyet-dinh", false) => "Bàn và quyết định",
        ("tham-gia-y-kien", false) => "Tham gia ý kiến",
        ("kiem-tra-giam-sat", false) => "Kiểm tra, giám sát",
        ("ban-ttnd", false) => "Ban TTND",
        ("ban-gsdtcd", false) => "Ban GSĐTCĐ",
        ("kien-nghi", false) => "Kiến nghị, phản ánh",
        ("hop-to-dan-pho", false) => "Họp tổ dân phố",
        ("cong-khai", true) => "Disclosure",
        ("ban-quyet-dinh", true) => "Decisions",
        ("tham-gia-y-kien", true) => "Consultation",
        ("kiem-tra-giam-sat", true) => "Inspection",
        ("ban-ttnd", true) => "Inspection board",
        ("ban-gsdtcd", true) => "Investment board",
        ("kien-nghi", true) => "Petitions",
        ("hop-to-dan-pho", true) => "Group meetings",
        _ => s.title.as_str(),
    };
    format!("{}. {short}", s.number)
}

/// One line summing up a section's figures: "Lượt hoàn thành 30/90 (33,3%) · quá hạn 6".
pub fn facts_line(s: &Section) -> String {
    s.facts
        .iter()
        .map(|f| match f.of {
            Some(of) if of > 0 => format!(
                "{}: {}/{} ({:.1}%)",
                f.label,
                f.value,
                of,
                f.value as f64 * 100.0 / of as f64
            ),
            Some(of) => format!("{}: {}/{of}", f.label, f.value),
            None => format!("{}: {}", f.label, f.value),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The workbook as bytes.
/// The workbook of a report; the summary sheet ends with the signature block of
/// `sign` (the ward's document settings) dated `date`.
pub fn report_xlsx(
    r: &Report,
    lang: Lang,
    sign: &DocSettings,
    date: Date,
) -> Result<Vec<u8>, XlsxError> {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let fm = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — {}", r.unit(), r.period_label))
            .set_author("qcdc")
            .set_company(&r.ward),
    );
    let footer = format!("{} — {}", r.unit(), r.period_label);
    let as_of = format!(
        "{} — {} · {} {}",
        r.unit(),
        r.period_label,
        t("tính đến ngày", "as of"),
        format_vi(r.today)
    );
    let prev = r.previous.as_ref();
    let prev_label = prev
        .map(|p| {
            if en {
                p.period.label_en()
            } else {
                p.period.label_vi()
            }
        })
        .unwrap_or_default();

    // ---- Summary -------------------------------------------------------------------
    {
        let ws = new_sheet(&mut wb, t("Tổng hợp", "Summary"))?;
        let mut at = title(
            ws,
            &fm,
            0,
            6,
            t(
                "BÁO CÁO KẾT QUẢ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ",
                "GRASSROOTS DEMOCRACY: IMPLEMENTATION REPORT",
            ),
            &as_of,
        )?;
        at += 1;
        put_text(ws, at, 0, t("1. Quy mô", "1. Size"), &fm.heading)?;
        at += 1;
        let c = &r.counts;
        let steps = r
            .steps
            .iter()
            .map(|s| if en { s.name_en() } else { s.name_vi() })
            .collect::<Vec<_>>()
            .join(", ");
        at = table(
            ws,
            &fm,
            at,
            &[col(t("Chỉ tiêu", "Figure"), W0), col(t("Số", "Number"), W1)],
            &[
                row(vec![
                    text(t("Chi bộ", "Party branches")),
                    Cell::Int(c.branches as u64),
                ]),
                row(vec![
                    text(t("Tổ dân phố", "Residential groups")),
                    Cell::Int(c.groups as u64),
                ]),
                row(vec![
                    text(t("Số hộ", "Households")),
                    Cell::Int(c.households),
                ]),
                row(vec![
                    text(t("Nội dung theo dõi", "Items tracked")),
                    Cell::Int(c.items as u64),
                ]),
                row(vec![
                    text(t("   trong đó: mỗi tổ dân phố", "   of which: each group")),
                    Cell::Int(c.group_items as u64),
                ]),
                row(vec![
                    text(t("   trong đó: cấp phường", "   of which: the ward")),
                    Cell::Int(c.ward_items as u64),
                ]),
                row(vec![
                    text(format!(
                        "{}: {steps}",
                        t("Số bước phương châm", "Motto steps")
                    )),
                    Cell::Int(r.steps.len() as u64),
                ]),
            ],
        )?;
        at += 1;
        put_text(ws, at, 0, t("2. Kết quả chung", "2. Overall"), &fm.heading)?;
        at += 1;
        let head = [
            col(t("Nội dung", "Item"), W0),
            col(t("Đã xong (bước)", "Done (steps)"), W1),
            col(t("Phải làm (bước)", "Applicable (steps)"), W1),
            col(t("Tỷ lệ", "Rate"), W1),
            col(t("Kỳ trước", "Previous"), W1),
            col(t("Tăng/giảm (điểm %)", "Change (points)"), W1),
        ];
        let mut rows = vec![strong(vec![
            text(t("Toàn phường (số bước đã làm)", "Whole ward (steps done)")),
            Cell::Int(r.completion.done as u64),
            Cell::Int(r.completion.applicable as u64),
            pct(&r.completion),
            prev.map(|p| pct(&p.completion)).unwrap_or(Cell::Blank),
            delta(&r.completion, prev.map(|p| &p.completion)),
        ])];
        rows.push(row(vec![
            text(t("Việc cấp phường", "Ward-level items")),
            Cell::Int(r.ward_level.completion.done as u64),
            Cell::Int(r.ward_level.completion.applicable as u64),
            pct(&r.ward_level.completion),
            Cell::Blank,
            Cell::Blank,
        ]));
        at = table(ws, &fm, at, &head, &rows)?;
        if prev.is_some() {
            put_text(
                ws,
                at,
                0,
                &format!("{} {prev_label}", t("Kỳ trước:", "Previous period:")),
                &fm.subtitle,
            )?;
            at += 1;
        }
        at += 1;
        put_text(ws, at, 0, t("3. Theo trụ cột", "3. By pillar"), &fm.heading)?;
        at += 1;
        let rows: Vec<Row> = r
            .by_pillar
            .iter()
            .map(|p| {
                let before = prev.and_then(|x| x.by_pillar.iter().find(|q| q.pillar == p.pillar));
                row(vec![
                    text(&p.name),
                    Cell::Int(p.completion.done as u64),
                    Cell::Int(p.completion.applicable as u64),
                    pct(&p.completion),
                    before.map(|b| pct(&b.completion)).unwrap_or(Cell::Blank),
                    delta(&p.completion, before.map(|b| &b.completion)),
                ])
            })
            .collect();
        let mut head_p = head;
        head_p[0] = col(t("Trụ cột", "Pillar"), W0);
        at = table(ws, &fm, at, &head_p, &rows)?;
        at += 1;
        put_text(ws, at, 0, t("4. Theo bước", "4. By step"), &fm.heading)?;
        at += 1;
        let rows: Vec<Row> = r
            .by_step
            .iter()
            .map(|s| {
                row(vec![
                    text(&s.name),
                    Cell::Int(s.completion.done as u64),
                    Cell::Int(s.completion.applicable as u64),
                    pct(&s.completion),
                ])
            })
            .collect();
        at = table(
            ws,
            &fm,
            at,
            &[
                col(t("Bước", "Step"), W0),
                col(t("Đã xong (bước)", "Done (steps)"), W1),
                col(t("Phải làm (bước)", "Applicable (steps)"), W1),
                col(t("Tỷ lệ", "Rate"), W1),
            ],
            &rows,
        )?;
        at += 1;
        signature(ws, &fm, at, sign, date, en)?;
        widths(ws, &[W0, W1, W1, W1, W1, W1])?;
        print_setup(ws, false, None, &footer, !en)?;
        ws.set_freeze_panes(2, 0)?;
    }
    let page = Page {
        fm: &fm,
        as_of: &as_of,
        footer: &footer,
        en,
    };

    // ---- By branch and by section: long tables, each on its own sheet -----------------
    {
        let rows: Vec<Row> = r
            .branches
            .iter()
            .map(|b| {
                let before = prev.and_then(|p| p.branches.iter().find(|(n, _)| *n == b.name));
                row(vec![
                    text(&b.name),
                    Cell::Int(b.groups.len() as u64),
                    Cell::Int(b.groups.iter().map(|g| g.households as u64).sum()),
                    pct(&b.completion),
                    before.map(|(_, c)| pct(c)).unwrap_or(Cell::Blank),
                    delta(&b.completion, before.map(|(_, c)| c)),
                ])
            })
            .collect();
        page.sheet(
            &mut wb,
            t("Theo chi bộ", "By branch"),
            t("KẾT QUẢ THEO CHI BỘ", "RESULTS BY PARTY BRANCH"),
            None,
            None,
            &[
                col(t("Chi bộ", "Branch"), W0),
                col(t("Số tổ", "Groups"), W1),
                col(t("Số hộ", "Households"), W1),
                col(t("Tỷ lệ", "Rate"), W1),
                col(t("Kỳ trước", "Previous"), W1),
                col(t("Tăng/giảm (điểm %)", "Change (points)"), W1),
            ],
            &rows,
            Some(t("Chưa có chi bộ nào.", "No branch yet.")),
            None,
        )?;
        // Each section: its steps done, then its figures, one per row, as numbers.
        let mut rows: Vec<Row> = Vec::new();
        for s in &r.sections {
            rows.push(strong(vec![
                text(format!("{}. {}", s.number, s.title)),
                Cell::Int(s.completion.done as u64),
                Cell::Int(s.completion.applicable as u64),
                pct(&s.completion),
            ]));
            for f in &s.facts {
                rows.push(row(vec![
                    text(format!("   {}", f.label)),
                    Cell::Int(f.value),
                    f.of.map(Cell::Int).unwrap_or(Cell::Blank),
                    match f.of {
                        Some(of) if of > 0 => Cell::Pct(Some(f.value as f64 / of as f64)),
                        _ => Cell::Blank,
                    },
                ]));
            }
        }
        page.sheet(
            &mut wb,
            t("Các phần", "Sections"),
            t("CÁC PHẦN CỦA BÁO CÁO", "SECTIONS OF THE REPORT"),
            None,
            None,
            &[
                col(t("Phần / chỉ tiêu", "Section / figure"), W0),
                col(t("Số", "Number"), W1),
                col(t("Trên tổng số", "Out of"), W1),
                col(t("Tỷ lệ", "Rate"), W1),
            ],
            &rows,
            None,
            None,
        )?;
        // Counted figures (`qcdc figure`): one table on a sheet of its own, so that its
        // heading repeats on each printed page; only when any was recorded.
        let lines = crate::export::figures::lines(r, en);
        if !lines.is_empty() {
            let rows: Vec<Row> = lines
                .iter()
                .map(|l| {
                    let cells = vec![
                        text(if l.sub { String::new() } else { l.code.clone() }),
                        text(if l.sub {
                            format!("   {}", l.label)
                        } else {
                            l.label.clone()
                        }),
                        text(&l.unit),
                        l.value.map(Cell::Int).unwrap_or(Cell::Blank),
                        text(&l.citation),
                    ];
                    if l.sub { row(cells) } else { strong(cells) }
                })
                .collect();
            page.sheet(
                &mut wb,
                t("Chỉ tiêu", "Figures"),
                t("CÁC CHỈ TIÊU ĐẾM ĐƯỢC", "COUNTED FIGURES"),
                None,
                None,
                &[
                    col(t("Mã", "Code"), W1),
                    col(t("Chỉ tiêu", "Figure"), W0),
                    col(t("Đơn vị", "Unit"), W1),
                    col(t("Số liệu", "Value"), 18.0),
                    col(t("Căn cứ", "Basis"), 30.0),
                ],
                &rows,
                None,
                None,
            )?;
        }
    }

    // ---- Branches and groups ----------------------------------------------------------
    {
        let ws = new_sheet(&mut wb, t("Chi bộ - Tổ", "Branches - groups"))?;
        let mut cols = vec![
            col(t("STT", "No."), 5.0),
            col(t("Chi bộ", "Branch"), 24.0),
            col(t("Tổ dân phố", "Group"), 24.0),
            col(t("Tổ trưởng", "Leader"), 20.0),
            col(t("Số hộ", "House-holds"), 8.0),
            col(t("Đã xong", "Done"), 8.0),
            col(t("Phải làm", "Appli-cable"), 8.0),
            col(t("Tỷ lệ", "Rate"), 8.0),
            col(t("Kỳ trước", "Previous"), 8.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 8.0),
            col(t("Quá hạn", "Overdue"), 7.0),
        ];
        for p in &r.by_pillar {
            let short = if en {
                p.pillar.short_en()
            } else {
                p.pillar.short_vi()
            };
            cols.push(col(short, 10.0));
        }
        for s in &r.by_step {
            cols.push(col(&s.name, 9.0));
        }
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "KẾT QUẢ THỰC HIỆN THEO CHI BỘ VÀ TỔ DÂN PHỐ",
                "COMPLETION BY BRANCH AND GROUP",
            ),
            &as_of,
        )?;
        let prev_group = |name: &str| {
            prev.and_then(|p| p.groups.iter().find(|g| g.name == name))
                .map(|g| &g.completion)
        };
        let mut rows = Vec::new();
        let mut n = 0u64;
        for b in &r.branches {
            let before = prev.and_then(|p| p.branches.iter().find(|(x, _)| *x == b.name));
            let mut cells = vec![
                Cell::Blank,
                text(&b.name),
                text(format!("{} {}", b.groups.len(), t("tổ", "groups"))),
                Cell::Blank,
                Cell::Int(b.groups.iter().map(|g| g.households as u64).sum()),
                Cell::Int(b.completion.done as u64),
                Cell::Int(b.completion.applicable as u64),
                pct(&b.completion),
                before.map(|(_, c)| pct(c)).unwrap_or(Cell::Blank),
                delta(&b.completion, before.map(|(_, c)| c)),
                Cell::Int(b.groups.iter().map(|g| g.overdue as u64).sum()),
            ];
            cells.extend(b.by_pillar.iter().map(|p| pct(&p.completion)));
            cells.extend(b.by_step.iter().map(|s| pct(&s.completion)));
            rows.push(strong(cells));
            for g in &b.groups {
                n += 1;
                let mut cells = vec![
                    Cell::Int(n),
                    text(&b.name),
                    text(&g.name),
                    text(&g.leader),
                    Cell::Int(g.households as u64),
                    Cell::Int(g.completion.done as u64),
                    Cell::Int(g.completion.applicable as u64),
                    pct(&g.completion),
                    prev_group(&g.name).map(pct).unwrap_or(Cell::Blank),
                    delta(&g.completion, prev_group(&g.name)),
                    Cell::Int(g.overdue as u64),
                ];
                cells.extend(g.by_pillar.iter().map(|p| pct(&p.completion)));
                cells.extend(g.by_step.iter().map(|s| pct(&s.completion)));
                rows.push(row(cells));
            }
        }
        let wl = &r.ward_level;
        let mut cells = vec![
            Cell::Blank,
            text(t("Việc cấp phường", "Ward-level items")),
            Cell::Blank,
            Cell::Blank,
            Cell::Blank,
            Cell::Int(wl.completion.done as u64),
            Cell::Int(wl.completion.applicable as u64),
            pct(&wl.completion),
            Cell::Blank,
            Cell::Blank,
            Cell::Int(wl.overdue as u64),
        ];
        cells.extend(wl.by_pillar.iter().map(|p| pct(&p.completion)));
        cells.extend(wl.by_step.iter().map(|s| pct(&s.completion)));
        rows.push(row(cells));
        let mut cells = vec![
            Cell::Blank,
            text(t("TOÀN PHƯỜNG", "WHOLE WARD")),
            text(format!("{} {}", r.counts.groups, t("tổ", "groups"))),
            Cell::Blank,
            Cell::Int(r.counts.households),
            Cell::Int(r.completion.done as u64),
            Cell::Int(r.completion.applicable as u64),
            pct(&r.completion),
            prev.map(|p| pct(&p.completion)).unwrap_or(Cell::Blank),
            delta(&r.completion, prev.map(|p| &p.completion)),
            Cell::Int(r.overdue_count() as u64),
        ];
        cells.extend(r.by_pillar.iter().map(|p| pct(&p.completion)));
        cells.extend(r.by_step.iter().map(|s| pct(&s.completion)));
        rows.push(strong(cells));
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
        ws.set_freeze_panes(head + 1, 3)?;
    }

    // ---- Sections I–VIII ---------------------------------------------------------------
    // One table per sheet, so that the heading row printed on every page is the heading
    // of the table on that page (Excel repeats one range of rows per sheet). Section II's
    // votes and section VIII's meetings get sheets of their own after their section.
    for s in &r.sections {
        let item_cols = vec![
            col(t("STT", "No."), 5.0),
            col(t("Mã", "Code"), 8.0),
            col(t("Nội dung", "Item"), 42.0),
            col(t("Căn cứ", "Legal basis"), 22.0),
            col(t("Định kỳ", "Recurs"), 11.0),
            col(t("Phạm vi", "Scope"), 9.0),
            col(t("Phải thực hiện (lượt)", "Expected (times)"), 10.0),
            col(t("Hoàn thành", "Complete"), 10.0),
            col(t("Đang làm", "Started"), 9.0),
            col(t("Chưa làm", "Not started"), 9.0),
            col(t("Không áp dụng", "N/A"), 9.0),
            col(t("Tỷ lệ bước", "Steps done"), 9.0),
            col(t("Quá hạn", "Overdue"), 8.0),
            col(t("Chưa hoàn thành", "Not complete"), 40.0),
        ];
        let heading = format!("{}. {}", s.number, s.title.to_uppercase());
        let facts = facts_line(s);
        let page = Page {
            fm: &fm,
            as_of: &as_of,
            footer: &footer,
            en,
        };
        let empty_items = t(
            "Bộ mục của phường không có nội dung thuộc phần này.",
            "The ward's checklist has no item in this section.",
        );
        match s.key.as_str() {
            "ban-quyet-dinh" => {
                page.sheet(
                    &mut wb,
                    &section_sheet(s, en),
                    &heading,
                    Some(&facts),
                    Some(t("Các nội dung bàn và quyết định", "Items")),
                    &item_cols,
                    &item_rows(&s.items, en),
                    Some(empty_items),
                    None,
                )?;
                let cols = [
                    col(t("STT", "No."), 5.0),
                    col(t("Mã", "Code"), 8.0),
                    col(t("Nội dung biểu quyết", "Matter decided"), 42.0),
                    col(t("Tổ dân phố", "Group"), 22.0),
                    col(t("Ngày họp / phát phiếu", "Date"), 11.0),
                    col(t("Hình thức", "Form"), 9.0),
                    col(t("Tổng số hộ (tổ)", "All house-holds (groups)"), 10.0),
                    col(t("Số hộ dự / phiếu thu về", "Present / ballots"), 10.0),
                    col(t("Tỷ lệ dự", "Atten-dance"), 9.0),
                    col(t("Số đồng ý", "Agree"), 9.0),
                    col(t("Đồng ý / tổng số", "Agree / all"), 9.0),
                    col(t("Tối thiểu để đạt", "Needed to pass"), 9.0),
                    col(t("Đạt?", "Passed?"), 8.0),
                    col(
                        t("Kết quả, ngưỡng (Điều 21)", "Result, threshold (Art. 21)"),
                        40.0,
                    ),
                    col(t("Biên bản", "Minutes"), 10.0),
                ];
                let rows: Vec<Row> = r
                    .votes
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let vd = &v.verdict;
                        row(vec![
                            Cell::Int(i as u64 + 1),
                            text(&v.item),
                            text(&v.title),
                            text(&v.group),
                            Cell::Date(v.meeting_date),
                            text(form_name(v.form, en)),
                            Cell::Int(vd.total as u64),
                            Cell::Int(v.present as u64),
                            ratio(v.present, vd.total),
                            Cell::Int(vd.agree as u64),
                            ratio(vd.agree, vd.total),
                            Cell::Int(vd.needed as u64),
                            text(match (vd.passes, en) {
                                (true, false) => "Đạt",
                                (false, false) => "Không đạt",
                                (true, true) => "Passed",
                                (false, true) => "Failed",
                            }),
                            text(if en { vd.summary_en() } else { vd.summary_vi() }),
                            text(&v.minutes),
                        ])
                    })
                    .collect();
                page.sheet(
                    &mut wb,
                    &format!("{}. {}", s.number, t("Biểu quyết", "Votes")),
                    &format!(
                        "{heading} — {}",
                        t("CÁC CUỘC BIỂU QUYẾT", "VOTES")
                    ),
                    Some(&facts),
                    Some(t(
                        "Các cuộc biểu quyết trong kỳ (ngưỡng tính trên tổng số hộ của tổ, Điều 21 Luật 10/2022/QH15)",
                        "Votes in the period (thresholds count all households of the group, Art. 21)",
                    )),
                    &cols,
                    &rows,
                    Some(t("Chưa ghi cuộc biểu quyết nào.", "No vote recorded.")),
                    super::more(rows.len(), r.votes_count() as usize, en),
                )?;
            }
            "hop-to-dan-pho" => {
                let cols = [
                    col(t("STT", "No."), 5.0),
                    col(t("Số cuộc họp", "Meet-ings"), 8.0),
                    col(t("Tổ dân phố", "Group"), 42.0),
                    col(t("Chi bộ", "Branch"), 22.0),
                    col(t("Họp gần nhất", "Last meeting"), 11.0),
                    col(t("Số hộ", "House-holds"), 9.0),
                    col(t("Hội nghị cuối năm", "Year-end meeting"), 10.0),
                    col(t("Số hộ dự (có biểu quyết)", "Present (votes)"), 10.0),
                    col(t("Tỷ lệ hộ dự", "Atten-dance"), 9.0),
                ];
                let rows: Vec<Row> = r
                    .meeting_groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| {
                        row(vec![
                            Cell::Int(i as u64 + 1),
                            Cell::Int(g.meetings as u64),
                            text(&g.group),
                            text(&g.branch),
                            Cell::Date(g.last_date),
                            Cell::Int(g.households as u64),
                            text(
                                g.annual_meeting
                                    .map(|s| if en { s.name_en() } else { s.name_vi() })
                                    .unwrap_or(""),
                            ),
                            Cell::Int(g.present),
                            Cell::Pct(
                                (g.counted_households > 0)
                                    .then(|| g.present as f64 / g.counted_households as f64),
                            ),
                        ])
                    })
                    .collect();
                page.sheet(
                    &mut wb,
                    &section_sheet(s, en),
                    &heading,
                    Some(&facts),
                    Some(t("Họp tổ dân phố theo từng tổ", "Meetings per group")),
                    &cols,
                    &rows,
                    Some(t("Chưa có tổ dân phố nào.", "No group yet.")),
                    None,
                )?;
                let cols = [
                    col(t("STT", "No."), 5.0),
                    col(t("Mã", "Code"), 8.0),
                    col(t("Nội dung", "Matter"), 42.0),
                    col(t("Tổ dân phố", "Group"), 22.0),
                    col(t("Ngày", "Date"), 11.0),
                    col(t("Hình thức", "Form"), 9.0),
                    col(t("Số hộ dự", "Present"), 10.0),
                    col(t("Tổng số hộ", "House-holds"), 10.0),
                    col(t("Biên bản", "Minutes"), 9.0),
                ];
                let rows: Vec<Row> = r
                    .meetings
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        row(vec![
                            Cell::Int(i as u64 + 1),
                            text(&m.item),
                            text(&m.title),
                            text(&m.group),
                            Cell::Date(Some(m.date)),
                            text(m.form.map(|f| form_name(f, en)).unwrap_or("")),
                            m.present
                                .map(|p| Cell::Int(p as u64))
                                .unwrap_or(Cell::Blank),
                            m.total.map(|p| Cell::Int(p as u64)).unwrap_or(Cell::Blank),
                            text(&m.minutes),
                        ])
                    })
                    .collect();
                page.sheet(
                    &mut wb,
                    &format!("{}. {}", s.number, t("Các cuộc họp", "Meetings")),
                    &format!("{heading} — {}", t("CÁC CUỘC HỌP", "MEETINGS")),
                    None,
                    Some(t(
                        "Các cuộc họp, phát phiếu đã ghi trong kỳ",
                        "Meetings and ballots recorded in the period",
                    )),
                    &cols,
                    &rows,
                    Some(t(
                        "Chưa ghi cuộc họp nào trong kỳ.",
                        "No meeting recorded in the period.",
                    )),
                    None,
                )?;
                if !s.items.is_empty() {
                    page.sheet(
                        &mut wb,
                        &format!("{}. {}", s.number, t("Hội nghị cuối năm", "Year-end")),
                        &format!(
                            "{heading} — {}",
                            t("HỘI NGHỊ ĐỊNH KỲ CUỐI NĂM", "YEAR-END MEETING")
                        ),
                        None,
                        Some(t(
                            "Hội nghị định kỳ cuối năm (Điều 33)",
                            "Year-end community meeting (Art. 33)",
                        )),
                        &item_cols,
                        &item_rows(&s.items, en),
                        None,
                        None,
                    )?;
                }
            }
            _ => {
                page.sheet(
                    &mut wb,
                    &section_sheet(s, en),
                    &heading,
                    Some(&facts),
                    None,
                    &item_cols,
                    &item_rows(&s.items, en),
                    Some(empty_items),
                    None,
                )?;
            }
        }
    }

    // ---- Overdue ------------------------------------------------------------------------
    {
        let ws = new_sheet(&mut wb, t("Quá hạn", "Overdue"))?;
        let cols = [
            col(t("STT", "No."), 5.0),
            col(t("Chi bộ", "Branch"), 20.0),
            col(t("Tổ dân phố", "Group"), 22.0),
            col(t("Mã", "Code"), 8.0),
            col(t("Nội dung", "Item"), 46.0),
            col(t("Kỳ", "Period"), 9.0),
            col(t("Hạn", "Due"), 12.0),
            col(t("Tỷ lệ bước", "Steps done"), 9.0),
            col(t("Ghi chú", "Note"), 22.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t("CÁC VIỆC QUÁ HẠN", "OVERDUE"),
            &as_of,
        )?;
        let carried: &[crate::service::report::OverdueRow] =
            prev.map(|p| p.overdue.as_slice()).unwrap_or(&[]);
        let rows: Vec<Row> = r
            .overdue
            .iter()
            .map(|o| (o, ""))
            .chain(
                carried
                    .iter()
                    .map(|o| (o, t("Tồn từ kỳ trước", "Left from the previous period"))),
            )
            .enumerate()
            .map(|(i, (o, note))| {
                row(vec![
                    Cell::Int(i as u64 + 1),
                    text(&o.branch),
                    text(&o.group),
                    text(&o.item),
                    text(&o.title),
                    text(o.period.to_string()),
                    Cell::Date(Some(o.due)),
                    pct(&o.completion),
                    text(note),
                ])
            })
            .collect();
        let head = at + 1;
        let next = table(ws, &fm, head, &cols, &rows)?;
        if rows.is_empty() {
            put_text(
                ws,
                next,
                2,
                t("Không có việc quá hạn.", "Nothing overdue."),
                &fm.subtitle,
            )?;
        }
        let all = r.overdue_count() as usize
            + prev.map_or(0, |p| (p.overdue_total as usize).max(p.overdue.len()));
        if let Some(m) = super::more(rows.len(), all, en) {
            put_text(ws, next, 2, &m, &fm.subtitle)?;
        }
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
    }

    // ---- The law's deadlines passed and not met (issue 13) -----------------------------
    {
        let cols = [
            col(t("STT", "No."), 5.0),
            col(t("Chi bộ", "Branch"), 16.0),
            col(t("Tổ dân phố", "Group"), 18.0),
            col(t("Mã", "Code"), 9.0),
            col(t("Nội dung", "Item"), 30.0),
            col(t("Việc phải làm", "What was due"), 30.0),
            col(t("Hạn", "Due"), 12.0),
            col(t("Cách tính", "How counted"), 30.0),
            col(t("Căn cứ", "Article"), 28.0),
        ];
        let rows: Vec<Row> = r
            .late_deadlines
            .iter()
            .enumerate()
            .map(|(i, d)| {
                row(vec![
                    Cell::Int(i as u64 + 1),
                    text(&d.branch),
                    text(&d.group),
                    text(&d.item),
                    text(&d.title),
                    text(&d.what),
                    Cell::Date(Some(d.due)),
                    text(&d.rule),
                    text(&d.article),
                ])
            })
            .collect();
        let page = Page {
            fm: &fm,
            as_of: &as_of,
            footer: &footer,
            en,
        };
        page.sheet(
            &mut wb,
            t("Hạn luật định", "Law deadlines"),
            t(
                "HẠN LUẬT ĐỊNH ĐÃ QUA, CHƯA GHI NHẬN THỰC HIỆN",
                "LAW DEADLINES PASSED, NOT RECORDED DONE",
            ),
            None,
            None,
            &cols,
            &rows,
            Some(t(
                "Không có hạn luật định nào đã qua mà chưa thực hiện.",
                "No law deadline passed without being met.",
            )),
            super::more(rows.len(), r.late_deadlines_total as usize, en),
        )?;
    }

    // ---- Trend -------------------------------------------------------------------------
    {
        let name = super::sheet::sheet_name(t("Xu hướng", "Trend"));
        let ws = new_sheet(&mut wb, &name)?;
        let mut cols = vec![col(t("Đơn vị", "Unit"), 30.0)];
        for p in &r.trend {
            cols.push(col(&p.label, 13.0));
        }
        let at = title(
            ws,
            &fm,
            0,
            cols.len().max(4) as u16,
            t("TỶ LỆ HOÀN THÀNH THEO QUÝ", "COMPLETION QUARTER BY QUARTER"),
            &format!(
                "{} {}",
                t(
                    "Mỗi quý: tỷ lệ hoàn thành các việc của quý đó, theo số liệu đã ghi đến",
                    "Each quarter: completion of that quarter's duties, as recorded by",
                ),
                format_vi(r.today)
            ),
        )?;
        let mut rows = vec![strong(
            std::iter::once(text(t("TOÀN PHƯỜNG", "WHOLE WARD")))
                .chain(r.trend.iter().map(|p| pct(&p.completion)))
                .collect(),
        )];
        for b in &r.branches {
            rows.push(row(std::iter::once(text(&b.name))
                .chain(r.trend.iter().map(|p| {
                    p.branches
                        .iter()
                        .find(|x| x.name == b.name)
                        .map(|x| pct(&x.completion))
                        .unwrap_or(Cell::Blank)
                }))
                .collect()));
        }
        let head = at + 1;
        let next = table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        if !r.trend.is_empty() {
            let mut chart = Chart::new(ChartType::Column);
            let last = r.trend.len() as u16;
            chart
                .add_series()
                .set_name(t("Toàn phường", "Whole ward"))
                .set_categories((name.as_str(), head, 1, head, last))
                .set_values((name.as_str(), head + 1, 1, head + 1, last));
            chart.title().set_name(t(
                "Tỷ lệ hoàn thành toàn phường theo quý",
                "Ward completion by quarter",
            ));
            chart
                .y_axis()
                .set_num_format("0%")
                .set_min(0.0)
                .set_max(1.0);
            chart.legend().set_hidden();
            chart.set_width(560).set_height(300);
            ws.insert_chart(next + 1, 0, &chart)?;
        }
        print_setup(ws, true, Some(head), &footer, !en)?;
    }

    wb.save_to_buffer()
}

/// The items of a section with how many groups did each.
fn item_rows(items: &[ItemRow], en: bool) -> Vec<Row> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            row(vec![
                Cell::Int(i as u64 + 1),
                text(&it.code),
                text(&it.title),
                text(&it.citation),
                text(if en {
                    it.recurrence.name_en()
                } else {
                    it.recurrence.name_vi()
                }),
                text(match (it.scope, en) {
                    (Scope::Group, false) => "từng tổ",
                    (Scope::Ward, false) => "cấp phường",
                    (Scope::Group, true) => "each group",
                    (Scope::Ward, true) => "ward",
                }),
                Cell::Int(it.expected as u64),
                Cell::Int(it.complete as u64),
                Cell::Int(it.in_progress as u64),
                Cell::Int(it.not_started as u64),
                Cell::Int(it.not_applicable as u64),
                pct(&it.completion),
                Cell::Int(it.overdue as u64),
                text(
                    // "; " between names: a group's name may hold a comma.
                    match super::more(it.pending.len(), it.pending_total as usize, en) {
                        Some(m) => format!("{} {m}", it.pending.join("; ")),
                        None => it.pending.join("; "),
                    },
                ),
            ])
        })
        .collect()
}

/// What every table sheet shares: formats, the "as of" line, the footer, the language.
struct Page<'a> {
    fm: &'a Formats,
    as_of: &'a str,
    footer: &'a str,
    en: bool,
}

impl Page<'_> {
    /// A sheet holding one table: its title and "as of" line, an optional line of
    /// figures and caption, the table, a line when it is empty or cut by `--limit`;
    /// printed A4 landscape, one page wide, the table's heading row on every page.
    #[allow(clippy::too_many_arguments)]
    fn sheet(
        &self,
        wb: &mut Workbook,
        name: &str,
        heading: &str,
        facts: Option<&str>,
        caption: Option<&str>,
        cols: &[Col],
        rows: &[Row],
        empty: Option<&str>,
        more: Option<String>,
    ) -> Result<(), XlsxError> {
        let fm = self.fm;
        let ws = new_sheet(wb, name)?;
        let mut at = title(ws, fm, 0, cols.len() as u16, heading, self.as_of)?;
        if let Some(f) = facts {
            put_text(ws, at, 0, f, &fm.subtitle)?;
            at += 1;
        }
        if let Some(c) = caption {
            put_text(ws, at, 0, c, &fm.heading)?;
            at += 1;
        }
        let head = at;
        let mut next = table(ws, fm, head, cols, rows)?;
        if rows.is_empty()
            && let Some(e) = empty
        {
            put_text(ws, next, 2, e, &fm.subtitle)?;
            next += 1;
        }
        if let Some(m) = more {
            put_text(ws, next, 1, &m, &fm.subtitle)?;
        }
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), self.footer, !self.en)
    }
}

/// The signature block at the foot of the summary sheet: on the left the one who drew
/// up the table, on the right place and date, the signer's body, title and name (dotted
/// lines where the ward's settings leave them empty, to fill in by hand).
fn signature(
    ws: &mut rust_xlsxwriter::Worksheet,
    fm: &Formats,
    at: u32,
    s: &DocSettings,
    date: Date,
    en: bool,
) -> Result<(), XlsxError> {
    let dots = "……………………";
    let or_dots = |v: &str| {
        if v.trim().is_empty() {
            dots.to_string()
        } else {
            v.trim().to_string()
        }
    };
    let place = if en {
        format!("{}, {}", or_dots(&s.place), format_vi(date))
    } else {
        crate::export::docx::place_and_date(&s.place, date)
    };
    let right = [
        (place, &fm.sign_date),
        (or_dots(&s.signer_for).to_uppercase(), &fm.sign_bold),
        (or_dots(&s.signer_title).to_uppercase(), &fm.sign_bold),
        (String::new(), &fm.sign),
        (String::new(), &fm.sign),
        (String::new(), &fm.sign),
        (or_dots(&s.signer_name), &fm.sign_bold),
    ];
    let left = [
        String::new(),
        if en {
            "DRAWN UP BY"
        } else {
            "NGƯỜI LẬP BIỂU"
        }
        .to_string(),
        if en {
            "(signature, full name)"
        } else {
            "(Ký, ghi rõ họ tên)"
        }
        .to_string(),
    ];
    for (i, (text, f)) in right.iter().enumerate() {
        let r = at + i as u32;
        ws.merge_range(r, 1, r, 5, text, f)?;
        if let Some(l) = left.get(i) {
            let lf = if i == 1 { &fm.sign_bold } else { &fm.sign_date };
            put_text(ws, r, 0, l, lf)?;
        }
    }
    Ok(())
}
