//! Replies from customers (`POST /api/v1/inbound-messages`, and `/{route}` for a workspace's own vendor):
//! STOP, UNSUBSCRIBE, END, QUIT or CANCEL unsubscribe the number from SMS and suppress it; START or UNSTOP
//! subscribe it again and lift that suppression. Each is confirmed by a reply through the same channel.
//!
//! Signed like delivery receipts (`X-Converge-Timestamp`, `X-Converge-Signature`; 401 otherwise). Which
//! customers a reply concerns follows from where it came in: a reply to the node's vendor concerns the
//! customers with that number in every workspace that sends SMS through the node's vendor; a reply to a
//! workspace's route, that workspace's only. Safe to redeliver: the change is dated `received_at`, so the
//! same reply twice changes nothing the second time, an older reply never undoes a newer one, and the
//! confirmation's vendor reference is derived from the reply, so the vendor sends it once.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use converge_channels::{OutboundMessage, DEFAULT_ROUTE};
use converge_domain::consent::{ReplyKeyword, SuppressionAddress};
use converge_domain::{Channel, ConsentSource, CustomerId, FieldErrors, Phone, SubscriptionStatus, WorkspaceId};
use converge_store::SubscriptionChange;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;

use super::suppressions::entry;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::decode;
use crate::http::path::Path;
use crate::http::receipts::authenticate;
use crate::state::SharedState;

/// Oldest reply accepted: a vendor retries a callback for a day or so, not for a month.
const MAX_AGE_DAYS: i64 = 30;

/// A customer's reply, as the vendor forwards it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundBody {
    /// The sender's number in E.164 form (`+` and country code).
    #[schema(example = "+919876543210")]
    pub from: String,
    /// The message text (at most 1600 characters).
    #[schema(example = "STOP")]
    pub text: String,
    /// When the vendor received it, RFC 3339: within the last 30 days and not in the future.
    #[schema(format = DateTime)]
    pub received_at: String,
}

/// What the reply did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InboundOutcome {
    /// `unsubscribed`, `resubscribed` or `none` (the text named no keyword).
    pub action: String,
    /// Customers whose SMS subscription the reply concerned.
    pub customers: usize,
}

