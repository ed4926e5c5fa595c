//! Reading customers: a searchable, cursor-paginated list and one customer with aggregates and orders.

use axum::extract::{Query, State};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use converge_domain::{Channel, Currency, CustomerId, Gender, Money};
use converge_store::{CustomerQuery, CustomerRow, CustomerSort, OrderRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::consent::subscriptions::{current, Subscriptions};
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{query_rejection, Page};
use crate::auth::{Caller, Scope};
use crate::http::path::Path;
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
const RECENT_ORDERS: u32 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Case-insensitive text matched in name, e-mail, city and external id, and a number's digits in the
    /// phone (`98123 45678` finds `+919812345678`); at most 200 characters.
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// `newest` (default), `spend` (highest first), `last_order` (most recent first; none last) or `name`
    /// (A to Z).
    #[param(inline, value_type = Option<ListSort>)]
    pub sort: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// A customer as the API shows it. Money is a decimal string in the workspace currency, plus minor units.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerView {
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub gender: Option<Gender>,
    pub preferred_channel: Option<Channel>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// False while only orders have named this customer and its profile has not arrived yet.
    pub has_profile: bool,
    pub currency: String,
    /// Sum of all order amounts, e.g. "12499.00"; saturates at 10^18 minor units (a total at that value reads
    /// "at least").
    pub total_spend: String,
    pub total_spend_minor: i64,
    pub order_count: i64,
    pub visits: i64,
    pub last_order_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderView {
    pub external_id: String,
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub channel: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub items: serde_json::Value,
    pub ordered_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerPage {
    pub items: Vec<CustomerView>,
    /// Pass as `cursor` (with the same `search` and `sort`) to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many customers the list holds (every page together); on the first page only (null on the others).
    pub total: Option<i64>,
}

/// How a customer list is ordered.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListSort {
    Newest,
    Spend,
    LastOrder,
    Name,
}

/// The `sort` parameter.
fn parse_sort(raw: Option<&str>) -> ApiResult<CustomerSort> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("newest") => Ok(CustomerSort::Newest),
        Some("spend") => Ok(CustomerSort::Spend),
        Some("last_order") => Ok(CustomerSort::LastOrder),
        Some("name") => Ok(CustomerSort::Name),
        Some(_) => Err(ApiError::invalid("sort", "must be newest, spend, last_order or name")),
    }
}

/// Where a page starts: below an id (newest first) or after so many rows (the other orders).
enum ListCursor {
    Before(CustomerId),
    Offset(u32),
}

fn decode_list_cursor(cursor: &str, sort: CustomerSort) -> ApiResult<ListCursor> {
    let refused = || ApiError::invalid("cursor", "is not a cursor this API returned for this sort");
    let text =
        URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(refused)?;
    match (sort, text.split_once(':')) {
        (CustomerSort::Newest, Some(("c", id))) => {
            id.parse().map(|id| ListCursor::Before(CustomerId::new(id))).map_err(|_| refused())
        }
        (CustomerSort::Newest, _) => Err(refused()),
        (_, Some(("o", offset))) => offset.parse().map(ListCursor::Offset).map_err(|_| refused()),
        _ => Err(refused()),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: CustomerView,
    /// Most recent orders first (up to 50).
    pub orders: Vec<OrderView>,
    /// Consent per channel and topic, with where each came from and when (the history is at
    /// `/api/v1/customers/{external_id}/subscriptions`).
    pub subscriptions: Subscriptions,
}

fn money(minor: i64, currency: &Currency) -> String {
    Money::from_minor(minor).format(currency)
}

pub(crate) fn customer_view(row: CustomerRow, currency: &Currency) -> CustomerView {
    CustomerView {
        total_spend: money(row.total_spend, currency),
        currency: currency.code().to_owned(),
        external_id: row.external_id,
        name: row.name,
        email: row.email,
        phone: row.phone,
        city: row.city,
        gender: row.gender,
        preferred_channel: row.preferred_channel,
        attributes: row.attributes,
        created_at: row.created_at,
        updated_at: row.updated_at,
        has_profile: row.has_profile,
        total_spend_minor: row.total_spend,
        order_count: row.order_count,
        visits: row.visits,
        last_order_at: row.last_order_at,
    }
}

pub(crate) fn order_view(row: OrderRow) -> OrderView {
    let amount = match Currency::parse(&row.currency) {
        Ok(currency) => money(row.amount_minor, &currency),
        Err(_) => row.amount_minor.to_string(),
    };
    OrderView {
        external_id: row.external_id,
        amount,
        amount_minor: row.amount_minor,
        currency: row.currency,
        status: row.status,
        channel: row.channel,
        items: row.items,
        ordered_at: row.ordered_at,
        received_at: row.received_at,
    }
}

pub(crate) fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("c:").and_then(|id| id.parse().ok()))
        .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this API returned"))
}

pub(crate) fn encode_cursor(id: impl Into<i64>) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{}", id.into()))
}

/// List customers, newest first.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListParams),
    security(("api_key" = [])),
    responses((status = 200, body = CustomerPage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_customers(
    State(state): State<SharedState>,
    caller: Caller,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<CustomerPage>> {
    caller.require(Scope::Read)?;
    let Query(params) = params.map_err(query_rejection)?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let search = params.search.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::invalid("search", "must be at most 200 characters"));
    }
    let sort = parse_sort(params.sort.as_deref())?;
    let cursor = params.cursor.as_deref().map(|c| decode_list_cursor(c, sort)).transpose()?;
    let (before_id, offset) = match cursor {
        Some(ListCursor::Before(id)) => (Some(id), 0),
        Some(ListCursor::Offset(offset)) => (None, offset),
        None => (None, 0),
    };
    let total = match cursor {
        None => Some(state.store.count_customers(caller.workspace_id(), search.as_deref()).await?),
        Some(_) => None,
    };
    let query = CustomerQuery { search, before_id, sort, offset, limit: page.fetch() };
    let mut rows = state.store.list_customers(caller.workspace_id(), &query).await?;
    // A full page was read: the next one starts after it.
    let shown = page.fetch().saturating_sub(1);
    let next_cursor = page.split(&mut rows, |r| match sort {
        CustomerSort::Newest => encode_cursor(r.id),
        _ => URL_SAFE_NO_PAD.encode(format!("o:{}", offset.saturating_add(shown))),
    });
    let items = rows.into_iter().map(|r| customer_view(r, &caller.currency)).collect();
    Ok(Json(CustomerPage { items, next_cursor, total }))
}

/// One customer with aggregates and recent orders.
#[utoipa::path(get, path = "/api/v1/customers/{external_id}", tag = "customers",
    params(("external_id" = String, Path, description = "The customer's external id")),
    security(("api_key" = [])),
    responses((status = 200, body = CustomerDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_customer(
    State(state): State<SharedState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> ApiResult<Json<CustomerDetail>> {
    caller.require(Scope::Read)?;
    let row = state
        .store
        .customer(caller.workspace_id(), &external_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("customer".into()))?;
    let orders = state.store.customer_orders(caller.workspace_id(), row.id, RECENT_ORDERS).await?;
    let subscriptions = current(state.store.subscriptions(caller.workspace_id(), row.id).await?);
    Ok(Json(CustomerDetail {
        customer: customer_view(row, &caller.currency),
        orders: orders.into_iter().map(order_view).collect(),
        subscriptions,
    }))
}
