//! `POST /api/v1/campaigns/reach`: before launching, how many of an audience a campaign would reach on each
//! channel, and why the rest would be skipped — decided by the same gate the dispatcher uses at send time
//! (`consent::Gate`), so the launch dialog's numbers are what the log will show if nothing changes meanwhile.
//!
//! Exact, not estimated: it reads every matched customer's addresses and consent, in chunks of
//! [`CHUNK`] (a few seconds for a million customers), so the launch dialog asks for it once, not on every
//! keystroke. Quiet hours delay messages rather than skip them, so they do not reduce reach.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_domain::campaign::resolve;
use converge_domain::consent::Verdict;
use converge_domain::segment::RuleGroup;
use converge_domain::{Channel, SegmentId, SendChannel, Topic};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::consent::gate::Recipient;
use crate::consent::Gate;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::AudienceSource;
use crate::http::json::{decode, JsonBody};
use crate::http::segments::parse_rule;
use crate::state::SharedState;

/// Customers read and decided per round trip.
const CHUNK: usize = 5_000;

/// The audience and channel to measure. Give exactly one of `segment_id` and `rule`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachBody {
    pub segment_id: Option<SegmentId>,
    #[schema(value_type = Option<RuleGroup>)]
    pub rule: Option<Value>,
    /// `sms`, `email`, `whatsapp` or `preferred`.
    #[schema(value_type = SendChannel)]
    pub channel: String,
    /// The campaign's topic, if it will name one.
    #[schema(value_type = Option<Topic>)]
    pub topic: Option<String>,
}

/// One channel's share of the audience.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ChannelReach {
    pub channel: Option<Channel>,
    /// Customers whose message would go out on this channel.
    pub reachable: u64,
    /// Customers resolved to this channel but skipped, by reason: `unsubscribed`, `suppressed`, `pending`,
    /// `no_consent`, `frequency_cap`.
    pub skipped: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Reach {
    /// Customers the audience selects now.
    pub matched: u64,
    /// Customers a message would reach, over all channels.
    pub reachable: u64,
    /// Customers with no address for the channel (or for any channel, for `preferred`).
    pub no_address: u64,
    /// Per channel the messages would go out on (one entry for a fixed channel).
    pub channels: Vec<ChannelReach>,
}

/// How many of an audience a campaign would reach, per channel, and why the rest would be skipped (scope
/// `campaigns` or `read`).
#[utoipa::path(post, path = "/api/v1/campaigns/reach", tag = "compliance", request_body = ReachBody,
    security(("api_key" = [])),
    responses((status = 200, body = Reach), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn campaign_reach(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<Json<Reach>> {
    super::require_read(&caller)?;
    let body: ReachBody = decode(&body?.0)?;
    let channel = SendChannel::parse(&body.channel).map_err(|message| ApiError::invalid("channel", message))?;
    let topic = body.topic.as_deref().map(Topic::parse).transpose().map_err(|m| ApiError::invalid("topic", m))?;
    let (json, _) =
        AudienceSource::of(body.segment_id, body.rule)?.rule_json(state.store.as_ref(), caller.workspace_id()).await?;
    let rule = parse_rule(&state, &caller, &json).await?;
    let workspace_id = caller.workspace_id();
    let now = Utc::now();
    let ids = state.store.segment_ids(workspace_id, &rule, now).await?;
    let mut reach = Reach { matched: ids.len() as u64, reachable: 0, no_address: 0, channels: Vec::new() };
    let mut by_channel: BTreeMap<&'static str, ChannelReach> = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let customers = state.store.customers_by_ids(workspace_id, chunk).await?;
        let recipients: Vec<Recipient<'_>> = customers
            .iter()
            .map(|c| Recipient { customer_id: c.id, email: c.email.as_deref(), phone: c.phone.as_deref() })
            .collect();
        let mut gate = Gate::load(state.store.as_ref(), &state.links, workspace_id, &recipients, now).await?;
        gate.compliance.quiet_hours = None;
        for customer in &customers {
            let resolved =
                resolve(channel, customer.email.as_deref(), customer.phone.as_deref(), customer.preferred_channel);
            let Ok((resolved, address)) = resolved else {
                reach.no_address += 1;
                continue;
            };
            let entry = by_channel
                .entry(resolved.as_str())
                .or_insert_with(|| ChannelReach { channel: Some(resolved), ..ChannelReach::default() });
            let timezone = customer.attributes.get("timezone").and_then(Value::as_str);
            match gate.admit(customer.id, timezone, resolved, address.as_str(), topic.as_ref(), now) {
                Verdict::Send | Verdict::Defer(_) => {
                    entry.reachable += 1;
                    reach.reachable += 1;
                }
                Verdict::Skip(why) => *entry.skipped.entry(why.as_str().to_owned()).or_insert(0) += 1,
            }
        }
    }
    reach.channels = by_channel.into_values().collect();
    Ok(Json(reach))
}
