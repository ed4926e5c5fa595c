//! One recipient's values for a campaign's templates (`converge_domain::CampaignTemplates`): shared by the
//! message preview endpoint and the dispatch workers, so a preview renders exactly what is sent.

use converge_domain::template::TemplateVars;
use converge_domain::{Currency, Money};
use converge_store::{ClaimedDelivery, CustomerRow};

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
