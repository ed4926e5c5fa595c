//! Application of an ingest batch on SQLite: row-at-a-time statements inside one transaction (SQLite runs
//! in-process, so per-row prepared statements cost microseconds, and its writer lock serialises batches anyway).

use async_trait::async_trait;
use chrono::Utc;
use converge_domain::{CustomerId, IngestEnvelope, WorkspaceId};
use sqlx::{Sqlite, Transaction};

use crate::batch::{self, PreparedBatch};
use crate::codec::{from_millis, millis};
use crate::daily::Rollup;
use crate::segment::folds::ProfileFolds;
use crate::Ingest;
use crate::{IngestOutcome, StoreResult};

/// Creates the customers this batch names that do not exist yet, and counts them on the day they arrived.
async fn seed_customers(
    tx: &mut Transaction<'_, Sqlite>,
    prepared: &PreparedBatch,
    rollup: &mut Rollup,
) -> StoreResult<()> {
    for seed in &prepared.seeds {
        let result = sqlx::query(
            "INSERT INTO customers (workspace_id, external_id, created_at, updated_at, attributes_fold) \
             VALUES ($1, $2, $3, $3, '{}') \
             ON CONFLICT (workspace_id, external_id) DO NOTHING",
        )
        .bind(seed.workspace_id)
        .bind(&seed.external_id)
        .bind(millis(seed.created_at))
        .execute(&mut **tx)
        .await?;
        if result.rows_affected() > 0 {
            rollup.customer_created(seed.workspace_id, seed.received_at);
        }
    }
    Ok(())
}

async fn write_profiles(tx: &mut Transaction<'_, Sqlite>, prepared: &PreparedBatch) -> StoreResult<u64> {
    let now = millis(Utc::now());
    let mut written = 0;
    for p in &prepared.profiles {
        let patch = serde_json::Value::Object(p.attributes_patch.clone()).to_string();
        // Fold columns merge exactly like the columns they shadow (see segment::folds). The attribute patch
        // applies only if the merged set keeps at most MAX_ATTRIBUTE_KEYS keys (see batch::MAX_ATTRIBUTE_KEYS).
        let folds = ProfileFolds::of(p);
        let result = sqlx::query(
            "UPDATE customers SET name = COALESCE($3, name), email = COALESCE($4, email), \
                phone = COALESCE($5, phone), city = COALESCE($6, city), gender = COALESCE($7, gender), \
                preferred_channel = COALESCE($8, preferred_channel), created_at = COALESCE($9, created_at), \
                attributes = CASE WHEN (SELECT count(*) FROM json_each(json_patch(attributes, $10))) <= $17 \
                    THEN json_patch(attributes, $10) ELSE attributes END, \
                profile_received_at = $11, updated_at = $12, \
                name_fold = COALESCE($13, name_fold), email_fold = COALESCE($14, email_fold), \
                city_fold = COALESCE($15, city_fold), \
                email_key = COALESCE($18, email_key), phone_key = COALESCE($19, phone_key), \
                attributes_fold = CASE WHEN (SELECT count(*) FROM json_each(json_patch(attributes, $10))) <= $17 \
                    THEN json_patch(attributes_fold, $16) ELSE attributes_fold END \
             WHERE workspace_id = $1 AND external_id = $2 \
               AND (profile_received_at IS NULL OR profile_received_at <= $11)",
        )
        .bind(p.workspace_id)
        .bind(&p.external_id)
        .bind(&p.name)
        .bind(&p.email)
        .bind(&p.phone)
        .bind(&p.city)
        .bind(&p.gender)
        .bind(&p.preferred_channel)
        .bind(p.created_at.map(millis))
        .bind(patch)
        .bind(millis(p.received_at))
        .bind(now)
        .bind(folds.name)
        .bind(folds.email)
        .bind(folds.city)
        .bind(folds.attributes_patch.to_string())
        .bind(crate::batch::MAX_ATTRIBUTE_KEYS)
        .bind(folds.email_key)
        .bind(folds.phone_key)
        .execute(&mut **tx)
        .await?;
        written += result.rows_affected();
    }
    Ok(written)
}

