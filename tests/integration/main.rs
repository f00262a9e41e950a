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
mod busy;
mod citations;
#[cfg(unix)]
mod crash;
#[cfg(unix)]
mod damaged;
mod demo;
mod durability;
mod errors;
mod formats;
#[cfg(unix)]
mod fuzz;
#[cfg(unix)]
mod hostile;
mod import;
mod migration;
mod report;
mod report_files;
mod rollup;
mod roster;
#[cfg(unix)]
mod server;
#[cfg(unix)]
mod ssh_e2e;
mod template_items;
mod transfer;
mod tui_tmux;
mod vote;
