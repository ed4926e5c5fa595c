//! Templates for a campaign's channel, and one recipient's values: shared by campaign creation (validation),
//! the message preview endpoint and the dispatch workers, so a preview renders exactly what is sent.

use converge_domain::template::{MessageTemplate, TemplateError, TemplateVars};
use converge_domain::{Channel, Currency, Money, SendChannel};
use converge_store::{ClaimedDelivery, CustomerRow};

/// A campaign's template compiled for every channel it may send on: the fixed one, or all three for
/// `preferred` (each channel has its own limits and e-mail escapes HTML).
#[derive(Clone)]
pub struct CampaignTemplates {
    by_channel: Vec<(Channel, MessageTemplate)>,
}

impl CampaignTemplates {
    /// Checks `text` for every channel `channel` may use; the first channel's problems are the answer.
    pub fn parse(text: &str, channel: SendChannel) -> Result<CampaignTemplates, TemplateError> {
        let channels: Vec<Channel> = match channel.fixed() {
            Some(fixed) => vec![fixed],
            None => vec![Channel::Sms, Channel::Whatsapp, Channel::Email],
        };
        let by_channel = channels
            .into_iter()
            .map(|c| MessageTemplate::parse(text, c).map(|t| (c, t)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CampaignTemplates { by_channel })
    }

    /// The compiled template for `channel` (`None` if the campaign cannot send on it).
    pub fn for_channel(&self, channel: Channel) -> Option<&MessageTemplate> {
        self.by_channel.iter().find(|(c, _)| *c == channel).map(|(_, t)| t)
    }

    /// Variables the template uses.
    pub fn variables(&self) -> &[String] {
        self.by_channel.first().map(|(_, t)| t.preview_variables()).unwrap_or_default()
    }
}

/// What renders a message besides the customer: the workspace's currency (for `total_spend`) and its name
/// (the `brand` variable).
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    pub currency: Currency,
}

/// The values of a claimed recipient.
pub fn claimed_vars(claim: &ClaimedDelivery, brand: &Brand) -> TemplateVars {
    TemplateVars::for_customer(
        claim.name.as_deref(),
        claim.email.as_deref(),
        claim.phone.as_deref(),
        claim.city.as_deref(),
        &claim.external_id,
        claim.attributes.as_object().unwrap_or(&serde_json::Map::new()),
        &Money::from_minor(claim.total_spend).format(&brand.currency),
        claim.order_count,
        &brand.name,
    )
}

/// The values of a stored customer (the preview endpoint).
pub fn customer_vars(customer: &CustomerRow, brand: &Brand) -> TemplateVars {
    TemplateVars::for_customer(
        customer.name.as_deref(),
        customer.email.as_deref(),
        customer.phone.as_deref(),
        customer.city.as_deref(),
        &customer.external_id,
        customer.attributes.as_object().unwrap_or(&serde_json::Map::new()),
        &Money::from_minor(customer.total_spend).format(&brand.currency),
        customer.order_count,
        &brand.name,
    )
}
