//! The whole database as one versioned JSON document: for moving a ward to another
//! machine, for backups, and for the district roll-up.
//!
//! The document is deterministic (no time stamp inside; arrays in key order), so
//! export → import into an empty database → export gives the same bytes. It carries a
//! SHA-256 of its own content, so a damaged or edited file is refused on import or
//! restore. Its shape is documented in docs/export-json.md.

use crate::domain::audit::AuditRecord;
use crate::domain::entry::Entry;
use crate::domain::period::{Granularity, Period};
use crate::domain::template::{Item, Recurrence, Scope};
use crate::domain::text;
use crate::domain::ward::{Branch, Group, MAX_HOUSEHOLDS, MAX_NAME_CHARS, WARD_GROUP, Ward};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;

mod read;
mod write;
pub(crate) use read::Framer;
pub use read::{
    AuditRef, DocSink, EntryRef, EvidenceRef, MAX_VALUE, Mode, NoSink, StreamError, StreamInfo,
    read_stream, read_verified, shape as read_shape,
};
pub use write::{
    ActorOut, AuditOut, AuditSource, ChangesOut, ExportSummary, Parts, Source, checksum_stream,
    write_stream,
};

pub const FORMAT: &str = "qcdc-export";
/// Version of the document's shape.
pub const VERSION: u32 = 1;

/// The counters that hand out ids and audit sequence numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub next_branch: u32,
    pub next_group: u32,
    pub next_audit: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDoc {
    /// Always "qcdc-export".
    pub format: String,
    pub version: u32,
    /// The store schema of the database it came from.
    pub schema: u32,
    pub ward: Ward,
    pub branches: Vec<Branch>,
    pub groups: Vec<Group>,
    /// The ward's checklist template, in display order (retired items included).
    pub items: Vec<Item>,
    /// Every stored entry, in key order (period, group, item).
    pub entries: Vec<Entry>,
    /// The whole audit log, oldest first.
    pub audit: Vec<AuditRecord>,
    pub counters: Counters,
    /// Stored data this version of the document does not model (other trees, other
    /// `meta` keys), byte for byte as hexadecimal [key, value] pairs, per tree.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, Vec<[String; 2]>>,
    /// SHA-256 (hex) of the compact JSON of this document with this field empty.
    pub sha256: String,
}

/// Something wrong in a document or a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where: "group 3", "entry 2026-Q3/4/CK-02", "audit 17"…
    pub place: String,
    pub en: String,
    pub vi: String,
}

impl Problem {
    pub fn new(place: impl Into<String>, en: impl Into<String>, vi: impl Into<String>) -> Problem {
        Problem {
            place: place.into(),
            en: en.into(),
            vi: vi.into(),
        }
    }

