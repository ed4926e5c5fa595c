//! The messaging vendor's delivery-receipt callback: verify the signature, validate, append one entry per
//! receipt to the `receipts` stream, answer 202. The batch applier (`workers::receipts`) writes them.
//!
//! No API key: the vendor proves itself with `X-Converge-Signature: v1=<hex HMAC-SHA256(signing_secret,
//! "{timestamp}.{body}")>` over the raw body and `X-Converge-Timestamp`, checked with the simulator's own
//! [`verify`] so both ends share one implementation. Anything unsigned, forged or outside the replay window
//! is 401 (the vendor does not retry 4xx, which is right for a forgery). A request is all-or-nothing: one
//! bad receipt, or one naming a message Converge never sent, is a 422 and nothing is appended. Only queue
//! trouble is 503 (which the vendor retries). Duplicates are accepted: the applier's writes are idempotent.

use std::collections::HashSet;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{FieldErrors, ReceiptStatus};
use converge_queue::QueueError;
use converge_vendor_sim::{verify, SignatureError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::json::decode_value;
use crate::delivery::ReceiptEntry;
use crate::state::{streams, SharedState};

/// Most receipts one request may carry (the vendor sends at most this many per callback).
pub const MAX_RECEIPTS: usize = converge_vendor_sim::MAX_RECEIPT_BATCH;
/// Longest vendor message id accepted, in bytes.
const MAX_MESSAGE_ID_BYTES: usize = 200;
/// Longest failure reason accepted, in characters.
const MAX_ERROR_CHARS: usize = 1000;

/// One delivery receipt as the vendor sends it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReceiptInput {
    /// The vendor's id for the message, as answered when it accepted the message (1–200 bytes).
    pub message_id: String,
    /// Converge's reference for the message, as given to the vendor: `"{log_id}.{generation}"` or `"{log_id}"`.
    pub reference: String,
    pub status: ReceiptStatus,
    /// Why the message failed (at most 1000 characters); absent when it was sent.
    #[serde(default)]
    pub error: Option<String>,
    /// When the outcome happened, RFC 3339.
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

/// Receive delivery receipts from the messaging vendor.
///
/// Authenticated by signature, not by API key: `X-Converge-Signature: v1=<hex HMAC-SHA256(signing_secret,
/// "{X-Converge-Timestamp}.{raw body}")>`; several comma-separated `v1=` values are allowed (secret rotation).
/// A missing, malformed or wrong signature, or a timestamp further than `vendor.receipt_max_age_secs` from
/// the server's clock, is 401. All-or-nothing: one invalid receipt, or one whose `reference` names no message
/// of Converge's, is 422 (errors name `receipts[i].field`) and nothing is kept. Repeated receipts are
/// accepted and change nothing; a receipt only moves a pending message to SENT or FAILED.
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
    let body = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError::PayloadTooLarge(state.settings.ingest.body_limit_bytes))
        }
        Err(rejection) => return Err(ApiError::BadRequest(rejection.body_text())),
    };
    authenticate(&state, &headers, &body)?;
    let receipts = parse(&body)?;
    let entries = check_references(&state, receipts).await?;
    let payloads: Vec<Vec<u8>> = entries.iter().map(ReceiptEntry::to_bytes).collect();
    state.queue.append(streams::RECEIPTS, &payloads).await.map_err(unavailable)?;
    metrics::counter!("converge_receipts_accepted_total").increment(payloads.len() as u64);
    tracing::debug!(receipts = payloads.len(), "accepted delivery receipts");
    Ok((StatusCode::ACCEPTED, Json(ReceiptsAccepted { accepted: payloads.len() })))
}

