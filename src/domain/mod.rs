//! The domain: what a ward is, what the law asks of it, and what qcdc computes from it.
//!
//! Pure code: no storage, no terminal. Everything here is plain data plus the rules of
//! Luật 10/2022/QH15 and its decrees (vote thresholds, deadlines, completion).

pub mod audit;
pub mod completion;
pub mod date;
pub mod entry;
pub mod figure;
pub mod member;
pub mod narrative;
pub mod period;
pub mod settings;
pub mod step;
pub mod template;
pub mod text;
pub mod vote;
pub mod ward;

pub use completion::Completion;
pub use entry::{Entry, Evidence, StepStatus};
pub use period::{Granularity, Period};
pub use step::{Step, StepSet};
pub use template::{Evidence as EvidenceKind, Item, Pillar, Recurrence, Scope, Template};
pub use vote::{VoteCount, VoteForm, VoteRule, VoteVerdict};
pub use ward::{Branch, BranchId, Group, GroupId, Ward};
