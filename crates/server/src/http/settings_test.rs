//! `POST /api/v1/settings/channels/test`: one short message through a channel as the workspace has it
//! configured now, so whoever set it up sees at once whether it works — and, when it does not, the
//! provider's own words. Not a campaign message: never logged, counted or deduplicated (each test has its own
//! reference), and marked as a test in its text.

use axum::extract::State;
use axum::Json;
use converge_channels::{OutboundMessage, SendOutcome};
use converge_domain::{Channel, Email, FieldErrors, Phone};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::consent::{html_escape, TRANSACTIONAL_REFERENCE_PREFIX};
use crate::delivery::render::Brand;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::state::SharedState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelTestBody {
    /// `sms`, `whatsapp` or `email`.
    #[schema(value_type = Channel)]
    pub channel: String,
    /// An e-mail address for `email`; a phone number in E.164 form (`+919812345678`) otherwise.
    #[schema(max_length = 254, pattern = "^[^\\x00]*$")]
    pub to: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChannelTestOutcome {
    /// `sent` (the provider took it) or `failed`.
    pub status: String,
    /// The provider's reason, when it failed.
    pub error: Option<String>,
    /// Where it went: `default` (the server's vendor), `smtp`, or the workspace's own vendor route.
    pub route: String,
}

/// Send a test message through one channel (scope `all`, as changing the settings).
#[utoipa::path(post, path = "/api/v1/settings/channels/test", tag = "settings", request_body = ChannelTestBody,
    security(("api_key" = [])),
    responses((status = 200, body = ChannelTestOutcome, description = "Sent, or the provider's reason it was not"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 409, body = Problem, description = "The workspace has no usable channel settings")))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn test_channel(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<ChannelTestBody>, ApiError>,
) -> ApiResult<Json<ChannelTestOutcome>> {
    caller.require(Scope::All)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::new();
    let channel = errors.check("channel", Channel::parse(&body.channel));
    let to = match channel {
        Some(Channel::Email) => errors.check("to", Email::parse(body.to.trim()).map(|e| e.as_str().to_owned())),
        Some(_) => match Phone::parse(body.to.trim()) {
            Ok(phone) if phone.is_international() => Some(phone.as_str().to_owned()),
            Ok(_) => {
                errors.push("to", "must be in E.164 form: + and the country code, e.g. +919812345678");
                None
            }
            Err(message) => {
                errors.push("to", message);
                None
            }
        },
        None => None,
    };
    let (Some(channel), Some(to)) = (channel, to) else { return Err(ApiError::Invalid(errors)) };
    let workspace =
        state.store.workspace(caller.workspace_id()).await?.ok_or_else(|| ApiError::NotFound("workspace".into()))?;
    let brand = Brand::of(&workspace);
    let senders = state.senders.for_workspace(state.store.as_ref(), caller.workspace_id()).await?;
    let routed = senders.for_channel(channel);
    let text = format!("Test message from Converge: the {channel} channel of {} works.", brand.name);
    let message = OutboundMessage {
        reference: format!("{TRANSACTIONAL_REFERENCE_PREFIX}settings-test.{:016x}", rand::random::<u64>()),
        channel,
        to,
        subject: (channel == Channel::Email).then(|| format!("[Test] {} e-mail works", brand.name)),
        body: if channel == Channel::Email { format!("<p>{}</p>", html_escape(&text)) } else { text },
        unsubscribe_url: None,
        sender: brand.sender.clone(),
    };
    let outcome = routed.sender.send(std::slice::from_ref(&message)).await.into_iter().next();
    let (status, error) = match outcome {
        Some(SendOutcome::Accepted { .. }) => ("sent", None),
        Some(SendOutcome::Retryable { error } | SendOutcome::Rejected { error }) => ("failed", Some(error)),
        None => ("failed", Some("the provider gave no answer".to_owned())),
    };
    tracing::info!(%channel, status, "channel test message");
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "settings.channel_test".into(),
        target: format!("channel:{channel}"),
        details: serde_json::json!({"status": status}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok(Json(ChannelTestOutcome { status: status.into(), error, route: routed.route.to_string() }))
}
