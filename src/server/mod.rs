//! `qcdc serve`: one process owns the sled database and serves everyone else over a
//! Unix domain socket.
//!
//! - Identity: the caller's Unix account comes from the socket's peer credentials,
//!   never from the client. A client may ask to work as a member (shared accounts); the
//!   member's PIN and Unix account are checked (`Service::login`).
//! - Writes are applied one at a time, in arrival order, under one lock; each is flushed
//!   before its answer leaves. Reads run in parallel.
//! - After a write every other connected client gets a [`Notice`] so open TUIs refresh.
//! - A connection that sends garbage, an oversized or a truncated frame is closed; the
//!   others carry on. A client that disappears mid-request leaves no partial write (each
//!   write is one sled transaction).
//! - SIGTERM/SIGINT: stop accepting, wait for the write in progress, flush, remove the
//!   socket, exit 0.
//! - Socket file mode 0660 and, when the server creates its folder, folder mode 2770
//!   (group-shared, set-gid, never world-accessible).

use crate::app::exit::{ExitCode, Failure};
use crate::domain::audit::Actor;
use crate::i18n::Lang;
use crate::protocol;
use crate::service::local::LocalService;
use crate::service::{Notice, Service, ServiceError};
use crate::store::{Store, StoreError};
use crate::sys as peer;
use protocol::*;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Shared {
    store: Store,
    /// The database folder (streamed exports are spooled beside it).
    db: PathBuf,
    /// Writes hold it shared; shutdown takes it exclusively, so it waits for the writes
    /// in progress. The order of writes is sled's transaction order (serialisable, with
    /// the audit sequence allocated inside), and their flushes overlap, which lets the
    /// disk's fsyncs serve several clients at once.
    write_lock: std::sync::RwLock<()>,
    clients: Mutex<Vec<(u64, Sender<ServerMsg>)>>,
    next_client: AtomicU64,
    stopping: AtomicBool,
    /// Open connections per Unix uid (a thread and two file descriptors each).
    conns: Mutex<std::collections::HashMap<u32, usize>>,
}

/// At most this many connections in all, and from one Unix account: one member's
/// runaway script must not use up the server's file descriptors and lock everyone out.
pub const MAX_CONNECTIONS: usize = 512;
pub const MAX_PER_ACCOUNT: usize = 64;
/// The whole handshake (hello, and the PIN check) must arrive within this, however
/// slowly its bytes trickle in.
pub const HELLO_DEADLINE: Duration = Duration::from_secs(10);
/// Failed logins after which a connection is closed (each is also slowed down and
/// counted per member by the service).
pub const MAX_LOGIN_FAILURES_PER_CONNECTION: u32 = 3;

/// A reader that gives up at a deadline, not after each quiet spell: a byte every few
/// seconds cannot keep a connection in its handshake forever.
struct DeadlineReader<'a> {
    stream: &'a UnixStream,
    deadline: std::time::Instant,
}

impl std::io::Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self
            .deadline
            .saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "handshake deadline",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        (&*self.stream).read(buf)
    }
}

/// Holds a connection's place in the counts; gives it back when the connection ends.
struct ConnSlot<'a> {
    shared: &'a Shared,
    uid: u32,
}

impl Drop for ConnSlot<'_> {
    fn drop(&mut self) {
        let mut c = self.shared.conns.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = c.get_mut(&self.uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.remove(&self.uid);
            }
        }
    }
}

impl Shared {
    /// A place for a connection from `uid`, or `None` when the limits are reached.
    fn take_slot(&self, uid: u32) -> Option<ConnSlot<'_>> {
        let mut c = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = c.values().sum();
        let mine = c.get(&uid).copied().unwrap_or(0);
        if total >= MAX_CONNECTIONS || mine >= MAX_PER_ACCOUNT {
            return None;
        }
        *c.entry(uid).or_insert(0) += 1;
        Some(ConnSlot { shared: self, uid })
    }
}

