//! Writing an export document as a stream: entries and audit records are serialised as
//! they come from the store's iterators, and the checksum is computed while the file is
//! written. Every token serde_json produces goes out twice — pretty into the file,
//! compact into SHA-256 (a formatter that drives both) — and `sha256`, the document's
//! last field, is filled in with the digest of everything before it. The bytes are
//! exactly [`ExportDoc::to_json`]'s (a unit test holds both to that).
//!
//! [`ExportDoc::to_json`]: super::ExportDoc::to_json

use super::read::BufHasher;
use super::{Counters, FORMAT, VERSION};
use crate::domain::audit::AuditRecord;
use crate::domain::entry::Entry;
use crate::domain::template::Item;
use crate::domain::ward::{Branch, Group, Ward};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::rc::Rc;

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportSummary {
    /// The checksum inside the document (of its content).
    pub sha256: String,
    /// Bytes written.
    pub bytes: u64,
    pub ward: String,
    pub groups: usize,
    pub entries: u64,
    pub audit: u64,
}

/// Gives every element of a list to the function it is handed, in order; stops at the
/// first error that function returns (and returns it) or at its own (a message).
pub type Source<'a, T> =
    &'a mut dyn FnMut(&mut dyn FnMut(&T) -> Result<(), String>) -> Result<(), String>;

/// [`Source`] of audit records, each borrowed from wherever it is read (a record
/// decoded in place lives only as long as its chunk).
pub type AuditSource<'a> = &'a mut dyn FnMut(
    &mut dyn for<'r> FnMut(&AuditOut<'r>) -> Result<(), String>,
) -> Result<(), String>;

/// An audit record serialised exactly as [`AuditRecord`] is, its texts borrowed (unit
/// tests hold the two to the same JSON).
#[derive(Serialize)]
pub struct AuditOut<'a> {
    pub seq: u64,
    pub at_ms: i64,
    pub actor: ActorOut<'a>,
    pub action: &'a str,
    pub group: u32,
    pub item: &'a str,
    pub period: &'a str,
    pub changes: ChangesOut<'a>,
    pub undoes: Option<u64>,
}

#[derive(Serialize)]
pub struct ActorOut<'a> {
    pub member: &'a str,
    pub os_user: &'a str,
}

/// The changes of an audit record: as the store keeps them (field, old, new) or as the
/// domain does.
pub enum ChangesOut<'a> {
    Tuples(&'a [(&'a str, &'a str, &'a str)]),
    Domain(&'a [crate::domain::audit::Change]),
}

impl Serialize for ChangesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct ChangeOut<'a> {
            field: &'a str,
            old: &'a str,
            new: &'a str,
        }
        match self {
            ChangesOut::Tuples(list) => s.collect_seq(
                list.iter()
                    .map(|(field, old, new)| ChangeOut { field, old, new }),
            ),
            ChangesOut::Domain(list) => s.collect_seq(list.iter().map(|c| ChangeOut {
                field: &c.field,
                old: &c.old,
                new: &c.new,
            })),
        }
    }
}

impl<'a> AuditOut<'a> {
    /// A domain record, borrowed.
    pub fn of(a: &'a AuditRecord) -> AuditOut<'a> {
        let AuditRecord {
            seq,
            at_ms,
            actor,
            action,
            group,
            item,
            period,
            changes,
            undoes,
        } = a;
        AuditOut {
            seq: *seq,
            at_ms: *at_ms,
            actor: ActorOut {
                member: &actor.member,
                os_user: &actor.os_user,
            },
            action,
            group: *group,
            item,
            period,
            changes: ChangesOut::Domain(changes),
            undoes: *undoes,
        }
    }
}

/// A document's parts: the small ones in memory, entries and audit records streamed.
pub struct Parts<'a> {
    pub schema: u32,
    pub ward: &'a Ward,
    pub branches: &'a [Branch],
    pub groups: &'a [Group],
    pub items: &'a [Item],
    pub entries: Source<'a, Entry>,
    pub audit: AuditSource<'a>,
    pub counters: Counters,
    pub raw: &'a BTreeMap<String, Vec<[String; 2]>>,
}

