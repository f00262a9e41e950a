//! Schema 3's keys and record helpers: sheets (a group's entries for one period),
//! tallies (what reports count of a group's entries for one year) and the audit log in
//! chunks. Everything that reads or writes these three trees goes through here, so the
//! rule "a tally always matches its sheets" lives in one place.

use super::records::*;
use crate::domain::audit::AuditRecord;
use crate::domain::entry::Entry;
use crate::domain::period::Period;
use crate::domain::ward::GroupId;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::BTreeMap;

/// Entries by (group, year), each with the audit records that changed it: the unit
/// [`BulkWriter::put_group_year`] writes.
pub type GroupYears = BTreeMap<(GroupId, u16), Vec<(Entry, Vec<u64>)>>;

/// Sheet key: slot period (4 bytes, sorting like periods) ‖ group id (big-endian).
pub fn sheet_key(slot: Period, group: GroupId) -> [u8; 8] {
    let p = slot.to_key();
    let g = group.to_be_bytes();
    [p[0], p[1], p[2], p[3], g[0], g[1], g[2], g[3]]
}

pub fn split_sheet_key(k: &[u8]) -> Option<(Period, GroupId)> {
    let k: [u8; 8] = k.try_into().ok()?;
    let period = Period::from_key([k[0], k[1], k[2], k[3]])?;
    Some((period, u32::from_be_bytes([k[4], k[5], k[6], k[7]])))
}

/// Tally key: year (big-endian) ‖ group id.
pub fn tally_key(year: u16, group: GroupId) -> [u8; 6] {
    let y = year.to_be_bytes();
    let g = group.to_be_bytes();
    [y[0], y[1], g[0], g[1], g[2], g[3]]
}

pub fn split_tally_key(k: &[u8]) -> Option<(u16, GroupId)> {
    let k: [u8; 6] = k.try_into().ok()?;
    Some((
        u16::from_be_bytes([k[0], k[1]]),
        u32::from_be_bytes([k[2], k[3], k[4], k[5]]),
    ))
}

/// Group-name index key: the name folded (no diacritics, lower case) ‖ 0 ‖ group id.
/// Folded names may repeat ("Tổ 1" and "To 1"), so the id is part of the key.
pub fn group_name_key(name: &str, id: GroupId) -> Vec<u8> {
    let mut k = group_name_prefix(name);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The prefix of every index key of groups whose name folds like `name`.
pub fn group_name_prefix(name: &str) -> Vec<u8> {
    let mut k = crate::domain::text::fold(&crate::domain::text::clean(name)).into_bytes();
    k.push(0);
    k
}

/// The key of the audit chunk holding `seq`.
pub fn chunk_key(seq: u64) -> [u8; 8] {
    (seq / AUDIT_CHUNK).to_be_bytes()
}

impl SheetV3 {
    pub fn row(&self, item: &str) -> Option<&SheetRowV3> {
        self.rows
            .binary_search_by(|r| r.item.as_str().cmp(item))
            .ok()
            .map(|i| &self.rows[i])
    }

    /// Put `entry` (with the audit record that wrote it, if any) in place of the row of
    /// its item.
    pub fn put(&mut self, entry: &Entry, seq: Option<u64>) {
        let rec = EntryV3::from(entry);
        match self
            .rows
            .binary_search_by(|r| r.item.as_str().cmp(&entry.item))
        {
            Ok(i) => {
                let row = &mut self.rows[i];
                row.entry = rec;
                row.audit.extend(seq);
            }
            Err(i) => self.rows.insert(
                i,
                SheetRowV3 {
                    item: entry.item.clone(),
                    entry: rec,
                    audit: seq.into_iter().collect(),
                },
            ),
        }
    }

    pub fn entries(&self, slot: Period, group: GroupId) -> Vec<Entry> {
        self.rows
            .iter()
            .map(|r| r.entry.clone().into_domain(group, r.item.clone(), slot))
            .collect()
    }
}

impl TallyV2 {
    pub fn put(&mut self, slot: Period, item: &str, e: &EntryV3) {
        let row = TallyRowV2::of(slot, item, e);
        let key = (row.slot(), row.item());
        match self
            .rows
            .binary_search_by(|r| (r.slot(), r.item()).cmp(&key))
        {
            Ok(i) => self.rows[i] = row,
            Err(i) => self.rows.insert(i, row),
        }
    }

    /// The tally of the given sheets (all of one group and one year).
    pub fn of_sheets<'a>(sheets: impl IntoIterator<Item = (Period, &'a SheetV3)>) -> TallyV2 {
        let mut t = TallyV2::default();
        for (slot, sheet) in sheets {
            for r in &sheet.rows {
                t.rows.push(TallyRowV2::of(slot, &r.item, &r.entry));
            }
        }
        t.rows
            .sort_by(|a, b| (a.slot(), a.item()).cmp(&(b.slot(), b.item())));
        t
    }
}