/// Carry out one request against a service. Shared by the server and its tests.
pub fn dispatch(svc: &dyn Service, req: Req) -> Result<serde_json::Value, ServiceError> {
    fn j<T: serde::Serialize>(v: T) -> Result<serde_json::Value, ServiceError> {
        serde_json::to_value(v).map_err(|e| ServiceError::Remote(e.to_string()))
    }
    match req {
        Req::Session => j(svc.session()?),
        Req::Login { member, pin } => j(svc.login(&member, pin.as_deref())?),
        Req::Members => j(svc.members()?),
        Req::AddMember(m) => j(svc.add_member(m)?),
        Req::UnlockMember(name) => j(svc.unlock_member(&name)?),
        Req::DocSettings => j(svc.doc_settings()?),
        Req::SetDocSettings(d) => j(svc.set_doc_settings(d)?),
        Req::Narrative(p) => j(svc.narrative(p)?),
        Req::FigureValues(p) => j(svc.figure_values(p)?),
        Req::SetFigure(f) => j(svc.set_figure(f)?),
        Req::SetNarrative {
            period,
            section,
            text,
        } => j(svc.set_narrative(period, &section, &text)?),
        Req::SetTerm(t) => j(svc.set_term(t)?),
        Req::Ward => j(svc.ward()?),
        Req::Branches => j(svc.branches()?),
        Req::Groups => j(svc.groups()?),
        Req::FindGroup(name) => j(svc.find_group(&name)?),
        Req::Template => j(svc.template()?),
        Req::AddBranch(name) => j(svc.add_branch(&name)?),
        Req::AddGroup(g) => j(svc.add_group(g)?),
        Req::Load { data, dry_run } => j(svc.load(&data, dry_run)?),
        Req::Checklist { group, period } => j(svc.checklist(group, period)?),
        Req::Mark(m) => j(svc.mark(m)?),
        Req::Vote(v) => j(svc.record_vote(v)?),
        Req::SaveEntry(e) => j(svc.save_entry(e)?),
        Req::Report { period, options } => j(svc.report_with(period, options)?),
        Req::History(q) => j(svc.history(q)?),
        Req::UndoPlan { redo } => j(svc.undo_plan(redo)?),
        Req::Undo(u) => j(svc.undo(u)?),
        Req::Periods => j(svc.periods()?),
        Req::ImportRoster { roster, dry_run } => j(svc.import_roster(roster, dry_run)?),
        Req::AddItems { items, dry_run } => j(svc.add_items(items, dry_run)?),
        Req::SetItemRetired { code, from } => j(svc.set_item_retired(code, from)?),
        Req::Export => j(svc.export()?),
        // Answered by `stream_export`, which needs the connection.
        Req::ExportStream => Err(ServiceError::Remote(
            "a streamed export needs a connection".into(),
        )),
        Req::Check => j(svc.check()?),
        Req::Repair => j(svc.repair()?),
        Req::Ping => j(()),
    }
}

pub fn wire_error(e: &ServiceError) -> WireError {
    WireError {
        exit_code: ExitCode::from(e).code(),
        vi: e.message(Lang::Vi),
        en: e.message(Lang::En),
        conflict: match e {
            ServiceError::Conflict { current } => Some((**current).clone()),
            _ => None,
        },
    }
}

/// The database is held by another process: exit 75, as the command line does.
fn busy(lang: Lang, vi: String, en: String) -> Failure {
    Failure {
        code: ExitCode::Busy,
        message: if lang.is_en() { en } else { vi },
    }
}

fn msg(lang: Lang, vi: String, en: String) -> Failure {
    Failure {
        code: ExitCode::Other,
        message: if lang.is_en() { en } else { vi },
    }
}

