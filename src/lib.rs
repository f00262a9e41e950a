//! qcdc: grassroots democracy (quy chế dân chủ ở cơ sở) checklists for a ward.
//!
//! Layers, dependencies pointing one way:
//! `domain` ← `store` ← `service` ← { `cli`, `tui` }. See ARCHITECTURE.md.

pub mod auth;
pub mod backup;
pub mod bench;
pub mod cli;
#[cfg(unix)]
pub mod client;
pub mod data;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod import;
pub mod rollup;
#[cfg(unix)]
pub mod server;
pub mod service;
pub mod store;
pub mod transfer;
pub mod tui;
