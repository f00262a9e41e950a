//! A database written by an older qcdc (schema 1 or 2) opens and is migrated.

use crate::common::*;
use qcdc::store::records::{AuditChunkV1, GroupV1, GroupV2, SheetV1, decode, encode};

/// Turn a schema-3 database into what qcdc with schema 2 wrote: a key per entry in
/// `entries` (period ‖ group ‖ item), a key per audit record in `audit`, no sheets,
/// tallies or log, and `meta/schema` = 2.
fn downgrade_to_schema_2(db: &std::path::Path) {
    let sled_db = crate::common::sled_open(db);
    let entries = sled_db.open_tree("entries").expect("entries");
    let audit = sled_db.open_tree("audit").expect("audit");
    for kv in sled_db.open_tree("sheets").expect("sheets").iter() {
        let (k, v) = kv.expect("row");
        let (slot, group) = qcdc::store::layout::split_sheet_key(&k).expect("sheet key");
        let sheet = qcdc::store::records::decode_sheet(&v).expect("sheet");
        for row in sheet.rows {
            let e = row.entry.base;
            let old = qcdc::store::records::EntryV1 {
                version: e.version,
                steps: e.steps,
                posted_from: e.posted_from,
                posted_to: e.posted_to,
                meeting_date: e.meeting_date,
                vote: e.vote,
                minutes: e.minutes,
                responsible: e.responsible,
                note: e.note,
            };
            entries
                .insert(qcdc::store::entry_key(slot, group, &row.item), encode(&old))
                .expect("entry");
        }
    }
    for kv in sled_db.open_tree("log").expect("log").iter() {
        let (_, v) = kv.expect("row");
        let chunk: AuditChunkV1 = decode(&v).expect("chunk");
        for (seq, rec) in chunk.records {
            audit
                .insert(seq.to_be_bytes(), encode(&rec))
                .expect("audit");
        }
    }
    for t in ["sheets", "tallies", "log"] {
        sled_db.drop_tree(t).expect("drop");
    }
    let meta = sled_db.open_tree("meta").expect("meta");
    meta.insert("schema", &2u32.to_be_bytes()).expect("schema");
    sled_db.flush().expect("flush");
}

#[test]
fn a_schema_2_database_is_migrated_with_its_entries_history_and_report() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "kiemtra", "doing"]);
    w.ok(&["mark", "Tổ dân phố 2", "BQ-01", "ban", "na"]);
    let report = w.ok(&["report", "--format", "json"]).json();
    let log = w.log();
    let export = w.ok(&["export"]).stdout;
    downgrade_to_schema_2(&w.db);

    assert_eq!(w.ok(&["report", "--format", "json"]).json(), report);
    assert_eq!(w.log(), log, "a migration is not a user change");
    assert_eq!(w.ok(&["export"]).stdout, export, "every record came across");
    // The entry's own history is linked again (read without scanning the log).
    let store = qcdc::store::Store::open(&w.db).expect("open");
    assert_eq!(store.schema_version().expect("schema"), 5);
    let g1 = store
        .groups()
        .expect("groups")
        .into_iter()
        .find(|g| g.name == "Tổ dân phố 1")
        .expect("group");
    let q = store
        .entries_of_group(qcdc::domain::Period::Year(2026), g1.id)
        .expect("entries");
    let slot = q
        .iter()
        .find(|e| e.item == "CK-02")
        .map(|e| e.period)
        .unwrap_or(qcdc::domain::Period::Quarter(2026, 4));
    let hist = store.entry_audit(slot, g1.id, "CK-02").expect("history");
    assert_eq!(hist.len(), 2, "{hist:?}");
    assert!(store.check().expect("check").problems.is_empty());
    let names: Vec<String> = sled_open_for_names(&w.db, store)
        .tree_names()
        .into_iter()
        .map(|n| String::from_utf8_lossy(&n).into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n == "entries" || n == "audit"),
        "{names:?}"
    );
}

/// The tree names of a database, after closing `store`.
fn sled_open_for_names(db: &std::path::Path, store: qcdc::store::Store) -> sled::Db {
    drop(store);
    crate::common::sled_open(db)
}

