//! `POST /api/v1/campaigns/message-preview`: a template rendered for an example or a real customer, through
//! the same [`CampaignTemplates`] and [`customer_vars`] the dispatch workers use, so the preview is the
//! message.

use axum::extract::State;
use axum::Json;
use converge_domain::campaign::{resolve, SkipReason};
use converge_domain::template::{segments_estimate, TemplateVars, TEMPLATE_VARIABLES};
use converge_domain::{CampaignTemplates, Channel, FieldErrors, SendChannel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::delivery::render::customer_vars;
use crate::delivery::Brand;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::state::SharedState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagePreviewBody {
    #[schema(schema_with = crate::http::schemas::template)]
    pub template: Option<String>,
    /// `sms`, `email`, `whatsapp` or `preferred`.
    #[schema(value_type = SendChannel)]
    pub channel: Option<String>,
    /// Render for this customer; without it, for an example customer.
    #[schema(value_type = Option<converge_domain::ExternalId>)]
    pub customer_external_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePreview {
    /// The channel this customer's message goes through (resolved for `preferred`).
    pub channel: Channel,
    /// The message as it would be sent (HTML-escaped values for e-mail).
    pub message: String,
    /// Variables the template uses, in order of first use.
    pub variables: Vec<String>,
    /// The customer rendered for; null for the example customer.
    pub customer_external_id: Option<String>,
    /// SMS segments the message needs (an estimate), for SMS only.
    pub sms_segments: Option<u32>,
    /// Set when the preview is not exactly a delivery: the customer would be skipped, or the channel is
    /// each customer's own.
    pub note: Option<String>,
}

/// Render a template for an example or a real customer (scope `campaigns`).
#[utoipa::path(post, path = "/api/v1/campaigns/message-preview", tag = "campaigns", request_body = MessagePreviewBody,
    security(("api_key" = [])),
    responses((status = 200, body = MessagePreview), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem, description = "A bad template (with line and column), channel or customer")))]
pub async fn message_preview(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<MessagePreviewBody>, ApiError>,
) -> ApiResult<Json<MessagePreview>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::new();
    let channel = match body.channel.as_deref() {
        None => {
            errors.push("channel", "is required (sms, email, whatsapp or preferred)");
            None
        }
        Some(raw) => errors.check("channel", SendChannel::parse(raw)),
    };
    let text = body.template.unwrap_or_default();
    let templates = match channel {
        _ if text.trim().is_empty() => {
            errors.push("template", "is required");
            None
        }
        Some(channel) => match CampaignTemplates::parse(&text, channel) {
            Ok(templates) => Some(templates),
            Err(err) => {
                errors.extend(err.into_field_errors("template"));
                None
            }
        },
        None => None,
    };
    let external_id = body.customer_external_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
    let customer = match &external_id {
        Some(id) => match state.store.customer(caller.workspace_id(), id).await? {
            Some(customer) => Some(customer),
            None => {
                errors.push("customer_external_id", "no such customer");
                None
            }
        },
        None => None,
    };
    let (Some(channel), Some(templates)) = (channel, templates) else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }

    let workspace = state.store.workspace(caller.workspace_id()).await?;
    let brand = match &workspace {
        Some(workspace) => Brand::of(workspace),
        None => Brand { name: String::new(), currency: caller.currency, postal_address: None, sender: None },
    };
    let (vars, resolved, note) = match &customer {
        Some(customer) => {
            let preferred = customer.preferred_channel;
            let (resolved, note) =
                match resolve(channel, customer.email.as_deref(), customer.phone.as_deref(), preferred) {
                    Ok((resolved, _address)) => (resolved, None),
                    Err(reason) => skipped(channel, reason),
                };
            // Not a working link: the message does not exist yet, and a preview must not be able to unsubscribe.
            let link = format!("{}/u/preview", state.links.base_url());
            (customer_vars(customer, &brand).with_unsubscribe_url(&link), resolved, note)
        }
        None => {
            let example = |name: &str| TEMPLATE_VARIABLES.iter().find(|v| v.name == name).map(|v| v.example);
            let resolved = match resolve(channel, example("email"), example("phone"), None) {
                Ok((resolved, _)) => resolved,
                Err(_) => channel.fixed().unwrap_or(Channel::Sms),
            };
            let note = (channel == SendChannel::Preferred).then(|| {
                format!("each customer gets their preferred channel; shown as {resolved}, the example customer's")
            });
            // The example customer, in this workspace's brand.
            let vars = TemplateVars::example().with_brand(&brand.name);
            let vars = match brand.postal_address.as_deref() {
                Some(address) => vars.with_postal_address(Some(address)),
                None => vars,
            };
            (vars, resolved, note)
        }
    };
    let template = templates
        .for_channel(resolved)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no template compiled for {resolved}")))?;
    let message = template.render(&vars).map_err(|err| ApiError::Invalid(err.into_field_errors("template")))?;
    let compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
    let message = crate::consent::with_opt_out_line(message, resolved, &compliance);
    Ok(Json(MessagePreview {
        channel: resolved,
        sms_segments: (resolved == Channel::Sms).then(|| segments_estimate(&message)),
        message,
        variables: templates.variables().to_vec(),
        customer_external_id: customer.map(|c| c.external_id),
        note,
    }))
}

/// The channel to show a customer the campaign would skip, and why it would.
fn skipped(channel: SendChannel, reason: SkipReason) -> (Channel, Option<String>) {
    let shown = channel.fixed().unwrap_or(Channel::Sms);
    let note = match channel {
        SendChannel::Preferred => format!("this customer has {reason}: the campaign would skip them; shown as {shown}"),
        _ => format!("this customer has {reason}: the campaign would skip them"),
    };
    (shown, Some(note))
}
