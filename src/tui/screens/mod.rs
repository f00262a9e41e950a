//! One file per screen, each with its keys and its drawing.

pub mod agenda;
pub mod dashboard;
pub mod figures;
pub mod form;
pub mod main;
pub mod popups;
pub mod settings;