/// Turn a schema-3 database into what qcdc with schema 1 wrote: schema 2's layout, groups
/// without a front-committee head, and `meta/schema` = 1.
fn downgrade_to_schema_1(db: &std::path::Path) {
    downgrade_to_schema_2(db);
    let sled_db = crate::common::sled_open(db);
    let groups = sled_db.open_tree("groups").expect("groups");
    let rows: Vec<_> = groups.iter().map(|kv| kv.expect("row")).collect();
    assert!(!rows.is_empty());
    for (k, v) in rows {
        let g: GroupV2 = decode(&v).expect("a schema-2 group");
        let old = GroupV1 {
            branch: g.branch,
            name: g.name,
            leader: g.leader,
            households: g.households,
        };
        groups.insert(k, encode(&old)).expect("insert");
    }
    let meta = sled_db.open_tree("meta").expect("meta");
    meta.insert("schema", &1u32.to_be_bytes()).expect("schema");
    sled_db.flush().expect("flush");
}

#[test]
fn a_schema_1_database_is_migrated_on_open_and_keeps_its_groups() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    let before = w.groups();
    let log = w.log();
    downgrade_to_schema_1(&w.db);

    let after = w.groups();
    assert_eq!(
        after, before,
        "names, branches, households and leaders survive"
    );
    assert!(after.iter().all(|g| g["front_head"] == ""));
    assert_eq!(w.item("Tổ dân phố 1", "CK-02")["steps"]["biet"], "done");
    assert_eq!(w.log(), log, "a migration is not a user change");

    let store = qcdc::store::Store::open(&w.db).expect("open");
    assert_eq!(
        store.schema_version().expect("schema"),
        qcdc::store::SCHEMA_VERSION
    );
    assert_eq!(store.groups().expect("groups").len(), SMALL_GROUPS.len());
    drop(store);

    // The migrated database takes new schema-2 groups.
    w.ok(&[
        "group",
        "add",
        "Tổ dân phố 4",
        "--branch",
        BRANCH_2,
        "--households",
        "150",
        "--front-head",
        "Mai Văn Tư",
    ]);
    let g4 = w
        .groups()
        .into_iter()
        .find(|g| g["name"] == "Tổ dân phố 4")
        .expect("new group");
    assert_eq!(g4["front_head"], "Mai Văn Tư");
}

/// Turn a schema-4 database into what qcdc with schema 3 wrote: sheets of
/// [`EntryV1`] rows (no occurrence day or title), the ward without its term, items
/// without their report section, and `meta/schema` = 3.
fn downgrade_to_schema_3(db: &std::path::Path) {
    use qcdc::store::records::{EntryV1, ItemV1, SheetRowV1, WardV1, decode_sheet, decode_ward};
    let sled_db = crate::common::sled_open(db);
    let sheets = sled_db.open_tree("sheets").expect("sheets");
    for kv in sheets.iter() {
        let (k, v) = kv.expect("row");
        let sheet = decode_sheet(&v).expect("sheet");
        let old = SheetV1 {
            rows: sheet
                .rows
                .into_iter()
                .map(|r| SheetRowV1 {
                    item: r.item,
                    entry: EntryV1 {
                        version: r.entry.base.version,
                        steps: r.entry.base.steps,
                        posted_from: r.entry.base.posted_from,
                        posted_to: r.entry.base.posted_to,
                        meeting_date: r.entry.base.meeting_date,
                        vote: r.entry.base.vote,
                        minutes: r.entry.base.minutes,
                        responsible: r.entry.base.responsible,
                        note: r.entry.base.note,
                    },
                    audit: r.audit,
                })
                .collect(),
        };
        sheets.insert(k, encode(&old)).expect("sheet");
    }
    let items = sled_db.open_tree("items").expect("items");
    for kv in items.iter() {
        let (k, v) = kv.expect("row");
        let rec: ItemV1 = decode(&v).expect("item");
        let mut json: serde_json::Value = serde_json::from_str(&rec.json).expect("json");
        json.as_object_mut().expect("object").remove("section");
        let old = ItemV1 {
            order: rec.order,
            json: json.to_string(),
        };
        items.insert(k, encode(&old)).expect("item");
    }
    let meta = sled_db.open_tree("meta").expect("meta");
    let ward = decode_ward(&meta.get("ward").expect("get").expect("ward")).expect("ward");
    let old = WardV1 {
        name: ward.name,
        steps: ward.steps.count(),
        current_period: ward.current_period.map(qcdc::domain::Period::to_key),
    };
    meta.insert("ward", encode(&old)).expect("ward");
    meta.insert("schema", &3u32.to_be_bytes()).expect("schema");
    downgrade_tallies_to_v1(&sled_db);
    sled_db.flush().expect("flush");
}

