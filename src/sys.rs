//! What the operating system says about users: who this process runs as, and who is on
//! the other end of a Unix socket (from the kernel, never from the client).
//!
//! Unix only: the socket server and its client are Unix-only (Windows has no
//! `SO_PEERCRED`); on Windows the account comes from [`current_user_name`]'s fallback.

#[cfg(unix)]
use std::os::unix::io::AsRawFd;
#[cfg(unix)]
use std::os::unix::net::UnixStream;

/// The login name of the account this process runs as: from the system on Unix
/// (`getuid`, never `USER`, which anyone can set), from `USERNAME` on Windows (the
/// account a shared office PC's window runs under). Empty when the system has none.
pub fn current_user_name() -> String {
    #[cfg(unix)]
    {
        let name = user_name(my_uid());
        if name.starts_with("uid:") {
            return String::new();
        }
        name
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_default()
    }
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_peer_of_a_socket_pair_is_us() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), my_uid());
        assert!(!user_name(my_uid()).is_empty());
        assert_eq!(user_name(4_000_000_000), "uid:4000000000");
    }
}
