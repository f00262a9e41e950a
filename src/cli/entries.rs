//! Commands on a group's checklist: `items`, `mark`, `vote`, `log`, `undo`.

use super::args::*;
use super::reports::Ctx;
use super::{CliResult, Failure, Out, output, parse_period, resolve_group_named};
use crate::domain::audit::AuditRecord;
use crate::domain::date;
use crate::domain::entry::{StepStatus, is_late};
use crate::domain::period::Period;
use crate::domain::step::Step;
use crate::domain::vote::{VoteCount, VoteForm};
use crate::domain::ward::{Group, WARD_GROUP, Ward, vote_total};
use crate::i18n::Lang;
use crate::present;
use crate::service::{ChecklistRow, HistoryQuery, MarkRequest, ServiceError, VoteRequest};
use std::io::Write;

/// `qcdc items GROUP`: the checklist with each entry's evidence.
pub fn items(cx: &Ctx, a: &ItemsArgs) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let (gid, gname) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
    let ward = svc.ward().map_err(cx.svc_err())?;
    let rows = svc.checklist(gid, period).map_err(cx.svc_err())?;
    let today = svc.today();
    if a.format == ListFormat::Json {
        let v: Vec<_> = rows.iter().map(|r| row_json(r, &ward, today)).collect();
        cx.out().line(&crate::domain::text::json_pretty(&v));
    } else {
        print_items(&cx.out(), &ward, &gname, &rows, period, lang, today);
    }
    Ok(())
}

fn date_json(d: Option<date::Date>) -> serde_json::Value {
    d.map(|d| serde_json::json!(d.format("%Y-%m-%d").to_string()))
        .unwrap_or(serde_json::Value::Null)
}

/// One checklist row as JSON: steps, completion, and the evidence recorded.
fn row_json(r: &ChecklistRow, ward: &Ward, today: date::Date) -> serde_json::Value {
    let steps: serde_json::Map<String, serde_json::Value> = r
        .item
        .applicable_steps(ward.steps)
        .map(|s| {
            (
                s.code().to_string(),
                serde_json::json!(r.entry.status(s).code()),
            )
        })
        .collect();
    let e = &r.entry.evidence;
    // Language-neutral, like every machine format: codes and numbers, and where there
    // is text, both languages.
    let vote = e.vote.map(|v| {
        serde_json::json!({
            "total": v.total, "present": v.present, "agree": v.agree, "form": v.form.code(),
            "verdict": r.verdict,
        })
    });
    serde_json::json!({
        "code": r.item.code, "key": r.entry.item,
        "title": r.item.title, "pillar": r.item.pillar.code(),
        "period": r.slot.to_string(), "steps": steps,
        "completion": crate::service::report::Pct::from(r.completion),
        "overdue": r.overdue, "version": r.entry.version,
        "section": r.item.section.number(), "recurrence": r.item.recurrence.code(),
        "registered": r.registered,
        "citation": r.item.citation.to_string(),
        "evidence": {
            "posted_from": date_json(e.posted_from),
            "posted_to": date_json(e.posted_to),
            "meeting_date": date_json(e.meeting_date),
            "vote": vote,
            "minutes": e.minutes,
            "responsible": e.responsible,
            "note": e.note,
            "occurred": date_json(e.occurred),
            "title": e.title,
            "removal": e.removal,
            "rounds": e.rounds.iter().map(|r| serde_json::json!({
                "total": r.count.total, "present": r.count.present, "agree": r.count.agree,
                "form": r.count.form.code(), "date": date_json(r.date), "minutes": r.minutes,
            })).collect::<Vec<_>>(),
            "met": e.met.iter().map(|m| serde_json::json!({
                "code": m.code.code(), "date": date_json(Some(m.date)),
            })).collect::<Vec<_>>(),
        },
        // Each with its code, the day it was recorded done and whether it is late
        // (issue 13: `entry::is_late`, the rule of the agenda and the report).
        "deadlines": r.entry.deadlines(&r.item).into_iter().map(|d| {
            let late = is_late(&d, d.done.is_some(), r.completion.is_complete(), today);
            let mut v = serde_json::to_value(&d).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("late".into(), serde_json::json!(late));
            }
            v
        }).collect::<Vec<_>>(),
        "warnings": r.warnings,
    })
}

