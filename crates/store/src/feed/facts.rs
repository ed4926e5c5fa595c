//! The facts of a workspace's customers as rules evaluate them, with their orders: what the audience index
//! is built from (a snapshot) and refreshed with (a change set). Read inside the caller's transaction, so the
//! facts and the feed's watermark describe the same instant.

use std::collections::HashMap;

use converge_domain::segment::{CustomerFacts, OrderFact};
use converge_domain::WorkspaceId;

use crate::backend::per_backend;
use crate::codec::{At, Ids, Texts};
use crate::segment;
use crate::StoreResult;

/// A channel's recorded subscription of customer `c`, as a column named `<channel>_status`.
fn status_column(channel: &str) -> String {
    format!("{} AS {channel}_status", crate::segment::fields::status_of(channel))
}

per_backend! {
    use segment;

    /// Facts of a workspace's customers — all of them, or only those with the given external ids.
    pub(crate) async fn facts(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        only: Option<&[String]>,
    ) -> StoreResult<Vec<(i64, CustomerFacts)>> {
        let sql = format!(
            "SELECT id, name, email, phone, city, gender, preferred_channel, attributes, created_at, \
                    profile_received_at, total_spend, order_count, visits, last_order_at, {}, {}, {}, \
                    {} AS suppressed \
             FROM customers c WHERE workspace_id = $1 AND ($2 IS NULL OR {}) ORDER BY id",
            status_column("email"),
            status_column("sms"),
            status_column("whatsapp"),
            crate::segment::fields::SUPPRESSED,
            BACKEND.any("external_id", "$2")
        );
        let rows = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(only.map(|ids| Texts(ids.to_vec())))
            .fetch_all(&mut *conn)
            .await?;
        let mut facts: Vec<(i64, CustomerFacts)> = rows.iter().map(segment::facts_of).collect::<StoreResult<_>>()?;
        let position: HashMap<i64, usize> = facts.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        let ids: Option<Vec<i64>> = only.map(|_| facts.iter().map(|(id, _)| *id).collect());
        let sql = format!(
            "SELECT customer_id, ordered_at, amount_minor FROM orders \
             WHERE workspace_id = $1 AND ($2 IS NULL OR {}) ORDER BY customer_id, ordered_at, id",
            BACKEND.any("customer_id", "$2")
        );
        let orders: Vec<(i64, At, i64)> = sqlx::query_as(&sql)
            .bind(workspace_id)
            .bind(ids.as_deref().map(Ids))
            .fetch_all(&mut *conn)
            .await?;
        for (customer_id, ordered_at, amount_minor) in orders {
            if let Some(&index) = position.get(&customer_id) {
                facts[index].1.orders.push(OrderFact { ordered_at: ordered_at.0, amount_minor });
            }
        }
        Ok(facts)
    }
}
