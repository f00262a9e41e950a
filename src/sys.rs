//! What the operating system says about users: who this process runs as, and who is on
//! the other end of a Unix socket (from the kernel, never from the client); and the
//! console set-up on Windows ([`Console`]).
//!
//! The socket peer (`peer_uid`, `user_name`, `my_uid`) is Unix-only, as the socket
//! server and its client are (Windows has no `SO_PEERCRED`, and a Windows PC has no
//! ward server: one qcdc window at a time opens the database). [`current_user_name`]
//! asks the system on both.

#[cfg(unix)]
use std::os::unix::io::AsRawFd;
#[cfg(unix)]
use std::os::unix::net::UnixStream;

/// The login name of the account this process runs as, from the system: `getuid` on
/// Unix, `GetUserNameW` on Windows (the account a shared office PC's window runs
/// under) — never `USER`/`USERNAME`, which anyone can set (those are read first by
/// [`crate::domain::audit::Actor::os_user_from_env`]; this is the answer when they are
/// unset). Empty when the system has none.
pub fn current_user_name() -> String {
    #[cfg(unix)]
    {
        let name = user_name(my_uid());
        if name.starts_with("uid:") {
            return String::new();
        }
        name
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::WindowsProgramming::GetUserNameW;
        // UNLEN (256) characters and the terminating NUL.
        let mut buf = [0u16; 257];
        let mut len = buf.len() as u32;
        // SAFETY: `buf` is valid for `len` UTF-16 units; GetUserNameW writes at most
        // that many and sets `len` to the count written, NUL included.
        if unsafe { GetUserNameW(buf.as_mut_ptr(), &mut len) } == 0 {
            return String::new();
        }
        let n = (len as usize).saturating_sub(1).min(buf.len());
        String::from_utf16_lossy(&buf[..n])
    }
    #[cfg(not(any(unix, windows)))]
    {
        String::new()
    }
}

/// Fonts of the Windows console that have no Vietnamese letters (ạ, ế, ữ…): the raster
/// font and Lucida Console (the old console's default before Windows 10).
const FONTS_WITHOUT_VIETNAMESE: [&str; 2] = ["Terminal", "Lucida Console"];

/// Can a console with this font show Vietnamese? `truetype`: the font is not a raster
/// font (raster fonts show only the code page's characters). An unknown face (empty:
/// Windows Terminal, Wine) is assumed to.
pub fn font_shows_vietnamese(face: &str, truetype: bool) -> bool {
    if face.is_empty() {
        return true;
    }
    truetype
        && !FONTS_WITHOUT_VIETNAMESE
            .iter()
            .any(|f| face.eq_ignore_ascii_case(f))
}

/// The console, set up for qcdc for as long as this value lives: on Windows its output
/// code page is UTF-8 (65001), so that Vietnamese passes unchanged to programs that
/// read qcdc's output in the console (`qcdc report | more`), and the code page it had
/// is put back when this is dropped (the console outlives qcdc: cmd.exe keeps it).
/// Nothing to do elsewhere: terminals take UTF-8.
pub struct Console {
    #[cfg(windows)]
    previous_cp: Option<u32>,
    /// The console's font, when stdout is a Windows console whose font is known.
    font: Option<(String, bool)>,
}

impl Console {
    pub fn set_up() -> Console {
        #[cfg(windows)]
        {
            use windows_sys::Win32::System::Console::{GetConsoleOutputCP, SetConsoleOutputCP};
            const CP_UTF8: u32 = 65001;
            // SAFETY: no preconditions; without a console both fail and change nothing.
            let previous = unsafe { GetConsoleOutputCP() };
            let previous_cp = (previous != 0
                && previous != CP_UTF8
                && unsafe { SetConsoleOutputCP(CP_UTF8) } != 0)
                .then_some(previous);
            Console {
                previous_cp,
                font: windows_console_font(),
            }
        }
        #[cfg(not(windows))]
        {
            Console { font: None }
        }
    }

    /// Advice to use `--ascii` when the console's font cannot show Vietnamese.
    pub fn ascii_advice(&self, lang: crate::i18n::Lang) -> Option<String> {
        let (face, truetype) = self.font.as_ref()?;
        if font_shows_vietnamese(face, *truetype) {
            return None;
        }
        Some(
            lang.t(
                &format!(
                    "Gợi ý: phông chữ của cửa sổ này ({face}) không hiện được tiếng Việt có dấu. \
                 Chọn phông Consolas (nhấp chuột phải vào thanh tiêu đề → Thuộc tính → Phông chữ), \
                 mở qcdc trong Windows Terminal, hoặc thêm --ascii để hiện chữ không dấu."
                ),
                &format!(
                    "Hint: this window's font ({face}) cannot show Vietnamese letters. \
                 Choose Consolas (right-click the title bar → Properties → Font), \
                 open qcdc in Windows Terminal, or add --ascii for text without diacritics."
                ),
            )
            .to_string(),
        )
    }
}

