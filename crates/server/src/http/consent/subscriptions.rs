//! A customer's subscriptions: the current status per channel and topic with where it came from, the full
//! history (`GET /api/v1/customers/{external_id}/subscriptions`), and a change made by a member of the
//! workspace (`PUT`, source `admin`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{Channel, ConsentSource, CustomerId, FieldErrors, SubscriptionStatus, Topic, WorkspaceId};
use converge_store::{topic_subject, Store, SubscriptionChange, SubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::{decode, JsonBody};
use crate::http::path::Path;
use crate::state::SharedState;

/// Most history entries one answer lists (newest first).
const HISTORY: u32 = 500;

/// One subject's consent: its status, where the change came from, and when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubscriptionView {
    pub status: SubscriptionStatus,
    pub source: ConsentSource,
    pub changed_at: DateTime<Utc>,
}

/// The current consent of a customer: per channel (absent: none recorded) and per topic (absent: not left).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Subscriptions {
    pub email: Option<SubscriptionView>,
    pub sms: Option<SubscriptionView>,
    pub whatsapp: Option<SubscriptionView>,
    pub topics: BTreeMap<String, SubscriptionView>,
}

/// One consent change in the history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// `email`, `sms`, `whatsapp`, or `topic:<name>`.
    pub subject: String,
    pub status: SubscriptionStatus,
    pub source: ConsentSource,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubscriptionsDetail {
    #[serde(flatten)]
    pub current: Subscriptions,
    /// Every change that took effect, newest first (at most 500).
    pub history: Vec<HistoryEntry>,
}

/// A change by a member: channels and topics to set (those not named are left as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionsChange {
    #[schema(value_type = Option<BTreeMap<String, SubscriptionStatus>>, example = json!({"email": "unsubscribed"}))]
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
    /// Topic names (of the compliance settings) to `subscribed` or `unsubscribed`.
    #[schema(value_type = Option<BTreeMap<String, SubscriptionStatus>>, example = json!({"offers": "unsubscribed"}))]
    #[serde(default)]
    pub topics: BTreeMap<String, String>,
}

pub(crate) fn current(rows: Vec<SubscriptionRow>) -> Subscriptions {
    let mut view = Subscriptions::default();
    for row in rows {
        let entry = SubscriptionView { status: row.status, source: row.source, changed_at: row.changed_at };
        match (row.subject.as_str(), row.subject.strip_prefix("topic:")) {
            ("email", _) => view.email = Some(entry),
            ("sms", _) => view.sms = Some(entry),
            ("whatsapp", _) => view.whatsapp = Some(entry),
            (_, Some(topic)) => {
                view.topics.insert(topic.to_owned(), entry);
            }
            _ => {}
        }
    }
    view
}

pub(crate) fn history(rows: Vec<SubscriptionRow>) -> Vec<HistoryEntry> {
    rows.into_iter()
        .map(|r| HistoryEntry { subject: r.subject, status: r.status, source: r.source, changed_at: r.changed_at })
        .collect()
}

/// The current subscriptions and history of a customer of the workspace.
pub(crate) async fn detail(
    store: &dyn Store,
    workspace_id: WorkspaceId,
    customer_id: CustomerId,
) -> ApiResult<SubscriptionsDetail> {
    let now = store.subscriptions(workspace_id, customer_id).await?;
    let past = store.subscription_history(workspace_id, customer_id, HISTORY).await?;
    Ok(SubscriptionsDetail { current: current(now), history: history(past) })
}

/// A customer's subscriptions and their full history (scope `read`).
#[utoipa::path(get, path = "/api/v1/customers/{external_id}/subscriptions", tag = "compliance",
    params(("external_id" = String, Path, description = "The customer's external id")),
    security(("api_key" = [])),
    responses((status = 200, body = SubscriptionsDetail), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_subscriptions(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> ApiResult<Json<SubscriptionsDetail>> {
    caller.require(Scope::Read)?;
    let customer = state
        .store
        .customer(caller.workspace_id(), &external_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("customer".into()))?;
    Ok(Json(detail(state.store.as_ref(), caller.workspace_id(), customer.id).await?))
}

/// Change a customer's subscriptions as a member of the workspace (scope `campaigns`; source `admin`).
#[utoipa::path(put, path = "/api/v1/customers/{external_id}/subscriptions", tag = "compliance",
    params(("external_id" = String, Path, description = "The customer's external id")),
    request_body = SubscriptionsChange, security(("api_key" = [])),
    responses((status = 200, body = SubscriptionsDetail), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_subscriptions(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<Json<SubscriptionsDetail>> {
    caller.require(Scope::Campaigns)?;
    let change: SubscriptionsChange = decode(&body?.0)?;
    let workspace_id = caller.workspace_id();
    let compliance = crate::consent::compliance::load(state.store.as_ref(), workspace_id).await?;
    let mut errors = FieldErrors::new();
    let mut subjects: Vec<(String, SubscriptionStatus)> = Vec::new();
    for (key, value) in &change.channels {
        let field = format!("channels.{key}");
        match (Channel::parse(key), SubscriptionStatus::parse(value)) {
            (Ok(channel), Ok(status)) => subjects.push((channel.as_str().to_owned(), status)),
            (Err(message), _) | (_, Err(message)) => errors.push(field, message),
        }
    }
    for (key, value) in &change.topics {
        let field = format!("topics.{key}");
        match (Topic::parse(key), SubscriptionStatus::parse(value)) {
            (Ok(topic), _) if !compliance.topics.contains(&topic) => {
                errors.push(field, "is not one of the workspace's topics")
            }
            (Ok(_), Ok(SubscriptionStatus::Pending)) => errors.push(field, "must be subscribed or unsubscribed"),
            (Ok(topic), Ok(status)) => subjects.push((topic_subject(topic.as_str()), status)),
            (Err(message), _) | (_, Err(message)) => errors.push(field, message),
        }
    }
    if subjects.is_empty() && errors.is_empty() {
        errors.push("channels", "name at least one channel or topic to change");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let customer =
        state.store.customer(workspace_id, &external_id).await?.ok_or_else(|| ApiError::NotFound("customer".into()))?;
    let now = Utc::now();
    let changes: Vec<SubscriptionChange> = subjects
        .iter()
        .map(|(subject, status)| SubscriptionChange {
            customer_id: customer.id,
            subject: subject.clone(),
            status: *status,
            source: ConsentSource::Admin,
            changed_at: now,
        })
        .collect();
    let applied = state.store.change_subscriptions(workspace_id, &changes).await?;
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "customer.subscriptions".into(),
        target: format!("customer:{}", customer.id),
        details: serde_json::json!({"changes": subjects.iter().map(|(s, st)| (s.clone(), st.as_str())).collect::<BTreeMap<_, _>>(),
            "applied": applied}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok(Json(detail(state.store.as_ref(), workspace_id, customer.id).await?))
}
