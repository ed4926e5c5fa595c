//! Rule SQL run against the customers table, on both backends: counts, ids and samples of a rule, the
//! attribute types seen, every customer's facts, and the fold backfill.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use serde_json::Value;
use sqlx::query::Query;
use sqlx::Row;

use super::builder::Param;
use super::compile::compile;
use super::folds::RowFolds;
use super::types::pick_types;
use crate::backend::per_backend;
use crate::codec::{At, Texts};
use crate::customers::COLUMNS;
use crate::feed::facts;
use crate::{customers, Backend, CustomerRow, StoreError, StoreResult};
use converge_domain::{CustomerId, WorkspaceId};

/// `(sql, params)` of `SELECT <select> FROM customers c WHERE c.workspace_id = $1 AND <rule> <tail>`: the
/// rule's placeholders start at `$2`, and `$next` in `tail` becomes the one after them (for a LIMIT).
///
/// Rule SQL differs per rule, so callers run it with `persistent(false)`: it is not worth a slot in sqlx's
/// per-connection statement cache.
fn scoped(backend: Backend, select: &str, rule: &Rule, now: DateTime<Utc>, tail: &str) -> (String, Vec<Param>) {
    let filter = compile(rule, now, backend.into(), 2);
    let next = filter.next_placeholder(2);
    let tail = tail.replace("$next", &format!("${next}"));
    (format!("SELECT {select} FROM customers c WHERE c.workspace_id = $1 AND {} {tail}", filter.sql), filter.params)
}

/// What one attribute value's JSON type, as the backend names it, means for segments.
fn attribute_type(json_type: &str) -> Option<AttributeType> {
    match json_type {
        // jsonb_typeof on Postgres; json_each's `type` on SQLite.
        "string" | "text" => Some(AttributeType::String),
        "number" | "integer" | "real" => Some(AttributeType::Number),
        "boolean" | "true" | "false" => Some(AttributeType::Boolean),
        _ => None,
    }
}

