//! A campaign's fields checked as a whole, every problem collected at once: in full for a campaign that will
//! send (create, launch, editing a scheduled one), leniently for a draft (its template is kept as typed and
//! its audience may be missing until launch).

use chrono::{DateTime, Utc};
use converge_domain::campaign::{required_channel, required_name};
use converge_domain::segment::Rule;
use converge_domain::{
    check_draft_template, parse_send_at, CampaignDraft, DraftInput, FieldErrors, SegmentId, TemplateId, Topic,
};
use converge_store::{CampaignFields, CampaignRow, NewCampaign};
use serde_json::Value;

use crate::auth::Caller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::AudienceSource;
use crate::http::segments::parse_rule;
use crate::state::SharedState;

/// A campaign's fields as a client gives them (on create, or merged from a stored campaign and a patch).
#[derive(Clone, Debug, Default)]
pub(crate) struct CampaignInput {
    pub name: Option<String>,
    pub segment_id: Option<SegmentId>,
    pub rule: Option<Value>,
    pub channel: Option<String>,
    pub template: Option<String>,
    pub template_id: Option<TemplateId>,
    pub subject: Option<String>,
    pub preheader: Option<String>,
    pub send_at: Option<String>,
    pub topic: Option<String>,
}

impl CampaignInput {
    /// What a stored campaign holds, as input: launching a draft checks it as a create would, and an edit
    /// starts from it. A saved segment is named by id, so launching reads the segment's rule as it is then.
    pub(crate) fn of(row: &CampaignRow) -> CampaignInput {
        CampaignInput {
            name: Some(row.name.clone()),
            segment_id: row.segment_id,
            rule: (row.segment_id.is_none() && !row.rule.is_null()).then(|| row.rule.clone()),
            channel: Some(row.channel.as_str().to_owned()),
            template: Some(row.template.clone()),
            template_id: None,
            subject: row.subject.clone(),
            preheader: row.preheader.clone(),
            send_at: Some(row.send_at.to_rfc3339()),
            topic: row.topic.as_ref().map(|t| t.as_str().to_owned()),
        }
    }

    fn has_audience(&self) -> bool {
        self.segment_id.is_some() || self.rule.is_some()
    }
}

/// What a campaign's message is made of before validation: body, channel, subject and preheader.
struct Message {
    template: Option<String>,
    channel: Option<String>,
    subject: Option<String>,
    preheader: Option<String>,
}

/// The message as given, completed from the saved template `template_id` names: its body, its channel
/// unless one is given (which must then be the template's), and its subject and preheader unless given.
async fn message(
    state: &SharedState,
    caller: &Caller,
    input: &CampaignInput,
    errors: &mut FieldErrors,
) -> ApiResult<Message> {
    let given = || Message {
        template: input.template.clone(),
        channel: input.channel.clone(),
        subject: input.subject.clone(),
        preheader: input.preheader.clone(),
    };
    let Some(id) = input.template_id else { return Ok(given()) };
    if input.template.is_some() {
        errors.push("template_id", "give either template or template_id, not both");
        return Ok(given());
    }
    let Some(saved) = state.store.template(caller.workspace_id(), id).await? else {
        errors.push("template_id", "no template of this workspace has this id");
        return Ok(Message { template: None, ..given() });
    };
    let channel = match input.channel.as_deref() {
        None => Some(saved.channel.as_str().to_owned()),
        Some(given) if given == saved.channel.as_str() => Some(given.to_owned()),
        Some(given) => {
            errors.push("template_id", format!("is a {} template; the campaign's channel is {given}", saved.channel));
            Some(given.to_owned())
        }
    };
    Ok(Message {
        template: Some(saved.body),
        channel,
        subject: input.subject.clone().or(saved.subject),
        preheader: input.preheader.clone().or(saved.preheader),
    })
}

/// The checked subject and preheader: only for campaigns that may send e-mail.
fn email_extras(message: &Message, errors: &mut FieldErrors) -> (Option<String>, Option<String>) {
    let email = matches!(message.channel.as_deref(), Some("email" | "preferred"));
    let mut checked =
        |field: &str, value: &Option<String>, check: fn(&str, &mut FieldErrors) -> Option<String>| match value
            .as_deref()
            .filter(|v| !v.trim().is_empty())
        {
            Some(_) if !email => {
                errors.push(field, "only campaigns that send e-mail (email or preferred) have one");
                None
            }
            Some(text) => check(text, errors),
            None => None,
        };
    let subject = checked("subject", &message.subject, converge_domain::template::check_subject);
    let preheader = checked("preheader", &message.preheader, converge_domain::template::check_preheader);
    (subject, preheader)
}

/// One of the workspace's topics (compliance settings); empty means none.
async fn topic(
    state: &SharedState,
    caller: &Caller,
    raw: Option<&str>,
    errors: &mut FieldErrors,
) -> ApiResult<Option<Topic>> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else { return Ok(None) };
    let compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
    Ok(match Topic::parse(raw) {
        Ok(topic) if compliance.topics.contains(&topic) => Some(topic),
        Ok(_) if compliance.topics.is_empty() => {
            errors.push("topic", "the workspace has no topics (add them in the compliance settings)");
            None
        }
        Ok(_) => {
            let known: Vec<&str> = compliance.topics.iter().map(Topic::as_str).collect();
            errors.push("topic", format!("must be one of the workspace's topics: {}", known.join(", ")));
            None
        }
        Err(message) => {
            errors.push("topic", message);
            None
        }
    })
}