/// The evidence of an entry as short lines ("Niêm yết 01/07/2026 → 31/07/2026", the
/// vote and its verdict, minutes, who, the note), empty when nothing is recorded.
pub fn evidence_lines(r: &ChecklistRow, lang: Lang, today: date::Date) -> Vec<String> {
    let e = &r.entry.evidence;
    let t = |vi, en| lang.t(vi, en).to_string();
    let d = |x: Option<date::Date>| x.map(date::format_vi).unwrap_or_else(|| "…".into());
    let mut out = Vec::new();
    if e.posted_from.is_some() || e.posted_to.is_some() {
        out.push(format!(
            "{} {} → {}",
            t("Niêm yết", "Posted"),
            d(e.posted_from),
            d(e.posted_to)
        ));
    }
    if e.occurred.is_some() || !e.title.is_empty() {
        out.push(format!(
            "{} {}{}",
            t("Phát sinh", "Arose"),
            e.occurred.map(date::format_vi).unwrap_or_default(),
            if e.title.is_empty() {
                String::new()
            } else {
                format!(": {}", e.title)
            }
        ));
    }
    if let Some(m) = e.meeting_date {
        out.push(format!(
            "{} {}",
            t("Họp / phát phiếu ngày", "Meeting / ballot on"),
            date::format_vi(m)
        ));
    }
    if let Some(v) = e.vote {
        let counts = present::field_value(
            "vote",
            &format!("{}/{}/{}/{}", v.total, v.present, v.agree, v.form.code()),
            lang,
        );
        let verdict = r
            .verdict
            .map(|x| {
                format!(
                    " — {}",
                    if lang.is_en() {
                        x.summary_en()
                    } else {
                        x.summary_vi()
                    }
                )
            })
            .unwrap_or_default();
        out.push(format!("{}: {counts}{verdict}", t("Biểu quyết", "Vote")));
    }
    let mut who = Vec::new();
    if !e.minutes.is_empty() {
        who.push(format!("{} {}", t("Biên bản", "Minutes"), e.minutes));
    }
    if !e.responsible.is_empty() {
        who.push(format!(
            "{}: {}",
            t("Phụ trách", "Responsible"),
            e.responsible
        ));
    }
    if !who.is_empty() {
        out.push(who.join(" · "));
    }
    if !e.note.is_empty() {
        out.push(format!("{}: {}", t("Ghi chú", "Note"), e.note));
    }
    // The deadlines the law sets from these dates, with their article and code, and
    // whether each was recorded done or is late (issue 13).
    for d in r.entry.deadlines(&r.item) {
        out.push(format!(
            "{} {}: {} ({}) [{}]{}",
            t("Hạn", "Due"),
            date::format_vi(d.date),
            if lang.is_en() { &d.what_en } else { &d.what_vi },
            d.article,
            d.code.code(),
            present::deadline_state(&d, r.completion.is_complete(), today, lang)
        ));
    }
    for w in &r.warnings {
        out.push(format!("! {}", w.message(lang.is_en())));
    }
    out
}

