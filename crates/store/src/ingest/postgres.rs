//! Set-based application of an ingest batch on Postgres.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use converge_domain::{IngestEnvelope, WorkspaceId};
use sqlx::{PgPool, Postgres, Transaction};

use crate::batch::{self, PreparedBatch};
use crate::daily::Rollup;
use crate::retry::retrying;
use crate::segment::folds::ProfileFolds;
use crate::Ingest;
use crate::{IngestOutcome, StoreResult};

/// Concurrent consumers may still deadlock on rows of shared customers despite sorted writes (Postgres does
/// not promise the order in which `UPDATE … FROM` visits rows); such a transaction is simply retried.
async fn apply_once(pool: &PgPool, prepared: &PreparedBatch) -> StoreResult<IngestOutcome> {
    let mut rollup = Rollup::default();
    let mut tx = pool.begin().await?;
    seed_customers(&mut tx, prepared, &mut rollup).await?;
    let customers_upserted = write_profiles(&mut tx, prepared).await?;
    crate::consent::write::postgres::apply_ingested(&mut tx, &prepared.subscriptions).await?;
    let orders_inserted = insert_orders(&mut tx, prepared, &mut rollup).await?;
    record_changes(&mut tx, prepared).await?;
    crate::daily::postgres::add(&mut tx, &rollup).await?;
    tx.commit().await?;
    Ok(IngestOutcome {
        customers_upserted,
        customers_stale: prepared.profiles.len() as u64 - customers_upserted,
        orders_inserted,
        orders_duplicate: prepared.orders.len() as u64 - orders_inserted + prepared.orders_repeated,
    })
}

/// Creates the customers this batch names that do not exist yet, and counts them on the day they arrived.
async fn seed_customers(
    tx: &mut Transaction<'_, Postgres>,
    prepared: &PreparedBatch,
    rollup: &mut Rollup,
) -> StoreResult<()> {
    if prepared.seeds.is_empty() {
        return Ok(());
    }
    let workspaces: Vec<WorkspaceId> = prepared.seeds.iter().map(|s| s.workspace_id).collect();
    let ids: Vec<&str> = prepared.seeds.iter().map(|s| s.external_id.as_str()).collect();
    let created: Vec<DateTime<Utc>> = prepared.seeds.iter().map(|s| s.created_at).collect();
    let received: Vec<DateTime<Utc>> = prepared.seeds.iter().map(|s| s.received_at).collect();
    // The ordinality says which seed each new row came from, so its received day needs no lookup.
    let new: Vec<(i64,)> = sqlx::query_as(
        "WITH t AS (SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::timestamptz[]) WITH ORDINALITY \
                    AS t(w, e, c, n)), \
         ins AS (INSERT INTO customers (workspace_id, external_id, created_at, updated_at, attributes_fold) \
                 SELECT w, e, c, c, '{}'::jsonb FROM t ORDER BY n \
                 ON CONFLICT (workspace_id, external_id) DO NOTHING \
                 RETURNING workspace_id, external_id) \
         SELECT t.n FROM ins JOIN t ON t.w = ins.workspace_id AND t.e = ins.external_id",
    )
    .bind(&workspaces)
    .bind(&ids)
    .bind(&created)
    .fetch_all(&mut **tx)
    .await?;
    for (n,) in new {
        let index = usize::try_from(n - 1).unwrap_or(usize::MAX);
        if let (Some(&workspace_id), Some(&at)) = (workspaces.get(index), received.get(index)) {
            rollup.customer_created(workspace_id, at);
        }
    }
    Ok(())
}

