//! Decoding of stream replies into [`Delivery`] values.
//!
//! Parsed by hand from [`redis::Value`] so that payloads stay binary-safe and both RESP2 (arrays) and RESP3
//! (maps) shapes are accepted.

use redis::Value;

use crate::{Delivery, EntryId, QueueError, Result};

/// Field under which the payload is stored in each stream entry.
pub(super) const PAYLOAD_FIELD: &[u8] = b"p";

fn malformed(what: &str) -> QueueError {
    QueueError::Unavailable(format!("redis: unexpected reply shape ({what})"))
}

fn bytes(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::Int(n) => Some(n.to_string().into_bytes()),
        _ => None,
    }
}

fn text(value: Value) -> Option<String> {
    bytes(value).and_then(|b| String::from_utf8(b).ok())
}

fn items(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(v) | Value::Set(v) => Some(v),
        Value::Nil => Some(Vec::new()),
        _ => None,
    }
}

/// Finds the payload among an entry's `field, value, ...` list (or map).
fn payload_of(fields: Value) -> Option<Vec<u8>> {
    let pairs: Vec<(Value, Value)> = match fields {
        Value::Map(pairs) => pairs,
        other => {
            let mut flat = items(other)?.into_iter();
            let mut pairs = Vec::new();
            while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                pairs.push((k, v));
            }
            pairs
        }
    };
    pairs.into_iter().find(|(k, _)| matches!(k, Value::BulkString(b) if b == PAYLOAD_FIELD)).and_then(|(_, v)| bytes(v))
}

/// Decodes one `[id, [field, value, ...]]` entry (plus an optional trailing delivery count).
fn entry(value: Value, deliveries: u32) -> Result<Delivery> {
    let mut parts = items(value).ok_or_else(|| malformed("entry"))?.into_iter();
    let id = parts.next().and_then(text).ok_or_else(|| malformed("entry id"))?;
    let payload = parts.next().and_then(payload_of).ok_or_else(|| malformed("entry payload"))?;
    let deliveries = match parts.next() {
        Some(Value::Int(n)) => u32::try_from(n).unwrap_or(u32::MAX),
        Some(_) => return Err(malformed("delivery count")),
        None => deliveries,
    };
    Ok(Delivery { id: EntryId(id), payload, deliveries })
}

/// Decodes an `XREADGROUP` reply for a single stream; `Nil` (timeout) is an empty batch.
pub(super) fn read_reply(value: Value) -> Result<Vec<Delivery>> {
    let entries = match value {
        Value::Nil => return Ok(Vec::new()),
        Value::Map(streams) => streams.into_iter().next().map(|(_, entries)| entries),
        other => {
            let streams = items(other).ok_or_else(|| malformed("streams"))?;
            match streams.into_iter().next() {
                Some(stream) => items(stream).ok_or_else(|| malformed("stream"))?.into_iter().nth(1),
                None => None,
            }
        }
    };
    let Some(entries) = entries else {
        return Ok(Vec::new());
    };
    items(entries).ok_or_else(|| malformed("entries"))?.into_iter().map(|e| entry(e, 1)).collect()
}

/// Decodes the claim script's reply: `[[id, fields, deliveries], ...]`.
pub(super) fn claim_reply(value: Value) -> Result<Vec<Delivery>> {
    items(value).ok_or_else(|| malformed("claimed entries"))?.into_iter().map(|e| entry(e, 1)).collect()
}

/// Decodes the append script's reply: an integer stream length when full, else the new ids.
pub(super) enum AppendReply {
    Full(u64),
    Added(Vec<EntryId>),
}

pub(super) fn append_reply(value: Value) -> Result<AppendReply> {
    match value {
        Value::Int(len) => Ok(AppendReply::Full(u64::try_from(len).unwrap_or(0))),
        other => items(other)
            .ok_or_else(|| malformed("appended ids"))?
            .into_iter()
            .map(|v| text(v).map(EntryId).ok_or_else(|| malformed("appended id")))
            .collect::<Result<Vec<_>>>()
            .map(AppendReply::Added),
    }
}

/// Whether `id` has the shape of a stream id (`ms` or `ms-seq`); other strings are ignored by ack.
pub(super) fn is_stream_id(id: &str) -> bool {
    let mut parts = id.splitn(2, '-');
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_some_and(digits) && parts.next().is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &[u8]) -> Value {
        Value::BulkString(s.to_vec())
    }

    #[test]
    fn decodes_resp2_read_reply() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk(b"k"),
            Value::Array(vec![Value::Array(vec![bulk(b"1-0"), Value::Array(vec![bulk(b"p"), bulk(&[0, 255])])])]),
        ])]);
        let got = read_reply(reply).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id.0, "1-0");
        assert_eq!(got[0].payload, vec![0, 255]);
        assert_eq!(got[0].deliveries, 1);
    }

    #[test]
    fn nil_read_reply_is_empty() {
        assert!(read_reply(Value::Nil).unwrap().is_empty());
    }

    #[test]
    fn stream_id_shape() {
        assert!(is_stream_id("1-0"));
        assert!(is_stream_id("17000"));
        assert!(!is_stream_id("1-"));
        assert!(!is_stream_id("abc"));
        assert!(!is_stream_id("1-2-3"));
        assert!(!is_stream_id(""));
    }
}