/// Checks the signature over the raw body; every failure is 401. Logs why, never the secret or signature.
fn authenticate(state: &SharedState, headers: &HeaderMap, body: &[u8]) -> ApiResult<()> {
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
    verify(vendor.signing_secret.expose(), timestamp, body, signature, now, tolerance).map_err(|err| {
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

/// A receipt that passed validation, with the message it names.
struct Checked {
    log_id: i64,
    entry: ReceiptEntry,
}

/// Parses the body: not JSON is 400; anything else wrong is 422 listing every bad field.
fn parse(body: &[u8]) -> ApiResult<Vec<Result<Checked, FieldErrors>>> {
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
    Ok(items.into_iter().enumerate().map(|(index, item)| validate(item, &format!("receipts[{index}]"))).collect())
}

fn validate(item: Value, prefix: &str) -> Result<Checked, FieldErrors> {
    let input: ReceiptInput = decode_value(item, prefix)?;
    let mut errors = FieldErrors::default();
    let field = |name: &str| format!("{prefix}.{name}");
    if input.message_id.is_empty() || input.message_id.len() > MAX_MESSAGE_ID_BYTES {
        errors.push(field("message_id"), format!("must be 1 to {MAX_MESSAGE_ID_BYTES} bytes long"));
    } else if input.message_id.chars().any(char::is_control) {
        errors.push(field("message_id"), "must not contain control characters");
    }
    let log_id = errors.check(&field("reference"), parse_reference(&input.reference));
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
            .map_err(|_| "must be an RFC 3339 timestamp, e.g. 2026-05-01T10:00:00Z".to_owned()),
    );
    match (log_id, at) {
        (Some(log_id), Some(at)) if errors.is_empty() => Ok(Checked {
            log_id,
            entry: ReceiptEntry { vendor_message_id: input.message_id, status: input.status, error: input.error, at },
        }),
        _ => Err(errors),
    }
}

/// Converge's reference for a message: `"{log_id}.{generation}"` or `"{log_id}"`, decimal digits only.
fn parse_reference(reference: &str) -> Result<i64, String> {
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
        Ok(id) if id > 0 => Ok(id),
        _ => Err(WHY.to_owned()),
    }
}

/// Turns the validated receipts into stream entries, or a 422 listing every bad field and every reference
/// naming a message Converge does not have.
async fn check_references(
    state: &SharedState,
    receipts: Vec<Result<Checked, FieldErrors>>,
) -> ApiResult<Vec<ReceiptEntry>> {
    let mut ids: Vec<i64> = receipts.iter().filter_map(|r| r.as_ref().ok().map(|c| c.log_id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let known: HashSet<i64> = state.store.known_messages(&ids).await?.into_iter().collect();
    let mut errors = FieldErrors::default();
    let mut entries = Vec::with_capacity(receipts.len());
    for (index, receipt) in receipts.into_iter().enumerate() {
        match receipt {
            Ok(checked) if known.contains(&checked.log_id) => entries.push(checked.entry),
            Ok(_) => errors.push(format!("receipts[{index}].reference"), "no such message"),
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
        assert_eq!(parse_reference("42"), Ok(42));
        assert_eq!(parse_reference("42.0"), Ok(42));
        assert_eq!(parse_reference("42.7"), Ok(42));
        for bad in ["", "0", "0.1", "-1", "+1", "1.", ".1", "1.2.3", "1.-2", " 1", "x", "1e3", "99999999999999999999"] {
            assert!(parse_reference(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn a_single_receipt_is_a_batch_of_one() {
        let body = br#"{"message_id":"m1","reference":"1.0","status":"SENT","occurred_at":"2026-05-01T10:00:00Z"}"#;
        let parsed = parse(body).unwrap();
        assert_eq!(parsed.len(), 1);
        let checked = parsed.into_iter().next().unwrap().unwrap();
        assert_eq!((checked.log_id, checked.entry.vendor_message_id.as_str()), (1, "m1"));
    }

    #[test]
    fn field_errors_name_the_receipt() {
        let long = "x".repeat(201);
        let body = serde_json::json!({"receipts": [
            {"message_id": long, "reference": "a", "status": "SENT", "occurred_at": "yesterday", "error": "e"},
            {"message_id": "m", "reference": "1", "status": "DELIVERED", "occurred_at": "2026-05-01T10:00:00Z"},
        ]});
        let parsed = parse(&serde_json::to_vec(&body).unwrap()).unwrap();
        let fields: Vec<String> =
            parsed.into_iter().filter_map(Result::err).flat_map(|e| e.0.into_iter().map(|e| e.field)).collect();
        assert_eq!(
            fields,
            ["receipts[0].message_id", "receipts[0].reference", "receipts[0].occurred_at", "receipts[1].status"]
        );
    }
}