/// Writes folded profiles where no newer profile is stored; returns how many rows were written.
async fn write_profiles(tx: &mut Transaction<'_, Postgres>, prepared: &PreparedBatch) -> StoreResult<u64> {
    let p = &prepared.profiles;
    if p.is_empty() {
        return Ok(0);
    }
    let text = |f: fn(&batch::ProfileWrite) -> Option<&String>| -> Vec<Option<&str>> {
        p.iter().map(|w| f(w).map(String::as_str)).collect()
    };
    let patches: Vec<serde_json::Value> =
        p.iter().map(|w| serde_json::Value::Object(w.attributes_patch.clone())).collect();
    // Fold columns merge exactly like the columns they shadow (see segment::folds).
    let folds: Vec<ProfileFolds> = p.iter().map(ProfileFolds::of).collect();
    let result = sqlx::query(
        "UPDATE customers c SET \
            name = COALESCE(d.name, c.name), email = COALESCE(d.email, c.email), \
            phone = COALESCE(d.phone, c.phone), city = COALESCE(d.city, c.city), \
            gender = COALESCE(d.gender, c.gender), preferred_channel = COALESCE(d.channel, c.preferred_channel), \
            created_at = COALESCE(d.created_at, c.created_at), \
            attributes = CASE WHEN (SELECT count(*) FROM jsonb_object_keys((c.attributes || jsonb_strip_nulls(d.patch)) \
                - ARRAY(SELECT k FROM jsonb_each(d.patch) AS j(k, v) WHERE v = 'null'::jsonb))) \
                 <= $16 \
                THEN (c.attributes || jsonb_strip_nulls(d.patch)) \
                    - ARRAY(SELECT k FROM jsonb_each(d.patch) AS j(k, v) WHERE v = 'null'::jsonb) ELSE c.attributes END, \
            profile_received_at = d.received_at, updated_at = now(), \
            name_fold = COALESCE(d.name_fold, c.name_fold), email_fold = COALESCE(d.email_fold, c.email_fold), \
            city_fold = COALESCE(d.city_fold, c.city_fold), \
            email_key = COALESCE(d.email_key, c.email_key), phone_key = COALESCE(d.phone_key, c.phone_key), \
            attributes_fold = CASE WHEN (SELECT count(*) FROM jsonb_object_keys((c.attributes || jsonb_strip_nulls(d.patch)) \
                - ARRAY(SELECT k FROM jsonb_each(d.patch) AS j(k, v) WHERE v = 'null'::jsonb))) \
                 <= $16 \
                THEN (c.attributes_fold || jsonb_strip_nulls(d.patch_fold)) \
                    - ARRAY(SELECT k FROM jsonb_each(d.patch_fold) AS j(k, v) WHERE v = 'null'::jsonb) \
                ELSE c.attributes_fold END \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
                     $8::text[], $9::timestamptz[], $10::jsonb[], $11::timestamptz[], \
                     $12::text[], $13::text[], $14::text[], $15::jsonb[], $17::text[], $18::text[]) \
              AS d(workspace_id, external_id, name, email, phone, city, gender, channel, created_at, patch, \
                   received_at, name_fold, email_fold, city_fold, patch_fold, email_key, phone_key) \
         WHERE c.workspace_id = d.workspace_id AND c.external_id = d.external_id \
           AND (c.profile_received_at IS NULL OR c.profile_received_at <= d.received_at)",
    )
    .bind(p.iter().map(|w| w.workspace_id).collect::<Vec<_>>())
    .bind(p.iter().map(|w| w.external_id.as_str()).collect::<Vec<_>>())
    .bind(text(|w| w.name.as_ref()))
    .bind(text(|w| w.email.as_ref()))
    .bind(text(|w| w.phone.as_ref()))
    .bind(text(|w| w.city.as_ref()))
    .bind(text(|w| w.gender.as_ref()))
    .bind(text(|w| w.preferred_channel.as_ref()))
    .bind(p.iter().map(|w| w.created_at).collect::<Vec<_>>())
    .bind(patches)
    .bind(p.iter().map(|w| w.received_at).collect::<Vec<_>>())
    .bind(folds.iter().map(|f| f.name.as_deref()).collect::<Vec<_>>())
    .bind(folds.iter().map(|f| f.email.as_deref()).collect::<Vec<_>>())
    .bind(folds.iter().map(|f| f.city.as_deref()).collect::<Vec<_>>())
    .bind(folds.iter().map(|f| f.attributes_patch.clone()).collect::<Vec<_>>())
    .bind(crate::batch::MAX_ATTRIBUTE_KEYS)
    .bind(folds.iter().map(|f| f.email_key.as_deref()).collect::<Vec<_>>())
    .bind(folds.iter().map(|f| f.phone_key.as_deref()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected())
}

