//! The service over a socket: [`RemoteService`] talks to `qcdc serve` and implements the
//! same [`Service`] trait as the local one, so nothing above it knows which it has.

use crate::data::WardData;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::date::Date;
use crate::domain::entry::Entry;
use crate::domain::member::{Member, Session};
use crate::domain::period::Period;
use crate::domain::template::Template;
use crate::domain::vote::VoteVerdict;
use crate::domain::ward::{Branch, Group, GroupId, Ward};
use crate::i18n::Lang;
use crate::protocol::*;
use crate::service::*;
use crate::store::LoadSummary;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Pending = Mutex<HashMap<u64, Sender<Result<serde_json::Value, WireError>>>>;

/// How long a request waits for its answer (a city's report through the server takes
/// well under a second; a minute means the server is stuck or gone).
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// What a streamed answer brings: its chunks, then its response.
enum StreamMsg {
    Chunk(String),
    Done(Box<Result<serde_json::Value, WireError>>),
}

/// Streamed answers waiting, by request id: a bounded channel each, so a server that
/// sends faster than the caller writes waits on the socket instead of filling memory.
type Streams = Mutex<HashMap<u64, SyncSender<StreamMsg>>>;

struct Inner {
    writer: Mutex<UnixStream>,
    pending: Pending,
    streams: Streams,
    notices: Mutex<Vec<Sender<Notice>>>,
    closed: AtomicBool,
}

pub struct RemoteService {
    inner: Arc<Inner>,
    next_id: AtomicU64,
    session: Mutex<Session>,
    lang: Lang,
    reply_timeout: Duration,
}

/// Why connecting failed.
#[derive(Debug)]
pub enum ConnectError {
    /// Nothing answers on the socket (no server, or a stale file).
    NoServer(std::io::Error),
    /// The server answered and refused (protocol mismatch, login).
    Refused {
        kind: RefuseKind,
        message: String,
    },
    Protocol(String),
}

/// The process answering on `socket` must be the ward server, not another member of the
/// group: the socket folder is group-writable (2770), so while the server is down anyone
/// in the group could put a socket there and collect the PINs sent in the hello. The
/// answering process must run as root, as this user, or as the owner of the folder
/// (the `qcdc` account that runs `qcdc serve`).
fn server_is_genuine(stream: &UnixStream, socket: &Path, lang: Lang) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // Unknown is not genuine: the PIN is sent only to a process we could identify.
    let server = crate::sys::peer_uid(stream).map_err(|e| {
        if lang.is_en() {
            format!(
                "cannot tell who runs the process on {} ({e}): nothing was sent to it",
                socket.display()
            )
        } else {
            format!(
                "không biết tiến trình ở {} chạy dưới tài khoản nào ({e}): không gửi gì cho nó",
                socket.display()
            )
        }
    })?;
    // SAFETY: geteuid(2) has no preconditions.
    let me = unsafe { libc::geteuid() };
    let dir = socket
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let owner = std::fs::metadata(dir).map(|m| m.uid()).ok();
    if server == 0 || server == me || Some(server) == owner {
        return Ok(());
    }
    let who = crate::sys::user_name(server);
    Err(if lang.is_en() {
        format!(
            "the process there runs as {who}, neither the owner of {} nor you: not the ward server. \
             Nothing was sent to it; tell the server's administrator.",
            dir.display()
        )
    } else {
        format!(
            "tiến trình ở đó chạy dưới tài khoản {who}, không phải chủ thư mục {} hay chính bạn: không phải máy chủ phường. \
             Không gửi gì cho nó; hãy báo người quản trị máy chủ.",
            dir.display()
        )
    })
}