/// Keep a data folder (the database, the backups) to the server's account: the PIN
/// hashes and every record are in it, and a member who can read it can copy the
/// database, make themself an administrator offline and swap it back. A folder this
/// account owns is made private (and the change said); one it does not own that others
/// may write to is refused; one others may only read is warned about.
pub fn secure_folder(dir: &Path, lang: Lang) -> Result<Vec<String>, Failure> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(vec![]);
    };
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(vec![]);
    }
    // SAFETY: geteuid(2) has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() == me {
        let private = std::fs::Permissions::from_mode((mode & 0o700) | 0o700);
        std::fs::set_permissions(dir, private).map_err(|e| {
            msg(
                lang,
                format!("Không đặt được quyền riêng cho {}: {e}", dir.display()),
                format!("Cannot make {} private: {e}", dir.display()),
            )
        })?;
        return Ok(vec![if lang.is_en() {
            format!(
                "note: {} was readable by others (mode {mode:04o}); it is now private (0700): members reach the data through the socket only.",
                dir.display()
            )
        } else {
            format!(
                "lưu ý: {} từng cho người khác đọc (quyền {mode:04o}); nay chỉ tài khoản máy chủ truy cập (0700): thành viên dùng dữ liệu qua ổ cắm.",
                dir.display()
            )
        }]);
    }
    if mode & 0o022 != 0 {
        return Err(msg(
            lang,
            format!(
                "Thư mục {} (quyền {mode:04o}) không thuộc tài khoản máy chủ và người khác ghi được: ai ghi được vào đó thì sửa được cả dữ liệu và quyền. Hãy chuyển cho tài khoản qcdc với quyền 0700 (xem README, Máy chủ phường).",
                dir.display()
            ),
            format!(
                "The folder {} (mode {mode:04o}) is not the server account's and others can write to it: whoever can write there can change the data and the roles. Give it to the qcdc account with mode 0700 (see README, Ward server).",
                dir.display()
            ),
        ));
    }
    Ok(vec![if lang.is_en() {
        format!(
            "warning: {} (mode {mode:04o}) can be read by other accounts: they can read PIN hashes and copy the database. Make it 0700, owned by the server's account.",
            dir.display()
        )
    } else {
        format!(
            "cảnh báo: {} (quyền {mode:04o}) tài khoản khác đọc được: họ đọc được mã băm PIN và chép được cơ sở dữ liệu. Hãy đặt quyền 0700, thuộc tài khoản máy chủ.",
            dir.display()
        )
    }])
}

/// Prepare the socket path: refuse if a server answers there, remove a stale file left
/// by a crash, create the folder (2770) if missing.
fn prepare_socket(socket: &Path, lang: Lang) -> Result<(), Failure> {
    if socket.exists() {
        if UnixStream::connect(socket).is_ok() {
            return Err(msg(
                lang,
                format!(
                    "Đã có một máy chủ qcdc trả lời ở {}. Không chạy hai máy chủ trên một CSDL.",
                    socket.display()
                ),
                format!(
                    "A qcdc server already answers on {}. Do not run two servers on one database.",
                    socket.display()
                ),
            ));
        }
        // Nothing answers: a stale socket from a crash.
        std::fs::remove_file(socket).map_err(|e| {
            msg(
                lang,
                format!("Không xóa được ổ cắm cũ {}: {e}", socket.display()),
                format!("Cannot remove the stale socket {}: {e}", socket.display()),
            )
        })?;
    }
    if let Some(dir) = socket.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            msg(
                lang,
                format!("Không tạo được thư mục {}: {e}", dir.display()),
                format!("Cannot create {}: {e}", dir.display()),
            )
        })?;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o2770));
    }
    Ok(())
}

