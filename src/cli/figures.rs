//! `qcdc figure list|set|clear`: the counted figures of a group or the ward, per quarter.

use super::args::{FigureCmd, ListFormat};
use super::reports::Ctx;
use super::{CliResult, Failure, resolve_group_named};
use crate::domain::figure::{self, Figure};
use crate::domain::period::Period;
use crate::domain::ward::{GroupId, WARD_GROUP};
use crate::service::{FigureSet, Service};

pub fn figure(cx: &Ctx, c: FigureCmd) -> CliResult {
    let svc = cx.service()?;
    let period = super::parse_period(cx.period, svc.as_ref(), cx.lang)?;
    let defs = crate::data::default_figures();
    match c {
        FigureCmd::List { group, format } => list(cx, svc.as_ref(), &defs, period, group, format),
        FigureCmd::Set { group, code, value } => {
            let v = figure::parse_value(&value).map_err(|(vi, en)| cx.data(vi, en))?;
            set(cx, svc.as_ref(), &defs, period, &group, &code, Some(v))
        }
        FigureCmd::Clear { group, code } => {
            set(cx, svc.as_ref(), &defs, period, &group, &code, None)
        }
    }
}

fn group_of(cx: &Ctx, svc: &dyn Service, name: &str) -> Result<(GroupId, String), Failure> {
    // "0" is the ward as a whole, as in the figures' records.
    if name.trim() == "0" {
        return Ok((WARD_GROUP, cx.t("Cấp phường", "Ward").to_string()));
    }
    resolve_group_named(svc, name, cx.lang)
}

fn figure_of<'a>(cx: &Ctx, defs: &'a [Figure], name: &str) -> Result<&'a Figure, Failure> {
    figure::find(defs, name).ok_or_else(|| {
        let codes: Vec<&str> = defs.iter().map(|f| f.code.as_str()).collect();
        cx.data(
            format!(
                "Không có chỉ tiêu {name:?} (hoặc tên khớp nhiều chỉ tiêu); các mã: {}. Xem bằng `qcdc figure list`.",
                codes.join(", ")
            ),
            format!(
                "No figure {name:?} (or the name matches several); the codes: {}. See `qcdc figure list`.",
                codes.join(", ")
            ),
        )
    })
}

fn label(cx: &Ctx, p: Period) -> String {
    if cx.lang.is_en() {
        p.label_en()
    } else {
        p.label_vi()
    }
}

fn set(
    cx: &Ctx,
    svc: &dyn Service,
    defs: &[Figure],
    period: Period,
    group: &str,
    code: &str,
    value: Option<u64>,
) -> CliResult {
    let en = cx.lang.is_en();
    let (gid, gname) = group_of(cx, svc, group)?;
    let f = figure_of(cx, defs, code)?;
    figure::check_period(period).map_err(|(vi, en)| cx.data(vi, en))?;
    let rec = svc
        .set_figure(FigureSet {
            group: gid,
            code: f.code.clone(),
            period,
            value,
        })
        .map_err(cx.svc_err())?;
    let what = format!(
        "{} · {} {} · {}",
        gname,
        f.code,
        f.title_in(en),
        label(cx, period)
    );
    cx.out().line(&match (rec, value) {
        (None, _) => format!(
            "{} {what}: {}",
            cx.t("Không đổi", "Unchanged"),
            cx.t("số liệu như đã lưu.", "the value is as stored.")
        ),
        (Some(r), Some(v)) => format!(
            "{} {what}: {} {} ({} {}) ✓",
            cx.t("Đã lưu", "Saved"),
            figure::show(Some(v), en),
            f.unit_in(en),
            cx.t("trước đó", "before"),
            old_of(&r, en),
        ),
        (Some(r), None) => format!(
            "{} {what} ({} {}) ✓",
            cx.t("Đã xoá số liệu", "Removed the value of"),
            cx.t("trước đó", "before"),
            old_of(&r, en),
        ),
    });
    Ok(())
}

fn old_of(r: &crate::domain::audit::AuditRecord, en: bool) -> String {
    figure::show(r.changes.first().and_then(|c| c.old.parse().ok()), en)
}

fn list(
    cx: &Ctx,
    svc: &dyn Service,
    defs: &[Figure],
    period: Period,
    group: Option<String>,
    format: ListFormat,
) -> CliResult {
    let en = cx.lang.is_en();
    let values = svc.figure_values(Some(period)).map_err(cx.svc_err())?;
    let chosen = match &group {
        Some(g) => Some(group_of(cx, svc, g)?),
        None => None,
    };
    // One group: its own values; otherwise the ward's total (its groups and its own).
    let (groups, branches) = match &chosen {
        Some((gid, _)) => (
            svc.groups()
                .map_err(cx.svc_err())?
                .into_iter()
                .filter(|g| g.id == *gid)
                .collect::<Vec<_>>(),
            Vec::new(),
        ),
        None => (
            svc.groups().map_err(cx.svc_err())?,
            svc.branches().map_err(cx.svc_err())?,
        ),
    };
    let values: Vec<_> = match &chosen {
        Some((gid, _)) => values.into_iter().filter(|v| v.group == *gid).collect(),
        None => values,
    };
    let mut rows = crate::service::figures::rows(defs, &values, &groups, &branches, period, en);
    if rows.is_empty() {
        // Nothing recorded: every figure, each without a value.
        {
            rows = defs
                .iter()
                .map(|f| crate::service::figures::FigureRow {
                    code: f.code.clone(),
                    title: f.title_in(en).to_string(),
                    section: f.section.clone(),
                    unit: f.unit_in(en).to_string(),
                    rule: f.total,
                    citation: f.citation.clone(),
                    total: None,
                    ward: None,
                    branches: Vec::new(),
                })
                .collect();
        }
    }
    let out = cx.out();
    if format == ListFormat::Json {
        out.line(&crate::domain::text::json_pretty(&serde_json::json!({
            "period": period,
            "group": chosen.as_ref().map(|(_, n)| n),
            "figures": rows,
        })));
        return Ok(());
    }
    out.line(&format!(
        "{} · {}",
        chosen.as_ref().map_or_else(
            || cx.t("Toàn phường", "Whole ward").to_string(),
            |(_, n)| n.clone()
        ),
        label(cx, period)
    ));
    for r in rows {
        let value = match r.total {
            Some(_) => format!("{} {}", figure::show(r.total, en), r.unit),
            None => figure::show(None, en),
        };
        out.line(&format!("{:<7} {}: {value}", r.code, r.title));
    }
    Ok(())
}