/// Inserts the orders not stored yet and, in the same statement, adds exactly those to their customers'
/// aggregates; returns how many orders were inserted, and adds them to the day they were received.
async fn insert_orders(
    tx: &mut Transaction<'_, Postgres>,
    prepared: &PreparedBatch,
    rollup: &mut Rollup,
) -> StoreResult<u64> {
    let o = &prepared.orders;
    if o.is_empty() {
        return Ok(0);
    }
    let days: Vec<(WorkspaceId, NaiveDate, i64, i64)> = sqlx::query_as(
        "WITH d AS ( \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], \
                                  $7::text[], $8::jsonb[], $9::timestamptz[], $10::timestamptz[]) \
                 AS d(w, e, customer, amount, currency, status, channel, items, ordered_at, received_at)), \
         ins AS ( \
             INSERT INTO orders (workspace_id, external_id, customer_id, amount_minor, currency, status, channel, \
                                 items, ordered_at, received_at) \
             SELECT d.w, d.e, c.id, d.amount, d.currency, d.status, d.channel, d.items, d.ordered_at, d.received_at \
             FROM d JOIN customers c ON c.workspace_id = d.w AND c.external_id = d.customer \
             ORDER BY d.w, d.e \
             ON CONFLICT (workspace_id, external_id) DO NOTHING \
             RETURNING workspace_id, customer_id, amount_minor, ordered_at, received_at), \
         agg AS ( \
             SELECT customer_id, LEAST(sum(amount_minor), $11::bigint) AS spend, count(*) AS n, max(ordered_at) AS last_at \
             FROM ins GROUP BY customer_id), \
         upd AS ( \
             UPDATE customers c SET total_spend = LEAST(c.total_spend + agg.spend, $11::bigint)::bigint, order_count = c.order_count + agg.n, \
                 visits = c.visits + agg.n, last_order_at = GREATEST(c.last_order_at, agg.last_at), \
                 updated_at = now() \
             FROM agg WHERE c.id = agg.customer_id RETURNING 1) \
         SELECT workspace_id, (received_at AT TIME ZONE 'UTC')::date, count(*), LEAST(sum(amount_minor), $11::bigint)::bigint \
         FROM ins GROUP BY 1, 2",
    )
    .bind(o.iter().map(|w| w.workspace_id).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.external_id.as_str()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.customer_external_id.as_str()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.amount_minor).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.currency.as_str()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.status.as_str()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.channel.as_deref()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.items.clone()).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.ordered_at).collect::<Vec<_>>())
    .bind(o.iter().map(|w| w.received_at).collect::<Vec<_>>())
    .bind(converge_domain::TOTAL_CAP_MINOR)
    .fetch_all(&mut **tx)
    .await?;
    let mut inserted = 0;
    for (workspace_id, day, orders, revenue) in days {
        rollup.orders_recorded(workspace_id, day, orders, revenue);
        inserted += orders as u64;
    }
    Ok(inserted)
}

/// Notes, in the same transaction, which customers this batch may have changed (see migration 0003).
async fn record_changes(tx: &mut Transaction<'_, Postgres>, prepared: &PreparedBatch) -> StoreResult<()> {
    if prepared.seeds.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO customer_changes (workspace_id, external_ids) \
         SELECT w, array_agg(e) FROM UNNEST($1::bigint[], $2::text[]) AS t(w, e) GROUP BY w",
    )
    .bind(prepared.seeds.iter().map(|s| s.workspace_id).collect::<Vec<_>>())
    .bind(prepared.seeds.iter().map(|s| s.external_id.as_str()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl Ingest for crate::postgres::PgStore {
    async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome> {
        let prepared = batch::prepare(batch);
        retrying("ingest batch", || apply_once(self.pool(), &prepared)).await
    }
}
