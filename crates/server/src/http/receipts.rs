//! The messaging vendors' delivery-receipt callbacks: verify the signature, validate, append one entry per
//! receipt to the `receipts` stream, answer 202. The batch applier (`workers::receipts`) writes them.
//!
//! Two endpoints, one per kind of delivery route: `POST /api/v1/delivery-receipts` for the node's own vendor
//! (signed with `vendor.signing_secret`), and `POST /api/v1/delivery-receipts/{route}` for a vendor a
//! workspace configured itself (signed with that route's own secret). The route a receipt came through goes
//! with it into the stream, and the store applies it only to a message sent through that route, so one
//! workspace's vendor can neither settle nor even name another workspace's messages.
//!
//! No API key: the vendor proves itself with `X-Converge-Signature: v1=<hex HMAC-SHA256(signing_secret,
//! "{timestamp}.{body}")>` over the raw body and `X-Converge-Timestamp`, checked with the simulator's own
//! [`verify`] so both ends share one implementation. Anything unsigned, forged or outside the replay window
//! is 401 (the vendor does not retry 4xx, which is right for a forgery). A request is all-or-nothing: one
//! bad receipt, or one naming a message that is not the route's to report on, is a 422 and nothing is
//! appended. Only queue trouble is 503 (which the vendor retries).
//!
//! **Replays are accepted and change nothing**, by design: a signed request replayed inside the window (or a
//! vendor's own retry) appends the same receipts again, and the applier's writes are idempotent (a receipt
//! settles only a PENDING message with the same log id, route and vendor id, and the first one wins). Refusing
//! replays would need a shared memory of every signature seen, and would buy nothing the idempotency does not
//! already guarantee.

use std::collections::HashSet;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Duration as Span, Utc};
use converge_channels::{usable_vendor_id, DEFAULT_ROUTE, MAX_VENDOR_ID_BYTES};
use converge_domain::{FieldErrors, MessageId, ReceiptStatus, WorkspaceId};
use converge_queue::QueueError;
use converge_vendor_wire::{verify, SignatureError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::json::decode_value;
use crate::delivery::ReceiptEntry;
use crate::http::path::Path;
use crate::state::{streams, SharedState};

/// Most receipts one request may carry (the vendor sends at most this many per callback).
pub const MAX_RECEIPTS: usize = converge_vendor_wire::MAX_RECEIPT_BATCH;
/// Longest failure reason accepted, in characters.
const MAX_ERROR_CHARS: usize = 1000;
/// Oldest outcome a receipt may report: vendors retry callbacks for a day or three, never for a month.
const MAX_RECEIPT_AGE_DAYS: i64 = 30;

/// One delivery receipt as the vendor sends it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReceiptInput {
    /// The vendor's id for the message, as answered when it accepted the message (1–200 bytes, no control
    /// characters).
    #[schema(min_length = 1, max_length = 200)]
    pub message_id: String,
    /// Converge's reference for the message, as given to the vendor: `"{log_id}.{generation}"` or `"{log_id}"`;
    /// `"tx.…"` for a message sent outside campaigns (a reply's or a subscription's confirmation; accepted,
    /// nothing to settle).
    pub reference: String,
    pub status: ReceiptStatus,
    /// Why the message failed (at most 1000 characters); absent when it was sent.
    #[serde(default)]
    pub error: Option<String>,
    /// The failure is for good (the number is on a do-not-disturb registry or does not exist, the mailbox does
    /// not exist, a complaint): the message is never retried and its address is suppressed. Default false.
    #[serde(default)]
    pub permanent: bool,
    /// When the outcome happened, RFC 3339: within the last 30 days, and no later than the replay window
    /// (`vendor.receipt_max_age_secs`) ahead of the server's clock.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: String,
}

/// `{"receipts": [...]}` with 1 to 1000 receipts.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ReceiptBatchInput {
    receipts: Vec<ReceiptInput>,
}

