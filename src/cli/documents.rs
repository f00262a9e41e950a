//! `qcdc document GROUP ITEM --kind …`: minutes filled in from an entry's evidence, as
//! Word documents in the ward's administrative format (issue 14).

use super::args::DocumentArgs;
use super::reports::Ctx;
use super::{CliResult, parse_period, resolve_group_named};
use crate::domain::template::Evidence as Kind;
use crate::domain::ward::WARD_GROUP;
use crate::export::docx::minutes::{MinutesInput, MinutesKind, minutes_docx};
use crate::present;
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
    let posts = item.evidence.contains(&Kind::Posting);
    let meets = item.vote.is_some()
        || item.evidence.contains(&Kind::Meeting)
        || item.evidence.contains(&Kind::Ballot);
    let fits = match kind {
        MinutesKind::Posting | MinutesKind::PostingEnd => posts,
        MinutesKind::Meeting => meets,
    };
    if !fits {
        let mut kinds = Vec::new();
        if posts {
            kinds.extend(["niem-yet", "ket-thuc-niem-yet"]);
        }
        if meets {
            kinds.push("hop");
        }
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
    let e = &row.entry.evidence;
    let date = match &a.date {
        None => svc.today(),
        Some(d) => crate::domain::date::parse(d).map_err(|_| {
            cx.data(
                format!("Ngày {d:?} không hợp lệ (ví dụ 15/12/2026)."),
                format!("Invalid date {d:?} (e.g. 15/12/2026)."),
            )
        })?,
    };
    let input = MinutesInput {
        kind,
        ward: ward.name.clone(),
        group: (gid != WARD_GROUP).then(|| gname.clone()),
        place: settings.place.clone(),
        item_code: item.code.clone(),
        // An occurrence names what arose ("… (Bê tông hóa hẻm 12)").
        item_title: if e.title.trim().is_empty() {
            item.title.clone()
        } else {
            format!("{} ({})", item.title, e.title.trim())
        },
        citation: item.citation.to_string(),
        period_label: row.slot.label_vi(),
        posted_from: e.posted_from,
        posted_to: e.posted_to,
        min_days: item.min_days.map(u32::from),
        meeting_date: e.meeting_date,
        form: e
            .vote
            .map(|v| present::vote_form_name(v.form, crate::i18n::Lang::Vi).to_string()),
        total: e.vote.map(|v| v.total),
        present: e.vote.map(|v| v.present),
        agree: e.vote.map(|v| v.agree),
        verdict: row.verdict.as_ref().map(|v| v.summary_vi()),
        minutes_no: e.minutes.clone(),
        responsible: e.responsible.clone(),
        note: e.note.clone(),
        date,
    };
    let bytes = minutes_docx(&input, lang).map_err(|e| super::Failure {
        code: super::EXIT_OTHER,
        message: e,
    })?;
    cx.emit(a.out.as_deref(), &bytes, true)
}
