//! Reading the vendor's answer to one batch request into one [`SendOutcome`] per message.
//!
//! What a server a tenant chose says is never copied into what the tenant can read (a log row's `error`):
//! only the HTTP status and a short reason of our own (`quote = false`); the server's own words go to the
//! operator's log. Otherwise a tenant that aimed its channel at some other service could read that service's
//! answers through Converge. The node's default vendor is the operator's: its reasons are quoted (bounded,
//! on one line), since they tell a marketer why a number was refused.

use converge_vendor_wire::{BatchItem, BatchResponse, ErrorBody};
use reqwest::{header, Response, StatusCode};

use crate::sender::{OutboundMessage, SendOutcome};

/// At most this much of an error answer is read and quoted: enough for any gateway's error JSON, and a
/// misbehaving vendor cannot make us buffer a large body to say "failed".
const MAX_ERROR_BODY: usize = 2_048;

/// Maps the answer for `chunk`. A 2xx answer is read item by item; anything else fails the whole chunk.
pub(super) async fn read(response: Response, chunk: &[OutboundMessage], quote: bool) -> Vec<SendOutcome> {
    let status = response.status();
    if !status.is_success() {
        let retry_after = response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = error_body(response).await;
        let outcome = whole_request_failure(status, retry_after.as_deref(), quote.then_some(body.as_str()));
        tracing::warn!(%status, vendor_said = %body.trim(), ?outcome, "vendor refused the batch");
        return vec![outcome; chunk.len()];
    }
    let answer = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice::<BatchResponse>(&bytes).map_err(|err| {
            tracing::warn!(%status, error = %err, "unreadable vendor answer");
            format!("vendor answered {status} with an unreadable body")
        }),
        Err(err) => {
            tracing::warn!(error = %crate::error_chain(&err), "reading the vendor's answer failed");
            Err("reading the vendor's answer failed".to_owned())
        }
    };
    match answer {
        Ok(answer) => per_item(answer, chunk, quote),
        Err(error) => {
            // The vendor may well have accepted the messages; resending the same references is safe.
            tracing::warn!(%error, "vendor answer unusable; every message is retryable");
            vec![SendOutcome::retryable(error); chunk.len()]
        }
    }
}

/// One outcome per item, in order. An answer that does not line up with what was sent (wrong count, another
/// reference) is distrusted entirely and every message retried, which idempotency makes safe.
fn per_item(answer: BatchResponse, chunk: &[OutboundMessage], quote: bool) -> Vec<SendOutcome> {
    if answer.results.len() != chunk.len() {
        let error = format!("vendor answered {} results for {} messages", answer.results.len(), chunk.len());
        return vec![SendOutcome::retryable(error); chunk.len()];
    }
    answer
        .results
        .into_iter()
        .zip(chunk)
        .map(|(item, message)| match item {
            BatchItem::Accepted(accepted) if accepted.reference != message.reference => {
                tracing::warn!(expected = %message.reference, "vendor answered for another reference");
                SendOutcome::retryable("vendor answered for another message in this one's place")
            }
            BatchItem::Accepted(accepted) if !usable_id(&accepted.id) => {
                // It took the message but gave an id no receipt could name and no row can hold: the message
                // cannot be tracked, and resending it would send it twice.
                tracing::warn!(reference = %message.reference, "vendor answered an unusable message id");
                SendOutcome::rejected("vendor answered an unusable message id")
            }
            BatchItem::Accepted(accepted) => SendOutcome::Accepted { vendor_message_id: accepted.id },
            BatchItem::Rejected { error, .. } if quote => SendOutcome::rejected(one_line(&error)),
            BatchItem::Rejected { error, .. } => {
                tracing::info!(reference = %message.reference, vendor_said = %error, "vendor rejected a message");
                SendOutcome::rejected("rejected by the vendor")
            }
        })
        .collect()
}

/// Longest vendor message id kept, in bytes: the receipt endpoint accepts no longer one.
pub const MAX_VENDOR_ID_BYTES: usize = 200;

/// An id a log row can store and a receipt can name: 1 to [`MAX_VENDOR_ID_BYTES`] bytes, no control
/// characters (a NUL cannot even be stored on Postgres).
pub fn usable_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_VENDOR_ID_BYTES && !id.chars().any(char::is_control)
}

