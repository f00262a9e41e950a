//! The whole database as an [`ExportDoc`] and back, and `qcdc check`.
//!
//! Reading is consistent while others write: every change bumps the audit counter in
//! the same transaction as its data, so a read that sees the same counter before and
//! after saw no change half-done; otherwise it is read again.

use super::layout::{split_sheet_key, split_tally_key};
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
                            let sheet = decode_sheet(&v)
                                .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))?;
                            found.push((*slot, sheet));
                        }
                    }
                    let expected = TallyV2::of_sheets(found.iter().map(|(p, s)| (*p, s)));
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
            let sheet = decode_sheet(&v).ok_or_else(|| self.corrupt("sheet"))?;
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

    /// Everything stored, written to `w` as one document (the bytes of
    /// [`Store::export_doc`]'s `to_json`), streamed from the trees: entries sheet by
    /// sheet, the audit log chunk by chunk, the checksum computed as it is written.
    /// Nothing the size of the database is held. The database must not change
    /// meanwhile (a command-line process holds it alone; the ward server writes it
    /// under its write lock): if the audit counter moved, the document is not a
    /// consistent snapshot and this fails.
    pub fn export_to(
        &self,
        w: &mut dyn std::io::Write,
    ) -> Result<transfer::ExportSummary, StoreError> {
        self.export_with(&mut |parts| transfer::write_stream(parts, w))
    }

    /// The checksum of what [`Store::export_to`] would write, nothing written (a
    /// restore reading back the database it built).
    pub fn export_checksum(&self) -> Result<transfer::ExportSummary, StoreError> {
        self.export_with(&mut |parts| transfer::checksum_stream(parts))
    }

    fn export_with(
        &self,
        out: &mut dyn FnMut(transfer::Parts<'_>) -> std::io::Result<transfer::ExportSummary>,
    ) -> Result<transfer::ExportSummary, StoreError> {
        let before = self.audit_counter()?;
        let template = self.template()?;
        let ward = self.ward()?;
        let branches = self.branches()?;
        let groups = self.groups()?;
        let raw = self.raw_trees()?;
        let counters = Counters {
            next_branch: self.counter_u32(NEXT_BRANCH)?,
            next_group: self.counter_u32(NEXT_GROUP)?,
            next_audit: before,
        };
        let failed: std::cell::RefCell<Option<StoreError>> = std::cell::RefCell::new(None);
        let stop = |e: StoreError| {
            *failed.borrow_mut() = Some(e);
            "the database could not be read".to_string()
        };
        let mut entries =
            |each: &mut dyn FnMut(&crate::domain::entry::Entry) -> Result<(), String>| {
                for kv in self.sheets.iter() {
                    let (k, v) = kv.map_err(|e| stop(self.map_err(e)))?;
                    let (slot, group) =
                        split_sheet_key(&k).ok_or_else(|| stop(self.corrupt("sheet key")))?;
                    let sheet = decode_sheet(&v).ok_or_else(|| stop(self.corrupt("sheet")))?;
                    for row in sheet.rows {
                        each(&row.entry.into_domain(group, row.item, slot))?;
                    }
                }
                Ok(())
            };
        // Audit records are read in place (each holds many short texts: copying them
        // was a third of an export's time).
        let mut audit =
            |each: &mut dyn for<'r> FnMut(&transfer::AuditOut<'r>) -> Result<(), String>| {
                for kv in self.log.iter() {
                    let (_, v) = kv.map_err(|e| stop(self.map_err(e)))?;
                    let chunk = decode_borrowed::<AuditChunkRef>(&v)
                        .ok_or_else(|| stop(self.corrupt("audit")))?;
                    for (seq, r) in &chunk.records {
                        each(&r.out(*seq))?;
                    }
                }
                Ok(())
            };
        let parts = transfer::Parts {
            schema: self.schema_version()?,
            ward: &ward,
            branches: &branches,
            groups: &groups,
            items: &template.items,
            entries: &mut entries,
            audit: &mut audit,
            counters,
            raw: &raw,
        };
        let written = out(parts);
        if let Some(e) = failed.borrow_mut().take() {
            return Err(e);
        }
        let summary = written.map_err(|e| StoreError::Io {
            path: self.path.clone(),
            detail: format!("the export could not be written: {e}"),
        })?;
        if self.audit_counter()? != before {
            return Err(StoreError::Io {
                path: self.path.clone(),
                detail: "the database changed while it was exported; try again".into(),
            });
        }
        Ok(summary)
    }

    /// Create a database at `path` holding exactly the document `verified` was read
    /// from (`open` gives it again). The checks [`verify_document`] made are made again
    /// on this second reading, and it fails if the document changed in between. Refuses
    /// a path that already holds a ward or other files. Writes in bounded batches, the
    /// ward record last, so an interrupted import is never taken for a ward; a folder
    /// this created is removed again when the import fails.
    pub fn import_verified(
        path: &Path,
        open: &mut dyn FnMut() -> std::io::Result<Box<dyn std::io::Read>>,
        verified: &Verified,
    ) -> Result<Store, ImportError> {
        if path.exists() && !is_empty_dir(path) && !looks_like_sled(path) {
            return Err(ImportError::Store(StoreError::NotInitialized {
                path: path.to_path_buf(),
            }));
        }
        let fresh = !path.exists() || is_empty_dir(path);
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                ImportError::Store(StoreError::NotWritable {
                    path: parent.to_path_buf(),
                    detail: e.to_string(),
                })
            })?;
        }
        let store = Store::open_sled(path).map_err(ImportError::Store)?;
        let occupied = (|| -> Result<bool, StoreError> {
            Ok(store
                .meta
                .get(WARD)
                .map_err(|e| store.map_err(e))?
                .is_some()
                || !store.groups.is_empty()
                || !store.sheets.is_empty()
                || !store.log.is_empty())
        })()
        .map_err(ImportError::Store)?;
        if occupied {
            return Err(ImportError::Store(StoreError::AlreadyInitialized {
                path: path.to_path_buf(),
            }));
        }
        let result = store.write_document(open, verified);
        match result {
            Ok(()) => {
                // Created by this process: reopening it needs no trial copy.
                super::guard::remember(path);
                Ok(store)
            }
            Err(e) => {
                drop(store);
                if fresh {
                    let _ = std::fs::remove_dir_all(path);
                }
                Err(e)
            }
        }
    }

    /// The second reading of an import: everything written.
    fn write_document(
        &self,
        open: &mut dyn FnMut() -> std::io::Result<Box<dyn std::io::Read>>,
        verified: &Verified,
    ) -> Result<(), ImportError> {
        let mut sink = Writer::new(self, verified);
        let mut r = open().map_err(ImportError::Io)?;
        let read = transfer::read_stream(&mut r, verified.mode, &mut sink);
        if let Some(e) = sink.failed.take() {
            return Err(ImportError::Store(e));
        }
        let info = read.map_err(ImportError::from)?;
        if info != verified.info {
            return Err(ImportError::Damaged(Problem::new(
                "file",
                "the file changed while it was imported",
                "tệp đã thay đổi trong lúc nạp",
            )));
        }
        let err = |e: sled::Error| ImportError::Store(self.map_err(e));
        if sink.finish().is_err() {
            return Err(ImportError::Store(sink.failed.take().unwrap_or_else(
                || self.corrupt("the import could not be written"),
            )));
        }
        let years = std::mem::take(&mut sink.years);
        let ward = sink.ward.take();
        let counters = sink.counters;
        drop(sink);
        self.write_tallies(&years).map_err(err)?;
        self.rebuild_group_names().map_err(ImportError::Store)?;
        let c = counters;
        let mut b = sled::Batch::default();
        b.insert(NEXT_BRANCH, &c.next_branch.to_be_bytes());
        b.insert(NEXT_GROUP, &c.next_group.to_be_bytes());
        b.insert(NEXT_AUDIT, &c.next_audit.to_be_bytes());
        b.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes());
        self.meta.apply_batch(b).map_err(err)?;
        self.flush().map_err(ImportError::Store)?;
        let ward = ward.ok_or_else(|| ImportError::Damaged(transfer::read_shape("no ward")))?;
        self.meta
            .insert(WARD, encode(&WardV2::from(&ward)))
            .map_err(err)?;
        self.flush().map_err(ImportError::Store)?;
        Ok(())
    }

    /// Every tally of the given years, computed from the sheets already written: for
    /// each year the seven slot periods are read side by side, group by group, so only
    /// one group's sheets are held at a time.
    fn write_tallies(&self, years: &std::collections::BTreeSet<u16>) -> Result<(), sled::Error> {
        use super::layout::{sheet_key, tally_key};
        use crate::domain::period::Period;
        let mut batch = sled::Batch::default();
        let mut pending = 0usize;
        for &year in years {
            let slots: Vec<Period> = std::iter::once(Period::Year(year))
                .chain((1..=2).map(|h| Period::Half(year, h)))
                .chain((1..=4).map(|q| Period::Quarter(year, q)))
                .collect();
            let mut iters: Vec<_> = slots
                .iter()
                .map(|s| {
                    self.sheets
                        .range(sheet_key(*s, 0)..=sheet_key(*s, u32::MAX))
                        .peekable()
                })
                .collect();
            loop {
                let mut next: Option<u32> = None;
                for it in iters.iter_mut() {
                    match it.peek() {
                        Some(Ok((k, _))) => {
                            if let Some((_, g)) = split_sheet_key(k) {
                                next = Some(next.map_or(g, |n: u32| n.min(g)));
                            }
                        }
                        Some(Err(_)) => {
                            if let Some(Err(e)) = it.next() {
                                return Err(e);
                            }
                        }
                        None => {}
                    }
                }
                let Some(group) = next else { break };
                let mut found = Vec::new();
                for (slot, it) in slots.iter().zip(iters.iter_mut()) {
                    let here = matches!(it.peek(), Some(Ok((k, _))) if split_sheet_key(k).map(|x| x.1) == Some(group));
                    if here && let Some(kv) = it.next() {
                        let (_, v) = kv?;
                        if let Some(sheet) = decode_sheet(&v) {
                            found.push((*slot, sheet));
                        }
                    }
                }
                let tally = TallyV2::of_sheets(found.iter().map(|(p, s)| (*p, s)));
                if !tally.rows.is_empty() {
                    let v = encode(&tally);
                    pending += v.len() + 6;
                    batch.insert(&tally_key(year, group), v);
                }
                if pending >= BULK_BATCH_BYTES {
                    self.tallies.apply_batch(std::mem::take(&mut batch))?;
                    pending = 0;
                }
            }
        }
        self.tallies.apply_batch(batch)
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
            Some(v) => decode_ward(&v),
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
        let mut sheets: BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV3)>> =
            BTreeMap::new();
        scan(&self.sheets, "sheets", &mut problems, &mut |k, v| {
            let Some((slot, group)) = split_sheet_key(k) else {
                return Some("sheet key".into());
            };
            match decode_sheet(v) {
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
        let mut tallies: BTreeMap<(u16, u32), TallyV2> = BTreeMap::new();
        scan(&self.tallies, "tallies", &mut problems, &mut |k, v| {
            let Some(key) = split_tally_key(k) else {
                return Some("tally key".into());
            };
            match decode_tally(v) {
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
                term: None,
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

/// [`AuditChunkV1`] read in place: the same bytes (the record is frozen), the texts
/// borrowed instead of copied.
#[derive(Deserialize)]
struct AuditChunkRef<'a> {
    #[serde(borrow)]
    records: Vec<(u64, AuditV1Ref<'a>)>,
}

#[derive(Deserialize)]
struct AuditV1Ref<'a> {
    at_ms: i64,
    #[serde(borrow)]
    member: &'a str,
    #[serde(borrow)]
    os_user: &'a str,
    #[serde(borrow)]
    action: &'a str,
    group: u32,
    #[serde(borrow)]
    item: &'a str,
    #[serde(borrow)]
    period: &'a str,
    #[serde(borrow)]
    changes: Vec<(&'a str, &'a str, &'a str)>,
    undoes: Option<u64>,
}

impl AuditV1Ref<'_> {
    fn out(&self, seq: u64) -> transfer::AuditOut<'_> {
        transfer::AuditOut {
            seq,
            at_ms: self.at_ms,
            actor: transfer::ActorOut {
                member: self.member,
                os_user: self.os_user,
            },
            action: self.action,
            group: self.group,
            item: self.item,
            period: self.period,
            changes: transfer::ChangesOut::Tuples(&self.changes),
            undoes: self.undoes,
        }
    }
}

/// Why an export document could not be imported.
#[derive(Debug)]
pub enum ImportError {
    Io(std::io::Error),
    /// Not a usable document: not JSON, not ours, a newer version, not the expected
    /// shape, a checksum that does not match, or it changed while it was read.
    Damaged(Problem),
    /// Readable but inconsistent (every problem found).
    Invalid(Vec<Problem>),
    Store(StoreError),
}

impl From<transfer::StreamError> for ImportError {
    fn from(e: transfer::StreamError) -> Self {
        match e {
            transfer::StreamError::Io(e) => ImportError::Io(e),
            transfer::StreamError::Doc(p) => ImportError::Damaged(p),
        }
    }
}

/// An export document read once and found good: what importing it needs besides the
/// document (read again to write it).
#[derive(Debug)]
pub struct Verified {
    pub info: transfer::StreamInfo,
    mode: transfer::Mode,
    /// The audit records that name an entry, as (slot key, group, item rank, sequence)
    /// packed in 128 bits and sorted: the history each entry's row carries. 16 bytes a
    /// record, the only thing kept that grows with the document.
    history: Vec<u128>,
    /// The template's item codes, sorted: an item's rank is its place here.
    codes: Vec<String>,
}

fn pack(slot: [u8; 4], group: u32, rank: u16, seq: u64) -> u128 {
    (u128::from(u32::from_be_bytes(slot)) << 96)
        | (u128::from(group) << 64)
        | (u128::from(rank) << 48)
        | u128::from(seq & ((1 << 48) - 1))
}

/// The first reading: the checksum, the consistency rules, the history of entries.
struct Collector {
    codes: Vec<String>,
    ranks: std::collections::HashMap<String, u16>,
    history: Vec<u128>,
    schema: u32,
    raw_trees: Vec<String>,
}

impl Collector {
    fn ranks(&mut self) {
        if self.ranks.len() != self.codes.len() {
            let mut sorted = self.codes.clone();
            sorted.sort();
            sorted.dedup();
            self.ranks = sorted
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i.min(u16::MAX as usize) as u16))
                .collect();
        }
    }
}

impl transfer::DocSink for Collector {
    fn restart(&mut self) {
        self.codes.clear();
        self.ranks.clear();
        self.history.clear();
        self.raw_trees.clear();
    }
    fn schema(&mut self, schema: u32) -> Result<(), Problem> {
        self.schema = schema;
        Ok(())
    }
    fn item(&mut self, i: &crate::domain::template::Item) -> Result<(), Problem> {
        self.codes.push(i.code.clone());
        Ok(())
    }
    fn entry(
        &mut self,
        e: &transfer::EntryRef<'_>,
        _period: crate::domain::period::Period,
        _json: &[u8],
    ) -> Result<(), Problem> {
        // A further occurrence ("BQ-01#2", issue 13) is an entry key of its own: it
        // gets a rank, so its history is linked to it and to nothing else.
        if crate::domain::template::split_occurrence(&e.item).1 > 1
            && !self.codes.iter().any(|c| c == e.item.as_ref())
        {
            self.codes.push(e.item.to_string());
        }
        Ok(())
    }
    fn audit(&mut self, a: &transfer::AuditRef<'_>, _json: &[u8]) -> Result<(), Problem> {
        if a.item.is_empty() {
            return Ok(());
        }
        self.ranks();
        let (Some(&rank), Ok(period)) = (
            self.ranks.get(a.item.as_ref()),
            a.period.parse::<crate::domain::period::Period>(),
        ) else {
            return Ok(());
        };
        // An entry's history names it by the period as it prints.
        if period.to_string() == a.period {
            self.history
                .push(pack(period.to_key(), a.group, rank, a.seq));
        }
        Ok(())
    }
    fn raw(&mut self, raw: &BTreeMap<String, Vec<[String; 2]>>) -> Result<(), Problem> {
        self.raw_trees = raw.keys().cloned().collect();
        Ok(())
    }
    fn unknown(&mut self, name: &str) -> Result<(), Problem> {
        Err(Problem::new(
            name.to_string(),
            "the document carries data this version of qcdc does not know; import it with the qcdc that wrote it",
            "tài liệu chứa dữ liệu mà phiên bản qcdc này không biết; hãy nạp bằng qcdc đã ghi ra nó",
        ))
    }
}

/// Read an export document once (`open` gives it) and check it as
/// [`crate::transfer::ExportDoc::from_json`] and [`transfer::validate`] would, without
/// holding it: format, version, shape, checksum, consistency, and a schema this
/// version can import.
pub fn verify_document(
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn std::io::Read>>,
) -> Result<Verified, ImportError> {
    let mut c = Collector {
        codes: Vec::new(),
        ranks: std::collections::HashMap::new(),
        history: Vec::new(),
        schema: 0,
        raw_trees: Vec::new(),
    };
    let (info, mode) = transfer::read_verified(open, &mut c)?;
    if !info.problems.is_empty() {
        return Err(ImportError::Invalid(info.problems));
    }
    if c.schema > SCHEMA_VERSION {
        return Err(ImportError::Damaged(Problem::new(
            "schema",
            format!(
                "the document comes from a newer qcdc (store schema {}; this one reads up to {SCHEMA_VERSION})",
                c.schema
            ),
            format!(
                "tài liệu từ qcdc mới hơn (lược đồ {}; bản này đọc tới {SCHEMA_VERSION})",
                c.schema
            ),
        )));
    }
    if c.schema < SCHEMA_VERSION
        && c.raw_trees
            .iter()
            .any(|tree| !raw_unchanged_since(tree, c.schema))
    {
        return Err(ImportError::Damaged(Problem::new(
            "raw",
            format!(
                "the document is of schema {} and carries data this version cannot convert",
                c.schema
            ),
            format!(
                "tài liệu thuộc lược đồ {} và chứa dữ liệu bản này không chuyển đổi được",
                c.schema
            ),
        )));
    }
    let mut history = c.history;
    history.sort_unstable();
    history.shrink_to_fit();
    let mut codes = c.codes;
    codes.sort();
    codes.dedup();
    Ok(Verified {
        info,
        mode,
        history,
        codes,
    })
}

/// The second reading: every record written, in sled batches of bounded size.
struct Writer<'s> {
    store: &'s Store,
    verified: &'s Verified,
    /// The sheet being filled: its key and rows (entries come in sheet order).
    sheet: Option<([u8; 8], SheetV3)>,
    /// Where the history of the next entry starts.
    cursor: usize,
    chunk: Option<(u64, AuditChunkV1)>,
    batches: [sled::Batch; 5],
    pending: usize,
    item_order: u32,
    years: std::collections::BTreeSet<u16>,
    ward: Option<crate::domain::ward::Ward>,
    counters: Counters,
    failed: Option<StoreError>,
}

/// Which batch: items, branches, groups, sheets, log (applied in that order).
const ITEMS: usize = 0;
const BRANCHES: usize = 1;
const GROUPS: usize = 2;
const SHEETS: usize = 3;
const LOG: usize = 4;

impl<'s> Writer<'s> {
    fn new(store: &'s Store, verified: &'s Verified) -> Writer<'s> {
        Writer {
            store,
            verified,
            sheet: None,
            cursor: 0,
            chunk: None,
            batches: Default::default(),
            pending: 0,
            item_order: 0,
            years: Default::default(),
            ward: None,
            counters: Counters::default(),
            failed: None,
        }
    }

    fn put(&mut self, which: usize, key: &[u8], value: Vec<u8>) -> Result<(), Problem> {
        self.pending += key.len() + value.len();
        self.batches[which].insert(key, value);
        if self.pending >= BULK_BATCH_BYTES {
            self.apply().map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    fn apply(&mut self) -> Result<(), sled::Error> {
        let trees = [
            &self.store.items,
            &self.store.branches,
            &self.store.groups,
            &self.store.sheets,
            &self.store.log,
        ];
        for (tree, batch) in trees.iter().zip(self.batches.iter_mut()) {
            tree.apply_batch(std::mem::take(batch))?;
        }
        self.pending = 0;
        Ok(())
    }

    fn fail(&mut self, e: sled::Error) -> Problem {
        self.failed = Some(self.store.map_err(e));
        Problem::new(
            "write",
            "the database could not be written",
            "không ghi được CSDL",
        )
    }

    fn close_sheet(&mut self) -> Result<(), Problem> {
        if let Some((key, sheet)) = self.sheet.take() {
            self.put(SHEETS, &key, encode(&sheet))?;
        }
        Ok(())
    }

    fn close_chunk(&mut self) -> Result<(), Problem> {
        if let Some((id, ch)) = self.chunk.take() {
            self.put(LOG, &id.to_be_bytes(), encode(&ch))?;
        }
        Ok(())
    }

    /// Write what is still pending. A failure is in `failed`.
    fn finish(&mut self) -> Result<(), ()> {
        self.close_sheet().map_err(|_| ())?;
        self.close_chunk().map_err(|_| ())?;
        self.apply().map_err(|e| {
            self.fail(e);
        })
    }
}

impl transfer::DocSink for Writer<'_> {
    fn ward(&mut self, w: &crate::domain::ward::Ward) -> Result<(), Problem> {
        self.ward = Some(w.clone());
        Ok(())
    }
    fn branch(&mut self, b: &crate::domain::ward::Branch) -> Result<(), Problem> {
        let v = encode(&BranchV1 {
            name: b.name.clone(),
        });
        self.put(BRANCHES, &b.id.to_be_bytes(), v)
    }
    fn group(&mut self, g: &crate::domain::ward::Group) -> Result<(), Problem> {
        self.put(GROUPS, &g.id.to_be_bytes(), encode(&GroupV2::from(g)))
    }
    fn item(&mut self, i: &crate::domain::template::Item) -> Result<(), Problem> {
        let v = encode(&ItemV1::from_domain(self.item_order, i));
        self.item_order += 1;
        self.put(ITEMS, i.code.as_bytes(), v)
    }
    fn full(&self) -> bool {
        true
    }
    fn entry_full(&mut self, mut entry: crate::domain::entry::Entry) -> Result<(), Problem> {
        let period = entry.period;
        let key = super::layout::sheet_key(period, entry.group);
        if self.sheet.as_ref().is_some_and(|(k, _)| *k != key) {
            self.close_sheet()?;
        }
        self.years.insert(period.year());
        // The history of this entry: the records packed with its key, in order.
        let rank = self
            .verified
            .codes
            .binary_search_by(|c| c.as_str().cmp(&entry.item))
            .unwrap_or(0) as u16;
        let lo = pack(period.to_key(), entry.group, rank, 0);
        let hi = pack(period.to_key(), entry.group, rank, (1 << 48) - 1);
        let h = &self.verified.history;
        // Entries come in key order, so the cursor only moves forward; it jumps over
        // the records of entries that are no longer stored.
        if h.get(self.cursor).is_some_and(|x| *x < lo) {
            self.cursor += h[self.cursor..].partition_point(|x| *x < lo);
        }
        let start = self.cursor;
        while h.get(self.cursor).is_some_and(|x| *x <= hi) {
            self.cursor += 1;
        }
        let audit: Vec<u64> = h[start..self.cursor]
            .iter()
            .map(|x| (*x as u64) & ((1 << 48) - 1))
            .collect();
        // The record from the entry, its texts moved rather than copied.
        let ev = &mut entry.evidence;
        let texts = (
            std::mem::take(&mut ev.minutes),
            std::mem::take(&mut ev.responsible),
            std::mem::take(&mut ev.note),
        );
        let mut rec = EntryV3::from(&entry);
        (rec.base.minutes, rec.base.responsible, rec.base.note) = texts;
        let (_, sheet) = self.sheet.get_or_insert_with(|| (key, SheetV3::default()));
        if sheet.rows.last().is_none_or(|r| r.item < entry.item) {
            sheet.rows.push(SheetRowV3 {
                item: entry.item,
                entry: rec,
                audit,
            });
        } else {
            // Not after the last row (a document validated first cannot do this).
            let item = entry.item.clone();
            sheet.put(
                &rec.clone().into_domain(entry.group, entry.item, period),
                None,
            );
            if let Ok(i) = sheet.rows.binary_search_by(|r| r.item.cmp(&item)) {
                sheet.rows[i].audit = audit;
            }
        }
        Ok(())
    }
    fn audit_full(&mut self, mut a: crate::domain::audit::AuditRecord) -> Result<(), Problem> {
        self.close_sheet()?;
        let id = a.seq / AUDIT_CHUNK;
        if self.chunk.as_ref().is_some_and(|(c, _)| *c != id) {
            self.close_chunk()?;
        }
        // The record's texts moved rather than copied.
        let texts = (
            std::mem::take(&mut a.actor.member),
            std::mem::take(&mut a.actor.os_user),
            std::mem::take(&mut a.action),
            std::mem::take(&mut a.item),
            std::mem::take(&mut a.period),
            std::mem::take(&mut a.changes),
        );
        let mut rec = AuditV1::from(&a);
        let changes;
        (
            rec.member,
            rec.os_user,
            rec.action,
            rec.item,
            rec.period,
            changes,
        ) = texts;
        rec.changes = changes
            .into_iter()
            .map(|c| (c.field, c.old, c.new))
            .collect();
        let (_, ch) = self
            .chunk
            .get_or_insert_with(|| (id, AuditChunkV1::default()));
        ch.records.push((a.seq, rec));
        Ok(())
    }
    fn counters(&mut self, c: Counters) -> Result<(), Problem> {
        self.close_sheet()?;
        self.close_chunk()?;
        self.counters = c;
        Ok(())
    }
    fn raw(&mut self, raw: &BTreeMap<String, Vec<[String; 2]>>) -> Result<(), Problem> {
        for (tree, pairs) in raw {
            let t = if tree == "meta" {
                self.store.meta.clone()
            } else {
                match self.store.db.open_tree(tree.as_bytes()) {
                    Ok(t) => t,
                    Err(e) => return Err(self.fail(e)),
                }
            };
            let mut b = sled::Batch::default();
            for [k, v] in pairs {
                match (unhex(k), unhex(v)) {
                    (Some(k), Some(v)) => b.insert(k, v),
                    _ => {
                        return Err(Problem::new(
                            format!("raw {tree}"),
                            "not hexadecimal",
                            "không phải dạng thập lục phân",
                        ));
                    }
                }
            }
            if let Err(e) = t.apply_batch(b) {
                return Err(self.fail(e));
            }
        }
        Ok(())
    }
}

/// Bytes per sled batch in bulk writes: measured in BENCHMARKS.md (larger batches
/// save little time and cost memory).
pub const BULK_BATCH_BYTES: usize = 256 << 10;

/// Is this a problem of what [`Store::repair`] rebuilds (the tallies, the index of
/// group names) — derived from the records, so `qcdc check --repair` fixes it and no
/// entry is lost?
pub fn repairable(p: &Problem) -> bool {
    p.place == "group_names" || p.place.starts_with("tallies") || p.place.starts_with("tally ")
}

/// Tallies that do not match their sheets (recomputed from them).
fn tally_drift(
    sheets: &BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV3)>>,
    tallies: &BTreeMap<(u16, u32), TallyV2>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let empty = TallyV2::default();
    let keys: std::collections::BTreeSet<&(u16, u32)> =
        sheets.keys().chain(tallies.keys()).collect();
    for key in keys {
        let expected = sheets
            .get(key)
            .map(|s| TallyV2::of_sheets(s.iter().map(|(p, s)| (*p, s))))
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
    sheets: &BTreeMap<(u16, u32), Vec<(crate::domain::period::Period, SheetV3)>>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Actor;
    use crate::service::{MarkRequest, Service};

    fn demo() -> (tempfile::TempDir, crate::service::local::LocalService) {
        let dir = tempfile::tempdir().unwrap();
        let svc = crate::cli::create_demo(
            &dir.path().join("w.db"),
            Actor::new("Tester", "tester"),
            crate::i18n::Lang::Vi,
        )
        .unwrap();
        (dir, svc)
    }

    /// The streamed document is byte for byte the one built in memory, checksum
    /// included — with notes that need escaping and an undo in the log.
    #[test]
    fn the_streamed_export_is_the_documents_bytes() {
        let (_dir, svc) = demo();
        let group = svc.groups().unwrap()[0].id;
        let period = crate::domain::period::Period::Quarter(2026, 4);
        use crate::domain::entry::StepStatus;
        for (status, note) in [
            (StepStatus::Doing, "\"trích\"\n\ttab \\ \u{1}"),
            (StepStatus::Done, "Ghi chú ư"),
        ] {
            svc.mark(MarkRequest {
                group,
                item: "CK-02".into(),
                period,
                step: "biet".parse().unwrap(),
                status,
                note: Some(note.into()),
                base_version: None,
            })
            .unwrap();
        }
        svc.undo_last().unwrap();
        let store = svc.store();
        let doc = store.export_doc().unwrap();
        let mut out = Vec::new();
        let summary = store.export_to(&mut out).unwrap();
        assert_eq!(out, doc.to_json());
        assert_eq!(summary.sha256, doc.sha256);
        assert_eq!(summary.bytes, out.len() as u64);
        assert_eq!(summary.entries, doc.entries.len() as u64);
        assert_eq!(summary.audit, doc.audit.len() as u64);
    }

    /// Audit records read in place serialise as the domain's records do.
    #[test]
    fn an_audit_record_read_in_place_is_the_records_json() {
        use crate::domain::audit::{AuditRecord, Change};
        let rec = AuditRecord {
            seq: 7,
            at_ms: 1_796_220_621_615,
            actor: Actor::new("Nguyễn \"Văn\" A", "an"),
            action: "mark".into(),
            group: 3,
            item: "CK-02".into(),
            period: "2026-Q4".into(),
            changes: vec![
                Change {
                    field: "biet".into(),
                    old: "todo".into(),
                    new: "done".into(),
                },
                Change {
                    field: "note".into(),
                    old: String::new(),
                    new: "dòng 1\ndòng 2".into(),
                },
            ],
            undoes: Some(5),
        };
        let chunk = AuditChunkV1 {
            records: vec![(rec.seq, AuditV1::from(&rec))],
        };
        let bytes = encode(&chunk);
        let read: AuditChunkRef = decode_borrowed(&bytes).unwrap();
        let (seq, r) = &read.records[0];
        let json = serde_json::to_string_pretty(&rec).unwrap();
        assert_eq!(serde_json::to_string_pretty(&r.out(*seq)).unwrap(), json);
        assert_eq!(
            serde_json::to_string_pretty(&transfer::AuditOut::of(&rec)).unwrap(),
            json
        );
    }

    /// A writer that fails (a full disk) ends the export with an error: the thread
    /// reading the trees stops too, nothing hangs.
    #[test]
    fn an_export_whose_writer_fails_stops_and_says_so() {
        struct Full(usize);
        impl std::io::Write for Full {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 < buf.len() {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (_dir, svc) = demo();
        for room in [0, 100, 70_000] {
            let err = svc.store().export_to(&mut Full(room)).unwrap_err();
            assert!(err.to_string().contains("disk full"), "{err}");
        }
    }

    /// Imported from a stream, a database exports as the document it came from, and
    /// every entry keeps its history.
    #[test]
    fn a_streamed_import_gives_back_the_same_database() {
        let (dir, svc) = demo();
        let group = svc.groups().unwrap()[1].id;
        svc.mark(MarkRequest {
            group,
            item: "CK-02".into(),
            period: crate::domain::period::Period::Quarter(2026, 4),
            step: "biet".parse().unwrap(),
            status: crate::domain::entry::StepStatus::Done,
            note: None,
            base_version: None,
        })
        .unwrap();
        let bytes = svc.store().export_doc().unwrap().to_json();
        let mut open =
            || Ok(Box::new(std::io::Cursor::new(bytes.clone())) as Box<dyn std::io::Read>);
        let verified = verify_document(&mut open).unwrap();
        let path = dir.path().join("copy.db");
        let copy = Store::import_verified(&path, &mut open, &verified).unwrap();
        assert_eq!(copy.export_doc().unwrap().to_json(), bytes);
        assert!(copy.check().unwrap().problems.is_empty());
        drop(copy);
        // A second import into it is refused; a damaged document is refused before
        // anything is written.
        assert!(matches!(
            Store::import_verified(&path, &mut open, &verified),
            Err(ImportError::Store(StoreError::AlreadyInitialized { .. }))
        ));
        let mut bad = bytes.clone();
        let at = bad.len() / 2;
        bad[at] ^= 1;
        let mut open_bad =
            || Ok(Box::new(std::io::Cursor::new(bad.clone())) as Box<dyn std::io::Read>);
        assert!(matches!(
            verify_document(&mut open_bad),
            Err(ImportError::Damaged(_))
        ));
    }
}