fn print_items(
    out: &Out,
    ward: &Ward,
    group: &str,
    rows: &[ChecklistRow],
    period: Period,
    lang: Lang,
    today: date::Date,
) {
    let steps = ward.steps.steps();
    let mut head = format!(
        "{} · {} · {}\n{:<7} ",
        ward.name,
        group,
        if lang.is_en() {
            period.label_en()
        } else {
            period.label_vi()
        },
        lang.t("Mã", "Code")
    );
    for s in steps {
        head.push_str(&output::fit(
            if lang.is_en() {
                s.short_en()
            } else {
                s.short_vi()
            },
            7,
        ));
    }
    head.push_str(lang.t("Nội dung", "Item"));
    out.line(&head);
    let mut pillar = None;
    let indent = " ".repeat(8 + 7 * steps.len());
    for r in rows {
        if pillar != Some(r.item.pillar) {
            pillar = Some(r.item.pillar);
            out.line(&format!(
                "— {} —",
                if lang.is_en() {
                    r.item.pillar.name_en()
                } else {
                    r.item.pillar.name_vi()
                }
            ));
        }
        // A further occurrence shows its key ("BQ-01#2").
        let mut line = format!("{:<7} ", r.entry.item);
        for s in steps {
            let cell = if r.item.steps.contains(s) {
                match r.entry.status(*s) {
                    StepStatus::Done => "[x]",
                    StepStatus::Doing => "[~]",
                    StepStatus::Todo => "[ ]",
                    StepStatus::NotApplicable => "n/a",
                }
            } else {
                " · "
            };
            line.push_str(&output::fit(cell, 7));
        }
        line.push_str(r.item.title_in(lang.is_en()));
        if r.slot != period {
            line.push_str(&format!(" ({})", r.slot));
        }
        if r.overdue {
            line.push_str(lang.t("  ! quá hạn", "  ! overdue"));
        }
        if !r.registered {
            // Issue 13: no duty until it arises (`qcdc event add`).
            line.push_str(lang.t(
                "  — chưa phát sinh (qcdc event add)",
                "  — not arisen (qcdc event add)",
            ));
        }
        out.line(&line);
        for l in evidence_lines(r, lang, today) {
            out.line(&format!("{indent}{l}"));
        }
    }
}

fn item_code(cx: &Ctx, svc: &dyn crate::service::Service, code: &str) -> Result<String, Failure> {
    let template = svc.template().map_err(cx.svc_err())?;
    // An occurrence key ("bq-01#2") keeps its number (issue 13).
    let (_, n) = crate::domain::template::split_occurrence(code.trim());
    template
        .get(code)
        .map(|i| crate::domain::template::occurrence_key(&i.code, n))
        .ok_or_else(|| cx.svc_err()(ServiceError::UnknownItem(code.to_string())))
}

/// `qcdc due`: the agenda — what falls due in the next days and what is late, soonest
/// first, each with group, item, deadline, rule, article and the deadline's code
/// (issue 13); `qcdc due done|undo` record a deadline done or take that back.
pub fn due(cx: &Ctx, a: &DueArgs) -> CliResult {
    match &a.action {
        Some(DueCmd::Done(d)) => {
            return due_set(cx, &d.group, &d.item, &d.code, Some(d.date.as_deref()));
        }
        Some(DueCmd::Undo(d)) => return due_set(cx, &d.group, &d.item, &d.code, None),
        None => {}
    }
    let lang = cx.lang;
    let svc = cx.service()?;
    let group = match &a.group {
        None => None,
        Some(g) => Some(resolve_group_named(svc.as_ref(), g, lang)?.0),
    };
    let today = svc.today();
    let rows =
        crate::service::agenda::agenda(svc.as_ref(), today, a.days, group).map_err(cx.svc_err())?;
    let ward = lang.t("Cấp phường", "Ward");
    let name = |r: &crate::service::agenda::AgendaRow| {
        if r.group_id == WARD_GROUP {
            ward.to_string()
        } else {
            r.group.clone()
        }
    };
    let out = cx.out();
    if a.format == ListFormat::Json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "date": r.date.format("%Y-%m-%d").to_string(), "late": r.late,
                    "code": r.code.code(),
                    "group": name(r), "item": r.item, "key": r.key, "title": r.title,
                    "period": r.period.to_string(),
                    "what_vi": r.what_vi, "what_en": r.what_en,
                    "rule_vi": r.rule_vi, "rule_en": r.rule_en, "article": r.article,
                })
            })
            .collect();
        out.line(&crate::domain::text::json_pretty(&v));
        return Ok(());
    }
    out.line(&format!(
        "{} {} → {} ({} {})",
        cx.t("Việc đến hạn", "Due"),
        date::format_vi(today),
        date::format_vi(
            today
                .checked_add_days(chrono::Days::new(u64::from(a.days)))
                .unwrap_or(today)
        ),
        rows.iter().filter(|r| r.late).count(),
        cx.t("việc quá hạn", "late")
    ));
    if rows.is_empty() {
        out.line(cx.t("Không có việc nào đến hạn.", "Nothing falls due."));
    }
    for r in &rows {
        let (what, rule) = if lang.is_en() {
            (&r.what_en, &r.rule_en)
        } else {
            (&r.what_vi, &r.rule_vi)
        };
        out.line(&format!(
            "{} {} {} · {} {} — {}",
            date::format_vi(r.date),
            if r.late {
                cx.t("QUÁ HẠN", "LATE   ")
            } else {
                cx.t("       ", "       ")
            },
            name(r),
            r.key,
            what,
            r.title
        ));
        out.line(&format!(
            "           {rule} · {} · {} {}",
            r.article,
            cx.t("mã", "code"),
            r.code.code()
        ));
    }
    if rows
        .iter()
        .any(|r| r.code != crate::domain::entry::DeadlineCode::PeriodEnd)
    {
        out.line(cx.t(
            "Ghi một hạn đã làm: qcdc due done TỔ MỤC MÃ [--date NGÀY]; bỏ ghi: qcdc due undo TỔ MỤC MÃ",
            "Record a deadline done: qcdc due done GROUP ITEM CODE [--date DAY]; take it back: qcdc due undo GROUP ITEM CODE",
        ));
    }
    Ok(())
}

