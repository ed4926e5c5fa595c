//! # The Converge vendor simulator
//!
//! A dummy messaging vendor that behaves like a real SMS/e-mail gateway, so Converge's dispatch workers, receipt
//! endpoint and end-to-end tests run against real HTTP without an outside service. It accepts sends, answers
//! with message ids, decides each message's outcome after a short random delay, POSTs signed delivery receipts
//! to a callback URL, keeps a ledger of everything, and misbehaves on demand ("chaos").
//!
//! Started by `converge vendor-sim` ([`run`]) and in-process by `converge serve` ([`spawn`]).
//! Everything is in memory; nothing survives a restart.
//!
//! ## HTTP API
//!
//! JSON everywhere. `/v1/*` and `/admin/*` require `Authorization: Bearer <api_key>` (else 401). Errors are
//! `{"error": "<code>", "message": "…"}` ([`wire::ErrorBody`]).
//!
//! | method and path | answer |
//! |---|---|
//! | `POST /v1/messages` | 202 [`wire::SendResponse`] for a new message; 200 with `"duplicate": true` for a known reference |
//! | `POST /v1/messages/batch` | 202 [`wire::BatchResponse`]: one result per item, in order |
//! | `GET /v1/messages/{id}` | 200 [`LedgerEntry`], 404 if unknown |
//! | `GET /v1/ledger?after=<seq>&limit=<n>` | 200 [`wire::LedgerPage`]; `limit` 1–10,000 (default 1,000) |
//! | `GET /v1/stats` | 200 [`Stats`] |
//! | `GET /admin/chaos`, `PUT /admin/chaos` | 200 [`Chaos`]; PUT replaces all settings, 422 if invalid |
//! | `GET /healthz` | 200 `{"status": "ok"}` (no key needed) |
//!
//! **Send** `{"to": "+919812345678" | "a@b.in", "channel": "sms"|"email"|"whatsapp", "body": "…",
//! "subject"?: "…", "reference": "<client reference>"}` → `{"id": "msg_…", "reference", "status": "queued",
//! "duplicate": false}`. Phone numbers must be E.164, addresses plausible, SMS/WhatsApp bodies ≤ 1,600
//! characters, e-mail bodies ≤ 100 kB, references 1–200 bytes; violations → 422 naming the field; a body that
//! is not JSON → 400. Unknown fields are ignored.
//!
//! **Idempotency by `reference`.** A reference already seen returns the existing message (same id, its
//! current status, `"duplicate": true`) and creates no second message and no second receipt, whatever the rest
//! of the request says. Concurrent sends of one reference are serialised by the ledger lock, so exactly one
//! creates the message. This is what makes a client's retry after a timeout or dropped connection safe.
//!
//! **Batch** `{"messages": [ … 1 to 1,000 sends … ]}` → `{"results": [{"id", "reference", "status",
//! "duplicate"} | {"reference", "error"}]}`. A bad item is rejected alone; the rest are accepted. A reference
//! repeated within one batch is a duplicate of its first occurrence.
//!
//! **Outcomes.** After a delay uniform in `[min_delay_ms, max_delay_ms]` a message becomes `SENT` or `FAILED`
//! (share `failure_rate`), with a channel-specific `error` when failed. Outcome, reason and delay are all derived
//! from `SHA-256(seed, reference)`, never from arrival order: for a given seed, the same references always get
//! the same outcomes, however they were batched, retried or raced. Ledger and message statuses read `queued`,
//! then `SENT`/`FAILED`.
//!
//! **Receipts.** Each outcome produces a [`Receipt`] `{"message_id", "reference", "status": "SENT"|"FAILED",
//! "error"?, "occurred_at": RFC 3339}`, POSTed to `callback_url` as [`ReceiptBatch`] `{"receipts": […]}`, up
//! to `receipt_batch_max` per request, at most 8 requests in flight. Headers `X-Converge-Timestamp: <unix
//! seconds>` and `X-Converge-Signature: v1=<hex HMAC-SHA256(signing_secret, "{timestamp}.{body}")>` — see
//! [`sign`] and [`verify`], which Converge's receipt endpoint uses too. 2xx delivers; connection errors,
//! timeouts, 408, 429 and 5xx are retried with exponential backoff (100 ms doubling to 10 s, ±20% jitter, 10
//! attempts in all, then given up); any other 4xx is recorded as rejected and not retried. Every attempt is
//! counted in the ledger. With an empty `callback_url` outcomes are recorded but no receipt is sent.
//!
//! **Chaos** ([`Chaos`], at start in [`SimConfig::chaos`] or at run time by `PUT /admin/chaos`):
//! - `duplicate_receipts`: probability that a receipt is delivered twice (two separate copies, each retried
//!   on its own; the ledger's `receipts.delivered` then reads 2).
//! - `reorder`: receipts are shuffled within each callback batch, and each outcome gets a random extra delay
//!   of up to `max(max_delay_ms, 100)` ms, so later messages' receipts often arrive first.
//! - `slow_ms`: the answer to a send is delayed this long — after the messages were accepted, so a client that
//!   times out and retries meets idempotency.
//! - `error_rate`: share of send requests answered 500 or 503 having accepted nothing; the client must retry.
//! - `drop_rate`: share of send requests whose connection is closed with no response — **after** the messages
//!   were accepted (the nastiest realistic case: the client cannot know, retries, and only idempotency by
//!   reference prevents a double send; the retry is answered as a duplicate with the original id).
//! - `outage_until`: until this RFC 3339 instant every endpoint except `/admin/chaos` answers 503 with
//!   `Retry-After` (so the outage can be ended early).
//!
//! Chaos decisions come from a random generator seeded with `seed`, so a run with the same requests in the
//! same order misbehaves the same way.
//!
//! ## Throughput and memory
//!
//! Accepting, deciding and recording take one lock per request or batch, and due outcomes are handled by one
//! scheduler over a timer heap, not a task per message. Measured by the ignored tests in
//! `tests/sim/throughput.rs` (`cargo test --release -p converge-vendor-sim --test sim -- --ignored --nocapture
//! throughput`) on 2 cores shared with the sending client and the receiving server: 200,000 SMS sent as
//! 1,000-message batches from 4 concurrent clients are accepted at about 100,000–190,000 messages/s, and all
//! their receipts (100 per callback request) are delivered within 1.7–2.6 s of the first send, i.e. 75,000+
//! receipts/s end to end (a debug build: about 40,000 accepted/s, 28,000 receipts/s).
//!
//! The ledger is never trimmed: about 380 bytes resident per message for a 75-character SMS (entry,
//! reference index, strings and allocator overhead; longer bodies add their length), so a million messages
//! take about 400 MB. Receipts waiting for delivery are freed once delivered or given up on.

mod chaos;
mod config;
mod delivery;
mod handle;
mod http;
mod ledger;
mod message;
mod outbox;
mod outcome;
mod server;
mod sim;
mod sync;
mod timers;
pub mod wire;

pub use chaos::Chaos;
pub use config::SimConfig;
// The protocol the simulator speaks, re-exported so its users (tests, benchmarks) need one import.
pub use converge_vendor_wire::{
    sign, verify, Outcome, Receipt, ReceiptBatch, SignatureError, Status, DEFAULT_TOLERANCE, MAX_RECEIPT_BATCH,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use delivery::{BACKOFF_BASE, BACKOFF_CAP, CONCURRENCY as CALLBACK_CONCURRENCY, MAX_ATTEMPTS};
pub use handle::{run, spawn, SimHandle};
pub use ledger::{LedgerEntry, ReceiptLog, ReceiptState, Stats};
pub use message::{Channel, SendRequest};
