//! Spam complaints (`POST /api/v1/complaints`, and `/{route}` for a workspace's own vendor): the recipient
//! of a delivered message reported it as spam (an e-mail provider's feedback loop, a carrier's spam report),
//! and the vendor forwards that. The address goes on the workspace's suppression list (source `complaint`)
//! and the customer is unsubscribed from the channel: mailbox providers expect a sender to stop at once.
//!
//! Signed like delivery receipts (401 otherwise). A vendor can only complain about a message it delivered:
//! the message must have been accepted through the route the complaint came in on, under the vendor id it
//! names. Safe to redeliver: the suppression is added once and the unsubscription is dated `occurred_at`,
//! so the same complaint twice changes nothing the second time. A complaint about a message Converge does
//! not know is acknowledged (202, `"action": "none"`) so the vendor does not retry it forever.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use converge_channels::{usable_vendor_id, DEFAULT_ROUTE, MAX_VENDOR_ID_BYTES};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{ConsentSource, FieldErrors, MessageId, SubscriptionStatus};
use converge_store::{NewSuppression, SubscriptionChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::decode;
use crate::http::path::Path;
use crate::http::receipts::{authenticate, parse_reference};
use crate::state::SharedState;

/// Oldest complaint accepted (feedback loops report within days).
const MAX_AGE_DAYS: i64 = 30;

/// A recipient's spam report about one message, as the vendor forwards it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintBody {
    /// The vendor's id of the message, as it answered when accepting it.
    #[schema(example = "msg_01HZX")]
    pub message_id: String,
    /// Converge's reference of the message, as it was sent (`{log_id}.{generation}`).
    #[schema(example = "1042.0")]
    pub reference: String,
    /// When the recipient complained, RFC 3339: within the last 30 days and not in the future.
    #[schema(format = DateTime)]
    pub occurred_at: String,
}

/// What the complaint did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintOutcome {
    /// `suppressed` (the address is on the suppression list and the customer unsubscribed from the channel)
    /// or `none` (the message is unknown, not this route's, or its customer was erased).
    pub action: String,
}

/// Receive a spam complaint from the node's messaging vendor.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "compliance", request_body = ComplaintBody,
    params(
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = ComplaintOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post_complaint(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ComplaintOutcome>)> {
    let secret = state.signing_secret.expose().to_owned();
    receive(&state, &headers, body, DEFAULT_ROUTE, &secret).await
}

/// Receive a spam complaint from a vendor a workspace configured itself (signed with that route's secret).
#[utoipa::path(post, path = "/api/v1/complaints/{route}", tag = "compliance", request_body = ComplaintBody,
    params(
        ("route" = String, Path, description = "The delivery route, `rt_…`"),
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = ComplaintOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post_route_complaint(
    State(state): State<SharedState>,
    Path(route): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ComplaintOutcome>)> {
    let found = crate::delivery::routes::callback_route(state.store.as_ref(), &route).await?;
    receive(&state, &headers, body, &found.route, &found.signing_secret).await
}

async fn receive(
    state: &SharedState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    route: &str,
    secret: &str,
) -> ApiResult<(StatusCode, Json<ComplaintOutcome>)> {
    let body = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    authenticate(state, headers, &body, secret)?;
    let input: ComplaintBody = decode(&body)?;
    let (log_id, occurred_at) = validate(&input, Utc::now())?;
    let none = || Ok((StatusCode::ACCEPTED, Json(ComplaintOutcome { action: "none".into() })));
    let Some(log_id) = log_id else { return none() };
    let Some(recipient) = state.store.message_recipient(log_id, route, &input.message_id).await? else {
        tracing::info!(route, "a complaint named a message this route did not deliver");
        return none();
    };
    let (Some(channel), Some(address)) = (recipient.channel, recipient.address.as_deref()) else { return none() };
    let address = SuppressionAddress::of_channel(channel, address);
    let entry = NewSuppression::new(address, "reported a message as spam", ConsentSource::Complaint);
    state.store.add_suppression(recipient.workspace_id, &entry, occurred_at).await?;
    let change = SubscriptionChange {
        customer_id: recipient.customer_id,
        subject: channel.as_str().to_owned(),
        status: SubscriptionStatus::Unsubscribed,
        source: ConsentSource::Complaint,
        changed_at: occurred_at,
    };
    state.store.change_subscriptions(recipient.workspace_id, std::slice::from_ref(&change)).await?;
    metrics::counter!("converge_complaints_total", "channel" => channel.as_str()).increment(1);
    tracing::info!(route, channel = channel.as_str(), "applied a spam complaint");
    Ok((StatusCode::ACCEPTED, Json(ComplaintOutcome { action: "suppressed".into() })))
}

/// The message (`None` for a message sent outside campaigns, such as a reply's confirmation) and when.
fn validate(input: &ComplaintBody, now: DateTime<Utc>) -> ApiResult<(Option<MessageId>, DateTime<Utc>)> {
    let mut errors = FieldErrors::new();
    if !usable_vendor_id(&input.message_id) {
        errors.push("message_id", format!("must be 1 to {MAX_VENDOR_ID_BYTES} bytes long, without control characters"));
    }
    let transactional = input.reference.starts_with(crate::consent::TRANSACTIONAL_REFERENCE_PREFIX);
    let log_id = if transactional { None } else { errors.check("reference", parse_reference(&input.reference)) };
    let at = match DateTime::parse_from_rfc3339(&input.occurred_at) {
        Ok(at) => {
            let at = at.with_timezone(&Utc);
            if at > now + Duration::minutes(5) || at < now - Duration::days(MAX_AGE_DAYS) {
                errors.push("occurred_at", "must be within the last 30 days and not in the future");
            }
            Some(at)
        }
        Err(_) => {
            errors.push("occurred_at", "must be an RFC 3339 timestamp");
            None
        }
    };
    match at {
        Some(at) if errors.is_empty() => Ok((log_id, at)),
        _ => Err(ApiError::Invalid(errors)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn body(message_id: &str, reference: &str, occurred_at: &str) -> ComplaintBody {
        ComplaintBody { message_id: message_id.into(), reference: reference.into(), occurred_at: occurred_at.into() }
    }

    #[test]
    fn complaints_name_a_message_and_a_recent_time() {
        let now: DateTime<Utc> = "2026-05-10T10:00:00Z".parse().unwrap();
        let (id, at) = validate(&body("vm-1", "42.0", "2026-05-09T10:00:00Z"), now).unwrap();
        assert_eq!((id, at.to_rfc3339()), (Some(MessageId::new(42)), "2026-05-09T10:00:00+00:00".to_owned()));
        assert_eq!(validate(&body("vm-1", "tx.reply.ab", "2026-05-09T10:00:00Z"), now).unwrap().0, None);
        let fields = |input: ComplaintBody| match validate(&input, now) {
            Err(ApiError::Invalid(errors)) => errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
            other => panic!("expected field errors, got {other:?}"),
        };
        assert_eq!(fields(body("", "42", "2026-05-09T10:00:00Z")), ["message_id"]);
        assert_eq!(fields(body("vm", "x", "2026-05-09T10:00:00Z")), ["reference"]);
        assert_eq!(fields(body("vm", "42", "yesterday")), ["occurred_at"]);
        assert_eq!(fields(body("vm", "42", "2026-03-01T10:00:00Z")), ["occurred_at"]);
        assert_eq!(fields(body("vm", "42", "2026-05-11T10:00:00Z")), ["occurred_at"]);
    }
}