/// Tallies as schema 3 and 4 wrote them: [`TallyV1`] rows, without the dates the law's
/// deadlines run from.
fn downgrade_tallies_to_v1(sled_db: &sled::Db) {
    use qcdc::store::records::{TallyV1, TallyV2};
    let tallies = sled_db.open_tree("tallies").expect("tallies");
    for kv in tallies.iter() {
        let (k, v) = kv.expect("row");
        let t: TallyV2 = decode(&v).expect("a schema-5 tally");
        let old = TallyV1 {
            rows: t.rows.into_iter().map(|r| r.base).collect(),
        };
        tallies.insert(k, encode(&old)).expect("tally");
    }
}

/// Turn a schema-5 database into what qcdc with schema 4 wrote: sheets of [`EntryV2`]
/// rows (no deadlines recorded done), tallies without the deadline dates, and
/// `meta/schema` = 4.
fn downgrade_to_schema_4(db: &std::path::Path) {
    use qcdc::store::records::{SheetRowV2, SheetV2, decode_sheet};
    {
        let sled_db = crate::common::sled_open(db);
        let sheets = sled_db.open_tree("sheets").expect("sheets");
        for kv in sheets.iter() {
            let (k, v) = kv.expect("row");
            let sheet = decode_sheet(&v).expect("sheet");
            let old = SheetV2 {
                rows: sheet
                    .rows
                    .into_iter()
                    .map(|r| SheetRowV2 {
                        item: r.item,
                        entry: r.entry.base,
                        audit: r.audit,
                    })
                    .collect(),
            };
            sheets.insert(k, encode(&old)).expect("sheet");
        }
        let meta = sled_db.open_tree("meta").expect("meta");
        meta.insert("schema", &4u32.to_be_bytes()).expect("schema");
        downgrade_tallies_to_v1(&sled_db);
        sled_db.flush().expect("flush");
    }
}

/// Issue 13: schema 5 keeps the law's deadlines recorded done with each entry and puts
/// what the deadlines run from (the posting's first day, the day an occurrence arose)
/// in the tallies. A schema-4 database opens, is rewritten, and reports, logs and
/// exports as before; its tallies now carry the occurrence day, so the report can list
/// a late disclosure (Điều 12 khoản 3) from them.
#[test]
fn a_schema_4_database_is_migrated_to_5_with_deadline_dates_in_its_tallies() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&[
        "event",
        "add",
        "Tổ dân phố 2",
        "BQ-01",
        "--date",
        "2026-03-02",
        "--title",
        "Đường hẻm 12",
    ]);
    let report = w.ok(&["report", "--format", "json"]).json();
    let log = w.log();
    let export = w.ok(&["export"]).stdout;
    downgrade_to_schema_4(&w.db);
    {
        let sled_db = crate::common::sled_open(&w.db);
        let tallies = sled_db.open_tree("tallies").expect("tallies");
        for kv in tallies.iter() {
            let (_, v) = kv.expect("row");
            assert!(decode::<qcdc::store::records::TallyV2>(&v).is_none());
        }
    }
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), report);
    assert_eq!(w.log(), log, "a migration is not a user change");
    assert_eq!(w.ok(&["export"]).stdout, export, "every record came across");
    let store = qcdc::store::Store::open(&w.db).expect("open");
    assert_eq!(store.schema_version().expect("schema"), 5);
    drop(store);
    let sled_db = crate::common::sled_open(&w.db);
    for kv in sled_db.open_tree("sheets").expect("sheets").iter() {
        let (_, v) = kv.expect("row");
        assert!(decode::<qcdc::store::records::SheetV3>(&v).is_some());
    }
    let mut occurred = Vec::new();
    for kv in sled_db.open_tree("tallies").expect("tallies").iter() {
        let (_, v) = kv.expect("row");
        let t: qcdc::store::records::TallyV2 = decode(&v).expect("a schema-5 tally");
        occurred.extend(
            t.rows
                .iter()
                .filter(|r| r.item() == "BQ-01")
                .filter_map(|r| r.occurred),
        );
    }
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    use chrono::Datelike;
    assert_eq!(occurred, vec![day.num_days_from_ce()]);
}

