//! Numbered migrations. Each one rewrites what changed and bumps the stored schema
//! version; they run in order on open, so a database from any older qcdc opens.

use super::records::{AuditV1, EntryV1, GroupV1, GroupV2, decode, encode};
use super::{OLD_AUDIT, OLD_ENTRIES, Store, StoreError, split_entry_key, u64_of};
use std::collections::HashMap;

/// Bring `store` from schema `from` up to [`super::SCHEMA_VERSION`].
pub fn run(store: &Store, from: u32) -> Result<(), StoreError> {
    let mut v = from;
    while v < super::SCHEMA_VERSION {
        match v {
            1 => v1_to_v2(store)?, // sets the version itself, atomically
            2 => v2_to_v3(store)?,
            3 => v3_to_v4(store)?,
            4 => v4_to_v5(store)?,
            other => {
                return Err(StoreError::Corrupt {
                    path: store.path().to_path_buf(),
                    detail: format!("unknown schema version {other}"),
                });
            }
        }
        v += 1;
        store.flush()?;
    }
    Ok(())
}

/// Schema 2 added the front-committee head to groups. The rewrite and the new version
/// number are one transaction: a crash leaves schema 1 intact or schema 2 complete.
fn v1_to_v2(store: &Store) -> Result<(), StoreError> {
    use sled::Transactional;
    let tree = store.groups_tree();
    let mut rewritten = Vec::new();
    for kv in tree.iter() {
        let (k, v) = kv.map_err(|e| StoreError::Io {
            path: store.path().to_path_buf(),
            detail: e.to_string(),
        })?;
        let old: GroupV1 = decode(&v).ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            detail: "unreadable schema-1 group record".into(),
        })?;
        rewritten.push((k, encode(&GroupV2::from(old))));
    }
    (tree, store.meta_tree())
        .transaction(|(groups, meta)| {
            for (k, v) in &rewritten {
                groups.insert(k.clone(), v.as_slice())?;
            }
            meta.insert(super::SCHEMA, &2u32.to_be_bytes())?;
            Ok(())
        })
        .map_err(
            |e: sled::transaction::TransactionError<()>| StoreError::Io {
                path: store.path().to_path_buf(),
                detail: format!("{e:?}"),
            },
        )
}

/// Schema 3 moved entries from a key each (`entries`) into sheets and tallies, and the
/// audit trail from a key per record (`audit`) into chunks (`log`); see `records.rs`.
/// The new trees are rebuilt from scratch, then the version is bumped in one write,
/// then the old trees are dropped: a crash before the bump leaves schema 2 whole (the
/// next open starts over); after it, [`drop_schema_2_trees`] finishes the job.
fn v2_to_v3(store: &Store) -> Result<(), StoreError> {
    let path = store.path().to_path_buf();
    let io = |e: sled::Error| super::classify(&path, e);
    let corrupt = |what: &str| StoreError::Corrupt {
        path: path.clone(),
        detail: format!("unreadable schema-2 {what} record"),
    };
    for t in [
        &store.sheets,
        &store.tallies,
        &store.log,
        &store.group_names,
    ] {
        t.clear().map_err(io)?;
    }
    let names = store.db.tree_names();
    let has = |n: &str| names.iter().any(|x| x.as_ref() == n.as_bytes());
    let mut audit = Vec::new();
    if has(OLD_AUDIT) {
        for kv in store.db.open_tree(OLD_AUDIT).map_err(io)?.iter() {
            let (k, v) = kv.map_err(io)?;
            let seq = u64_of(&k).ok_or_else(|| corrupt("audit key"))?;
            let rec = decode::<AuditV1>(&v).ok_or_else(|| corrupt("audit"))?;
            audit.push(rec.into_domain(seq));
        }
    }
    let mut history: HashMap<(u32, String, String), Vec<u64>> = HashMap::new();
    for a in audit.iter().filter(|a| !a.item.is_empty()) {
        history
            .entry((a.group, a.item.clone(), a.period.clone()))
            .or_default()
            .push(a.seq);
    }
    let mut units = super::layout::GroupYears::new();
    if has(OLD_ENTRIES) {
        for kv in store.db.open_tree(OLD_ENTRIES).map_err(io)?.iter() {
            let (k, v) = kv.map_err(io)?;
            let (period, group, item) = split_entry_key(&k).ok_or_else(|| corrupt("entry key"))?;
            let rec = decode::<EntryV1>(&v).ok_or_else(|| corrupt("entry"))?;
            let seqs = history
                .remove(&(group, item.clone(), period.to_string()))
                .unwrap_or_default();
            units
                .entry((group, period.year()))
                .or_default()
                .push((rec.into_domain(group, item, period), seqs));
        }
    }
    let mut w = super::layout::BulkWriter::new(
        &store.sheets,
        &store.tallies,
        &store.log,
        super::snapshot::BULK_BATCH_BYTES,
    );
    for ((group, year), rows) in &units {
        w.put_group_year(*group, *year, rows).map_err(io)?;
    }
    for a in &audit {
        w.put_audit(a).map_err(io)?;
    }
    w.finish().map_err(io)?;
    store.rebuild_group_names()?;
    store.flush()?;
    store
        .meta_tree()
        .insert(super::SCHEMA, &3u32.to_be_bytes())
        .map_err(io)?;
    store.flush()?;
    drop_schema_2_trees(store)
}

