//! Erasure and access for one person (GDPR art. 15 and 17, India's DPDP Act s. 11–12):
//! `DELETE /api/v1/customers/{external_id}` erases them, `GET /api/v1/customers/{external_id}/export` returns
//! everything held about them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{ConsentSource, SubscriptionStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::subscriptions::{detail, SubscriptionsDetail};
use super::suppressions::entry;
use crate::auth::{Caller, Scope};
use crate::http::customer_messages::CustomerMessageView;
use crate::http::customers::{customer_view, order_view, CustomerView, OrderView};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;

/// Most orders and messages an export lists (a person with more is not a consumer brand's customer).
const EXPORT_LIMIT: u32 = 10_000;

/// Everything Converge holds about one customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerExport {
    pub exported_at: DateTime<Utc>,
    pub customer: CustomerView,
    /// Every order, newest first.
    pub orders: Vec<OrderView>,
    pub subscriptions: SubscriptionsDetail,
    /// Every campaign message, newest campaign first, with the rendered text.
    pub messages: Vec<CustomerMessageView>,
}

/// Erase a customer (scope `all`).
///
/// Their name, e-mail, phone, city, gender, preferred channel and attributes, the address and text of every
/// message sent to them, and their consent records are deleted. What stays is anonymous: the external id
/// (your key, which must not itself be personal data) with the aggregates, so totals and campaign counts stay
/// true; and, if they had unsubscribed from any channel, a suppression entry (hash and masked form) for their
/// e-mail and phone, so an address that opted out is never messaged again. Audited without personal data.
/// An upsert received before the erasure cannot bring the data back; a later one creates the profile anew.
#[utoipa::path(delete, path = "/api/v1/customers/{external_id}", tag = "compliance",
    params(("external_id" = String, Path, description = "The customer's external id")),
    security(("api_key" = [])),
    responses((status = 204, description = "Erased"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn erase_customer(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::All)?;
    let workspace_id = caller.workspace_id();
    let customer =
        state.store.customer(workspace_id, &external_id).await?.ok_or_else(|| ApiError::NotFound("customer".into()))?;
    let opted_out = state
        .store
        .subscriptions(workspace_id, customer.id)
        .await?
        .iter()
        .any(|s| s.status == SubscriptionStatus::Unsubscribed && !s.subject.starts_with("topic:"));
    let mut keep = Vec::new();
    if opted_out {
        let reason = "opted out, then erased";
        if let Some(email) = customer.email.as_deref() {
            keep.push(entry(&SuppressionAddress::of_email(email), reason, ConsentSource::Admin));
        }
        if let Some(phone) = customer.phone.as_deref() {
            keep.push(entry(&SuppressionAddress::of_phone(phone), reason, ConsentSource::Admin));
        }
    }
    if !state.store.erase_customer(workspace_id, customer.id, &keep, Utc::now()).await? {
        return Err(ApiError::NotFound("customer".into()));
    }
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "customer.erase".into(),
        target: format!("customer:{}", customer.id),
        details: serde_json::json!({"suppressed_addresses": keep.len()}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    tracing::info!(customer_id = customer.id.get(), "customer erased");
    Ok(StatusCode::NO_CONTENT)
}

/// Everything held about a customer, as JSON (scope `read`): profile, orders, subscriptions with their
/// history, and every message with its text.
#[utoipa::path(get, path = "/api/v1/customers/{external_id}/export", tag = "compliance",
    params(("external_id" = String, Path, description = "The customer's external id")),
    security(("api_key" = [])),
    responses((status = 200, body = CustomerExport), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn export_customer(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> ApiResult<Json<CustomerExport>> {
    caller.require(Scope::Read)?;
    let workspace_id = caller.workspace_id();
    let customer =
        state.store.customer(workspace_id, &external_id).await?.ok_or_else(|| ApiError::NotFound("customer".into()))?;
    let orders = state.store.customer_orders(workspace_id, customer.id, EXPORT_LIMIT).await?;
    let messages = state.store.customer_messages(workspace_id, customer.id, None, EXPORT_LIMIT).await?;
    let subscriptions = detail(state.store.as_ref(), workspace_id, customer.id).await?;
    Ok(Json(CustomerExport {
        exported_at: Utc::now(),
        customer: customer_view(customer, &caller.currency),
        orders: orders.into_iter().map(order_view).collect(),
        subscriptions,
        messages: messages.into_iter().map(CustomerMessageView::from).collect(),
    }))
}
