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
