//! `GET /api/v1/customers/export`: the customers of an audience (a saved segment or a rule) or of the list as
//! searched, as CSV or JSON Lines, streamed a thousand at a time so a million customers never sit in memory.
//!
//! An audience is selected once, at the start (the same exact SQL as a preview's count, so the file holds
//! what the preview counted); a searched list is read newest first by id, whatever order the screen shows,
//! because only that order pages without rereading what came before.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use converge_domain::{Currency, CustomerId, SegmentId, WorkspaceId};
use converge_store::{CustomerQuery, CustomerRow, Store};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::csv::write_record;
use super::customers::customer_view;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{query_rejection, AudienceSource};
use super::segments::parse_rule;
use crate::auth::{Caller, Scope};
use crate::state::SharedState;

/// Customers read per step of the stream.
const CHUNK: usize = 1_000;

const COLUMNS: [&str; 14] = [
    "external_id",
    "name",
    "email",
    "phone",
    "city",
    "gender",
    "preferred_channel",
    "total_spend",
    "currency",
    "order_count",
    "visits",
    "last_order_at",
    "created_at",
    "attributes",
];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// A saved segment of this workspace: its customers now.
    #[param(value_type = Option<i64>)]
    pub segment_id: Option<SegmentId>,
    /// A rule (react-querybuilder JSON, URL-encoded): its customers now.
    pub rule: Option<String>,
    /// Without an audience: the customer list as this search finds it (as `GET /api/v1/customers`).
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// `csv` (default) or `jsonl` (one customer per line, as the API shows it).
    #[param(inline, value_type = Option<ExportFormat>)]
    pub format: Option<String>,
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// What the export reads.
enum Source {
    /// An audience's customer ids, selected at the start; `next` is where the following chunk starts.
    Audience { ids: Vec<CustomerId>, next: usize },
    /// The searched list, below `before` (newest first).
    List { search: Option<String>, before: Option<CustomerId> },
}

struct Export {
    store: Arc<dyn Store>,
    workspace_id: WorkspaceId,
    currency: Currency,
    format: ExportFormat,
    source: Source,
    header_sent: bool,
    done: bool,
}

impl Export {
    /// The next chunk of customers; empty when there are no more.
    async fn chunk(&mut self) -> converge_store::StoreResult<Vec<CustomerRow>> {
        match &mut self.source {
            Source::Audience { ids, next } => {
                let end = (*next + CHUNK).min(ids.len());
                let rows = self.store.customers_by_ids(self.workspace_id, &ids[*next..end]).await?;
                *next = end;
                self.done = end >= ids.len();
                Ok(rows)
            }
            Source::List { search, before } => {
                let limit = u32::try_from(CHUNK).unwrap_or(u32::MAX);
                let query = CustomerQuery { search: search.clone(), before_id: *before, limit, ..Default::default() };
                let rows = self.store.list_customers(self.workspace_id, &query).await?;
                *before = rows.last().map(|row| row.id);
                self.done = rows.len() < CHUNK;
                Ok(rows)
            }
        }
    }

    fn write(&self, out: &mut String, row: CustomerRow) {
        let view = customer_view(row, &self.currency);
        if self.format == ExportFormat::Jsonl {
            if let Ok(line) = serde_json::to_string(&view) {
                out.push_str(&line);
                out.push('\n');
            }
            return;
        }
        let time = |at: chrono::DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let text = |value: Option<String>| value.unwrap_or_default();
        let cells = [
            view.external_id,
            text(view.name),
            text(view.email),
            text(view.phone),
            text(view.city),
            view.gender.map(|g| g.as_str().to_owned()).unwrap_or_default(),
            view.preferred_channel.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            view.total_spend,
            view.currency,
            view.order_count.to_string(),
            view.visits.to_string(),
            view.last_order_at.map(time).unwrap_or_default(),
            time(view.created_at),
            view.attributes.to_string(),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        write_record(out, &cells);
    }
}

/// Export customers (scope `read`): an audience (`segment_id` or `rule`) or the searched list, as CSV or
/// JSON Lines.
#[utoipa::path(get, path = "/api/v1/customers/export", tag = "customers", params(ExportParams),
    security(("api_key" = [])),
    responses((status = 200, description = "The customers, streamed", 
            content((String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_customers(
    State(state): State<SharedState>,
    caller: Caller,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    caller.require(Scope::Read)?;
    let Query(params) = params.map_err(query_rejection)?;
    let format = match params.format.as_deref().map(str::trim) {
        None | Some("" | "csv") => ExportFormat::Csv,
        Some("jsonl") => ExportFormat::Jsonl,
        Some(_) => return Err(ApiError::invalid("format", "must be csv or jsonl")),
    };
    let search = params.search.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::invalid("search", "must be at most 200 characters"));
    }
    let source = match (params.segment_id, params.rule) {
        (None, None) => Source::List { search, before: None },
        (segment_id, rule) => {
            if search.is_some() {
                return Err(ApiError::invalid("search", "searches the list; an audience export takes none"));
            }
            let rule = match rule {
                Some(raw) => Some(
                    serde_json::from_str(&raw).map_err(|_| ApiError::invalid("rule", "is not JSON (URL-encode it)"))?,
                ),
                None => None,
            };
            let source = AudienceSource::of(segment_id, rule)?;
            let (json, _) = source.rule_json(state.store.as_ref(), caller.workspace_id()).await?;
            let rule = parse_rule(&state, &caller, &json).await?;
            let ids = state.store.segment_ids(caller.workspace_id(), &rule, Utc::now()).await?;
            Source::Audience { ids, next: 0 }
        }
    };
    let export = Export {
        store: state.store.clone(),
        workspace_id: caller.workspace_id(),
        currency: caller.currency,
        format,
        source,
        header_sent: false,
        done: false,
    };
    Ok(streamed(export))
}

fn streamed(export: Export) -> Response {
    let format = export.format;
    let stream = futures_util::stream::unfold(export, |mut export| async move {
        if export.done {
            return None;
        }
        let mut out = String::new();
        if !export.header_sent {
            if export.format == ExportFormat::Csv {
                write_record(&mut out, &COLUMNS);
            }
            export.header_sent = true;
        }
        match export.chunk().await {
            Ok(rows) => {
                for row in rows {
                    export.write(&mut out, row);
                }
                Some((Ok(Bytes::from(out)), export))
            }
            Err(err) => {
                // The status line has gone out: aborting the body is the only way left to say it failed.
                tracing::error!(error = format!("{err:#}"), "customer export failed");
                export.done = true;
                Some((Err(std::io::Error::other("the customers could not be read")), export))
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end (see the campaign log's CSV).
    let mut response = Body::from_stream(stream.fuse()).into_response();
    let headers = response.headers_mut();
    let (content_type, file) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "customers.csv"),
        ExportFormat::Jsonl => ("application/x-ndjson", "customers.jsonl"),
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
