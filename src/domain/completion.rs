//! Completion: steps done ÷ steps that apply.

use super::step::StepStatus;
use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Completion {
    pub done: u32,
    pub applicable: u32,
}

impl Completion {
    pub fn new(done: u32, applicable: u32) -> Completion {
        Completion { done, applicable }
    }

    pub fn add_status(&mut self, s: StepStatus) {
        match s {
            StepStatus::NotApplicable => {}
            StepStatus::Done => {
                self.done += 1;
                self.applicable += 1;
            }
            StepStatus::Todo | StepStatus::Doing => self.applicable += 1,
        }
    }

    /// Percent in 0..=100, one decimal; `None` when nothing applies.
    pub fn percent(self) -> Option<f64> {
        (self.applicable > 0).then(|| {
            let p = self.done as f64 * 100.0 / self.applicable as f64;
            (p * 10.0).round() / 10.0
        })
    }

    /// Ratio in 0.0..=1.0 (1.0 when nothing applies: nothing is left to do).
    pub fn ratio(self) -> f64 {
        if self.applicable == 0 {
            1.0
        } else {
            self.done as f64 / self.applicable as f64
        }
    }

    pub fn is_complete(self) -> bool {
        self.done >= self.applicable
    }
}

impl Add for Completion {
    type Output = Completion;
    fn add(self, o: Completion) -> Completion {
        Completion {
            done: self.done + o.done,
            applicable: self.applicable + o.applicable,
        }
    }
}

impl AddAssign for Completion {
    fn add_assign(&mut self, o: Completion) {
        *self = *self + o;
    }
}

impl std::iter::Sum for Completion {
    fn sum<I: Iterator<Item = Completion>>(iter: I) -> Completion {
        iter.fold(Completion::default(), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn status() -> impl Strategy<Value = StepStatus> {
        prop_oneof![
            Just(StepStatus::Todo),
            Just(StepStatus::Doing),
            Just(StepStatus::Done),
            Just(StepStatus::NotApplicable)
        ]
    }

    proptest! {
        #[test]
        fn completion_stays_within_0_and_100(statuses in proptest::collection::vec(status(), 0..200)) {
            let mut c = Completion::default();
            for s in &statuses { c.add_status(*s); }
            if let Some(p) = c.percent() {
                prop_assert!((0.0..=100.0).contains(&p));
            }
            prop_assert!(c.done <= c.applicable);
            prop_assert!((0.0..=1.0).contains(&c.ratio()));
        }

        #[test]
        fn not_applicable_never_counts(statuses in proptest::collection::vec(status(), 0..200)) {
            let mut with = Completion::default();
            let mut without = Completion::default();
            for s in &statuses {
                with.add_status(*s);
                if *s != StepStatus::NotApplicable { without.add_status(*s); }
            }
            prop_assert_eq!(with, without);
        }
    }

    #[test]
    fn percent_rounds_to_one_decimal() {
        assert_eq!(Completion::new(1, 3).percent(), Some(33.3));
        assert_eq!(Completion::new(0, 0).percent(), None);
        assert_eq!(Completion::new(2, 2).percent(), Some(100.0));
    }
}
