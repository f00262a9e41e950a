//! The store: the only module that knows sled and bincode.
//!
//! Trees (all integer keys big-endian, so ordering and prefix scans work):
//! - `meta`: `schema` → u32, `ward` → [`WardV2`], `next_branch`/`next_group` → u32,
//!   `next_audit` → u64;
//! - `branches`: branch id → [`BranchV1`];
//! - `groups`: group id → [`GroupV2`];
//! - `items`: item code → [`ItemV1`] (the template the ward uses);
//! - `sheets`: slot period (4 bytes) ‖ group id → [`SheetV3`], the group's entries
//!   kept for that period, each with the audit records that changed it;
//! - `tallies`: year ‖ group id → [`TallyV2`], what reports count of those entries;
//! - `log`: `seq / AUDIT_CHUNK` → [`AuditChunkV1`], the audit trail.
//!
//! Every user edit, its tally and its audit record go in one transaction, then the
//! database is flushed before the call returns. (Schema 2 kept a key per entry and per
//! audit record in `entries` and `audit`; see `migrate.rs`.)

pub mod figures;
pub mod guard;
pub mod items;
pub mod layout;
pub mod migrate;
pub mod records;
pub mod roster;
pub mod snapshot;

use crate::data::WardData;
use crate::domain::audit::{Actor, AuditRecord, Change};
use crate::domain::entry::{Entry, EntryFacts};
use crate::domain::period::Period;
use crate::domain::template::{Item, Template};
use crate::domain::ward::{Branch, BranchId, Group, GroupId, WARD_GROUP, Ward};
use layout::{sheet_key, split_sheet_key, split_tally_key, tx_append_audit, tx_put_entries};
use records::*;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// sled's page cache. Its default (1 GB) let a bulk load of a city grow to 450 MB for
/// nothing: a report reads a few megabytes of tallies a year, a checklist a few pages.
/// Measured in BENCHMARKS.md.
const CACHE_BYTES: u64 = 64 << 20;

/// The page cache of the databases this process opens from now on.
static CACHE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(CACHE_BYTES);

/// A command that reads or writes the whole database once (export, backup, import,
/// restore) gains nothing from cached pages: it sets a smaller cache before opening.
/// (sled also holds up to 64 pages per cache shard before it counts them, about
/// 150 MB on a full scan at city scale, whatever the cache; see BENCHMARKS.md.)
pub fn set_page_cache(bytes: u64) {
    CACHE.store(bytes.max(1 << 20), std::sync::atomic::Ordering::Relaxed);
}

/// The cache [`set_page_cache`] sets for whole-database commands.
pub const SCAN_CACHE_BYTES: u64 = 16 << 20;

/// The schema this build writes. Older ones are migrated on open.
pub const SCHEMA_VERSION: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {path} is in use by another qcdc process")]
    Locked { path: PathBuf },
    #[error("no database at {path}")]
    NotFound { path: PathBuf },
    #[error("{path} is not a qcdc database (no ward in it)")]
    NotInitialized { path: PathBuf },
    #[error("{path} already holds a ward")]
    AlreadyInitialized { path: PathBuf },
    #[error(
        "the database {path} was written by a newer qcdc (schema {found}, this one reads up to {supported})"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("the database {path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("cannot write to {path}: {detail}")]
    NotWritable { path: PathBuf, detail: String },
    #[error("the disk holding {path} is full")]
    DiskFull { path: PathBuf },
    #[error("database error at {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("the entry changed since you read it (now version {})", current.version)]
    Conflict { current: Box<Entry> },
    #[error("{0}")]
    Invalid(String),
}

/// A sequence of integers stored in `meta`.
const NEXT_BRANCH: &[u8] = b"next_branch";
const NEXT_GROUP: &[u8] = b"next_group";
const NEXT_AUDIT: &[u8] = b"next_audit";
const SCHEMA: &[u8] = b"schema";
const WARD: &[u8] = b"ward";
/// The ward's document settings (`domain::settings::DocSettings`), JSON so that fields
/// can be added without a migration.
const DOC_SETTINGS: &[u8] = b"doc_settings";

/// A period's narrative (`domain::narrative::Narrative`) under this prefix and the
/// period's key, JSON. Carried by export and backup with the other `meta` keys.
const NARRATIVE: &[u8] = b"narrative:";

/// Cheap to clone: sled's handles are shared, so the ward server gives each connection
/// its own service over the same database.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    meta: sled::Tree,
    branches: sled::Tree,
    groups: sled::Tree,
    items: sled::Tree,
    sheets: sled::Tree,
    tallies: sled::Tree,
    log: sled::Tree,
    group_names: sled::Tree,
    members: sled::Tree,
    /// Failed PIN attempts per member ([`LoginsV1`]); not part of exports or backups.
    logins: sled::Tree,
}

/// Schema 2's trees, read only by the migration.
pub(crate) const OLD_ENTRIES: &str = "entries";
pub(crate) const OLD_AUDIT: &str = "audit";

/// Schema 2's entry key: period (4 bytes) ‖ group id ‖ item code.
pub fn entry_key(period: Period, group: GroupId, item: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + item.len());
    k.extend_from_slice(&period.to_key());
    k.extend_from_slice(&group.to_be_bytes());
    k.extend_from_slice(item.as_bytes());
    k
}