/// `qcdc due done GROUP ITEM CODE [--date D]` (`date: Some(..)`, today by default) and
/// `qcdc due undo GROUP ITEM CODE` (`date: None`): through
/// [`crate::service::agenda::set_done`], so the record is validated, audited and
/// flushed by the service before this says so.
fn due_set(
    cx: &Ctx,
    group: &str,
    item: &str,
    code: &str,
    date_arg: Option<Option<&str>>,
) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let (gid, gname) = resolve_group_named(svc.as_ref(), group, lang)?;
    let on = match date_arg {
        None => None,
        Some(None) => Some(svc.today()),
        Some(Some(s)) => Some(date::parse(s).map_err(|_| {
            Failure::data(format!(
                "{} {s:?} ({})",
                cx.t("Ngày không hợp lệ", "Invalid date"),
                cx.t(
                    "ví dụ 10/08/2026 hoặc 2026-08-10",
                    "e.g. 2026-08-10 or 10/08/2026"
                )
            ))
        })?),
    };
    let o = crate::service::agenda::set_done(svc.as_ref(), gid, item, period, code, on)
        .map_err(cx.svc_err())?;
    let d = &o.deadline;
    let what = if lang.is_en() { &d.what_en } else { &d.what_vi };
    let target = format!(
        "{gname} · {} · {} · {what} ({} {}, {})",
        o.entry.item,
        o.entry.period,
        cx.t("hạn", "due"),
        date::format_vi(d.date),
        d.code.code()
    );
    let line = match (on, o.changed) {
        (Some(day), true) => format!(
            "{}: {target} — {} {}.",
            cx.t("Đã ghi đã làm", "Recorded done"),
            cx.t("làm ngày", "done on"),
            date::format_vi(day)
        ),
        (Some(day), false) => format!(
            "{}: {target} — {} {}. {}",
            cx.t("Đã ghi từ trước", "Already recorded"),
            cx.t("làm ngày", "done on"),
            date::format_vi(day),
            cx.t("Không thay đổi gì.", "Nothing changed.")
        ),
        (None, _) => format!("{}: {target}.", cx.t("Đã bỏ ghi đã làm", "Taken back")),
    };
    cx.out().line(&line);
    if o.late {
        cx.out().line(cx.t(
            "Hạn này nay là quá hạn (trên danh sách việc đến hạn và báo cáo).",
            "This deadline is now late (on the agenda and the report).",
        ));
    }
    Ok(())
}

