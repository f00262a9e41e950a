//! One edit, including the flush: inside this process (direct mode) and through a running
//! ward server (one socket round trip). Run: `cargo bench --bench edit`.
//! Databases: `qcdc bench-gen` at 100 and 10,000 groups (about 12 k and 1.2 M entries).

use criterion::{Criterion, criterion_group, criterion_main};
use qcdc::domain::audit::Actor;
use qcdc::domain::entry::StepStatus;
use qcdc::domain::period::Period;
use qcdc::domain::step::Step;
use qcdc::service::local::LocalService;
use qcdc::service::{MarkRequest, Service};
use qcdc::store::Store;
use std::time::Duration;

fn mark(i: u64) -> MarkRequest {
    MarkRequest {
        group: 5,
        item: "CK-15".into(),
        period: Period::Quarter(2026, 4),
        step: Step::Biet,
        status: if i.is_multiple_of(2) {
            StepStatus::Done
        } else {
            StepStatus::Todo
        },
        note: None,
        base_version: None,
    }
}

fn sizes() -> Vec<u32> {
    match std::env::var("QCDC_BENCH_GROUPS") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![100, 10_000],
    }
}

fn edits(c: &mut Criterion) {
    let mut g = c.benchmark_group("edit");
    g.sample_size(50).measurement_time(Duration::from_secs(8));
    for groups in sizes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("bench.db");
        qcdc::bench::generate(&db, groups, 12, 256 << 10).expect("generate");
        {
            let svc = LocalService::new(
                Store::open(&db).expect("open"),
                Actor::new("bench", "bench"),
            );
            let mut i = 0u64;
            g.bench_function(format!("direct_mark_flushed/{groups}_groups"), |b| {
                b.iter(|| {
                    i += 1;
                    svc.mark(mark(i)).expect("mark")
                })
            });
        }
        // Through the ward server: Unix only, as the server is.
        #[cfg(unix)]
        {
            let socket = dir.path().join("bench.sock");
            let (db2, sock2) = (db.clone(), socket.clone());
            std::thread::spawn(move || {
                qcdc::server::serve(&db2, &sock2, qcdc::i18n::Lang::En, None)
            });
            let start = std::time::Instant::now();
            while std::os::unix::net::UnixStream::connect(&socket).is_err() {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "server did not start"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            let remote =
                qcdc::client::RemoteService::connect(&socket, None, None, qcdc::i18n::Lang::En)
                    .unwrap_or_else(|e| panic!("{e:?}"));
            let mut i = 0u64;
            g.bench_function(format!("server_mark_flushed/{groups}_groups"), |b| {
                b.iter(|| {
                    i += 1;
                    remote.mark(mark(i)).expect("mark")
                })
            });
            if groups <= 1_000 {
                g.bench_function(format!("server_report_q4/{groups}_groups"), |b| {
                    b.iter(|| remote.report(Period::Quarter(2026, 4)).expect("report"))
                });
            }
            // The server thread keeps the database; the next size uses its own.
            std::mem::forget(dir);
        }
    }
    g.finish();
}

criterion_group!(benches, edits);
criterion_main!(benches);
