//! Reading customers and their orders, on both backends.

use async_trait::async_trait;
use chrono::DateTime;
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::{At, Ids};
use crate::{Counts, CustomerQuery, CustomerRow, OrderRow, StoreResult};
use converge_domain::{CustomerId, WorkspaceId};

pub(crate) const COLUMNS: &str = "id, external_id, name, email, phone, city, gender, preferred_channel, attributes, \
    created_at, updated_at, profile_received_at, total_spend, order_count, visits, last_order_at";

/// Reading customers and their orders.
#[async_trait]
pub trait Customers: Send + Sync {
    /// One page of a workspace's customers, in the query's order.
    async fn list_customers(&self, workspace_id: WorkspaceId, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>>;

    /// How many of the workspace's customers a list with this search holds.
    async fn count_customers(&self, workspace_id: WorkspaceId, search: Option<&str>) -> StoreResult<i64>;

    async fn customer(&self, workspace_id: WorkspaceId, external_id: &str) -> StoreResult<Option<CustomerRow>>;

    /// A customer's most recent orders, newest first.
    async fn customer_orders(
        &self,
        workspace_id: WorkspaceId,
        customer_id: CustomerId,
        limit: u32,
    ) -> StoreResult<Vec<OrderRow>>;

    /// Row counts of a workspace.
    /// Customers by internal id (a preview's sample), ordered by id; ids of other workspaces are ignored.
    async fn customers_by_ids(&self, workspace_id: WorkspaceId, ids: &[CustomerId]) -> StoreResult<Vec<CustomerRow>>;

    async fn counts(&self, workspace_id: WorkspaceId) -> StoreResult<Counts>;
}

/// The search condition of a customer list over the placeholders `text` (the search as a LIKE pattern) and
/// `phone` (its digits as a phone pattern, when it reads like a number).
fn search_condition(text: &str, phone: &str) -> String {
    format!(
        "({text} IS NULL OR lower(external_id) LIKE {text} ESCAPE '\\' OR name_fold LIKE {text} ESCAPE '\\' \
         OR email_fold LIKE {text} ESCAPE '\\' OR city_fold LIKE {text} ESCAPE '\\' \
         OR ({phone} IS NOT NULL AND phone LIKE {phone}))"
    )
}

fn search_patterns(query: &CustomerQuery) -> (Option<String>, Option<String>) {
    let text = query.search.as_deref();
    (text.map(crate::model::like_pattern), text.and_then(crate::model::phone_pattern))
}

per_backend! {
    pub(crate) fn customer(row: &DbRow) -> StoreResult<CustomerRow> {
        let profile: Option<At> = row.try_get("profile_received_at")?;
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
            created_at: row.try_get::<At, _>("created_at")?.0,
            updated_at: row.try_get::<At, _>("updated_at")?.0,
            has_profile: profile.is_some(),
            total_spend: row.try_get("total_spend")?,
            order_count: row.try_get("order_count")?,
            visits: row.try_get("visits")?,
            last_order_at: row.try_get::<Option<At>, _>("last_order_at")?.map(DateTime::from),
        })
    }

    #[async_trait]
    impl Customers for BackendStore {
        async fn list_customers(&self, workspace_id: WorkspaceId, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>> {
            let sql = format!(
                "SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) AND {} \
                 ORDER BY {} LIMIT $5 OFFSET $6",
                search_condition("$3", "$4"),
                query.sort.order_by()
            );
            let (pattern, phone) = search_patterns(query);
            let rows = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(query.before_id)
                .bind(pattern)
                .bind(phone)
                .bind(i64::from(query.limit))
                .bind(i64::from(query.offset))
                .fetch_all(self.pool())
                .await?;
            rows.iter().map(customer).collect()
        }

        async fn count_customers(&self, workspace_id: WorkspaceId, search: Option<&str>) -> StoreResult<i64> {
            let query = CustomerQuery { search: search.map(str::to_owned), ..CustomerQuery::default() };
            let (pattern, phone) = search_patterns(&query);
            let sql = format!("SELECT count(*) FROM customers WHERE workspace_id = $1 AND {}", search_condition("$2", "$3"));
            let count: i64 = sqlx::query_scalar(&sql)
                .bind(workspace_id)
                .bind(pattern)
                .bind(phone)
                .fetch_one(self.pool())
                .await?;
            Ok(count)
        }

        async fn customer(&self, workspace_id: WorkspaceId, external_id: &str) -> StoreResult<Option<CustomerRow>> {
            let sql = format!("SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 AND external_id = $2");
            let row = sqlx::query(&sql).bind(workspace_id).bind(external_id).fetch_optional(self.pool()).await?;
            row.as_ref().map(customer).transpose()
        }

        async fn customer_orders(
            &self,
            workspace_id: WorkspaceId,
            customer_id: CustomerId,
            limit: u32,
        ) -> StoreResult<Vec<OrderRow>> {
            let rows = sqlx::query(
                "SELECT id, external_id, amount_minor, currency, status, channel, items, ordered_at, received_at \
                 FROM orders WHERE workspace_id = $1 AND customer_id = $2 ORDER BY ordered_at DESC, id DESC LIMIT $3",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(OrderRow {
                        id: row.try_get("id")?,
                        external_id: row.try_get("external_id")?,
                        amount_minor: row.try_get("amount_minor")?,
                        currency: row.try_get("currency")?,
                        status: row.try_get("status")?,
                        channel: row.try_get("channel")?,
                        items: row.try_get("items")?,
                        ordered_at: row.try_get::<At, _>("ordered_at")?.0,
                        received_at: row.try_get::<At, _>("received_at")?.0,
                    })
                })
                .collect()
        }

        /// Customers by internal id (a preview's sample), ordered by id; ids of other workspaces are ignored.
        async fn customers_by_ids(&self, workspace_id: WorkspaceId, ids: &[CustomerId]) -> StoreResult<Vec<CustomerRow>> {
            let sql =
                format!("SELECT {COLUMNS} FROM customers WHERE workspace_id = $1 AND {} ORDER BY id", BACKEND.any("id", "$2"));
            let rows = sqlx::query(&sql).bind(workspace_id).bind(Ids(ids)).fetch_all(self.pool()).await?;
            rows.iter().map(customer).collect()
        }

        async fn counts(&self, workspace_id: WorkspaceId) -> StoreResult<Counts> {
            let (customers, orders): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM customers WHERE workspace_id = $1), \
                        (SELECT count(*) FROM orders WHERE workspace_id = $1)",
            )
            .bind(workspace_id)
            .fetch_one(self.pool())
            .await?;
            Ok(Counts { customers, orders })
        }
    }
}
