//! Segment queries on Postgres.

use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgPool, Postgres, Row};

use super::builder::{Dialect, Param};
use super::compile::compile;
use super::folds::RowFolds;
use super::types::pick_types;
use crate::customers::{postgres::customer, COLUMNS};
use crate::{CustomerRow, StoreError, StoreResult};

fn bind<'q>(mut query: Query<'q, Postgres, PgArguments>, params: &[Param]) -> Query<'q, Postgres, PgArguments> {
    for param in params {
        query = match param {
            Param::Int(number) => query.bind(*number),
            Param::Text(text) => query.bind(text.clone()),
            Param::TextList(items) => query.bind(items.clone()),
            Param::Timestamp(at) => query.bind(*at),
        };
    }
    query
}

/// `(sql, params)` of `SELECT <select> FROM customers c WHERE c.workspace_id = $1 AND <rule> <tail>`: the
/// rule's placeholders start at `$2`, and `$next` in `tail` becomes the one after them (for a LIMIT).
///
/// Rule SQL differs per rule, so callers run it with `persistent(false)`: it is not worth a slot in sqlx's
/// per-connection statement cache.
fn scoped(select: &str, rule: &Rule, now: DateTime<Utc>, tail: &str) -> (String, Vec<Param>) {
    let filter = compile(rule, now, Dialect::Postgres, 2);
    let next = filter.next_placeholder(2);
    let tail = tail.replace("$next", &format!("${next}"));
    (format!("SELECT {select} FROM customers c WHERE c.workspace_id = $1 AND {} {tail}", filter.sql), filter.params)
}

pub(crate) async fn count(pool: &PgPool, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64> {
    let (sql, params) = scoped("count(*)", rule, now, "");
    let row = bind(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).fetch_one(pool).await?;
    let count: i64 = row.try_get(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(crate) async fn ids(pool: &PgPool, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
    let (sql, params) = scoped("c.id", rule, now, "ORDER BY c.id");
    let rows = bind(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).fetch_all(pool).await?;
    Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
}

pub(crate) async fn sample(
    pool: &PgPool,
    workspace_id: i64,
    rule: &Rule,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<CustomerRow>> {
    let (sql, params) = scoped(COLUMNS, rule, now, "ORDER BY c.id LIMIT $next");
    let query = bind(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).bind(i64::from(limit));
    let rows = query.fetch_all(pool).await?;
    rows.iter().map(customer).collect()
}

pub(crate) async fn attribute_types(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<(String, AttributeType)>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT e.key, jsonb_typeof(e.value), count(*) FROM customers c, jsonb_each(c.attributes) AS e \
         WHERE c.workspace_id = $1 GROUP BY 1, 2",
    )
    .bind(workspace_id)
    .fetch_all(pool)
    .await?;
    let counts = rows.into_iter().filter_map(|(key, json_type, count)| {
        let kind = match json_type.as_str() {
            "string" => AttributeType::String,
            "number" => AttributeType::Number,
            "boolean" => AttributeType::Boolean,
            _ => return None,
        };
        Some((key, kind, count))
    });
    Ok(pick_types(counts.collect()))
}

pub(crate) async fn customer_facts(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<(i64, CustomerFacts)>> {
    let mut conn = pool.acquire().await?;
    crate::audience::postgres::facts(&mut conn, workspace_id, None).await
}

pub(crate) fn facts_of(row: &PgRow) -> StoreResult<(i64, CustomerFacts)> {
    let attributes = match row.try_get::<Value, _>("attributes")? {
        Value::Object(map) => map,
        other => return Err(StoreError::Corrupt(format!("attributes is not an object: {other}"))),
    };
    let profile: Option<DateTime<Utc>> = row.try_get("profile_received_at")?;
    let facts = CustomerFacts {
        created_at: row.try_get("created_at")?,
        has_profile: profile.is_some(),
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        city: row.try_get("city")?,
        gender: row.try_get("gender")?,
        preferred_channel: row.try_get("preferred_channel")?,
        attributes,
        total_spend: row.try_get("total_spend")?,
        order_count: row.try_get("order_count")?,
        visits: row.try_get("visits")?,
        last_order_at: row.try_get("last_order_at")?,
        orders: Vec::new(),
    };
    Ok((row.try_get("id")?, facts))
}

/// Fills the fold columns of rows written before migration 0002, 500 at a time. Each update only applies
/// if the row still holds the values its folds were computed from (an ingest may race with it); a row
/// skipped that way is read again in the next round.
pub(crate) async fn backfill_folds(pool: &PgPool) -> StoreResult<()> {
    type Stale = (i64, Option<String>, Option<String>, Option<String>, Value);
    loop {
        let rows: Vec<Stale> = sqlx::query_as(
            "SELECT id, name, email, city, attributes FROM customers WHERE attributes_fold IS NULL ORDER BY id LIMIT 500",
        )
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        let mut written = 0;
        for (id, name, email, city, attributes) in &rows {
            let folds = RowFolds::of(name.as_deref(), email.as_deref(), city.as_deref(), attributes);
            let result = sqlx::query(
                "UPDATE customers SET name_fold = $2, email_fold = $3, city_fold = $4, attributes_fold = $5 \
                 WHERE id = $1 AND attributes_fold IS NULL AND name IS NOT DISTINCT FROM $6 \
                   AND email IS NOT DISTINCT FROM $7 AND city IS NOT DISTINCT FROM $8 AND attributes = $9",
            )
            .bind(id)
            .bind(folds.name)
            .bind(folds.email)
            .bind(folds.city)
            .bind(folds.attributes)
            .bind(name)
            .bind(email)
            .bind(city)
            .bind(attributes)
            .execute(&mut *tx)
            .await?;
            written += result.rows_affected();
        }
        tx.commit().await?;
        if written == 0 {
            tracing::warn!(rows = rows.len(), "fold backfill made no progress; will retry at next start");
            return Ok(());
        }
    }
}
