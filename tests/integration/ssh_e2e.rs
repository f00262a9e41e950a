//! End to end as on the real ward server: two Unix users, each running the TUI in tmux
//! over `ssh` to an OpenSSH server on 127.0.0.1, both editing the same group through
//! `qcdc serve`; each sees the other's change.
//!
//! Needs root (to create the users and run sshd), OpenSSH's server and tmux. `.ci/run`
//! installs them; elsewhere the test says what is missing and returns.

use crate::common::{TODAY, demo_ward};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const GROUP: &str = "qcdcward";
const USERS: [&str; 2] = ["qcdc-e2e-a", "qcdc-e2e-b"];

fn sh(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn missing() -> Option<String> {
    // SAFETY: getuid has no preconditions.
    if unsafe { getuid() } != 0 {
        return Some("not running as root".into());
    }
    for p in [
        "/usr/sbin/sshd",
        "/usr/bin/ssh",
        "/usr/bin/ssh-keygen",
        "/usr/sbin/useradd",
    ] {
        if !Path::new(p).exists() {
            return Some(format!("{p} is missing"));
        }
    }
    if !sh("tmux", &["-V"]) {
        return Some("tmux is missing".into());
    }
    None
}

unsafe extern "C" {
    fn getuid() -> u32;
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct TmuxSession {
    socket: String,
}

impl TmuxSession {
    fn start(name: &str, cmd: &str) -> TmuxSession {
        let socket = format!("qcdc-ssh-{}-{name}", std::process::id());
        assert!(sh(
            "tmux",
            &[
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "s",
                "-x",
                "100",
                "-y",
                "30",
                cmd
            ]
        ));
        TmuxSession { socket }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(sh("tmux", &["-L", &self.socket, "send-keys", "-t", "s", k]));
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "s"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "waited {secs} s for {what:?}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TmuxSession {
    fn drop(&mut self) {
        let _ = sh("tmux", &["-L", &self.socket, "kill-server"]);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

#[test]
fn two_users_over_ssh_see_each_others_changes() {
    if let Some(why) = missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the SSH end-to-end test: {why}"
        );
        eprintln!("note: the SSH end-to-end test did not run: {why}");
        return;
    }
    let w = demo_ward();
    // A world-traversable place for what the users need: the binary and the socket.
    let base = tempfile::Builder::new()
        .prefix("qcdc-ssh-")
        .tempdir()
        .expect("tempdir");
    let base_path = base.path().to_path_buf();
    let chmod = |p: &Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    chmod(&base_path, 0o755);
    let bin = base_path.join("qcdc");
    std::fs::copy(env!("CARGO_BIN_EXE_qcdc"), &bin).expect("copy binary");
    chmod(&bin, 0o755);

    // The ward group and two users in it (kept between runs; they own nothing else).
    let _ = sh("groupadd", &["-f", GROUP]);
    for u in USERS {
        if !sh("id", &[u]) {
            assert!(
                sh("useradd", &["-m", "-G", GROUP, "-s", "/bin/sh", u]),
                "useradd {u}"
            );
        }
        let _ = sh("usermod", &["-a", "-G", GROUP, u]);
        // A new account's password is locked ("!"), and sshd refuses locked accounts
        // even for key logins; "*" means "no password" without the lock.
        let _ = sh("usermod", &["-p", "*", u]);
    }
    // Socket folder: group-shared, as the deployment guide sets it up.
    let run_dir = base_path.join("run");
    std::fs::create_dir(&run_dir).expect("run dir");
    assert!(sh("chgrp", &[GROUP, run_dir.to_str().expect("utf-8")]));
    chmod(&run_dir, 0o2770);
    let socket = run_dir.join("ward.sock");
    let _server = Kill(
        Command::new(env!("CARGO_BIN_EXE_qcdc"))
            .args(["serve", "--db"])
            .arg(&w.db)
            .arg("--socket")
            .arg(&socket)
            .env("QCDC_TODAY", TODAY)
            .stderr(Stdio::null())
            .spawn()
            .expect("qcdc serve"),
    );
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // sshd on loopback with its own host key and config.
    let ssh_dir = base_path.join("ssh");
    std::fs::create_dir(&ssh_dir).expect("ssh dir");
    chmod(&ssh_dir, 0o700);
    let host_key = ssh_dir.join("host_ed25519");
    assert!(sh(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            host_key.to_str().expect("utf-8")
        ]
    ));
    let port = free_port();
    let config = ssh_dir.join("sshd_config");
    write(
        &config,
        &format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile .ssh/authorized_keys\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitUserEnvironment no\n\
             AcceptEnv LANG\n",
            host_key.display(),
            ssh_dir.join("sshd.pid").display()
        ),
    );
    std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
    let _sshd = Kill(
        Command::new("/usr/sbin/sshd")
            .args(["-D", "-f"])
            .arg(&config)
            .arg("-E")
            .arg(ssh_dir.join("sshd.log"))
            .spawn()
            .expect("sshd"),
    );
    let mut keys: Vec<PathBuf> = Vec::new();
    for u in USERS {
        let key = ssh_dir.join(format!("id_{u}"));
        assert!(sh(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                key.to_str().expect("utf-8")
            ]
        ));
        let pubkey = std::fs::read_to_string(key.with_extension("pub")).expect("pubkey");
        let home = PathBuf::from(format!("/home/{u}"));
        let dot = home.join(".ssh");
        std::fs::create_dir_all(&dot).expect(".ssh");
        write(&dot.join("authorized_keys"), &pubkey);
        assert!(sh(
            "chown",
            &["-R", &format!("{u}:{u}"), dot.to_str().expect("utf-8")]
        ));
        chmod(&dot, 0o700);
        keys.push(key);
    }
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "sshd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let session = |i: usize| {
        let remote = format!(
            "env TERM=xterm-256color QCDC_TODAY={TODAY} QCDC_SOCKET={} {} --db {}/ward.db",
            socket.display(),
            bin.display(),
            base_path.display()
        );
        let cmd = format!(
            "ssh -tt -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i {} -p {port} {}@127.0.0.1 '{remote}'; echo SSH-EXIT=$?; sleep 30",
            keys[i].display(),
            USERS[i]
        );
        TmuxSession::start(USERS[i], &cmd)
    };
    let a = session(0);
    let b = session(1);
    // Each TUI shows who is working: the Unix account the server saw on the socket.
    a.wait_for(&format!("Người làm: {}", USERS[0]), 30);
    b.wait_for(&format!("Người làm: {}", USERS[1]), 30);
    // Both go to the checklist of the same (first) group.
    a.keys(&["Tab"]);
    b.keys(&["Tab"]);
    // A toggles the first step of the first item; B is told and refreshes.
    a.keys(&["Space"]);
    a.wait_for("Đã lưu", 10);
    let seen = b.wait_for(&format!("{} vừa cập nhật", USERS[0]), 5);
    assert!(seen.contains("Tổ dân phố 1"), "{seen}");
    // And the other way round, on another step.
    b.keys(&["Right", "Right", "Right", "Space"]);
    b.wait_for("Đã lưu", 10);
    a.wait_for(&format!("{} vừa cập nhật", USERS[1]), 5);
    a.keys(&["q"]);
    b.keys(&["q"]);
    // The audit trail names both Unix accounts.
    let log = Command::new(env!("CARGO_BIN_EXE_qcdc"))
        .args(["log", "--limit", "5", "--format", "json", "--db"])
        .arg(&w.db)
        .env("QCDC_SOCKET", &socket)
        .output()
        .expect("log");
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(text.contains(USERS[0]) && text.contains(USERS[1]), "{text}");
}
