//! `GET /api/v1/template-variables`: what a message template may use, from the domain's allow-list (the
//! composer offers them as buttons; nothing is copied into the UI).

use axum::Json;
use converge_domain::template::{TemplateVariable, TEMPLATE_VARIABLES};

use super::require_read;
use crate::auth::Caller;
use crate::http::error::{ApiResult, Problem};

/// The variables a message template can use, with a description and a typical value (scope `read` or
/// `campaigns`).
#[utoipa::path(get, path = "/api/v1/template-variables", tag = "campaigns", security(("api_key" = [])),
    responses((status = 200, body = [TemplateVariable]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn template_variables(caller: Caller) -> ApiResult<Json<&'static [TemplateVariable]>> {
    require_read(&caller)?;
    Ok(Json(TEMPLATE_VARIABLES))
}
