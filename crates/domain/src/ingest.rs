//! The payload of the `ingest` stream: what the API enqueues after validating and the ingest consumer applies.
//!
//! Records travel in their validated form, so consumers do no re-validation work beyond decoding, and
//! decoding itself re-parses every newtype (serde `try_from`): a corrupted or tampered message fails to
//! decode instead of slipping an invalid value into the database.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::CustomerRecord;
use crate::ids::WorkspaceId;
use crate::order::OrderRecord;

/// One accepted write, with the tenant it belongs to and when the API accepted it (used for ordering
/// customer upserts and for lag metrics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestEnvelope {
    pub workspace_id: WorkspaceId,
    pub received_at: DateTime<Utc>,
    pub event: IngestEvent,
}

/// What was accepted. Serialized with a `kind` tag (`"customer"` or `"order"`) next to the record's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IngestEvent {
    Customer(CustomerRecord),
    Order(OrderRecord),
}

impl IngestEnvelope {
    /// Compact JSON bytes for the stream.
    ///
    /// Encoding these types cannot fail (every map key is a string, there are no floats), so this returns
    /// bytes rather than a `Result`. Should it ever fail, the empty payload it returns is refused by
    /// [`IngestEnvelope::from_bytes`] loudly, rather than panicking inside a request handler.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes and re-validates a stream payload.
    pub fn from_bytes(bytes: &[u8]) -> Result<IngestEnvelope, String> {
        serde_json::from_slice(bytes).map_err(|error| format!("invalid ingest payload: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::customer::CustomerInput;
    use crate::money::Currency;
    use crate::order::OrderInput;

    fn now() -> DateTime<Utc> {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    fn customer() -> CustomerRecord {
        serde_json::from_value::<CustomerInput>(json!({
            "external_id": "C1", "name": "Priya Sharma", "email": "priya@example.in",
            "phone": "+91 98765 43210", "city": "Pune", "gender": "female", "preferred_channel": "sms",
            "created_at": "2024-01-02T03:04:05.678Z",
            "attributes": {"tier": "gold", "points": 12.50, "newsletter": false, "old": null}
        }))
        .unwrap()
        .validate(now())
        .unwrap()
    }

    fn order() -> OrderRecord {
        serde_json::from_value::<OrderInput>(json!({
            "external_id": "O1", "customer_external_id": "C1", "amount": "2999.00", "status": "refunded",
            "channel": "store", "items": [{"sku": "S1", "name": "Saree", "quantity": 1, "unit_price": 2999}]
        }))
        .unwrap()
        .validate(now(), &Currency::INR)
        .unwrap()
    }

    #[test]
    fn round_trips_both_kinds() {
        for event in [IngestEvent::Customer(customer()), IngestEvent::Order(order())] {
            let envelope = IngestEnvelope { workspace_id: WorkspaceId::new(7), received_at: now(), event };
            let bytes = envelope.to_bytes();
            assert!(!bytes.contains(&b'\n'), "compact JSON");
            assert_eq!(IngestEnvelope::from_bytes(&bytes), Ok(envelope));
        }
    }

    #[test]
    fn payload_is_tagged_by_kind() {
        let envelope = IngestEnvelope {
            workspace_id: WorkspaceId::new(1),
            received_at: now(),
            event: IngestEvent::Order(order()),
        };
        let value: serde_json::Value = serde_json::from_slice(&envelope.to_bytes()).unwrap();
        assert_eq!(value["event"]["kind"], json!("order"));
        assert_eq!(value["event"]["amount"], json!(299_900));
    }

    #[test]
    fn tampered_or_broken_payloads_fail_to_decode() {
        let envelope = IngestEnvelope {
            workspace_id: WorkspaceId::new(1),
            received_at: now(),
            event: IngestEvent::Customer(customer()),
        };
        let text = String::from_utf8(envelope.to_bytes()).unwrap();
        for tampered in [
            text.replace("priya@example.in", "priya"),
            text.replace("\"tier\"", "\"Tier\""),
            text.replace("\"customer\"", "\"refund\""),
            text.replace("+919876543210", "12"),
            String::new(),
            "{".to_owned(),
        ] {
            assert!(IngestEnvelope::from_bytes(tampered.as_bytes()).is_err(), "{tampered}");
        }
    }
}