async fn insert_orders(
    tx: &mut Transaction<'_, Sqlite>,
    prepared: &PreparedBatch,
    rollup: &mut Rollup,
) -> StoreResult<Vec<(CustomerId, i64, chrono::DateTime<Utc>)>> {
    let mut inserted = Vec::with_capacity(prepared.orders.len());
    for o in &prepared.orders {
        let row: Option<(CustomerId, i64, i64)> = sqlx::query_as(
            "INSERT INTO orders (workspace_id, external_id, customer_id, amount_minor, currency, status, channel, \
                                 items, ordered_at, received_at) \
             SELECT $1, $2, c.id, $4, $5, $6, $7, $8, $9, $10 FROM customers c \
             WHERE c.workspace_id = $1 AND c.external_id = $3 \
             ON CONFLICT (workspace_id, external_id) DO NOTHING \
             RETURNING customer_id, amount_minor, ordered_at",
        )
        .bind(o.workspace_id)
        .bind(&o.external_id)
        .bind(&o.customer_external_id)
        .bind(o.amount_minor)
        .bind(&o.currency)
        .bind(&o.status)
        .bind(&o.channel)
        .bind(o.items.to_string())
        .bind(millis(o.ordered_at))
        .bind(millis(o.received_at))
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((customer_id, amount, ordered_at)) = row {
            rollup.order_recorded(o.workspace_id, o.received_at, amount);
            inserted.push((customer_id, amount, from_millis(ordered_at)?));
        }
    }
    Ok(inserted)
}

async fn update_aggregates(
    tx: &mut Transaction<'_, Sqlite>,
    inserted: &[(CustomerId, i64, chrono::DateTime<Utc>)],
) -> StoreResult<()> {
    let now = millis(Utc::now());
    for d in batch::aggregate(inserted) {
        sqlx::query(
            // min(total, cap - d) + d is min(total + d, cap) with no step above the cap (d is capped already).
            "UPDATE customers SET total_spend = min(total_spend, $6 - $2) + $2, order_count = order_count + $3, \
                visits = visits + $3, last_order_at = max(COALESCE(last_order_at, $4), $4), updated_at = $5 \
             WHERE id = $1",
        )
        .bind(d.customer_id)
        .bind(d.spend)
        .bind(d.orders)
        .bind(millis(d.last_order_at))
        .bind(now)
        .bind(converge_domain::TOTAL_CAP_MINOR)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Notes, in the same transaction, which customers this batch may have changed (see migration 0003).
async fn record_changes(tx: &mut Transaction<'_, Sqlite>, prepared: &PreparedBatch) -> StoreResult<()> {
    let mut by_workspace: std::collections::BTreeMap<WorkspaceId, Vec<&str>> = std::collections::BTreeMap::new();
    for seed in &prepared.seeds {
        by_workspace.entry(seed.workspace_id).or_default().push(seed.external_id.as_str());
    }
    let now = millis(Utc::now());
    for (workspace_id, ids) in by_workspace {
        sqlx::query("INSERT INTO customer_changes (workspace_id, external_ids, recorded_at) VALUES ($1, $2, $3)")
            .bind(workspace_id)
            .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl Ingest for crate::sqlite::SqliteStore {
    async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome> {
        let prepared = batch::prepare(batch);
        let mut rollup = Rollup::default();
        let mut tx = self.pool().begin().await?;
        seed_customers(&mut tx, &prepared, &mut rollup).await?;
        let customers_upserted = write_profiles(&mut tx, &prepared).await?;
        crate::consent::write::sqlite::apply_ingested(&mut tx, &prepared.subscriptions).await?;
        let inserted = insert_orders(&mut tx, &prepared, &mut rollup).await?;
        update_aggregates(&mut tx, &inserted).await?;
        record_changes(&mut tx, &prepared).await?;
        crate::daily::sqlite::add(&mut tx, &rollup).await?;
        tx.commit().await?;
        let orders_inserted = inserted.len() as u64;
        Ok(IngestOutcome {
            customers_upserted,
            customers_stale: prepared.profiles.len() as u64 - customers_upserted,
            orders_inserted,
            orders_duplicate: prepared.orders.len() as u64 - orders_inserted + prepared.orders_repeated,
        })
    }
}
