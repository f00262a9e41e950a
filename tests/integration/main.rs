//! Integration tests of qcdc: the command line as users script it, and the store and
//! service as the command line uses them.
//!
//! One test binary (`cargo test --test integration`), one module per concern. Every
//! command runs on its own database in a temporary folder, with `QCDC_TODAY` and `USER`
//! fixed so that output is reproducible.

mod alloc;
mod common;

mod audit;
mod backup;
mod backup_safety;
mod busy;
mod citations;
// Unix only: the same script directly and through the ward server.
#[cfg(unix)]
mod contract;
// Unix only: kill -9 and signals, the ward server, tmux.
#[cfg(unix)]
mod crash;
// Unix only: tmpfs mounts, Unix permissions, the ward server. The damaged-database
// guard on Windows: windows_cli, run against qcdc.exe under Wine in CI.
#[cfg(unix)]
mod damaged;
mod demo;
mod documents;
mod durability;
mod errors;
mod figures;
mod formats;
// Unix only: its targets include the ward server's frames (`qcdc::protocol`).
#[cfg(unix)]
mod fuzz;
// Unix only: hand-crafted frames and an impostor on the ward server's socket.
#[cfg(unix)]
mod hardening;
#[cfg(unix)]
mod hostile;
mod import;
mod law;
mod migration;
mod narrative;
mod report;
mod report_files;
mod rollup;
mod roster;
// Unix only: fault injection with strace, the ward server.
#[cfg(unix)]
mod seal;
// The ward server and SSH: Unix only, as the server is.
#[cfg(unix)]
pub mod server;
#[cfg(unix)]
mod ssh_e2e;
mod template_items;
mod transfer;
mod tui_tmux;
mod vote;
// Also run against qcdc.exe under Wine by .ci/run (see common::Target).
mod windows_cli;