/// Run the server until SIGTERM or SIGINT.
pub fn serve(
    db: &Path,
    socket: &Path,
    lang: Lang,
    backup_dir: Option<PathBuf>,
) -> Result<(), Failure> {
    // Everything the server writes (snapshots, backups) is for its own account only:
    // members reach data through the socket, never through the files.
    // SAFETY: umask(2) has no preconditions.
    unsafe {
        libc::umask(0o077);
    }
    crate::app::connect::finish_restore(db, lang)?;
    for dir in std::iter::once(db.to_path_buf()).chain(backup_dir.clone()) {
        for note in secure_folder(&dir, lang)? {
            eprintln!("{note}");
        }
    }
    let opened = Store::open(db);
    crate::app::connect::say_guard_notices(lang);
    let store = opened.map_err(|e| match e {
        StoreError::Locked { path } => busy(
            lang,
            format!(
                "CSDL {} đang bị một tiến trình qcdc khác mở (có thể là một máy chủ khác). Đóng tiến trình đó trước.",
                path.display()
            ),
            format!(
                "The database {} is open in another qcdc process (perhaps another server). Stop it first.",
                path.display()
            ),
        ),
        other => Failure::from_service(&ServiceError::Store(other), lang),
    })?;
    prepare_socket(socket, lang)?;
    let listener = UnixListener::bind(socket).map_err(|e| {
        msg(
            lang,
            format!("Không mở được ổ cắm {}: {e}", socket.display()),
            format!("Cannot listen on {}: {e}", socket.display()),
        )
    })?;
    let _ = std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o660));
    let shared = Arc::new(Shared {
        store,
        db: db.to_path_buf(),
        write_lock: std::sync::RwLock::new(()),
        clients: Mutex::new(Vec::new()),
        next_client: AtomicU64::new(1),
        stopping: AtomicBool::new(false),
        conns: Mutex::new(std::collections::HashMap::new()),
    });
    // Signals: a thread waits for them, then wakes the accept loop by connecting.
    {
        let shared = shared.clone();
        let socket = socket.to_path_buf();
        let mut signals = signal_hook::iterator::Signals::new([
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGINT,
        ])
        .map_err(|e| {
            msg(
                lang,
                format!("Lỗi tín hiệu: {e}"),
                format!("Signal set-up failed: {e}"),
            )
        })?;
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                shared.stopping.store(true, Ordering::SeqCst);
                let _ = UnixStream::connect(&socket);
            }
        });
    }
    if let Some(dir) = backup_dir {
        let shared = shared.clone();
        std::thread::spawn(move || backup_loop(&shared, &dir));
    }
    eprintln!(
        "{} {} ({}: {})",
        lang.t("qcdc đang phục vụ", "qcdc serving"),
        db.display(),
        lang.t("ổ cắm", "socket"),
        socket.display()
    );
    for conn in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(conn) = conn else { continue };
        let shared = shared.clone();
        std::thread::spawn(move || handle(conn, &shared));
    }
    // Wait for the write in progress, flush, and leave no socket behind.
    let _guard = shared.write_lock.write().unwrap_or_else(|p| p.into_inner());
    let flushed = shared.store.flush();
    let _ = std::fs::remove_file(socket);
    eprintln!(
        "{}",
        lang.t(
            "qcdc đã dừng, dữ liệu đã ghi xuống đĩa.",
            "qcdc stopped; data flushed."
        )
    );
    flushed.map_err(|e| Failure::from_service(&ServiceError::Store(e), lang))
}

/// The daily backup: a consistent snapshot into `dir` once a day — at start only when
/// the day has none yet, so restarts do not crowd out the days before — keeping the
/// backups of the last 14 days ([`crate::backup::SERVER_KEEP`]). Taken while no write
/// runs (shared with the shutdown's exclusive lock the other way round: writes wait
/// for the snapshot).
fn backup_loop(shared: &Shared, dir: &Path) {
    loop {
        let today = chrono::Local::now().date_naive();
        let ward = shared.store.ward().map(|w| w.name);
        let due = ward
            .as_ref()
            .is_ok_and(|w| !crate::backup::has_backup_of_day(dir, w, today));
        if !due && ward.is_ok() {
            eprintln!("backup: {} already has today's backup", dir.display());
        }
        if due {
            let _g = shared.write_lock.write().unwrap_or_else(|p| p.into_inner());
            match crate::backup::backup_store(&shared.store, dir, crate::backup::SERVER_KEEP) {
                Ok(info) => {
                    eprintln!("backup: {}", info.path.display());
                    for p in &info.rotation.removed {
                        eprintln!("backup: removed {}", p.display());
                    }
                    for p in &info.rotation.ignored {
                        eprintln!(
                            "backup: {} is named like a backup of this ward but is not one; left alone",
                            p.display()
                        );
                    }
                }
                Err(e) => eprintln!("backup failed: {}", e.message(Lang::En)),
            }
        }
        // Look again within the hour: the first check after midnight takes the day's.
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// A file nobody else can open, beside the database: created for this process only
/// and unlinked at once (it holds the members' PIN hashes), gone when closed.
fn spool_file(db: &Path, id: u64) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "ward.db".into());
    let path = db.with_file_name(format!(".{name}.export-{}-{id}.tmp", std::process::id()));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(f)
}

