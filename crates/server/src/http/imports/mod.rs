//! CSV imports (the web UI's "Import"): a file of customers or orders, its columns mapped to our fields,
//! each row validated by exactly the code behind `POST /api/v1/customers` and `/orders`, then the valid rows
//! appended to the `ingest` stream like any API batch. A dry run reports what would happen and stores nothing.
//!
//! Unlike an API batch, an import is not all-or-nothing: a marketer's spreadsheet with a few bad rows imports
//! the good ones and lists the others with their line and field, so they can be fixed and imported again
//! (customers are upserts and orders idempotent, so re-importing a whole file is harmless). The valid rows go
//! to the stream in one append, so a refused append (backlog full, queue down) stores none of them.

mod fields;
mod rows;

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use converge_domain::{ConsentSource, CustomerInput, FieldErrors, IngestEvent, OrderInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use fields::{ImportField, ImportKind};
pub use rows::DateFormat;

use super::error::{ApiError, ApiResult, Problem};
use super::ingest::append_events;
use super::json::{decode, decode_value, JsonBody};
use crate::auth::{Caller, Scope};
use crate::state::SharedState;
use rows::{ColumnMap, RowContext};

/// The largest import request (the CSV text inside JSON), in bytes.
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Most data rows one file may have (at most the ingest stream's cap, see [`import`]).
const MAX_ROWS: usize = 100_000;
/// Row errors listed in one answer; the counts are always complete.
const MAX_LISTED_ERRORS: usize = 200;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub kind: ImportKind,
    /// The file's text: RFC 4180 CSV, comma-separated, the first line naming the columns.
    pub csv: String,
    /// Field name → the header of the column it comes from (see `GET /api/v1/import-fields`). Columns not
    /// mapped are ignored. Left out (or empty), the columns are mapped by their headings (a field's name,
    /// label or a common synonym: `Full Name`, `Email Address`, `Mobile`, `Signup Date`, …); the report
    /// says which mapping was used.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// How dates that are not ISO are written: `iso` (default), `dd/mm/yyyy` or `mm/dd/yyyy`.
    #[serde(default)]
    pub date_format: DateFormat,
    /// Only check the rows; nothing is stored.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// Data rows in the file (the header excluded).
    pub rows: usize,
    /// Rows appended to the ingest stream (or that would be, in a dry run).
    pub accepted: usize,
    /// Rows with at least one error; none of them was ingested.
    pub rejected: usize,
    /// The first 200 problems, in file order.
    pub errors: Vec<RowError>,
    /// True when more problems were found than listed.
    pub errors_truncated: bool,
    pub dry_run: bool,
    /// The mapping used (the request's, or the one the headings suggested).
    pub mapping: BTreeMap<String, String>,
    /// The rejected rows as CSV, every one of them: the file's own columns and an `error` column saying
    /// what is wrong, to fix and import again. Absent when no row was rejected.
    pub rejected_csv: Option<String>,
}

/// One problem of one row.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// The line of the file the row starts on (the header is line 1).
    pub row: u64,
    /// The field, as in `mapping` (e.g. `email`, `attributes.tier`), or `row` for the row as a whole.
    pub field: String,
    /// The CSV column the field was mapped from, when there is one.
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportFields {
    pub customers: Vec<ImportField>,
    pub orders: Vec<ImportField>,
}

/// The fields CSV columns can be mapped to, per kind of import (scope `read`).
#[utoipa::path(get, path = "/api/v1/import-fields", tag = "ingest", security(("api_key" = [])),
    responses((status = 200, body = ImportFields), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn import_fields(caller: Caller) -> ApiResult<Json<ImportFields>> {
    caller.require(Scope::Read)?;
    Ok(Json(ImportFields { customers: fields::CUSTOMER_FIELDS.to_vec(), orders: fields::ORDER_FIELDS.to_vec() }))
}

/// Import a CSV file of customers or orders (scope `ingest`): 200 with the report for a dry run, 202 when the
/// valid rows were accepted for ingestion, 422 when no row is valid or the mapping is wrong.
#[utoipa::path(post, path = "/api/v1/imports", tag = "ingest", request_body = ImportRequest,
    security(("api_key" = [])),
    responses((status = 200, body = ImportReport), (status = 202, body = ImportReport),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
pub async fn import(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    caller.require(Scope::Ingest)?;
    let body = body.map_err(|e| match e {
        ApiError::PayloadTooLarge(_) => ApiError::PayloadTooLarge(BODY_LIMIT),
        other => other,
    })?;
    let request: ImportRequest = decode(&body.0)?;
    // One append must stay within the stream's cap (its length safety net is twice the cap).
    let max_rows = MAX_ROWS.min(usize::try_from(state.settings.ingest.stream_cap).unwrap_or(usize::MAX)).max(1);
    let country = match state.store.workspace(caller.workspace_id()).await? {
        Some(workspace) => workspace.profile.country(),
        None => None,
    };
    let context = RowContext { date_format: request.date_format, country };
    let (report, events) = check_rows(&request, &caller, max_rows, &context)?;
    if report.accepted == 0 {
        return Err(no_valid_rows(&report));
    }
    if request.dry_run {
        return Ok((StatusCode::OK, Json(report)));
    }
    append_events(&state, &caller, events).await?;
    tracing::info!(kind = ?request.kind, rows = report.rows, accepted = report.accepted, "CSV import accepted");
    Ok((StatusCode::ACCEPTED, Json(report)))
}

/// Validates every row; the report and the events of the valid rows.
fn check_rows(
    request: &ImportRequest,
    caller: &Caller,
    max_rows: usize,
    context: &RowContext,
) -> ApiResult<(ImportReport, Vec<(String, IngestEvent)>)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::None).from_reader(request.csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::invalid("csv", format!("the header line cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(ApiError::invalid("csv", "must start with a header line naming the columns"));
    }
    let mapping = if request.mapping.is_empty() {
        fields::suggest_mapping(request.kind, &header)
    } else {
        request.mapping.clone()
    };
    let columns = ColumnMap::new(request.kind, &mapping, &header).map_err(|problems| {
        let mut errors = FieldErrors::default();
        for (field, message) in problems {
            errors.push(field, message);
        }
        ApiError::Invalid(errors)
    })?;
    let now = Utc::now();
    let mut report = ImportReport {
        rows: 0,
        accepted: 0,
        rejected: 0,
        errors: Vec::new(),
        errors_truncated: false,
        dry_run: request.dry_run,
        mapping: mapping.clone(),
        rejected_csv: None,
    };
    let mut events = Vec::new();
    // Each id's first line: a later row with the same id is reported, not imported over the first.
    let mut first_seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut rejected = csv::Writer::from_writer(Vec::new());
    let rejected_header: Vec<&str> = header.iter().map(String::as_str).chain(["error"]).collect();
    rejected.write_record(&rejected_header).map_err(|e| ApiError::Internal(e.into()))?;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.iter().all(|cell| cell.trim().is_empty()) => continue,
            Ok(true) => {}
            Err(e) => return Err(ApiError::invalid("csv", format!("line {line}: {e}"))),
        }
        report.rows += 1;
        if report.rows > max_rows {
            return Err(ApiError::invalid("csv", format!("has more than {max_rows} rows: split the file")));
        }
        let line = record.position().map_or(line, |p| p.line());
        let mut problems = Vec::new();
        if record.len() > header.len() {
            problems.push(("row".to_owned(), format!("has {} cells, the header names {}", record.len(), header.len())));
        } else {
            let (object, adapted) = columns.object(&record, context);
            problems.extend(adapted);
            match to_event(request.kind, object, caller, now) {
                Ok(_) if !problems.is_empty() => {}
                Ok((id, event)) => match first_seen.get(&id) {
                    Some(first) => problems.push((
                        "external_id".to_owned(),
                        format!("{id:?} appears again: only its first row (line {first}) is imported"),
                    )),
                    None => {
                        first_seen.insert(id.clone(), line);
                        events.push((id, event));
                    }
                },
                Err(errors) => problems.extend(errors.0.into_iter().map(|e| (e.field, e.message))),
            }
        }
        if problems.is_empty() {
            report.accepted += 1;
            continue;
        }
        report.rejected += 1;
        let reason: Vec<String> = problems.iter().map(|(field, message)| format!("{field}: {message}")).collect();
        let mut cells: Vec<&str> = (0..header.len()).map(|i| record.get(i).unwrap_or("")).collect();
        let reason = reason.join("; ");
        cells.push(&reason);
        rejected.write_record(&cells).map_err(|e| ApiError::Internal(e.into()))?;
        for (field, message) in problems {
            if report.errors.len() == MAX_LISTED_ERRORS {
                report.errors_truncated = true;
                break;
            }
            let column = mapping.get(&field).cloned();
            report.errors.push(RowError { row: line, field, column, message });
        }
    }
    if report.rows == 0 {
        return Err(ApiError::invalid("csv", "has no data rows under its header"));
    }
    if report.rejected > 0 {
        let bytes = rejected.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
        report.rejected_csv = Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok((report, events))
}

/// One row through the ingest API's own decoding and validation. Errors name the field as mapped.
fn to_event(
    kind: ImportKind,
    object: serde_json::Value,
    caller: &Caller,
    now: chrono::DateTime<Utc>,
) -> Result<(String, IngestEvent), FieldErrors> {
    match kind {
        ImportKind::Customers => {
            let input: CustomerInput = decode_value(object, "")?;
            let mut record = input.validate(now)?;
            record.subscription_source = ConsentSource::Import;
            Ok((record.external_id.as_str().to_owned(), IngestEvent::Customer(record)))
        }
        ImportKind::Orders => {
            let input: OrderInput = decode_value(object, "")?;
            let record = input.validate(now, &caller.currency)?;
            Ok((record.external_id.as_str().to_owned(), IngestEvent::Order(record)))
        }
    }
}

/// Nothing to import: a 422 listing the row problems (as `rows[<line>].<field>`).
fn no_valid_rows(report: &ImportReport) -> ApiError {
    let mut errors = FieldErrors::default();
    for e in &report.errors {
        errors.push(format!("rows[{}].{}", e.row, e.field), e.message.clone());
    }
    if errors.is_empty() {
        errors.push("csv", "no row is valid");
    }
    ApiError::Invalid(errors)
}