pub(crate) fn split_entry_key(k: &[u8]) -> Option<(Period, GroupId, String)> {
    if k.len() < 8 {
        return None;
    }
    let period = Period::from_key([k[0], k[1], k[2], k[3]])?;
    let group = u32::from_be_bytes([k[4], k[5], k[6], k[7]]);
    let item = String::from_utf8(k[8..].to_vec()).ok()?;
    Some((period, group, item))
}

fn u32_of(v: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(v.try_into().ok()?))
}

fn u64_of(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

impl Store {
    fn map_err(&self, e: sled::Error) -> StoreError {
        classify(&self.path, e)
    }

    fn corrupt(&self, what: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("unreadable {what} record"),
        }
    }

    fn open_sled(path: &Path) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .mode(sled::Mode::HighThroughput)
            .cache_capacity(CACHE.load(std::sync::atomic::Ordering::Relaxed))
            .open()
            .map_err(|e| classify(path, e))?;
        let t = |name: &str| db.open_tree(name).map_err(|e| classify(path, e));
        Ok(Store {
            path: path.to_path_buf(),
            meta: t("meta")?,
            branches: t("branches")?,
            groups: t("groups")?,
            items: t("items")?,
            sheets: t("sheets")?,
            tallies: t("tallies")?,
            log: t("log")?,
            group_names: t("group_names")?,
            members: t("members")?,
            logins: t("logins")?,
            db,
        })
    }

    /// Open an existing qcdc database. Never creates or resets anything.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !looks_like_sled(path) {
            // Let sled near nothing that is not already a sled database: it would create
            // files beside (or over) whatever is there.
            if let Some(detail) = partial_sled(path) {
                // Part of a database (a half-copied folder): damaged, not "no ward" —
                // which would invite creating a new ward over the remains.
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail,
                });
            }
            return Err(if !path.exists() || is_empty_dir(path) {
                StoreError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                StoreError::NotInitialized {
                    path: path.to_path_buf(),
                }
            });
        }
        // A damaged database stays as it is: sled's recovery runs on a copy first.
        guard::preflight(path)?;
        let store = Store::open_sled(path)?;
        let version = store.schema_version()?;
        if version == 0
            || store
                .meta
                .get(WARD)
                .map_err(|e| store.map_err(e))?
                .is_none()
        {
            return Err(StoreError::NotInitialized {
                path: path.to_path_buf(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            migrate::run(&store, version)?;
        } else {
            migrate::drop_schema_2_trees(&store)?;
        }
        Ok(store)
    }

    /// Open a database this process has just closed. sled's I/O threads let go of the
    /// file a moment after the last handle is dropped, so "in use" is retried for up to
    /// three seconds here (and only here: another process holding it is not waited for
    /// anywhere else).
    pub fn reopen(path: &Path) -> Result<Store, StoreError> {
        let start = std::time::Instant::now();
        loop {
            match Store::open(path) {
                Err(StoreError::Locked { .. })
                    if start.elapsed() < std::time::Duration::from_secs(3) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Create a new database with a ward and its template. Refuses a path that already
    /// holds a ward.
    pub fn create(path: &Path, ward: &Ward, template: &Template) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::NotWritable {
                path: parent.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        if path.exists() && !is_empty_dir(path) && !looks_like_sled(path) {
            // A folder with other files in it: never put a database among them.
            return Err(StoreError::NotInitialized {
                path: path.to_path_buf(),
            });
        }
        if looks_like_sled(path) {
            guard::preflight(path)?;
        }
        let store = Store::open_sled(path)?;
        guard::remember(path);
        if store
            .meta
            .get(WARD)
            .map_err(|e| store.map_err(e))?
            .is_some()
        {
            return Err(StoreError::AlreadyInitialized {
                path: path.to_path_buf(),
            });
        }
        let mut items = sled::Batch::default();
        for (i, item) in template.items.iter().enumerate() {
            items.insert(
                item.code.as_bytes(),
                encode(&ItemV1::from_domain(i as u32, item)),
            );
        }
        store
            .items
            .apply_batch(items)
            .map_err(|e| store.map_err(e))?;
        // The ward record goes last: a database without it is "not initialised", so an
        // interrupted create is never mistaken for a ward.
        store
            .meta
            .insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())
            .map_err(|e| store.map_err(e))?;
        store
            .meta
            .insert(WARD, encode(&WardV2::from(ward)))
            .map_err(|e| store.map_err(e))?;
        store.flush()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(|e| self.map_err(e))
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get(SCHEMA)
            .map_err(|e| self.map_err(e))?
            .and_then(|v| u32_of(&v))
            .unwrap_or(0))
    }

    pub(crate) fn meta_tree(&self) -> &sled::Tree {
        &self.meta
    }

    pub(crate) fn groups_tree(&self) -> &sled::Tree {
        &self.groups
    }

    pub fn ward(&self) -> Result<Ward, StoreError> {
        let raw = self
            .meta
            .get(WARD)
            .map_err(|e| self.map_err(e))?
            .ok_or_else(|| StoreError::NotInitialized {
                path: self.path.clone(),
            })?;
        decode_ward(&raw).ok_or_else(|| self.corrupt("ward"))
    }

    pub fn branches(&self) -> Result<Vec<Branch>, StoreError> {
        self.branches
            .iter()
            .map(|kv| {
                let (k, v) = kv.map_err(|e| self.map_err(e))?;
                let id = u32_of(&k).ok_or_else(|| self.corrupt("branch"))?;
                decode::<BranchV1>(&v)
                    .map(|b| b.into_domain(id))
                    .ok_or_else(|| self.corrupt("branch"))
            })
            .collect()
    }

    pub fn groups(&self) -> Result<Vec<Group>, StoreError> {
        self.groups
            .iter()
            .map(|kv| {
                let (k, v) = kv.map_err(|e| self.map_err(e))?;
                let id = u32_of(&k).ok_or_else(|| self.corrupt("group"))?;
                decode::<GroupV2>(&v)
                    .map(|g| g.into_domain(id))
                    .ok_or_else(|| self.corrupt("group"))
            })
            .collect()
    }

    /// One group by id (a point lookup: edits must not cost in proportion to the ward).
    pub fn group(&self, id: GroupId) -> Result<Option<Group>, StoreError> {
        match self
            .groups
            .get(id.to_be_bytes())
            .map_err(|e| self.map_err(e))?
        {
            None => Ok(None),
            Some(v) => decode::<GroupV2>(&v)
                .map(|g| Some(g.into_domain(id)))
                .ok_or_else(|| self.corrupt("group")),
        }
    }

    /// The groups whose name folds like `name` (through the name index: a lookup, not a
    /// scan of every group).
    pub fn groups_named(&self, name: &str) -> Result<Vec<Group>, StoreError> {
        let prefix = layout::group_name_prefix(name);
        let mut out = Vec::new();
        for kv in self.group_names.scan_prefix(&prefix) {
            let (k, _) = kv.map_err(|e| self.map_err(e))?;
            let id = k
                .get(prefix.len()..)
                .and_then(u32_of)
                .ok_or_else(|| self.corrupt("group name index"))?;
            if let Some(g) = self.group(id)? {
                out.push(g);
            }
        }
        Ok(out)
    }

    /// Rebuild the group-name index from the groups (a migration, `check --repair`).
    pub(crate) fn rebuild_group_names(&self) -> Result<(), StoreError> {
        self.group_names.clear().map_err(|e| self.map_err(e))?;
        let mut b = sled::Batch::default();
        for g in self.groups()? {
            b.insert(layout::group_name_key(&g.name, g.id), &[]);
        }
        self.group_names.apply_batch(b).map_err(|e| self.map_err(e))
    }

    pub fn template(&self) -> Result<Template, StoreError> {
        let mut items: Vec<(u32, Item)> = self
            .items
            .iter()
            .map(|kv| {
                let (_, v) = kv.map_err(|e| self.map_err(e))?;
                let rec = decode::<ItemV1>(&v).ok_or_else(|| self.corrupt("item"))?;
                let order = rec.order;
                rec.into_domain()
                    .map(|i| (order, i))
                    .ok_or_else(|| self.corrupt("item"))
            })
            .collect::<Result<_, _>>()?;
        items.sort_by_key(|(o, _)| *o);
        Ok(Template {
            items: items.into_iter().map(|(_, i)| i).collect(),
        })
    }

    fn sheet(&self, slot: Period, group: GroupId) -> Result<Option<SheetV3>, StoreError> {
        match self
            .sheets
            .get(sheet_key(slot, group))
            .map_err(|e| self.map_err(e))?
        {
            None => Ok(None),
            Some(v) => decode_sheet(&v)
                .map(Some)
                .ok_or_else(|| self.corrupt("sheet")),
        }
    }

    pub fn entry(
        &self,
        period: Period,
        group: GroupId,
        item: &str,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self.sheet(period, group)?.and_then(|s| {
            s.row(item)
                .map(|r| r.entry.clone().into_domain(group, item.to_string(), period))
        }))
    }

    /// The audit records that changed one entry, oldest first.
    pub fn entry_audit(
        &self,
        period: Period,
        group: GroupId,
        item: &str,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let seqs = self
            .sheet(period, group)?
            .and_then(|s| s.row(item).map(|r| r.audit.clone()))
            .unwrap_or_default();
        let mut out = Vec::with_capacity(seqs.len());
        let mut chunk: Option<(u64, AuditChunkV1)> = None;
        for seq in seqs {
            let id = seq / AUDIT_CHUNK;
            if chunk.as_ref().is_none_or(|(c, _)| *c != id) {
                chunk = self.chunk(id)?.map(|c| (id, c));
            }
            if let Some((_, ch)) = &chunk
                && let Some((_, r)) = ch.records.iter().find(|(s, _)| *s == seq)
            {
                out.push(r.clone().into_domain(seq));
            }
        }
        Ok(out)
    }

    fn chunk(&self, id: u64) -> Result<Option<AuditChunkV1>, StoreError> {
        match self
            .log
            .get(id.to_be_bytes())
            .map_err(|e| self.map_err(e))?
        {
            None => Ok(None),
            Some(v) => decode::<AuditChunkV1>(&v)
                .map(Some)
                .ok_or_else(|| self.corrupt("audit")),
        }
    }

    /// All stored entries of exactly this period (every group).
    pub fn entries_of(&self, period: Period) -> Result<Vec<Entry>, StoreError> {
        let mut out = Vec::new();
        for kv in self.sheets.scan_prefix(period.to_key()) {
            let (k, v) = kv.map_err(|e| self.map_err(e))?;
            let (slot, group) = split_sheet_key(&k).ok_or_else(|| self.corrupt("sheet key"))?;
            let sheet = decode_sheet(&v).ok_or_else(|| self.corrupt("sheet"))?;
            out.extend(sheet.entries(slot, group));
        }
        Ok(out)
    }

    /// Stored entries of one group in one period.
    pub fn entries_of_group(
        &self,
        period: Period,
        group: GroupId,
    ) -> Result<Vec<Entry>, StoreError> {
        Ok(self
            .sheet(period, group)?
            .map(|s| s.entries(period, group))
            .unwrap_or_default())
    }

    /// What reports count of every stored entry of `year` (see [`EntryFacts`]), one
    /// group at a time in group order, read in place from the tallies: a report reads
    /// one small record per group and copies nothing per entry.
    pub fn report_facts(
        &self,
        year: u16,
        from: GroupId,
        to: Option<GroupId>,
        each: &mut dyn FnMut(GroupId, &[EntryFacts<'_>]),
    ) -> Result<(), StoreError> {
        let start = layout::tally_key(year, from).to_vec();
        // Years stop at 2999 (period.rs), so year + 1 never wraps.
        let end = match to {
            Some(t) => layout::tally_key(year, t).to_vec(),
            None => year.saturating_add(1).to_be_bytes().to_vec(),
        };
        for kv in self.tallies.range(start..end) {
            let (k, v) = kv.map_err(|e| self.map_err(e))?;
            let (_, group) = split_tally_key(&k).ok_or_else(|| self.corrupt("tally key"))?;
            // Schema 5's tallies; schema 4's only while a migration is unfinished.
            let facts = match decode_borrowed::<TallyRefV2>(&v) {
                Some(t) => t.rows.iter().map(TallyRowRefV2::facts).collect(),
                None => decode_borrowed::<TallyRef>(&v)
                    .and_then(|t| t.rows.iter().map(TallyRowRef::facts).collect()),
            }
            .ok_or_else(|| self.corrupt("tally"))?;
            let facts: Vec<EntryFacts<'_>> = facts;
            each(group, &facts);
        }
        Ok(())
    }

    /// The periods that have at least one stored entry, oldest first.
    pub fn periods(&self) -> Result<Vec<Period>, StoreError> {
        let mut out = Vec::new();
        let mut from: Vec<u8> = Vec::new();
        while let Some(kv) = self.sheets.range(from.clone()..).next() {
            let (k, _) = kv.map_err(|e| self.map_err(e))?;
            let key: [u8; 4] = k
                .get(..4)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| self.corrupt("sheet key"))?;
            if let Some(p) = Period::from_key(key) {
                out.push(p);
            }
            // Jump past every key of this period.
            let mut next = key.to_vec();
            next.extend_from_slice(&[0xFF; 5]);
            from = next;
        }
        out.sort();
        Ok(out)
    }

    /// Change one entry: read it (or a blank one), let `edit` change it, and write it
    /// with its tally and audit record in one transaction, then flush. `base_version`,
    /// when given, must match the stored version, or nothing is written and the current
    /// entry is returned in [`StoreError::Conflict`]. Returns the saved entry and the
    /// audit record (`None` when the edit changed nothing).
    #[allow(clippy::too_many_arguments)]
    pub fn update_entry(
        &self,
        period: Period,
        group: GroupId,
        item: &str,
        base_version: Option<u64>,
        actor: &Actor,
        action: &str,
        undoes: Option<u64>,
        at_ms: i64,
        edit: &dyn Fn(&mut Entry),
    ) -> Result<(Entry, Option<AuditRecord>), StoreError> {
        let key = sheet_key(period, group);
        let corrupt = || self.corrupt("sheet");
        let result = (&self.sheets, &self.tallies, &self.log, &self.meta).transaction(
            |(sheets, tallies, log, meta)| {
                let current = match sheets.get(key)? {
                    Some(v) => decode_sheet(&v)
                        .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))?
                        .row(item)
                        .map(|r| r.entry.clone().into_domain(group, item.to_string(), period)),
                    None => None,
                }
                .unwrap_or_else(|| Entry::new(group, item, period));
                if let Some(base) = base_version
                    && base != current.version
                {
                    return Err(ConflictableTransactionError::Abort(StoreError::Conflict {
                        current: Box::new(current),
                    }));
                }
                let mut next = current.clone();
                edit(&mut next);
                let changes: Vec<Change> = Entry::diff(&current, &next);
                if changes.is_empty() {
                    return Ok((current, None));
                }
                next.version = current.version + 1;
                let rec = AuditRecord {
                    seq: 0,
                    at_ms,
                    actor: actor.clone(),
                    action: action.to_string(),
                    group,
                    item: item.to_string(),
                    period: period.to_string(),
                    changes,
                    undoes,
                };
                let rec = tx_append_audit(log, meta, &[rec], &corrupt)?
                    .pop()
                    .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))?;
                tx_put_entries(sheets, tallies, &[(&next, Some(rec.seq))], &corrupt)?;
                Ok((next, Some(rec)))
            },
        );
        let out = result.map_err(|e| self.tx_err(e))?;
        if out.1.is_some() {
            self.flush()?;
        }
        Ok(out)
    }

    fn tx_err(&self, e: TransactionError<StoreError>) -> StoreError {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => self.map_err(e),
        }
    }

    /// Append an audit record for a structural change (branch, group, import…),
    /// written in the same transaction as `records` into `tree`.
    fn write_with_audit(
        &self,
        tree: &sled::Tree,
        records: &[(Vec<u8>, Vec<u8>)],
        counters: &[(&[u8], u32)],
        rec: AuditRecord,
    ) -> Result<AuditRecord, StoreError> {
        let corrupt = || self.corrupt("audit");
        let out = (tree, &self.log, &self.meta)
            .transaction(|(t, log, meta)| {
                for (k, v) in records {
                    t.insert(k.as_slice(), v.as_slice())?;
                }
                for (name, value) in counters {
                    meta.insert(*name, &value.to_be_bytes())?;
                }
                tx_append_audit(log, meta, std::slice::from_ref(&rec), &corrupt)?
                    .pop()
                    .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))
            })
            .map_err(|e: TransactionError<StoreError>| self.tx_err(e))?;
        self.flush()?;
        Ok(out)
    }

    fn next_id(&self, key: &[u8]) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get(key)
            .map_err(|e| self.map_err(e))?
            .and_then(|v| u32_of(&v))
            .unwrap_or(1))
    }

    pub fn add_branch(&self, name: &str, actor: &Actor, at_ms: i64) -> Result<Branch, StoreError> {
        // One writer at a time picks the id: sled transactions retry on conflict, and the
        // counter is re-read inside, so two adds never share an id.
        let id = self.next_id(NEXT_BRANCH)?;
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "add-branch".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes: vec![Change {
                field: "branch".into(),
                old: String::new(),
                new: name.to_string(),
            }],
            undoes: None,
        };
        self.write_with_audit(
            &self.branches,
            &[(
                id.to_be_bytes().to_vec(),
                encode(&BranchV1 {
                    name: name.to_string(),
                }),
            )],
            &[(NEXT_BRANCH, id + 1)],
            rec,
        )?;
        Ok(Branch {
            id,
            name: name.to_string(),
        })
    }

    pub fn add_group(&self, group: &Group, actor: &Actor, at_ms: i64) -> Result<Group, StoreError> {
        let id = self.next_id(NEXT_GROUP)?;
        let mut g = group.clone();
        g.id = id;
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "add-group".into(),
            group: id,
            item: String::new(),
            period: String::new(),
            changes: vec![
                Change {
                    field: "group".into(),
                    old: String::new(),
                    new: g.name.clone(),
                },
                Change {
                    field: "households".into(),
                    old: String::new(),
                    new: g.households.to_string(),
                },
            ],
            undoes: None,
        };
        let corrupt = || self.corrupt("audit");
        (&self.groups, &self.group_names, &self.log, &self.meta)
            .transaction(|(tg, tn, tl, tm)| {
                tg.insert(&id.to_be_bytes(), encode(&GroupV2::from(&g)))?;
                tn.insert(layout::group_name_key(&g.name, id), &[])?;
                tm.insert(NEXT_GROUP, &(id + 1).to_be_bytes())?;
                tx_append_audit(tl, tm, std::slice::from_ref(&rec), &corrupt)?;
                Ok(())
            })
            .map_err(|e: TransactionError<StoreError>| self.tx_err(e))?;
        self.flush()?;
        Ok(g)
    }

    /// Load a whole ward (demo or import) in one transaction: branches, groups and
    /// entries appear together or not at all. Existing branches and groups with the
    /// same name (ignoring diacritics and case) are reused, so loading the same roster
    /// twice changes nothing.
    pub fn load_ward_data(
        &self,
        data: &WardData,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<LoadSummary, StoreError> {
        use crate::domain::text::fold;
        let template = self.template()?;
        let existing_branches = self.branches()?;
        let existing_groups = self.groups()?;
        let mut branch_ids: HashMap<String, BranchId> = existing_branches
            .iter()
            .map(|b| (fold(&b.name), b.id))
            .collect();
        let mut group_ids: HashMap<String, GroupId> = existing_groups
            .iter()
            .map(|g| (fold(&g.name), g.id))
            .collect();
        let mut next_branch = self.next_id(NEXT_BRANCH)?;
        let mut next_group = self.next_id(NEXT_GROUP)?;
        let mut new_branches = Vec::new();
        let mut new_groups = Vec::new();
        let mut summary = LoadSummary::default();
        for b in &data.branches {
            let bid = *branch_ids.entry(fold(&b.name)).or_insert_with(|| {
                let id = next_branch;
                next_branch += 1;
                new_branches.push((
                    id,
                    BranchV1 {
                        name: b.name.clone(),
                    },
                ));
                summary.branches_added += 1;
                id
            });
            for g in &b.groups {
                if group_ids.contains_key(&fold(&g.name)) {
                    continue;
                }
                let id = next_group;
                next_group += 1;
                group_ids.insert(fold(&g.name), id);
                new_groups.push(Group {
                    id,
                    branch: bid,
                    name: g.name.clone(),
                    leader: g.leader.clone(),
                    front_head: g.front_head.clone(),
                    households: g.households,
                });
                summary.groups_added += 1;
            }
        }
        let mut new_entries = Vec::new();
        for e in &data.entries {
            let gid = match &e.group {
                None => WARD_GROUP,
                Some(name) => *group_ids
                    .get(&fold(name))
                    .ok_or_else(|| StoreError::Invalid(format!("unknown group {name}")))?,
            };
            let item = template
                .get(&e.item)
                .ok_or_else(|| StoreError::Invalid(format!("unknown item {}", e.item)))?;
            let mut entry = Entry::new(gid, &item.code, e.period);
            for (step, status) in &e.steps {
                entry.steps[step.index()] = *status;
            }
            entry.evidence.posted_from = e.posted_from;
            entry.evidence.posted_to = e.posted_to;
            entry.evidence.meeting_date = e.meeting_date;
            entry.evidence.vote = e.vote;
            entry.evidence.minutes = e.minutes.clone();
            entry.evidence.responsible = e.responsible.clone();
            entry.evidence.note = e.note.clone();
            entry.version = 1;
            new_entries.push(entry);
        }
        summary.entries_written = new_entries.len();
        if new_branches.is_empty() && new_groups.is_empty() && new_entries.is_empty() {
            return Ok(summary);
        }
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "load".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes: vec![Change {
                field: "ward".into(),
                old: String::new(),
                new: format!(
                    "+{} branches, +{} groups, {} entries",
                    summary.branches_added, summary.groups_added, summary.entries_written
                ),
            }],
            undoes: None,
        };
        let corrupt = || self.corrupt("sheet");
        (
            &self.branches,
            &self.groups,
            &self.group_names,
            &self.sheets,
            &self.tallies,
            &self.log,
            &self.meta,
        )
            .transaction(|(tb, tg, tn, ts, tt, tl, tm)| {
                for (id, b) in &new_branches {
                    tb.insert(&id.to_be_bytes(), encode(b))?;
                }
                for g in &new_groups {
                    tg.insert(&g.id.to_be_bytes(), encode(&GroupV2::from(g)))?;
                    tn.insert(layout::group_name_key(&g.name, g.id), &[])?;
                }
                tm.insert(NEXT_BRANCH, &next_branch.to_be_bytes())?;
                tm.insert(NEXT_GROUP, &next_group.to_be_bytes())?;
                tx_append_audit(tl, tm, std::slice::from_ref(&rec), &corrupt)?;
                let rows: Vec<(&Entry, Option<u64>)> =
                    new_entries.iter().map(|e| (e, None)).collect();
                tx_put_entries(ts, tt, &rows, &corrupt)?;
                Ok(())
            })
            .map_err(|e: TransactionError<StoreError>| self.tx_err(e))?;
        self.flush()?;
        Ok(summary)
    }

    /// Bulk writes for the benchmark generator: branches and groups, then each group's
    /// entries one year at a time, each entry with one audit record (as if a cadre had
    /// entered it), in sled batches of about `batch_bytes` (large batches make sled's
    /// memory balloon; see BENCHMARKS.md).
    pub fn bulk_load(
        &self,
        branches: &[Branch],
        groups: &[Group],
        units: &mut dyn Iterator<Item = (GroupId, u16, Vec<Entry>)>,
        actor: &Actor,
        at_ms: i64,
        batch_bytes: usize,
    ) -> Result<usize, StoreError> {
        let mut b = sled::Batch::default();
        for br in branches {
            b.insert(
                &br.id.to_be_bytes(),
                encode(&BranchV1 {
                    name: br.name.clone(),
                }),
            );
        }
        self.branches.apply_batch(b).map_err(|e| self.map_err(e))?;
        let mut g = sled::Batch::default();
        let mut names = sled::Batch::default();
        for gr in groups {
            g.insert(&gr.id.to_be_bytes(), encode(&GroupV2::from(gr)));
            names.insert(layout::group_name_key(&gr.name, gr.id), &[]);
        }
        self.groups.apply_batch(g).map_err(|e| self.map_err(e))?;
        self.group_names
            .apply_batch(names)
            .map_err(|e| self.map_err(e))?;
        let next_b = branches.iter().map(|b| b.id).max().unwrap_or(0) + 1;
        let next_g = groups.iter().map(|g| g.id).max().unwrap_or(0) + 1;
        let mut seq = self
            .meta
            .get(NEXT_AUDIT)
            .map_err(|e| self.map_err(e))?
            .and_then(|v| u64_of(&v))
            .unwrap_or(1);
        let mut n = 0usize;
        let mut w = layout::BulkWriter::new(&self.sheets, &self.tallies, &self.log, batch_bytes);
        for (group, year, entries) in units {
            let mut rows = Vec::with_capacity(entries.len());
            for e in entries {
                let rec = AuditRecord {
                    seq,
                    at_ms,
                    actor: actor.clone(),
                    action: "mark".into(),
                    group: e.group,
                    item: e.item.clone(),
                    period: e.period.to_string(),
                    changes: Entry::diff(&Entry::new(e.group, &e.item, e.period), &e),
                    undoes: None,
                };
                w.put_audit(&rec).map_err(|e| self.map_err(e))?;
                rows.push((e, vec![seq]));
                seq += 1;
                n += 1;
            }
            w.put_group_year(group, year, &rows)
                .map_err(|e| self.map_err(e))?;
        }
        w.finish().map_err(|e| self.map_err(e))?;
        let mut m = sled::Batch::default();
        m.insert(NEXT_BRANCH, &next_b.to_be_bytes());
        m.insert(NEXT_GROUP, &next_g.to_be_bytes());
        m.insert(NEXT_AUDIT, &seq.to_be_bytes());
        self.meta.apply_batch(m).map_err(|e| self.map_err(e))?;
        self.flush()?;
        Ok(n)
    }

    /// Audit records, newest first, that pass `keep`, at most `limit`.
    pub fn audit(
        &self,
        limit: usize,
        keep: &dyn Fn(&AuditRecord) -> bool,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        self.audit_rev(&mut |rec| {
            if keep(&rec) {
                out.push(rec);
            }
            out.len() < limit
        })?;
        Ok(out)
    }

    /// Visit audit records newest first until `each` returns false.
    pub fn audit_rev(&self, each: &mut dyn FnMut(AuditRecord) -> bool) -> Result<(), StoreError> {
        for kv in self.log.iter().rev() {
            let (_, v) = kv.map_err(|e| self.map_err(e))?;
            let chunk = decode::<AuditChunkV1>(&v).ok_or_else(|| self.corrupt("audit"))?;
            for (seq, r) in chunk.records.into_iter().rev() {
                if !each(r.into_domain(seq)) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    pub fn members(
        &self,
    ) -> Result<Vec<(crate::domain::member::Member, Option<String>)>, StoreError> {
        self.members
            .iter()
            .map(|kv| {
                let (_, v) = kv.map_err(|e| self.map_err(e))?;
                decode::<MemberV1>(&v)
                    .and_then(MemberV1::into_domain)
                    .ok_or_else(|| self.corrupt("member"))
            })
            .collect()
    }

    /// Add or replace a member (keyed by name), audited.
    pub fn put_member(
        &self,
        member: &crate::domain::member::Member,
        pin_hash: Option<String>,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "member".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes: vec![Change {
                field: format!("member:{}", member.name),
                old: String::new(),
                new: format!(
                    "{}{}",
                    member.role.code(),
                    member
                        .unix_user
                        .as_deref()
                        .map(|u| format!(" unix:{u}"))
                        .unwrap_or_default()
                ),
            }],
            undoes: None,
        };
        self.write_with_audit(
            &self.members,
            &[(
                member.name.as_bytes().to_vec(),
                encode(&MemberV1::from_domain(member, pin_hash)),
            )],
            &[],
            rec,
        )?;
        Ok(())
    }

    /// The ward's document settings; the defaults for its name when none were saved.
    pub fn doc_settings(&self) -> Result<crate::domain::settings::DocSettings, StoreError> {
        match self.meta.get(DOC_SETTINGS).map_err(|e| self.map_err(e))? {
            Some(v) => serde_json::from_slice(&v).map_err(|_| self.corrupt("settings")),
            None => Ok(crate::domain::settings::DocSettings::defaults_for(
                &self.ward()?.name,
            )),
        }
    }

    /// Set the ward's current term (issue 13), audited.
    pub fn set_term(
        &self,
        term: Option<crate::domain::ward::Term>,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<Ward, StoreError> {
        let mut ward = self.ward()?;
        let show =
            |t: Option<crate::domain::ward::Term>| t.map(|t| t.to_string()).unwrap_or_default();
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "settings".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes: vec![Change {
                field: "settings:term".into(),
                old: show(ward.term),
                new: show(term),
            }],
            undoes: None,
        };
        ward.term = term;
        self.write_with_audit(
            &self.meta,
            &[(WARD.to_vec(), encode(&WardV2::from(&ward)))],
            &[],
            rec,
        )?;
        Ok(ward)
    }

    /// Save the document settings, audited (what changed, key by key).
    pub fn put_doc_settings(
        &self,
        new: &crate::domain::settings::DocSettings,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let old = self.doc_settings()?;
        let changes = crate::domain::settings::DocSettings::KEYS
            .iter()
            .filter_map(|k| {
                let (a, b) = (old.get(k)?, new.get(k)?);
                (a != b).then(|| Change {
                    field: format!("settings:{k}"),
                    old: a,
                    new: b,
                })
            })
            .collect();
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "settings".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes,
            undoes: None,
        };
        let bytes = serde_json::to_vec(new).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.write_with_audit(&self.meta, &[(DOC_SETTINGS.to_vec(), bytes)], &[], rec)?;
        Ok(())
    }

    /// The narrative written for a period (empty when none).
    pub fn narrative(
        &self,
        period: Period,
    ) -> Result<crate::domain::narrative::Narrative, StoreError> {
        let key = [NARRATIVE, &period.to_key()].concat();
        match self.meta.get(key).map_err(|e| self.map_err(e))? {
            Some(v) => serde_json::from_slice(&v).map_err(|_| self.corrupt("narrative")),
            None => Ok(Default::default()),
        }
    }

    /// Write one section of a period's narrative (cleaned by the caller), audited with
    /// the text before and after; flushed before it returns. `false`: nothing changed.
    pub fn put_narrative(
        &self,
        period: Period,
        section: &str,
        text: &str,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut n = self.narrative(period)?;
        let old = n.sections.get(section).cloned().unwrap_or_default();
        if old == text {
            return Ok(false);
        }
        if text.is_empty() {
            n.sections.remove(section);
        } else {
            n.sections.insert(section.to_string(), text.to_string());
        }
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: "narrative".into(),
            group: WARD_GROUP,
            item: String::new(),
            period: period.to_string(),
            changes: vec![Change {
                field: format!("narrative:{section}"),
                old,
                new: text.to_string(),
            }],
            undoes: None,
        };
        let key = [NARRATIVE, &period.to_key()].concat();
        let bytes = serde_json::to_vec(&n).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.write_with_audit(&self.meta, &[(key, bytes)], &[], rec)?;
        Ok(true)
    }

    /// The failed-PIN state of a member (by name, diacritics and case ignored).
    pub fn login_state(&self, member: &str) -> Result<LoginsV1, StoreError> {
        let key = crate::domain::text::fold(member);
        Ok(self
            .logins
            .get(key.as_bytes())
            .map_err(|e| self.map_err(e))?
            .and_then(|v| decode::<LoginsV1>(&v))
            .unwrap_or_default())
    }

    /// Record a failed PIN for `member` (its state and an audit record, in one
    /// transaction, flushed): the audit log shows every failure with the account it came
    /// from.
    pub fn login_failed(
        &self,
        member: &str,
        state: LoginsV1,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: if state.locked {
                "login-locked".into()
            } else {
                "login-failed".into()
            },
            group: WARD_GROUP,
            item: String::new(),
            period: String::new(),
            changes: vec![Change {
                field: format!("login:{member}"),
                old: String::new(),
                new: state.failures.to_string(),
            }],
            undoes: None,
        };
        let key = crate::domain::text::fold(member).into_bytes();
        self.write_with_audit(&self.logins, &[(key, encode(&state))], &[], rec)?;
        Ok(())
    }

    /// Forget a member's failed attempts: after a good PIN (no audit), or when an
    /// administrator unlocks them (`audit`: the unlock is recorded).
    pub fn login_reset(
        &self,
        member: &str,
        audit: Option<(&Actor, i64)>,
    ) -> Result<(), StoreError> {
        let key = crate::domain::text::fold(member).into_bytes();
        match audit {
            None => {
                self.logins.remove(key).map_err(|e| self.map_err(e))?;
                self.flush()
            }
            Some((actor, at_ms)) => {
                let rec = AuditRecord {
                    seq: 0,
                    at_ms,
                    actor: actor.clone(),
                    action: "login-unlock".into(),
                    group: WARD_GROUP,
                    item: String::new(),
                    period: String::new(),
                    changes: vec![Change {
                        field: format!("login:{member}"),
                        old: String::new(),
                        new: "0".into(),
                    }],
                    undoes: None,
                };
                self.write_with_audit(
                    &self.logins,
                    &[(key, encode(&LoginsV1::default()))],
                    &[],
                    rec,
                )?;
                Ok(())
            }
        }
    }

    /// Audit records after `seq`, oldest first, at most `limit`.
    pub fn audit_since(&self, seq: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let mut out = Vec::new();
        for kv in self.log.range(layout::chunk_key(seq + 1)..) {
            let (_, v) = kv.map_err(|e| self.map_err(e))?;
            let chunk = decode::<AuditChunkV1>(&v).ok_or_else(|| self.corrupt("audit"))?;
            for (s, r) in chunk.records {
                if s > seq {
                    if out.len() >= limit {
                        return Ok(out);
                    }
                    out.push(r.into_domain(s));
                }
            }
        }
        Ok(out)
    }

    /// When the first audit record was written (milliseconds, UTC), if there is one:
    /// when the ward began keeping records. One chunk read.
    pub fn first_audit_at(&self) -> Result<Option<i64>, StoreError> {
        let Some((_, v)) = self.log.first().map_err(|e| self.map_err(e))? else {
            return Ok(None);
        };
        let chunk = decode::<AuditChunkV1>(&v).ok_or_else(|| self.corrupt("audit"))?;
        Ok(chunk
            .records
            .into_iter()
            .next()
            .map(|(s, r)| r.into_domain(s).at_ms))
    }

    /// The sequence number of the newest audit record (0 when there is none). O(log n),
    /// unlike counting.
    pub fn last_audit_seq(&self) -> Result<u64, StoreError> {
        let Some((_, v)) = self.log.last().map_err(|e| self.map_err(e))? else {
            return Ok(0);
        };
        let chunk = decode::<AuditChunkV1>(&v).ok_or_else(|| self.corrupt("audit"))?;
        Ok(chunk.records.last().map(|(s, _)| *s).unwrap_or(0))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadSummary {
    pub branches_added: usize,
    pub groups_added: usize,
    pub entries_written: usize,
}

/// A folder sled made: a `conf` file in sled's own format and a `db` file.
fn looks_like_sled(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 13];
    let conf_ok = std::fs::File::open(path.join("conf"))
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head == b"segment_size:");
    conf_ok && path.join("db").is_file()
}