/// A list serialised from a [`Source`], counting its elements.
struct Streamed<'a, T> {
    source: RefCell<Source<'a, T>>,
    count: Cell<u64>,
}

impl<T: Serialize> Serialize for Streamed<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut failed: Option<S::Error> = None;
        let mut n = 0u64;
        let mut source = self.source.borrow_mut();
        let r = (*source)(&mut |item: &T| match seq.serialize_element(item) {
            Ok(()) => {
                n += 1;
                Ok(())
            }
            Err(e) => {
                failed = Some(e);
                Err(String::new())
            }
        });
        self.count.set(n);
        if let Some(e) = failed {
            return Err(e);
        }
        if let Err(m) = r {
            return Err(S::Error::custom(m));
        }
        seq.end()
    }
}

/// The audit records, serialised from an [`AuditSource`].
struct StreamedAudit<'a> {
    source: RefCell<AuditSource<'a>>,
    count: Cell<u64>,
}

impl Serialize for StreamedAudit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut failed: Option<S::Error> = None;
        let mut n = 0u64;
        let mut source = self.source.borrow_mut();
        let r = (*source)(
            &mut |item: &AuditOut<'_>| match seq.serialize_element(item) {
                Ok(()) => {
                    n += 1;
                    Ok(())
                }
                Err(e) => {
                    failed = Some(e);
                    Err(String::new())
                }
            },
        );
        self.count.set(n);
        if let Some(e) = failed {
            return Err(e);
        }
        if let Err(m) = r {
            return Err(S::Error::custom(m));
        }
        seq.end()
    }
}

/// Shared by the `sha256` field and the formatter: armed by the field, filled in by
/// the formatter (serde_json does not give its formatter back).
#[derive(Default)]
struct Slot {
    armed: Cell<bool>,
    sha: RefCell<String>,
}

/// The `sha256` field: empty in the hashed form, the digest in the file.
struct ShaSlot(Rc<Slot>);

impl Serialize for ShaSlot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.armed.set(true);
        s.serialize_str("")
    }
}

/// [`super::ExportDoc`]'s fields in its order, the lists streamed.
#[derive(Serialize)]
struct View<'a> {
    format: &'a str,
    version: u32,
    schema: u32,
    ward: &'a Ward,
    branches: &'a [Branch],
    groups: &'a [Group],
    items: &'a [Item],
    entries: Streamed<'a, Entry>,
    audit: StreamedAudit<'a>,
    counters: Counters,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    raw: &'a BTreeMap<String, Vec<[String; 2]>>,
    sha256: ShaSlot,
}

/// Pretty into the writer, compact into the hasher.
struct Tee {
    pretty: PrettyFormatter<'static>,
    compact: CompactFormatter,
    hash: BufHasher,
    /// Armed by [`ShaSlot`]: the next string is the checksum.
    slot: Rc<Slot>,
}

macro_rules! both {
    ($name:ident $(, $arg:ident : $t:ty)*) => {
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $t)*) -> io::Result<()> {
            self.pretty.$name(w $(, $arg)*)?;
            self.compact.$name(&mut self.hash $(, $arg)*)
        }
    };
}