/// `Req::ExportStream`: the document is written to a spool file while writes wait (a
/// consistent snapshot, as the daily backup takes), then sent in chunks at the pace
/// the client reads, writes going on meanwhile. No frame comes near the limit and
/// nothing the size of the database is held.
fn stream_export(
    shared: &Shared,
    svc: &LocalService,
    writer: &Mutex<UnixStream>,
    id: u64,
) -> Result<crate::transfer::ExportSummary, ServiceError> {
    use std::io::{Read, Seek, Write};
    let io_err = |e: std::io::Error| {
        ServiceError::Remote(format!(
            "the export could not be spooled on the server: {e}"
        ))
    };
    let mut file = spool_file(&shared.db, id).map_err(io_err)?;
    let summary = {
        let _g = shared.write_lock.write().unwrap_or_else(|p| p.into_inner());
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut file);
        let s = svc.export_to(&mut w)?;
        w.flush().map_err(io_err)?;
        s
    };
    file.rewind().map_err(io_err)?;
    let mut buf = vec![0u8; CHUNK];
    // Bytes of a character cut by the chunk's end, carried to the next chunk.
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..]).map_err(io_err)?;
        let have = carry + n;
        if have == 0 {
            break;
        }
        let cut = match std::str::from_utf8(&buf[..have]) {
            Ok(_) => have,
            Err(e) if n > 0 && e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                return Err(ServiceError::Remote("the export is not UTF-8 text".into()));
            }
        };
        let data = String::from_utf8_lossy(&buf[..cut]).into_owned();
        {
            let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
            write_frame(&mut *w, &ServerMsg::Chunk { id, data })
                .map_err(|e| ServiceError::Remote(e.to_string()))?;
        }
        buf.copy_within(cut..have, 0);
        carry = have - cut;
        if n == 0 {
            break;
        }
    }
    Ok(summary)
}

fn broadcast(shared: &Shared, from: u64, n: Notice) {
    let clients = shared.clients.lock().unwrap_or_else(|p| p.into_inner());
    for (id, tx) in clients.iter() {
        if *id != from {
            let _ = tx.send(ServerMsg::Notice(n.clone()));
        }
    }
}

