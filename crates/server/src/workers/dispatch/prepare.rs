//! Turning claimed messages into outbound messages: pick the channel and address, render the template.
//! Pure (no I/O): what cannot be sent becomes its final result here (SKIPPED without an address, FAILED
//! when the message cannot be rendered for this customer).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use converge_channels::OutboundMessage;
use converge_domain::campaign::resolve;
use converge_domain::consent::Verdict;
use converge_domain::template::MessageTemplate;
use converge_domain::{CampaignId, CampaignTemplates, Channel, SendChannel, Topic, WorkspaceId};
use converge_store::{ClaimedDelivery, DispatchOutcome, DispatchResult};

use crate::consent::{with_opt_out_line, Gate, LinkToken};
use crate::delivery::render::{claimed_vars, envelope};
use crate::delivery::Brand;

/// What a dispatcher needs to know about a campaign, loaded once and cached (templates are immutable).
pub struct CampaignInfo {
    pub name: String,
    pub channel: SendChannel,
    /// The compiled template, or why the stored one no longer compiles (then every message fails with it).
    pub templates: Result<CampaignTemplates, String>,
    /// E-mail: the compiled subject line (`None`: the campaign's name), or why it no longer compiles.
    pub subject: Result<Option<MessageTemplate>, String>,
    /// E-mail: the preview text after the subject.
    pub preheader: Option<String>,
    pub brand: Brand,
    /// The topic the campaign is about (customers who left it are skipped).
    pub topic: Option<Topic>,
}

/// A claimed message ready to hand to its channel's sender.
pub struct Ready {
    pub claim: ClaimedDelivery,
    pub channel: Channel,
    pub message: OutboundMessage,
}

#[derive(Default)]
pub struct Prepared {
    pub ready: Vec<Ready>,
    /// Final results decided without sending.
    pub settled: Vec<DispatchResult>,
}

/// The vendor's idempotency reference for a claim: the log id and the retry generation, so a resend after
/// a lost answer dedupes at the vendor while a user's "retry failed" sends anew.
pub fn reference(claim: &ClaimedDelivery) -> String {
    format!("{}.{}", claim.log_id, claim.generation)
}

/// Why a deferred message waits, as its log row shows meanwhile.
pub const QUIET_HOURS: &str = "quiet_hours";

pub fn prepare(
    claims: Vec<ClaimedDelivery>,
    campaigns: &HashMap<CampaignId, Arc<CampaignInfo>>,
    gates: &mut HashMap<WorkspaceId, Gate>,
    now: DateTime<Utc>,
) -> Prepared {
    let mut prepared = Prepared::default();
    for claim in claims {
        let Some(info) = campaigns.get(&claim.campaign_id) else {
            // The caller loads every claimed campaign first; a gap would be a bug, and failing loudly beats
            // silently dropping the message.
            let error = "campaign details could not be loaded".to_owned();
            prepared.settled.push(claim.result(DispatchOutcome::Failed { error }));
            continue;
        };
        let Some(gate) = gates.get_mut(&claim.workspace_id) else {
            let error = "consent facts could not be loaded".to_owned();
            prepared.settled.push(claim.result(DispatchOutcome::Failed { error }));
            continue;
        };
        match ready(&claim, info, gate, now) {
            Ok((channel, message)) => prepared.ready.push(Ready { claim, channel, message }),
            Err(outcome) => prepared.settled.push(claim.result(outcome)),
        }
    }
    prepared
}

