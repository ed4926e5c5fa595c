//! Reading customers and their orders on Postgres.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::{CustomerQuery, CustomerRow, OrderRow, StoreResult};

pub(crate) const COLUMNS: &str = "id, external_id, name, email, phone, city, gender, preferred_channel, attributes, \
    created_at, updated_at, profile_received_at, total_spend, order_count, visits, last_order_at";

pub(crate) fn customer(row: &PgRow) -> Result<CustomerRow, sqlx::Error> {
    let profile: Option<DateTime<Utc>> = row.try_get("profile_received_at")?;
    Ok(CustomerRow {
        id: row.try_get("id")?,
        external_id: row.try_get("external_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        city: row.try_get("city")?,
        gender: row.try_get("gender")?,
        preferred_channel: row.try_get("preferred_channel")?,
        attributes: row.try_get("attributes")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        has_profile: profile.is_some(),
        total_spend: row.try_get("total_spend")?,
        order_count: row.try_get("order_count")?,
        visits: row.try_get("visits")?,
        last_order_at: row.try_get("last_order_at")?,
    })
}

pub(super) async fn list(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>> {
    let pattern = query.search.as_deref().map(crate::model::like_pattern);
    let sql = format!(
        "SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 \
           AND ($2::bigint IS NULL OR id < $2) \
           AND ($3::text IS NULL OR lower(external_id) LIKE $3 ESCAPE '\\' OR name_fold LIKE $3 ESCAPE '\\' \
                OR email_fold LIKE $3 ESCAPE '\\') \
         ORDER BY id DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(workspace_id)
        .bind(query.before_id)
        .bind(pattern)
        .bind(i64::from(query.limit))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(customer).collect::<Result<_, _>>()?)
}

pub(super) async fn one(pool: &PgPool, workspace_id: i64, external_id: &str) -> StoreResult<Option<CustomerRow>> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 AND external_id = $2");
    let row = sqlx::query(&sql).bind(workspace_id).bind(external_id).fetch_optional(pool).await?;
    Ok(row.as_ref().map(customer).transpose()?)
}

pub(super) async fn orders(
    pool: &PgPool,
    workspace_id: i64,
    customer_id: i64,
    limit: u32,
) -> StoreResult<Vec<OrderRow>> {
    let rows = sqlx::query(
        "SELECT id, external_id, amount_minor, currency, status, channel, items, ordered_at, received_at \
         FROM orders WHERE workspace_id = $1 AND customer_id = $2 ORDER BY ordered_at DESC, id DESC LIMIT $3",
    )
    .bind(workspace_id)
    .bind(customer_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let order = |row: &PgRow| -> Result<OrderRow, sqlx::Error> {
        Ok(OrderRow {
            id: row.try_get("id")?,
            external_id: row.try_get("external_id")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
            status: row.try_get("status")?,
            channel: row.try_get("channel")?,
            items: row.try_get("items")?,
            ordered_at: row.try_get("ordered_at")?,
            received_at: row.try_get("received_at")?,
        })
    };
    Ok(rows.iter().map(order).collect::<Result<_, _>>()?)
}

pub(super) async fn by_ids(pool: &PgPool, workspace_id: i64, ids: &[i64]) -> StoreResult<Vec<CustomerRow>> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 AND id = ANY($2) ORDER BY id");
    let rows = sqlx::query(&sql).bind(workspace_id).bind(ids).fetch_all(pool).await?;
    Ok(rows.iter().map(customer).collect::<Result<_, _>>()?)
}