/// The outcome for every message of a request answered with a non-2xx status.
///
/// Only 400, 413 and 422 are final: the vendor judged what we sent, and sending the same bytes again cannot
/// succeed. Everything else is retried: 408, 429 and 5xx are transient by definition; 401/403 (a revoked or
/// mistyped key), 404 and 3xx (a wrong base URL) are configuration an operator fixes, and failing a campaign's
/// messages for good because of them would burn messages that will go through once the fix is in.
fn whole_request_failure(status: StatusCode, retry_after: Option<&str>, quoted: Option<&str>) -> SendOutcome {
    let mut error = format!("vendor answered {status}");
    if let Some(seconds) = retry_after.and_then(|value| value.trim().parse::<u32>().ok()) {
        error.push_str(&format!(" (retry after {seconds} s)"));
    }
    let detail = quoted.map(|body| match serde_json::from_str::<ErrorBody>(body) {
        Ok(error) => format!("{}: {}", error.error, error.message),
        Err(_) => body.to_owned(),
    });
    if let Some(detail) = detail.map(|d| one_line(&d)).filter(|d| !d.is_empty()) {
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

/// Longest quoted vendor reason, in characters.
const MAX_QUOTED_CHARS: usize = 300;

/// A quoted reason on one line: control characters become spaces, runs of spaces one, at most
/// [`MAX_QUOTED_CHARS`] characters.
fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_QUOTED_CHARS).collect()
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
    use converge_vendor_wire::SendResponse;
    use converge_vendor_wire::Status;

    use super::*;

    fn sent(reference: &str) -> OutboundMessage {
        OutboundMessage {
            reference: reference.into(),
            channel: Channel::Sms,
            to: "+919812345678".into(),
            subject: None,
            body: "Hi".into(),
            unsubscribe_url: None,
            sender: None,
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
        let quoted = [SendOutcome::Accepted { vendor_message_id: "msg_1".into() }, SendOutcome::rejected("to: bad")];
        assert_eq!(per_item(answer.clone(), &chunk, true), quoted);
        let classified = [
            SendOutcome::Accepted { vendor_message_id: "msg_1".into() },
            SendOutcome::rejected("rejected by the vendor"),
        ];
        assert_eq!(per_item(answer, &chunk, false), classified);

        let short = per_item(BatchResponse { results: vec![accepted("a", "msg_1")] }, &chunk, true);
        assert!(short.iter().all(|outcome| matches!(outcome, SendOutcome::Retryable { .. })), "{short:?}");
        let swapped =
            per_item(BatchResponse { results: vec![accepted("b", "msg_2"), accepted("a", "msg_1")] }, &chunk, true);
        assert!(swapped.iter().all(|outcome| matches!(outcome, SendOutcome::Retryable { .. })), "{swapped:?}");
    }

    #[test]
    fn content_errors_are_final_and_the_rest_retryable() {
        for (status, final_) in [(400, true), (413, true), (422, true), (401, false), (404, false), (408, false)] {
            let status = StatusCode::from_u16(status).unwrap();
            let outcome = whole_request_failure(status, None, None);
            assert_eq!(matches!(outcome, SendOutcome::Rejected { .. }), final_, "{status}");
        }
        for status in [429, 500, 502, 503, 302] {
            let outcome = whole_request_failure(StatusCode::from_u16(status).unwrap(), None, None);
            assert!(matches!(outcome, SendOutcome::Retryable { .. }), "{status}");
        }
    }

    #[test]
    fn a_tenants_server_is_never_quoted_the_operators_vendor_is() {
        let body = r#"{"error": "outage", "message": "simulated outage"}"#;
        let outcome = whole_request_failure(StatusCode::SERVICE_UNAVAILABLE, Some("30"), None);
        assert_eq!(outcome, SendOutcome::retryable("vendor answered 503 Service Unavailable (retry after 30 s)"));
        let odd = whole_request_failure(StatusCode::BAD_GATEWAY, Some("secret-token-in-a-header"), None);
        assert_eq!(odd, SendOutcome::retryable("vendor answered 502 Bad Gateway"));
        let quoted = whole_request_failure(StatusCode::SERVICE_UNAVAILABLE, Some("30"), Some(body));
        let expected = "vendor answered 503 Service Unavailable (retry after 30 s): outage: simulated outage";
        assert_eq!(quoted, SendOutcome::retryable(expected));
        let html = whole_request_failure(StatusCode::BAD_GATEWAY, None, Some("<html>bad\n\n gateway</html>\n"));
        assert_eq!(html, SendOutcome::retryable("vendor answered 502 Bad Gateway: <html>bad gateway</html>"));
    }

    #[test]
    fn an_unusable_vendor_id_fails_its_message_alone() {
        let chunk = [sent("a"), sent("b"), sent("c")];
        let answer = BatchResponse {
            results: vec![accepted("a", "ok-1"), accepted("b", "nul\0inside"), accepted("c", &"x".repeat(201))],
        };
        let outcomes = per_item(answer, &chunk, true);
        assert_eq!(outcomes[0], SendOutcome::Accepted { vendor_message_id: "ok-1".into() });
        assert!(
            matches!(outcomes[1], SendOutcome::Rejected { .. }) && matches!(outcomes[2], SendOutcome::Rejected { .. })
        );
        assert!(usable_id(&"x".repeat(200)) && !usable_id("") && !usable_id("a\nb"));
    }
}