fn ready(
    claim: &ClaimedDelivery,
    info: &CampaignInfo,
    gate: &mut Gate,
    now: DateTime<Utc>,
) -> Result<(Channel, OutboundMessage), DispatchOutcome> {
    let (channel, address) =
        resolve(info.channel, claim.email.as_deref(), claim.phone.as_deref(), claim.preferred_channel)
            .map_err(|skip| DispatchOutcome::Skipped { reason: skip.to_string() })?;
    let timezone = claim.attributes.get("timezone").and_then(|zone| zone.as_str());
    match gate.admit(claim.customer_id, timezone, channel, address.as_str(), info.topic.as_ref(), now) {
        Verdict::Send => {}
        Verdict::Skip(why) => return Err(DispatchOutcome::Skipped { reason: why.as_str().to_owned() }),
        Verdict::Defer(until) => return Err(DispatchOutcome::Deferred { reason: QUIET_HOURS.to_owned(), until }),
    }
    let link = LinkToken {
        workspace_id: claim.workspace_id,
        customer_id: claim.customer_id,
        message_id: claim.log_id,
        channel,
    };
    let unsubscribe_url = gate.signer.unsubscribe_url(&link);
    let templates = info.templates.as_ref().map_err(|error| DispatchOutcome::Failed { error: error.clone() })?;
    let template = templates
        .for_channel(channel)
        .ok_or_else(|| DispatchOutcome::Failed { error: format!("the campaign cannot send on {channel}") })?;
    let vars = claimed_vars(claim, &info.brand).with_unsubscribe_url(&unsubscribe_url);
    let body = template.render(&vars).map_err(|error| DispatchOutcome::Failed { error: error.to_string() })?;
    let body = with_opt_out_line(body, channel, &gate.compliance);
    let subject = match (&info.subject, channel) {
        (Err(error), Channel::Email) => return Err(DispatchOutcome::Failed { error: error.clone() }),
        (Err(_), _) => None,
        (Ok(subject), _) => subject.as_ref(),
    };
    let (subject, body) = envelope(channel, (&info.name, subject, info.preheader.as_deref()), &vars, body)
        .map_err(|error| DispatchOutcome::Failed { error })?;
    let message = OutboundMessage {
        reference: reference(claim),
        channel,
        to: address.as_str().to_owned(),
        subject,
        body,
        unsubscribe_url: Some(unsubscribe_url),
        sender: info.brand.sender.clone(),
    };
    Ok((channel, message))
}

#[cfg(test)]
mod tests {
    use converge_domain::{Compliance, ComplianceInput, Currency, CustomerId, MessageId};
    use serde_json::json;

    use super::*;

    fn claim(id: i64, email: Option<&str>, phone: Option<&str>) -> ClaimedDelivery {
        ClaimedDelivery {
            log_id: MessageId::new(id),
            campaign_id: CampaignId::new(7),
            workspace_id: WorkspaceId::new(1),
            channel: SendChannel::Sms,
            template: String::new(),
            customer_id: CustomerId::new(id),
            external_id: format!("C{id}"),
            name: Some("Asha Rao".into()),
            email: email.map(str::to_owned),
            phone: phone.map(str::to_owned),
            city: None,
            attributes: serde_json::json!({}),
            preferred_channel: None,
            total_spend: 149_900,
            order_count: 2,
            attempts: 1,
            generation: 2,
            claimed_until: Utc::now(),
        }
    }

    fn info(channel: SendChannel, template: &str) -> HashMap<CampaignId, Arc<CampaignInfo>> {
        let brand = Brand {
            name: "Acme".into(),
            currency: Currency::parse("INR").unwrap(),
            postal_address: None,
            sender: None,
        };
        let templates = CampaignTemplates::parse(template, channel).map_err(|e| e.to_string());
        HashMap::from([(
            CampaignId::new(7),
            Arc::new(CampaignInfo {
                name: "Diwali".into(),
                channel,
                templates,
                subject: Ok(None),
                preheader: None,
                brand,
                topic: None,
            }),
        )])
    }

    fn now() -> DateTime<Utc> {
        "2026-12-06T17:00:00Z".parse().unwrap()
    }

    fn gates() -> HashMap<WorkspaceId, Gate> {
        HashMap::from([(WorkspaceId::new(1), Gate::fixed(Compliance::default()))])
    }