/// `qcdc event add`: register an occurrence of an item that arises (per event, or per
/// term). Until registered the item is no duty of its year (issue 13); from then on it
/// is counted, with its own evidence and deadlines.
pub fn event_add(cx: &Ctx, a: EventAddArgs) -> CliResult {
    use crate::domain::template::Recurrence;
    let lang = cx.lang;
    let svc = cx.service()?;
    let (gid, gname) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
    let template = svc.template().map_err(cx.svc_err())?;
    let item = template
        .get(&a.item)
        .cloned()
        .ok_or_else(|| cx.svc_err()(ServiceError::UnknownItem(a.item.clone())))?;
    if !matches!(item.recurrence, Recurrence::Event | Recurrence::Term) {
        return Err(cx.data(
            format!(
                "Mục {} thực hiện {}: là việc định kỳ, không cần đăng ký phát sinh.",
                item.code,
                item.recurrence.name_vi()
            ),
            format!(
                "Item {} is {}: a regular duty, nothing to register.",
                item.code,
                item.recurrence.name_en()
            ),
        ));
    }
    let d = date::parse(&a.date).map_err(|_| {
        cx.data(
            format!(
                "Ngày không hợp lệ {:?} (ví dụ 10/08/2026 hoặc 2026-08-10).",
                a.date
            ),
            format!("Invalid date {:?} (e.g. 2026-08-10 or 10/08/2026).", a.date),
        )
    })?;
    let slot = crate::service::slot_for(&item, Period::Year(chrono::Datelike::year(&d) as u16))
        .map_err(cx.svc_err())?;
    // The first free occurrence of the year: a second decision is a second entry, the
    // first kept as it is (issue 13).
    let rows = svc.checklist(gid, slot).map_err(cx.svc_err())?;
    let last = rows
        .iter()
        .filter(|r| r.item.code == item.code && r.slot == slot && r.entry.version > 0)
        .map(|r| crate::domain::template::split_occurrence(&r.entry.item).1)
        .max()
        .unwrap_or(0);
    let key = crate::domain::template::occurrence_key(&item.code, last + 1);
    let mut entry = crate::domain::entry::Entry::new(gid, &key, slot);
    entry.evidence.occurred = Some(d);
    entry.evidence.title = a.title.unwrap_or_default();
    entry.evidence.removal = a.removal;
    svc.save_entry(crate::service::EntryEdit {
        entry,
        base_version: Some(0),
    })
    .map_err(cx.svc_err())?;
    cx.out().line(&format!(
        "{}{}: {gname} · {} · {} ({} {})",
        cx.t("Đã đăng ký", "Registered"),
        if a.removal {
            cx.t(" việc cho thôi", " a removal")
        } else {
            ""
        },
        key,
        date::format_vi(d),
        cx.t("tính trong năm", "counted in"),
        slot.year()
    ));
    Ok(())
}

pub fn mark(cx: &Ctx, a: MarkArgs) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let (gid, gname) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
    let step: Step = a.step.parse().map_err(|_| {
        Failure::data(format!(
            "{} {:?} ({}: biet ban lam kiemtra giamsat thuhuong)",
            cx.t("Bước không hợp lệ", "Unknown step"),
            a.step,
            cx.t("dùng", "use")
        ))
    })?;
    let status: StepStatus = a.status.parse().map_err(|_| {
        Failure::data(format!(
            "{} {:?} ({}: todo doing done na)",
            cx.t("Trạng thái không hợp lệ", "Unknown status"),
            a.status,
            cx.t("dùng", "use")
        ))
    })?;
    let code = item_code(cx, svc.as_ref(), &a.item)?;
    let entry = svc
        .mark(MarkRequest {
            group: gid,
            item: code.clone(),
            period,
            step,
            status,
            note: a.note,
            base_version: None,
        })
        .map_err(cx.svc_err())?;
    let ward = svc.ward().map_err(cx.svc_err())?;
    let template = svc.template().map_err(cx.svc_err())?;
    let c = template
        .get(&code)
        .map(|i| entry.completion(i, ward.steps))
        .unwrap_or_default();
    cx.out().line(&format!(
        "{}: {} · {} · {} → {} ({}). {} {}/{} {}",
        cx.t("Đã lưu", "Saved"),
        gname,
        code,
        if lang.is_en() {
            step.name_en()
        } else {
            step.name_vi()
        },
        if lang.is_en() {
            status.name_en()
        } else {
            status.name_vi()
        },
        entry.period,
        cx.t("Đã xong", "Done"),
        c.done,
        c.applicable,
        cx.t("bước", "steps")
    ));
    Ok(())
}

