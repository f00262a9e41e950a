//! Report and list output for the terminal and for files (text, csv, md).

use crate::i18n::Lang;
use crate::service::report::{Pct, Report};

pub use crate::present::{bar, fit, fit_name, pct};

pub fn report_text(r: &Report, lang: Lang) -> String {
    let t = |vi, en| lang.t(vi, en).to_string();
    let mut o = String::new();
    let nsteps = r.steps.len();
    o.push_str(&format!(
        "{} · {} · {} {}\n",
        r.unit(),
        r.period_label,
        nsteps,
        t("bước", "steps")
    ));
    o.push_str(&format!(
        "{} {}\n\n",
        t("Tính đến ngày", "As of"),
        crate::domain::date::format_vi(r.today)
    ));
    o.push_str(&format!(
        "{} {:>6} {:>7}  {}\n",
        fit(&t("Chi bộ / Tổ dân phố", "Branch / group"), 34),
        t("Số hộ", "Hhds"),
        t("Đạt", "Done"),
        t("Hoàn thành", "Completion")
    ));
    for b in &r.branches {
        o.push_str(&format!(
            "{} {:>6} {:>7}  {}\n",
            fit(&b.name, 34),
            "",
            pct(&b.completion),
            bar(b.completion.completion(), 20)
        ));
        for g in &b.groups {
            let overdue = if g.overdue > 0 {
                format!("  {} {}", g.overdue, t("quá hạn", "overdue"))
            } else {
                String::new()
            };
            o.push_str(&format!(
                "  {} {:>6} {:>7}  {}{}\n",
                fit(&g.name, 32),
                g.households,
                pct(&g.completion),
                bar(g.completion.completion(), 20),
                overdue
            ));
        }
    }
    // A branch's report holds no ward-level items; its total is the branch's.
    if r.branch.is_none() {
        o.push_str(&format!(
            "{} {:>6} {:>7}  {}\n",
            fit(&t("Việc cấp phường", "Ward-level items"), 34),
            "",
            pct(&r.ward_level.completion),
            bar(r.ward_level.completion.completion(), 20)
        ));
    }
    let total = match (&r.branch, lang.is_en()) {
        (None, false) => "TOÀN PHƯỜNG".to_string(),
        (None, true) => "WHOLE WARD".to_string(),
        (Some(_), false) => "TOÀN CHI BỘ".to_string(),
        (Some(_), true) => "WHOLE BRANCH".to_string(),
    };
    o.push_str(&format!(
        "{} {:>6} {:>7}  {}\n",
        fit(&total, 34),
        "",
        pct(&r.completion),
        bar(r.completion.completion(), 20)
    ));
    if let Some(prev) = &r.previous {
        let delta = match (r.completion.percent, prev.completion.percent) {
            (Some(a), Some(b)) => format!(" ({:+.1})", a - b),
            _ => String::new(),
        };
        o.push_str(&format!(
            "{} {}: {}{}\n",
            t("Kỳ trước", "Previous period"),
            if lang.is_en() {
                prev.period.label_en()
            } else {
                prev.period.label_vi()
            },
            pct(&prev.completion).trim(),
            delta
        ));
    }
    o.push_str(&format!("\n{}\n", t("Theo trụ cột", "By pillar")));
    for p in &r.by_pillar {
        o.push_str(&format!(
            "  {} {:>7}  {}\n",
            fit(&p.name, 32),
            pct(&p.completion),
            bar(p.completion.completion(), 20)
        ));
    }
    o.push_str(&format!("\n{}\n", t("Theo bước", "By step")));
    for s in &r.by_step {
        o.push_str(&format!(
            "  {} {:>7}  {}\n",
            fit(&s.name, 32),
            pct(&s.completion),
            bar(s.completion.completion(), 20)
        ));
    }
    let failed: Vec<_> = r.votes.iter().filter(|v| !v.verdict.passes).collect();
    let listed = failed.len();
    o.push_str(&format!(
        "\n{}: {} ({} {})\n",
        t("Biểu quyết", "Votes"),
        r.votes_count(),
        r.votes_failed_count(),
        t("không đạt", "failed")
    ));
    for v in failed {
        let s = if lang.is_en() {
            v.verdict.summary_en()
        } else {
            v.verdict.summary_vi()
        };
        o.push_str(&format!("  {} · {} · {}\n", v.group, v.item, s));
    }
    if let Some(m) = crate::export::more(listed, r.votes_failed_count() as usize, lang.is_en()) {
        o.push_str(&format!("  {m}\n"));
    }
    o.push_str(&format!(
        "\n{}: {}\n",
        t("Quá hạn", "Overdue"),
        r.overdue_count()
    ));
    for od in r.overdue.iter().take(15) {
        o.push_str(&format!(
            "  {} · {} {} · {} {}\n",
            fit(&od.group, 18).trim_end(),
            od.item,
            fit(&od.title, 40).trim_end(),
            t("hạn", "due"),
            crate::domain::date::format_vi(od.due)
        ));
    }
    let shown = r.overdue.len().min(15);
    if r.overdue_count() as usize > shown {
        o.push_str(&format!(
            "  … {} {}\n",
            r.overdue_count() as usize - shown,
            t("mục nữa", "more")
        ));
    }
    // The law's deadlines passed and not met (issue 13).
    if r.late_deadlines_total > 0 {
        o.push_str(&format!(
            "\n{}: {}\n",
            t(
                "Hạn luật định đã qua, chưa ghi nhận thực hiện",
                "Law deadlines passed, not recorded done"
            ),
            r.late_deadlines_total
        ));
        for d in r.late_deadlines.iter().take(15) {
            o.push_str(&format!(
                "  {} · {} · {} · {} {} · {}\n",
                fit(&d.group, 18).trim_end(),
                d.item,
                d.what,
                t("hạn", "due"),
                crate::domain::date::format_vi(d.due),
                d.article
            ));
        }
        let shown = r.late_deadlines.len().min(15);
        if r.late_deadlines_total as usize > shown {
            o.push_str(&format!(
                "  … {} {}\n",
                r.late_deadlines_total as usize - shown,
                t("hạn nữa", "more")
            ));
        }
    }
    o
}

