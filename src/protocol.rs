//! The ward server's wire protocol.
//!
//! Every message is a frame: a 4-byte big-endian length, then that many bytes of JSON.
//! The length is checked against [`MAX_FRAME`] before anything is allocated. The client
//! speaks first with [`Hello`] (magic and protocol version); the server answers
//! [`ServerMsg::Welcome`] or [`ServerMsg::Refused`]. Then the client sends requests
//! (each with an id) and the server answers each one, in any order, and pushes
//! [`ServerMsg::Notice`]s about changes made by others.
//!
//! One request is answered by many frames: [`Req::ExportStream`], the whole database as
//! an export document, comes as [`ServerMsg::Chunk`]s of text (each far below the
//! frame limit, whatever the database's size) and then its response.
//!
//! JSON rather than bincode on the wire: the records on disk are frozen bincode types,
//! but messages carry domain types whose serde shape (tagged enums, flattened fields)
//! bincode cannot decode, and a readable protocol is easier to debug on a ward server.

use crate::data::WardData;
use crate::domain::audit::AuditRecord;
use crate::domain::entry::Entry;
use crate::domain::member::Session;
use crate::domain::period::Period;
use crate::domain::template::Item;
use crate::domain::ward::GroupId;
use crate::import::Roster;
use crate::service::{
    EntryEdit, HistoryQuery, MarkRequest, NewGroup, NewMember, Notice, UndoRequest, VoteRequest,
};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The socket for a database when none is named: `<db>.sock` beside it.
pub fn default_socket(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".sock");
    PathBuf::from(s)
}

/// Bumped whenever a message changes shape (3: undo plans and redo; 4: the streamed
/// export and backup).
pub const PROTOCOL: u32 = 4;
pub const MAGIC: &str = "qcdc";
/// The largest frame either side accepts (a report of a very large ward fits easily).
pub const MAX_FRAME: u32 = 32 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub magic: String,
    pub protocol: u32,
    pub version: String,
    /// The member to work as (shared accounts); `None`: whoever the Unix account is.
    pub member: Option<String>,
    pub pin: Option<String>,
    /// The client's language: the server writes report headings and messages in it.
    #[serde(default)]
    pub lang: Option<crate::i18n::Lang>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello(Hello),
    Request { id: u64, req: Req },
}

/// One request per operation of [`crate::service::Service`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Req {
    Session,
    Login {
        member: String,
        pin: Option<String>,
    },
    Members,
    AddMember(NewMember),
    UnlockMember(String),
    DocSettings,
    SetDocSettings(crate::domain::settings::DocSettings),
    Narrative(Period),
    FigureValues(Option<Period>),
    SetFigure(crate::service::FigureSet),
    SetNarrative {
        period: Period,
        section: String,
        text: String,
    },
    SetTerm(Option<crate::domain::ward::Term>),
    Ward,
    Branches,
    Groups,
    FindGroup(String),
    Template,
    AddBranch(String),
    AddGroup(NewGroup),
    Load {
        data: WardData,
        dry_run: bool,
    },
    Checklist {
        group: GroupId,
        period: Period,
    },
    Mark(MarkRequest),
    Vote(VoteRequest),
    SaveEntry(EntryEdit),
    Report {
        period: Period,
        options: crate::service::engine::ReportOptions,
    },
    History(HistoryQuery),
    UndoPlan {
        redo: bool,
    },
    Undo(UndoRequest),
    Periods,
    Ping,
    ImportRoster {
        roster: Roster,
        dry_run: bool,
    },
    AddItems {
        items: Vec<Item>,
        dry_run: bool,
    },
    SetItemRetired {
        code: String,
        from: Option<Period>,
    },
    Export,
    /// The export document as [`ServerMsg::Chunk`]s, then a response carrying its
    /// [`crate::transfer::ExportSummary`].
    ExportStream,
    Check,
    Repair,
}

/// The most text one [`ServerMsg::Chunk`] carries (escaped, still far below
/// [`MAX_FRAME`]).
pub const CHUNK: usize = 1 << 20;

impl Req {
    /// Requests that change the database: applied one at a time, in arrival order,
    /// under the server's write lock, and announced to the other clients. Every request
    /// is classified here, without a catch-all: a new request does not compile until
    /// someone decides which it is (a write slipping in as a read would skip the lock).
    pub fn is_write(&self) -> bool {
        match self {
            // A login can record a failed PIN (and lock a member out).
            Req::Login { .. } => true,
            Req::AddMember(_)
            | Req::UnlockMember(_)
            | Req::SetDocSettings(_)
            | Req::SetNarrative { .. }
            | Req::SetTerm(_)
            | Req::SetFigure(_)
            | Req::AddBranch(_)
            | Req::AddGroup(_)
            | Req::Mark(_)
            | Req::Vote(_)
            | Req::SaveEntry(_)
            | Req::Undo(_)
            | Req::SetItemRetired { .. }
            | Req::Repair => true,
            Req::Load { dry_run, .. }
            | Req::ImportRoster { dry_run, .. }
            | Req::AddItems { dry_run, .. } => !dry_run,
            Req::Session
            | Req::DocSettings
            | Req::Narrative(_)
            | Req::FigureValues(_)
            | Req::Members
            | Req::Ward
            | Req::Branches
            | Req::Groups
            | Req::FindGroup(_)
            | Req::Template
            | Req::Checklist { .. }
            | Req::Report { .. }
            | Req::History(_)
            | Req::UndoPlan { .. }
            | Req::Periods
            | Req::Ping
            | Req::Export
            | Req::ExportStream
            | Req::Check => false,
        }
    }
}