/// A batch of receipts, or one receipt on its own (treated as a batch of one: errors name `receipts[0]`).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ReceiptsBody {
    Batch(ReceiptBatchInput),
    One(ReceiptInput),
}

/// How many receipts were queued for applying.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptsAccepted {
    pub accepted: usize,
}

/// Receive delivery receipts from the node's messaging vendor.
///
/// Authenticated by signature, not by API key: `X-Converge-Signature: v1=<hex HMAC-SHA256(signing_secret,
/// "{X-Converge-Timestamp}.{raw body}")>` with the node's `vendor.signing_secret`; several comma-separated `v1=`
/// values are allowed (secret rotation). A missing, malformed or wrong signature, or a timestamp further than
/// `vendor.receipt_max_age_secs` from the server's clock, is 401. All-or-nothing: one invalid receipt, or one
/// whose `reference` names no message of Converge's, is 422 (errors name `receipts[i].field`) and nothing is
/// kept. A receipt settles only a message sent through the node's vendor; repeated receipts (and replays of a
/// signed request inside the window) are accepted and change nothing.
#[utoipa::path(post, path = "/api/v1/delivery-receipts", tag = "delivery", request_body = ReceiptsBody,
    params(
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = ReceiptsAccepted), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn post_receipts(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ReceiptsAccepted>)> {
    let target =
        Target { route: DEFAULT_ROUTE.to_owned(), secret: state.signing_secret.expose().to_owned(), workspace: None };
    receive(&state, &headers, body, target).await
}

/// Receive delivery receipts from a vendor a workspace configured itself.
///
/// `{route}` is the channel's delivery route, shown with the workspace's channel settings
/// (`GET /api/v1/settings/channels`, `receipt_urls`). The request is signed like the node's receipts, with the
/// `signing_secret` saved with that channel. A receipt may only name messages of that workspace (422
/// otherwise) and settles only messages sent through this route. An unknown route is 404.
#[utoipa::path(post, path = "/api/v1/delivery-receipts/{route}", tag = "delivery", request_body = ReceiptsBody,
    params(
        ("route" = String, Path, description = "The delivery route, `rt_…`"),
        ("X-Converge-Timestamp" = String, Header, description = "Unix time in seconds the request was signed at"),
        ("X-Converge-Signature" = String, Header, description = "`v1=<hex HMAC-SHA256>` of `{timestamp}.{body}`")),
    responses((status = 202, body = ReceiptsAccepted), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
        (status = 503, body = Problem)))]
pub async fn post_route_receipts(
    State(state): State<SharedState>,
    Path(route): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ReceiptsAccepted>)> {
    let found = crate::delivery::routes::callback_route(state.store.as_ref(), &route).await?;
    let target = Target { route: found.route, secret: found.signing_secret, workspace: Some(found.workspace_id) };
    receive(&state, &headers, body, target).await
}

/// Where receipts came in: the route they are for, the secret that must have signed them, and the workspace
/// whose messages they may name (`None`: the node's vendor, any workspace's).
struct Target {
    route: String,
    secret: String,
    workspace: Option<WorkspaceId>,
}

async fn receive(
    state: &SharedState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    target: Target,
) -> ApiResult<(StatusCode, Json<ReceiptsAccepted>)> {
    let body = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError::PayloadTooLarge(state.settings.ingest.body_limit_bytes))
        }
        Err(rejection) => return Err(ApiError::BadRequest(rejection.body_text())),
    };
    authenticate(state, headers, &body, &target.secret)?;
    let now = Utc::now();
    let window =
        Span::seconds(i64::try_from(state.settings.vendor.receipt_max_age_secs).unwrap_or(i64::MAX / 1000).min(86_400));
    let receipts = parse(&body, &target.route, now, window)?;
    let entries = check_references(state, receipts, target.workspace).await?;
    let payloads: Vec<Vec<u8>> = entries.iter().map(ReceiptEntry::to_bytes).collect();
    if !payloads.is_empty() {
        state.queue.append(streams::RECEIPTS, &payloads).await.map_err(unavailable)?;
    }
    metrics::counter!("converge_receipts_accepted_total").increment(payloads.len() as u64);
    tracing::debug!(receipts = payloads.len(), route = %target.route, "accepted delivery receipts");
    Ok((StatusCode::ACCEPTED, Json(ReceiptsAccepted { accepted: payloads.len() })))
}

