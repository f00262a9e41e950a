//! The report's counted figures (`Report::figures`) as every format prints them: each
//! figure with the whole ward's value, then the ward's own and each branch's where one
//! was recorded. Nothing when no figure was recorded for the period.

use crate::domain::figure;
use crate::i18n::Lang;
use crate::service::report::Report;

/// One printed line: a figure (`sub == false`) or a part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub code: String,
    /// "Đơn thư … tiếp nhận", or "trong đó: Chi bộ 1" for a part.
    pub label: String,
    pub unit: String,
    pub value: Option<u64>,
    pub sub: bool,
    pub citation: String,
    /// The report section: "chung" or "I" … "VIII".
    pub section: String,
}

/// The figures in report order (by section, then as the template lists them).
pub fn lines(r: &Report, en: bool) -> Vec<Line> {
    let mut rows: Vec<&crate::service::figures::FigureRow> = r.figures.iter().collect();
    let rank = |s: &str| {
        figure::SECTIONS
            .iter()
            .position(|x| *x == s)
            .unwrap_or(figure::SECTIONS.len())
    };
    rows.sort_by_key(|f| rank(&f.section));
    let part = if en { "of which" } else { "trong đó" };
    let mut out = Vec::new();
    for f in rows {
        out.push(Line {
            code: f.code.clone(),
            label: f.title.clone(),
            unit: f.unit.clone(),
            value: f.total,
            sub: false,
            citation: f.citation.clone(),
            section: f.section.clone(),
        });
        let mut parts: Vec<(String, u64)> = Vec::new();
        if let Some(v) = f.ward {
            parts.push((
                if en {
                    "the ward itself"
                } else {
                    "cấp phường"
                }
                .into(),
                v,
            ));
        }
        parts.extend(
            f.branches
                .iter()
                .filter_map(|b| b.value.map(|v| (b.name.clone(), v))),
        );
        // One part that is the whole: no "of which".
        if parts.len() == 1 && f.total == Some(parts[0].1) && f.ward.is_none() {
            out.last_mut().expect("pushed").label = format!("{} ({})", f.title, parts[0].0);
            continue;
        }
        for (name, v) in parts {
            out.push(Line {
                code: f.code.clone(),
                label: format!("{part}: {name}"),
                unit: f.unit.clone(),
                value: Some(v),
                sub: true,
                citation: String::new(),
                section: f.section.clone(),
            });
        }
    }
    out
}

fn heading(lang: Lang) -> &'static str {
    lang.t("Chỉ tiêu đếm được", "Counted figures")
}

/// For the text report.
pub fn text(r: &Report, lang: Lang) -> String {
    let en = lang.is_en();
    let ls = lines(r, en);
    if ls.is_empty() {
        return String::new();
    }
    let mut o = format!("\n{}\n", heading(lang));
    for l in ls {
        let value = format!(
            "{} {}",
            figure::show(l.value, en),
            if l.value.is_some() {
                l.unit.as_str()
            } else {
                ""
            }
        );
        if l.sub {
            o.push_str(&format!("        {}: {}\n", l.label, value.trim_end()));
        } else {
            o.push_str(&format!(
                "{:<7} {}: {}\n",
                l.code,
                l.label,
                value.trim_end()
            ));
        }
    }
    o
}

/// For the Markdown report: one table.
pub fn md(r: &Report, lang: Lang) -> String {
    let en = lang.is_en();
    let ls = lines(r, en);
    if ls.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "\n## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|--:|---|\n",
        heading(lang),
        lang.t("Mã", "Code"),
        lang.t("Chỉ tiêu", "Figure"),
        lang.t("Đơn vị", "Unit"),
        lang.t("Số liệu", "Value"),
        lang.t("Căn cứ", "Basis"),
    );
    for l in ls {
        let label = if l.sub {
            format!("— {}", super::md(&l.label))
        } else {
            format!("**{}**", super::md(&l.label))
        };
        o.push_str(&format!(
            "| {} | {label} | {} | {} | {} |\n",
            if l.sub { String::new() } else { l.code.clone() },
            super::md(&l.unit),
            figure::show(l.value, en),
            super::md(&l.citation)
        ));
    }
    o
}

/// The roll-up's figures as text lines: code, title, sum, unit, wards that recorded it.
pub fn rollup_text(r: &crate::rollup::Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    if r.figures.is_empty() {
        return String::new();
    }
    let mut o = format!("\n{}\n", heading(lang));
    for f in &r.figures {
        o.push_str(&format!(
            "{:<7} {}: {} {} ({} {})\n",
            f.code,
            f.title,
            figure::show(f.total, en),
            if f.total.is_some() {
                f.unit.as_str()
            } else {
                ""
            },
            f.wards,
            lang.t("đơn vị ghi", "reporting")
        ));
    }
    o
}

/// The roll-up's figures as a Markdown table.
pub fn rollup_md(r: &crate::rollup::Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    if r.figures.is_empty() {
        return String::new();
    }
    let mut o = format!(
        "\n## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|--:|--:|\n",
        heading(lang),
        lang.t("Mã", "Code"),
        lang.t("Chỉ tiêu", "Figure"),
        lang.t("Đơn vị", "Unit"),
        lang.t("Tổng", "Total"),
        lang.t("Số đơn vị ghi", "Reporting"),
    );
    for f in &r.figures {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            f.code,
            super::md(&f.title),
            super::md(&f.unit),
            figure::show(f.total, en),
            f.wards
        ));
    }
    o
}

/// The roll-up's figures as table rows: title, unit, total, wards that recorded it.
pub fn rollup_rows(r: &crate::rollup::Rollup, en: bool) -> Vec<[String; 4]> {
    r.figures
        .iter()
        .map(|f| {
            [
                format!("{} {}", f.code, f.title),
                f.unit.clone(),
                figure::show(f.total, en),
                f.wards.to_string(),
            ]
        })
        .collect()
}
