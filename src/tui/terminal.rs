//! The terminal: set-up and teardown (a guard and a panic hook, so raw mode never
//! outlives the program), suspending on Ctrl+Z, the event loop, and the frame writer
//! that sends each frame in one write.

use super::app::{App, Cmd};
use super::runner::Runner;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{self, event, execute, queue, terminal};
use std::io::Write;

/// Counts what reaches the terminal: bytes and write calls.
#[derive(Default)]
struct Counter {
    bytes: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
}

struct CountingStdout {
    out: std::io::Stdout,
    counter: std::sync::Arc<Counter>,
}

impl CountingStdout {
    fn new(counter: std::sync::Arc<Counter>) -> Self {
        CountingStdout {
            out: std::io::stdout(),
            counter,
        }
    }
}

/// The terminal's writer: everything a frame draws is kept until [`FrameWriter::commit`],
/// then leaves in one write (ratatui flushes after the cells and again for the cursor;
/// over a slow SSH link every write is a packet).
#[derive(Clone)]
struct FrameWriter {
    shared: std::rc::Rc<std::cell::RefCell<(Vec<u8>, CountingStdout)>>,
}

impl FrameWriter {
    fn commit(&self) -> std::io::Result<()> {
        let mut s = self.shared.borrow_mut();
        let (buf, out) = &mut *s;
        if !buf.is_empty() {
            out.write_all(&classic_colours(buf))?;
            buf.clear();
        }
        out.flush()
    }

    /// Forget what was drawn but not sent.
    fn discard(&self) {
        self.shared.borrow_mut().0.clear();
    }
}