/// Checks the signature over the raw body; every failure is 401. Logs why, never the secret or signature.
pub(crate) fn authenticate(state: &SharedState, headers: &HeaderMap, body: &[u8], secret: &str) -> ApiResult<()> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) = (header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER)) else {
        tracing::warn!("refused delivery receipts: unsigned request");
        return Err(ApiError::Unauthorized(
            "sign the request: the X-Converge-Timestamp and X-Converge-Signature headers are required",
        ));
    };
    let vendor = &state.settings.vendor;
    let tolerance = Duration::from_secs(vendor.receipt_max_age_secs);
    let now = Utc::now().timestamp();
    verify(secret, timestamp, body, signature, now, tolerance).map_err(|err| {
        tracing::warn!(reason = %err, "refused delivery receipts: bad signature");
        ApiError::Unauthorized(match err {
            SignatureError::MalformedTimestamp => "X-Converge-Timestamp must be a unix time in seconds",
            SignatureError::MalformedSignature => "X-Converge-Signature must carry a v1=<hex> signature",
            SignatureError::TooOld => {
                "the signed timestamp is too old (replay protection): sign each request as it is sent"
            }
            SignatureError::TooNew => "the signed timestamp is from the future: check the sender's clock",
            SignatureError::Mismatch => "the signature does not match the body",
        })
    })
}

/// A receipt that passed validation: for a campaign message (with the message it names), or for a message
/// Converge sent outside campaigns (a reply's confirmation), which has nothing to settle.
enum Checked {
    Message { log_id: MessageId, entry: ReceiptEntry },
    Transactional,
}

/// Parses the body: not JSON is 400; anything else wrong is 422 listing every bad field. `now` and `window`
/// bound `occurred_at` (no later than `now + window`, no earlier than 30 days before `now`).
fn parse(body: &[u8], route: &str, now: DateTime<Utc>, window: Span) -> ApiResult<Vec<Result<Checked, FieldErrors>>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| ApiError::BadRequest(format!("the body is not valid JSON: {err}")))?;
    let items = match value {
        Value::Object(mut object) => match object.remove("receipts") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(ApiError::invalid("receipts", "must be an array of receipts")),
            None => vec![Value::Object(object)],
        },
        _ => return Err(ApiError::invalid("body", "must be {\"receipts\": [...]} or one receipt object")),
    };
    if items.is_empty() {
        return Err(ApiError::invalid("receipts", "must contain at least one receipt"));
    }
    if items.len() > MAX_RECEIPTS {
        return Err(ApiError::invalid("receipts", format!("must contain at most {MAX_RECEIPTS} receipts")));
    }
    let earliest = now - Span::days(MAX_RECEIPT_AGE_DAYS);
    let latest = now + window;
    let check = |(index, item)| validate(item, &format!("receipts[{index}]"), route, (earliest, latest));
    Ok(items.into_iter().enumerate().map(check).collect())
}

