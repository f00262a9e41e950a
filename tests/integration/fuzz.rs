//! Fuzzing on stable Rust: proptest targets over every decoder and parser that reads
//! something a user, a file or another process handed over, with a checked-in corpus
//! (`tests/fuzz-corpus/<target>/`) replayed first and used as seeds for mutations.
//!
//! Each target must never panic, never hang (a watchdog aborts with the input after
//! 60 s; each case must finish within 5 s) and never allocate beyond its bound: a
//! counting allocator records the largest single allocation while a target runs — a
//! 4 GiB length prefix must be refused before anything is allocated.
//!
//! `cargo test` runs a short smoke run of every target. For a long run:
//! `PROPTEST_CASES=100000 cargo test --release --test integration fuzz::`. Failing
//! inputs are kept in `tests/fuzz-corpus/proptest-regressions.txt` and replayed by every
//! later run.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::alloc::measured;

// ---------------------------------------------------------------------------------
// Hangs: every case is timed; a watchdog aborts on a real hang, naming the input.

static CURRENT: Mutex<Option<(Instant, String)>> = Mutex::new(None);

fn watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let cur = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((since, what)) = cur.as_ref()
                    && since.elapsed() > Duration::from_secs(60)
                {
                    eprintln!("fuzz: a case ran for 60 s (a hang): {what}");
                    std::process::abort();
                }
            }
        });
    });
}

/// Run one case of a target: timed, watched, allocation-checked.
fn case<T>(target: &str, input: &[u8], max_alloc: usize, f: impl FnOnce() -> T) -> T {
    watchdog();
    let shown = String::from_utf8_lossy(&input[..input.len().min(300)]).into_owned();
    *CURRENT.lock().unwrap_or_else(|p| p.into_inner()) =
        Some((Instant::now(), format!("{target}: {shown:?}")));
    let start = Instant::now();
    let (r, largest) = measured(f);
    *CURRENT.lock().unwrap_or_else(|p| p.into_inner()) = None;
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{target}: {:?} on {} bytes: {shown:?}",
        start.elapsed(),
        input.len()
    );
    assert!(
        largest <= max_alloc,
        "{target}: one allocation of {largest} bytes for {} bytes of input: {shown:?}",
        input.len()
    );
    r
}

// ---------------------------------------------------------------------------------
// Corpus and strategies

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fuzz-corpus")
        .join(target)
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let v: Vec<Vec<u8>> = files
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    assert!(
        !v.is_empty(),
        "no corpus for {target} in tests/fuzz-corpus/{target}"
    );
    v
}

/// Byte-level mutations of a seed: replace, insert, delete, duplicate a slice.
fn mutate(seed: &[u8], ops: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(pos, byte, op) in ops {
        let n = v.len();
        match op % 5 {
            0 if n > 0 => v[pos % n] = byte,
            1 => v.insert(pos % (n + 1), byte),
            2 if n > 0 => {
                v.remove(pos % n);
            }
            3 if n > 1 => {
                let a = pos % n;
                let b = (a + 1 + byte as usize).min(n);
                let chunk = v[a..b].to_vec();
                let at = (pos / 7) % (v.len() + 1);
                v.splice(at..at, chunk);
            }
            4 if n > 0 => {
                // An interesting byte: quotes, separators, high bits, zero.
                let b = [
                    b'"', b',', b';', b'\n', b'\r', 0, 0xff, b'[', b']', b'=', b'{', b'}',
                ][byte as usize % 12];
                v[pos % n] = b;
            }
            _ => {}
        }
    }
    v
}

fn bytes_strategy(seeds: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..512),
        4 => (
            proptest::sample::select(seeds),
            proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..12)
        )
            .prop_map(|(s, ops)| mutate(&s, &ops)),
    ]
    .boxed()
}