    #[test]
    fn renders_skips_and_references() {
        let campaigns = info(SendChannel::Sms, "Hi {{ first_name }}, you spent {{ total_spend }} at {{ brand }}");
        let prepared = prepare(
            vec![claim(1, None, Some("+919812345678")), claim(2, Some("a@b.in"), None)],
            &campaigns,
            &mut gates(),
            now(),
        );
        assert_eq!(prepared.ready.len(), 1);
        let ready = &prepared.ready[0];
        assert_eq!(ready.message.body, "Hi Asha, you spent 1499.00 at Acme\nReply STOP to opt out");
        assert!(ready.message.unsubscribe_url.as_deref().unwrap().starts_with("https://crm.test/u/1.1.1.s."));
        assert_eq!((ready.message.reference.as_str(), ready.message.to.as_str()), ("1.2", "+919812345678"));
        assert_eq!(ready.message.subject, None);
        assert_eq!(prepared.settled.len(), 1);
        assert!(
            matches!(&prepared.settled[0].outcome, DispatchOutcome::Skipped { reason } if reason.contains("phone"))
        );
    }

    #[test]
    fn email_gets_the_campaign_name_as_subject_and_escaped_values() {
        let campaigns = info(SendChannel::Preferred, "<p>Hi {{ name }}</p><a href=\"{{ unsubscribe_url }}\">x</a>");
        let mut c = claim(3, Some("a@b.in"), None);
        c.name = Some("<b>Asha</b>".into());
        let prepared = prepare(vec![c], &campaigns, &mut gates(), now());
        let ready = &prepared.ready[0];
        assert_eq!(ready.channel, Channel::Email);
        assert_eq!(ready.message.subject.as_deref(), Some("Diwali"));
        let link = ready.message.unsubscribe_url.clone().unwrap();
        assert!(link.starts_with("https://crm.test/u/1.3.3.e."), "{link}");
        assert_eq!(ready.message.body, format!("<p>Hi &lt;b&gt;Asha&lt;&#x2f;b&gt;</p><a href=\"{link}\">x</a>"));
    }

    #[test]
    fn quiet_hours_defer_in_the_customers_zone_and_the_cap_skips() {
        let compliance: ComplianceInput = serde_json::from_value(json!({"timezone": "Europe/London",
            "quiet_hours": {"start": "21:00", "end": "09:00"}, "frequency_cap": {"messages": 1, "days": 7},
            "sms_opt_out_line": null}))
        .unwrap();
        let mut gates = HashMap::from([(WorkspaceId::new(1), Gate::fixed(compliance.validate().unwrap()))]);
        let campaigns = info(SendChannel::Sms, "Hi {{ first_name }}");
        let mut night = claim(5, None, Some("+919812345678"));
        night.attributes = json!({"timezone": "Asia/Kolkata"});
        let mut twice = claim(7, None, Some("+919812345679"));
        twice.customer_id = CustomerId::new(6);
        let claims = vec![night, claim(6, None, Some("+919812345679")), twice];
        let prepared = prepare(claims, &campaigns, &mut gates, now());
        assert_eq!(prepared.ready.len(), 1, "17:00 in London: the first message to customer 6 goes");
        assert_eq!(prepared.ready[0].message.body, "Hi Asha", "the opt-out line is off");
        let outcomes: Vec<&DispatchOutcome> = prepared.settled.iter().map(|r| &r.outcome).collect();
        let until = "2026-12-07T03:30:00Z".parse().unwrap();
        assert_eq!(
            outcomes,
            [
                &DispatchOutcome::Deferred { reason: QUIET_HOURS.into(), until },
                &DispatchOutcome::Skipped { reason: "frequency_cap".into() },
            ]
        );
    }

    #[test]
    fn a_template_that_no_longer_compiles_fails_its_messages() {
        let campaigns = info(SendChannel::Sms, "{{ nope(");
        let prepared = prepare(vec![claim(4, None, Some("+919812345678"))], &campaigns, &mut gates(), now());
        assert!(prepared.ready.is_empty());
        assert!(matches!(prepared.settled[0].outcome, DispatchOutcome::Failed { .. }));
    }
}