pub fn vote(cx: &Ctx, a: VoteArgs) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let (gid, _) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
    let form = VoteForm::from_code(&a.form).ok_or_else(|| {
        Failure::data(format!(
            "{} {:?} (meeting | ballot | online)",
            cx.t("Hình thức không hợp lệ", "Unknown form"),
            a.form
        ))
    })?;
    let d = match a.date.as_deref() {
        None => None,
        Some(s) => Some(date::parse(s).map_err(|_| {
            Failure::data(format!(
                "{} {s:?} ({})",
                cx.t("Ngày không hợp lệ", "Invalid date"),
                cx.t(
                    "ví dụ 10/08/2026 hoặc 2026-08-10",
                    "e.g. 2026-08-10 or 10/08/2026"
                )
            ))
        })?),
    };
    let code = item_code(cx, svc.as_ref(), &a.item)?;
    // The law counts against all households of the group (or all groups, for a
    // ward-wide decision): that is the default, and a different total is noted.
    let groups = svc.groups().map_err(cx.svc_err())?;
    let expected = vote_total(gid, &groups);
    let total = a.households.unwrap_or(expected);
    let (entry, v) = svc
        .record_vote(VoteRequest {
            group: gid,
            item: code,
            period,
            count: VoteCount {
                total,
                present: a.present,
                agree: a.agree,
                form,
            },
            date: d,
            base_version: None,
            planned: a.planned,
        })
        .map_err(cx.svc_err())?;
    cx.out().line(&if lang.is_en() {
        v.summary_en()
    } else {
        v.summary_vi()
    });
    // A group's own result on a ward-wide decision: the ward's, derived from the groups'
    // (NĐ 59/2023 Điều 4 khoản 6 điểm c; Điều 21 khoản 1).
    if entry.group == WARD_GROUP
        && gid != WARD_GROUP
        && let Some(w) = svc
            .template()
            .ok()
            .and_then(|t| t.get(&entry.item).cloned())
            .and_then(|i| entry.vote_verdict(&i))
    {
        cx.out().line(&format!(
            "{}: {}",
            cx.t("Toàn phường", "Whole ward"),
            if lang.is_en() {
                w.summary_en()
            } else {
                w.summary_vi()
            }
        ));
    }
    // A date outside the entry's period is kept but said (issue 13: dates honest): the
    // vote is reported in the period of its date.
    if let Some(d) = d
        && !entry.period.contains_date(d)
    {
        let note = if lang.is_en() {
            format!(
                "Note: {} is outside the entry's period {}; the vote is reported in the period of its date.",
                date::format_vi(d),
                entry.period
            )
        } else {
            format!(
                "Lưu ý: ngày {} nằm ngoài kỳ {} của mục; biểu quyết được báo cáo vào kỳ của ngày họp.",
                date::format_vi(d),
                entry.period
            )
        };
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    if total != expected {
        let note = if lang.is_en() {
            format!(
                "Note: the roster gives {expected} for this group; the vote was counted against {total}. \
                 If the group has changed, update its number of households."
            )
        } else {
            format!(
                "Lưu ý: theo danh sách, tổ có {expected} hộ; biểu quyết được tính trên {total} hộ. \
                 Nếu số hộ của tổ đã thay đổi, hãy cập nhật danh sách."
            )
        };
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    Ok(())
}

pub fn log(cx: &Ctx, a: &LogArgs) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let group = match &a.group {
        None => None,
        Some(g) => Some(resolve_group_named(svc.as_ref(), g, lang)?.0),
    };
    let recs = svc
        .history(HistoryQuery {
            group,
            limit: a.limit,
            ..Default::default()
        })
        .map_err(cx.svc_err())?;
    if a.format == ListFormat::Json {
        cx.out().line(&crate::domain::text::json_pretty(&recs));
    } else {
        let groups = svc.groups().map_err(cx.svc_err())?;
        for r in &recs {
            cx.out().line(&log_line(r, &groups, lang));
        }
    }
    Ok(())
}

