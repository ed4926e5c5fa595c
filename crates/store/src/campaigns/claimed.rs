//! A claimed message as both backends read it back from the claim query (`ClaimedDelivery`).

use sqlx::Row;

use crate::backend::per_backend;
use crate::campaigns::ClaimedDelivery;
use crate::codec::At;
use crate::StoreResult;

per_backend! {
    pub(crate) fn claimed(row: &DbRow) -> StoreResult<ClaimedDelivery> {
        Ok(ClaimedDelivery {
            log_id: row.try_get("id")?,
            campaign_id: row.try_get("campaign_id")?,
            workspace_id: row.try_get("workspace_id")?,
            channel: row.try_get("channel")?,
            template: row.try_get("template")?,
            customer_id: row.try_get("customer_id")?,
            external_id: row.try_get("external_id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            city: row.try_get("city")?,
            attributes: row.try_get("attributes")?,
            preferred_channel: row.try_get("preferred_channel")?,
            total_spend: row.try_get("total_spend")?,
            order_count: row.try_get("order_count")?,
            attempts: row.try_get("attempts")?,
            generation: row.try_get("generation")?,
            claimed_until: row.try_get::<At, _>("claimed_until")?.0,
        })
    }
}
