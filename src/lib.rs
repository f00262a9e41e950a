//! qcdc: grassroots democracy (quy chế dân chủ ở cơ sở) checklists for a ward.
//!
//! Layers, dependencies pointing one way:
//! `domain` ← `store` ← `service` ← `app` ← { `cli`, `tui`, `server` }. See ARCHITECTURE.md.

pub mod app;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod cli;
// The ward server, its protocol and its client are Unix only: Unix sockets, and the
// caller's account from the kernel (SO_PEERCRED). On Windows each qcdc window opens
// the database directly (ARCHITECTURE.md, "Windows").
#[cfg(unix)]
pub mod client;
pub mod data;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod import;
pub mod present;
#[cfg(unix)]
pub mod protocol;
pub mod rollup;
#[cfg(unix)]
pub mod server;
pub mod service;
pub mod store;
pub mod sys;
pub mod transfer;
pub mod tui;
