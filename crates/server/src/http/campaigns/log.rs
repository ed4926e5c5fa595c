//! A campaign's `communication_log`: JSON pages in id order, or every matching row as CSV.
//!
//! The CSV is streamed a page at a time straight from the store, so a campaign of a million messages never
//! sits in memory; a client that goes away stops the reading. Cells are quoted as RFC 4180 says and cells
//! a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a leading `'`: messages,
//! names and vendor errors all carry text that came from outside.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use converge_domain::{CampaignId, Channel, DeliveryStatus, MessageId, WorkspaceId};
use converge_store::{LogRow, Store};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{load, require_read};
use crate::auth::Caller;
use crate::http::csv::write_record;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{query_number, query_rejection, Page};
use crate::http::path::Path;
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 1000;
/// Rows read from the store per CSV chunk.
const CSV_PAGE: u32 = 5000;
const CSV_COLUMNS: [&str; 15] = [
    "id",
    "customer_external_id",
    "customer_name",
    "status",
    "attempts",
    "channel",
    "address",
    "message",
    "vendor_message_id",
    "error",
    "next_attempt_at",
    "created_at",
    "updated_at",
    "dispatched_at",
    "completed_at",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogParams {
    /// Only messages with this status: PENDING, SENT, FAILED or SKIPPED.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// The `next_after` of the previous page (the CSV starts after it too).
    #[param(value_type = Option<i64>)]
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 100); the CSV ignores it and has every matching row.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// `json` (default) or `csv` (a download of every matching row).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// One message of a campaign.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogEntryView {
    pub id: MessageId,
    pub customer_external_id: String,
    pub customer_name: Option<String>,
    pub status: DeliveryStatus,
    /// Dispatch attempts in the current generation (a user's retry resets it).
    pub attempts: i32,
    /// The channel, address and rendered message, set once the vendor accepted the message.
    pub channel: Option<Channel>,
    pub address: Option<String>,
    pub message: Option<String>,
    pub vendor_message_id: Option<String>,
    /// Why it failed or was skipped, or the last transient error while it is retried.
    pub error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogEntryView>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next_after: Option<MessageId>,
}

fn entry_view(row: LogRow) -> LogEntryView {
    LogEntryView {
        id: row.id,
        customer_external_id: row.customer_external_id,
        customer_name: row.customer_name,
        status: row.status,
        attempts: row.attempts,
        channel: row.channel,
        address: row.address,
        message: row.message,
        vendor_message_id: row.vendor_message_id,
        error: row.error,
        next_attempt_at: row.next_attempt_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        dispatched_at: row.dispatched_at,
        completed_at: row.completed_at,
    }
}

/// A campaign's messages in id order, filtered by status (scope `read` or `campaigns`); `format=csv`
/// downloads every matching row.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/log", tag = "campaigns",
    params(("id" = i64, Path), LogParams), security(("api_key" = [])),
    responses((status = 200, description = "A page of messages; with `format=csv`, an attachment with a header row \
            and every matching message", content((LogPage = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn campaign_log(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
    params: Result<Query<LogParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    require_read(&caller)?;
    let Query(params) = params.map_err(query_rejection)?;
    let status = match params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(DeliveryStatus::parse(raw).map_err(|message| ApiError::invalid("status", message))?),
        None => None,
    };
    let after = query_number::<MessageId>("after", params.after.as_deref())?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let csv = match params.format.as_deref().map(|f| f.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::invalid("format", "must be json or csv")),
    };
    // 404 before anything else: the store answers an empty log for another workspace's campaign.
    load(&state, &caller, id).await?;
    if csv {
        return Ok(csv_response(state.store.clone(), caller.workspace_id(), id, status, after));
    }
    let mut rows = state.store.campaign_log(caller.workspace_id(), id, status, after, page.fetch()).await?;
    let next_after = page.split(&mut rows, |row| row.id);
    Ok(Json(LogPage { items: rows.into_iter().map(entry_view).collect(), next_after }).into_response())
}

/// Where a CSV download has got to.
struct CsvExport {
    store: Arc<dyn Store>,
    workspace_id: WorkspaceId,
    campaign_id: CampaignId,
    status: Option<DeliveryStatus>,
    after: Option<MessageId>,
    header_sent: bool,
    done: bool,
}

fn csv_response(
    store: Arc<dyn Store>,
    workspace_id: WorkspaceId,
    campaign_id: CampaignId,
    status: Option<DeliveryStatus>,
    after: Option<MessageId>,
) -> Response {
    let export = CsvExport { store, workspace_id, campaign_id, status, after, header_sent: false, done: false };
    let stream = futures_util::stream::unfold(export, |mut export| async move {
        if export.done {
            return None;
        }
        let mut out = String::new();
        if !export.header_sent {
            let header: Vec<&str> = CSV_COLUMNS.to_vec();
            write_record(&mut out, &header);
            export.header_sent = true;
        }
        let page = export
            .store
            .campaign_log(export.workspace_id, export.campaign_id, export.status, export.after, CSV_PAGE)
            .await;
        match page {
            Ok(rows) => {
                export.done = rows.len() < CSV_PAGE as usize;
                export.after = rows.last().map(|row| row.id).or(export.after);
                rows.iter().for_each(|row| write_row(&mut out, row));
                Some((Ok(Bytes::from(out)), export))
            }
            Err(err) => {
                // The status line has gone out: aborting the body is the only way left to say it failed.
                tracing::error!(
                    error = format!("{err:#}"),
                    campaign_id = export.campaign_id.get(),
                    "CSV export failed"
                );
                export.done = true;
                Some((Err(std::io::Error::other("the campaign log could not be read")), export))
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end (for trailers), and an `unfold`
    // polled after it returned `None` panics, mid-body, which left a gzip download empty.
    let mut response = Body::from_stream(stream.fuse()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let disposition = format!("attachment; filename=\"campaign-{campaign_id}-log.csv\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn write_row(out: &mut String, row: &LogRow) {
    let time = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true));
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let cells = [
        row.id.to_string(),
        row.customer_external_id.clone(),
        text(&row.customer_name),
        row.status.as_str().to_owned(),
        row.attempts.to_string(),
        row.channel.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        text(&row.address),
        text(&row.message),
        text(&row.vendor_message_id),
        text(&row.error),
        time(row.next_attempt_at).unwrap_or_default(),
        time(Some(row.created_at)).unwrap_or_default(),
        time(Some(row.updated_at)).unwrap_or_default(),
        time(row.dispatched_at).unwrap_or_default(),
        time(row.completed_at).unwrap_or_default(),
    ];
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    write_record(out, &cells);
}
