//! The whole database as an [`ExportDoc`] and back, and `qcdc check`.
//!
//! Reading is consistent while others write: every change bumps the audit counter in
//! the same transaction as its data, so a read that sees the same counter before and
//! after saw no change half-done; otherwise it is read again.

use super::layout::{BulkWriter, split_sheet_key, split_tally_key};
use super::records::*;
use super::{NEXT_AUDIT, NEXT_BRANCH, NEXT_GROUP, SCHEMA, SCHEMA_VERSION, Store, StoreError, WARD};
use super::{is_empty_dir, looks_like_sled, u32_of, u64_of};
use crate::transfer::{self, Counters, ExportDoc, Problem, hex, unhex};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The trees this document models; anything else is carried raw.
const MODELLED: [&str; 8] = [
    "meta",
    "branches",
    "groups",
    "items",
    "sheets",
    "tallies",
    "log",
    "group_names",
];
const META_KEYS: [&[u8]; 5] = [SCHEMA, WARD, NEXT_BRANCH, NEXT_GROUP, NEXT_AUDIT];
const SLED_DEFAULT: &[u8] = b"__sled__default";

/// Looks at one record; says what is unreadable in it, if anything.
type RecordCheck<'a> = dyn FnMut(&[u8], &[u8]) -> Option<String> + 'a;

/// What `qcdc check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub schema: u32,
    pub branches: usize,
    pub groups: usize,
    pub items: usize,
    pub entries: usize,
    pub audit: usize,
    pub problems: Vec<Problem>,
}

impl Store {
    /// Index keys of group names missing or left over.
    fn name_index_problems(
        &self,
        groups: &[crate::domain::ward::Group],
    ) -> Result<Vec<Problem>, StoreError> {
        let expected: std::collections::BTreeSet<Vec<u8>> = groups
            .iter()
            .map(|g| super::layout::group_name_key(&g.name, g.id))
            .collect();
        let mut found = std::collections::BTreeSet::new();
        for kv in self.group_names.iter() {
            let (k, _) = kv.map_err(|e| self.map_err(e))?;
            found.insert(k.to_vec());
        }
        let n = expected.symmetric_difference(&found).count();
        Ok(if n == 0 {
            Vec::new()
        } else {
            vec![Problem::new(
                "group_names",
                format!(
                    "the index of group names is out of date ({n} keys); `qcdc check --repair` rebuilds it"
                ),
                format!("chỉ mục tên tổ không khớp ({n} khóa); `qcdc check --repair` dựng lại"),
            )]
        })
    }

