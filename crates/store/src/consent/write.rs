//! The one way a consent change is written, inside the caller's transaction: the ingest path (API upserts
//! and imports) and every direct change (unsubscribe link, reply, preferences, admin, bounce) go through it.

use crate::backend::per_backend;
use crate::batch::SubscriptionWrite;
use crate::codec::At;
use crate::consent::{NewSuppression, SubscriptionChange};
use crate::StoreResult;
use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{CustomerId, WorkspaceId};

per_backend! {
    /// Adds `entry` to the workspace's suppression list unless its address is listed already; true when added.
    pub(crate) async fn suppress(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        entry: &NewSuppression,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let added = sqlx::query(
            "INSERT INTO suppressions (workspace_id, address_hash, kind, masked, reason, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, address_hash) DO NOTHING",
        )
        .bind(workspace_id)
        .bind(entry.address.key().0)
        .bind(entry.address.kind())
        .bind(entry.address.masked())
        .bind(&entry.reason)
        .bind(entry.source.as_str())
        .bind(At(now))
        .execute(&mut *conn)
        .await?;
        let added = added.rows_affected() > 0;
        if added {
            touch_address(&mut *conn, workspace_id, &entry.address, now).await?;
        }
        Ok(added)
    }

    /// Records a customer change for the workspace's customers stored with `address` (`suppressed` is a
    /// segment field, so the audience indexes reload them), found through the e-mail fold or phone index.
    pub(crate) async fn touch_address(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        address: &SuppressionAddress,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (column, key_column, value) = match address {
            SuppressionAddress::Email(text) => ("email_fold", "email_key", text),
            SuppressionAddress::Phone(text) => ("phone", "phone_key", text),
        };
        let sql = format!(
            "INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) \
             SELECT $1, {}, $4 FROM customers \
             WHERE workspace_id = $1 AND {column} = $2 AND {key_column} = $3 HAVING count(*) > 0",
            BACKEND.array_agg("external_id")
        );
        sqlx::query(&sql)
            .bind(workspace_id)
            .bind(value)
            .bind(address.key().0)
            .bind(At(now))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// As [`touch_address`] when only the address's hash is known (an entry deleted by id): a scan of the
    /// workspace's customers, acceptable for an administrator's action.
    pub(crate) async fn touch_key(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        address_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) \
             SELECT $1, {}, $3 FROM customers \
             WHERE workspace_id = $1 AND (email_key = $2 OR phone_key = $2) HAVING count(*) > 0",
            BACKEND.array_agg("external_id")
        );
        sqlx::query(&sql).bind(workspace_id).bind(address_hash).bind(At(now)).execute(&mut *conn).await?;
        Ok(())
    }

    /// Applies the consent changes of an ingest batch (after its profiles are written, so every customer
    /// exists), each as of when the API received it.
    pub(crate) async fn apply_ingested(
        conn: &mut <Db as sqlx::Database>::Connection,
        writes: &[SubscriptionWrite],
    ) -> StoreResult<u64> {
        let mut applied = 0;
        for write in writes {
            let id: Option<CustomerId> =
                sqlx::query_scalar("SELECT id FROM customers WHERE workspace_id = $1 AND external_id = $2")
                    .bind(write.workspace_id)
                    .bind(&write.external_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let Some(customer_id) = id else { continue };
            let change = SubscriptionChange {
                customer_id,
                subject: write.channel.to_owned(),
                status: write.status,
                source: write.source,
                changed_at: write.received_at,
            };
            applied += apply(&mut *conn, write.workspace_id, std::slice::from_ref(&change)).await?;
        }
        Ok(applied)
    }

    /// Applies `changes` to customers of `workspace_id` (others are ignored): a change takes effect when the
    /// subject has no status yet, or an older one that differs — except that `pending` never replaces
    /// `subscribed` (a confirmed customer sent again as subscribed under double opt-in stays confirmed); each
    /// change that took effect is appended to the history. Returns how many took effect.
    pub(crate) async fn apply(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        changes: &[SubscriptionChange],
    ) -> StoreResult<u64> {
        let mut applied = 0;
        for change in changes {
            let written: Option<i64> = sqlx::query_scalar(
                "INSERT INTO subscriptions (customer_id, workspace_id, subject, status, source, changed_at) \
                 SELECT id, workspace_id, $3, $4, $5, $6 FROM customers WHERE id = $1 AND workspace_id = $2 \
                 ON CONFLICT (customer_id, subject) DO UPDATE SET status = excluded.status, \
                     source = excluded.source, changed_at = excluded.changed_at, confirmation_sent_at = NULL \
                 WHERE subscriptions.changed_at < excluded.changed_at AND subscriptions.status <> excluded.status \
                   AND NOT (excluded.status = 'pending' AND subscriptions.status = 'subscribed') \
                 RETURNING customer_id",
            )
            .bind(change.customer_id)
            .bind(workspace_id)
            .bind(&change.subject)
            .bind(change.status.as_str())
            .bind(change.source.as_str())
            .bind(At(change.changed_at))
            .fetch_optional(&mut *conn)
            .await?;
            if written.is_none() {
                continue;
            }
            sqlx::query(
                "INSERT INTO subscription_history (workspace_id, customer_id, subject, status, source, changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(workspace_id)
            .bind(change.customer_id)
            .bind(&change.subject)
            .bind(change.status.as_str())
            .bind(change.source.as_str())
            .bind(At(change.changed_at))
            .execute(&mut *conn)
            .await?;
            applied += 1;
        }
        Ok(applied)
    }
}
