//! Integration tests of qcdc: the command line as users script it, and the store and
//! service as the command line uses them.
//!
//! One test binary (`cargo test --test integration`), one module per concern. Every
//! command runs on its own database in a temporary folder, with `QCDC_TODAY` and `USER`
//! fixed so that output is reproducible.

mod common;

mod audit;
mod busy;
mod citations;
mod demo;
mod durability;
mod errors;
mod formats;
mod import;
mod migration;
mod report;
#[cfg(unix)]
mod server;
#[cfg(unix)]
mod ssh_e2e;
mod tui_tmux;
mod vote;