/// Why the server refused a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefuseKind {
    BadHello,
    /// Too many connections (from this Unix account, or in all).
    Busy,
    ProtocolMismatch {
        server: u32,
        client: u32,
    },
    Login,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub exit_code: i32,
    pub vi: String,
    pub en: String,
    /// For a stale edit: the entry as it is now.
    pub conflict: Option<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ServerMsg {
    Welcome {
        protocol: u32,
        version: String,
        session: Session,
    },
    Refused {
        kind: RefuseKind,
        vi: String,
        en: String,
    },
    Response {
        id: u64,
        result: Result<serde_json::Value, WireError>,
    },
    Notice(Notice),
    /// A piece of a streamed answer to request `id`, in order; its response follows
    /// the last one.
    Chunk {
        id: u64,
        data: String,
    },
}

/// An audit-record-like description of a change for notices.
pub fn notice_from(rec: &AuditRecord) -> Notice {
    Notice {
        seq: rec.seq,
        group: rec.group,
        item: rec.item.clone(),
        period: rec.period.clone(),
        who: rec.actor.label(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("connection closed")]
    Closed,
    #[error("frame of {0} bytes is larger than the limit of {MAX_FRAME}")]
    TooLarge(u32),
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

pub fn write_frame<W: Write, T: Serialize>(w: &mut W, msg: &T) -> Result<(), FrameError> {
    let body = serde_json::to_vec(msg).map_err(|e| FrameError::Malformed(e.to_string()))?;
    let len = u32::try_from(body.len()).ok().filter(|l| *l <= MAX_FRAME);
    let len = len.ok_or(FrameError::TooLarge(u32::MAX))?;
    let mut buf = Vec::with_capacity(4 + body.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&body);
    w.write_all(&buf)?;
    w.flush()?;
    Ok(())
}

/// Read one frame. The length is checked before the body is allocated.
pub fn read_frame<R: Read, T: for<'de> Deserialize<'de>>(r: &mut R) -> Result<T, FrameError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    // The buffer grows with the bytes that actually arrive: a client that announces
    // 32 MiB and then sends nothing costs almost nothing (many such connections would
    // otherwise pin 32 MiB each).
    let mut body = Vec::with_capacity((len as usize).min(64 * 1024));
    r.take(u64::from(len)).read_to_end(&mut body)?;
    if body.len() < len as usize {
        return Err(FrameError::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    serde_json::from_slice(&body).map_err(|e| FrameError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        let msg = ClientMsg::Request {
            id: 7,
            req: Req::Ping,
        };
        write_frame(&mut buf, &msg).unwrap();
        let back: ClientMsg = read_frame(&mut buf.as_slice()).unwrap();
        assert!(matches!(
            back,
            ClientMsg::Request {
                id: 7,
                req: Req::Ping
            }
        ));
    }

    #[test]
    fn oversized_length_is_refused_before_allocating() {
        let mut buf = (MAX_FRAME + 1).to_be_bytes().to_vec();
        buf.extend_from_slice(b"xx");
        let r: Result<ClientMsg, _> = read_frame(&mut buf.as_slice());
        assert!(matches!(r, Err(FrameError::TooLarge(_))));
        let huge = u32::MAX.to_be_bytes();
        let r: Result<ClientMsg, _> = read_frame(&mut huge.as_slice());
        assert!(matches!(r, Err(FrameError::TooLarge(_))));
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let mut buf = 5u32.to_be_bytes().to_vec();
        buf.extend_from_slice(b"\xff\x00abc");
        let r: Result<ClientMsg, _> = read_frame(&mut buf.as_slice());
        assert!(matches!(r, Err(FrameError::Malformed(_))));
        let mut short = 10u32.to_be_bytes().to_vec();
        short.extend_from_slice(b"{}");
        let r: Result<ClientMsg, _> = read_frame(&mut short.as_slice());
        assert!(r.is_err());
        let r: Result<ClientMsg, _> = read_frame(&mut &b"\x00\x00"[..]);
        assert!(matches!(r, Err(FrameError::Closed)));
    }
}