impl RemoteService {
    pub fn connect(
        socket: &Path,
        member: Option<&str>,
        pin: Option<&str>,
        lang: Lang,
    ) -> Result<RemoteService, ConnectError> {
        let stream = UnixStream::connect(socket).map_err(ConnectError::NoServer)?;
        server_is_genuine(&stream, socket, lang).map_err(ConnectError::Protocol)?;
        let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
        let mut reader = stream.try_clone().map_err(ConnectError::NoServer)?;
        let mut writer = stream;
        let hello = ClientMsg::Hello(Hello {
            magic: MAGIC.into(),
            protocol: PROTOCOL,
            version: env!("CARGO_PKG_VERSION").into(),
            member: member.map(str::to_string),
            pin: pin.map(str::to_string),
            lang: Some(lang),
        });
        // A server at its limit refuses before reading the hello: the write may fail
        // with the refusal already waiting to be read.
        let sent = write_frame(&mut writer, &hello);
        let answer = read_frame::<_, ServerMsg>(&mut reader);
        if let Err(e) = sent
            && !matches!(answer, Ok(ServerMsg::Refused { .. }))
        {
            return Err(ConnectError::Protocol(e.to_string()));
        }
        let session = match answer {
            Ok(ServerMsg::Welcome { session, .. }) => session,
            Ok(ServerMsg::Refused { kind, vi, en }) => {
                return Err(ConnectError::Refused {
                    kind,
                    message: if lang.is_en() { en } else { vi },
                });
            }
            Ok(other) => return Err(ConnectError::Protocol(format!("unexpected {other:?}"))),
            Err(e) => return Err(ConnectError::Protocol(e.to_string())),
        };
        let _ = reader.set_read_timeout(None);
        let inner = Arc::new(Inner {
            writer: Mutex::new(writer),
            pending: Mutex::new(HashMap::new()),
            streams: Mutex::new(HashMap::new()),
            notices: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        });
        let bg = inner.clone();
        std::thread::spawn(move || {
            loop {
                match read_frame::<_, ServerMsg>(&mut reader) {
                    Ok(ServerMsg::Chunk { id, data }) => {
                        let tx = bg
                            .streams
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get(&id)
                            .cloned();
                        // Blocks while the caller is behind (the bound); a caller that
                        // gave up has dropped its end.
                        if let Some(tx) = tx {
                            let _ = tx.send(StreamMsg::Chunk(data));
                        }
                    }
                    Ok(ServerMsg::Response { id, result }) => {
                        let stream = bg
                            .streams
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&id);
                        if let Some(tx) = stream {
                            let _ = tx.send(StreamMsg::Done(Box::new(result)));
                        } else if let Some(tx) = bg
                            .pending
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&id)
                        {
                            let _ = tx.send(result);
                        }
                    }
                    Ok(ServerMsg::Notice(n)) => {
                        bg.notices
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .retain(|tx| tx.send(n.clone()).is_ok());
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            // The server went away: fail whatever is waiting.
            bg.closed.store(true, Ordering::SeqCst);
            bg.pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
            bg.streams.lock().unwrap_or_else(|p| p.into_inner()).clear();
            bg.notices.lock().unwrap_or_else(|p| p.into_inner()).clear();
        });
        Ok(RemoteService {
            inner,
            next_id: AtomicU64::new(1),
            session: Mutex::new(session),
            lang,
            reply_timeout: REPLY_TIMEOUT,
        })
    }

    /// Wait at most `d` for each answer (the default is a minute).
    pub fn with_reply_timeout(mut self, d: Duration) -> Self {
        self.reply_timeout = d;
        self
    }

    fn gone(&self) -> ServiceError {
        ServiceError::Remote(
            self.lang
                .t(
                    "Mất kết nối với máy chủ qcdc (máy chủ đã dừng?). Thay đổi chưa được xác nhận thì chưa lưu.",
                    "Lost the connection to the qcdc server (stopped?). Changes not confirmed were not saved.",
                )
                .to_string(),
        )
    }

    fn call<T: DeserializeOwned>(&self, req: Req) -> Result<T, ServiceError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(self.gone());
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = channel();
        self.inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, tx);
        {
            let mut w = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            if write_frame(&mut *w, &ClientMsg::Request { id, req }).is_err() {
                self.inner
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                return Err(self.gone());
            }
        }
        // A server that stops answering must not freeze a TUI: a reply that does not
        // come within the limit is an error (the request may still be carried out; the
        // message says so).
        match rx.recv_timeout(self.reply_timeout) {
            Err(RecvTimeoutError::Timeout) => {
                self.inner
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                Err(self.silent())
            }
            Ok(r) => self.answer(r),
            Err(RecvTimeoutError::Disconnected) => Err(self.gone()),
        }
    }

    fn silent(&self) -> ServiceError {
        ServiceError::Remote(
            self.lang
                .t(
                    "Máy chủ qcdc không trả lời. Thay đổi vừa gửi có thể đã được lưu hoặc chưa: xem lại trước khi làm lại.",
                    "The qcdc server did not answer. The change just sent may or may not be saved: look before trying again.",
                )
                .to_string(),
        )
    }

    fn answer<T: DeserializeOwned>(
        &self,
        r: Result<serde_json::Value, WireError>,
    ) -> Result<T, ServiceError> {
        match r {
            Ok(v) => serde_json::from_value(v).map_err(|e| ServiceError::Remote(e.to_string())),
            Err(w) => Err(match w.conflict {
                Some(current) => ServiceError::Conflict {
                    current: Box::new(current),
                },
                None => ServiceError::Server {
                    code: w.exit_code,
                    message: if self.lang.is_en() { w.en } else { w.vi },
                },
            }),
        }
    }

    /// A request answered in chunks: each written to `w` as it arrives. The reply
    /// timeout applies between chunks: a stream may take long, a silence may not.
    fn call_streamed<T: DeserializeOwned>(
        &self,
        req: Req,
        w: &mut dyn std::io::Write,
    ) -> Result<T, ServiceError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(self.gone());
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = sync_channel(4);
        let streams = || self.inner.streams.lock().unwrap_or_else(|p| p.into_inner());
        streams().insert(id, tx);
        // However this ends, the reader thread stops feeding this request.
        struct Forget<'a>(&'a Streams, u64);
        impl Drop for Forget<'_> {
            fn drop(&mut self) {
                self.0
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&self.1);
            }
        }
        let _forget = Forget(&self.inner.streams, id);
        {
            let mut wr = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            if write_frame(&mut *wr, &ClientMsg::Request { id, req }).is_err() {
                return Err(self.gone());
            }
        }
        loop {
            match rx.recv_timeout(self.reply_timeout) {
                Ok(StreamMsg::Chunk(data)) => w.write_all(data.as_bytes()).map_err(|e| {
                    ServiceError::Remote(if self.lang.is_en() {
                        format!("cannot write what the server sends: {e}")
                    } else {
                        format!("không ghi được dữ liệu máy chủ gửi: {e}")
                    })
                })?,
                Ok(StreamMsg::Done(r)) => return self.answer(*r),
                Err(RecvTimeoutError::Timeout) => return Err(self.silent()),
                Err(RecvTimeoutError::Disconnected) => return Err(self.gone()),
            }
        }
    }
}

