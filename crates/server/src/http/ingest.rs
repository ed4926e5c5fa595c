//! Ingestion endpoints: validate at the edge, append to the `ingest` stream, answer 202.
//!
//! Nothing is written to the database here; the ingest consumer does that (see `workers::ingest`). A batch
//! is all-or-nothing: if any item is invalid, the answer is 422 listing every bad field as
//! `items[i].field`, and nothing is enqueued.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use converge_domain::{CustomerInput, FieldErrors, IngestEnvelope, IngestEvent, OrderInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::json::{decode, decode_value, JsonBody};
use crate::auth::{Caller, Scope};
use crate::http::extract::Body;
use crate::state::{streams, SharedState};

/// What was accepted for asynchronous persistence.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// Number of records accepted.
    pub accepted: usize,
    /// One entry per record, in request order.
    pub items: Vec<AcceptedItem>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcceptedItem {
    pub index: usize,
    pub external_id: String,
    /// Position of the record in the ingest stream.
    pub entry_id: String,
}

/// `{"items": [...]}` with 1 to `max_batch_items` records.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    items: Vec<serde_json::Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CustomerBatch {
    /// 1 to `ingest.max_batch_items` (default 1000) customers.
    #[schema(min_items = 1, max_items = 1000)]
    items: Vec<CustomerInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct OrderBatch {
    /// 1 to `ingest.max_batch_items` (default 1000) orders.
    #[schema(min_items = 1, max_items = 1000)]
    items: Vec<OrderInput>,
}

/// Upsert one customer by `external_id`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "ingest", request_body = CustomerInput,
    security(("api_key" = [])),
    responses((status = 202, body = Accepted), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn post_customer(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<CustomerInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    caller.require(Scope::Ingest)?;
    let Body(input) = body?;
    let record = input.validate(Utc::now()).map_err(ApiError::Invalid)?;
    let id = record.external_id.as_str().to_owned();
    enqueue(&state, &caller, vec![(id, IngestEvent::Customer(record))]).await
}

/// Upsert up to 1000 customers; all-or-nothing validation.
#[utoipa::path(post, path = "/api/v1/customers/batch", tag = "ingest", request_body = CustomerBatch,
    security(("api_key" = [])),
    responses((status = 202, body = Accepted), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
pub async fn post_customers_batch(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    caller.require(Scope::Ingest)?;
    let items = batch_items(&state, &body?.0)?;
    let now = Utc::now();
    let events = validate_all(items, |value, prefix| {
        let input: CustomerInput = decode_value(value, prefix)?;
        let record = input.validate(now).map_err(|e| e.prefixed(prefix))?;
        Ok((record.external_id.as_str().to_owned(), IngestEvent::Customer(record)))
    })?;
    enqueue(&state, &caller, events).await
}

/// Record one order; idempotent by `external_id`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "ingest", request_body = OrderInput,
    security(("api_key" = [])),
    responses((status = 202, body = Accepted), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn post_order(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<OrderInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    caller.require(Scope::Ingest)?;
    let Body(input) = body?;
    let record = input.validate(Utc::now(), &caller.currency).map_err(ApiError::Invalid)?;
    let id = record.external_id.as_str().to_owned();
    enqueue(&state, &caller, vec![(id, IngestEvent::Order(record))]).await
}

/// Record up to 1000 orders; all-or-nothing validation, each order idempotent by `external_id`.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "ingest", request_body = OrderBatch,
    security(("api_key" = [])),
    responses((status = 202, body = Accepted), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
pub async fn post_orders_batch(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    caller.require(Scope::Ingest)?;
    let items = batch_items(&state, &body?.0)?;
    let now = Utc::now();
    let currency = caller.currency;
    let events = validate_all(items, |value, prefix| {
        let input: OrderInput = decode_value(value, prefix)?;
        let record = input.validate(now, &currency).map_err(|e| e.prefixed(prefix))?;
        Ok((record.external_id.as_str().to_owned(), IngestEvent::Order(record)))
    })?;
    enqueue(&state, &caller, events).await
}

fn batch_items(state: &SharedState, body: &[u8]) -> ApiResult<Vec<serde_json::Value>> {
    let batch: BatchBody = decode(body)?;
    let max = state.settings.ingest.max_batch_items;
    if batch.items.is_empty() {
        return Err(ApiError::invalid("items", "must contain at least one item"));
    }
    if batch.items.len() > max {
        return Err(ApiError::invalid("items", format!("must contain at most {max} items")));
    }
    Ok(batch.items)
}

/// Validates every item, collecting all errors; any error rejects the whole batch.
fn validate_all<F>(items: Vec<serde_json::Value>, mut one: F) -> ApiResult<Vec<(String, IngestEvent)>>
where
    F: FnMut(serde_json::Value, &str) -> Result<(String, IngestEvent), FieldErrors>,
{
    let mut errors = FieldErrors::default();
    let mut events = Vec::with_capacity(items.len());
    for (index, value) in items.into_iter().enumerate() {
        match one(value, &format!("items[{index}]")) {
            Ok(event) => events.push(event),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

async fn enqueue(
    state: &SharedState,
    caller: &Caller,
    events: Vec<(String, IngestEvent)>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let (external_ids, ids) = append_events(state, caller, events).await?;
    let items = external_ids
        .into_iter()
        .zip(ids)
        .enumerate()
        .map(|(index, (external_id, id))| AcceptedItem { index, external_id, entry_id: id.0 })
        .collect::<Vec<_>>();
    Ok((StatusCode::ACCEPTED, Json(Accepted { accepted: items.len(), items })))
}

/// Appends validated records to the `ingest` stream in one append (all durable, or none and an error);
/// returns their external ids and stream positions, in order.
pub(crate) async fn append_events(
    state: &SharedState,
    caller: &Caller,
    mut events: Vec<(String, IngestEvent)>,
) -> ApiResult<(Vec<String>, Vec<converge_queue::EntryId>)> {
    crate::consent::double_opt_in(state.store.as_ref(), caller.workspace_id(), &mut events).await?;
    let received_at = Utc::now();
    let (external_ids, payloads): (Vec<String>, Vec<Vec<u8>>) = events
        .into_iter()
        .map(|(external_id, event)| {
            (external_id, IngestEnvelope { workspace_id: caller.workspace_id(), received_at, event }.to_bytes())
        })
        .unzip();
    let ids = state.queue.append(streams::INGEST, &payloads).await?;
    metrics::counter!("converge_ingest_accepted_total").increment(payloads.len() as u64);
    Ok((external_ids, ids))
}