#[cfg(windows)]
impl Drop for Console {
    fn drop(&mut self) {
        if let Some(cp) = self.previous_cp {
            // SAFETY: no preconditions.
            unsafe { windows_sys::Win32::System::Console::SetConsoleOutputCP(cp) };
        }
    }
}

/// The font of the console stdout writes to: its face name and whether it is TrueType.
/// `None` when stdout is not a console (redirected) or the console does not say.
#[cfg(windows)]
fn windows_console_font() -> Option<(String, bool)> {
    use windows_sys::Win32::System::Console::{
        CONSOLE_FONT_INFOEX, GetConsoleMode, GetCurrentConsoleFontEx, GetStdHandle,
        STD_OUTPUT_HANDLE,
    };
    // TMPF_TRUETYPE in the font's pitch and family.
    const TMPF_TRUETYPE: u32 = 0x04;
    // SAFETY: GetStdHandle has no preconditions; the handle is only passed to console
    // functions, which fail on anything that is not a console.
    let out = unsafe { GetStdHandle(STD_OUTPUT_HANDLE) };
    let mut mode = 0;
    // SAFETY: `mode` is valid for a write.
    if out.is_null() || unsafe { GetConsoleMode(out, &mut mode) } == 0 {
        return None;
    }
    // SAFETY: all-zero is a valid CONSOLE_FONT_INFOEX (integers and arrays).
    let mut info: CONSOLE_FONT_INFOEX = unsafe { std::mem::zeroed() };
    info.cbSize = std::mem::size_of::<CONSOLE_FONT_INFOEX>() as u32;
    // SAFETY: `info` is valid for a write and its cbSize is set.
    if unsafe { GetCurrentConsoleFontEx(out, 0, &mut info) } == 0 {
        return None;
    }
    let len = info.FaceName.iter().position(|&c| c == 0).unwrap_or(32);
    let face = String::from_utf16_lossy(&info.FaceName[..len]);
    Some((face, info.FontFamily & TMPF_TRUETYPE != 0))
}

/// The uid of the peer process.
#[cfg(unix)]
pub fn peer_uid(s: &UnixStream) -> std::io::Result<u32> {
    let fd = s.as_raw_fd();
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: `cred` and `len` are valid for writes and sized for SO_PEERCRED.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&mut cred as *mut libc::ucred).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(cred.uid)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let mut uid: libc::uid_t = 0;
        let mut gid: libc::gid_t = 0;
        // SAFETY: both out-pointers are valid.
        let rc = unsafe { libc::getpeereid(fd, &mut uid, &mut gid) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(uid)
    }
}

/// The login name of a uid, or `uid:N` when the system has none.
#[cfg(unix)]
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the sizes given; getpwuid_r writes the entry
    // into `pwd` with strings inside `buf`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return format!("uid:{uid}");
    }
    // SAFETY: pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_string_lossy().into_owned()
}

/// The uid of this process.
#[cfg(unix)]
pub fn my_uid() -> u32 {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raster_font_and_lucida_console_cannot_show_vietnamese() {
        assert!(!font_shows_vietnamese("Terminal", false));
        assert!(!font_shows_vietnamese("Lucida Console", true));
        assert!(!font_shows_vietnamese("lucida console", true));
        // Any raster font shows only its code page.
        assert!(!font_shows_vietnamese("Fixedsys", false));
        assert!(font_shows_vietnamese("Consolas", true));
        assert!(font_shows_vietnamese("Cascadia Mono", true));
        // Unknown: no advice.
        assert!(font_shows_vietnamese("", false));
    }

    #[test]
    fn the_account_this_process_runs_as_comes_from_the_system() {
        let name = current_user_name();
        assert!(!name.is_empty());
        assert!(!name.contains('\0'), "{name:?}");
        #[cfg(unix)]
        {
            let id = std::process::Command::new("id")
                .arg("-un")
                .output()
                .unwrap();
            assert_eq!(name, String::from_utf8_lossy(&id.stdout).trim());
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_peer_of_a_socket_pair_is_us() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), my_uid());
        assert!(!user_name(my_uid()).is_empty());
        assert_eq!(user_name(4_000_000_000), "uid:4000000000");
    }
}
