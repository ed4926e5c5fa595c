//! [`Consent`] on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::{At, Ids, Texts};
use crate::consent::{
    write, Consent, ConsentSnapshot, MessageRecipient, NewSuppression, PendingConfirmation, SubscriptionChange,
    SubscriptionRow, SuppressionRow,
};
use crate::StoreResult;
use converge_domain::consent::SuppressionAddress;
use converge_domain::{Channel, ConsentSource, CustomerId, MessageId, SubscriptionStatus, WorkspaceId};

const SUPPRESSION_COLUMNS: &str = "id, kind, masked, reason, source, created_at, address_hash";

per_backend! {
    use write;

    fn subscription(row: &DbRow) -> StoreResult<SubscriptionRow> {
        Ok(SubscriptionRow {
            subject: row.try_get("subject")?,
            status: row.try_get("status")?,
            source: row.try_get("source")?,
            changed_at: row.try_get::<At, _>("changed_at")?.0,
        })
    }

    fn suppression(row: &DbRow) -> StoreResult<SuppressionRow> {
        Ok(SuppressionRow {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            masked: row.try_get("masked")?,
            reason: row.try_get("reason")?,
            source: row.try_get("source")?,
            created_at: row.try_get::<At, _>("created_at")?.0,
            address_hash: row.try_get("address_hash")?,
        })
    }

    #[async_trait]
    impl Consent for BackendStore {
        async fn compliance_settings(&self, workspace_id: WorkspaceId) -> StoreResult<Option<serde_json::Value>> {
            let row: Option<serde_json::Value> =
                sqlx::query_scalar("SELECT settings FROM workspace_compliance WHERE workspace_id = $1")
                    .bind(workspace_id)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(row)
        }

        async fn put_compliance_settings(
            &self,
            workspace_id: WorkspaceId,
            settings: &serde_json::Value,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO workspace_compliance (workspace_id, settings, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (workspace_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
            )
            .bind(workspace_id)
            .bind(settings)
            .bind(At(now))
            .execute(self.pool())
            .await?;
            Ok(())
        }

        async fn subscriptions(&self, workspace_id: WorkspaceId, customer_id: CustomerId) -> StoreResult<Vec<SubscriptionRow>> {
            let rows = sqlx::query(
                "SELECT subject, status, source, changed_at FROM subscriptions \
                 WHERE workspace_id = $1 AND customer_id = $2 ORDER BY subject",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
            rows.iter().map(subscription).collect()
        }

        async fn subscription_history(
            &self,
            workspace_id: WorkspaceId,
            customer_id: CustomerId,
            limit: u32,
        ) -> StoreResult<Vec<SubscriptionRow>> {
            let rows = sqlx::query(
                "SELECT subject, status, source, changed_at FROM subscription_history \
                 WHERE workspace_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
            rows.iter().map(subscription).collect()
        }

        async fn change_subscriptions(&self, workspace_id: WorkspaceId, changes: &[SubscriptionChange]) -> StoreResult<u64> {
            let mut tx = self.pool().begin().await?;
            let applied = write::apply(&mut tx, workspace_id, changes).await?;
            if applied > 0 {
                // Consent is a segment field (`email_status`, …): the audience indexes reload these customers.
                let ids: Vec<CustomerId> = changes.iter().map(|c| c.customer_id).collect();
                let sql = format!(
                    "INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) \
                     SELECT $1, {}, $3 FROM customers WHERE workspace_id = $1 AND {} HAVING count(*) > 0",
                    BACKEND.array_agg("external_id"),
                    BACKEND.any("id", "$2")
                );
                sqlx::query(&sql).bind(workspace_id).bind(Ids(&ids)).bind(At(Utc::now())).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(applied)
        }

        async fn consent_snapshot(
            &self,
            workspace_id: WorkspaceId,
            customers: &[CustomerId],
            address_hashes: &[String],
            sent_since: Option<DateTime<Utc>>,
        ) -> StoreResult<ConsentSnapshot> {
            let mut snapshot = ConsentSnapshot::default();
            if !customers.is_empty() {
                let sql = format!(
                    "SELECT customer_id, subject, status FROM subscriptions WHERE workspace_id = $1 AND {}",
                    BACKEND.any("customer_id", "$2")
                );
                let rows: Vec<(CustomerId, String, SubscriptionStatus)> =
                    sqlx::query_as(&sql).bind(workspace_id).bind(Ids(customers)).fetch_all(self.pool()).await?;
                snapshot.subscriptions = rows;
            }
            if !address_hashes.is_empty() {
                let sql = format!(
                    "SELECT address_hash FROM suppressions WHERE workspace_id = $1 AND {}",
                    BACKEND.any("address_hash", "$2")
                );
                snapshot.suppressed = sqlx::query_scalar(&sql)
                    .bind(workspace_id)
                    .bind(Texts(address_hashes.to_vec()))
                    .fetch_all(self.pool())
                    .await?;
            }
            if let (Some(since), false) = (sent_since, customers.is_empty()) {
                // Through the partial index on (customer_id, dispatched_at); every campaign of the workspace.
                let sql = format!(
                    "SELECT customer_id, count(*) FROM communication_log \
                     WHERE {} AND dispatched_at IS NOT NULL AND dispatched_at >= $2 AND workspace_id = $3 \
                     GROUP BY customer_id",
                    BACKEND.any("customer_id", "$1")
                );
                snapshot.sent_since = sqlx::query_as(&sql)
                    .bind(Ids(customers))
                    .bind(At(since))
                    .bind(workspace_id)
                    .fetch_all(self.pool())
                    .await?;
            }
            Ok(snapshot)
        }

        async fn suppressions(&self, workspace_id: WorkspaceId, before_id: Option<i64>, limit: u32) -> StoreResult<Vec<SuppressionRow>> {
            let sql = format!(
                "SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) \
                 ORDER BY id DESC LIMIT $3"
            );
            let rows = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(before_id)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?;
            rows.iter().map(suppression).collect()
        }

        async fn add_suppression(
            &self,
            workspace_id: WorkspaceId,
            entry: &NewSuppression,
            now: DateTime<Utc>,
        ) -> StoreResult<(SuppressionRow, bool)> {
            let mut tx = self.pool().begin().await?;
            let added = write::suppress(&mut tx, workspace_id, entry, now).await?;
            let sql = format!("SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE workspace_id = $1 AND address_hash = $2");
            let row = sqlx::query(&sql).bind(workspace_id).bind(entry.address.key().0).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok((suppression(&row)?, added))
        }

        async fn delete_suppression(&self, workspace_id: WorkspaceId, id: i64) -> StoreResult<bool> {
            let mut tx = self.pool().begin().await?;
            let deleted: Option<String> =
                sqlx::query_scalar("DELETE FROM suppressions WHERE workspace_id = $1 AND id = $2 RETURNING address_hash")
                    .bind(workspace_id)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(address_hash) = &deleted {
                write::touch_key(&mut tx, workspace_id, address_hash, Utc::now()).await?;
            }
            tx.commit().await?;
            Ok(deleted.is_some())
        }

        async fn lift_suppression(&self, workspace_id: WorkspaceId, address: &SuppressionAddress, source: ConsentSource) -> StoreResult<bool> {
            let mut tx = self.pool().begin().await?;
            let done = sqlx::query("DELETE FROM suppressions WHERE workspace_id = $1 AND address_hash = $2 AND source = $3")
                .bind(workspace_id)
                .bind(address.key().0)
                .bind(source.as_str())
                .execute(&mut *tx)
                .await?;
            let lifted = done.rows_affected() > 0;
            if lifted {
                write::touch_address(&mut tx, workspace_id, address, Utc::now()).await?;
            }
            tx.commit().await?;
            Ok(lifted)
        }

        async fn settle_bounces(&self, limit: u32, now: DateTime<Utc>) -> StoreResult<u64> {
            let lock = match BACKEND {
                crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                crate::Backend::Sqlite => "",
            };
            // The scheduler asks every tick: an empty queue must not take SQLite's write lock.
            let queued: Option<i64> =
                sqlx::query_scalar("SELECT log_id FROM pending_bounces LIMIT 1").fetch_optional(self.pool()).await?;
            if queued.is_none() {
                return Ok(0);
            }
            let mut tx = self.pool().begin_with(BACKEND.begin_write()).await?;
            let sql = format!(
                "DELETE FROM pending_bounces WHERE log_id IN \
                     (SELECT log_id FROM pending_bounces ORDER BY log_id LIMIT $1{lock}) RETURNING log_id"
            );
            let taken: Vec<MessageId> = sqlx::query_scalar(&sql).bind(i64::from(limit)).fetch_all(&mut *tx).await?;
            if taken.is_empty() {
                return Ok(0);
            }
            let sql = format!(
                "SELECT workspace_id, channel, address, error FROM communication_log WHERE {}",
                BACKEND.any("id", "$1")
            );
            let failures: Vec<(WorkspaceId, Option<Channel>, Option<String>, Option<String>)> =
                sqlx::query_as(&sql).bind(Ids(&taken)).fetch_all(&mut *tx).await?;
            for (workspace_id, channel, address, error) in failures {
                // An erased customer's messages keep no address: nothing to list.
                let (Some(channel), Some(address)) = (channel, address) else { continue };
                let address = SuppressionAddress::of_channel(channel, &address);
                let reason: String = error
                    .as_deref()
                    .unwrap_or("the vendor reported a permanent failure")
                    .chars()
                    .take(200)
                    .collect();
                let entry = NewSuppression::new(address, &reason, ConsentSource::Bounce);
                write::suppress(&mut tx, workspace_id, &entry, now).await?;
            }
            tx.commit().await?;
            Ok(taken.len() as u64)
        }

        async fn link_key(&self, workspace_id: WorkspaceId, now: DateTime<Utc>) -> StoreResult<String> {
            let random = BACKEND.random_hex();
            let sql = format!(
                "INSERT INTO link_keys (workspace_id, secret, created_at) SELECT id, {random} || {random}, $2 \
                 FROM workspaces WHERE id = $1 ON CONFLICT (workspace_id) DO NOTHING"
            );
            sqlx::query(&sql).bind(workspace_id).bind(At(now)).execute(self.pool()).await?;
            let key: String = sqlx::query_scalar("SELECT secret FROM link_keys WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_one(self.pool())
                .await?;
            Ok(key)
        }

        async fn claim_confirmations(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<PendingConfirmation>> {
            let lock = match BACKEND {
                crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                crate::Backend::Sqlite => "",
            };
            let sql = format!(
                "WITH due AS (SELECT customer_id, subject FROM subscriptions \
                     WHERE status = 'pending' AND confirmation_sent_at IS NULL \
                       AND subject IN ('email', 'sms', 'whatsapp') ORDER BY changed_at LIMIT $2{lock}) \
                 UPDATE subscriptions SET confirmation_sent_at = $1 \
                 WHERE EXISTS (SELECT 1 FROM due WHERE due.customer_id = subscriptions.customer_id \
                     AND due.subject = subscriptions.subject) \
                 RETURNING workspace_id, customer_id, subject, changed_at"
            );
            let claimed = sqlx::query(&sql).bind(At(now)).bind(i64::from(limit)).fetch_all(self.pool()).await?;
            let mut found = Vec::with_capacity(claimed.len());
            for row in &claimed {
                let workspace_id: WorkspaceId = row.try_get("workspace_id")?;
                let customer_id: CustomerId = row.try_get("customer_id")?;
                let contact: Option<(Option<String>, Option<String>)> =
                    sqlx::query_as("SELECT email, phone FROM customers WHERE id = $1 AND workspace_id = $2")
                        .bind(customer_id)
                        .bind(workspace_id)
                        .fetch_optional(self.pool())
                        .await?;
                let (email, phone) = contact.unwrap_or((None, None));
                found.push(PendingConfirmation {
                    workspace_id,
                    customer_id,
                    subject: row.try_get("subject")?,
                    email,
                    phone,
                    changed_at: row.try_get::<At, _>("changed_at")?.0,
                });
            }
            Ok(found)
        }

        async fn release_confirmation(&self, confirmation: &PendingConfirmation) -> StoreResult<()> {
            sqlx::query(
                "UPDATE subscriptions SET confirmation_sent_at = NULL \
                 WHERE workspace_id = $1 AND customer_id = $2 AND subject = $3 AND status = 'pending'",
            )
            .bind(confirmation.workspace_id)
            .bind(confirmation.customer_id)
            .bind(&confirmation.subject)
            .execute(self.pool())
            .await?;
            Ok(())
        }

        async fn hold_frequency_cap(
            &self,
            workspace_id: WorkspaceId,
            cap: u32,
            since: DateTime<Utc>,
            fresh_since: DateTime<Utc>,
            now: DateTime<Utc>,
            wanted: &[(CustomerId, MessageId)],
        ) -> StoreResult<Vec<MessageId>> {
            if wanted.is_empty() {
                return Ok(Vec::new());
            }
            let mut customers: Vec<CustomerId> = wanted.iter().map(|(c, _)| *c).collect();
            customers.sort_unstable();
            customers.dedup();
            let messages: Vec<MessageId> = wanted.iter().map(|(_, m)| *m).collect();
            let mut tx = self.pool().begin_with(BACKEND.begin_write()).await?;
            if BACKEND == crate::Backend::Postgres {
                // In id order, like every other taker, so two holders cannot deadlock. SQLite's write lock
                // (taken by `begin_write`) already serialises holders.
                sqlx::query("SELECT id FROM customers WHERE id = ANY($1) AND workspace_id = $2 ORDER BY id FOR NO KEY UPDATE")
                    .bind(Ids(&customers))
                    .bind(workspace_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let sql = format!(
                "SELECT customer_id, count(*) FROM communication_log \
                 WHERE {} AND dispatched_at IS NOT NULL AND dispatched_at >= $2 AND workspace_id = $3 \
                 GROUP BY customer_id",
                BACKEND.any("customer_id", "$1")
            );
            let accepted: Vec<(CustomerId, i64)> =
                sqlx::query_as(&sql).bind(Ids(&customers)).bind(At(since)).bind(workspace_id).fetch_all(&mut *tx).await?;
            let sql = format!(
                "SELECT customer_id, count(*) FROM cap_holds WHERE {} AND held_at >= $2 AND NOT ({}) GROUP BY customer_id",
                BACKEND.any("customer_id", "$1"),
                BACKEND.any("log_id", "$3")
            );
            let held: Vec<(CustomerId, i64)> = sqlx::query_as(&sql)
                .bind(Ids(&customers))
                .bind(At(fresh_since))
                .bind(Ids(&messages))
                .fetch_all(&mut *tx)
                .await?;
            let mut used: std::collections::HashMap<CustomerId, i64> = std::collections::HashMap::new();
            for (customer, n) in accepted.into_iter().chain(held) {
                *used.entry(customer).or_insert(0) += n;
            }
            let mut granted = Vec::new();
            for (customer, message) in wanted {
                let count = used.entry(*customer).or_insert(0);
                if *count < i64::from(cap) {
                    *count += 1;
                    granted.push(*message);
                }
            }
            let sql = format!("DELETE FROM cap_holds WHERE {} AND held_at < $2", BACKEND.any("customer_id", "$1"));
            sqlx::query(&sql).bind(Ids(&customers)).bind(At(fresh_since)).execute(&mut *tx).await?;
            if !granted.is_empty() {
                let sql = format!(
                    "INSERT INTO cap_holds (log_id, customer_id, held_at) \
                     SELECT id, customer_id, $2 FROM communication_log WHERE {} AND workspace_id = $3 \
                     ON CONFLICT (log_id) DO UPDATE SET held_at = excluded.held_at",
                    BACKEND.any("id", "$1")
                );
                sqlx::query(&sql).bind(Ids(&granted)).bind(At(now)).bind(workspace_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(granted)
        }

        async fn message_recipient(
            &self,
            log_id: MessageId,
            route: &str,
            vendor_message_id: &str,
        ) -> StoreResult<Option<MessageRecipient>> {
            let row: Option<(WorkspaceId, CustomerId, Option<Channel>, Option<String>)> = sqlx::query_as(
                "SELECT workspace_id, customer_id, channel, address FROM communication_log \
                 WHERE id = $1 AND route = $2 AND vendor_message_id = $3",
            )
            .bind(log_id)
            .bind(route)
            .bind(vendor_message_id)
            .fetch_optional(self.pool())
            .await?;
            Ok(row.map(|(workspace_id, customer_id, channel, address)| MessageRecipient {
                workspace_id,
                customer_id,
                channel,
                address,
            }))
        }

        async fn customers_with_phone(&self, phone: &str) -> StoreResult<Vec<(WorkspaceId, CustomerId)>> {
            let rows: Vec<(WorkspaceId, CustomerId)> =
                sqlx::query_as("SELECT workspace_id, id FROM customers WHERE phone = $1 ORDER BY workspace_id, id LIMIT 1000")
                    .bind(phone)
                    .fetch_all(self.pool())
                    .await?;
            Ok(rows)
        }
    }
}