/// Text for the text parsers: mutated seeds made UTF-8, line shuffles, any Unicode.
fn text_strategy(seeds: Vec<Vec<u8>>) -> BoxedStrategy<String> {
    let lines = seeds.clone();
    prop_oneof![
        1 => "\\PC{0,300}",
        4 => bytes_strategy(seeds).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        2 => (
            proptest::sample::select(lines),
            proptest::collection::vec((any::<usize>(), any::<usize>(), 0u8..3), 0..8)
        )
            .prop_map(|(s, ops)| {
                let text = String::from_utf8_lossy(&s).into_owned();
                let mut l: Vec<String> = text.lines().map(str::to_string).collect();
                for (a, b, op) in ops {
                    let n = l.len().max(1);
                    match op {
                        0 if !l.is_empty() => {
                            l.remove(a % n);
                        }
                        1 if !l.is_empty() => {
                            let x = l[a % n].clone();
                            l.insert(b % (l.len() + 1), x);
                        }
                        _ if l.len() > 1 => l.swap(a % n, b % n),
                        _ => {}
                    }
                }
                l.join("\n")
            }),
    ]
    .boxed()
}

fn cases(smoke: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(smoke)
}

fn runner(smoke: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(smoke),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz-corpus/proptest-regressions.txt",
        ))),
        ..Config::default()
    })
}