    /// Rebuild what is derived from the records — tallies from the sheets, the index
    /// of group names from the groups — each tally in a transaction with the sheets it
    /// is computed from, so edits made meanwhile are not undone. Returns how many
    /// derived records were rewritten or removed.
    pub fn repair(&self) -> Result<usize, StoreError> {
        use super::layout::{sheet_key, tally_key};
        use crate::domain::period::Period;
        use sled::Transactional;
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let mut keys: std::collections::BTreeSet<(u16, u32)> = std::collections::BTreeSet::new();
        for kv in self.sheets.iter() {
            let (k, _) = kv.map_err(|e| self.map_err(e))?;
            if let Some((slot, group)) = split_sheet_key(&k) {
                keys.insert((slot.year(), group));
            }
        }
        for kv in self.tallies.iter() {
            let (k, _) = kv.map_err(|e| self.map_err(e))?;
            if let Some(key) = split_tally_key(&k) {
                keys.insert(key);
            }
        }
        let mut fixed = 0usize;
        for (year, group) in keys {
            let slots: Vec<Period> = std::iter::once(Period::Year(year))
                .chain((1..=2).map(|h| Period::Half(year, h)))
                .chain((1..=4).map(|q| Period::Quarter(year, q)))
                .collect();
            let corrupt = || self.corrupt("sheet");
            let changed = (&self.sheets, &self.tallies)
                .transaction(|(ts, tt)| {
                    let mut found = Vec::new();
                    for slot in &slots {
                        if let Some(v) = ts.get(sheet_key(*slot, group))? {
                            let sheet = decode::<SheetV1>(&v)
                                .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))?;
                            found.push((*slot, sheet));
                        }
                    }
                    let expected = TallyV1::of_sheets(found.iter().map(|(p, s)| (*p, s)));
                    let key = tally_key(year, group);
                    let current = tt.get(key)?;
                    let want = (!expected.rows.is_empty()).then(|| encode(&expected));
                    if current.as_deref() == want.as_deref() {
                        return Ok(false);
                    }
                    match want {
                        Some(v) => tt.insert(&key, v)?,
                        None => tt.remove(&key)?,
                    };
                    Ok(true)
                })
                .map_err(|e: TransactionError<StoreError>| self.tx_err(e))?;
            fixed += usize::from(changed);
        }
        let groups = self.groups()?;
        if !self.name_index_problems(&groups)?.is_empty() {
            self.rebuild_group_names()?;
            fixed += 1;
        }
        self.flush()?;
        Ok(fixed)
    }

    fn counter_u32(&self, key: &[u8]) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get(key)
            .map_err(|e| self.map_err(e))?
            .and_then(|v| u32_of(&v))
            .unwrap_or(1))
    }

    fn audit_counter(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(NEXT_AUDIT)
            .map_err(|e| self.map_err(e))?
            .and_then(|v| u64_of(&v))
            .unwrap_or(1))
    }

    /// Everything stored, as one document (sealed with its checksum).
    pub fn export_doc(&self) -> Result<ExportDoc, StoreError> {
        for _ in 0..20 {
            let before = self.audit_counter()?;
            let doc = self.read_doc()?;
            if self.audit_counter()? == before {
                return Ok(doc.seal());
            }
        }
        Err(StoreError::Io {
            path: self.path.clone(),
            detail: "the database kept changing while it was read; try again".into(),
        })
    }

    fn read_doc(&self) -> Result<ExportDoc, StoreError> {
        let template = self.template()?;
        let mut entries = Vec::new();
        for kv in self.sheets.iter() {
            let (k, v) = kv.map_err(|e| self.map_err(e))?;
            let (slot, group) = split_sheet_key(&k).ok_or_else(|| self.corrupt("sheet key"))?;
            let sheet = decode::<SheetV1>(&v).ok_or_else(|| self.corrupt("sheet"))?;
            entries.extend(sheet.entries(slot, group));
        }
        // The document's order (period, group, item), whatever the layout.
        entries.sort_by(|a, b| {
            (a.period.to_key(), a.group, &a.item).cmp(&(b.period.to_key(), b.group, &b.item))
        });
        let mut audit = self.audit(usize::MAX, &|_| true)?;
        audit.reverse();
        Ok(ExportDoc {
            format: transfer::FORMAT.into(),
            version: transfer::VERSION,
            schema: self.schema_version()?,
            ward: self.ward()?,
            branches: self.branches()?,
            groups: self.groups()?,
            items: template.items,
            entries,
            audit,
            counters: Counters {
                next_branch: self.counter_u32(NEXT_BRANCH)?,
                next_group: self.counter_u32(NEXT_GROUP)?,
                next_audit: self.audit_counter()?,
            },
            raw: self.raw_trees()?,
            sha256: String::new(),
        })
    }

    /// Trees and meta keys the document does not model, as hex pairs.
    fn raw_trees(&self) -> Result<BTreeMap<String, Vec<[String; 2]>>, StoreError> {
        let mut out = BTreeMap::new();
        let mut meta_extra = Vec::new();
        for kv in self.meta.iter() {
            let (k, v) = kv.map_err(|e| self.map_err(e))?;
            if !META_KEYS.contains(&k.as_ref()) {
                meta_extra.push([hex(&k), hex(&v)]);
            }
        }
        if !meta_extra.is_empty() {
            out.insert("meta".to_string(), meta_extra);
        }
        for name in self.db.tree_names() {
            if name.as_ref() == SLED_DEFAULT {
                continue;
            }
            let n = String::from_utf8_lossy(&name).to_string();
            if MODELLED.contains(&n.as_str()) {
                continue;
            }
            let tree = self.db.open_tree(&name).map_err(|e| self.map_err(e))?;
            let mut pairs = Vec::new();
            for kv in tree.iter() {
                let (k, v) = kv.map_err(|e| self.map_err(e))?;
                pairs.push([hex(&k), hex(&v)]);
            }
            if !pairs.is_empty() {
                out.insert(n, pairs);
            }
        }
        Ok(out)
    }

    /// Create a database at `path` holding exactly `doc`. Refuses a path that already
    /// holds a ward or other files, and a document that is damaged, inconsistent or of
    /// a newer schema. The ward record is written last, so an interrupted import is
    /// never taken for a ward.
    pub fn import_doc(path: &Path, doc: &ExportDoc) -> Result<Store, StoreError> {
        let invalid = |m: String| StoreError::Invalid(m);
        if !doc.checksum_ok() {
            return Err(invalid("the document's checksum does not match".into()));
        }
        if let Some(p) = transfer::validate(doc).first() {
            return Err(invalid(p.message(true)));
        }
        if doc.schema > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: doc.schema,
                supported: SCHEMA_VERSION,
            });
        }
        if doc.schema < SCHEMA_VERSION
            && doc
                .raw
                .keys()
                .any(|tree| !raw_unchanged_since(tree, doc.schema))
        {
            return Err(invalid(format!(
                "the document is of schema {} and carries data this version cannot convert",
                doc.schema
            )));
        }
        if path.exists() && !is_empty_dir(path) && !looks_like_sled(path) {
            return Err(StoreError::NotInitialized {
                path: path.to_path_buf(),
            });
        }
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::NotWritable {
                path: parent.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let store = Store::open_sled(path)?;
        if store
            .meta
            .get(WARD)
            .map_err(|e| store.map_err(e))?
            .is_some()
            || !store.groups.is_empty()
            || !store.sheets.is_empty()
            || !store.log.is_empty()
        {
            return Err(StoreError::AlreadyInitialized {
                path: path.to_path_buf(),
            });
        }
        let err = |e: sled::Error| store.map_err(e);
        let mut b = sled::Batch::default();
        for (i, item) in doc.items.iter().enumerate() {
            b.insert(
                item.code.as_bytes(),
                encode(&ItemV1::from_domain(i as u32, item)),
            );
        }
        store.items.apply_batch(b).map_err(err)?;
        let mut b = sled::Batch::default();
        for br in &doc.branches {
            b.insert(
                &br.id.to_be_bytes(),
                encode(&BranchV1 {
                    name: br.name.clone(),
                }),
            );
        }
        store.branches.apply_batch(b).map_err(err)?;
        let mut b = sled::Batch::default();
        for g in &doc.groups {
            b.insert(&g.id.to_be_bytes(), encode(&GroupV2::from(g)));
        }
        store.groups.apply_batch(b).map_err(err)?;
        store.rebuild_group_names()?;
        write_entries_and_audit(&store, &doc.entries, &doc.audit).map_err(err)?;
        for (tree, pairs) in &doc.raw {
            let t = if tree == "meta" {
                store.meta.clone()
            } else {
                store.db.open_tree(tree.as_bytes()).map_err(err)?
            };
            let mut b = sled::Batch::default();
            for [k, v] in pairs {
                match (unhex(k), unhex(v)) {
                    (Some(k), Some(v)) => b.insert(k, v),
                    _ => return Err(invalid(format!("bad raw data in {tree}"))),
                }
            }
            t.apply_batch(b).map_err(err)?;
        }
        let c = doc.counters;
        let mut b = sled::Batch::default();
        b.insert(NEXT_BRANCH, &c.next_branch.to_be_bytes());
        b.insert(NEXT_GROUP, &c.next_group.to_be_bytes());
        b.insert(NEXT_AUDIT, &c.next_audit.to_be_bytes());
        b.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes());
        store.meta.apply_batch(b).map_err(err)?;
        store.flush()?;
        store
            .meta
            .insert(WARD, encode(&WardV1::from(&doc.ward)))
            .map_err(err)?;
        store.flush()?;
        Ok(store)
    }

    /// Read every record of every tree, decoding each on its own, and list what is
    /// wrong: undecodable records, malformed keys, then everything
    /// [`transfer::validate`] finds in what could be read.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let mut problems = Vec::new();
        let bad = |place: String, en: &str, vi: &str| Problem::new(place, en, vi);
        let schema = self.schema_version()?;
        if schema != SCHEMA_VERSION {
            problems.push(bad(
                "meta schema".into(),
                &format!("schema {schema}, expected {SCHEMA_VERSION}"),
                &format!("lược đồ {schema}, cần {SCHEMA_VERSION}"),
            ));
        }
        let ward = match self.meta.get(WARD).map_err(|e| self.map_err(e))? {
            Some(v) => decode::<WardV1>(&v).and_then(WardV1::into_domain),
            None => None,
        };
        if ward.is_none() {
            problems.push(bad(
                "meta ward".into(),
                "the ward record is missing or unreadable",
                "bản ghi phường bị mất hoặc không đọc được",
            ));
        }
        for key in [NEXT_BRANCH, NEXT_GROUP] {
            if let Some(v) = self.meta.get(key).map_err(|e| self.map_err(e))?
                && u32_of(&v).is_none()
            {
                problems.push(bad(
                    format!("meta {}", String::from_utf8_lossy(key)),
                    "unreadable counter",
                    "bộ đếm không đọc được",
                ));
            }
        }
        if let Some(v) = self.meta.get(NEXT_AUDIT).map_err(|e| self.map_err(e))?
            && u64_of(&v).is_none()
        {
            problems.push(bad(
                "meta next_audit".into(),
                "unreadable counter",
                "bộ đếm không đọc được",
            ));
        }
        let scan = |tree: &sled::Tree,
                    name: &str,
                    problems: &mut Vec<Problem>,
                    each: &mut RecordCheck<'_>|
         -> Result<(), StoreError> {
            for kv in tree.iter() {
                match kv {
                    Ok((k, v)) => {
                        if let Some(what) = each(&k, &v) {
                            problems.push(Problem::new(
                                format!("{name} {}", hex(&k)),
                                format!("unreadable {what}"),
                                format!("không đọc được {what}"),
                            ));
                        }
                    }
                    Err(e) => {
                        problems.push(Problem::new(
                            name.to_string(),
                            format!("the tree cannot be read to the end: {e}"),
                            format!("không đọc hết được: {e}"),
                        ));
                        break;
                    }
                }
            }
            Ok(())
        };
        let mut branches = Vec::new();
        scan(&self.branches, "branches", &mut problems, &mut |k, v| {
            let id = u32_of(k)?;
            match decode::<BranchV1>(v) {
                Some(b) => {
                    branches.push(b.into_domain(id));
                    None
                }
                None => Some("branch record".into()),
            }
        })?;
        let mut groups = Vec::new();
        scan(&self.groups, "groups", &mut problems, &mut |k, v| {
            let Some(id) = u32_of(k) else {
                return Some("group key".into());
            };
            match decode::<GroupV2>(v) {
                Some(g) => {
                    groups.push(g.into_domain(id));
                    None
                }
                None => Some("group record".into()),
            }
        })?;
        let mut items = Vec::new();
        scan(
            &self.items,
            "items",
            &mut problems,
            &mut |k, v| match decode::<ItemV1>(v).map(|r| (r.order, r.into_domain())) {
                Some((order, Some(it))) if it.code.as_bytes() == k => {
                    items.push((order, it));
                    None
                }
                Some((_, Some(_))) => Some("item (its code differs from its key)".into()),
                _ => Some("item record".into()),
            },
        )?;
        items.sort_by_key(|(o, _)| *o);
        let mut entries = Vec::new();
        let mut sheets: BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV1)>> =
            BTreeMap::new();
        scan(&self.sheets, "sheets", &mut problems, &mut |k, v| {
            let Some((slot, group)) = split_sheet_key(k) else {
                return Some("sheet key".into());
            };
            match decode::<SheetV1>(v) {
                Some(sheet) => {
                    if sheet.rows.windows(2).any(|w| w[0].item >= w[1].item) {
                        return Some("sheet (rows out of order or repeated)".into());
                    }
                    entries.extend(sheet.entries(slot, group));
                    sheets
                        .entry((slot.year(), group))
                        .or_default()
                        .push((slot, sheet));
                    None
                }
                None => Some("sheet record".into()),
            }
        })?;
        let mut tallies: BTreeMap<(u16, u32), TallyV1> = BTreeMap::new();
        scan(&self.tallies, "tallies", &mut problems, &mut |k, v| {
            let Some(key) = split_tally_key(k) else {
                return Some("tally key".into());
            };
            match decode::<TallyV1>(v) {
                Some(t) => {
                    tallies.insert(key, t);
                    None
                }
                None => Some("tally record".into()),
            }
        })?;
        problems.extend(tally_drift(&sheets, &tallies));
        problems.extend(self.name_index_problems(&groups)?);
        let mut audit = Vec::new();
        scan(&self.log, "log", &mut problems, &mut |k, v| {
            let Some(id) = u64_of(k) else {
                return Some("audit chunk key".into());
            };
            match decode::<AuditChunkV1>(v) {
                Some(ch) => {
                    if ch.records.iter().any(|(s, _)| s / AUDIT_CHUNK != id) {
                        return Some("audit chunk (a record in the wrong chunk)".into());
                    }
                    audit.extend(ch.records.into_iter().map(|(s, r)| r.into_domain(s)));
                    None
                }
                None => Some("audit chunk".into()),
            }
        })?;
        problems.extend(history_problems(&sheets, &audit));
        let counter = |key: &[u8]| -> Result<Option<u64>, StoreError> {
            Ok(self
                .meta
                .get(key)
                .map_err(|e| self.map_err(e))?
                .and_then(|v| match v.len() {
                    4 => u32_of(&v).map(u64::from),
                    _ => u64_of(&v),
                }))
        };
        let counters = Counters {
            next_branch: counter(NEXT_BRANCH)?.unwrap_or(1) as u32,
            next_group: counter(NEXT_GROUP)?.unwrap_or(1) as u32,
            next_audit: counter(NEXT_AUDIT)?.unwrap_or(1),
        };
        let report = CheckReport {
            schema,
            branches: branches.len(),
            groups: groups.len(),
            items: items.len(),
            entries: entries.len(),
            audit: audit.len(),
            problems: Vec::new(),
        };
        let doc = ExportDoc {
            format: transfer::FORMAT.into(),
            version: transfer::VERSION,
            schema,
            ward: ward.unwrap_or(crate::domain::ward::Ward {
                name: "?".into(),
                steps: crate::domain::step::StepSet::Four,
                current_period: None,
            }),
            branches,
            groups,
            items: items.into_iter().map(|(_, i)| i).collect(),
            entries,
            audit,
            counters,
            raw: BTreeMap::new(),
            sha256: String::new(),
        };
        problems.extend(transfer::validate(&doc));
        Ok(CheckReport { problems, ..report })
    }
}

