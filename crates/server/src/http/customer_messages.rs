//! `GET /api/v1/customers/{external_id}/messages`: what the workspace's campaigns sent (or are sending) to one
//! customer, newest campaign first.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, Channel, DeliveryStatus, MessageId};
use converge_store::CustomerMessage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::customers::{decode_cursor, encode_cursor};
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{query_rejection, Page};
use crate::auth::{Caller, Scope};
use crate::http::path::Path;
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 20;
const MAX_PAGE: u32 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

/// One campaign's message to the customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerMessageView {
    /// The row of the campaign's log (`GET /api/v1/campaigns/{id}/log`).
    pub log_id: MessageId,
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    pub status: DeliveryStatus,
    /// The channel it went out on, once the vendor accepted it.
    pub channel: Option<Channel>,
    /// The personalised text, once sent to the vendor.
    pub message: Option<String>,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<CustomerMessage> for CustomerMessageView {
    fn from(m: CustomerMessage) -> Self {
        CustomerMessageView {
            log_id: m.log_id,
            campaign_id: m.campaign_id,
            campaign_name: m.campaign_name,
            status: m.status,
            channel: m.channel,
            message: m.message,
            error: m.error,
            created_at: m.created_at,
            updated_at: m.updated_at,
            completed_at: m.completed_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerMessagePage {
    pub items: Vec<CustomerMessageView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The messages campaigns sent to one customer, newest campaign first (scope `read`).
#[utoipa::path(get, path = "/api/v1/customers/{external_id}/messages", tag = "customers",
    params(("external_id" = String, Path, description = "The customer's external id"), MessagesParams),
    security(("api_key" = [])),
    responses((status = 200, body = CustomerMessagePage), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn customer_messages(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
    params: Result<Query<MessagesParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<CustomerMessagePage>> {
    caller.require(Scope::Read)?;
    let Query(params) = params.map_err(query_rejection)?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let before = params.cursor.as_deref().map(decode_cursor).transpose()?.map(CampaignId::new);
    let workspace = caller.workspace_id();
    let customer =
        state.store.customer(workspace, &external_id).await?.ok_or_else(|| ApiError::NotFound("customer".into()))?;
    let mut rows = state.store.customer_messages(workspace, customer.id, before, page.fetch()).await?;
    let next_cursor = page.split(&mut rows, |row| encode_cursor(row.campaign_id));
    let items = rows.into_iter().map(CustomerMessageView::from).collect();
    Ok(Json(CustomerMessagePage { items, next_cursor }))
}
