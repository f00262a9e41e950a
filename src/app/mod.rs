//! The wiring below the front ends: what the command line, the TUI and the ward server
//! share and none of them owns.
//!
//! - `exit`: the one exit-code enum and [`exit::Failure`] (a message already in the
//!   user's language with its code), and the mapping from every error kind to a code.
//! - `connect`: who is working, and opening the service for a database — through the
//!   ward server when one answers on its socket, else directly — with login and PIN.
//! - `minutes`: the records filled in from an entry's evidence (`qcdc document`, the
//!   TUI's entry form), and where the TUI writes them.
//! - `ward`: creating a ward or the demo ward (`qcdc init`, `qcdc demo`, the TUI's
//!   first-run screen).
//!
//! Dependencies point down only: `app` uses `service`, `store`, `client` and
//! `protocol`; `cli`, `tui` and `server` use `app`, and `app` imports none of them.

pub mod connect;
pub mod exit;
pub mod minutes;
pub mod ward;

/// When `main` began (the TUI's frame figures count from it).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