/// Whether the records of a tree the document carries raw (not modelled) are read the
/// same by this schema as by `schema`: the members, unchanged since schema 2. Raw data of
/// anything else from an older schema cannot be converted.
fn raw_unchanged_since(tree: &str, schema: u32) -> bool {
    tree == "members" && schema >= 2
}

/// Write a document's entries (as sheets and tallies, each entry with the audit records
/// that name it) and its audit records (in chunks) into an empty database.
pub(crate) fn write_entries_and_audit(
    store: &Store,
    entries: &[crate::domain::entry::Entry],
    audit: &[crate::domain::audit::AuditRecord],
) -> Result<(), sled::Error> {
    use std::collections::HashMap;
    let mut history: HashMap<(u32, &str, String), Vec<u64>> = HashMap::new();
    for a in audit.iter().filter(|a| !a.item.is_empty()) {
        history
            .entry((a.group, a.item.as_str(), a.period.clone()))
            .or_default()
            .push(a.seq);
    }
    let mut units = super::layout::GroupYears::new();
    for e in entries {
        let mut seqs = history
            .get(&(e.group, e.item.as_str(), e.period.to_string()))
            .cloned()
            .unwrap_or_default();
        seqs.sort_unstable();
        units
            .entry((e.group, e.period.year()))
            .or_default()
            .push((e.clone(), seqs));
    }
    let mut w = BulkWriter::new(&store.sheets, &store.tallies, &store.log, BULK_BATCH_BYTES);
    for ((group, year), rows) in &units {
        w.put_group_year(*group, *year, rows)?;
    }
    let mut sorted: Vec<&crate::domain::audit::AuditRecord> = audit.iter().collect();
    sorted.sort_by_key(|a| a.seq);
    for a in sorted {
        w.put_audit(a)?;
    }
    w.finish()
}

