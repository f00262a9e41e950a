//! Report writers for files: Excel (`xlsx`), Markdown, and the sections I–VIII and the
//! trend appended to the terminal text. The CSV and the terminal summary live in
//! `cli::output`; JSON is the [`Report`] itself (docs/report-json.md).

pub mod docx;
pub mod figures;
pub mod sheet;
pub mod xlsx;

use crate::domain::date::format_vi;
use crate::i18n::Lang;
use crate::service::report::{Pct, Report};
use crate::service::sections::Section;

fn pct(p: &Pct) -> String {
    match p.percent {
        Some(x) => format!("{x:.1}%"),
        None => "–".into(),
    }
}

fn points(now: &Pct, before: Option<&Pct>) -> String {
    match (now.percent, before.and_then(|b| b.percent)) {
        (Some(a), Some(b)) => format!("{:+.1}", a - b),
        _ => String::new(),
    }
}

/// Pad to `w` display columns (titles are short; longer ones pass unchanged).
fn pad(s: &str, w: usize) -> String {
    let n = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// Markdown text: no line breaks, and every character Markdown would read as markup
/// (emphasis `*` `_`, code `` ` ``, links `[` `]`, HTML `<` `>`, table pipes, the
/// escape itself) backslash-escaped, so that a name prints as typed.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A section's figures, one per line, for text and Markdown.
fn fact_lines(s: &Section) -> Vec<String> {
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
        .collect()
}

/// The whole report in Markdown, in the order a ward's report is read: overall figures,
/// branches and groups, sections I–VIII, overdue, trend.
pub fn report_md(r: &Report, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let prev = r.previous.as_ref();
    let mut o = String::new();
    o.push_str(&format!(
        "# {} — {}\n\n",
        t(
            "Báo cáo kết quả thực hiện dân chủ ở cơ sở",
            "Grassroots democracy: implementation report"
        ),
        md(&r.unit())
    ));
    o.push_str(&format!(
        "{}: **{}** · {} {} · {} {}\n\n",
        t("Kỳ báo cáo", "Period"),
        r.period_label,
        t("tính đến ngày", "as of"),
        format_vi(r.today),
        r.steps.len(),
        t("bước", "steps")
    ));
    let c = &r.counts;
    o.push_str(&format!(
        "{}: {} {}, {} {}, {} {}; {} {}.\n\n",
        t("Quy mô", "Size"),
        c.branches,
        t("chi bộ", "branches"),
        c.groups,
        t("tổ dân phố", "groups"),
        c.households,
        t("hộ", "households"),
        c.items,
        t("nội dung theo dõi", "items tracked")
    ));
    o.push_str(&format!(
        "{}: **{}** ({}/{} {})",
        t("Hoàn thành toàn phường", "Ward completion"),
        pct(&r.completion),
        r.completion.done,
        r.completion.applicable,
        t("bước", "steps")
    ));
    if let Some(p) = prev {
        o.push_str(&format!(
            "; {} {}: {} ({} {})",
            t("kỳ trước", "previous period"),
            if en {
                p.period.label_en()
            } else {
                p.period.label_vi()
            },
            pct(&p.completion),
            points(&r.completion, Some(&p.completion)),
            t("điểm %", "points")
        ));
    }
    o.push_str("\n\n");

    o.push_str(&format!(
        "## {}\n\n| {} | {} | {} | {} |\n|---|---:|---:|---:|\n",
        t("Theo trụ cột", "By pillar"),
        t("Trụ cột", "Pillar"),
        t("Hoàn thành", "Completion"),
        t("Kỳ trước", "Previous"),
        t("Tăng/giảm", "Change")
    ));
    for p in &r.by_pillar {
        let b = prev.and_then(|x| x.by_pillar.iter().find(|q| q.pillar == p.pillar));
        o.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            p.name,
            pct(&p.completion),
            b.map(|b| pct(&b.completion)).unwrap_or_default(),
            points(&p.completion, b.map(|b| &b.completion))
        ));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n|---|---:|\n",
        t("Theo bước", "By step"),
        t("Bước", "Step"),
        t("Hoàn thành", "Completion")
    ));
    for s in &r.by_step {
        o.push_str(&format!("| {} | {} |\n", s.name, pct(&s.completion)));
    }

    o.push_str(&format!(
        "\n## {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---:|\n",
        t("Theo chi bộ và tổ dân phố", "By branch and group"),
        t("Chi bộ", "Branch"),
        t("Tổ dân phố", "Group"),
        t("Số hộ", "Households"),
        t("Hoàn thành", "Completion"),
        t("Tăng/giảm", "Change"),
        t("Quá hạn", "Overdue")
    ));
    for b in &r.branches {
        let before = prev.and_then(|p| p.branches.iter().find(|(n, _)| *n == b.name));
        o.push_str(&format!(
            "| **{}** | | | **{}** | {} | |\n",
            md(&b.name),
            pct(&b.completion),
            points(&b.completion, before.map(|(_, c)| c))
        ));
        for g in &b.groups {
            let before = prev.and_then(|p| p.groups.iter().find(|x| x.name == g.name));
            o.push_str(&format!(
                "| | {} | {} | {} | {} | {} |\n",
                md(&g.name),
                g.households,
                pct(&g.completion),
                points(&g.completion, before.map(|x| &x.completion)),
                g.overdue
            ));
        }
    }
    o.push_str(&format!(
        "| {} | | | {} | | {} |\n",
        t("Việc cấp phường", "Ward-level items"),
        pct(&r.ward_level.completion),
        r.ward_level.overdue
    ));

    for s in &r.sections {
        o.push_str(&format!("\n## {}. {}\n\n", s.number, s.title));
        o.push_str(&format!(
            "{}: **{}**\n\n",
            t("Tỷ lệ bước đã làm", "Steps done"),
            pct(&s.completion)
        ));
        for l in fact_lines(s) {
            o.push_str(&format!("- {}\n", md(&l)));
        }
        if s.key == "ban-quyet-dinh" && !r.votes.is_empty() {
            o.push_str(&format!(
                "\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---|\n",
                t("Tổ dân phố", "Group"),
                t("Nội dung", "Matter"),
                t("Ngày", "Date"),
                t("Ngưỡng", "Threshold"),
                t("Kết quả", "Result")
            ));
            for v in &r.votes {
                o.push_str(&format!(
                    "| {} | {} {} | {} | {} | {} |\n",
                    md(&v.group),
                    v.item,
                    md(&v.title),
                    v.meeting_date.map(format_vi).unwrap_or_default(),
                    if en {
                        v.verdict.rule.describe_en()
                    } else {
                        v.verdict.rule.describe_vi()
                    },
                    md(&if en {
                        v.verdict.summary_en()
                    } else {
                        v.verdict.summary_vi()
                    })
                ));
            }
            if let Some(m) = more(r.votes.len(), r.votes_count() as usize, en) {
                o.push_str(&format!("\n{}\n", md(&m)));
            }
        }
        if s.key == "hop-to-dan-pho" {
            o.push_str(&format!(
                "\n| {} | {} | {} | {} |\n|---|---:|---|---|\n",
                t("Tổ dân phố", "Group"),
                t("Số cuộc họp", "Meetings"),
                t("Họp gần nhất", "Last meeting"),
                t("Hội nghị cuối năm", "Year-end meeting")
            ));
            for g in &r.meeting_groups {
                o.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    md(&g.group),
                    g.meetings,
                    g.last_date.map(format_vi).unwrap_or_default(),
                    g.annual_meeting
                        .map(|s| if en { s.name_en() } else { s.name_vi() })
                        .unwrap_or("")
                ));
            }
            continue;
        }
        if s.items.is_empty() {
            o.push_str(&format!(
                "\n{}\n",
                t(
                    "_Bộ mục của phường không có nội dung thuộc phần này._",
                    "_The ward's checklist has no item in this section._"
                )
            ));
            continue;
        }
        o.push_str(&format!(
            "\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---|\n",
            t("Mã", "Code"),
            t("Nội dung", "Item"),
            t("Hoàn thành", "Complete"),
            t("Tỷ lệ bước", "Steps"),
            t("Quá hạn", "Overdue"),
            t("Chưa hoàn thành", "Not complete")
        ));
        for it in &s.items {
            let total = (it.pending_total as usize).max(it.pending.len());
            let pending = if total > 8 {
                format!(
                    "{} … (+{})",
                    it.pending[..8.min(it.pending.len())].join("; "),
                    total - 8.min(it.pending.len())
                )
            } else {
                it.pending.join("; ")
            };
            o.push_str(&format!(
                "| {} | {} | {}/{} | {} | {} | {} |\n",
                it.code,
                md(&it.title),
                it.complete,
                it.expected,
                pct(&it.completion),
                it.overdue,
                md(&pending)
            ));
        }
    }

    o.push_str(&format!(
        "\n## {} ({})\n\n",
        t("Quá hạn", "Overdue"),
        r.overdue_count()
    ));
    for od in &r.overdue {
        o.push_str(&format!(
            "- {} · {} {} ({} {})\n",
            md(&od.group),
            od.item,
            md(&od.title),
            t("hạn", "due"),
            format_vi(od.due)
        ));
    }
    if let Some(m) = more(r.overdue.len(), r.overdue_count() as usize, en) {
        o.push_str(&format!("- {}\n", md(&m)));
    }
    // The law's deadlines passed and not met (issue 13).
    if r.late_deadlines_total > 0 {
        o.push_str(&format!(
            "\n{} ({}):\n\n",
            t(
                "Hạn luật định đã qua, chưa ghi nhận thực hiện",
                "Law deadlines passed, not recorded done"
            ),
            r.late_deadlines_total
        ));
        for d in &r.late_deadlines {
            o.push_str(&format!(
                "- {} · {} {}: {} {} ({}; {})\n",
                md(&d.group),
                d.item,
                md(&d.title),
                md(&d.what),
                format_vi(d.due),
                md(&d.rule),
                md(&d.article)
            ));
        }
        if let Some(m) = more(r.late_deadlines.len(), r.late_deadlines_total as usize, en) {
            o.push_str(&format!("- {}\n", md(&m)));
        }
    }
    if let Some(p) = prev
        && !p.overdue.is_empty()
    {
        let total = (p.overdue_total as usize).max(p.overdue.len());
        o.push_str(&format!(
            "\n{} ({}):\n\n",
            t("Tồn từ kỳ trước", "Left from the previous period"),
            total
        ));
        for od in &p.overdue {
            o.push_str(&format!(
                "- {} · {} {} ({} {})\n",
                md(&od.group),
                od.item,
                md(&od.title),
                t("hạn", "due"),
                format_vi(od.due)
            ));
        }
        if let Some(m) = more(p.overdue.len(), total, en) {
            o.push_str(&format!("- {}\n", md(&m)));
        }
    }
    if !r.trend.is_empty() {
        o.push_str(&format!(
            "\n## {}\n\n| {} |",
            t("Xu hướng theo quý", "Trend by quarter"),
            t("Đơn vị", "Unit")
        ));
        for p in &r.trend {
            o.push_str(&format!(" {} |", p.label));
        }
        o.push_str("\n|---|");
        o.push_str(&"---:|".repeat(r.trend.len()));
        o.push_str(&format!("\n| **{}** |", t("Toàn phường", "Whole ward")));
        for p in &r.trend {
            o.push_str(&format!(" **{}** |", pct(&p.completion)));
        }
        for b in &r.branches {
            o.push_str(&format!("\n| {} |", md(&b.name)));
            for p in &r.trend {
                let c = p
                    .branches
                    .iter()
                    .find(|x| x.name == b.name)
                    .map(|x| pct(&x.completion))
                    .unwrap_or_default();
                o.push_str(&format!(" {c} |"));
            }
        }
        o.push('\n');
    }
    o
}

