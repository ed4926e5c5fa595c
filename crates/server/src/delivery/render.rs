//! One recipient's values for a campaign's templates (`converge_domain::CampaignTemplates`): shared by the
//! message preview endpoint and the dispatch workers, so a preview renders exactly what is sent.

use std::sync::Arc;

use converge_channels::SenderIdentity;
use converge_domain::template::{MessageTemplate, TemplateVars};
use converge_domain::{Currency, Money};
use converge_store::{ClaimedDelivery, CustomerRow, Workspace};

/// What renders a message besides the customer: the workspace's currency (for `total_spend`), its brand
/// name (the `brand` variable) and postal address (`postal_address`).
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    pub currency: Currency,
    pub postal_address: Option<String>,
    /// Who the workspace's messages are from (`None` while the profile sets no sender).
    pub sender: Option<Arc<SenderIdentity>>,
}

impl Brand {
    /// The brand of a workspace as its profile says (the display name while no brand name is set).
    pub fn of(workspace: &Workspace) -> Brand {
        Brand {
            name: workspace.brand().to_owned(),
            currency: workspace.currency,
            postal_address: workspace.profile.postal_address.clone(),
            sender: sender_identity(workspace),
        }
    }
}

/// The sender identity a workspace's profile sets, for every message the workspace sends.
pub fn sender_identity(workspace: &Workspace) -> Option<Arc<SenderIdentity>> {
    let profile = &workspace.profile;
    let (email, sms) =
        (profile.email_sender.clone().unwrap_or_default(), profile.sms_sender.clone().unwrap_or_default());
    let identity = SenderIdentity {
        from_name: email.from_name,
        from_address: email.from_address,
        reply_to: email.reply_to,
        sms_sender_id: sms.sender_id,
        dlt_entity_id: sms.dlt_entity_id,
        dlt_template_id: sms.dlt_template_id,
    };
    (identity != SenderIdentity::default()).then(|| Arc::new(identity))
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
    .with_postal_address(brand.postal_address.as_deref())
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
    .with_postal_address(brand.postal_address.as_deref())
}

/// The subject and body one message goes out with: for e-mail, `subject` rendered for `vars` (the
/// campaign's `name` while it has none) and the body led by its preheader; other channels have no subject.
/// Shared by the dispatcher and test sends, so a test is what recipients get.
pub fn envelope(
    channel: converge_domain::Channel,
    (name, subject, preheader): (&str, Option<&MessageTemplate>, Option<&str>),
    vars: &TemplateVars,
    body: String,
) -> Result<(Option<String>, String), String> {
    if channel != converge_domain::Channel::Email {
        return Ok((None, body));
    }
    let subject = match subject {
        Some(template) => template.render(vars).map_err(|error| format!("subject: {error}"))?,
        None => name.to_owned(),
    };
    Ok((Some(subject), with_preheader(body, preheader)))
}

/// An e-mail body with its preheader: the preview text mail clients show after the subject, as the first,
/// hidden element of the HTML (escaped; shown by no client in the message itself).
pub fn with_preheader(body: String, preheader: Option<&str>) -> String {
    match preheader.map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => format!(
            "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\">{}</div>\n{body}",
            crate::consent::html_escape(text)
        ),
        None => body,
    }
}