/// Bytes per sled batch in bulk writes: measured in BENCHMARKS.md (larger batches
/// save little time and cost memory).
pub const BULK_BATCH_BYTES: usize = 256 << 10;

/// Tallies that do not match their sheets (recomputed from them).
fn tally_drift(
    sheets: &BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV1)>>,
    tallies: &BTreeMap<(u16, u32), TallyV1>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let empty = TallyV1::default();
    let keys: std::collections::BTreeSet<&(u16, u32)> =
        sheets.keys().chain(tallies.keys()).collect();
    for key in keys {
        let expected = sheets
            .get(key)
            .map(|s| TallyV1::of_sheets(s.iter().map(|(p, s)| (*p, s))))
            .unwrap_or_default();
        let found = tallies.get(key).unwrap_or(&empty);
        if *found != expected {
            let (year, group) = key;
            out.push(Problem::new(
                format!("tally {year}/{group}"),
                format!(
                    "the summary of group {group} for {year} does not match its entries ({} rows kept, {} expected); `qcdc check --repair` rebuilds it",
                    found.rows.len(),
                    expected.rows.len()
                ),
                format!(
                    "số liệu tổng hợp của tổ {group} năm {year} không khớp với các mục ({} dòng, cần {}); `qcdc check --repair` dựng lại",
                    found.rows.len(),
                    expected.rows.len()
                ),
            ));
        }
    }
    out
}

/// History links of entries that point at no audit record of that entry.
fn history_problems(
    sheets: &BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV1)>>,
    audit: &[crate::domain::audit::AuditRecord],
) -> Vec<Problem> {
    use std::collections::HashMap;
    let by_seq: HashMap<u64, &crate::domain::audit::AuditRecord> =
        audit.iter().map(|a| (a.seq, a)).collect();
    let mut out = Vec::new();
    for ((_, group), list) in sheets {
        for (slot, sheet) in list {
            for row in &sheet.rows {
                let bad = row.audit.iter().any(|s| {
                    by_seq.get(s).is_none_or(|a| {
                        a.group != *group || a.item != row.item || a.period != slot.to_string()
                    })
                });
                if bad {
                    out.push(Problem::new(
                        format!("entry {slot}/{group}/{}", row.item),
                        "its history names an audit record of another entry or none",
                        "lịch sử của mục trỏ tới bản ghi nhật ký không thuộc mục này",
                    ));
                }
            }
        }
    }
    out
}