    pub fn message(&self, en: bool) -> String {
        format!("{}: {}", self.place, if en { &self.en } else { &self.vi })
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// An `io::Write` that hashes what goes through it (and counts it), passing it on.
pub struct HashingWriter<W: std::io::Write> {
    pub inner: W,
    pub hasher: Sha256,
    pub bytes: u64,
}

impl<W: std::io::Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    pub fn hex(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// [`ExportDoc`] by reference with another checksum: serialises exactly as the
/// document would (same fields, same order), without copying a city's entries.
#[derive(Serialize)]
struct DocView<'a> {
    format: &'a str,
    version: u32,
    schema: u32,
    ward: &'a Ward,
    branches: &'a [Branch],
    groups: &'a [Group],
    items: &'a [Item],
    entries: &'a [Entry],
    audit: &'a [AuditRecord],
    counters: Counters,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    raw: &'a BTreeMap<String, Vec<[String; 2]>>,
    sha256: &'a str,
}

impl ExportDoc {
    /// A document with nothing in it (a placeholder once a real one is dropped).
    pub fn empty() -> ExportDoc {
        ExportDoc {
            format: FORMAT.into(),
            version: VERSION,
            schema: 0,
            ward: Ward {
                name: String::new(),
                steps: crate::domain::step::StepSet::Four,
                current_period: None,
                term: None,
            },
            branches: Vec::new(),
            groups: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            audit: Vec::new(),
            counters: Counters::default(),
            raw: BTreeMap::new(),
            sha256: String::new(),
        }
    }

    fn view<'a>(&'a self, sha256: &'a str) -> DocView<'a> {
        DocView {
            format: &self.format,
            version: self.version,
            schema: self.schema,
            ward: &self.ward,
            branches: &self.branches,
            groups: &self.groups,
            items: &self.items,
            entries: &self.entries,
            audit: &self.audit,
            counters: self.counters,
            raw: &self.raw,
            sha256,
        }
    }

    /// The checksum of the content (everything but `sha256`), hashed as it is
    /// serialised: nothing the size of the document is held.
    pub fn content_hash(&self) -> String {
        let mut w = HashingWriter::new(std::io::sink());
        let _ = serde_json::to_writer(std::io::BufWriter::new(&mut w), &self.view(""));
        w.hex()
    }

    /// What [`ExportDoc::to_json`] gives, written to `w` as it is produced.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        // Controls in names escaped as JSON does for C0 (`\u009b`): the same document.
        let mut b =
            std::io::BufWriter::with_capacity(1 << 16, crate::domain::text::JsonSafe::new(w));
        serde_json::to_writer_pretty(&mut b, &self.view(&self.sha256))?;
        b.write_all(b"\n")?;
        std::io::Write::flush(&mut b)
    }

    pub fn seal(mut self) -> ExportDoc {
        self.sha256 = self.content_hash();
        self
    }

    pub fn checksum_ok(&self) -> bool {
        self.sha256 == self.content_hash()
    }

    /// Pretty JSON with a final newline: what files hold.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_json(&mut v);
        v
    }

    /// Parse a document, refusing other files, newer versions and damaged content.
    pub fn from_json(bytes: &[u8]) -> Result<ExportDoc, Problem> {
        /// The two fields that say what a document is, read without building the rest
        /// (a city's document is a gigabyte: a `Value` of it would be several).
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let not_json = |e: serde_json::Error| {
            Problem::new(
                "JSON",
                format!("not a JSON document ({e})"),
                format!("không phải tài liệu JSON ({e})"),
            )
        };
        let head: Head = match serde_json::from_slice(bytes) {
            Ok(h) => h,
            // JSON, but not an object: not ours.
            Err(_) if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() => Head {
                format: None,
                version: None,
            },
            Err(e) => return Err(not_json(e)),
        };
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(Problem::new(
                "format",
                "not a qcdc export (no \"format\": \"qcdc-export\")",
                "không phải tệp xuất của qcdc (thiếu \"format\": \"qcdc-export\")",
            ));
        }
        let version = head.version.and_then(|x| x.as_u64()).unwrap_or(0);
        if version > VERSION as u64 {
            return Err(Problem::new(
                "version",
                format!("written by a newer qcdc (version {version}; this one reads {VERSION})"),
                format!("do qcdc mới hơn ghi (phiên bản {version}; bản này đọc tới {VERSION})"),
            ));
        }
        let doc: ExportDoc = serde_json::from_slice(bytes).map_err(|e| {
            Problem::new(
                "JSON",
                format!("the document does not have the expected shape ({e})"),
                format!("tài liệu không đúng cấu trúc ({e})"),
            )
        })?;
        if !doc.checksum_ok() {
            return Err(Problem::new(
                "sha256",
                "the checksum does not match: the file is damaged or was edited",
                "mã kiểm tra không khớp: tệp bị hỏng hoặc đã bị sửa",
            ));
        }
        Ok(doc)
    }
}

/// Everything that would make the document an inconsistent database: ids and names,
/// references from groups to branches and from entries to groups and items, the
/// audit sequence and the counters. Empty when all is well.
pub fn validate(d: &ExportDoc) -> Vec<Problem> {
    let mut v = Validator::new(Some(d.counters));
    v.ward(&d.ward);
    d.branches.iter().for_each(|b| v.branch(b));
    d.groups.iter().for_each(|g| v.group(g));
    d.items.iter().for_each(|i| v.item(i));
    for e in &d.entries {
        v.entry(
            e.period,
            e.group,
            &e.item,
            e.version,
            e.evidence.vote.as_ref(),
        );
    }
    for a in &d.audit {
        v.audit(a.seq, a.undoes, &a.period);
    }
    v.raw(&d.raw);
    v.finish()
}

