//! Per-workspace settings documents (today: delivery channels) and the delivery routes they name, on both
//! backends. The store keeps the settings as JSON and knows nothing of their shape: the server validates
//! before writing and after reading. A route (`delivery_routes`, migration 0010) is written in the same
//! transaction as the settings that introduce it and never deleted, so receipts of a replaced vendor
//! configuration still verify — and still only reach the messages that configuration sent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::backend::per_backend;
use crate::codec::At;
use crate::{DeliveryRoute, NewDeliveryRoute, StoreResult};
use converge_domain::WorkspaceId;

/// A workspace's channel settings and the delivery routes they name.
#[async_trait]
pub trait ChannelSettings: Send + Sync {
    /// The workspace's channel settings as last stored (JSON; the server validates them), if ever stored.
    async fn channel_settings(&self, workspace_id: WorkspaceId) -> StoreResult<Option<serde_json::Value>>;

    /// Replaces the workspace's channel settings and, in the same transaction, keeps `routes` (the delivery
    /// routes the settings name; routes already kept are left as they are, and none is ever deleted, so a
    /// previous vendor's late receipts still verify).
    async fn put_channel_settings(
        &self,
        workspace_id: WorkspaceId,
        channels: &serde_json::Value,
        routes: &[NewDeliveryRoute],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// A workspace's delivery route by its id (`rt_…`), for verifying the receipts posted to it.
    async fn delivery_route(&self, route: &str) -> StoreResult<Option<DeliveryRoute>>;
}

per_backend! {

    #[async_trait]
    impl ChannelSettings for BackendStore {
        async fn channel_settings(&self, workspace_id: WorkspaceId) -> StoreResult<Option<serde_json::Value>> {
            let row: Option<serde_json::Value> =
                sqlx::query_scalar("SELECT channels FROM workspace_settings WHERE workspace_id = $1")
                    .bind(workspace_id)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(row)
        }

        async fn put_channel_settings(
            &self,
            workspace_id: WorkspaceId,
            channels: &serde_json::Value,
            routes: &[NewDeliveryRoute],
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let mut tx = self.pool().begin().await?;
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

        async fn delivery_route(&self, route: &str) -> StoreResult<Option<DeliveryRoute>> {
            let row: Option<(String, WorkspaceId, String)> =
                sqlx::query_as("SELECT route, workspace_id, signing_secret FROM delivery_routes WHERE route = $1")
                    .bind(route)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(row.map(|(route, workspace_id, signing_secret)| DeliveryRoute { route, workspace_id, signing_secret }))
        }
    }
}