/// Receive a customer's reply from the node's messaging vendor.
#[utoipa::path(post, path = "/api/v1/inbound-messages", tag = "compliance", request_body = InboundBody,
    params(
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = InboundOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post_inbound(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<InboundOutcome>)> {
    let secret = state.signing_secret.expose().to_owned();
    receive(&state, &headers, body, DEFAULT_ROUTE, &secret, None).await
}

/// Receive a customer's reply from a vendor a workspace configured itself (signed with that route's secret).
#[utoipa::path(post, path = "/api/v1/inbound-messages/{route}", tag = "compliance", request_body = InboundBody,
    params(
        ("route" = String, Path, description = "The delivery route, `rt_…`"),
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = InboundOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post_route_inbound(
    State(state): State<SharedState>,
    Path(route): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<InboundOutcome>)> {
    let found = crate::delivery::routes::callback_route(state.store.as_ref(), &route).await?;
    receive(&state, &headers, body, &found.route, &found.signing_secret, Some(found.workspace_id)).await
}

async fn receive(
    state: &SharedState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    route: &str,
    secret: &str,
    workspace: Option<WorkspaceId>,
) -> ApiResult<(StatusCode, Json<InboundOutcome>)> {
    let body = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    authenticate(state, headers, &body, secret)?;
    let input: InboundBody = decode(&body)?;
    let (phone, received_at) = validate(&input, Utc::now())?;
    let Some(keyword) = ReplyKeyword::parse(&input.text) else {
        return Ok((StatusCode::ACCEPTED, Json(InboundOutcome { action: "none".into(), customers: 0 })));
    };
    let mut concerned: Vec<(WorkspaceId, CustomerId)> = Vec::new();
    for (workspace_id, customer_id) in state.store.customers_with_phone(phone.as_str()).await? {
        let ours = match workspace {
            Some(only) => only == workspace_id,
            None => sends_sms_through(state, workspace_id, route).await,
        };
        if ours {
            concerned.push((workspace_id, customer_id));
        }
    }
    let (status, action) = match keyword {
        ReplyKeyword::Stop => (SubscriptionStatus::Unsubscribed, "unsubscribed"),
        ReplyKeyword::Start => (SubscriptionStatus::Subscribed, "resubscribed"),
    };
    let address = SuppressionAddress::of_phone(phone.as_str());
    let mut workspaces: Vec<WorkspaceId> = concerned.iter().map(|(w, _)| *w).collect();
    workspaces.dedup();
    for (workspace_id, customer_id) in &concerned {
        let change = SubscriptionChange {
            customer_id: *customer_id,
            subject: Channel::Sms.as_str().to_owned(),
            status,
            source: ConsentSource::Reply,
            changed_at: received_at,
        };
        state.store.change_subscriptions(*workspace_id, std::slice::from_ref(&change)).await?;
    }
    for workspace_id in &workspaces {
        match keyword {
            ReplyKeyword::Stop => {
                let stop = entry(&address, "replied STOP", ConsentSource::Reply);
                state.store.add_suppression(*workspace_id, &stop, received_at).await?;
            }
            ReplyKeyword::Start => {
                state.store.lift_suppression(*workspace_id, &address, ConsentSource::Reply).await?;
            }
        }
        confirm(state, *workspace_id, &phone, keyword, &input, received_at).await;
    }
    metrics::counter!("converge_inbound_replies_total", "action" => action).increment(1);
    tracing::info!(action, customers = concerned.len(), route, "applied an SMS reply");
    Ok((StatusCode::ACCEPTED, Json(InboundOutcome { action: action.into(), customers: concerned.len() })))
}

fn validate(input: &InboundBody, now: DateTime<Utc>) -> ApiResult<(Phone, DateTime<Utc>)> {
    let mut errors = FieldErrors::new();
    let phone = match Phone::parse(&input.from) {
        Ok(phone) if phone.is_international() => Some(phone),
        Ok(_) => {
            errors.push("from", "must be in E.164 form: + and the country code");
            None
        }
        Err(message) => {
            errors.push("from", message);
            None
        }
    };
    if input.text.chars().count() > 1_600 {
        errors.push("text", "must be at most 1600 characters");
    }
    let at = match DateTime::parse_from_rfc3339(&input.received_at) {
        Ok(at) => {
            let at = at.with_timezone(&Utc);
            if at > now + Duration::minutes(5) || at < now - Duration::days(MAX_AGE_DAYS) {
                errors.push("received_at", "must be within the last 30 days and not in the future");
            }
            Some(at)
        }
        Err(_) => {
            errors.push("received_at", "must be an RFC 3339 timestamp");
            None
        }
    };
    match (phone, at) {
        (Some(phone), Some(at)) if errors.is_empty() => Ok((phone, at)),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Whether the workspace's SMS currently go out through `route`.
async fn sends_sms_through(state: &SharedState, workspace_id: WorkspaceId, route: &str) -> bool {
    match state.senders.for_workspace(state.store.as_ref(), workspace_id).await {
        Ok(senders) => &*senders.for_channel(Channel::Sms).route == route,
        Err(_) => false,
    }
}

/// Confirms the change by SMS. Best effort: the change is made whether or not the confirmation goes out.
async fn confirm(
    state: &SharedState,
    workspace_id: WorkspaceId,
    phone: &Phone,
    keyword: ReplyKeyword,
    input: &InboundBody,
    received_at: DateTime<Utc>,
) {
    let (brand, sender) = match state.store.workspace(workspace_id).await {
        Ok(Some(workspace)) => (workspace.brand().to_owned(), crate::delivery::render::sender_identity(&workspace)),
        _ => return,
    };
    let body = match keyword {
        ReplyKeyword::Stop => format!("You will get no more messages from {brand}. Reply START to subscribe again."),
        ReplyKeyword::Start => format!("You are subscribed to {brand} messages again. Reply STOP to opt out."),
    };
    // One reference per reply and workspace: a redelivered reply is confirmed once (the vendor dedupes).
    let digest = sha2::Sha256::digest(format!("{workspace_id}|{}|{received_at}|{}", phone, input.text));
    let reference = format!("{}reply.{}", crate::consent::TRANSACTIONAL_REFERENCE_PREFIX, &hex::encode(digest)[..24]);
    let message = OutboundMessage {
        reference,
        channel: Channel::Sms,
        to: phone.as_str().to_owned(),
        subject: None,
        body,
        unsubscribe_url: None,
        sender,
    };
    match state.senders.for_workspace(state.store.as_ref(), workspace_id).await {
        Ok(senders) => {
            let outcome = senders.for_channel(Channel::Sms).sender.send(std::slice::from_ref(&message)).await;
            tracing::debug!(?outcome, "sent the reply's confirmation");
        }
        Err(err) => tracing::warn!(error = %err, "could not confirm an SMS reply"),
    }
}
