//! Reading an export document as a stream: the document is never held, whatever its
//! size. The top-level object is split into its fields and each top-level array into
//! its elements; each is handed over as compact JSON (whitespace outside strings
//! removed) and parsed on its own, with borrowed strings where a reader only looks.
//!
//! The checksum is the SHA-256 of the compact JSON of the document with `sha256` empty.
//! A document qcdc wrote is serde_json's pretty form of exactly that, so the compact
//! form is the file's bytes without the whitespace between tokens: they are hashed as
//! they go by (the fast path, nothing serialised again). A document written by another
//! program may escape or order things otherwise; for it the values are parsed and
//! serialised again, as [`ExportDoc::content_hash`] does ([`Mode::Canonical`]), in a
//! second reading. Either way the same documents are accepted as by
//! [`ExportDoc::from_json`], as long as the fields come in the order qcdc writes them
//! (the consistency rules need the groups and items before the entries).

use super::{Counters, FORMAT, Problem, VERSION, Validator, hex};
use crate::domain::audit::AuditRecord;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::period::Period;
use crate::domain::template::Item;
use crate::domain::vote::VoteCount;
use crate::domain::ward::{Branch, Group, GroupId, Ward};
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

/// The most bytes one value of a document may hold once compact (an entry is under a
/// kilobyte; the template a few hundred).
pub const MAX_VALUE: usize = 64 << 20;
const READ_CHUNK: usize = 64 << 10;

/// How the checksum is computed while reading (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The compact bytes as they are.
    Fast,
    /// Every value parsed and serialised again.
    Canonical,
}

/// Why a document could not be read to the end.
#[derive(Debug)]
pub enum StreamError {
    Io(std::io::Error),
    /// Not JSON, not an export, a newer version, not the expected shape — or what a
    /// [`DocSink`] refused.
    Doc(Problem),
}

impl From<Problem> for StreamError {
    fn from(p: Problem) -> Self {
        StreamError::Doc(p)
    }
}

impl StreamError {
    /// As a problem with the document (an I/O error named as such).
    pub fn into_problem(self) -> Problem {
        match self {
            StreamError::Doc(p) => p,
            StreamError::Io(e) => Problem::new(
                "read",
                format!("the file cannot be read ({e})"),
                format!("không đọc được tệp ({e})"),
            ),
        }
    }
}

/// The document is not of the shape an export has.
pub fn shape(detail: impl std::fmt::Display) -> Problem {
    Problem::new(
        "JSON",
        format!("the document does not have the expected shape ({detail})"),
        format!("tài liệu không đúng cấu trúc ({detail})"),
    )
}

fn not_json(detail: impl std::fmt::Display) -> Problem {
    Problem::new(
        "JSON",
        format!("not a JSON document ({detail})"),
        format!("không phải tài liệu JSON ({detail})"),
    )
}

pub(crate) fn not_export() -> Problem {
    Problem::new(
        "format",
        "not a qcdc export (no \"format\": \"qcdc-export\")",
        "không phải tệp xuất của qcdc (thiếu \"format\": \"qcdc-export\")",
    )
}

pub(crate) fn checksum_problem() -> Problem {
    Problem::new(
        "sha256",
        "the checksum does not match: the file is damaged or was edited",
        "mã kiểm tra không khớp: tệp bị hỏng hoặc đã bị sửa",
    )
}

/// SHA-256 fed through a buffer: serde_json writes a few bytes at a time.
pub(crate) struct BufHasher {
    buf: Vec<u8>,
    hasher: Sha256,
}