/// Inside a transaction: give `recs` the next sequence numbers, append them to the log
/// and advance `meta/next_audit`. Returns the records as written.
pub fn tx_append_audit<E>(
    log: &TransactionalTree,
    meta: &TransactionalTree,
    recs: &[AuditRecord],
    corrupt: &dyn Fn() -> E,
) -> Result<Vec<AuditRecord>, ConflictableTransactionError<E>> {
    let mut seq = meta
        .get(super::NEXT_AUDIT)?
        .and_then(|v| super::u64_of(&v))
        .unwrap_or(1);
    let mut out = Vec::with_capacity(recs.len());
    let mut chunk: Option<(u64, AuditChunkV1)> = None;
    for r in recs {
        let mut r = r.clone();
        r.seq = seq;
        let id = seq / AUDIT_CHUNK;
        if chunk.as_ref().is_none_or(|(c, _)| *c != id) {
            if let Some((c, ch)) = chunk.take() {
                log.insert(&c.to_be_bytes(), encode(&ch))?;
            }
            let current = match log.get(id.to_be_bytes())? {
                Some(v) => decode::<AuditChunkV1>(&v)
                    .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))?,
                None => AuditChunkV1::default(),
            };
            chunk = Some((id, current));
        }
        if let Some((_, ch)) = chunk.as_mut() {
            ch.records.push((seq, AuditV1::from(&r)));
        }
        out.push(r);
        seq += 1;
    }
    if let Some((c, ch)) = chunk {
        log.insert(&c.to_be_bytes(), encode(&ch))?;
    }
    meta.insert(super::NEXT_AUDIT, &seq.to_be_bytes())?;
    Ok(out)
}

/// Inside a transaction: store `entries` (each with the audit record that wrote it)
/// in their sheets and tallies, each sheet and tally read and written once.
pub fn tx_put_entries<E>(
    sheets: &TransactionalTree,
    tallies: &TransactionalTree,
    entries: &[(&Entry, Option<u64>)],
    corrupt: &dyn Fn() -> E,
) -> Result<(), ConflictableTransactionError<E>> {
    let abort = || ConflictableTransactionError::Abort(corrupt());
    let mut by_sheet: BTreeMap<[u8; 8], Vec<(&Entry, Option<u64>)>> = BTreeMap::new();
    let mut by_tally: BTreeMap<[u8; 6], Vec<&Entry>> = BTreeMap::new();
    for (e, seq) in entries {
        by_sheet
            .entry(sheet_key(e.period, e.group))
            .or_default()
            .push((e, *seq));
        by_tally
            .entry(tally_key(e.period.year(), e.group))
            .or_default()
            .push(e);
    }
    for (k, rows) in by_sheet {
        let mut sheet = match sheets.get(k)? {
            Some(v) => decode_sheet(&v).ok_or_else(abort)?,
            None => SheetV3::default(),
        };
        for (e, seq) in rows {
            sheet.put(e, seq);
        }
        sheets.insert(&k, encode(&sheet))?;
    }
    for (k, rows) in by_tally {
        let mut tally = match tallies.get(k)? {
            Some(v) => decode_tally(&v).ok_or_else(abort)?,
            None => TallyV2::default(),
        };
        for e in rows {
            tally.put(e.period, &e.item, &EntryV3::from(e));
        }
        tallies.insert(&k, encode(&tally))?;
    }
    Ok(())
}

/// Builds sheets, tallies and audit chunks for a whole new database (the benchmark
/// generator, an import of an export document, a migration) and writes them in sled
/// batches of bounded size: one huge batch makes sled's memory balloon.
pub struct BulkWriter<'a> {
    sheets: &'a sled::Tree,
    tallies: &'a sled::Tree,
    log: &'a sled::Tree,
    batch_bytes: usize,
    pending: (sled::Batch, sled::Batch, sled::Batch),
    pending_bytes: usize,
    chunk: Option<(u64, AuditChunkV1)>,
}