/// Sections I–VIII and the trend, appended to the terminal summary.
/// "… và 5.300 dòng khác" when a list holds fewer rows than it counts, with how to get
/// them all.
pub fn more(listed: usize, total: usize, en: bool) -> Option<String> {
    (total > listed).then(|| {
        if en {
            format!(
                "… and {} more (`qcdc report --limit 0` lists them all)",
                total - listed
            )
        } else {
            format!(
                "… và {} dòng khác (`qcdc report --limit 0` để ghi tất cả)",
                total - listed
            )
        }
    })
}

pub fn report_text_tail(r: &Report, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let mut o = String::new();
    if !r.sections.is_empty() {
        o.push_str(&format!("\n{}\n", t("Các phần báo cáo", "Sections")));
    }
    for s in &r.sections {
        o.push_str(&format!(
            "{:<5} {} {}\n",
            format!("{}.", s.number),
            pad(&s.title, 50),
            pct(&s.completion)
        ));
        for l in fact_lines(s) {
            o.push_str(&format!("      {l}\n"));
        }
    }
    if !r.trend.is_empty() {
        o.push_str(&format!(
            "\n{}:",
            t("Xu hướng theo quý", "Trend by quarter")
        ));
        for p in &r.trend {
            o.push_str(&format!(" {} {}", p.period, pct(&p.completion)));
            if p.period != r.trend.last().map(|x| x.period).unwrap_or(p.period) {
                o.push_str(" ·");
            }
        }
        o.push('\n');
    }
    o
}

/// The ward's written sections (`qcdc narrative`) in Markdown, after the figures; empty
/// when nothing is written.
pub fn narrative_md(n: &crate::domain::narrative::Narrative, lang: Lang) -> String {
    if n.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "\n## {}\n",
        lang.t(
            "Đánh giá, nhiệm vụ, kiến nghị",
            "Assessment, tasks, recommendations"
        )
    );
    for (k, vi, en) in crate::domain::narrative::SECTIONS {
        if let Some(text) = n.get(k) {
            o.push_str(&format!("\n### {}\n\n", lang.t(vi, en)));
            for para in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
                o.push_str(&md(para));
                o.push_str("\n\n");
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    /// Issue 14 (6): `*`, `_` and backticks in a name turned into emphasis and code.
    #[test]
    fn markdown_prints_names_as_typed() {
        assert_eq!(
            super::md("Tổ *1* _A_ `x` [b](c) <i> a|b\nc \\ #2"),
            "Tổ \\*1\\* \\_A\\_ \\`x\\` \\[b\\](c) \\<i\\> a\\|b c \\\\ \\#2"
        );
    }
}