/// Where the audience comes from, once validated.
pub(crate) struct Audience {
    pub segment_id: Option<SegmentId>,
    pub rule_json: Value,
    pub rule: Rule,
}

impl Audience {
    /// The field an empty audience is reported on.
    pub(crate) fn field(&self) -> &'static str {
        if self.segment_id.is_some() {
            "segment_id"
        } else {
            "rule"
        }
    }
}

/// Checks every field of a campaign that will send and collects every problem; returns the campaign and the
/// field an empty audience is reported on.
pub(crate) async fn validate(
    state: &SharedState,
    caller: &Caller,
    input: CampaignInput,
    idempotency_key: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<(NewCampaign, &'static str)> {
    let mut errors = FieldErrors::new();
    let message = message(state, caller, &input, &mut errors).await?;
    let (subject, preheader) = email_extras(&message, &mut errors);
    let draft_input = DraftInput {
        name: input.name.as_deref(),
        channel: message.channel.as_deref(),
        template: message.template.as_deref(),
        send_at: input.send_at.as_deref(),
        idempotency_key: idempotency_key.as_deref(),
    };
    let draft = CampaignDraft::parse(draft_input, now, &mut errors);
    let topic = topic(state, caller, input.topic.as_deref(), &mut errors).await?;
    let audience = audience(state, caller, input.segment_id, input.rule, &mut errors).await?;
    match (draft, audience) {
        (Some(draft), Some(audience)) if errors.is_empty() => {
            let field = audience.field();
            let new = NewCampaign {
                name: draft.name.into(),
                channel: draft.channel,
                template: draft.template,
                segment_id: audience.segment_id,
                rule_json: audience.rule_json,
                rule: audience.rule,
                send_at: draft.send_at,
                idempotency_key: draft.idempotency_key,
                request_fingerprint: None,
                topic,
                subject,
                preheader,
            };
            Ok((new, field))
        }
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Checks a draft: a name and a channel are required; the template is kept as typed (bounded in length);
/// an audience, a send time, a topic, a subject and a preheader are checked when given.
pub(crate) async fn validate_draft(
    state: &SharedState,
    caller: &Caller,
    input: CampaignInput,
    now: DateTime<Utc>,
) -> ApiResult<CampaignFields> {
    let mut errors = FieldErrors::new();
    let message = message(state, caller, &input, &mut errors).await?;
    let (subject, preheader) = email_extras(&message, &mut errors);
    let name = required_name(input.name.as_deref(), &mut errors);
    let channel = required_channel(message.channel.as_deref(), &mut errors);
    let template = message.template.unwrap_or_default();
    if let Some(channel) = channel {
        errors.check("template", check_draft_template(&template, channel));
    }
    let send_at = match input.send_at.as_deref() {
        None => Some(now),
        Some(raw) => errors.check("send_at", parse_send_at(raw, now)),
    };
    let topic = topic(state, caller, input.topic.as_deref(), &mut errors).await?;
    let audience = if input.has_audience() {
        audience(state, caller, input.segment_id, input.rule, &mut errors).await?
    } else {
        None
    };
    match (name, channel, send_at) {
        (Some(name), Some(channel), Some(send_at)) if errors.is_empty() => Ok(CampaignFields {
            name: name.into(),
            channel,
            template,
            segment_id: audience.as_ref().and_then(|a| a.segment_id),
            rule_json: audience.map_or(Value::Null, |a| a.rule_json),
            send_at,
            topic,
            subject,
            preheader,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Exactly one of `segment_id` (a segment of this workspace) and `rule`, parsed with the workspace's
/// catalogue. Field problems go to `errors`; only infrastructure failures are returned as errors.
async fn audience(
    state: &SharedState,
    caller: &Caller,
    segment_id: Option<SegmentId>,
    rule: Option<Value>,
    errors: &mut FieldErrors,
) -> ApiResult<Option<Audience>> {
    let named =
        async { AudienceSource::of(segment_id, rule)?.rule_json(state.store.as_ref(), caller.workspace_id()).await };
    let (json, segment) = match named.await {
        Ok(named) => named,
        Err(ApiError::Invalid(source_errors)) => {
            errors.extend(source_errors);
            return Ok(None);
        }
        Err(other) => return Err(other),
    };
    match parse_rule(state, caller, &json).await {
        Ok(rule) => Ok(Some(Audience { segment_id: segment, rule_json: json, rule })),
        Err(ApiError::Invalid(rule_errors)) => {
            match segment {
                // The stored rule no longer fits the catalogue (an attribute it used is gone, say): the
                // segment is what the client named, so that is the field to report.
                Some(_) => errors.push(
                    "segment_id",
                    format!("the segment's rule is no longer valid ({rule_errors}); edit the segment first"),
                ),
                None => errors.extend(rule_errors),
            }
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
