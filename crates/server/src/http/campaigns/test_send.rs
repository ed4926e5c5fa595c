//! `POST /api/v1/campaigns/{id}/test`: the campaign's message, rendered for a chosen customer (or the
//! example customer) in the workspace's brand, sent through the workspace's real channels to at most
//! [`MAX_TEST_RECIPIENTS`] addresses the marketer names: an e-mail address goes out as e-mail, a phone
//! number on the campaign's phone channel (SMS for `preferred`). A test is not part of the campaign: no log
//! row, no counter, no consent check (the marketer tests on their own addresses), its subject starts with
//! `[Test]`, and its vendor reference is transactional (`tx.test.…`), so its receipts settle nothing.

use axum::extract::State;
use axum::Json;
use converge_channels::{OutboundMessage, SendOutcome};
use converge_domain::template::TemplateVars;
use converge_domain::{CampaignId, CampaignTemplates, Channel, Email, FieldErrors, Phone, SendChannel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::load;
use crate::auth::{Caller, Scope};
use crate::delivery::render::{customer_vars, envelope, Brand};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// Most addresses one test send may name.
pub const MAX_TEST_RECIPIENTS: usize = 10;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSendBody {
    /// 1 to 10 e-mail addresses or phone numbers in E.164 form (`+` and the country code).
    #[schema(min_items = 1, max_items = 10, example = json!(["asha@brand.example", "+919812345678"]))]
    pub to: Vec<String>,
    /// Render for this customer; without it, for the example customer.
    #[schema(value_type = Option<converge_domain::ExternalId>)]
    pub customer_external_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TestSendResult {
    pub to: String,
    pub channel: Channel,
    /// `sent` (the channel took it) or `failed`.
    pub status: String,
    /// Why it failed, in the channel's words.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TestSendOutcome {
    pub results: Vec<TestSendResult>,
}

/// Send the campaign's message as a test (scope `campaigns`); not counted, not logged with the campaign.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/test", tag = "campaigns", params(("id" = i64, Path)),
    request_body = TestSendBody, security(("api_key" = [])),
    responses((status = 200, body = TestSendOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem,
            description = "The campaign's stored template or subject no longer compiles, or the workspace has no usable channel settings"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn test_send(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
    body: Result<Body<TestSendBody>, ApiError>,
) -> ApiResult<Json<TestSendOutcome>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let campaign = load(&state, &caller, id).await?;
    let mut errors = FieldErrors::new();
    let recipients = recipients(&body.to, campaign.channel, &mut errors);
    let customer = match body.customer_external_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        None => None,
        Some(external_id) => match state.store.customer(caller.workspace_id(), external_id).await? {
            Some(customer) => Some(customer),
            None => {
                errors.push("customer_external_id", "no such customer");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let templates = CampaignTemplates::parse(&campaign.template, campaign.channel)
        .map_err(|err| ApiError::Conflict(format!("the campaign's template no longer compiles: {err}")))?;
    let subject = campaign
        .subject
        .as_deref()
        .map(converge_domain::template::subject_template)
        .transpose()
        .map_err(|err| ApiError::Conflict(format!("the campaign's subject no longer compiles: {err}")))?;
    let workspace =
        state.store.workspace(caller.workspace_id()).await?.ok_or_else(|| ApiError::NotFound("workspace".into()))?;
    let brand = Brand::of(&workspace);
    let link = format!("{}/u/preview", state.links.base_url());
    let vars = match &customer {
        Some(customer) => customer_vars(customer, &brand),
        None => TemplateVars::example().with_brand(&brand.name).with_postal_address(brand.postal_address.as_deref()),
    }
    .with_unsubscribe_url(&link);
    let compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
    let senders = state.senders.for_workspace(state.store.as_ref(), caller.workspace_id()).await?;
    let batch = uuid_like();
    let mut results = Vec::with_capacity(recipients.len());
    for (index, (to, channel)) in recipients.into_iter().enumerate() {
        let Some(template) = templates.for_channel(channel) else {
            results.push(failed(to, channel, format!("the campaign has no {channel} message")));
            continue;
        };
        let body = match template.render(&vars) {
            Ok(text) => crate::consent::with_opt_out_line(text, channel, &compliance),
            Err(err) => {
                results.push(failed(to, channel, err.to_string()));
                continue;
            }
        };
        let parts = (campaign.name.as_str(), subject.as_ref(), campaign.preheader.as_deref());
        let (subject, body) = match envelope(channel, parts, &vars, body) {
            Ok((subject, body)) => (subject.map(|s| format!("[Test] {s}")), body),
            Err(error) => {
                results.push(failed(to, channel, error));
                continue;
            }
        };
        let message = OutboundMessage {
            reference: format!(
                "{}test.{}.{batch}.{index}",
                crate::consent::TRANSACTIONAL_REFERENCE_PREFIX,
                campaign.id
            ),
            channel,
            subject,
            to: to.clone(),
            body,
            unsubscribe_url: Some(link.clone()),
            sender: brand.sender.clone(),
        };
        let outcome = senders.for_channel(channel).sender.send(std::slice::from_ref(&message)).await;
        results.push(match outcome.into_iter().next() {
            Some(SendOutcome::Accepted { .. }) => TestSendResult { to, channel, status: "sent".into(), error: None },
            Some(SendOutcome::Retryable { error } | SendOutcome::Rejected { error }) => failed(to, channel, error),
            None => failed(to, channel, "the channel gave no answer".into()),
        });
    }
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "campaign.test".into(),
        target: format!("campaign:{}", campaign.id),
        details: serde_json::json!({"recipients": results.len()}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok(Json(TestSendOutcome { results }))
}

fn failed(to: String, channel: Channel, error: String) -> TestSendResult {
    TestSendResult { to, channel, status: "failed".into(), error: Some(error) }
}

/// 64 random bits as hex: each test send has its own vendor references, so a second test is sent again
/// rather than deduplicated by the vendor.
fn uuid_like() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Each address with the channel it goes out on, or the problem at `to[i]`.
fn recipients(to: &[String], channel: SendChannel, errors: &mut FieldErrors) -> Vec<(String, Channel)> {
    if to.is_empty() {
        errors.push("to", "name at least one e-mail address or phone number");
        return Vec::new();
    }
    if to.len() > MAX_TEST_RECIPIENTS {
        errors.push("to", format!("at most {MAX_TEST_RECIPIENTS} addresses per test"));
        return Vec::new();
    }
    let phone_channel = match channel {
        SendChannel::Whatsapp => Some(Channel::Whatsapp),
        SendChannel::Sms | SendChannel::Preferred => Some(Channel::Sms),
        SendChannel::Email => None,
    };
    let mut found = Vec::with_capacity(to.len());
    for (index, raw) in to.iter().enumerate() {
        let field = format!("to[{index}]");
        if raw.contains('@') {
            match Email::parse(raw) {
                Ok(_) if matches!(channel, SendChannel::Sms | SendChannel::Whatsapp) => {
                    errors.push(field, format!("this campaign sends {channel}: give a phone number"))
                }
                Ok(email) => found.push((email.as_str().to_owned(), Channel::Email)),
                Err(message) => errors.push(field, message),
            }
            continue;
        }
        match (Phone::parse(raw), phone_channel) {
            (Ok(_), None) => errors.push(field, "this campaign sends e-mail: give an e-mail address"),
            (Ok(phone), Some(channel)) if phone.is_international() => found.push((phone.as_str().to_owned(), channel)),
            (Ok(_), Some(_)) => errors.push(field, "must be in E.164 form: + and the country code"),
            (Err(message), _) => errors.push(field, message),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(to: &[&str], channel: SendChannel) -> Vec<String> {
        let mut errors = FieldErrors::new();
        let to: Vec<String> = to.iter().map(|s| (*s).to_owned()).collect();
        recipients(&to, channel, &mut errors);
        errors.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn addresses_must_fit_the_campaigns_channel() {
        let mut errors = FieldErrors::new();
        let to = vec!["Asha@Example.in".to_owned(), "+919812345678".to_owned()];
        let found = recipients(&to, SendChannel::Preferred, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(found[1], ("+919812345678".to_owned(), Channel::Sms));
        assert_eq!(found[0].1, Channel::Email);
        assert_eq!(fields(&["a@b.in"], SendChannel::Sms), ["to[0]"]);
        assert_eq!(fields(&["a@b.in", "+919812345678"], SendChannel::Email), ["to[1]"]);
        assert_eq!(fields(&["9812345678"], SendChannel::Whatsapp), ["to[0]"]);
        assert_eq!(fields(&["not an address"], SendChannel::Sms), ["to[0]"]);
        assert_eq!(fields(&[], SendChannel::Sms), ["to"]);
        let eleven: Vec<&str> = ["+919812345678"; 11].to_vec();
        assert_eq!(fields(&eleven, SendChannel::Sms), ["to"]);
    }
}