impl BufHasher {
    pub(crate) fn new() -> BufHasher {
        BufHasher {
            buf: Vec::with_capacity(1 << 16),
            hasher: Sha256::new(),
        }
    }

    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > self.buf.capacity() {
            self.spill(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    #[cold]
    fn spill(&mut self, bytes: &[u8]) {
        self.hasher.update(&self.buf);
        self.buf.clear();
        if bytes.len() > self.buf.capacity() {
            self.hasher.update(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The digest of what was put so far and then `tail` (which is not kept).
    pub(crate) fn hex_with(&self, tail: &[u8]) -> String {
        let mut h = self.hasher.clone();
        h.update(&self.buf);
        h.update(tail);
        hex(&h.finalize())
    }
}

impl std::io::Write for BufHasher {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.put(buf);
        Ok(buf.len())
    }
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.put(buf);
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Splits a JSON document's top-level object into fields and the top-level arrays
/// into elements, each copied compact into `scratch`; in [`Mode::Fast`] everything
/// read is hashed compact as it goes (`hash`).
pub(crate) struct Framer<'r> {
    r: &'r mut dyn Read,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    pub(crate) scratch: Vec<u8>,
    hash: Option<BufHasher>,
    /// Bytes read from the file.
    pub(crate) consumed: u64,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// What a byte outside strings is to the scanner.
const OTHER: u8 = 0;
const WS: u8 = 1;
const QUOTE: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const COMMA: u8 = 5;
const CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[b' ' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'\r' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'"' as usize] = QUOTE;
    t[b'{' as usize] = OPEN;
    t[b'[' as usize] = OPEN;
    t[b'}' as usize] = CLOSE;
    t[b']' as usize] = CLOSE;
    t[b',' as usize] = COMMA;
    t
};

/// The first quote or backslash: a plain look at the first bytes (strings here are
/// mostly short), then memchr.
#[inline]
fn find_quote_or_backslash(s: &[u8]) -> Option<usize> {
    let head = s.len().min(16);
    for (k, &b) in s[..head].iter().enumerate() {
        if b == b'"' || b == b'\\' {
            return Some(k);
        }
    }
    memchr::memchr2(b'"', b'\\', &s[head..]).map(|k| k + head)
}

impl<'r> Framer<'r> {
    pub(crate) fn new(r: &'r mut dyn Read, hash: bool) -> Framer<'r> {
        Framer {
            r,
            buf: vec![0; READ_CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            scratch: Vec::with_capacity(1 << 12),
            hash: hash.then(BufHasher::new),
            consumed: 0,
        }
    }

    /// More bytes into the buffer; false at the end of the file.
    fn fill(&mut self) -> Result<bool, StreamError> {
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.r.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.pos = 0;
                    self.end = n;
                    self.consumed += n as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StreamError::Io(e)),
            }
        }
    }

    fn truncated() -> StreamError {
        StreamError::Doc(not_json("the document ends too early"))
    }

    /// The next byte that is not whitespace, left unread; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, StreamError> {
        loop {
            while self.pos < self.end {
                let b = self.buf[self.pos];
                if !is_ws(b) {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    pub(crate) fn hash(&mut self, bytes: &[u8]) {
        if let Some(h) = &mut self.hash {
            h.put(bytes);
        }
    }

    pub(crate) fn hex_with(&self, tail: &[u8]) -> String {
        self.hash
            .as_ref()
            .map(|h| h.hex_with(tail))
            .unwrap_or_default()
    }

    /// Consume the punctuation `b` (after whitespace), hashing it.
    fn expect(&mut self, b: u8) -> Result<(), StreamError> {
        match self.peek()? {
            Some(x) if x == b => {
                self.pos += 1;
                self.hash(&[b]);
                Ok(())
            }
            Some(x) => Err(StreamError::Doc(not_json(format!(
                "expected {:?}, found {:?} after {} bytes",
                b as char,
                x as char,
                self.consumed - (self.end - self.pos) as u64
            )))),
            None => Err(Self::truncated()),
        }
    }

    /// Copy the next whole value (object, array, string, number, literal) into
    /// `scratch`, without the whitespace outside its strings. Not hashed.
    ///
    /// The bytes between two runs of whitespace are copied at once; inside a string
    /// only a quote or a backslash stops the scan.
    pub(crate) fn value(&mut self) -> Result<(), StreamError> {
        self.scratch.clear();
        if self.peek()?.is_none() {
            return Err(Self::truncated());
        }
        let mut depth: u32 = 0;
        let mut in_str = false;
        // A backslash ended the last chunk: the byte it escapes starts this one.
        let mut esc = false;
        let mut scalar = false;
        loop {
            if self.pos == self.end && !self.fill()? {
                return if scalar && depth == 0 && !in_str {
                    Ok(())
                } else {
                    Err(Self::truncated())
                };
            }
            let chunk = &self.buf[self.pos..self.end];
            let n = chunk.len();
            let mut i = 0;
            let mut seg = 0;
            // Where the value ended, if it did: the bytes consumed.
            let mut done: Option<usize> = None;
            if esc {
                esc = false;
                i = 1;
            }
            while i < n {
                if in_str {
                    match find_quote_or_backslash(&chunk[i..]) {
                        None => i = n,
                        Some(k) => {
                            i += k + 1;
                            if chunk[i - 1] == b'\\' {
                                if i < n {
                                    i += 1;
                                } else {
                                    esc = true;
                                }
                            } else {
                                in_str = false;
                                if depth == 0 {
                                    done = Some(i);
                                    break;
                                }
                            }
                        }
                    }
                    continue;
                }
                match CLASS[chunk[i] as usize] {
                    WS => {
                        if scalar {
                            done = Some(i);
                            break;
                        }
                        self.scratch.extend_from_slice(&chunk[seg..i]);
                        i += 1;
                        while i < n && is_ws(chunk[i]) {
                            i += 1;
                        }
                        seg = i;
                    }
                    QUOTE => {
                        if scalar {
                            done = Some(i);
                            break;
                        }
                        in_str = true;
                        i += 1;
                    }
                    OPEN => {
                        if scalar {
                            done = Some(i);
                            break;
                        }
                        depth += 1;
                        i += 1;
                    }
                    CLOSE => {
                        if depth == 0 {
                            // Closes what holds this (scalar) value.
                            done = Some(i);
                            break;
                        }
                        depth -= 1;
                        i += 1;
                        if depth == 0 {
                            done = Some(i);
                            break;
                        }
                    }
                    COMMA if depth == 0 => {
                        done = Some(i);
                        break;
                    }
                    _ => {
                        if depth == 0 {
                            scalar = true;
                        }
                        i += 1;
                    }
                }
            }
            let end = done.unwrap_or(n);
            self.scratch.extend_from_slice(&chunk[seg..end]);
            self.pos += end;
            if self.scratch.len() > MAX_VALUE {
                return Err(StreamError::Doc(shape(format!(
                    "a value longer than {} MiB",
                    MAX_VALUE >> 20
                ))));
            }
            if done.is_some() {
                return Ok(());
            }
        }
    }

    /// The whole document must be an object: its `{`.
    pub(crate) fn begin(&mut self) -> Result<bool, StreamError> {
        match self.peek()? {
            Some(b'{') => {
                self.pos += 1;
                self.hash(b"{");
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(StreamError::Doc(not_json("the file is empty"))),
        }
    }

    /// The next field's name (its `:` read), or `None` after the closing `}` (and
    /// nothing but whitespace after it).
    pub(crate) fn field(&mut self, first: bool) -> Result<Option<String>, StreamError> {
        if self.peek()? == Some(b'}') {
            self.pos += 1;
            self.hash(b"}");
            if self.peek()?.is_some() {
                return Err(StreamError::Doc(not_json(
                    "something follows the end of the document",
                )));
            }
            return Ok(None);
        }
        if !first {
            self.expect(b',')?;
        }
        if self.peek()? != Some(b'"') {
            return Err(StreamError::Doc(not_json("expected a field name")));
        }
        self.value()?;
        let name: String =
            serde_json::from_slice(&self.scratch).map_err(|e| StreamError::Doc(not_json(e)))?;
        let raw = std::mem::take(&mut self.scratch);
        self.hash(&raw);
        self.scratch = raw;
        self.expect(b':')?;
        Ok(Some(name))
    }

    /// Whether the value that follows is an array.
    pub(crate) fn at_array(&mut self) -> Result<bool, StreamError> {
        Ok(self.peek()? == Some(b'['))
    }

    pub(crate) fn begin_array(&mut self) -> Result<(), StreamError> {
        self.expect(b'[')
    }

    /// The next element of the array into `scratch` (hashed), or `None` after its `]`.
    pub(crate) fn element(&mut self, first: bool) -> Result<bool, StreamError> {
        if self.peek()? == Some(b']') {
            self.pos += 1;
            self.hash(b"]");
            return Ok(false);
        }
        if !first {
            self.expect(b',')?;
        }
        self.value()?;
        if self.hash.is_some() {
            let raw = std::mem::take(&mut self.scratch);
            self.hash(&raw);
            self.scratch = raw;
        }
        Ok(true)
    }

    /// The next value into `scratch`, hashed.
    pub(crate) fn hashed_value(&mut self) -> Result<(), StreamError> {
        self.value()?;
        if self.hash.is_some() {
            let raw = std::mem::take(&mut self.scratch);
            self.hash(&raw);
            self.scratch = raw;
        }
        Ok(())
    }
}

/// What a reader of an entry looks at, borrowed from the document where it can be. The
/// other fields must be there but are not read.
#[derive(Debug, Deserialize)]
pub struct EntryRef<'a> {
    pub group: GroupId,
    #[serde(borrow)]
    pub item: Cow<'a, str>,
    #[serde(borrow)]
    period: Cow<'a, str>,
    pub steps: [StepStatus; 6],
    #[serde(borrow)]
    pub evidence: EvidenceRef<'a>,
    pub version: u64,
}

#[derive(Debug, Deserialize)]
pub struct EvidenceRef<'a> {
    #[allow(dead_code)]
    posted_from: IgnoredAny,
    #[allow(dead_code)]
    posted_to: IgnoredAny,
    pub meeting_date: Option<crate::domain::date::Date>,
    pub vote: Option<VoteCount>,
    #[serde(borrow)]
    pub minutes: Cow<'a, str>,
    #[allow(dead_code)]
    responsible: IgnoredAny,
    #[allow(dead_code)]
    note: IgnoredAny,
}

/// What a reader of an audit record looks at.
#[derive(Debug, Deserialize)]
pub struct AuditRef<'a> {
    pub seq: u64,
    #[allow(dead_code)]
    at_ms: IgnoredAny,
    #[allow(dead_code)]
    actor: IgnoredAny,
    #[allow(dead_code)]
    action: IgnoredAny,
    pub group: u32,
    #[serde(borrow)]
    pub item: Cow<'a, str>,
    #[serde(borrow)]
    pub period: Cow<'a, str>,
    #[allow(dead_code)]
    changes: IgnoredAny,
    pub undoes: Option<u64>,
}

/// What is done with a document's pieces as they are read. Each method may refuse
/// (the reading stops with that problem). Entries and audit records come with their
/// compact JSON, for a reader that needs the whole record.
#[allow(unused_variables)]
pub trait DocSink {
    /// The reading starts again from the beginning (the checksum's second way):
    /// forget what was received.
    fn restart(&mut self) {}
    fn schema(&mut self, schema: u32) -> Result<(), Problem> {
        Ok(())
    }
    fn ward(&mut self, w: &Ward) -> Result<(), Problem> {
        Ok(())
    }
    fn branch(&mut self, b: &Branch) -> Result<(), Problem> {
        Ok(())
    }
    fn group(&mut self, g: &Group) -> Result<(), Problem> {
        Ok(())
    }
    fn item(&mut self, i: &Item) -> Result<(), Problem> {
        Ok(())
    }
    fn entry(&mut self, e: &EntryRef<'_>, period: Period, json: &[u8]) -> Result<(), Problem> {
        Ok(())
    }
    fn audit(&mut self, a: &AuditRef<'_>, json: &[u8]) -> Result<(), Problem> {
        Ok(())
    }
    /// Whether entries and audit records are wanted whole ([`DocSink::entry_full`],
    /// [`DocSink::audit_full`], parsed once) instead of looked at.
    fn full(&self) -> bool {
        false
    }
    fn entry_full(&mut self, e: Entry) -> Result<(), Problem> {
        Ok(())
    }
    fn audit_full(&mut self, a: AuditRecord) -> Result<(), Problem> {
        Ok(())
    }
    fn counters(&mut self, c: Counters) -> Result<(), Problem> {
        Ok(())
    }
    fn raw(&mut self, raw: &BTreeMap<String, Vec<[String; 2]>>) -> Result<(), Problem> {
        Ok(())
    }
    /// A top-level field this version does not model: skipped unless refused here.
    fn unknown(&mut self, name: &str) -> Result<(), Problem> {
        Ok(())
    }
}

/// A sink that keeps nothing.
pub struct NoSink;
impl DocSink for NoSink {}

/// What reading a whole document found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamInfo {
    pub version: u32,
    pub schema: u32,
    pub ward: String,
    pub branches: usize,
    pub groups: usize,
    /// Members (the access list): none means anyone who opens the database is an
    /// administrator until one is added.
    pub members: usize,
    pub entries: u64,
    pub audit: u64,
    /// The checksum the document carries.
    pub sha256: String,
    /// The checksum of what was read.
    pub computed: String,
    /// The consistency problems ([`super::validate`]'s rules).
    pub problems: Vec<Problem>,
    /// Bytes of the file.
    pub bytes: u64,
}

impl StreamInfo {
    pub fn checksum_ok(&self) -> bool {
        self.sha256 == self.computed
    }
}

/// The fields of a document, in the order qcdc writes them.
const FIELDS: [&str; 12] = [
    "format", "version", "schema", "ward", "branches", "groups", "items", "entries", "audit",
    "counters", "raw", "sha256",
];

/// The canonical serialisation's hasher and where it is in the document.
struct Canon {
    h: BufHasher,
    first: bool,
}

impl Canon {
    fn key(&mut self, name: &str) {
        if !self.first {
            self.h.put(b",");
        }
        self.first = false;
        self.h.put(b"\"");
        self.h.put(name.as_bytes());
        self.h.put(b"\":");
    }

    fn value<T: serde::Serialize>(&mut self, v: &T) {
        // Serialising into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut self.h, v);
    }
}

fn parse<'a, T: Deserialize<'a>>(what: &str, bytes: &'a [u8]) -> Result<T, StreamError> {
    serde_json::from_slice(bytes).map_err(|e| StreamError::Doc(shape(format!("{what}: {e}"))))
}

/// Read a whole export document from `r`, checking it as [`ExportDoc::from_json`] and
/// [`super::validate`] do, and handing its pieces to `sink`. Problems of consistency
/// are returned in [`StreamInfo::problems`]; the checksum is compared by the caller
/// ([`StreamInfo::checksum_ok`]; see [`read_verified`]).
///
/// [`ExportDoc::from_json`]: super::ExportDoc::from_json
pub fn read_stream(
    r: &mut dyn Read,
    mode: Mode,
    sink: &mut dyn DocSink,
) -> Result<StreamInfo, StreamError> {
    let mut f = Framer::new(r, mode == Mode::Fast);
    let mut canon = (mode == Mode::Canonical).then(|| {
        let mut h = BufHasher::new();
        h.put(b"{");
        Canon { h, first: true }
    });
    if !f.begin()? {
        // JSON, but not an object: not ours (or not JSON at all).
        f.value()?;
        serde_json::from_slice::<IgnoredAny>(&f.scratch)
            .map_err(|e| StreamError::Doc(not_json(e)))?;
        return Err(StreamError::Doc(not_export()));
    }
    let mut info = StreamInfo::default();
    let mut v = Validator::new(None);
    let mut seen = [false; FIELDS.len()];
    let mut first = true;
    let mut entry_period = (String::new(), Period::Year(2000));
    while let Some(name) = f.field(first)? {
        let at = FIELDS.iter().position(|k| *k == name);
        if first && name != "format" {
            // Every export starts with its format; anything else is not one (or was
            // reordered by hand: read it whole with `ExportDoc::from_json`).
            f.value()?;
            return Err(StreamError::Doc(not_export()));
        }
        first = false;
        if let Some(i) = at {
            if seen[i] {
                return Err(StreamError::Doc(shape(format!("duplicate field `{name}`"))));
            }
            // What the consistency rules need must come first.
            let needs: &[usize] = match name.as_str() {
                "entries" => &[6, 5],
                "groups" => &[4],
                _ => &[],
            };
            if needs.iter().any(|n| !seen[*n]) {
                return Err(StreamError::Doc(shape(format!(
                    "`{name}` before the fields it refers to"
                ))));
            }
            seen[i] = true;
        }
        let raw_hash = |f: &mut Framer| f.hashed_value();
        match name.as_str() {
            "format" => {
                raw_hash(&mut f)?;
                let s: serde_json::Value = parse("format", &f.scratch)?;
                if s.as_str() != Some(FORMAT) {
                    return Err(StreamError::Doc(not_export()));
                }
                if let Some(c) = &mut canon {
                    c.key("format");
                    c.value(&s);
                }
            }
            "version" => {
                raw_hash(&mut f)?;
                let x: serde_json::Value = parse("version", &f.scratch)?;
                let version = x.as_u64().unwrap_or(0);
                if version > VERSION as u64 {
                    return Err(StreamError::Doc(Problem::new(
                        "version",
                        format!(
                            "written by a newer qcdc (version {version}; this one reads {VERSION})"
                        ),
                        format!(
                            "do qcdc mới hơn ghi (phiên bản {version}; bản này đọc tới {VERSION})"
                        ),
                    )));
                }
                let version: u32 = parse("version", &f.scratch)?;
                info.version = version;
                if let Some(c) = &mut canon {
                    c.key("version");
                    c.value(&version);
                }
            }
            "schema" => {
                raw_hash(&mut f)?;
                info.schema = parse("schema", &f.scratch)?;
                sink.schema(info.schema)?;
                if let Some(c) = &mut canon {
                    c.key("schema");
                    c.value(&info.schema);
                }
            }
            "ward" => {
                raw_hash(&mut f)?;
                let w: Ward = parse("ward", &f.scratch)?;
                v.ward(&w);
                sink.ward(&w)?;
                info.ward = w.name.clone();
                if let Some(c) = &mut canon {
                    c.key("ward");
                    c.value(&w);
                }
            }
            "branches" | "groups" | "items" | "entries" | "audit" => {
                if !f.at_array()? {
                    return Err(StreamError::Doc(shape(format!("`{name}` is not a list"))));
                }
                f.begin_array()?;
                if let Some(c) = &mut canon {
                    c.key(&name);
                    c.h.put(b"[");
                }
                let mut n = 0u64;
                while f.element(n == 0)? {
                    if let Some(c) = &mut canon
                        && n > 0
                    {
                        c.h.put(b",");
                    }
                    let json = f.scratch.as_slice();
                    match name.as_str() {
                        "branches" => {
                            let b: Branch = parse("branch", json)?;
                            v.branch(&b);
                            sink.branch(&b)?;
                            info.branches += 1;
                            if let Some(c) = &mut canon {
                                c.value(&b);
                            }
                        }
                        "groups" => {
                            let g: Group = parse("group", json)?;
                            v.group(&g);
                            sink.group(&g)?;
                            info.groups += 1;
                            if let Some(c) = &mut canon {
                                c.value(&g);
                            }
                        }
                        "items" => {
                            let it: Item = parse("item", json)?;
                            v.item(&it);
                            sink.item(&it)?;
                            if let Some(c) = &mut canon {
                                c.value(&it);
                            }
                        }
                        "entries" if sink.full() => {
                            let e: Entry = parse("entry", json)?;
                            v.entry(
                                e.period,
                                e.group,
                                &e.item,
                                e.version,
                                e.evidence.vote.as_ref(),
                            );
                            info.entries += 1;
                            if let Some(c) = &mut canon {
                                c.value(&e);
                            }
                            sink.entry_full(e)?;
                        }
                        "audit" if sink.full() => {
                            let a: AuditRecord = parse("audit record", json)?;
                            v.audit(a.seq, a.undoes, &a.period);
                            info.audit += 1;
                            if let Some(c) = &mut canon {
                                c.value(&a);
                            }
                            sink.audit_full(a)?;
                        }
                        "entries" => {
                            let e: EntryRef = parse("entry", json)?;
                            // Consecutive entries mostly share their period.
                            if entry_period.0 != e.period {
                                let p: Period = e.period.parse().map_err(|_| {
                                    StreamError::Doc(shape(format!(
                                        "entry: bad period {:?}",
                                        e.period
                                    )))
                                })?;
                                entry_period = (e.period.to_string(), p);
                            }
                            let period = entry_period.1;
                            v.entry(
                                period,
                                e.group,
                                &e.item,
                                e.version,
                                e.evidence.vote.as_ref(),
                            );
                            sink.entry(&e, period, json)?;
                            info.entries += 1;
                            if let Some(c) = &mut canon {
                                let full: Entry = parse("entry", json)?;
                                c.value(&full);
                            }
                        }
                        _ => {
                            let a: AuditRef = parse("audit record", json)?;
                            v.audit(a.seq, a.undoes, &a.period);
                            sink.audit(&a, json)?;
                            info.audit += 1;
                            if let Some(c) = &mut canon {
                                let full: AuditRecord = parse("audit record", json)?;
                                c.value(&full);
                            }
                        }
                    }
                    n += 1;
                }
                if let Some(c) = &mut canon {
                    c.h.put(b"]");
                }
            }
            "counters" => {
                raw_hash(&mut f)?;
                let c: Counters = parse("counters", &f.scratch)?;
                v.counters(c);
                sink.counters(c)?;
                if let Some(k) = &mut canon {
                    k.key("counters");
                    k.value(&c);
                }
            }
            "raw" => {
                raw_hash(&mut f)?;
                let raw: BTreeMap<String, Vec<[String; 2]>> = parse("raw", &f.scratch)?;
                info.members = raw.get("members").map_or(0, Vec::len);
                v.raw(&raw);
                sink.raw(&raw)?;
                if let Some(c) = &mut canon
                    && !raw.is_empty()
                {
                    c.key("raw");
                    c.value(&raw);
                }
            }
            "sha256" => {
                // Hashed as if empty.
                f.value()?;
                info.sha256 = parse("sha256", &f.scratch)?;
                f.hash(b"\"\"");
                if let Some(c) = &mut canon {
                    c.key("sha256");
                    c.h.put(b"\"\"");
                }
            }
            other => {
                sink.unknown(other)?;
                raw_hash(&mut f)?;
                parse::<IgnoredAny>(other, &f.scratch)?;
            }
        }
    }
    for (i, name) in FIELDS.iter().enumerate() {
        if !seen[i] && *name != "raw" {
            return Err(StreamError::Doc(shape(format!("missing field `{name}`"))));
        }
    }
    info.computed = match &mut canon {
        Some(c) => c.h.hex_with(b"}"),
        None => f.hex_with(b""),
    };
    info.bytes = f.consumed;
    info.problems = v.finish();
    Ok(info)
}

/// [`read_stream`] with the checksum verified: the fast way first, and when that does
/// not match, again from the start (`open` gives the document anew) the canonical way.
/// A checksum that matches neither way is a [`StreamError::Doc`].
pub fn read_verified(
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn Read>>,
    sink: &mut dyn DocSink,
) -> Result<(StreamInfo, Mode), StreamError> {
    let mut r = open().map_err(StreamError::Io)?;
    let info = read_stream(&mut r, Mode::Fast, sink)?;
    if info.checksum_ok() {
        return Ok((info, Mode::Fast));
    }
    drop(r);
    sink.restart();
    let mut r = open().map_err(StreamError::Io)?;
    let info = read_stream(&mut r, Mode::Canonical, sink)?;
    if info.checksum_ok() {
        return Ok((info, Mode::Canonical));
    }
    Err(StreamError::Doc(checksum_problem()))
}

#[cfg(test)]
mod tests {
    use super::super::{ExportDoc, validate};
    use super::*;

    pub(crate) fn demo_doc() -> ExportDoc {
        let dir = tempfile::tempdir().unwrap();
        let svc = crate::cli::create_demo(
            &dir.path().join("w.db"),
            crate::domain::audit::Actor::new("Tester", "tester"),
            crate::i18n::Lang::Vi,
        )
        .unwrap();
        svc.store().export_doc().unwrap()
    }

    fn read_bytes(bytes: &[u8], sink: &mut dyn DocSink) -> Result<(StreamInfo, Mode), Problem> {
        let owned = bytes.to_vec();
        read_verified(
            &mut || Ok(Box::new(std::io::Cursor::new(owned.clone())) as Box<dyn Read>),
            sink,
        )
        .map_err(StreamError::into_problem)
    }

    #[test]
    fn a_document_reads_the_fast_way_with_its_own_checksum_and_problems() {
        let doc = demo_doc();
        let bytes = doc.to_json();
        let (info, mode) = read_bytes(&bytes, &mut NoSink).unwrap();
        assert_eq!(mode, Mode::Fast);
        assert_eq!(info.sha256, doc.sha256);
        assert_eq!(info.computed, doc.content_hash());
        assert_eq!(info.entries, doc.entries.len() as u64);
        assert_eq!(info.audit, doc.audit.len() as u64);
        assert_eq!(info.problems, validate(&doc));
        assert_eq!(info.bytes, bytes.len() as u64);
        // Compact JSON reads the same.
        let compact = serde_json::to_vec(&doc).unwrap();
        let (info, mode) = read_bytes(&compact, &mut NoSink).unwrap();
        assert_eq!((mode, info.computed), (Mode::Fast, doc.sha256.clone()));
    }

    #[test]
    fn another_writers_escapes_are_checked_the_canonical_way() {
        let doc = demo_doc();
        let text = String::from_utf8(doc.to_json()).unwrap();
        // "ư" written as an escape: the same document, other bytes.
        assert!(text.contains('ư'));
        let escaped = text.replace('ư', "\\u01b0");
        assert!(ExportDoc::from_json(escaped.as_bytes()).is_ok());
        let (info, mode) = read_bytes(escaped.as_bytes(), &mut NoSink).unwrap();
        assert_eq!(mode, Mode::Canonical);
        assert_eq!(info.computed, doc.sha256);
    }

    #[test]
    fn damage_anywhere_is_refused_as_the_whole_reader_refuses_it() {
        let doc = demo_doc();
        let bytes = doc.to_json();
        // A changed value, a truncation, garbage after the end, not an export.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let changed = text.replacen("\"done\"", "\"todo\"", 1);
        let p = read_bytes(changed.as_bytes(), &mut NoSink).unwrap_err();
        assert_eq!(p.place, "sha256");
        for cut in [1, 10, bytes.len() / 2, bytes.len() - 3] {
            assert!(
                read_bytes(&bytes[..cut], &mut NoSink).is_err(),
                "cut at {cut}"
            );
            assert!(ExportDoc::from_json(&bytes[..cut]).is_err());
        }
        let mut extra = bytes.clone();
        extra.extend_from_slice(b"{}");
        assert!(read_bytes(&extra, &mut NoSink).is_err());
        assert_eq!(
            read_bytes(b"[1, 2]", &mut NoSink).unwrap_err().place,
            "format"
        );
        assert_eq!(
            read_bytes(b"{\"schema\": 3}", &mut NoSink)
                .unwrap_err()
                .place,
            "format"
        );
        assert_eq!(
            read_bytes(b"{\"format\": ", &mut NoSink).unwrap_err().place,
            "JSON"
        );
        let newer = text.replacen("\"version\": 1", "\"version\": 99", 1);
        assert_eq!(
            read_bytes(newer.as_bytes(), &mut NoSink).unwrap_err().place,
            "version"
        );
    }

    /// A reader that hands out a few bytes at a time: every way a value, a string, an
    /// escape or a number can be cut by the end of a read.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.step = self.step % 7 + 1;
            let n = self.step.min(buf.len()).min(self.bytes.len() - self.at);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn reads_cut_anywhere_give_the_same_document() {
        let mut doc = demo_doc();
        doc.ward.name = "Phường \"Ngã Tư\" \\ Sở\u{7}".into();
        doc.entries[0].evidence.note = "a \\\" b\n\t\u{1}".into();
        let doc = doc.seal();
        for bytes in [doc.to_json(), serde_json::to_vec(&doc).unwrap()] {
            let whole = read_stream(&mut &bytes[..], Mode::Fast, &mut NoSink).unwrap();
            assert!(whole.checksum_ok());
            assert_eq!(whole.ward, doc.ward.name);
            for start in 1..8 {
                let mut r = Trickle {
                    bytes: bytes.clone(),
                    at: 0,
                    step: start,
                };
                let cut = read_stream(&mut r, Mode::Fast, &mut NoSink).unwrap();
                assert_eq!(cut, whole);
            }
        }
    }

    #[test]
    fn entries_out_of_order_are_a_problem() {
        let mut doc = demo_doc();
        doc.entries.swap(0, 1);
        let doc = doc.seal();
        let (info, _) = read_bytes(&doc.to_json(), &mut NoSink).unwrap();
        assert!(
            info.problems
                .iter()
                .any(|p| p.en.starts_with("out of order")),
            "{:?}",
            info.problems
        );
        assert_eq!(info.problems, validate(&doc));
    }
}
