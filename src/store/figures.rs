//! Figures recorded (`domain::figure`): one value per quarter, group (the ward is group
//! 0) and figure code, in the `figures` tree. The document that export and backup write
//! does not model this tree, so it is carried raw, as hex pairs (`snapshot::raw_trees`):
//! [`decode`] reads such a pair back (the roll-up reads figures from exports that way).
//!
//! Key: period (4 bytes, `Period::to_key`) ‖ group id (4 bytes, big-endian) ‖ code.
//! Value: the number, 8 bytes big-endian. Every change is written with its audit record
//! in one transaction and flushed before it returns.

use super::{Store, StoreError};
use crate::domain::audit::{Actor, AuditRecord, Change};
use crate::domain::figure::FigureValue;
use crate::domain::period::Period;
use crate::domain::ward::GroupId;

/// The tree's name (also the name its pairs carry in an export's `raw`).
pub const TREE: &str = "figures";

/// The audit record's `item` for a figure: "figure:" and its code. Not empty, so the
/// change is one the user can undo; no checklist item code has a ':'.
pub const ITEM_PREFIX: &str = "figure:";

/// The one field a figure's audit record changes.
pub const FIELD: &str = "value";

pub fn key(period: Period, group: GroupId, code: &str) -> Vec<u8> {
    super::entry_key(period, group, code)
}

/// A stored pair read back; `None` for one that is not a figure's.
pub fn decode(k: &[u8], v: &[u8]) -> Option<FigureValue> {
    let (period, group, code) = super::split_entry_key(k)?;
    let value = u64::from_be_bytes(v.try_into().ok()?);
    Some(FigureValue {
        period,
        group,
        code,
        value,
    })
}

/// The figure code an audit record is about, if it is a figure's.
pub fn code_of(rec: &AuditRecord) -> Option<&str> {
    rec.item.strip_prefix(ITEM_PREFIX)
}

impl Store {
    fn figures_tree(&self) -> Result<sled::Tree, StoreError> {
        self.db.open_tree(TREE).map_err(|e| self.map_err(e))
    }

    /// The tree when it exists: a read never creates it (creating is a write, which a
    /// full disk or a read-only copy refuses, and a report must still read).
    fn figures_tree_if_any(&self) -> Result<Option<sled::Tree>, StoreError> {
        if self
            .db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == TREE.as_bytes())
        {
            self.figures_tree().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The values recorded for quarters within `period` (every one when `None`), in key
    /// order: period, group, code.
    pub fn figure_values(&self, period: Option<Period>) -> Result<Vec<FigureValue>, StoreError> {
        let mut out = Vec::new();
        let Some(tree) = self.figures_tree_if_any()? else {
            return Ok(out);
        };
        for kv in tree.iter() {
            let (k, v) = kv.map_err(|e| self.map_err(e))?;
            let f = decode(&k, &v).ok_or_else(|| self.corrupt("figure"))?;
            if period.is_none_or(|p| p.covers(f.period)) {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// One value, if recorded.
    pub fn figure_value(
        &self,
        period: Period,
        group: GroupId,
        code: &str,
    ) -> Result<Option<u64>, StoreError> {
        let Some(tree) = self.figures_tree_if_any()? else {
            return Ok(None);
        };
        match tree
            .get(key(period, group, code))
            .map_err(|e| self.map_err(e))?
        {
            None => Ok(None),
            Some(v) => decode(&key(period, group, code), &v)
                .map(|f| Some(f.value))
                .ok_or_else(|| self.corrupt("figure")),
        }
    }

    /// Record a value (`None`: remove it), audited with the value before and after as
    /// `action` ("figure", "undo", "redo"; `undoes` for the last two). `None` when the
    /// value already reads so (nothing written, nothing audited).
    #[allow(clippy::too_many_arguments)]
    pub fn put_figure(
        &self,
        period: Period,
        group: GroupId,
        code: &str,
        value: Option<u64>,
        actor: &Actor,
        action: &str,
        undoes: Option<u64>,
        at_ms: i64,
    ) -> Result<Option<AuditRecord>, StoreError> {
        use sled::Transactional;
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let old = self.figure_value(period, group, code)?;
        if old == value {
            return Ok(None);
        }
        let show = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        let rec = AuditRecord {
            seq: 0,
            at_ms,
            actor: actor.clone(),
            action: action.into(),
            group,
            item: format!("{ITEM_PREFIX}{code}"),
            period: period.to_string(),
            changes: vec![Change {
                field: FIELD.into(),
                old: show(old),
                new: show(value),
            }],
            undoes,
        };
        let tree = self.figures_tree()?;
        let k = key(period, group, code);
        let corrupt = || self.corrupt("audit");
        let out = (&tree, &self.log, &self.meta)
            .transaction(|(t, log, meta)| {
                match value {
                    Some(v) => t.insert(k.as_slice(), &v.to_be_bytes())?,
                    None => t.remove(k.as_slice())?,
                };
                super::layout::tx_append_audit(log, meta, std::slice::from_ref(&rec), &corrupt)?
                    .pop()
                    .ok_or_else(|| ConflictableTransactionError::Abort(corrupt()))
            })
            .map_err(|e: TransactionError<StoreError>| self.tx_err(e))?;
        self.flush()?;
        Ok(Some(out))
    }
}