/// The rules of [`validate`], fed one piece at a time in the document's order, so a
/// document read as a stream is checked without holding it: what is kept is the
/// branches', groups' and items' ids and names, the key of the last entry and the runs
/// of audit sequence numbers. Entries must come in key order (period, group, item), as
/// every export writes them: a repeated entry is then the one just before.
///
/// The counters come after everything else in a document; when they are not known
/// up front ([`Validator::new`] with `None`), the checks against them are made by
/// [`Validator::counters`].
pub struct Validator {
    counters: Option<Counters>,
    problems: Vec<Problem>,
    branch_ids: HashSet<u32>,
    branch_names: HashSet<String>,
    /// Group ids and names (for messages about them once the counters are read).
    group_ids: HashMap<u32, String>,
    group_names: HashSet<String>,
    /// By code: scope, entry period, recurrence (English, Vietnamese) and whether the
    /// item arises (per event or per term) and so may have further occurrences.
    items: HashMap<String, (Scope, Granularity, &'static str, &'static str, bool)>,
    /// The last entry's key (period, group, item).
    last_entry: Option<([u8; 4], u32, String)>,
    /// Audit sequence numbers seen, as runs [first, last] in order; those that came out
    /// of order on their own.
    runs: Vec<(u64, u64)>,
    stray: HashSet<u64>,
    audit_first: Option<u64>,
    audit_last: Option<u64>,
    audit_len: usize,
    audit_max: u64,
}

