//! `qcdc document GROUP ITEM --kind …`: minutes filled in from an entry's evidence, as
//! Word documents in the ward's administrative format (issue 14).

use super::args::DocumentArgs;
use super::reports::Ctx;
use super::{CliResult, parse_period, resolve_group_named};
use crate::domain::ward::WARD_GROUP;
use crate::export::docx::minutes::{MinutesKind, minutes_docx};
use crate::service::ServiceError;

pub fn document(cx: &Ctx, a: DocumentArgs) -> CliResult {
    let lang = cx.lang;
    let kind = MinutesKind::parse(&a.kind).ok_or_else(|| {
        let names = MinutesKind::NAMES.join(", ");
        cx.data(
            format!("Không có loại biên bản {:?}; các loại: {names}.", a.kind),
            format!("No kind of minutes {:?}; the kinds: {names}.", a.kind),
        )
    })?;
    let svc = cx.service()?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let (gid, gname) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
    let template = svc.template().map_err(cx.svc_err())?;
    let item = template
        .get(&a.item)
        .cloned()
        .ok_or_else(|| cx.svc_err()(ServiceError::UnknownItem(a.item.clone())))?;
    // What the item records decides which minutes it has.
    let has = crate::app::minutes::kinds_of(&item);
    let fits = has.contains(&kind);
    if !fits {
        let kinds: Vec<&str> = has
            .iter()
            .map(|k| crate::app::minutes::kind_name(*k))
            .collect();
        let kinds = if kinds.is_empty() {
            cx.t("không có", "none").to_string()
        } else {
            kinds.join(", ")
        };
        return Err(cx.data(
            format!(
                "{} không có {} để lập biên bản {}; các biên bản của nội dung này: {kinds}.",
                item.code,
                if kind == MinutesKind::Meeting {
                    "cuộc họp, biểu quyết"
                } else {
                    "việc niêm yết"
                },
                a.kind
            ),
            format!(
                "{} has no {} to write minutes of; the minutes this item has: {kinds}.",
                item.code,
                if kind == MinutesKind::Meeting {
                    "meeting or vote"
                } else {
                    "posting"
                },
            ),
        ));
    }
    let rows = svc.checklist(gid, period).map_err(cx.svc_err())?;
    // "BQ-01#2": the second occurrence of BQ-01 has its own entry and evidence.
    let (_, n) = crate::domain::template::split_occurrence(a.item.trim());
    let key = crate::domain::template::occurrence_key(&item.code, n);
    let row = rows.iter().find(|r| r.entry.item == key).ok_or_else(|| {
        cx.data(
            format!(
                "{key} không có trong danh sách việc của {gname} kỳ {}.",
                period.label_vi()
            ),
            format!(
                "{key} is not on {gname}'s checklist for {}.",
                period.label_en()
            ),
        )
    })?;
    let ward = svc.ward().map_err(cx.svc_err())?;
    let settings = svc.doc_settings().map_err(cx.svc_err())?;
    let date = match &a.date {
        None => svc.today(),
        Some(d) => crate::domain::date::parse(d).map_err(|_| {
            cx.data(
                format!("Ngày {d:?} không hợp lệ (ví dụ 15/12/2026)."),
                format!("Invalid date {d:?} (e.g. 15/12/2026)."),
            )
        })?,
    };
    let group = (gid != WARD_GROUP).then_some(gname.as_str());
    let input =
        crate::app::minutes::input_from(row, &ward.name, group, &settings.place, kind, date);
    let bytes = minutes_docx(&input, lang).map_err(|e| super::Failure {
        code: super::EXIT_OTHER,
        message: e,
    })?;
    cx.emit(a.out.as_deref(), &bytes, true)
}