fn validate(
    item: Value,
    prefix: &str,
    route: &str,
    (earliest, latest): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Checked, FieldErrors> {
    let input: ReceiptInput = decode_value(item, prefix)?;
    let mut errors = FieldErrors::default();
    let field = |name: &str| format!("{prefix}.{name}");
    if !usable_vendor_id(&input.message_id) {
        let why = format!("must be 1 to {MAX_VENDOR_ID_BYTES} bytes long, without control characters");
        errors.push(field("message_id"), why);
    }
    let transactional = input.reference.starts_with(crate::consent::TRANSACTIONAL_REFERENCE_PREFIX);
    let log_id =
        if transactional { None } else { errors.check(&field("reference"), parse_reference(&input.reference)) };
    if let Some(error) = &input.error {
        if error.chars().count() > MAX_ERROR_CHARS {
            errors.push(field("error"), format!("must be at most {MAX_ERROR_CHARS} characters long"));
        } else if error.contains('\0') {
            errors.push(field("error"), "must not contain NUL characters");
        }
    }
    let at = errors.check(
        &field("occurred_at"),
        DateTime::parse_from_rfc3339(&input.occurred_at)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| "must be an RFC 3339 timestamp, e.g. 2026-05-01T10:00:00Z".to_owned())
            .and_then(|at| {
                if at < earliest || at > latest {
                    Err(format!("must be within the last {MAX_RECEIPT_AGE_DAYS} days and not in the future"))
                } else {
                    Ok(at)
                }
            }),
    );
    match (log_id, at) {
        (None, Some(_)) if errors.is_empty() && transactional => Ok(Checked::Transactional),
        (Some(log_id), Some(at)) if errors.is_empty() => Ok(Checked::Message {
            log_id,
            entry: ReceiptEntry {
                log_id,
                route: route.to_owned(),
                vendor_message_id: input.message_id,
                status: input.status,
                error: input.error,
                permanent: input.permanent && input.status == ReceiptStatus::Failed,
                at,
            },
        }),
        _ => Err(errors),
    }
}

/// Converge's reference for a message: `"{log_id}.{generation}"` or `"{log_id}"`, decimal digits only.
pub(crate) fn parse_reference(reference: &str) -> Result<MessageId, String> {
    const WHY: &str = "must be Converge's message reference, \"{log_id}.{generation}\" or \"{log_id}\"";
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (log_id, generation) = match reference.split_once('.') {
        Some((log_id, generation)) => (log_id, Some(generation)),
        None => (reference, None),
    };
    if !digits(log_id) || generation.is_some_and(|g| !digits(g) || g.parse::<u32>().is_err()) {
        return Err(WHY.to_owned());
    }
    match log_id.parse::<i64>() {
        Ok(id) if id > 0 => Ok(MessageId::new(id)),
        _ => Err(WHY.to_owned()),
    }
}