impl<'a> BulkWriter<'a> {
    pub fn new(
        sheets: &'a sled::Tree,
        tallies: &'a sled::Tree,
        log: &'a sled::Tree,
        batch_bytes: usize,
    ) -> BulkWriter<'a> {
        BulkWriter {
            sheets,
            tallies,
            log,
            batch_bytes: batch_bytes.max(1),
            pending: Default::default(),
            pending_bytes: 0,
            chunk: None,
        }
    }

    /// One group's entries for one year, every one of them (the caller must not give
    /// the same group and year twice), with the audit records of each.
    pub fn put_group_year(
        &mut self,
        group: GroupId,
        year: u16,
        entries: &[(Entry, Vec<u64>)],
    ) -> Result<(), sled::Error> {
        let mut sheets: BTreeMap<Period, SheetV3> = BTreeMap::new();
        for (e, seqs) in entries {
            let sheet = sheets.entry(e.period).or_default();
            sheet.put(e, None);
            if let Ok(i) = sheet
                .rows
                .binary_search_by(|r| r.item.as_str().cmp(&e.item))
            {
                sheet.rows[i].audit = seqs.clone();
            }
        }
        let tally = TallyV2::of_sheets(sheets.iter().map(|(p, s)| (*p, s)));
        for (slot, sheet) in &sheets {
            let v = encode(sheet);
            self.pending_bytes += v.len() + 8;
            self.pending.0.insert(&sheet_key(*slot, group), v);
        }
        let v = encode(&tally);
        self.pending_bytes += v.len() + 6;
        self.pending.1.insert(&tally_key(year, group), v);
        self.maybe_flush()
    }

    /// Append an audit record; sequence numbers must come in increasing order.
    pub fn put_audit(&mut self, rec: &AuditRecord) -> Result<(), sled::Error> {
        let id = rec.seq / AUDIT_CHUNK;
        if self.chunk.as_ref().is_some_and(|(c, _)| *c != id) {
            self.finish_chunk();
        }
        let (_, ch) = self
            .chunk
            .get_or_insert_with(|| (id, AuditChunkV1::default()));
        ch.records.push((rec.seq, AuditV1::from(rec)));
        if ch.records.len() as u64 >= AUDIT_CHUNK {
            self.finish_chunk();
        }
        self.maybe_flush()
    }

    fn finish_chunk(&mut self) {
        if let Some((id, ch)) = self.chunk.take() {
            let v = encode(&ch);
            self.pending_bytes += v.len() + 8;
            self.pending.2.insert(&id.to_be_bytes(), v);
        }
    }

    fn maybe_flush(&mut self) -> Result<(), sled::Error> {
        if self.pending_bytes >= self.batch_bytes {
            self.write()?;
        }
        Ok(())
    }

    fn write(&mut self) -> Result<(), sled::Error> {
        let (s, t, l) = std::mem::take(&mut self.pending);
        self.sheets.apply_batch(s)?;
        self.tallies.apply_batch(t)?;
        self.log.apply_batch(l)?;
        self.pending_bytes = 0;
        Ok(())
    }

    /// Write what is left.
    pub fn finish(mut self) -> Result<(), sled::Error> {
        self.finish_chunk();
        self.write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::StepStatus;

    #[test]
    fn keys_sort_like_periods_then_groups_and_split_back() {
        let a = sheet_key(Period::Quarter(2026, 3), 7);
        let b = sheet_key(Period::Quarter(2026, 4), 1);
        assert!(a < b);
        assert_eq!(split_sheet_key(&a), Some((Period::Quarter(2026, 3), 7)));
        assert_eq!(split_tally_key(&tally_key(2026, 9)), Some((2026, 9)));
        assert!(split_sheet_key(b"short").is_none());
        assert_eq!(chunk_key(31), chunk_key(0));
        assert_ne!(chunk_key(32), chunk_key(31));
    }

    #[test]
    fn a_sheet_keeps_one_row_per_item_in_order_with_its_audit_trail() {
        let mut s = SheetV3::default();
        let p = Period::Quarter(2026, 4);
        let mut e = Entry::new(3, "CK-02", p);
        s.put(&e, Some(5));
        s.put(&Entry::new(3, "CK-01", p), Some(6));
        e.steps[0] = StepStatus::Done;
        s.put(&e, Some(9));
        assert_eq!(
            s.rows.iter().map(|r| r.item.as_str()).collect::<Vec<_>>(),
            ["CK-01", "CK-02"]
        );
        assert_eq!(s.row("CK-02").map(|r| r.audit.clone()), Some(vec![5, 9]));
        assert_eq!(s.entries(p, 3)[1].steps[0], StepStatus::Done);
    }
}
