//! Reading the vendor's answer to one batch request into one [`SendOutcome`] per message.

use converge_vendor_sim::wire::{BatchItem, BatchResponse, ErrorBody};
use reqwest::{header, Response, StatusCode};

use crate::sender::{OutboundMessage, SendOutcome};

/// At most this much of an error answer is read and quoted: enough for any gateway's error JSON, and a
/// misbehaving vendor cannot make us buffer a large body to say "failed".
const MAX_ERROR_BODY: usize = 2_048;

/// Maps the answer for `chunk`. A 2xx answer is read item by item; anything else fails the whole chunk.
pub(super) async fn read(response: Response, chunk: &[OutboundMessage]) -> Vec<SendOutcome> {
    let status = response.status();
    if !status.is_success() {
        let retry_after = response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = error_body(response).await;
        let outcome = whole_request_failure(status, retry_after.as_deref(), &body);
        tracing::warn!(%status, ?outcome, "vendor refused the batch");
        return vec![outcome; chunk.len()];
    }
    let answer = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<BatchResponse>(&bytes)
            .map_err(|err| format!("vendor answered {status} with an unreadable body: {err}")),
        Err(err) => Err(format!("reading the vendor's answer failed: {}", crate::error_chain(&err))),
    };
    match answer {
        Ok(answer) => per_item(answer, chunk),
        Err(error) => {
            // The vendor may well have accepted the messages; resending the same references is safe.
            tracing::warn!(%error, "vendor answer unusable; every message is retryable");
            vec![SendOutcome::retryable(error); chunk.len()]
        }
    }
}

/// One outcome per item, in order. An answer that does not line up with what was sent (wrong count, another
/// reference) is distrusted entirely and every message retried, which idempotency makes safe.
fn per_item(answer: BatchResponse, chunk: &[OutboundMessage]) -> Vec<SendOutcome> {
    if answer.results.len() != chunk.len() {
        let error = format!("vendor answered {} results for {} messages", answer.results.len(), chunk.len());
        return vec![SendOutcome::retryable(error); chunk.len()];
    }
    answer
        .results
        .into_iter()
        .zip(chunk)
        .map(|(item, message)| match item {
            BatchItem::Accepted(accepted) if accepted.reference == message.reference => {
                SendOutcome::Accepted { vendor_message_id: accepted.id }
            }
            BatchItem::Accepted(accepted) => SendOutcome::retryable(format!(
                "vendor answered for reference {:?} in the place of {:?}",
                accepted.reference, message.reference
            )),
            BatchItem::Rejected { error, .. } => SendOutcome::rejected(error),
        })
        .collect()
}

/// The outcome for every message of a request answered with a non-2xx status.
///
/// Only 400, 413 and 422 are final: the vendor judged what we sent, and sending the same bytes again cannot
/// succeed. Everything else is retried: 408, 429 and 5xx are transient by definition; 401/403 (a revoked or
/// mistyped key), 404 and 3xx (a wrong base URL) are configuration an operator fixes, and failing a campaign's
/// messages for good because of them would burn messages that will go through once the fix is in.
fn whole_request_failure(status: StatusCode, retry_after: Option<&str>, body: &str) -> SendOutcome {
    let detail = match serde_json::from_str::<ErrorBody>(body) {
        Ok(error) => format!("{}: {}", error.error, error.message),
        Err(_) => body.trim().to_owned(),
    };
    let mut error = format!("vendor answered {status}");
    if let Some(seconds) = retry_after {
        error.push_str(&format!(" (retry after {seconds} s)"));
    }
    if !detail.is_empty() {
        error.push_str(": ");
        error.push_str(&detail);
    }
    match status {
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY => {
            SendOutcome::rejected(error)
        }
        _ => SendOutcome::retryable(error),
    }
}

/// The first [`MAX_ERROR_BODY`] bytes of an error answer, as text; whatever cannot be read is left out.
async fn error_body(mut response: Response) -> String {
    let mut bytes = Vec::new();
    // Bounded: every chunk adds bytes, and we stop once the limit is reached (or after 64 chunks).
    for _ in 0..64 {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() >= MAX_ERROR_BODY {
                    bytes.truncate(MAX_ERROR_BODY);
                    break;
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use converge_domain::Channel;
    use converge_vendor_sim::wire::SendResponse;
    use converge_vendor_sim::Status;

    use super::*;

    fn sent(reference: &str) -> OutboundMessage {
        OutboundMessage {
            reference: reference.into(),
            channel: Channel::Sms,
            to: "+919812345678".into(),
            subject: None,
            body: "Hi".into(),
        }
    }

    fn accepted(reference: &str, id: &str) -> BatchItem {
        let (id, reference) = (id.into(), reference.into());
        BatchItem::Accepted(SendResponse { id, reference, status: Status::Queued, duplicate: false })
    }

    #[test]
    fn items_map_in_order_and_a_misaligned_answer_is_retried_whole() {
        let chunk = [sent("a"), sent("b")];
        let rejected = BatchItem::Rejected { reference: Some("b".into()), error: "to: bad".into() };
        let answer = BatchResponse { results: vec![accepted("a", "msg_1"), rejected] };
        let expected = [SendOutcome::Accepted { vendor_message_id: "msg_1".into() }, SendOutcome::rejected("to: bad")];
        assert_eq!(per_item(answer, &chunk), expected);

        let short = per_item(BatchResponse { results: vec![accepted("a", "msg_1")] }, &chunk);
        assert!(short.iter().all(|outcome| matches!(outcome, SendOutcome::Retryable { .. })), "{short:?}");
        let swapped = per_item(BatchResponse { results: vec![accepted("b", "msg_2"), accepted("a", "msg_1")] }, &chunk);
        assert!(swapped.iter().all(|outcome| matches!(outcome, SendOutcome::Retryable { .. })), "{swapped:?}");
    }

    #[test]
    fn content_errors_are_final_and_the_rest_retryable() {
        let body = r#"{"error": "invalid", "message": "messages: between 1 and 1000 items"}"#;
        for (status, final_) in [(400, true), (413, true), (422, true), (401, false), (404, false), (408, false)] {
            let status = StatusCode::from_u16(status).unwrap();
            let outcome = whole_request_failure(status, None, body);
            assert_eq!(matches!(outcome, SendOutcome::Rejected { .. }), final_, "{status}");
        }
        for status in [429, 500, 502, 503, 302] {
            let outcome = whole_request_failure(StatusCode::from_u16(status).unwrap(), None, "");
            assert!(matches!(outcome, SendOutcome::Retryable { .. }), "{status}");
        }
    }

    #[test]
    fn the_error_names_status_retry_after_and_the_vendors_reason() {
        let body = r#"{"error": "outage", "message": "simulated outage"}"#;
        let outcome = whole_request_failure(StatusCode::SERVICE_UNAVAILABLE, Some("30"), body);
        let expected = "vendor answered 503 Service Unavailable (retry after 30 s): outage: simulated outage";
        assert_eq!(outcome, SendOutcome::retryable(expected));
        let plain = whole_request_failure(StatusCode::BAD_GATEWAY, None, "<html>bad gateway</html>\n");
        assert_eq!(plain, SendOutcome::retryable("vendor answered 502 Bad Gateway: <html>bad gateway</html>"));
    }
}