/// Turns the validated receipts into stream entries, or a 422 listing every bad field and every reference
/// naming a message that is not `workspace`'s (when the route is a workspace's own) or not Converge's at all.
async fn check_references(
    state: &SharedState,
    receipts: Vec<Result<Checked, FieldErrors>>,
    workspace: Option<WorkspaceId>,
) -> ApiResult<Vec<ReceiptEntry>> {
    let mut ids: Vec<MessageId> = receipts
        .iter()
        .filter_map(|r| match r {
            Ok(Checked::Message { log_id, .. }) => Some(*log_id),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let known: HashSet<MessageId> = state.store.known_messages(workspace, &ids).await?.into_iter().collect();
    let mut errors = FieldErrors::default();
    let mut entries = Vec::with_capacity(receipts.len());
    for (index, receipt) in receipts.into_iter().enumerate() {
        match receipt {
            Ok(Checked::Message { log_id, entry }) if known.contains(&log_id) => entries.push(entry),
            Ok(Checked::Message { .. }) => errors.push(format!("receipts[{index}].reference"), "no such message"),
            Ok(Checked::Transactional) => {}
            Err(bad) => errors.extend(bad),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// A queue that refuses the append: 503 with `Retry-After`, which the vendor retries.
fn unavailable(err: QueueError) -> ApiError {
    match err {
        QueueError::Full { .. } => ApiError::Unavailable {
            detail: "the receipt backlog is full; retry shortly".into(),
            retry_after: Duration::from_secs(5),
        },
        QueueError::Unavailable(cause) => {
            tracing::error!(%cause, "queue unavailable");
            ApiError::Unavailable {
                detail: "the receipt queue is unreachable; retry shortly".into(),
                retry_after: Duration::from_secs(2),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_log_ids_with_an_optional_generation() {
        assert_eq!(parse_reference("42"), Ok(MessageId::new(42)));
        assert_eq!(parse_reference("42.0"), Ok(MessageId::new(42)));
        assert_eq!(parse_reference("42.7"), Ok(MessageId::new(42)));
        for bad in ["", "0", "0.1", "-1", "+1", "1.", ".1", "1.2.3", "1.-2", " 1", "x", "1e3", "99999999999999999999"] {
            assert!(parse_reference(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn a_single_receipt_is_a_batch_of_one() {
        let body = br#"{"message_id":"m1","reference":"1.0","status":"SENT","occurred_at":"2026-05-01T10:00:00Z"}"#;
        let parsed = parse(body, "default", now(), Span::minutes(5)).unwrap();
        assert_eq!(parsed.len(), 1);
        let Checked::Message { log_id, entry } = parsed.into_iter().next().unwrap().unwrap() else {
            panic!("a campaign message's receipt")
        };
        assert_eq!((log_id, entry.vendor_message_id.as_str()), (MessageId::new(1), "m1"));
        assert_eq!((entry.log_id, entry.route.as_str(), entry.permanent), (MessageId::new(1), "default", false));
    }

    #[test]
    fn receipts_of_reply_confirmations_settle_nothing_and_permanence_needs_a_failure() {
        let body = br#"{"receipts": [
            {"message_id":"m1","reference":"tx.reply.0a1b2c","status":"SENT","occurred_at":"2026-05-01T10:00:00Z"},
            {"message_id":"m2","reference":"7","status":"FAILED","permanent":true,"occurred_at":"2026-05-01T10:00:00Z"},
            {"message_id":"m3","reference":"8","status":"SENT","permanent":true,"occurred_at":"2026-05-01T10:00:00Z"}]}"#;
        let parsed: Vec<Checked> =
            parse(body, "default", now(), Span::minutes(5)).unwrap().into_iter().map(Result::unwrap).collect();
        assert!(matches!(parsed[0], Checked::Transactional));
        assert!(matches!(&parsed[1], Checked::Message { entry, .. } if entry.permanent));
        assert!(matches!(&parsed[2], Checked::Message { entry, .. } if !entry.permanent), "a SENT is never permanent");
    }

    fn now() -> DateTime<Utc> {
        "2026-05-02T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_outcome_from_another_era_is_refused() {
        let at = |occurred: &str| {
            let body =
                serde_json::json!({"message_id": "m", "reference": "1", "status": "SENT", "occurred_at": occurred});
            let parsed = parse(&serde_json::to_vec(&body).unwrap(), "default", now(), Span::minutes(5)).unwrap();
            parsed.into_iter().next().unwrap().map(|c| match c {
                Checked::Message { entry, .. } => entry.at,
                Checked::Transactional => panic!("a campaign message's receipt"),
            })
        };
        for bad in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-03-01T00:00:00Z", "2026-05-02T10:06:00Z"] {
            let errors = at(bad).unwrap_err();
            assert_eq!(errors.0[0].field, "receipts[0].occurred_at", "{bad}");
        }
        for good in ["2026-04-05T10:00:00Z", "2026-05-02T10:04:00Z"] {
            assert!(at(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn field_errors_name_the_receipt() {
        let long = "x".repeat(201);
        let body = serde_json::json!({"receipts": [
            {"message_id": long, "reference": "a", "status": "SENT", "occurred_at": "yesterday", "error": "e"},
            {"message_id": "m", "reference": "1", "status": "DELIVERED", "occurred_at": "2026-05-01T10:00:00Z"},
        ]});
        let parsed = parse(&serde_json::to_vec(&body).unwrap(), "default", now(), Span::minutes(5)).unwrap();
        let fields: Vec<String> =
            parsed.into_iter().filter_map(Result::err).flat_map(|e| e.0.into_iter().map(|e| e.field)).collect();
        assert_eq!(
            fields,
            ["receipts[0].message_id", "receipts[0].reference", "receipts[0].occurred_at", "receipts[1].status"]
        );
    }
}