/// Replay the corpus, then run `cases` generated inputs.
fn fuzz_bytes(target: &str, smoke: u32, f: impl Fn(&[u8])) {
    let seeds = corpus(target);
    for s in &seeds {
        f(s);
    }
    let started = Instant::now();
    let mut r = runner(smoke);
    let n = r.config().cases;
    r.run(&bytes_strategy(seeds), |b| {
        f(&b);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{target}: {e}"));
    eprintln!(
        "fuzz {target}: {n} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn fuzz_text(target: &str, smoke: u32, f: impl Fn(&str)) {
    let seeds = corpus(target);
    for s in &seeds {
        f(&String::from_utf8_lossy(s));
    }
    let started = Instant::now();
    let mut r = runner(smoke);
    let n = r.config().cases;
    r.run(&text_strategy(seeds), |s| {
        f(&s);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{target}: {e}"));
    eprintln!(
        "fuzz {target}: {n} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Twice the input and 64 KiB of working room: what a parser may allocate at once.
fn proportional(input: &[u8]) -> usize {
    64 * 1024 + input.len() * 4
}

// ---------------------------------------------------------------------------------
// Targets

#[test]
fn fuzz_wire_frames() {
    use qcdc::protocol::{ClientMsg, ServerMsg, read_frame};
    fuzz_bytes("frame", 2000, |b| {
        // As read from the socket: a length prefix, then the body.
        case("frame", b, proportional(b), || {
            let _ = read_frame::<_, ClientMsg>(&mut &b[..]);
            let _ = read_frame::<_, ServerMsg>(&mut &b[..]);
        });
        // The same bytes as the body of a well-formed frame.
        let mut framed = (b.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(b);
        case("frame body", b, proportional(&framed) * 2, || {
            let _ = read_frame::<_, ClientMsg>(&mut &framed[..]);
            let _ = read_frame::<_, ServerMsg>(&mut &framed[..]);
        });
    });
    // A length prefix of up to 4 GiB with a few bytes behind it: refused or read as far
    // as the bytes go, never allocated up front.
    for len in [u32::MAX, qcdc::protocol::MAX_FRAME, 1 << 24, 1 << 20] {
        let mut b = len.to_be_bytes().to_vec();
        b.extend_from_slice(b"{\"Hello\":");
        case("frame length", &b, 128 * 1024, || {
            assert!(read_frame::<_, ClientMsg>(&mut &b[..]).is_err());
        });
    }
}

#[test]
fn fuzz_record_decoders() {
    use qcdc::domain::period::Period;
    use qcdc::store::records::*;
    // bincode's limit (16 MiB) bounds every record; nothing may go beyond it.
    let limit = 16 * 1024 * 1024 + 64 * 1024;
    fuzz_bytes("record", 3000, |b| {
        case("record", b, limit, || {
            if let Some(w) = decode::<WardV2>(b) {
                let _ = w.into_domain();
            }
            let _ = decode::<BranchV1>(b).map(|x| x.into_domain(1));
            let _ = decode::<GroupV1>(b).map(GroupV2::from);
            let _ = decode::<GroupV2>(b).map(|x| x.into_domain(1));
            if let Some(i) = decode::<ItemV1>(b) {
                let _ = i.into_domain();
            }
            if let Some(e) = decode::<EntryV3>(b) {
                let e = e.into_domain(1, "CK-01".into(), Period::Quarter(2026, 4));
                let _ = qcdc::domain::entry::Entry::diff(&e, &e);
                for f in qcdc::domain::entry::fields(&qcdc::domain::step::Step::ALL) {
                    let _ = e.field_value(&f);
                }
            }
            if let Some(m) = decode::<MemberV1>(b) {
                let _ = m.into_domain();
            }
            let _ = decode::<AuditV1>(b).map(|a| a.into_domain(1));
            // Schema 3: sheets, tallies (owned and read in place), audit chunks.
            let _ = decode_ward(b);
            let _ =
                decode::<EntryV1>(b).map(|e| e.into_domain(1, "CK-01".into(), Period::Year(2026)));
            if let Some(s) = decode_sheet(b) {
                let _ = s.entries(Period::Quarter(2026, 4), 1);
                let _ = TallyV2::of_sheets([(Period::Quarter(2026, 4), &s)]);
            }
            let _ = decode::<TallyV1>(b);
            let _ = decode_tally(b);
            if let Some(t) = decode_borrowed::<TallyRef>(b) {
                for r in &t.rows {
                    let _ = r.facts();
                }
            }
            // Schema 5: entries with deadlines recorded done, tallies with their dates.
            if let Some(t) = decode_borrowed::<TallyRefV2>(b) {
                for r in &t.rows {
                    let _ = r.facts();
                }
            }
            if let Some(c) = decode::<AuditChunkV1>(b) {
                let _: Vec<_> = c
                    .records
                    .into_iter()
                    .map(|(s, a)| a.into_domain(s))
                    .collect();
            }
        });
    });
    // A length of 2^60 for a string or a list: refused by the limit, not allocated.
    for n in [u64::MAX, 1 << 60, 1 << 32, 17 * 1024 * 1024] {
        // 0xFD: bincode's marker for a u64 length.
        let mut b = vec![0xFDu8];
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(b"abc");
        case("record length", &b, limit, || {
            assert!(decode::<BranchV1>(&b).is_none());
            assert!(decode::<AuditV1>(&b).is_none());
            assert!(decode::<SheetV2>(&b).is_none());
            assert!(decode::<SheetV3>(&b).is_none());
            assert!(decode_borrowed::<TallyRef>(&b).is_none());
            assert!(decode_borrowed::<TallyRefV2>(&b).is_none());
        });
    }
}

#[test]
fn fuzz_template_and_ward_files() {
    let template = qcdc::data::default_template();
    fuzz_text("template", 300, |s| {
        case(
            "template",
            s.as_bytes(),
            proportional(s.as_bytes()) * 4,
            || match qcdc::data::parse_template("t.toml", s) {
                Ok(t) => {
                    for i in &t.items {
                        assert!(!i.code.is_empty() && !i.title.is_empty());
                        assert!(qcdc::domain::text::clean(&i.title) == i.title);
                    }
                }
                Err(e) => {
                    assert!(e.line >= 1);
                    let _ = e.message_vi();
                }
            },
        );
    });
    fuzz_text("ward", 300, |s| {
        case(
            "ward",
            s.as_bytes(),
            proportional(s.as_bytes()) * 4,
            || match qcdc::data::parse_ward("w.toml", s, &template) {
                Ok(w) => {
                    for b in &w.branches {
                        for g in &b.groups {
                            assert!(
                                (1..=qcdc::domain::ward::MAX_HOUSEHOLDS).contains(&g.households)
                            );
                            assert!(!g.name.chars().any(char::is_control));
                        }
                    }
                }
                Err(e) => {
                    assert!(e.line >= 1);
                    let _ = e.message_vi();
                }
            },
        );
    });
}

#[test]
fn fuzz_config_file() {
    use qcdc::tui::config::Config;
    fuzz_text("config", 1500, |s| {
        case(
            "config",
            s.as_bytes(),
            proportional(s.as_bytes()) * 4,
            || {
                if let Ok(c) = Config::parse("c.toml", s) {
                    let _ = c
                        .keymap("c.toml")
                        .map_err(|e| e.message(qcdc::i18n::Lang::Vi));
                    let _ = qcdc::tui::theme::Theme::color().with_config(&c.theme);
                }
            },
        );
    });
}

#[test]
fn fuzz_csv_roster() {
    use qcdc::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS};
    fuzz_bytes("csv", 2000, |b| {
        case("csv", b, proportional(b) * 4, || {
            match qcdc::import::parse_groups_csv("r.csv", b) {
                Ok(w) => {
                    for br in &w.branches {
                        for g in &br.groups {
                            assert!((1..=MAX_HOUSEHOLDS).contains(&g.households));
                            assert!(g.name.chars().count() <= MAX_NAME_CHARS);
                            assert!(!g.name.chars().any(char::is_control), "{:?}", g.name);
                        }
                    }
                }
                Err(e) => {
                    let _ = e.message_vi();
                }
            }
            let _ = qcdc::import::parse_roster("r.csv", b);
        });
    });
}

#[test]
fn fuzz_workbook_roster() {
    // Workbooks are zip archives: a mutated one must be refused, never crash.
    fuzz_bytes("xlsx", 150, |b| {
        // calamine inflates the archive: allow it room, but not without bound.
        case("xlsx", b, 64 * 1024 * 1024, || {
            let _ = qcdc::import::parse_roster_workbook("r.xlsx", b);
        });
    });
}

#[test]
fn fuzz_export_documents() {
    // A whole database as JSON (restore, import, and other wards' files for the
    // district roll-up).
    fuzz_bytes("export-json", 300, |b| {
        case("export-json", b, proportional(b) * 8, || {
            if let Ok(d) = qcdc::transfer::ExportDoc::from_json(b) {
                let _ = qcdc::transfer::validate(&d);
            }
            // The checksum is no seal (anyone can recompute it): what passes the shape
            // must pass validation without harm too.
            if let Ok(d) = serde_json::from_slice::<qcdc::transfer::ExportDoc>(b) {
                let _ = qcdc::transfer::validate(&d);
            }
            let today = qcdc::domain::date::Date::from_ymd_opt(2026, 11, 22).unwrap();
            let _ = qcdc::rollup::figures_of_bytes(b, None, today);
        });
    });
}

#[test]
fn fuzz_periods_dates_and_codes() {
    use qcdc::domain::period::Period;
    fuzz_text("period", 5000, |s| {
        case("period", s.as_bytes(), proportional(s.as_bytes()), || {
            if let Ok(p) = s.parse::<Period>() {
                assert_eq!(p.to_string().parse::<Period>(), Ok(p), "{s:?}");
                let _ = (p.start(), p.end(), p.label_vi(), p.previous(), p.next());
                for g in [
                    qcdc::domain::Granularity::Quarter,
                    qcdc::domain::Granularity::Half,
                    qcdc::domain::Granularity::Year,
                ] {
                    let _ = p.slots(g);
                }
                assert_eq!(Period::from_key(p.to_key()), Some(p));
            }
            if let Ok(d) = qcdc::domain::date::parse(s) {
                assert!(qcdc::domain::date::in_range(d), "{s:?} gave {d}");
                let again = qcdc::domain::date::parse(&qcdc::domain::date::format_vi(d));
                assert_eq!(again, Ok(d));
            }
            let _ = s.parse::<qcdc::domain::entry::StepStatus>();
            let _ = s.parse::<qcdc::domain::step::Step>();
            let _ = qcdc::domain::vote::VoteForm::from_code(s);
            let _ = qcdc::domain::member::Role::from_code(s);
        });
    });
    // Every 4-byte period key.
    let mut r = runner(2000);
    r.run(&any::<[u8; 4]>(), |k| {
        if let Some(p) = Period::from_key(k) {
            prop_assert_eq!(p.to_key(), k);
            let _ = (p.start(), p.end());
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("period keys: {e}"));
}

#[test]
fn fuzz_text_cleaning() {
    use qcdc::domain::text;
    fuzz_text("text", 5000, |s| {
        case("text", s.as_bytes(), proportional(s.as_bytes()) * 8, || {
            let c = text::clean(s);
            assert!(
                !c.chars().any(char::is_control),
                "clean left a control: {c:?}"
            );
            let p = text::printable(s);
            let chars: Vec<char> = p.chars().collect();
            for (i, ch) in chars.iter().enumerate() {
                let ok =
                    *ch == '\n' || *ch == '\t' || (*ch == '\r' && chars.get(i + 1) == Some(&'\n'));
                assert!(!ch.is_control() || ok, "printable left {ch:?} in {p:?}");
            }
            assert!(text::to_ascii(&c).is_ascii());
            let n = text::neutralise_formula(&c);
            assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']));
            let _ = text::matches(s, &c);
        });
    });
}

#[test]
fn fuzz_entry_dates_and_deadlines() {
    // Dates anywhere chrono knows (a record from an old or foreign writer, or a damaged
    // one): warnings, deadlines and the text forms must not panic.
    use qcdc::domain::entry::Entry;
    use qcdc::domain::period::Period;
    let template = qcdc::data::default_template();
    let today = qcdc::domain::date::parse("2026-11-22").expect("today");
    let mut r = runner(5000);
    let days =
        chrono::NaiveDate::MIN.num_days_from_ce()..=chrono::NaiveDate::MAX.num_days_from_ce();
    use chrono::Datelike;
    r.run(
        &(
            0..template.items.len(),
            proptest::option::of(days.clone()),
            proptest::option::of(days.clone()),
            proptest::option::of(days),
            0u16..=3000,
        ),
        |(i, a, b, c, y)| {
            let item = &template.items[i];
            let year = 2000 + y % 1000;
            let period = Period::Quarter(year, 1 + (y % 4) as u8);
            let mut e = Entry::new(1, &item.code, period);
            let d = |x: Option<i32>| x.and_then(chrono::NaiveDate::from_num_days_from_ce_opt);
            e.evidence.posted_from = d(a);
            e.evidence.posted_to = d(b);
            e.evidence.meeting_date = d(c);
            let _ = e.deadlines(item);
            let _ = e.warnings(item, qcdc::domain::StepSet::Six, today);
            let _ = e.is_overdue(item, qcdc::domain::StepSet::Four, today);
            for w in e.warnings(item, qcdc::domain::StepSet::Four, today) {
                let _ = w.message(true);
            }
            for f in qcdc::domain::entry::fields(&qcdc::domain::step::Step::ALL) {
                let v = e.field_value(&f);
                let mut back = Entry::new(1, &item.code, period);
                // Values users can type parse back; others are refused, not mangled.
                let _ = back.set_field(&f, &v);
            }
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("entry dates: {e}"));
}

#[test]
fn fuzz_tui_events() {
    // Random keys, clicks, wheel, pastes and resizes into the TUI on the demo ward, each
    // command carried out against a real database, every frame drawn at the size of
    // the moment (down to 0×0).
    use qcdc::domain::audit::Actor;
    use qcdc::domain::period::Period;
    use qcdc::i18n::Lang;
    use qcdc::tui::app::{App, Options};
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::{
        Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton,
        MouseEvent, MouseEventKind,
    };
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget;

    // The demo ward is made once; every case starts from a fresh copy of it, so a
    // failure shrinks to the events that cause it.
    let template = tempfile::tempdir().expect("tempdir");
    let template_db = template.path().join("demo.db");
    drop(
        qcdc::app::ward::create_demo(&template_db, Actor::new("fuzz", "fuzz"), Lang::Vi)
            .unwrap_or_else(|f| panic!("{}", f.message)),
    );
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir") {
            let e = e.expect("entry");
            let t = to.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                copy_dir(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), t).expect("copy");
            }
        }
    }
    let fresh = || {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("demo.db");
        copy_dir(&template_db, &db);
        let actor = Actor::new("fuzz", "fuzz");
        let store = qcdc::store::Store::reopen(&db).expect("open the copy");
        let svc = qcdc::service::local::LocalService::new(store, actor.clone())
            .with_today(qcdc::domain::date::parse("2026-11-22").expect("today"));
        let launch = qcdc::tui::Launch {
            db: db.clone(),
            actor,
            lang: Lang::Vi,
            ascii: false,
            branch: None,
            period: None,
            demo: true,
        };
        let mut app = App::new(
            Options {
                lang: Lang::Vi,
                glyphs: qcdc::tui::glyphs::Glyphs::UNICODE,
                mouse: true,
                db_label: "demo.db".into(),
            },
            qcdc::tui::keymap::Keymap::default(),
            qcdc::tui::theme::Theme::color(),
            "fuzz".into(),
            Period::Quarter(2026, 4),
        );
        let runner = qcdc::tui::prepare(
            &launch,
            &mut app,
            Some(Box::new(svc)),
            Some(dir.path().join("state")),
        )
        .unwrap_or_else(|f| panic!("{}", f.message));
        (app, runner, dir)
    };
    let key = |code: KeyCode, m: u8| {
        Event::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::from_bits_truncate(m & 0b111),
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    };
    let event = prop_oneof![
        6 => (any::<char>(), any::<u8>()).prop_map(move |(c, m)| key(KeyCode::Char(c), m)),
        6 => (0usize..16, any::<u8>()).prop_map(move |(i, m)| {
            let codes = [
                KeyCode::Up, KeyCode::Down, KeyCode::Left, KeyCode::Right, KeyCode::Enter,
                KeyCode::Esc, KeyCode::Tab, KeyCode::BackTab, KeyCode::Backspace,
                KeyCode::Delete, KeyCode::Home, KeyCode::End, KeyCode::PageUp,
                KeyCode::PageDown, KeyCode::F(1), KeyCode::Char(' '),
            ];
            key(codes[i], m)
        }),
        2 => (0u16..300, 0u16..100, 0u8..5).prop_map(|(x, y, k)| {
            let kind = match k {
                0 => MouseEventKind::Down(MouseButton::Left),
                1 => MouseEventKind::Up(MouseButton::Left),
                2 => MouseEventKind::ScrollDown,
                3 => MouseEventKind::ScrollUp,
                _ => MouseEventKind::Down(MouseButton::Right),
            };
            Event::Mouse(MouseEvent { kind, column: x, row: y, modifiers: KeyModifiers::NONE })
        }),
        1 => "\\PC{0,80}|\u{1b}\\[2J.{0,10}".prop_map(Event::Paste),
        1 => (0u16..250, 0u16..80).prop_map(|(w, h)| Event::Resize(w, h)),
    ];
    let mut r = runner_for_app();
    let started = Instant::now();
    let n = r.config().cases;
    r.run(&proptest::collection::vec(event, 1..40), |events| {
        let (mut app, mut runner, _dir) = fresh();
        let (app, runner) = (&mut app, &mut runner);
        for ev in &events {
            if let Event::Resize(w, h) = ev {
                app.size = (*w, *h);
            }
            if let Some(cmd) = app.handle_event(ev) {
                runner.perform(app, cmd);
            }
            app.quit = false;
            let (w, h) = app.size;
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            (&*app).render(area, &mut buf);
            for cell in buf.content() {
                assert!(
                    !cell.symbol().chars().any(char::is_control),
                    "a control character in a cell"
                );
            }
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("tui events: {e}"));
    eprintln!(
        "fuzz tui events: {n} sequences in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn runner_for_app() -> TestRunner {
    // Each case is a sequence of up to 40 events, drawn after each: fewer cases.
    runner(100)
}

// ---------------------------------------------------------------------------------
// The seeds, written once and checked in (`cargo test --test integration
// write_fuzz_seeds -- --ignored` rewrites them after a format change).

#[test]
#[ignore]
fn write_fuzz_seeds() {
    use qcdc::protocol::*;
    use qcdc::store::records::*;
    let put = |target: &str, name: &str, bytes: &[u8]| {
        let d = corpus_dir(target);
        std::fs::create_dir_all(&d).expect("corpus dir");
        std::fs::write(d.join(name), bytes).expect("seed");
    };
    fn frame<T: serde::Serialize>(m: &T) -> Vec<u8> {
        let mut v = Vec::new();
        write_frame(&mut v, m).expect("frame");
        v
    }
    let hello = ClientMsg::Hello(Hello {
        magic: MAGIC.into(),
        protocol: PROTOCOL,
        version: "0.1.0".into(),
        member: Some("Nguyễn Thị Lan".into()),
        pin: Some("2468".into()),
        lang: None,
    });
    put("frame", "hello", &frame(&hello));
    let period = qcdc::domain::period::Period::Quarter(2026, 4);
    let reqs = vec![
        Req::Ping,
        Req::Groups,
        Req::Report {
            period,
            options: qcdc::service::engine::ReportOptions::default(),
        },
        Req::Checklist { group: 1, period },
        Req::Mark(qcdc::service::MarkRequest {
            group: 1,
            item: "CK-02".into(),
            period,
            step: qcdc::domain::step::Step::Biet,
            status: qcdc::domain::entry::StepStatus::Done,
            note: Some("đã niêm yết".into()),
            base_version: Some(3),
        }),
        Req::Vote(qcdc::service::VoteRequest {
            group: 1,
            item: "BQ-01".into(),
            period,
            count: qcdc::domain::vote::VoteCount {
                total: 300,
                present: 250,
                agree: 205,
                form: qcdc::domain::vote::VoteForm::Meeting,
            },
            date: qcdc::domain::date::parse("2026-11-15").ok(),
            base_version: None,
            planned: false,
        }),
        Req::AddBranch("Chi bộ 1".into()),
        Req::History(qcdc::service::HistoryQuery {
            group: Some(1),
            item: Some("CK-02".into()),
            period: Some(period),
            limit: 20,
        }),
        Req::Load {
            data: qcdc::data::demo_ward(&qcdc::data::default_template()),
            dry_run: true,
        },
    ];
    for (i, req) in reqs.into_iter().enumerate() {
        put(
            "frame",
            &format!("request-{i}"),
            &frame(&ClientMsg::Request { id: i as u64, req }),
        );
    }
    put(
        "frame",
        "response",
        &frame(&ServerMsg::Response {
            id: 7,
            result: Ok(serde_json::json!({"name": "Phường Thanh Tâm"})),
        }),
    );
    put(
        "frame",
        "notice",
        &frame(&ServerMsg::Notice(qcdc::service::Notice {
            seq: 9,
            group: 1,
            item: "CK-02".into(),
            period: "2026-Q4".into(),
            who: "lan".into(),
        })),
    );
    put("frame", "oversized", &u32::MAX.to_be_bytes());
    // Records, as the store writes them.
    let template = qcdc::data::default_template();
    let demo = qcdc::data::demo_ward(&template);
    let ward = qcdc::domain::ward::Ward {
        name: demo.name.clone(),
        steps: demo.steps,
        current_period: demo.current_period,
        term: None,
    };
    put("record", "ward", &encode(&WardV2::from(&ward)));
    put(
        "record",
        "branch",
        &encode(&BranchV1 {
            name: "Chi bộ Hòa Bình".into(),
        }),
    );
    put(
        "record",
        "group-v1",
        &encode(&GroupV1 {
            branch: 1,
            name: "Tổ dân phố 1".into(),
            leader: "Nguyễn Văn An".into(),
            households: 300,
        }),
    );
    put(
        "record",
        "group-v2",
        &encode(&GroupV2 {
            branch: 1,
            name: "Tổ dân phố 1".into(),
            leader: "Nguyễn Văn An".into(),
            front_head: "Lê Thị Bình".into(),
            households: 300,
        }),
    );
    put(
        "record",
        "item",
        &encode(&ItemV1::from_domain(3, &template.items[3])),
    );
    let mut e = qcdc::domain::entry::Entry::new(1, "BQ-01", period);
    e.evidence.meeting_date = qcdc::domain::date::parse("2026-11-15").ok();
    e.evidence.note = "Họp tại nhà văn hóa".into();
    e.version = 4;
    e.evidence.met = vec![qcdc::domain::entry::DeadlineMet {
        code: qcdc::domain::entry::DeadlineCode::MeetingNotice,
        date: qcdc::domain::date::parse("2026-11-12").expect("date"),
    }];
    put("record", "entry", &encode(&EntryV3::from(&e)));
    let mut sheet = SheetV3::default();
    sheet.put(&e, Some(7));
    put("record", "sheet", &encode(&sheet));
    put(
        "record",
        "tally",
        &encode(&TallyV2::of_sheets([(period, &sheet)])),
    );
    let audit = AuditV1 {
        at_ms: 1_790_000_000_000,
        member: "Lan".into(),
        os_user: "lan".into(),
        action: "mark".into(),
        group: 1,
        item: "CK-02".into(),
        period: "2026-Q4".into(),
        changes: vec![("step:biet".into(), "todo".into(), "done".into())],
        undoes: None,
    };
    put("record", "audit", &encode(&audit));
    put(
        "record",
        "audit-chunk",
        &encode(&AuditChunkV1 {
            records: vec![(33, audit)],
        }),
    );
    put(
        "record",
        "member",
        &encode(&MemberV1 {
            name: "Lan".into(),
            role: 0,
            branches: vec![1],
            groups: vec![],
            unix_user: Some("lan".into()),
            pin_hash: None,
        }),
    );
    // Text files.
    put(
        "template",
        "default.toml",
        qcdc::data::TEMPLATE_TOML.as_bytes(),
    );
    put("ward", "demo.toml", qcdc::data::DEMO_TOML.as_bytes());
    put(
        "config",
        "example.toml",
        b"mouse = true\n[keys]\ntoggle = [\"space\", \"t\"]\nquit = \"q\"\n[theme]\naccent = \"blue\"\n",
    );
    put("config", "empty.toml", b"");
    put(
        "csv",
        "semicolon-bom-crlf.csv",
        "\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng;Trưởng ban công tác Mặt trận\r\nChi bộ 1;Tổ 1;120;Lê Văn A;Trần B\r\n;;;;\r\nChi bộ 1;\"Tổ 2; khu \"\"A\"\"\";1.230;Phạm Thị B;\r\n"
            .as_bytes(),
    );
    put(
        "csv",
        "comma.csv",
        b"so ho,to truong,to dan pho,chi bo\n150,An,To 9,CB 9\n",
    );
    put(
        "csv",
        "tab.csv",
        "chi bộ\ttổ dân phố\tsố hộ\ttổ trưởng\nA\tB\t10\tC\n".as_bytes(),
    );
    for (i, p) in [
        "2026",
        "2026-H1",
        "2026-h2",
        "2026-Q3",
        " 2026-q4 ",
        "1999",
        "2026-Q5",
    ]
    .iter()
    .enumerate()
    {
        put("period", &format!("p{i}"), p.as_bytes());
    }
    for (i, d) in [
        "10/08/2026",
        "2026-08-10",
        "1/1/2000",
        "31/02/2026",
        "10.08.2026",
    ]
    .iter()
    .enumerate()
    {
        put("period", &format!("d{i}"), d.as_bytes());
    }
    // A workbook roster, and a whole demo database as an export document.
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Chi bộ", "Tổ dân phố", "Số hộ", "Tổ trưởng"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).expect("cell");
        }
        ws.write_string(1, 0, "Chi bộ 1").expect("cell");
        ws.write_string(1, 1, "Tổ 1").expect("cell");
        ws.write_number(1, 2, 120.0).expect("cell");
        ws.write_string(1, 3, "Lê Văn A").expect("cell");
        put("xlsx", "roster.xlsx", &wb.save_to_buffer().expect("xlsx"));
        let dir = tempfile::tempdir().expect("tempdir");
        let svc = qcdc::app::ward::create_demo(
            &dir.path().join("demo.db"),
            qcdc::domain::audit::Actor::new("seed", "seed"),
            qcdc::i18n::Lang::Vi,
        )
        .unwrap_or_else(|f| panic!("{}", f.message));
        use qcdc::service::Service;
        put(
            "export-json",
            "demo.json",
            &svc.export().expect("export").to_json(),
        );
        let report = svc.report(period).expect("report");
        put(
            "export-json",
            "report.json",
            &serde_json::to_vec(&report).expect("report json"),
        );
    }
    for (i, s) in [
        "Tổ dân phố Đồng Tâm",
        "To\u{302}\u{309} 1",
        "a\u{1b}[31mb\u{7}\r\n\u{9b}",
        "=cmd|' /C calc'!A0",
        "\u{202e}abc",
    ]
    .iter()
    .enumerate()
    {
        put("text", &format!("t{i}"), s.as_bytes());
    }
}