/// How a CSV is written: for programs (RFC 4180: comma, decimal point), or for a
/// spreadsheet on a Vietnamese Windows PC (Excel and LibreOffice under vi-VN split on
/// ';' and read "66,7" as a number, "66.7" as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvStyle {
    #[default]
    Rfc4180,
    ViVn,
}

impl CsvStyle {
    fn number(self, s: String) -> String {
        match self {
            CsvStyle::Rfc4180 => s,
            CsvStyle::ViVn => s.replace('.', ","),
        }
    }
}

fn csv_pct(p: &Pct) -> String {
    p.percent.map(|x| format!("{x:.1}")).unwrap_or_default()
}

/// CSV with a byte-order mark, so Excel shows Vietnamese correctly.
pub fn report_csv(r: &Report, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    report_csv_with(r, lang, CsvStyle::Rfc4180)
}

/// [`report_csv`] in a given style (`--csv vi-vn`: ';' and decimal commas).
pub fn report_csv_with(r: &Report, lang: Lang, style: CsvStyle) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(if style == CsvStyle::ViVn { b';' } else { b',' })
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let csv_pct = |p: &Pct| style.number(csv_pct(p));
    let mut head: Vec<String> = [
        lang.t("Cấp", "Level"),
        lang.t("Chi bộ", "Branch"),
        lang.t("Tổ dân phố", "Group"),
        lang.t("Số hộ", "Households"),
        lang.t("Đã xong", "Done"),
        lang.t("Áp dụng", "Applicable"),
        lang.t("Tỷ lệ (%)", "Percent"),
        lang.t("Quá hạn", "Overdue"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    head.extend(r.by_pillar.iter().map(|p| format!("{} (%)", p.name)));
    head.push(lang.t("Kỳ trước (%)", "Previous (%)").to_string());
    head.push(lang.t("Tăng/giảm (điểm %)", "Change (points)").to_string());
    // Counted figures, one column each (none when nothing was recorded): a branch's
    // value on its row, the ward's own on "cấp phường", the whole ward's on the last.
    head.extend(r.figures.iter().map(|f| {
        crate::domain::text::neutralise_formula(&format!("{} {} ({})", f.code, f.title, f.unit))
    }));
    w.write_record(&head)?;
    let figs = |pick: &dyn Fn(&crate::service::figures::FigureRow) -> Option<u64>| {
        r.figures
            .iter()
            .map(|f| pick(f).map(|v| v.to_string()).unwrap_or_default())
            .collect::<Vec<String>>()
    };
    let none = figs(&|_| None);
    let prev = r.previous.as_ref();
    let change = |now: &Pct, before: Option<&Pct>| -> Vec<String> {
        vec![
            before.map(csv_pct).unwrap_or_default(),
            match (now.percent, before.and_then(|b| b.percent)) {
                (Some(a), Some(b)) => style.number(format!("{:.1}", a - b)),
                _ => String::new(),
            },
        ]
    };
    let row = |level: &str,
               branch: &str,
               group: &str,
               hh: String,
               c: &Pct,
               od: String,
               pillars: Vec<String>| {
        let mut v = vec![
            level.to_string(),
            crate::domain::text::neutralise_formula(branch),
            crate::domain::text::neutralise_formula(group),
            hh,
            c.done.to_string(),
            c.applicable.to_string(),
            csv_pct(c),
            od,
        ];
        v.extend(pillars);
        v
    };
    for b in &r.branches {
        let mut rec = row(
            lang.t("chi bộ", "branch"),
            &b.name,
            "",
            String::new(),
            &b.completion,
            String::new(),
            b.by_pillar
                .iter()
                .map(|p| csv_pct(&p.completion))
                .chain(change(
                    &b.completion,
                    prev.and_then(|p| p.branches.iter().find(|(n, _)| *n == b.name))
                        .map(|(_, c)| c),
                ))
                .collect(),
        );
        rec.extend(figs(&|f| {
            f.branches
                .iter()
                .find(|x| x.name == b.name)
                .and_then(|x| x.value)
        }));
        w.write_record(rec)?;
        for g in &b.groups {
            let mut rec = row(
                lang.t("tổ", "group"),
                &b.name,
                &g.name,
                g.households.to_string(),
                &g.completion,
                g.overdue.to_string(),
                g.by_pillar
                    .iter()
                    .map(|p| csv_pct(&p.completion))
                    .chain(change(
                        &g.completion,
                        prev.and_then(|p| p.groups.iter().find(|x| x.name == g.name))
                            .map(|x| &x.completion),
                    ))
                    .collect(),
            );
            rec.extend(none.iter().cloned());
            w.write_record(rec)?;
        }
    }
    let mut rec = row(
        lang.t("cấp phường", "ward items"),
        "",
        "",
        String::new(),
        &r.ward_level.completion,
        r.ward_level.overdue.to_string(),
        r.ward_level
            .by_pillar
            .iter()
            .map(|p| csv_pct(&p.completion))
            .chain([String::new(), String::new()])
            .collect(),
    );
    rec.extend(figs(&|f| f.ward));
    w.write_record(rec)?;
    let mut rec = row(
        lang.t("toàn phường", "ward"),
        "",
        "",
        r.ward_level.households.to_string(),
        &r.completion,
        r.overdue_count().to_string(),
        r.by_pillar
            .iter()
            .map(|p| csv_pct(&p.completion))
            .chain(change(&r.completion, prev.map(|p| &p.completion)))
            .collect(),
    );
    rec.extend(figs(&|f| f.total));
    w.write_record(rec)?;
    w.into_inner().map_err(|e| e.into_error().into())
}
