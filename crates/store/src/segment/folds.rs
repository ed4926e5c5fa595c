//! The folded shadow columns (`name_fold`, `email_fold`, `city_fold`, `attributes_fold`), computed in Rust
//! with the domain's [`fold`] so that SQL, the evaluator and any index agree on case-insensitivity.
//!
//! Profile writes merge (`COALESCE` for fields, merge-patch for attributes), so the ingest path folds the
//! *written* values and applies the same merge to the fold columns: as long as a row's folds matched its
//! values before the write, they match after. Rows written before migration 0002 have
//! `attributes_fold IS NULL`, which merges keep NULL, and [`RowFolds`] backfills them at startup.

use converge_domain::consent::SuppressionAddress;
use converge_domain::segment::{fold, fold_attributes};
use serde_json::{Map, Value};

use crate::batch::ProfileWrite;

/// The fold values of one profile write, to be merged exactly like the values they come from.
pub(crate) struct ProfileFolds {
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    /// The attributes merge patch, folded; `null` still means "remove".
    pub attributes_patch: Value,
    /// The suppression keys of the written addresses (`email_key`, `phone_key`; migration 0016).
    pub email_key: Option<String>,
    pub phone_key: Option<String>,
}

/// The suppression-list keys of an e-mail address and a phone number as stored, so the segment field
/// `suppressed` matches exactly what the send-time gate checks.
pub(crate) fn address_keys(email: Option<&str>, phone: Option<&str>) -> (Option<String>, Option<String>) {
    (
        email.map(|email| SuppressionAddress::of_email(email).key().0),
        phone.map(|phone| SuppressionAddress::of_phone(phone).key().0),
    )
}

impl ProfileFolds {
    pub(crate) fn of(write: &ProfileWrite) -> ProfileFolds {
        let (email_key, phone_key) = address_keys(write.email.as_deref(), write.phone.as_deref());
        ProfileFolds {
            name: write.name.as_deref().map(fold),
            email: write.email.as_deref().map(fold),
            city: write.city.as_deref().map(fold),
            attributes_patch: Value::Object(fold_attributes(&write.attributes_patch)),
            email_key,
            phone_key,
        }
    }
}

/// The folds of a whole stored row, for the backfill.
pub(crate) struct RowFolds {
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub attributes: Value,
}

impl RowFolds {
    pub(crate) fn of(name: Option<&str>, email: Option<&str>, city: Option<&str>, attributes: &Value) -> RowFolds {
        let empty = Map::new();
        let object = attributes.as_object().unwrap_or(&empty);
        RowFolds {
            name: name.map(fold),
            email: email.map(fold),
            city: city.map(fold),
            attributes: Value::Object(fold_attributes(object)),
        }
    }
}
