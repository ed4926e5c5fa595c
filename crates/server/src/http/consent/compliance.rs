//! `GET/PUT /api/v1/settings/compliance`: policy per channel, quiet hours, frequency cap, SMS opt-out line,
//! topics. Enforced by the dispatcher when each message is due (`consent::gate`).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_domain::{Compliance, ComplianceInput};

use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::{decode, JsonBody};
use crate::state::SharedState;

/// The workspace's compliance settings (the defaults until some are saved).
#[utoipa::path(get, path = "/api/v1/settings/compliance", tag = "compliance", security(("api_key" = [])),
    responses((status = 200, body = Compliance), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_compliance(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<Compliance>> {
    caller.require(Scope::Read)?;
    Ok(Json(crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?))
}

/// Replace the compliance settings (scope `all`).
///
/// `timezone` (IANA) is the zone of customers without a `timezone` attribute of their own; `quiet_hours`
/// (`HH:MM` to `HH:MM`, may wrap midnight, `null` for none) holds marketing messages due inside them until the
/// window ends, in the customer's zone; `frequency_cap` (`messages` 1–1000 in `days` 1–365, `null` for none)
/// skips a customer who already got that many marketing messages in the rolling window, across campaigns;
/// `policy.<channel>` is `opt_in` (only `subscribed` customers get marketing) or `allowed` (also those with
/// no recorded status); `sms_opt_out_line` (default "Reply STOP to opt out", `null` for none) ends every
/// SMS that does not mention STOP; `topics` lists what campaigns may name in `topic`.
#[utoipa::path(put, path = "/api/v1/settings/compliance", tag = "compliance", request_body = ComplianceInput,
    security(("api_key" = [])),
    responses((status = 200, body = Compliance), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_compliance(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<Json<Compliance>> {
    caller.require(Scope::All)?;
    let input: ComplianceInput = decode(&body?.0)?;
    let compliance = input.validate().map_err(ApiError::Invalid)?;
    let document = serde_json::to_value(&compliance).map_err(|err| ApiError::Internal(err.into()))?;
    state.store.put_compliance_settings(caller.workspace_id(), &document, Utc::now()).await?;
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "settings.compliance".into(),
        target: format!("workspace:{}", caller.workspace_id()),
        details: document,
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok(Json(compliance))
}