fn handle(conn: UnixStream, shared: &Arc<Shared>) {
    if shared.stopping.load(Ordering::SeqCst) {
        return;
    }
    let Ok(uid) = peer::peer_uid(&conn) else {
        return;
    };
    let os_user = peer::user_name(uid);
    let mut reader = match conn.try_clone() {
        Ok(r) => r,
        Err(_) => return,
    };
    let mut writer = conn;
    let Some(_slot) = shared.take_slot(uid) else {
        eprintln!("refused a connection from {os_user}: too many connections");
        let _ = write_frame(
            &mut writer,
            &ServerMsg::Refused {
                kind: RefuseKind::Busy,
                vi: format!(
                    "Máy chủ qcdc đang có quá nhiều kết nối (tối đa {MAX_PER_ACCOUNT} cho mỗi tài khoản, {MAX_CONNECTIONS} tất cả). Đóng bớt cửa sổ qcdc rồi thử lại."
                ),
                en: format!(
                    "The qcdc server has too many connections (at most {MAX_PER_ACCOUNT} per account, {MAX_CONNECTIONS} in all). Close some qcdc windows and try again."
                ),
            },
        );
        return;
    };
    // The whole hello must arrive within the deadline; after that a client may sit
    // idle as long as it likes.
    let deadline = std::time::Instant::now() + HELLO_DEADLINE;
    let hello = match read_frame::<_, ClientMsg>(&mut DeadlineReader {
        stream: &reader,
        deadline,
    }) {
        Ok(ClientMsg::Hello(h)) => h,
        _ => {
            let _ = write_frame(
                &mut writer,
                &ServerMsg::Refused {
                    kind: RefuseKind::BadHello,
                    vi: "Máy chủ qcdc cần lời chào đúng giao thức trước tiên.".into(),
                    en: "A qcdc server expects a protocol hello first.".into(),
                },
            );
            return;
        }
    };
    if hello.magic != MAGIC || hello.protocol != PROTOCOL {
        let _ = write_frame(
            &mut writer,
            &ServerMsg::Refused {
                kind: RefuseKind::ProtocolMismatch {
                    server: PROTOCOL,
                    client: hello.protocol,
                },
                vi: format!(
                    "Phiên bản giao thức không khớp: máy chủ {PROTOCOL} (qcdc {}), máy khách {} (qcdc {}). Hãy dùng cùng một phiên bản qcdc.",
                    env!("CARGO_PKG_VERSION"),
                    hello.protocol,
                    hello.version
                ),
                en: format!(
                    "Protocol mismatch: server {PROTOCOL} (qcdc {}), client {} (qcdc {}). Use the same qcdc version on both sides.",
                    env!("CARGO_PKG_VERSION"),
                    hello.protocol,
                    hello.version
                ),
            },
        );
        return;
    }
    let member = hello.member.clone().unwrap_or_else(|| os_user.clone());
    let lang = hello.lang.unwrap_or_default();
    let svc = LocalService::new(shared.store.clone(), Actor::new(member, os_user.clone()))
        .with_lang(lang);
    let login = hello.member.as_ref().map(|m| {
        // Serialised with the writes: a failed PIN is recorded.
        let _g = shared.write_lock.read().unwrap_or_else(|p| p.into_inner());
        svc.login(m, hello.pin.as_deref())
    });
    if let (Some(m), Some(Err(e))) = (&hello.member, login) {
        eprintln!("login refused: member {m:?} from Unix account {os_user}: {e}");
        let _ = write_frame(
            &mut writer,
            &ServerMsg::Refused {
                kind: RefuseKind::Login,
                vi: e.message(Lang::Vi),
                en: e.message(Lang::En),
            },
        );
        return;
    }
    let session = match svc.session() {
        Ok(s) => s,
        Err(_) => return,
    };
    if write_frame(
        &mut writer,
        &ServerMsg::Welcome {
            protocol: PROTOCOL,
            version: env!("CARGO_PKG_VERSION").into(),
            session,
        },
    )
    .is_err()
    {
        return;
    }
    let _ = reader.set_read_timeout(None);
    // One writer thread per connection: answers and notices leave in order. A streamed
    // export writes its chunks itself, frame by frame under the same lock, so that it
    // goes at the pace the client reads.
    let writer = Arc::new(Mutex::new(writer));
    let (tx, rx) = channel::<ServerMsg>();
    let id = shared.next_client.fetch_add(1, Ordering::SeqCst);
    shared
        .clients
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((id, tx.clone()));
    let frames = writer.clone();
    let writer_thread = std::thread::spawn(move || {
        for m in rx {
            let mut w = frames.lock().unwrap_or_else(|p| p.into_inner());
            if write_frame(&mut *w, &m).is_err() {
                break;
            }
        }
        let w = frames.lock().unwrap_or_else(|p| p.into_inner());
        let _ = w.shutdown(std::net::Shutdown::Both);
    });
    // A second hello, garbage, an oversized or a truncated frame ends the loop: this
    // connection is closed; the others carry on.
    let mut login_failures = 0;
    while let Ok(ClientMsg::Request { id: rid, req }) = read_frame::<_, ClientMsg>(&mut reader) {
        let write = req.is_write();
        let login = match &req {
            Req::Login { member, .. } => Some(member.clone()),
            _ => None,
        };
        let before = if write {
            shared.store.last_audit_seq().unwrap_or(0)
        } else {
            0
        };
        let result = if write {
            let _g = shared.write_lock.read().unwrap_or_else(|p| p.into_inner());
            dispatch(&svc, req)
        } else if matches!(req, Req::ExportStream) {
            stream_export(shared, &svc, &writer, rid).and_then(|s| {
                serde_json::to_value(s).map_err(|e| ServiceError::Remote(e.to_string()))
            })
        } else {
            dispatch(&svc, req)
        };
        let ok = result.is_ok();
        let refused_login = match (&login, &result) {
            (Some(m), Err(e)) => {
                eprintln!("login refused: member {m:?} from Unix account {os_user}: {e}");
                true
            }
            _ => false,
        };
        let _ = tx.send(ServerMsg::Response {
            id: rid,
            result: result.map_err(|e| wire_error(&e)),
        });
        if refused_login {
            login_failures += 1;
            if login_failures >= MAX_LOGIN_FAILURES_PER_CONNECTION {
                eprintln!("closed a connection from {os_user}: {login_failures} failed logins");
                break;
            }
        }
        if write && ok {
            // Tell everyone else what changed: the audit records written since (other
            // clients' writes may interleave; their own handlers announce those too,
            // and a notice only asks clients to refresh).
            if let Ok(recs) = shared.store.audit_since(before, 64) {
                for r in recs
                    .iter()
                    .filter(|r| r.actor.os_user == os_user && !r.action.starts_with("login"))
                {
                    broadcast(shared, id, notice_from(r));
                }
            }
        }
    }
    shared
        .clients
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(cid, _)| *cid != id);
    drop(tx);
    let _ = writer_thread.join();
}
