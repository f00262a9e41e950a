//! A ward's own checklist items: added from a template file, retired without losing
//! their entries. Each change is written with its audit record in one transaction.

use super::records::*;
use super::{Store, StoreError};
use crate::domain::audit::{Actor, AuditRecord, Change};
use crate::domain::period::Period;
use crate::domain::template::Item;
use crate::domain::ward::WARD_GROUP;
use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::TransactionError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsAdded {
    /// Codes added.
    pub added: Vec<String>,
    /// Codes already in the template exactly as given (nothing to do).
    pub unchanged: Vec<String>,
}

fn record(actor: &Actor, at_ms: i64, action: &str, changes: Vec<Change>) -> AuditRecord {
    AuditRecord {
        seq: 0,
        at_ms,
        actor: actor.clone(),
        action: action.into(),
        group: WARD_GROUP,
        // Template changes name no entry: `item` stays empty (undo works on entries).
        item: String::new(),
        period: String::new(),
        changes,
        undoes: None,
    }
}

impl Store {
    /// The stored item records with their display order.
    fn item_records(&self) -> Result<Vec<(u32, Item)>, StoreError> {
        self.items
            .iter()
            .map(|kv| {
                let (_, v) = kv.map_err(|e| self.map_err(e))?;
                let rec = decode::<ItemV1>(&v).ok_or_else(|| self.corrupt("item"))?;
                let order = rec.order;
                rec.into_domain()
                    .map(|i| (order, i))
                    .ok_or_else(|| self.corrupt("item"))
            })
            .collect()
    }

    fn write_items(
        &self,
        items: &[(u32, Item)],
        records: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let corrupt = || self.corrupt("audit");
        (&self.items, &self.log, &self.meta)
            .transaction(|(ti, tl, tm)| {
                for (order, item) in items {
                    ti.insert(
                        item.code.as_bytes(),
                        encode(&ItemV1::from_domain(*order, item)),
                    )?;
                }
                super::layout::tx_append_audit(tl, tm, records, &corrupt)?;
                Ok(())
            })
            .map_err(|e: TransactionError<StoreError>| match e {
                TransactionError::Storage(e) => self.map_err(e),
                TransactionError::Abort(e) => e,
            })?;
        self.flush()
    }

    /// Add items to the ward's template, after the existing ones. An item whose code is
    /// already there unchanged is skipped (adding the same file twice changes nothing);
    /// a different item under an existing code is refused, and nothing is written.
    pub fn add_items(
        &self,
        items: &[Item],
        actor: &Actor,
        at_ms: i64,
        dry_run: bool,
    ) -> Result<ItemsAdded, StoreError> {
        let stored = self.item_records()?;
        let mut next = stored.iter().map(|(o, _)| *o + 1).max().unwrap_or(0);
        let mut out = ItemsAdded::default();
        let mut new = Vec::new();
        let mut records = Vec::new();
        for item in items {
            match stored
                .iter()
                .find(|(_, s)| s.code.eq_ignore_ascii_case(&item.code))
            {
                Some((_, s)) if s == item => out.unchanged.push(item.code.clone()),
                Some((_, s)) => {
                    return Err(StoreError::Invalid(format!(
                        "item {} already exists ({:?}); a ward's own item needs a code of its own \
                         (for example {}-PHUONG-01), or retire the old one first",
                        s.code, s.title, s.code
                    )));
                }
                None => {
                    if new.iter().any(|(_, n): &(u32, Item)| n.code == item.code) {
                        return Err(StoreError::Invalid(format!(
                            "item {} is listed twice",
                            item.code
                        )));
                    }
                    out.added.push(item.code.clone());
                    records.push(record(
                        actor,
                        at_ms,
                        "add-item",
                        vec![Change {
                            field: "item".into(),
                            old: String::new(),
                            new: format!("{} {}", item.code, item.title),
                        }],
                    ));
                    new.push((next, item.clone()));
                    next += 1;
                }
            }
        }
        if !dry_run && !new.is_empty() {
            self.write_items(&new, &records)?;
        }
        Ok(out)
    }

    /// Retire an item from `from` on (`Some`), or put a retired item back (`None`). Its
    /// entries stay; reports of periods that began before `from` still count it.
    pub fn set_item_retired(
        &self,
        code: &str,
        from: Option<Period>,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<Item, StoreError> {
        let stored = self.item_records()?;
        let (order, old) = stored
            .into_iter()
            .find(|(_, i)| i.code.eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| StoreError::Invalid(format!("unknown item {code:?}")))?;
        let mut item = old.clone();
        item.retired = from.is_some();
        item.retired_from = from;
        if item == old {
            return Ok(item);
        }
        let show = |i: &Item| match (i.retired, i.retired_from) {
            (false, _) => String::new(),
            (true, None) => "retired".to_string(),
            (true, Some(p)) => format!("retired from {p}"),
        };
        let rec = record(
            actor,
            at_ms,
            if from.is_some() {
                "retire-item"
            } else {
                "reinstate-item"
            },
            vec![Change {
                field: format!("item {}", item.code),
                old: show(&old),
                new: show(&item),
            }],
        );
        self.write_items(&[(order, item.clone())], &[rec])?;
        Ok(item)
    }
}
