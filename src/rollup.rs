//! District roll-up: several wards' files merged into one summary, per ward and per
//! branch, with district totals per pillar and per report section.
//!
//! Each input is either a ward's export document (`qcdc export`, `qcdc backup`: the
//! report is computed here for the period asked, so every ward is counted the same way)
//! or a report document (`qcdc report --format json`: used as the ward computed it). All
//! must be for the same period. The result's JSON shape is in docs/rollup-json.md.

use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::period::Period;
use crate::export::sheet::{
    Cell, Row, col, new_sheet, print_setup, ratio, row, strong, table, text, title, widths,
};
use crate::i18n::Lang;
use crate::service::engine::{self, Source};
use crate::service::report::{Pct, PillarRow, Report};
use crate::service::sections;
use crate::transfer::{ExportDoc, Problem};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "qcdc-rollup";
pub const VERSION: u32 = 1;

/// One input file, read.
pub enum Input {
    Export(Box<ExportDoc>),
    Report(Box<Report>),
}

/// Tell an export document from a report and read it; a damaged export is refused.
pub fn read_input(bytes: &[u8]) -> Result<Input, Problem> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            "JSON",
            format!("not a JSON document ({e})"),
            format!("không phải tài liệu JSON ({e})"),
        )
    })?;
    if v.get("format").and_then(|f| f.as_str()) == Some(crate::transfer::FORMAT) {
        let doc = ExportDoc::from_json(bytes)?;
        let problems = crate::transfer::validate(&doc);
        if let Some(p) = problems.into_iter().next() {
            return Err(p);
        }
        return Ok(Input::Export(Box::new(doc)));
    }
    if v.get("schema").is_some() && v.get("period").is_some() && v.get("branches").is_some() {
        let r: Report = serde_json::from_value(v).map_err(|e| {
            Problem::new(
                "JSON",
                format!("a report of an unknown shape ({e})"),
                format!("báo cáo không đúng cấu trúc ({e})"),
            )
        })?;
        return Ok(Input::Report(Box::new(r)));
    }
    Err(Problem::new(
        "format",
        "neither a qcdc export nor a qcdc JSON report",
        "không phải tệp xuất hay báo cáo JSON của qcdc",
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WardRow {
    pub ward: String,
    /// The file it came from.
    pub source: String,
    pub branches: u32,
    pub groups: u32,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub by_pillar: Vec<PillarRow>,
    /// Completion per report section I–VIII, in order.
    pub sections: Vec<Pct>,
    pub overdue: u32,
    pub votes: u32,
    pub votes_failed: u32,
    /// Groups that held at least one meeting in the period.
    pub groups_met: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchRow {
    pub ward: String,
    pub branch: String,
    pub groups: u32,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionTotal {
    pub number: String,
    pub key: String,
    pub title: String,
    pub completion: Pct,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// Always "qcdc-rollup".
    pub format: String,
    pub version: u32,
    pub period: Period,
    pub period_label: String,
    pub today: Date,
    pub wards: Vec<WardRow>,
    pub branches: Vec<BranchRow>,
    /// The district: every ward's steps done over steps that apply.
    pub total: Pct,
    pub previous: Option<Pct>,
    pub by_pillar: Vec<PillarRow>,
    pub sections: Vec<SectionTotal>,
    pub households: u64,
    pub groups: u32,
}

/// Pick the period: the one asked, else the reports' own, else the wards' working
/// period when they agree.
pub fn choose_period(
    inputs: &[(String, Input)],
    asked: Option<Period>,
    today: Date,
) -> Result<Period, Problem> {
    let mut report_periods: Vec<(String, Period)> = Vec::new();
    let mut export_periods: Vec<Period> = Vec::new();
    for (file, i) in inputs {
        match i {
            Input::Report(r) => report_periods.push((file.clone(), r.period)),
            Input::Export(d) => export_periods.push(
                d.ward
                    .current_period
                    .unwrap_or_else(|| Period::quarter_of(today)),
            ),
        }
    }
    let period = match asked {
        Some(p) => p,
        None => match report_periods.first() {
            Some((_, p)) => *p,
            None => {
                let first = export_periods[0];
                if export_periods.iter().any(|p| *p != first) {
                    return Err(Problem::new(
                        "--period",
                        "the wards work on different periods: name one with --period",
                        "các phường đang ở các kỳ khác nhau: hãy ghi --period",
                    ));
                }
                first
            }
        },
    };
    if let Some((file, p)) = report_periods.iter().find(|(_, p)| *p != period) {
        return Err(Problem::new(
            file.clone(),
            format!("this report is for {p}, the roll-up for {period}"),
            format!("báo cáo này của kỳ {p}, bảng tổng hợp là kỳ {period}"),
        ));
    }
    Ok(period)
}

fn sum(pcts: impl Iterator<Item = Completion>) -> Pct {
    pcts.sum::<Completion>().into()
}

/// Merge the wards.
pub fn rollup(
    inputs: &[(String, Input)],
    period: Period,
    today: Date,
    lang: Lang,
) -> Result<Rollup, Problem> {
    let en = lang.is_en();
    let mut reports: Vec<(String, Report)> = Vec::new();
    for (file, i) in inputs {
        let r = match i {
            Input::Report(r) => (**r).clone(),
            Input::Export(d) => {
                let template = crate::domain::template::Template {
                    items: d.items.clone(),
                };
                let src = Source {
                    ward: &d.ward,
                    branches: &d.branches,
                    groups: &d.groups,
                    template: &template,
                    today,
                    en,
                };
                let read = engine::read_from_list(&d.entries);
                match engine::build(&src, period, &engine::ReportOptions::default(), &read) {
                    Ok(r) => r,
                    Err(never) => match never {},
                }
            }
        };
        if let Some((other, _)) = reports.iter().find(|(_, x)| x.ward == r.ward) {
            return Err(Problem::new(
                file.clone(),
                format!("ward {:?} is also in {other}", r.ward),
                format!("phường {:?} đã có trong {other}", r.ward),
            ));
        }
        reports.push((file.clone(), r));
    }
    let mut wards = Vec::new();
    let mut branches = Vec::new();
    for (file, r) in &reports {
        let households: u64 = if r.counts.households > 0 {
            r.counts.households
        } else {
            r.branches
                .iter()
                .flat_map(|b| &b.groups)
                .map(|g| g.households as u64)
                .sum()
        };
        let groups: u32 = r.branches.iter().map(|b| b.groups.len() as u32).sum();
        wards.push(WardRow {
            ward: r.ward.clone(),
            source: file.clone(),
            branches: r.branches.len() as u32,
            groups,
            households,
            completion: r.completion.clone(),
            previous: r.previous.as_ref().map(|p| p.completion.clone()),
            by_pillar: r.by_pillar.clone(),
            sections: r.sections.iter().map(|s| s.completion.clone()).collect(),
            overdue: r.overdue_count(),
            votes: r.votes_count(),
            votes_failed: r.votes_failed_count(),
            groups_met: r.meeting_groups.iter().filter(|g| g.meetings > 0).count() as u32,
        });
        for b in &r.branches {
            branches.push(BranchRow {
                ward: r.ward.clone(),
                branch: b.name.clone(),
                groups: b.groups.len() as u32,
                households: b.groups.iter().map(|g| g.households as u64).sum(),
                completion: b.completion.clone(),
                previous: r.previous.as_ref().and_then(|p| {
                    p.branches
                        .iter()
                        .find(|(n, _)| *n == b.name)
                        .map(|(_, c)| c.clone())
                }),
                overdue: b.groups.iter().map(|g| g.overdue).sum(),
            });
        }
    }
    let by_pillar = crate::domain::Pillar::ALL
        .iter()
        .map(|p| PillarRow {
            pillar: *p,
            name: if en { p.name_en() } else { p.name_vi() }.to_string(),
            completion: sum(reports.iter().filter_map(|(_, r)| {
                r.by_pillar
                    .iter()
                    .find(|x| x.pillar == *p)
                    .map(|x| x.completion.completion())
            })),
        })
        .collect();
    let section_totals = sections::SectionKey::ALL
        .iter()
        .map(|k| SectionTotal {
            number: k.number().into(),
            key: k.key().into(),
            title: k.title(en).into(),
            completion: sum(reports.iter().filter_map(|(_, r)| {
                r.sections
                    .iter()
                    .find(|s| s.key == k.key())
                    .map(|s| s.completion.completion())
            })),
        })
        .collect();
    let previous = reports.iter().all(|(_, r)| r.previous.is_some()).then(|| {
        sum(reports
            .iter()
            .filter_map(|(_, r)| r.previous.as_ref().map(|p| p.completion.completion())))
    });
    Ok(Rollup {
        format: FORMAT.into(),
        version: VERSION,
        period,
        period_label: if en {
            period.label_en()
        } else {
            period.label_vi()
        },
        today,
        total: sum(reports.iter().map(|(_, r)| r.completion.completion())),
        previous,
        households: wards.iter().map(|w| w.households).sum(),
        groups: wards.iter().map(|w| w.groups).sum(),
        wards,
        branches,
        by_pillar,
        sections: section_totals,
    })
}

fn pct_s(p: &Pct) -> String {
    p.percent
        .map(|x| format!("{x:.1}%"))
        .unwrap_or_else(|| "–".into())
}

fn change(now: &Pct, before: Option<&Pct>) -> String {
    match (now.percent, before.and_then(|b| b.percent)) {
        (Some(a), Some(b)) => format!("{:+.1}", a - b),
        _ => String::new(),
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn rollup_md(r: &Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let mut o = format!(
        "# {} — {}\n\n{}: **{}** ({} {}, {} {}, {} {})",
        t(
            "Tổng hợp thực hiện dân chủ ở cơ sở",
            "Grassroots democracy roll-up"
        ),
        r.period_label,
        t("Hoàn thành chung", "Overall completion"),
        pct_s(&r.total),
        r.wards.len(),
        t("phường", "wards"),
        r.groups,
        t("tổ dân phố", "groups"),
        r.households,
        t("hộ", "households")
    );
    if let Some(p) = &r.previous {
        o.push_str(&format!(
            "; {} {} ({} {})",
            t("kỳ trước", "previous period"),
            pct_s(p),
            change(&r.total, Some(p)),
            t("điểm %", "points")
        ));
    }
    o.push_str(&format!(
        "\n\n## {}\n\n| {} | {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---:|---:|---:|---:|\n",
        t("Theo phường", "By ward"),
        t("Phường", "Ward"),
        t("Số tổ", "Groups"),
        t("Số hộ", "Households"),
        t("Hoàn thành", "Completion"),
        t("Tăng/giảm", "Change"),
        t("Quá hạn", "Overdue"),
        t("Biểu quyết không đạt", "Failed votes")
    ));
    for w in &r.wards {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}/{} |\n",
            md(&w.ward),
            w.groups,
            w.households,
            pct_s(&w.completion),
            change(&w.completion, w.previous.as_ref()),
            w.overdue,
            w.votes_failed,
            w.votes
        ));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n|---|---:|\n",
        t("Theo trụ cột", "By pillar"),
        t("Trụ cột", "Pillar"),
        t("Hoàn thành", "Completion")
    ));
    for p in &r.by_pillar {
        o.push_str(&format!("| {} | {} |\n", p.name, pct_s(&p.completion)));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n|---|---:|\n",
        t("Theo phần báo cáo", "By report section"),
        t("Phần", "Section"),
        t("Hoàn thành", "Completion")
    ));
    for s in &r.sections {
        o.push_str(&format!(
            "| {}. {} | {} |\n",
            s.number,
            s.title,
            pct_s(&s.completion)
        ));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---:|\n",
        t("Theo chi bộ", "By branch"),
        t("Phường", "Ward"),
        t("Chi bộ", "Branch"),
        t("Số tổ", "Groups"),
        t("Số hộ", "Households"),
        t("Hoàn thành", "Completion"),
        t("Tăng/giảm", "Change")
    ));
    for b in &r.branches {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md(&b.ward),
            md(&b.branch),
            b.groups,
            b.households,
            pct_s(&b.completion),
            change(&b.completion, b.previous.as_ref())
        ));
    }
    o
}

