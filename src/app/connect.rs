//! Who is working, and opening the service for a database: through the ward server when
//! one answers on its socket, else directly, logged in as the member named with `--as`.

use super::exit::{ExitCode, Failure};
use crate::domain::audit::Actor;
use crate::domain::text;
use crate::domain::ward::MAX_NAME_CHARS;
use crate::i18n::Lang;
use crate::service::local::LocalService;
use crate::service::{Service, ServiceError};
use crate::store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// The default database: `<platform data dir>/<name>` (`ward.db`, `demo.db`): on Linux
/// `$XDG_DATA_HOME/qcdc` (`~/.local/share/qcdc`), on Windows
/// `%LOCALAPPDATA%\qcdc\qcdc\data` — the local, not the roaming, profile: a roaming
/// profile copies its folder between PCs at logon and logoff, and a database copied
/// while another PC has it open is two diverging databases. A PC shared by several
/// Windows accounts sets `QCDC_DB` for all users instead (README, "Windows").
pub fn default_db_path(name: &str) -> PathBuf {
    directories::ProjectDirs::from("vn", "qcdc", "qcdc")
        .map(|d| d.data_local_dir().join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Who is working: the member named with `--as` (shared office PCs), and the OS
/// account — from the system (`getuid` on Unix), never from `USER`, which anyone can set
/// to another member's account. Only where the system names nobody is the environment
/// asked (`USERNAME` on Windows).
pub fn actor(cli_member: Option<&str>) -> Actor {
    let system: String = text::clean(&crate::sys::current_user_name())
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    let os = if system.is_empty() {
        Actor::os_user_from_env()
    } else {
        system
    };
    let member = cli_member
        .map(|m| {
            text::clean(m)
                .chars()
                .take(MAX_NAME_CHARS)
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| os.clone());
    Actor::new(member, os)
}

/// The member named explicitly (different from the OS account), if any.
fn explicit_member(actor: &Actor) -> Option<String> {
    (actor.member != actor.os_user).then(|| actor.member.clone())
}

/// Open the service for a database: through the ward server when one answers on its
/// socket, else directly. A member named with `--as` (different from the OS account)
/// is logged in, with a PIN from `QCDC_PIN` or asked on the terminal when needed.
pub fn open_service(path: &Path, actor: Actor, lang: Lang) -> Result<Box<dyn Service>, Failure> {
    // The ward server is Unix-only (Unix sockets, the caller's account from the
    // kernel): on Windows every window opens the database directly.
    #[cfg(unix)]
    if let Some(remote) = connect_server(path, &actor, lang)? {
        return Ok(remote);
    }
    finish_restore(path, lang)?;
    let opened = Store::open(path);
    say_guard_notices(lang);
    let store = opened.map_err(|e| match e {
        StoreError::Locked { path } => locked_failure(&path, lang),
        other => Failure::from_store(other, lang),
    })?;
    local_service(store, actor, lang)
}

/// What opening a database repaired that the user should know (on stderr): the
/// unfinished snapshots a killed process left (see `store::guard`).
pub fn say_guard_notices(lang: Lang) {
    for n in crate::store::guard::take_notices() {
        eprintln!("{}", text::printable(&guard_notice(&n, lang)));
    }
}

/// A guard notice in the user's language.
pub fn guard_notice(n: &crate::store::guard::Notice, lang: Lang) -> String {
    use crate::store::guard::Notice;
    match n {
        Notice::StaleSnapshots { path, files } => {
            let files = files.join(", ");
            match lang {
                Lang::Vi => format!(
                    "Lưu ý: đã bỏ tệp ảnh chụp dở dang ({files}) do một tiến trình qcdc bị dừng đột ngột để lại trong {}. \
                     Dữ liệu không mất gì: ảnh chụp chỉ tóm tắt nhật ký ghi.",
                    path.display()
                ),
                Lang::En => format!(
                    "Note: removed an unfinished snapshot ({files}) that a qcdc process stopped abruptly left in {}. \
                     No data is lost: a snapshot only summarises the write log.",
                    path.display()
                ),
            }
        }
    }
}

/// Before opening a database: finish or undo a restore that was cut short, and say
/// which (on stderr). Never "no database" while the restored data sits beside it.
pub fn finish_restore(path: &Path, lang: Lang) -> Result<(), Failure> {
    match crate::backup::resume_restore(path) {
        Ok(Some(done)) => {
            eprintln!("{}", done.message(lang));
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => Err(Failure::from_backup(&e, lang)),
    }
}

/// The ward server answering for `path`, if one does. `Ok(None)`: no socket, or a socket
/// file left by a crash with nothing behind it (work directly).
#[cfg(unix)]
fn connect_server(
    path: &Path,
    actor: &Actor,
    lang: Lang,
) -> Result<Option<Box<dyn Service>>, Failure> {
    use crate::client::{ConnectError, RemoteService};
    let socket = socket_for(path);
    if !socket.exists() {
        return Ok(None);
    }
    let explicit = explicit_member(actor);
    let mut pin = std::env::var("QCDC_PIN").ok();
    for attempt in 0..2 {
        match RemoteService::connect(&socket, explicit.as_deref(), pin.as_deref(), lang) {
            Ok(r) => return Ok(Some(Box::new(r))),
            Err(ConnectError::NoServer(_)) => return Ok(None),
            Err(ConnectError::Refused {
                kind: crate::protocol::RefuseKind::Login,
                message,
            }) => {
                if attempt == 0
                    && pin.is_none()
                    && let Some(p) = ask_pin(explicit.as_deref().unwrap_or(""), lang)
                {
                    pin = Some(p);
                    continue;
                }
                return Err(Failure::new(ExitCode::NoPerm, message));
            }
            Err(ConnectError::Refused {
                kind: crate::protocol::RefuseKind::Busy,
                message,
            }) => {
                return Err(Failure::new(ExitCode::Busy, message));
            }
            Err(ConnectError::Refused { message, .. }) => {
                return Err(Failure::new(ExitCode::Other, message));
            }
            Err(ConnectError::Protocol(e)) => {
                return Err(Failure::new(
                    ExitCode::Other,
                    format!(
                        "{} {}: {e}",
                        lang.t(
                            "Máy chủ qcdc trả lời sai giao thức ở",
                            "The qcdc server answered wrongly on"
                        ),
                        socket.display()
                    ),
                ));
            }
        }
    }
    Ok(None)
}

/// The service over a database this process has opened, logged in as `actor`'s
/// member when one is named (PIN from `QCDC_PIN` or asked on the terminal).
pub fn local_service(store: Store, actor: Actor, lang: Lang) -> Result<Box<dyn Service>, Failure> {
    let explicit = explicit_member(&actor);
    let svc = LocalService::new(store, actor).with_lang(lang);
    if let Some(m) = explicit {
        let env_pin = std::env::var("QCDC_PIN").ok();
        let mut result = svc.login(&m, env_pin.as_deref());
        if matches!(result, Err(ServiceError::LoginRefused(_)))
            && env_pin.is_none()
            && let Some(p) = ask_pin(&m, lang)
        {
            result = svc.login(&m, Some(&p));
        }
        result.map_err(|e| Failure::from_service(&e, lang))?;
    }
    Ok(Box::new(svc))
}

/// The socket of a database's server: `QCDC_SOCKET`, or `<db>.sock`. (Unix only, as
/// the server is.)
#[cfg(unix)]
pub fn socket_for(db: &Path) -> PathBuf {
    std::env::var_os("QCDC_SOCKET")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::protocol::default_socket(db))
}

/// The database is held by another process: say so, and (Unix) where no server
/// answers. On Windows there is no server to mention: [`crate::service::store_message`]
/// tells the user to close the other qcdc window.
fn locked_failure(path: &Path, lang: Lang) -> Failure {
    let msg = crate::service::store_message(
        &StoreError::Locked {
            path: path.to_path_buf(),
        },
        lang,
    );
    #[cfg(unix)]
    let msg = {
        let sock = socket_for(path).display().to_string();
        format!(
            "{msg} {}",
            lang.t(
                &format!("(Không có máy chủ qcdc nào trả lời ở {sock}.)"),
                &format!("(No qcdc server answers on {sock}.)"),
            )
        )
    };
    Failure::new(ExitCode::Busy, msg)
}

/// Ask for a member's PIN on the terminal, without echo. `None` without a terminal.
pub fn ask_pin(member: &str, lang: Lang) -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let prompt = format!("{} {member}: ", lang.t("Mã PIN của", "PIN for"));
    rpassword::prompt_password(prompt)
        .ok()
        .map(|p| p.trim().to_string())
}

pub fn is_empty_dir(p: &Path) -> bool {
    std::fs::read_dir(p)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

/// Open the database for the TUI. `Ok(None)`: no ward yet (the first-run screen offers
/// to create one). With `demo`, a missing or empty database becomes the demo ward.
pub fn open_for_tui(
    db: &Path,
    actor: &Actor,
    lang: Lang,
    demo: bool,
) -> Result<Option<Box<dyn Service>>, Failure> {
    if demo && (!db.exists() || is_empty_dir(db)) {
        return super::ward::create_demo(db, actor.clone(), lang)
            .map(|s| Some(Box::new(s) as Box<dyn Service>));
    }
    // Unix only: see open_service.
    #[cfg(unix)]
    if socket_for(db).exists() {
        return open_service(db, actor.clone(), lang).map(Some);
    }
    finish_restore(db, lang)?;
    let opened = Store::open(db);
    say_guard_notices(lang);
    match opened {
        Ok(store) => local_service(store, actor.clone(), lang).map(Some),
        Err(StoreError::NotFound { path }) => {
            if !path.exists() || is_empty_dir(&path) {
                Ok(None)
            } else {
                Err(Failure::from_store(
                    StoreError::NotInitialized { path },
                    lang,
                ))
            }
        }
        // A sled database without a ward (an interrupted create): offer to create one.
        // Anything else in the folder is not ours to touch.
        Err(StoreError::NotInitialized { path }) if path.join("conf").is_file() => Ok(None),
        Err(StoreError::Locked { path }) => Err(locked_failure(&path, lang)),
        Err(e) => Err(Failure::from_store(e, lang)),
    }
}