/// Remove schema 2's `entries` and `audit` trees from a schema-3 database (left there
/// when a migration was cut off after its version bump). Never creates them.
pub fn drop_schema_2_trees(store: &Store) -> Result<(), StoreError> {
    let names = store.db.tree_names();
    let mut dropped = false;
    for old in [OLD_ENTRIES, OLD_AUDIT] {
        if names.iter().any(|x| x.as_ref() == old.as_bytes()) {
            store
                .db
                .drop_tree(old)
                .map_err(|e| super::classify(store.path(), e))?;
            dropped = true;
        }
    }
    if dropped {
        store.flush()?;
    }
    Ok(())
}

/// Schema 4 (issue 13): entries carry the day an occurrence arose and its title
/// ([`super::records::EntryV2`]), the ward its term ([`super::records::WardV2`]), and
/// every template item its report section. Each sheet is rewritten in place (a sheet
/// of either layout reads, so a crash part-way leaves a database that opens and is
/// finished on the next open); stored items get their section written out (the one
/// of the built-in item of the same code, else the old title rule). Nothing a ward
/// decided changes: its items keep their recurrence and no item is added (a migration is
/// not a user change; the new built-in items come with a new ward or `template add`).
/// The version goes up last.
fn v3_to_v4(store: &Store) -> Result<(), StoreError> {
    use super::records::{SheetV3, WardV2, decode_sheet, decode_ward};
    let path = store.path().to_path_buf();
    let io = |e: sled::Error| super::classify(&path, e);
    let corrupt = |what: &str| StoreError::Corrupt {
        path: path.clone(),
        detail: format!("unreadable schema-3 {what} record"),
    };
    let mut batch = sled::Batch::default();
    let mut pending = 0usize;
    for kv in store.sheets.iter() {
        let (k, v) = kv.map_err(io)?;
        let sheet: SheetV3 = decode_sheet(&v).ok_or_else(|| corrupt("sheet"))?;
        let new = encode(&sheet);
        if new.as_slice() != v.as_ref() {
            batch.insert(k, new);
            pending += 1;
        }
        if pending >= 4096 {
            store
                .sheets
                .apply_batch(std::mem::take(&mut batch))
                .map_err(io)?;
            pending = 0;
        }
    }
    store.sheets.apply_batch(batch).map_err(io)?;
    if let Some(raw) = store.meta_tree().get(super::WARD).map_err(io)? {
        let ward = decode_ward(&raw).ok_or_else(|| corrupt("ward"))?;
        store
            .meta_tree()
            .insert(super::WARD, encode(&WardV2::from(&ward)))
            .map_err(io)?;
    }
    // Items: the JSON read back fills in the section (`Item`'s legacy rule); written
    // out again it names it.
    let mut items = sled::Batch::default();
    for kv in store.items.iter() {
        let (k, v) = kv.map_err(io)?;
        let rec = decode::<super::records::ItemV1>(&v).ok_or_else(|| corrupt("item"))?;
        let order = rec.order;
        let item = rec.into_domain().ok_or_else(|| corrupt("item"))?;
        items.insert(
            k,
            encode(&super::records::ItemV1::from_domain(order, &item)),
        );
    }
    store.items.apply_batch(items).map_err(io)?;
    store.flush()?;
    store
        .meta_tree()
        .insert(super::SCHEMA, &4u32.to_be_bytes())
        .map_err(io)?;
    store.flush()
}

