//! Per-workspace settings documents (today: delivery channels) and the delivery routes they name, on both
//! backends. The store keeps the settings as JSON and knows nothing of their shape: the server validates
//! before writing and after reading. A route (`delivery_routes`, migration 0010) is written in the same
//! transaction as the settings that introduce it and never deleted, so receipts of a replaced vendor
//! configuration still verify — and still only reach the messages that configuration sent.

use chrono::{DateTime, Utc};

use crate::backend::per_backend;
use crate::codec::At;
use crate::{DeliveryRoute, NewDeliveryRoute, StoreResult};

per_backend! {
    pub(crate) async fn channels(pool: &Pool, workspace_id: i64) -> StoreResult<Option<serde_json::Value>> {
        let row: Option<serde_json::Value> =
            sqlx::query_scalar("SELECT channels FROM workspace_settings WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_optional(pool)
                .await?;
        Ok(row)
    }

    pub(crate) async fn put_channels(
        pool: &Pool,
        workspace_id: i64,
        channels: &serde_json::Value,
        routes: &[NewDeliveryRoute],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO workspace_settings (workspace_id, channels, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET channels = excluded.channels, updated_at = excluded.updated_at",
        )
        .bind(workspace_id)
        .bind(channels)
        .bind(At(now))
        .execute(&mut *tx)
        .await?;
        for route in routes {
            sqlx::query(
                "INSERT INTO delivery_routes (route, workspace_id, signing_secret, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (route) DO NOTHING",
            )
            .bind(&route.route)
            .bind(workspace_id)
            .bind(&route.signing_secret)
            .bind(At(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn route(pool: &Pool, route: &str) -> StoreResult<Option<DeliveryRoute>> {
        let row: Option<(String, i64, String)> =
            sqlx::query_as("SELECT route, workspace_id, signing_secret FROM delivery_routes WHERE route = $1")
                .bind(route)
                .fetch_optional(pool)
                .await?;
        Ok(row.map(|(route, workspace_id, signing_secret)| DeliveryRoute { route, workspace_id, signing_secret }))
    }
}