/// When `path` holds part of a sled database (its snapshot files or `blobs` folder, or
/// a `conf` beside them) but not a whole one: what is missing or unreadable.
fn partial_sled(path: &Path) -> Option<String> {
    let names: Vec<String> = std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    let snaps = names.iter().any(|n| n.starts_with("snap."));
    if !(snaps || has("blobs")) {
        return None;
    }
    Some(if !has("conf") {
        "the file conf is missing".into()
    } else if !path.join("db").is_file() {
        "the file db is missing".into()
    } else {
        "the file conf is unreadable".into()
    })
}

fn is_empty_dir(p: &Path) -> bool {
    std::fs::read_dir(p)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

/// Turn a sled error into one a user can act on.
fn classify(path: &Path, e: sled::Error) -> StoreError {
    let path = path.to_path_buf();
    match e {
        sled::Error::Io(io) => {
            let msg = io.to_string();
            if msg.contains("could not acquire lock") || io.kind() == std::io::ErrorKind::WouldBlock
            {
                StoreError::Locked { path }
            } else if io.kind() == std::io::ErrorKind::StorageFull
                || io.kind() == std::io::ErrorKind::QuotaExceeded
                || msg.contains("StorageFull")
                || msg.contains("No space left")
            {
                // sled sometimes wraps the OS error in one of its own: match both.
                StoreError::DiskFull { path }
            } else if io.kind() == std::io::ErrorKind::PermissionDenied
                || io.kind() == std::io::ErrorKind::ReadOnlyFilesystem
            {
                StoreError::NotWritable { path, detail: msg }
            } else if matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData
            ) {
                StoreError::Corrupt { path, detail: msg }
            } else {
                StoreError::Io { path, detail: msg }
            }
        }
        sled::Error::Corruption { .. } => StoreError::Corrupt {
            path,
            detail: "sled reported corruption".into(),
        },
        other => StoreError::Io {
            path,
            detail: other.to_string(),
        },
    }
}