impl Validator {
    pub fn new(counters: Option<Counters>) -> Validator {
        Validator {
            counters,
            problems: Vec::new(),
            branch_ids: HashSet::new(),
            branch_names: HashSet::new(),
            group_ids: HashMap::new(),
            group_names: HashSet::new(),
            items: HashMap::new(),
            last_entry: None,
            runs: Vec::new(),
            stray: HashSet::new(),
            audit_first: None,
            audit_last: None,
            audit_len: 0,
            audit_max: 0,
        }
    }

    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// Problems found so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn ward(&mut self, w: &Ward) {
        if text::clean(&w.name).is_empty() {
            self.push(Problem::new(
                "ward",
                "the ward has no name",
                "phường không có tên",
            ));
        }
    }

    fn branch_counter(&mut self, id: u32, next: u32) {
        if id >= next {
            self.push(Problem::new(
                format!("branch {id}"),
                format!("id not below the counter {next}"),
                format!("mã không nhỏ hơn bộ đếm {next}"),
            ));
        }
    }

    fn group_counter(&mut self, id: u32, name: &str, next: u32) {
        if id >= next {
            self.push(Problem::new(
                format!("group {id} ({name})"),
                format!("id not below the counter {next}"),
                format!("mã không nhỏ hơn bộ đếm {next}"),
            ));
        }
    }

    pub fn branch(&mut self, b: &Branch) {
        let at = format!("branch {}", b.id);
        if b.id == 0 || !self.branch_ids.insert(b.id) {
            self.push(Problem::new(&at, "id 0 or repeated", "mã 0 hoặc bị trùng"));
        }
        if let Some(c) = self.counters {
            self.branch_counter(b.id, c.next_branch);
        }
        if b.name.trim().is_empty() || b.name.chars().count() > MAX_NAME_CHARS {
            self.push(Problem::new(
                &at,
                "empty or too long name",
                "tên trống hoặc quá dài",
            ));
        }
        if !self.branch_names.insert(text::fold(&b.name)) {
            self.push(Problem::new(
                &at,
                format!("name {:?} repeated", b.name),
                format!("tên {:?} bị trùng", b.name),
            ));
        }
    }

    pub fn group(&mut self, g: &Group) {
        let at = format!("group {} ({})", g.id, g.name);
        if g.id == WARD_GROUP || self.group_ids.insert(g.id, g.name.clone()).is_some() {
            self.push(Problem::new(&at, "id 0 or repeated", "mã 0 hoặc bị trùng"));
        }
        if let Some(c) = self.counters {
            self.group_counter(g.id, &g.name, c.next_group);
        }
        if !self.branch_ids.contains(&g.branch) {
            self.push(Problem::new(
                &at,
                format!("belongs to unknown branch {}", g.branch),
                format!("thuộc chi bộ không tồn tại (mã {})", g.branch),
            ));
        }
        if !(1..=MAX_HOUSEHOLDS).contains(&g.households) {
            self.push(Problem::new(
                &at,
                format!("{} households", g.households),
                format!("số hộ {} không hợp lệ", g.households),
            ));
        }
        if g.name.trim().is_empty() || !self.group_names.insert(text::fold(&g.name)) {
            self.push(Problem::new(
                &at,
                "empty or repeated name",
                "tên trống hoặc bị trùng",
            ));
        }
    }

    pub fn item(&mut self, it: &Item) {
        let ok_code = !it.code.is_empty()
            && it
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        let value = (
            it.scope,
            it.recurrence.granularity(),
            it.recurrence.name_en(),
            it.recurrence.name_vi(),
            matches!(it.recurrence, Recurrence::Event | Recurrence::Term),
        );
        if !ok_code || self.items.insert(it.code.clone(), value).is_some() {
            self.push(Problem::new(
                format!("item {}", it.code),
                "bad or repeated item code",
                "mã mục sai hoặc bị trùng",
            ));
        }
    }

    /// Whether an item code is in the template seen so far.
    pub fn knows_item(&self, code: &str) -> bool {
        self.items.contains_key(code)
    }

    pub fn entry(
        &mut self,
        period: Period,
        group: u32,
        item: &str,
        version: u64,
        vote: Option<&crate::domain::vote::VoteCount>,
    ) {
        let at = || format!("entry {period}/{group}/{item}");
        let key = (period.to_key(), group);
        match &mut self.last_entry {
            Some((p, g, i)) => {
                let order = (*p, *g, i.as_str()).cmp(&(key.0, key.1, item));
                if order != std::cmp::Ordering::Less {
                    let (en, vi) = if order == std::cmp::Ordering::Equal {
                        ("repeated", "bị trùng")
                    } else {
                        (
                            "out of order (entries come sorted by period, group, item)",
                            "sai thứ tự (các mục xếp theo kỳ, tổ, mã mục)",
                        )
                    };
                    self.problems.push(Problem::new(at(), en, vi));
                } else {
                    *p = key.0;
                    *g = key.1;
                    i.clear();
                    i.push_str(item);
                }
            }
            None => self.last_entry = Some((key.0, key.1, item.to_string())),
        }
        // A further occurrence ("BQ-01#2", issue 13) is of its item.
        let (code, n) = crate::domain::template::split_occurrence(item);
        let Some(&(scope, granularity, name_en, name_vi, arises)) = self.items.get(code) else {
            self.push(Problem::new(
                at(),
                "refers to an item not in the template",
                "thuộc mục không có trong bộ mục",
            ));
            return;
        };
        match (scope, group == WARD_GROUP) {
            (Scope::Ward, false) => self.push(Problem::new(
                at(),
                "a ward-level item recorded for a group",
                "mục cấp phường lại ghi cho một tổ",
            )),
            (Scope::Group, true) => self.push(Problem::new(
                at(),
                "a group item recorded for the ward",
                "mục của tổ lại ghi cho cấp phường",
            )),
            (Scope::Group, false) if !self.group_ids.contains_key(&group) => {
                self.push(Problem::new(
                    at(),
                    "refers to an unknown group",
                    "thuộc tổ dân phố không tồn tại",
                ))
            }
            _ => {}
        }
        if period.granularity() != granularity {
            self.push(Problem::new(
                at(),
                format!("period {period} does not fit a {name_en} item"),
                format!("kỳ {period} không khớp mục {name_vi}"),
            ));
        }
        // Only an item that arises has further occurrences; the service refuses them
        // for any other (issue 13), and so does every document read.
        if n > 1 && !arises {
            self.push(Problem::new(
                at(),
                format!(
                    "occurrence #{n} of {code}, a {name_en} item: only items that arise \
                     (per event or per term) have more than one a period"
                ),
                format!(
                    "lần phát sinh thứ {n} của {code}, mục thực hiện {name_vi}: chỉ mục \
                     theo sự việc phát sinh hoặc theo nhiệm kỳ mới có nhiều lần trong một kỳ"
                ),
            ));
        }
        if version == 0 {
            self.push(Problem::new(at(), "version 0", "phiên bản 0"));
        }
        if let Some(v) = vote
            && v.validate().is_err()
        {
            self.push(Problem::new(
                at(),
                "impossible vote count",
                "số liệu biểu quyết không hợp lệ",
            ));
        }
    }

    fn seen(&self, seq: u64) -> bool {
        let i = self.runs.partition_point(|(_, last)| *last < seq);
        self.runs.get(i).is_some_and(|(first, _)| *first <= seq) || self.stray.contains(&seq)
    }

    pub fn audit(&mut self, seq: u64, undoes: Option<u64>, period: &str) {
        let at = || format!("audit {seq}");
        let prev = self.audit_max;
        if seq <= prev {
            self.push(Problem::new(
                at(),
                "out of order or repeated",
                "sai thứ tự hoặc bị trùng",
            ));
        }
        if let Some(c) = self.counters
            && seq >= c.next_audit
        {
            self.push(Problem::new(
                at(),
                format!("not below the counter {}", c.next_audit),
                format!("không nhỏ hơn bộ đếm {}", c.next_audit),
            ));
        }
        if let Some(u) = undoes
            && !self.seen(u)
        {
            self.push(Problem::new(
                at(),
                format!("undoes record {u}, which is not before it"),
                format!("hoàn tác bản ghi {u} không có trước nó"),
            ));
        }
        if !period.is_empty() && period.parse::<Period>().is_err() {
            self.push(Problem::new(at(), "bad period", "kỳ không hợp lệ"));
        }
        match self.runs.last_mut() {
            Some((_, last)) if seq == *last + 1 => *last = seq,
            Some((_, last)) if seq <= *last => {
                self.stray.insert(seq);
            }
            _ => self.runs.push((seq, seq)),
        }
        self.audit_first.get_or_insert(seq);
        self.audit_last = Some(seq);
        self.audit_len += 1;
        self.audit_max = prev.max(seq);
    }

    /// The counters, when they were not known up front: the checks of every id and
    /// sequence number against them.
    pub fn counters(&mut self, c: Counters) {
        if self.counters.is_some() {
            return;
        }
        let mut ids: Vec<u32> = self.branch_ids.iter().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.branch_counter(id, c.next_branch);
        }
        let mut ids: Vec<(u32, String)> = self
            .group_ids
            .iter()
            .map(|(id, n)| (*id, n.clone()))
            .collect();
        ids.sort_unstable();
        for (id, name) in ids {
            self.group_counter(id, &name, c.next_group);
        }
        if self.audit_len > 0 && self.audit_max >= c.next_audit {
            self.push(Problem::new(
                "audit",
                format!(
                    "records up to {} are not below the counter {}",
                    self.audit_max, c.next_audit
                ),
                format!(
                    "bản ghi tới số {} không nhỏ hơn bộ đếm {}",
                    self.audit_max, c.next_audit
                ),
            ));
        }
        self.counters = Some(c);
    }

    pub fn raw(&mut self, raw: &BTreeMap<String, Vec<[String; 2]>>) {
        for (tree, pairs) in raw {
            for [k, v] in pairs {
                if unhex(k).is_none() || unhex(v).is_none() {
                    self.push(Problem::new(
                        format!("raw {tree}"),
                        "not hexadecimal",
                        "không phải dạng thập lục phân",
                    ));
                }
            }
        }
    }

    /// Everything found: with the checks of the audit sequence as a whole.
    pub fn finish(mut self) -> Vec<Problem> {
        // Gaps in the audit sequence mean lost records (a transaction never skips one).
        if let (Some(first), Some(last)) = (self.audit_first, self.audit_last) {
            let len = self.audit_len;
            let expected = last.wrapping_sub(first).wrapping_add(1);
            if first != 1 || last < first || expected != len as u64 {
                self.push(Problem::new(
                    "audit",
                    format!("{len} records for sequence numbers {first}..{last}: some are missing"),
                    format!("có {len} bản ghi cho số thứ tự {first}..{last}: thiếu bản ghi"),
                ));
            }
            if let Some(c) = self.counters
                && c.next_audit != last.wrapping_add(1)
            {
                self.push(Problem::new(
                    "audit",
                    format!(
                        "the counter is {} but the last record is {last}",
                        c.next_audit
                    ),
                    format!("bộ đếm là {} nhưng bản ghi cuối là {last}", c.next_audit),
                ));
            }
        }
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    /// The borrowed view serialises exactly as the document does: the checksum and the
    /// file written piece by piece are those of the document itself.
    #[test]
    fn the_streamed_document_and_its_checksum_are_the_documents() {
        let template = crate::data::default_template();
        let data = crate::data::demo_ward(&template);
        let mut raw = BTreeMap::new();
        raw.insert(
            "members".to_string(),
            vec![["61".to_string(), "62".to_string()]],
        );
        let doc = ExportDoc {
            format: FORMAT.into(),
            version: VERSION,
            schema: 3,
            ward: Ward {
                name: data.name.clone(),
                steps: data.steps,
                current_period: data.current_period,
                term: None,
            },
            branches: vec![Branch {
                id: 1,
                name: "Chi bộ 1".into(),
            }],
            groups: Vec::new(),
            items: template.items.clone(),
            entries: vec![Entry::new(0, "CK-01", Period::Year(2026))],
            audit: Vec::new(),
            counters: Counters {
                next_branch: 2,
                next_group: 1,
                next_audit: 1,
            },
            raw,
            sha256: String::new(),
        };
        let mut blank = doc.clone();
        blank.sha256 = String::new();
        assert_eq!(
            doc.content_hash(),
            sha256_hex(&serde_json::to_vec(&blank).unwrap())
        );
        let sealed = doc.seal();
        let mut pretty = serde_json::to_vec_pretty(&sealed).unwrap();
        pretty.push(b'\n');
        assert_eq!(sealed.to_json(), pretty);
        assert!(sealed.checksum_ok());
    }

    /// Issue 13: a further occurrence ("#2") only of an item that arises — an event
    /// (BQ-06, Điều 15 khoản 6) or a term (BQ-04, Điều 15 khoản 4) —, never of a
    /// regular duty (GS-09 is per term and ward-wide; GS-05 quarterly).
    #[test]
    fn an_occurrence_of_a_regular_item_is_a_problem_naming_the_entry() {
        let mut v = Validator::new(None);
        v.branch(&Branch {
            id: 1,
            name: "Chi bộ 1".into(),
        });
        v.group(&Group {
            id: 1,
            branch: 1,
            name: "Tổ 1".into(),
            leader: String::new(),
            front_head: String::new(),
            households: 10,
        });
        crate::data::default_template()
            .items
            .iter()
            .for_each(|i| v.item(i));
        // In key order: period, group, item.
        v.entry(Period::Year(2026), 0, "GS-09#2", 1, None);
        v.entry(Period::Year(2026), 1, "BQ-04#3", 1, None);
        v.entry(Period::Year(2026), 1, "BQ-06#2", 1, None);
        v.entry(Period::Quarter(2026, 1), 0, "GS-05#2", 1, None);
        let p: Vec<String> = v.problems().iter().map(|p| p.message(true)).collect();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("entry 2026-Q1/0/GS-05#2: occurrence #2 of GS-05, a quarterly item"),
            "{p:?}"
        );
    }
}
