//! Numbered migrations. Each one rewrites what changed and bumps the stored schema
//! version; they run in order on open, so a database from any older qcdc opens.

use super::records::{GroupV1, GroupV2, decode, encode};
use super::{Store, StoreError};

/// Bring `store` from schema `from` up to [`super::SCHEMA_VERSION`].
pub fn run(store: &Store, from: u32) -> Result<(), StoreError> {
    let mut v = from;
    while v < super::SCHEMA_VERSION {
        match v {
            1 => v1_to_v2(store)?, // sets the version itself, atomically
            other => {
                return Err(StoreError::Corrupt {
                    path: store.path().to_path_buf(),
                    detail: format!("unknown schema version {other}"),
                });
            }
        }
        v += 1;
        store.flush()?;
    }
    Ok(())
}

/// Schema 2 added the front-committee head to groups. The rewrite and the new version
/// number are one transaction: a crash leaves schema 1 intact or schema 2 complete.
fn v1_to_v2(store: &Store) -> Result<(), StoreError> {
    use sled::Transactional;
    let tree = store.groups_tree();
    let mut rewritten = Vec::new();
    for kv in tree.iter() {
        let (k, v) = kv.map_err(|e| StoreError::Io {
            path: store.path().to_path_buf(),
            detail: e.to_string(),
        })?;
        let old: GroupV1 = decode(&v).ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            detail: "unreadable schema-1 group record".into(),
        })?;
        rewritten.push((k, encode(&GroupV2::from(old))));
    }
    (tree, store.meta_tree())
        .transaction(|(groups, meta)| {
            for (k, v) in &rewritten {
                groups.insert(k.clone(), v.as_slice())?;
            }
            meta.insert(super::SCHEMA, &2u32.to_be_bytes())?;
            Ok(())
        })
        .map_err(
            |e: sled::transaction::TransactionError<()>| StoreError::Io {
                path: store.path().to_path_buf(),
                detail: format!("{e:?}"),
            },
        )
}