/// `qcdc undo` / `qcdc redo`: say what will be reversed, and with `--group`, ask
/// first when it is another group's (as the TUI asks when it is not on screen).
pub fn undo(cx: &Ctx, a: &UndoArgs, redo: bool) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let Some(plan) = svc.undo_plan(redo).map_err(cx.svc_err())? else {
        cx.out().line(if redo {
            cx.t(
                "Không có thay đổi nào của bạn để làm lại.",
                "Nothing of yours to redo.",
            )
        } else {
            cx.t(
                "Không có thay đổi nào của bạn để hoàn tác.",
                "Nothing of yours to undo.",
            )
        });
        return Ok(());
    };
    let groups = svc.groups().map_err(cx.svc_err())?;
    if let Some(g) = &a.group {
        let (gid, gname) = resolve_group_named(svc.as_ref(), g, lang)?;
        if gid != plan.group && !a.yes {
            let elsewhere = record_group(&plan, &groups, lang);
            let question = format!(
                "{} {elsewhere} · {} · {}, {} {gname}:\n  {}",
                cx.t("Thay đổi cuối của bạn thuộc", "Your last change is in"),
                plan.item,
                plan.period,
                cx.t("không phải", "not"),
                log_line(&plan, &groups, lang)
            );
            if !cx.confirm(&question, cx.t("Chưa hoàn tác gì.", "Nothing was undone."))? {
                return Ok(());
            }
        }
    }
    match svc
        .undo(crate::service::UndoRequest {
            redo,
            expect: Some(plan.seq),
        })
        .map_err(cx.svc_err())?
    {
        None => cx.out().line(cx.t(
            "Không có thay đổi nào của bạn để hoàn tác.",
            "Nothing of yours to undo.",
        )),
        Some(r) => cx.out().line(&format!(
            "{}: {}",
            if redo {
                cx.t("Đã làm lại", "Redone")
            } else {
                cx.t("Đã hoàn tác", "Undone")
            },
            log_line(&r, &groups, lang)
        )),
    }
    Ok(())
}

/// The name of the group an audit record is about ("Cấp phường" for the ward).
pub fn record_group(r: &AuditRecord, groups: &[Group], lang: Lang) -> String {
    if r.group == WARD_GROUP {
        if r.item.is_empty() {
            String::new()
        } else {
            lang.t("Cấp phường", "Ward").to_string()
        }
    } else {
        groups
            .iter()
            .find(|g| g.id == r.group)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| format!("#{}", r.group))
    }
}

/// One audit record as a line people read: "#12 02/12/2026 09:14:03  lan  đánh dấu
/// bước  Tổ dân phố 3 · CK-01 · 2026-Q4  Dân biết: chưa làm → đang làm".
pub fn log_line(r: &AuditRecord, groups: &[Group], lang: Lang) -> String {
    let gname = record_group(r, groups, lang);
    let target: Vec<&str> = [gname.as_str(), r.item.as_str(), r.period.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let changes: Vec<String> = r.changes.iter().map(|c| present::change(c, lang)).collect();
    let undoes = r.undoes.map(|s| format!(" #{s}")).unwrap_or_default();
    format!(
        "#{} {}  {}  {}{undoes}  {}  {}",
        r.seq,
        r.at_local_string(),
        r.actor.label(),
        present::action_name(&r.action, lang),
        target.join(" · "),
        changes.join("; ")
    )
}