/// Issue 13: schema 4 adds the occurrence day and title to entries, the term to the
/// ward and the report section to items. A schema-3 database opens, is rewritten, and
/// reports, logs and exports as before; GS-02 (NĐ 59/2023 Điều 10, the annual meeting
/// plan) reads back in section IV, not V where its title put it.
#[test]
fn a_schema_3_database_is_migrated_to_4_with_sections_and_occurrences() {
    let w = small_ward();
    w.ok(&["mark", "Tổ dân phố 1", "CK-02", "biet", "done"]);
    w.ok(&["mark", "Tổ dân phố 2", "BQ-01", "ban", "doing"]);
    let report = w.ok(&["report", "--format", "json"]).json();
    let log = w.log();
    let export = w.ok(&["export"]).stdout;
    downgrade_to_schema_3(&w.db);
    {
        let sled_db = crate::common::sled_open(&w.db);
        let meta = sled_db.open_tree("meta").expect("meta");
        assert_eq!(
            meta.get("schema").expect("get").expect("schema").as_ref(),
            &3u32.to_be_bytes()
        );
    }
    assert_eq!(w.ok(&["report", "--format", "json"]).json(), report);
    assert_eq!(w.log(), log, "a migration is not a user change");
    assert_eq!(w.ok(&["export"]).stdout, export, "every record came across");
    let store = qcdc::store::Store::open(&w.db).expect("open");
    assert_eq!(store.schema_version().expect("schema"), 5);
    let t = store.template().expect("template");
    assert_eq!(
        t.get("GS-02").expect("GS-02").section,
        qcdc::domain::template::Section::Inspection
    );
    drop(store);
    // Stored in the newest layout: every sheet reads as schema 5's.
    let sled_db = crate::common::sled_open(&w.db);
    for kv in sled_db.open_tree("sheets").expect("sheets").iter() {
        let (_, v) = kv.expect("row");
        assert!(decode::<qcdc::store::records::SheetV3>(&v).is_some());
    }
}

/// A ward created before BQ-13, BQ-14 and BQ-15 existed (Điều 21 khoản 2; NĐ 61/2023
/// Điều 15, 16, 18) keeps its template through the migration; `template add --built-in`
/// adds the built-in items it lacks, audited, and nothing twice.
#[test]
fn an_older_ward_takes_the_new_built_in_items_when_asked() {
    let w = small_ward();
    {
        let sled_db = crate::common::sled_open(&w.db);
        let items = sled_db.open_tree("items").expect("items");
        for code in ["BQ-13", "BQ-14", "BQ-15"] {
            items.remove(code).expect("remove");
        }
        sled_db.flush().expect("flush");
    }
    assert!(!w.ok(&["template", "list"]).stdout.contains("BQ-13"));
    let dry = w.ok(&["template", "add", "--built-in", "--dry-run"]);
    assert!(
        dry.stdout.contains("3 mục (BQ-13, BQ-14, BQ-15)"),
        "{}",
        dry.stdout
    );
    assert!(!w.ok(&["template", "list"]).stdout.contains("BQ-13"));
    let out = w.ok(&["template", "add", "--built-in"]);
    assert!(out.stdout.starts_with("Đã thêm: 3 mục"), "{}", out.stdout);
    assert!(w.ok(&["template", "list"]).stdout.contains("BQ-13"));
    assert_eq!(w.log()[0]["action"], "add-item");
    let again = w.ok(&["template", "add", "--built-in"]);
    assert!(again.stdout.contains(": 0 mục"), "{}", again.stdout);
}
