//! Erasing a person (GDPR art. 17, DPDP s. 12) on both backends, in one transaction.
//!
//! What goes: the profile's personal fields (name, e-mail, phone, city, gender, preferred channel,
//! attributes and their folded shadows), every message's address and rendered body, and the consent records.
//! What stays, anonymous: the row itself with its external id (the brand's key, which must not be personal
//! data) and its aggregates, so totals, orders and campaign counts stay true; and, when the caller passes
//! them, suppression entries (hash and mask only) so an opted-out address is never messaged again.
//!
//! `profile_received_at` becomes the erasure time, so an upsert received before the erasure and still in the
//! ingest stream is stale when it arrives and cannot bring the data back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::backend::per_backend;
use crate::codec::At;
use crate::consent::{write, NewSuppression};
use crate::StoreResult;
use converge_domain::{CustomerId, WorkspaceId};

/// Erasing customers.
#[async_trait]
pub trait Erasure: Send + Sync {
    /// Erases the customer's personal data and keeps `suppress` (in the same transaction); false when the
    /// workspace has no such customer.
    async fn erase_customer(
        &self,
        workspace_id: WorkspaceId,
        customer_id: CustomerId,
        suppress: &[NewSuppression],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

per_backend! {
    use write;

    #[async_trait]
    impl Erasure for BackendStore {
        async fn erase_customer(
            &self,
            workspace_id: WorkspaceId,
            customer_id: CustomerId,
            suppress: &[NewSuppression],
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let mut tx = self.pool().begin().await?;
            let external_id: Option<String> = sqlx::query_scalar(
                "UPDATE customers SET name = NULL, email = NULL, phone = NULL, city = NULL, gender = NULL, \
                     preferred_channel = NULL, attributes = '{}', name_fold = NULL, email_fold = NULL, \
                     city_fold = NULL, attributes_fold = '{}', email_key = NULL, phone_key = NULL, \
                     profile_received_at = $3, updated_at = $3 \
                 WHERE workspace_id = $1 AND id = $2 RETURNING external_id",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .bind(At(now))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(external_id) = external_id else {
                return Ok(false);
            };
            sqlx::query(
                "UPDATE communication_log SET address = NULL, message = NULL \
                 WHERE workspace_id = $1 AND customer_id = $2",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .execute(&mut *tx)
            .await?;
            for table in ["subscriptions", "subscription_history"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE workspace_id = $1 AND customer_id = $2"))
                    .bind(workspace_id)
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for entry in suppress {
                write::suppress(&mut tx, workspace_id, entry, now).await?;
            }
            // The audience indexes reload the row (now without its personal fields).
            let change = match BACKEND {
                crate::Backend::Postgres => {
                    "INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) VALUES ($1, ARRAY[$2], $3)"
                }
                crate::Backend::Sqlite => {
                    "INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) VALUES ($1, json_array($2), $3)"
                }
            };
            sqlx::query(change).bind(workspace_id).bind(&external_id).bind(At(now)).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        }
    }
}