/// Rules run as SQL over a workspace's customers (the exact answer the audience index is checked against).
#[async_trait]
pub trait RuleQueries: Send + Sync {
    /// How many of the workspace's customers `rule` selects at `now`: exactly the customers for which
    /// [`Rule::matches`] holds on their [`RuleQueries::customer_facts`](crate::RuleQueries::customer_facts), at the moment of the query. `rule` must
    /// have been parsed with the workspace's currency.
    async fn segment_count(&self, workspace_id: WorkspaceId, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The first `limit` customers `rule` selects at `now`, by ascending id.
    async fn segment_sample(
        &self,
        workspace_id: WorkspaceId,
        rule: &Rule,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<CustomerRow>>;

    /// Ids of every customer `rule` selects at `now`, ascending.
    async fn segment_ids(
        &self,
        workspace_id: WorkspaceId,
        rule: &Rule,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<CustomerId>>;

    /// Each custom attribute key used in the workspace with the JSON type most customers hold under it
    /// (ties: string, then number), sorted by key; feed it to
    /// [`Catalogue::with_attributes`](converge_domain::segment::Catalogue::with_attributes). Scans every
    /// customer's attributes, so callers should cache it.
    async fn attribute_types(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(String, AttributeType)>>;

    /// Every customer of the workspace with the facts rules are evaluated on (orders included, oldest
    /// first), by ascending id: for building in-memory indexes and for checking them against SQL.
    async fn customer_facts(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(i64, CustomerFacts)>>;
}

per_backend! {
    use customers, facts;

    type DbQuery<'q> = Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

    /// Binds a compiled rule's values in order.
    pub(crate) fn bind_params<'q>(mut query: DbQuery<'q>, params: &[Param]) -> DbQuery<'q> {
        for param in params {
            query = match param {
                Param::Int(number) => query.bind(*number),
                Param::Text(text) => query.bind(text.clone()),
                Param::TextList(items) => query.bind(Texts(items.clone())),
                Param::Timestamp(at) => query.bind(At(*at)),
            };
        }
        query
    }

    pub(crate) fn facts_of(row: &DbRow) -> StoreResult<(i64, CustomerFacts)> {
        let attributes = match row.try_get::<Value, _>("attributes")? {
            Value::Object(map) => map,
            other => return Err(StoreError::Corrupt(format!("attributes is not an object: {other}"))),
        };
        let profile: Option<At> = row.try_get("profile_received_at")?;
        let facts = CustomerFacts {
            created_at: row.try_get::<At, _>("created_at")?.0,
            has_profile: profile.is_some(),
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            city: row.try_get("city")?,
            gender: row.try_get("gender")?,
            preferred_channel: row.try_get("preferred_channel")?,
            email_status: row.try_get("email_status")?,
            sms_status: row.try_get("sms_status")?,
            whatsapp_status: row.try_get("whatsapp_status")?,
            suppressed: row.try_get("suppressed")?,
            attributes,
            total_spend: row.try_get("total_spend")?,
            order_count: row.try_get("order_count")?,
            visits: row.try_get("visits")?,
            last_order_at: row.try_get::<Option<At>, _>("last_order_at")?.map(DateTime::from),
            orders: Vec::new(),
        };
        Ok((row.try_get("id")?, facts))
    }

    /// Fills the fold columns of rows written before migration 0002, 500 at a time. Each update only applies
    /// if the row still holds the values its folds were computed from (an ingest may race with it; the
    /// attributes are compared as the text the database prints them as); a row skipped that way is read
    /// again in the next round.
    pub(crate) async fn backfill_folds(pool: &Pool) -> StoreResult<()> {
        type Stale = (i64, Option<String>, Option<String>, Option<String>, String);
        let text = BACKEND.json_text("attributes");
        let select = format!(
            "SELECT id, name, email, city, {text} FROM customers WHERE attributes_fold IS NULL ORDER BY id LIMIT 500"
        );
        let update = format!(
            "UPDATE customers SET name_fold = $2, email_fold = $3, city_fold = $4, attributes_fold = $5 \
             WHERE id = $1 AND attributes_fold IS NULL AND name IS NOT DISTINCT FROM $6 \
               AND email IS NOT DISTINCT FROM $7 AND city IS NOT DISTINCT FROM $8 AND {text} = $9"
        );
        loop {
            let rows: Vec<Stale> = sqlx::query_as(&select).fetch_all(pool).await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            let mut written = 0;
            for (id, name, email, city, attributes) in &rows {
                let json: Value = serde_json::from_str(attributes).unwrap_or(Value::Null);
                let folds = RowFolds::of(name.as_deref(), email.as_deref(), city.as_deref(), &json);
                let result = sqlx::query(&update)
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

    /// Fills the suppression keys of rows written before migration 0016 (or by a build that did not write
    /// them), 500 at a time, each only if the row still holds the addresses its keys were computed from.
    pub(crate) async fn backfill_address_keys(pool: &Pool) -> StoreResult<()> {
        const UNKEYED: &str = "((email IS NOT NULL AND email_key IS NULL) OR (phone IS NOT NULL AND phone_key IS NULL))";
        let select = format!("SELECT id, email, phone FROM customers WHERE {UNKEYED} ORDER BY id LIMIT 500");
        let update = format!(
            "UPDATE customers SET email_key = $2, phone_key = $3 \
             WHERE id = $1 AND {UNKEYED} AND email IS NOT DISTINCT FROM $4 AND phone IS NOT DISTINCT FROM $5"
        );
        loop {
            let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(&select).fetch_all(pool).await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            let mut written = 0;
            for (id, email, phone) in &rows {
                let (email_key, phone_key) = crate::segment::folds::address_keys(email.as_deref(), phone.as_deref());
                let result = sqlx::query(&update)
                    .bind(id)
                    .bind(email_key)
                    .bind(phone_key)
                    .bind(email)
                    .bind(phone)
                    .execute(&mut *tx)
                    .await?;
                written += result.rows_affected();
            }
            tx.commit().await?;
            if written == 0 {
                tracing::warn!(rows = rows.len(), "address key backfill made no progress; will retry at next start");
                return Ok(());
            }
        }
    }

    #[async_trait]
    impl RuleQueries for BackendStore {
        async fn segment_count(&self, workspace_id: WorkspaceId, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64> {
            let (sql, params) = scoped(BACKEND, "count(*)", rule, now, "");
            let row = bind_params(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).fetch_one(self.pool()).await?;
            let count: i64 = row.try_get(0)?;
            Ok(u64::try_from(count).unwrap_or(0))
        }

        async fn segment_sample(
            &self,
            workspace_id: WorkspaceId,
            rule: &Rule,
            now: DateTime<Utc>,
            limit: u32,
        ) -> StoreResult<Vec<CustomerRow>> {
            let (sql, params) = scoped(BACKEND, COLUMNS, rule, now, "ORDER BY c.id LIMIT $next");
            let query = bind_params(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).bind(i64::from(limit));
            let rows = query.fetch_all(self.pool()).await?;
            rows.iter().map(customers::customer).collect()
        }

        async fn segment_ids(&self, workspace_id: WorkspaceId, rule: &Rule, now: DateTime<Utc>) -> StoreResult<Vec<CustomerId>> {
            let (sql, params) = scoped(BACKEND, "c.id", rule, now, "ORDER BY c.id");
            let rows = bind_params(sqlx::query(&sql).persistent(false).bind(workspace_id), &params).fetch_all(self.pool()).await?;
            Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
        }

        async fn attribute_types(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(String, AttributeType)>> {
            let each = match BACKEND {
                Backend::Postgres => "e.key, jsonb_typeof(e.value), count(*) FROM customers c, jsonb_each(c.attributes) AS e",
                Backend::Sqlite => "e.key, e.type, count(*) FROM customers c, json_each(c.attributes) AS e",
            };
            let sql = format!("SELECT {each} WHERE c.workspace_id = $1 GROUP BY 1, 2");
            let rows: Vec<(String, String, i64)> = sqlx::query_as(&sql).bind(workspace_id).fetch_all(self.pool()).await?;
            let counts = rows
                .into_iter()
                .filter_map(|(key, json_type, count)| Some((key, attribute_type(&json_type)?, count)));
            Ok(pick_types(counts.collect()))
        }

        async fn customer_facts(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(i64, CustomerFacts)>> {
            let mut conn = self.pool().acquire().await?;
            facts::facts(&mut conn, workspace_id, None).await
        }
    }
}