pub fn rollup_text(r: &Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let mut o = format!(
        "{} · {} · {} {}\n{}: {}\n\n",
        t("Tổng hợp", "Roll-up"),
        r.period_label,
        r.wards.len(),
        t("phường", "wards"),
        t("Hoàn thành chung", "Overall"),
        pct_s(&r.total)
    );
    for w in &r.wards {
        o.push_str(&format!(
            "{:<36} {:>4} {} {:>8} {:>7}\n",
            w.ward,
            w.groups,
            t("tổ", "groups"),
            pct_s(&w.completion),
            change(&w.completion, w.previous.as_ref())
        ));
        for b in r.branches.iter().filter(|b| b.ward == w.ward) {
            o.push_str(&format!(
                "  {:<34} {:>4} {} {:>8} {:>7}\n",
                b.branch,
                b.groups,
                t("tổ", "groups"),
                pct_s(&b.completion),
                change(&b.completion, b.previous.as_ref())
            ));
        }
    }
    o
}

pub fn rollup_xlsx(r: &Rollup, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let fm = crate::export::sheet::Formats::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sub = format!(
        "{} · {} {}, {} {}, {} {}",
        r.period_label,
        r.wards.len(),
        t("phường", "wards"),
        r.groups,
        t("tổ dân phố", "groups"),
        r.households,
        t("hộ", "households")
    );
    let footer = format!("{} — {}", t("Tổng hợp", "Roll-up"), r.period_label);
    let pct = |p: &Pct| ratio(p.done, p.applicable);
    let points = |now: &Pct, before: Option<&Pct>| {
        Cell::Points(match (now.percent, before.and_then(|b| b.percent)) {
            (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
            _ => None,
        })
    };
    {
        let ws = new_sheet(&mut wb, t("Theo phường", "By ward"))?;
        let mut cols = vec![
            col(t("STT", "No."), 5.0),
            col(t("Phường", "Ward"), 28.0),
            col(t("Số chi bộ", "Branches"), 8.0),
            col(t("Số tổ", "Groups"), 8.0),
            col(t("Số hộ", "Households"), 10.0),
            col(t("Đã xong", "Done"), 9.0),
            col(t("Phải làm", "Applicable"), 9.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
        ];
        for p in &r.by_pillar {
            cols.push(col(
                if en {
                    p.pillar.short_en()
                } else {
                    p.pillar.short_vi()
                },
                10.0,
            ));
        }
        for s in &r.sections {
            cols.push(col(s.number.clone(), 7.0));
        }
        cols.push(col(t("Quá hạn", "Overdue"), 8.0));
        cols.push(col(t("Biểu quyết", "Votes"), 9.0));
        cols.push(col(t("Không đạt", "Failed"), 9.0));
        cols.push(col(t("Tổ đã họp", "Groups met"), 9.0));
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "TỔNG HỢP KẾT QUẢ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ THEO PHƯỜNG",
                "GRASSROOTS DEMOCRACY ROLL-UP BY WARD",
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .wards
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut cells = vec![
                    Cell::Int(i as u64 + 1),
                    text(&w.ward),
                    Cell::Int(w.branches as u64),
                    Cell::Int(w.groups as u64),
                    Cell::Int(w.households),
                    Cell::Int(w.completion.done as u64),
                    Cell::Int(w.completion.applicable as u64),
                    pct(&w.completion),
                    w.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&w.completion, w.previous.as_ref()),
                ];
                cells.extend(w.by_pillar.iter().map(|p| pct(&p.completion)));
                cells.extend(
                    (0..r.sections.len())
                        .map(|i| w.sections.get(i).map(pct).unwrap_or(Cell::Blank)),
                );
                cells.extend([
                    Cell::Int(w.overdue as u64),
                    Cell::Int(w.votes as u64),
                    Cell::Int(w.votes_failed as u64),
                    Cell::Int(w.groups_met as u64),
                ]);
                row(cells)
            })
            .collect();
        let mut cells = vec![
            Cell::Blank,
            text(t("TOÀN QUẬN", "DISTRICT")),
            Cell::Int(r.wards.iter().map(|w| w.branches as u64).sum()),
            Cell::Int(r.groups as u64),
            Cell::Int(r.households),
            Cell::Int(r.total.done as u64),
            Cell::Int(r.total.applicable as u64),
            pct(&r.total),
            r.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
            points(&r.total, r.previous.as_ref()),
        ];
        cells.extend(r.by_pillar.iter().map(|p| pct(&p.completion)));
        cells.extend(r.sections.iter().map(|s| pct(&s.completion)));
        cells.extend([
            Cell::Int(r.wards.iter().map(|w| w.overdue as u64).sum()),
            Cell::Int(r.wards.iter().map(|w| w.votes as u64).sum()),
            Cell::Int(r.wards.iter().map(|w| w.votes_failed as u64).sum()),
            Cell::Int(r.wards.iter().map(|w| w.groups_met as u64).sum()),
        ]);
        rows.push(strong(cells));
        let head = at + 1;
        let next = table(ws, &fm, head, &cols, &rows)?;
        // What the section numbers stand for.
        for (at, s) in (next + 1..).zip(r.sections.iter()) {
            crate::export::sheet::put_text(
                ws,
                at,
                1,
                &format!("{}. {}", s.number, s.title),
                &fm.subtitle,
            )?;
        }
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
        ws.set_freeze_panes(head + 1, 2)?;
    }
    {
        let ws = new_sheet(&mut wb, t("Theo chi bộ", "By branch"))?;
        let cols = [
            col(t("STT", "No."), 5.0),
            col(t("Phường", "Ward"), 26.0),
            col(t("Chi bộ", "Branch"), 28.0),
            col(t("Số tổ", "Groups"), 8.0),
            col(t("Số hộ", "Households"), 10.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
            col(t("Quá hạn", "Overdue"), 8.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t("TỔNG HỢP THEO CHI BỘ", "ROLL-UP BY BRANCH"),
            &sub,
        )?;
        let rows: Vec<Row> = r
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                row(vec![
                    Cell::Int(i as u64 + 1),
                    text(&b.ward),
                    text(&b.branch),
                    Cell::Int(b.groups as u64),
                    Cell::Int(b.households),
                    pct(&b.completion),
                    b.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&b.completion, b.previous.as_ref()),
                    Cell::Int(b.overdue as u64),
                ])
            })
            .collect();
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, false, Some(head), &footer, !en)?;
    }
    {
        let ws = new_sheet(&mut wb, t("Theo trụ cột", "By pillar"))?;
        let cols = [
            col(t("Nội dung", "Pillar / section"), 52.0),
            col(t("Đã xong", "Done"), 10.0),
            col(t("Phải làm", "Applicable"), 10.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "TỔNG HỢP THEO TRỤ CỘT VÀ PHẦN BÁO CÁO",
                "BY PILLAR AND REPORT SECTION",
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .by_pillar
            .iter()
            .map(|p| {
                row(vec![
                    text(&p.name),
                    Cell::Int(p.completion.done as u64),
                    Cell::Int(p.completion.applicable as u64),
                    pct(&p.completion),
                ])
            })
            .collect();
        rows.extend(r.sections.iter().map(|s| {
            row(vec![
                text(format!("{}. {}", s.number, s.title)),
                Cell::Int(s.completion.done as u64),
                Cell::Int(s.completion.applicable as u64),
                pct(&s.completion),
            ])
        }));
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, false, Some(head), &footer, !en)?;
    }
    wb.save_to_buffer()
}
