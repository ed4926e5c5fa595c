//! Insights aggregates on both backends: a campaign's messages by failure reason, skip reason, city (folded,
//! most common spelling) and spend band, and the workspace's top cities. Both backends must answer exactly
//! the same, ties included.

use converge_domain::{CampaignStatus, ReceiptStatus, WorkspaceId};
use converge_store::{CampaignStats, DispatchOutcome, Store};
use serde_json::json;

use super::{accepted, check, claim, everyone, new_campaign, receipt, t0};
use crate::support::{customer, inr, order};

/// (pending, sent, failed, skipped) as stats.
fn st(pending: i64, sent: i64, failed: i64, skipped: i64) -> CampaignStats {
    CampaignStats { audience: pending + sent + failed + skipped, pending, sent, failed, skipped }
}

/// Seven customers with known cities (three spellings of Pune, one without a city) and total spends.
async fn seed(store: &dyn Store, slug: &str) -> WorkspaceId {
    let ws = store.create_workspace(slug, slug, &inr()).await.unwrap().id;
    let people = [
        ("A1", Some("Pune"), Some("500")),
        ("A2", Some("PUNE"), Some("2000")),
        ("A3", Some("Goa"), Some("7000")),
        ("A4", Some("Goa"), None),
        ("A5", None, Some("1000")),
        ("A6", Some("Pune"), Some("5000")),
        ("A7", Some("Mumbai"), Some("999.99")),
    ];
    let mut batch = Vec::new();
    for (id, city, spend) in people {
        let mut body = json!({"external_id": id, "name": format!("Person {id}"), "phone": "+919812340000"});
        if let Some(city) = city {
            body["city"] = json!(city);
        }
        batch.push(customer(ws, t0(), body));
        if let Some(amount) = spend {
            batch.push(order(ws, &format!("O-{id}"), id, amount));
        }
    }
    store.apply_ingest(&batch).await.unwrap();
    ws
}

async fn campaign_breakdown_groups_messages_four_ways(store: &dyn Store) {
    let ws = seed(store, "insights-a").await;
    let other = seed(store, "insights-b").await;
    let (campaign, _) = store.create_campaign(ws, &new_campaign(everyone(), None, t0()), t0()).await.unwrap();
    assert!(store.start_due_campaigns(t0()).await.unwrap().contains(&campaign.id));
    let claims: Vec<_> = claim(store, "w", t0()).await.into_iter().filter(|c| c.campaign_id == campaign.id).collect();
    assert_eq!(claims.len(), 7);
    let mut results = Vec::new();
    for c in &claims {
        let outcome = match c.external_id.as_str() {
            "A1" | "A2" | "A7" => Some(accepted(c, &format!("v-{}", c.external_id)).outcome),
            "A3" | "A5" => Some(DispatchOutcome::Failed { error: "number does not exist".into() }),
            "A4" => Some(DispatchOutcome::Skipped { reason: "no phone number for sms".into() }),
            _ => None,
        };
        results.extend(outcome.map(|o| c.result(o)));
    }
    store.record_dispatch(&results, t0()).await.unwrap();
    let log_id = |external: &str| claims.iter().find(|c| c.external_id == external).map(|c| c.log_id).unwrap();
    let receipts = [
        receipt(log_id("A1"), "v-A1", ReceiptStatus::Sent, t0()),
        receipt(log_id("A2"), "v-A2", ReceiptStatus::Failed, t0()),
        receipt(log_id("A7"), "v-A7", ReceiptStatus::Sent, t0()),
    ];
    store.apply_receipts(&receipts, t0()).await.unwrap();
    let row = check(store, ws, campaign.id).await;
    assert_eq!((row.status, row.stats), (CampaignStatus::Running, st(1, 2, 3, 1)));

    // Bands at ₹1,000 and ₹5,000 (minor units), given unsorted and with a repeat.
    let breakdown = store.campaign_breakdown(ws, campaign.id, &[500_000, 100_000, 100_000], 10).await.unwrap();
    let backend = store.backend().as_str();
    assert_eq!(
        breakdown.failure_reasons,
        vec![("number does not exist".to_owned(), 2), ("handset unreachable".to_owned(), 1)],
        "{backend}"
    );
    assert_eq!(breakdown.skip_reasons, vec![("no phone number for sms".to_owned(), 1)], "{backend}");
    assert_eq!(
        breakdown.by_city,
        vec![
            // Pune, PUNE and Pune: one city, named as most customers write it.
            (Some("Pune".to_owned()), st(1, 1, 1, 0)),
            (Some("Goa".to_owned()), st(0, 0, 1, 1)),
            (Some("Mumbai".to_owned()), st(0, 1, 0, 0)),
            (None, st(0, 0, 1, 0)),
        ],
        "{backend}"
    );
    assert_eq!(
        breakdown.by_spend_band,
        // < ₹1,000: A1 (500), A4 (0), A7 (999.99); ₹1,000–5,000: A2, A5 (exactly 1,000); ≥ ₹5,000: A3, A6.
        vec![st(0, 2, 0, 1), st(0, 0, 2, 0), st(1, 0, 1, 0)],
        "{backend}"
    );
    let top = store.campaign_breakdown(ws, campaign.id, &[], 1).await.unwrap();
    assert_eq!(top.failure_reasons.len(), 1);
    assert_eq!(top.by_city, vec![(Some("Pune".to_owned()), st(1, 1, 1, 0))]);
    assert_eq!(top.by_spend_band, vec![st(1, 2, 3, 1)], "no bounds: one band of everyone");
    // Another workspace sees nothing of it.
    let foreign = store.campaign_breakdown(other, campaign.id, &[100_000], 10).await.unwrap();
    assert!(foreign.failure_reasons.is_empty() && foreign.skip_reasons.is_empty() && foreign.by_city.is_empty());
    assert_eq!(foreign.by_spend_band, vec![CampaignStats::default(); 2]);
}

async fn top_cities_count_customers_per_folded_city(store: &dyn Store) {
    let ws = seed(store, "cities-a").await;
    let empty = store.create_workspace("cities-b", "b", &inr()).await.unwrap().id;
    let cities = store.top_cities(ws, 10).await.unwrap();
    assert_eq!(cities, vec![("Pune".to_owned(), 3), ("Goa".to_owned(), 2), ("Mumbai".to_owned(), 1)]);
    assert_eq!(store.top_cities(ws, 2).await.unwrap().len(), 2);
    assert!(store.top_cities(empty, 10).await.unwrap().is_empty());
}

super::on_both_backends!(campaign_breakdown_groups_messages_four_ways, top_cities_count_customers_per_folded_city);