/// crossterm writes the 16 palette colours in the 256-colour form (`38;5;1`): rewrite
/// them as the classic codes (`31`, `91`, `41`, `101`), which every console knows
/// (old Windows consoles, PuTTY) and which are shorter over a slow link.
fn classic_colours(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !b.windows(4).any(|w| w == b"8;5;") {
        return std::borrow::Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'[') {
            let start = i + 2;
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_digit() || b[end] == b';') {
                end += 1;
            }
            if b.get(end) == Some(&b'm') {
                let params: Vec<&[u8]> = b[start..end].split(|c| *c == b';').collect();
                let mut rewritten: Vec<String> = Vec::with_capacity(params.len());
                let mut k = 0;
                while k < params.len() {
                    let n = |j: usize| -> Option<u8> {
                        std::str::from_utf8(params.get(j)?).ok()?.parse().ok()
                    };
                    match (n(k), n(k + 1), n(k + 2)) {
                        (Some(base @ (38 | 48)), Some(5), Some(c)) if c < 16 => {
                            let fg = base == 38;
                            rewritten.push(match (fg, c < 8) {
                                (true, true) => format!("{}", 30 + c),
                                (true, false) => format!("{}", 90 + c - 8),
                                (false, true) => format!("{}", 40 + c),
                                (false, false) => format!("{}", 100 + c - 8),
                            });
                            k += 3;
                        }
                        _ => {
                            rewritten.push(String::from_utf8_lossy(params[k]).into_owned());
                            k += 1;
                        }
                    }
                }
                out.extend_from_slice(b"\x1b[");
                out.extend_from_slice(rewritten.join(";").as_bytes());
                out.push(b'm');
                i = end + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

impl Write for FrameWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.shared.borrow_mut().0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Write for CountingStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.out.write(buf)?;
        self.counter.bytes.fetch_add(n as u64, Relaxed);
        self.counter.writes.fetch_add(1, Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Per-frame figures for the benchmarks, written only when `QCDC_FRAME_STATS` is set.
struct FrameStats {
    file: Option<std::fs::File>,
    counter: std::sync::Arc<Counter>,
    frames: u64,
}

impl FrameStats {
    fn from_env() -> FrameStats {
        let file = std::env::var_os("QCDC_FRAME_STATS").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
        FrameStats {
            file,
            counter: Default::default(),
            frames: 0,
        }
    }

    fn counter(&self) -> std::sync::Arc<Counter> {
        self.counter.clone()
    }

    /// After a frame: its bytes, writes, draw time and time since the process started.
    fn frame(&mut self, started: std::time::Instant, event: Option<std::time::Instant>) {
        use std::sync::atomic::Ordering::Relaxed;
        let bytes = self.counter.bytes.swap(0, Relaxed);
        let writes = self.counter.writes.swap(0, Relaxed);
        self.frames += 1;
        if let Some(f) = &mut self.file {
            let since_start = process_uptime_ms();
            let since_main = crate::app::STARTED
                .get()
                .map(|t| t.elapsed().as_micros())
                .unwrap_or(0);
            let _ = writeln!(
                f,
                "frame={} bytes={bytes} writes={writes} draw_us={} key_to_frame_us={} since_main_us={since_main} uptime_ms={since_start}",
                self.frames,
                started.elapsed().as_micros(),
                event.map(|e| e.elapsed().as_micros()).unwrap_or(0)
            );
        }
    }
}

/// Milliseconds since this process started (Linux: from /proc; elsewhere 0).
fn process_uptime_ms() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        // Field 22 (starttime, clock ticks since boot) is index 19 after the ")".
        let start_ticks: f64 = fields.get(19).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
            .unwrap_or(0.0);
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        if hz > 0.0 {
            return ((uptime - start_ticks / hz) * 1000.0).max(0.0) as u64;
        }
    }
    0
}

/// Button presses and the wheel only (no motion events: they flood slow SSH links).
#[cfg(unix)]
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
#[cfg(unix)]
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";

fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    #[cfg(unix)]
    let _ = out.write_all(MOUSE_OFF.as_bytes());
    #[cfg(not(unix))]
    let _ = execute!(out, event::DisableMouseCapture);
    let _ = execute!(
        out,
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped: on every exit path, errors included.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Raw mode, the alternate screen, bracketed paste and (if wanted) the mouse.
fn enter_terminal(mouse: bool) -> std::io::Result<()> {
    terminal::enable_raw_mode()?;
    let mut out = std::io::stdout();
    execute!(
        out,
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste
    )?;
    if mouse {
        #[cfg(unix)]
        out.write_all(MOUSE_ON.as_bytes())?;
        #[cfg(not(unix))]
        execute!(out, event::EnableMouseCapture)?;
    }
    out.flush()
}

/// Ctrl+Z: give the terminal back to the shell and stop, as every terminal program
/// does; `fg` continues here, and the whole screen is drawn again.
#[cfg(unix)]
fn suspend(mouse: bool) -> std::io::Result<()> {
    restore_terminal();
    // SAFETY: raise has no preconditions; SIGTSTP's default action stops this process
    // until SIGCONT (the shell's `fg`), and execution continues after the call.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter_terminal(mouse)
}

pub fn run_terminal(app: &mut App, runner: &mut Runner) -> std::io::Result<()> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Every edit is flushed when it is saved; restore the terminal before the
        // message so it is readable.
        restore_terminal();
        prev(info);
    }));
    let _guard = TerminalGuard;
    enter_terminal(app.opts.mouse)?;
    // One buffered writer: each frame leaves in a single write. `QCDC_FRAME_STATS=FILE`
    // records, per frame, the bytes written, the number of writes and the time spent
    // (for the benchmarks).
    let mut stats = FrameStats::from_env();
    let frame = FrameWriter {
        shared: std::rc::Rc::new(std::cell::RefCell::new((
            Vec::with_capacity(64 * 1024),
            CountingStdout::new(stats.counter()),
        ))),
    };
    let backend = CrosstermBackend::new(frame.clone());
    let mut terminal = Terminal::new(backend)?;
    let first_frame =
        |terminal: &mut Terminal<CrosstermBackend<FrameWriter>>| -> std::io::Result<()> {
            // Clear and forget what was drawn. Not `Terminal::clear`: it asks the
            // terminal for the cursor position, and after a resume from Ctrl+Z the input
            // thread is already reading where the answer comes (the query times out).
            let size = terminal.size()?;
            terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
            // Draw every cell of the first frame, spaces included: a blank screen would
            // otherwise be filled by jumping the cursor over each run of spaces (a move
            // costs more bytes than the spaces it skips). A frame of a character nothing
            // else draws (a private-use one) is drawn and thrown away first, so that every
            // real cell differs.
            terminal.draw(|f| {
                let area = f.area();
                let buf = f.buffer_mut();
                for y in area.top()..area.bottom() {
                    for x in area.left()..area.right() {
                        if let Some(c) = buf.cell_mut((x, y)) {
                            c.set_char('\u{e000}');
                        }
                    }
                }
            })?;
            frame.discard();
            queue!(
                terminal.backend_mut(),
                terminal::Clear(terminal::ClearType::All),
                crossterm::cursor::MoveTo(0, 0),
                // ratatui hid the cursor during the thrown-away frame and will not again.
                crossterm::cursor::Hide
            )
        };
    first_frame(&mut terminal)?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    // One channel feeds the loop: terminal events from an input thread, and changes
    // pushed by the ward server. The loop sleeps until one of them arrives.
    enum Msg {
        Term(event::Event),
        Notice(crate::service::Notice),
        InputGone(std::io::Error),
    }
    let (tx, rx) = std::sync::mpsc::channel::<Msg>();
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                match event::read() {
                    Ok(ev) => {
                        if tx.send(Msg::Term(ev)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Msg::InputGone(e));
                        break;
                    }
                }
            }
        });
    }
    if let Some(notices) = runner.svc.as_ref().and_then(|s| s.subscribe()) {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for n in notices {
                if tx.send(Msg::Notice(n)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut dirty = true;
    let mut event_at: Option<std::time::Instant> = None;
    loop {
        if dirty {
            let t = std::time::Instant::now();
            terminal.draw(|f| f.render_widget(&*app, f.area()))?;
            frame.commit()?;
            stats.frame(t, event_at.take());
            dirty = false;
        }
        let ev = match rx.recv() {
            Ok(Msg::Term(ev)) => {
                event_at = Some(std::time::Instant::now());
                ev
            }
            Ok(Msg::Notice(n)) => {
                // Someone else changed something: show it within the second.
                runner.reload(app);
                let lang = app.lang();
                let what = if n.item.is_empty() {
                    String::new()
                } else {
                    format!("{} · {}", app.group_name(n.group), n.item)
                };
                app.info(format!(
                    "{} {} {what}",
                    n.who,
                    lang.t("vừa cập nhật", "updated")
                ));
                dirty = true;
                continue;
            }
            Ok(Msg::InputGone(e)) => return Err(e),
            Err(_) => break,
        };
        let changes = match &ev {
            event::Event::Key(k) => k.kind == event::KeyEventKind::Press,
            event::Event::Mouse(m) => {
                app.opts.mouse && !matches!(m.kind, event::MouseEventKind::Moved)
            }
            event::Event::Resize(..) | event::Event::Paste(_) => true,
            _ => false,
        };
        match app.handle_event(&ev) {
            Some(Cmd::Suspend) => {
                // Drafts first: a stopped job can be killed.
                runner.persist_drafts(app);
                #[cfg(unix)]
                {
                    suspend(app.opts.mouse)?;
                    first_frame(&mut terminal)?;
                    let size = terminal.size()?;
                    app.size = (size.width, size.height);
                }
                #[cfg(not(unix))]
                app.info(app.t(
                    "Ctrl+Z (tạm dừng) không có trên Windows; dùng q để thoát.",
                    "Ctrl+Z (suspend) does not exist on Windows; use q to quit.",
                ));
            }
            Some(cmd) => runner.perform(app, cmd),
            None => runner.persist_drafts(app),
        }
        if app.quit {
            break;
        }
        dirty |= changes;
    }
    drop(terminal);
    Ok(())
}

#[cfg(test)]
mod frame_tests {
    #[test]
    fn palette_colours_are_written_in_the_classic_form() {
        let b = b"\x1b[1;1H\x1b[38;5;0;48;5;6m qcdc \x1b[38;5;9;49mx\x1b[38;5;200mY\x1b[0m";
        let out = super::classic_colours(b);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\x1b[1;1H\x1b[30;46m qcdc \x1b[91;49mx\x1b[38;5;200mY\x1b[0m"
        );
        let plain = b"\x1b[2;3Hno colour";
        assert!(matches!(
            super::classic_colours(plain),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
