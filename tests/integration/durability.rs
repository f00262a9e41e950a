//! What `mark` has returned is on disk: a kill -9 or a power cut right after loses nothing.

use crate::common::*;
use qcdc::domain::audit::Actor;
use qcdc::domain::step::{Step, StepSet};
use qcdc::domain::ward::Ward as WardRecord;
use qcdc::domain::{Period, StepStatus};
use qcdc::service::local::LocalService;
use qcdc::service::{MarkRequest, NewGroup, Service};
use qcdc::store::Store;

#[test]
fn a_mark_and_its_audit_record_survive_a_crash_right_after_mark_returns() {
    let w = Ward::empty();
    let ward = WardRecord {
        name: "Phường Bền Vững".into(),
        steps: StepSet::Four,
        current_period: None,
        term: None,
    };
    let store = Store::create(&w.db, &ward, &qcdc::data::default_template()).expect("create");
    let today = qcdc::domain::date::parse(TODAY).expect("date");
    let svc = LocalService::new(store, Actor::new("Chị Lan", OS_USER)).with_today(today);
    svc.add_branch("Chi bộ 1").expect("branch");
    let g = svc
        .add_group(NewGroup {
            branch: "Chi bộ 1".into(),
            name: "Tổ dân phố 1".into(),
            households: 200,
            leader: "Nguyễn Văn An".into(),
            front_head: String::new(),
        })
        .expect("group");
    let q4: Period = "2026-Q4".parse().expect("period");
    let entry = svc
        .mark(MarkRequest {
            group: g.id,
            item: "CK-02".into(),
            period: q4,
            step: Step::Biet,
            status: StepStatus::Done,
            note: Some("Niêm yết tại nhà văn hóa".into()),
            base_version: None,
        })
        .expect("mark");
    assert_eq!(entry.status(Step::Biet), StepStatus::Done);

    // The process "dies" here: no drop, no flush on close.
    std::mem::forget(svc);
    let copy = tempfile::tempdir().expect("tempdir");
    let copy_db = copy.path().join("ward.db");
    copy_dir(&w.db, &copy_db);

    let store = Store::open(&copy_db).expect("the copy opens");
    let saved = store
        .entry(q4, g.id, "CK-02")
        .expect("read entry")
        .expect("the mark is on disk");
    assert_eq!(saved.status(Step::Biet), StepStatus::Done);
    assert_eq!(saved.evidence.note, "Niêm yết tại nhà văn hóa");
    assert_eq!(saved.version, entry.version);
    let marks = store.audit(10, &|r| r.action == "mark").expect("audit");
    assert_eq!(marks.len(), 1, "the audit record is on disk with the mark");
    let rec = &marks[0];
    assert_eq!(rec.actor, Actor::new("Chị Lan", OS_USER));
    assert_eq!(
        (rec.group, rec.item.as_str(), rec.period.as_str()),
        (g.id, "CK-02", "2026-Q4")
    );
    assert!(
        rec.changes
            .iter()
            .any(|c| c.field == "step:biet" && c.old == "todo" && c.new == "done"),
        "{:?}",
        rec.changes
    );
    assert_eq!(store.groups().expect("groups").len(), 1);
}

#[test]
fn a_mark_by_one_process_is_seen_by_the_next() {
    let w = small_ward();
    w.ok(&[
        "mark",
        "Tổ dân phố Đồng Tâm",
        "CK-02",
        "biet",
        "done",
        "--note",
        "đã niêm yết",
    ]);
    let row = w.item("Tổ dân phố Đồng Tâm", "CK-02");
    assert_eq!(row["steps"]["biet"], "done");
    assert_eq!(row["version"], 1);
    assert_eq!(done(&row["completion"]), 1);
    w.ok(&["mark", "to dan pho dong tam", "ck-02", "kiem tra", "xong"]);
    let row = w.item("Tổ dân phố Đồng Tâm", "CK-02");
    assert_eq!(
        row["steps"]["kiemtra"], "done",
        "names without diacritics find the group"
    );
    assert_eq!(row["version"], 2);
}