impl Formatter for Tee {
    both!(write_null);
    both!(write_bool, v: bool);
    both!(write_i8, v: i8);
    both!(write_i16, v: i16);
    both!(write_i32, v: i32);
    both!(write_i64, v: i64);
    both!(write_i128, v: i128);
    both!(write_u8, v: u8);
    both!(write_u16, v: u16);
    both!(write_u32, v: u32);
    both!(write_u64, v: u64);
    both!(write_u128, v: u128);
    both!(write_f32, v: f32);
    both!(write_f64, v: f64);
    both!(write_number_str, v: &str);
    both!(end_string);
    both!(write_string_fragment, v: &str);
    both!(begin_array);
    both!(end_array);
    both!(begin_array_value, first: bool);
    both!(end_array_value);
    both!(begin_object);
    both!(end_object);
    both!(begin_object_key, first: bool);
    both!(end_object_key);
    both!(begin_object_value);
    both!(end_object_value);
    both!(write_raw_fragment, v: &str);

    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, e: CharEscape) -> io::Result<()> {
        let copy = match &e {
            CharEscape::Quote => CharEscape::Quote,
            CharEscape::ReverseSolidus => CharEscape::ReverseSolidus,
            CharEscape::Solidus => CharEscape::Solidus,
            CharEscape::Backspace => CharEscape::Backspace,
            CharEscape::FormFeed => CharEscape::FormFeed,
            CharEscape::LineFeed => CharEscape::LineFeed,
            CharEscape::CarriageReturn => CharEscape::CarriageReturn,
            CharEscape::Tab => CharEscape::Tab,
            CharEscape::AsciiControl(b) => CharEscape::AsciiControl(*b),
        };
        self.pretty.write_char_escape(w, e)?;
        self.compact.write_char_escape(&mut self.hash, copy)
    }

    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_string(w)?;
        if self.slot.armed.replace(false) {
            // What the hashed form still lacks is exactly `""}`.
            let sha = self.hash.hex_with(b"\"\"}");
            w.write_all(sha.as_bytes())?;
            *self.slot.sha.borrow_mut() = sha;
        }
        self.compact.begin_string(&mut self.hash)
    }
}

/// Counts what goes through.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The document `parts` make, as serde sees it; `slot` receives its checksum.
fn view_of(parts: Parts<'_>, slot: Rc<Slot>) -> View<'_> {
    View {
        format: FORMAT,
        version: VERSION,
        schema: parts.schema,
        ward: parts.ward,
        branches: parts.branches,
        groups: parts.groups,
        items: parts.items,
        entries: Streamed {
            source: RefCell::new(parts.entries),
            count: Cell::new(0),
        },
        audit: StreamedAudit {
            source: RefCell::new(parts.audit),
            count: Cell::new(0),
        },
        counters: parts.counters,
        raw: parts.raw,
        sha256: ShaSlot(slot),
    }
}

/// The checksum of the document `parts` make, nothing written: its content
/// serialised compact straight into SHA-256 (a restore reading back what it built).
pub fn checksum_stream(parts: Parts<'_>) -> io::Result<ExportSummary> {
    let view = view_of(parts, Rc::new(Slot::default()));
    let mut h = BufHasher::new();
    serde_json::to_writer(&mut h, &view).map_err(io::Error::other)?;
    Ok(ExportSummary {
        sha256: h.hex_with(b""),
        bytes: 0,
        ward: view.ward.name.clone(),
        groups: view.groups.len(),
        entries: view.entries.count.get(),
        audit: view.audit.count.get(),
    })
}

/// Write the document `parts` make to `w` (pretty, with a final newline), sealed with
/// its checksum.
pub fn write_stream(parts: Parts<'_>, w: &mut dyn Write) -> io::Result<ExportSummary> {
    let slot = Rc::new(Slot::default());
    let view = view_of(parts, slot.clone());
    let tee = Tee {
        pretty: PrettyFormatter::new(),
        compact: CompactFormatter,
        hash: BufHasher::new(),
        slot: slot.clone(),
    };
    // DEL and C1 controls in names leave as `\u009b` escapes (the hash is of the
    // canonical form, which reading computes the same either way).
    let mut out = crate::domain::text::JsonSafe::new(Counting {
        inner: io::BufWriter::with_capacity(1 << 16, w),
        bytes: 0,
    });
    let mut ser = serde_json::Serializer::with_formatter(&mut out, tee);
    view.serialize(&mut ser).map_err(io::Error::other)?;
    let sha = slot.sha.take();
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(ExportSummary {
        sha256: sha,
        bytes: out.inner.bytes,
        ward: view.ward.name.clone(),
        groups: view.groups.len(),
        entries: view.entries.count.get(),
        audit: view.audit.count.get(),
    })
}