impl Drop for RemoteService {
    /// Hang up: the reader thread holds its own handle on the socket, so without this
    /// the connection (and its place on the server) would outlive the service.
    fn drop(&mut self) {
        let w = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        let _ = w.shutdown(std::net::Shutdown::Both);
    }
}

impl Service for RemoteService {
    fn actor(&self) -> Actor {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .actor
            .clone()
    }

    fn today(&self) -> Date {
        crate::service::local::today_from_env()
    }

    fn session(&self) -> Result<Session, ServiceError> {
        self.call(Req::Session)
    }

    fn login(&self, member: &str, pin: Option<&str>) -> Result<Session, ServiceError> {
        let s: Session = self.call(Req::Login {
            member: member.into(),
            pin: pin.map(str::to_string),
        })?;
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = s.clone();
        Ok(s)
    }

    fn members(&self) -> Result<Vec<Member>, ServiceError> {
        self.call(Req::Members)
    }

    fn add_member(&self, m: NewMember) -> Result<Member, ServiceError> {
        self.call(Req::AddMember(m))
    }

    fn doc_settings(&self) -> Result<crate::domain::settings::DocSettings, ServiceError> {
        self.call(Req::DocSettings)
    }

    fn set_term(
        &self,
        term: Option<crate::domain::ward::Term>,
    ) -> Result<crate::domain::ward::Ward, ServiceError> {
        self.call(Req::SetTerm(term))
    }

    fn set_doc_settings(
        &self,
        settings: crate::domain::settings::DocSettings,
    ) -> Result<(), ServiceError> {
        self.call(Req::SetDocSettings(settings))
    }

    fn narrative(
        &self,
        period: Period,
    ) -> Result<crate::domain::narrative::Narrative, ServiceError> {
        self.call(Req::Narrative(period))
    }

    fn figure_values(
        &self,
        period: Option<Period>,
    ) -> Result<Vec<crate::domain::figure::FigureValue>, ServiceError> {
        self.call(Req::FigureValues(period))
    }

    fn set_figure(
        &self,
        req: crate::service::FigureSet,
    ) -> Result<Option<AuditRecord>, ServiceError> {
        self.call(Req::SetFigure(req))
    }