/// Schema 5 (issue 13) keeps the law's deadlines recorded as done with each entry
/// ([`super::records::EntryV3`]) and puts what those deadlines run from in the tallies
/// ([`super::records::TallyRowV2`]), so a report lists late deadlines from the tallies.
/// Every sheet is rewritten in the new layout and every tally rebuilt from the sheets
/// of its group and year. Either layout reads, so a crash part-way leaves a database
/// that opens and is finished on the next open; the version goes up last.
fn v4_to_v5(store: &Store) -> Result<(), StoreError> {
    use super::layout::{split_sheet_key, tally_key};
    use super::records::{SheetV3, TallyV2, decode_sheet};
    use std::collections::BTreeMap;
    let path = store.path().to_path_buf();
    let io = |e: sled::Error| super::classify(&path, e);
    let corrupt = |what: &str| StoreError::Corrupt {
        path: path.clone(),
        detail: format!("unreadable schema-4 {what} record"),
    };
    // Sheets are keyed slot ‖ group and a slot's key starts with its year, so one
    // year's sheets come together: the tallies of a year are built, written, dropped.
    let mut year: Option<u16> = None;
    let mut tallies: BTreeMap<u32, Vec<(crate::domain::period::Period, SheetV3)>> = BTreeMap::new();
    let mut batch = sled::Batch::default();
    let mut pending = 0usize;
    let write_tallies = |y: u16,
                         t: &mut BTreeMap<u32, Vec<(crate::domain::period::Period, SheetV3)>>|
     -> Result<(), StoreError> {
        let mut b = sled::Batch::default();
        for (group, sheets) in std::mem::take(t) {
            let tally = TallyV2::of_sheets(sheets.iter().map(|(p, s)| (*p, s)));
            b.insert(&tally_key(y, group), encode(&tally));
        }
        store.tallies.apply_batch(b).map_err(io)
    };
    for kv in store.sheets.iter() {
        let (k, v) = kv.map_err(io)?;
        let (slot, group) = split_sheet_key(&k).ok_or_else(|| corrupt("sheet key"))?;
        let sheet = decode_sheet(&v).ok_or_else(|| corrupt("sheet"))?;
        let new = encode(&sheet);
        if new.as_slice() != v.as_ref() {
            batch.insert(k, new);
            pending += 1;
        }
        if pending >= 4096 {
            store
                .sheets
                .apply_batch(std::mem::take(&mut batch))
                .map_err(io)?;
            pending = 0;
        }
        if year.is_some_and(|y| y != slot.year()) {
            write_tallies(year.unwrap_or_default(), &mut tallies)?;
        }
        year = Some(slot.year());
        tallies.entry(group).or_default().push((slot, sheet));
    }
    store.sheets.apply_batch(batch).map_err(io)?;
    if let Some(y) = year {
        write_tallies(y, &mut tallies)?;
    }
    store.flush()?;
    store
        .meta_tree()
        .insert(super::SCHEMA, &5u32.to_be_bytes())
        .map_err(io)?;
    store.flush()
}
