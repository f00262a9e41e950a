//! A database written by an older qcdc (schema 1) opens and is migrated.

use crate::common::*;
use qcdc::store::records::{GroupV1, GroupV2, decode, encode};

/// Turn a schema-2 database into what qcdc with schema 1 wrote: groups without a
/// front-committee head, and `meta/schema` = 1.
fn downgrade_to_schema_1(db: &std::path::Path) {
    let sled_db = sled::open(db).expect("sled open");
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