    fn set_narrative(
        &self,
        period: Period,
        section: &str,
        text: &str,
    ) -> Result<bool, ServiceError> {
        self.call(Req::SetNarrative {
            period,
            section: section.to_string(),
            text: text.to_string(),
        })
    }

    fn unlock_member(&self, name: &str) -> Result<(), ServiceError> {
        self.call(Req::UnlockMember(name.to_string()))
    }

    fn subscribe(&self) -> Option<Receiver<Notice>> {
        let (tx, rx) = channel();
        self.inner
            .notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx);
        Some(rx)
    }

    fn ward(&self) -> Result<Ward, ServiceError> {
        self.call(Req::Ward)
    }

    fn branches(&self) -> Result<Vec<Branch>, ServiceError> {
        self.call(Req::Branches)
    }

    fn groups(&self) -> Result<Vec<Group>, ServiceError> {
        self.call(Req::Groups)
    }

    fn find_group(&self, name: &str) -> Result<Group, ServiceError> {
        self.call(Req::FindGroup(name.into()))
    }

    fn template(&self) -> Result<Template, ServiceError> {
        self.call(Req::Template)
    }

    fn add_branch(&self, name: &str) -> Result<Branch, ServiceError> {
        self.call(Req::AddBranch(name.into()))
    }

    fn add_group(&self, g: NewGroup) -> Result<Group, ServiceError> {
        self.call(Req::AddGroup(g))
    }

    fn load(&self, data: &WardData, dry_run: bool) -> Result<LoadSummary, ServiceError> {
        self.call(Req::Load {
            data: data.clone(),
            dry_run,
        })
    }

    fn checklist(&self, group: GroupId, period: Period) -> Result<Vec<ChecklistRow>, ServiceError> {
        self.call(Req::Checklist { group, period })
    }

    fn mark(&self, req: MarkRequest) -> Result<Entry, ServiceError> {
        self.call(Req::Mark(req))
    }

    fn record_vote(&self, req: VoteRequest) -> Result<(Entry, VoteVerdict), ServiceError> {
        self.call(Req::Vote(req))
    }

    fn save_entry(&self, edit: EntryEdit) -> Result<Entry, ServiceError> {
        self.call(Req::SaveEntry(edit))
    }

    fn report_with(
        &self,
        period: Period,
        options: crate::service::engine::ReportOptions,
    ) -> Result<Report, ServiceError> {
        self.call(Req::Report { period, options })
    }

    fn history(&self, q: HistoryQuery) -> Result<Vec<AuditRecord>, ServiceError> {
        self.call(Req::History(q))
    }

    fn undo_plan(&self, redo: bool) -> Result<Option<AuditRecord>, ServiceError> {
        self.call(Req::UndoPlan { redo })
    }

    fn undo(&self, req: UndoRequest) -> Result<Option<AuditRecord>, ServiceError> {
        self.call(Req::Undo(req))
    }

    fn periods(&self) -> Result<Vec<Period>, ServiceError> {
        self.call(Req::Periods)
    }

    fn import_roster(
        &self,
        roster: crate::import::Roster,
        dry_run: bool,
    ) -> Result<crate::store::roster::RosterChanges, ServiceError> {
        self.call(Req::ImportRoster { roster, dry_run })
    }

    fn add_items(
        &self,
        items: Vec<crate::domain::template::Item>,
        dry_run: bool,
    ) -> Result<crate::store::items::ItemsAdded, ServiceError> {
        self.call(Req::AddItems { items, dry_run })
    }

    fn set_item_retired(
        &self,
        code: String,
        from: Option<Period>,
    ) -> Result<crate::domain::template::Item, ServiceError> {
        self.call(Req::SetItemRetired { code, from })
    }

    fn export(&self) -> Result<crate::transfer::ExportDoc, ServiceError> {
        self.call(Req::Export)
    }

    fn export_to(
        &self,
        w: &mut dyn std::io::Write,
    ) -> Result<crate::transfer::ExportSummary, ServiceError> {
        self.call_streamed(Req::ExportStream, w)
    }

    fn check(&self) -> Result<crate::store::snapshot::CheckReport, ServiceError> {
        self.call(Req::Check)
    }

    fn repair(&self) -> Result<usize, ServiceError> {
        self.call(Req::Repair)
    }
}
