//! The frequency cap, exact across dispatchers. The gate decides a batch from a snapshot, which is enough
//! for one dispatcher (a message let through counts at once within its batch) but not for two on different
//! nodes sending to the same customer at the same instant: both would see room for one more. So before
//! anything goes out, each workspace with a cap asks the store to hold a slot for every message the gate let
//! through ([`Store::hold_frequency_cap`], atomic per customer); a message without a slot is skipped with
//! `frequency_cap` like any other over the cap. The hold lasts until the message's result is recorded.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use converge_domain::consent::ConsentSkip;
use converge_domain::{CustomerId, MessageId, WorkspaceId};
use converge_store::{DispatchOutcome, Store};

use super::prepare::Prepared;
use crate::consent::Gate;

/// Holds cap slots for the ready messages of every capped workspace; moves those that get none to the
/// settled results as skipped. `lease` is the claim lease: a hold older than twice that (its dispatcher died
/// mid-send, and the message was claimed again) no longer counts.
pub(super) async fn hold(
    store: &dyn Store,
    mut prepared: Prepared,
    gates: &HashMap<WorkspaceId, Gate>,
    lease: Duration,
    now: DateTime<Utc>,
) -> anyhow::Result<Prepared> {
    let mut wanted: HashMap<WorkspaceId, Vec<(CustomerId, MessageId)>> = HashMap::new();
    for ready in &prepared.ready {
        let capped = gates.get(&ready.claim.workspace_id).is_some_and(|g| g.compliance.frequency_cap.is_some());
        if capped {
            wanted.entry(ready.claim.workspace_id).or_default().push((ready.claim.customer_id, ready.claim.log_id));
        }
    }
    if wanted.is_empty() {
        return Ok(prepared);
    }
    let mut denied: HashSet<MessageId> = HashSet::new();
    for (workspace_id, messages) in wanted {
        let Some(cap) = gates.get(&workspace_id).and_then(|g| g.compliance.frequency_cap) else { continue };
        let since = now - Duration::days(i64::from(cap.days));
        let fresh_since = now - lease * 2;
        let granted: HashSet<MessageId> = store
            .hold_frequency_cap(workspace_id, cap.messages, since, fresh_since, now, &messages)
            .await?
            .into_iter()
            .collect();
        denied.extend(messages.iter().map(|(_, m)| *m).filter(|m| !granted.contains(m)));
    }
    if denied.is_empty() {
        return Ok(prepared);
    }
    let (ready, over): (Vec<_>, Vec<_>) =
        std::mem::take(&mut prepared.ready).into_iter().partition(|r| !denied.contains(&r.claim.log_id));
    prepared.ready = ready;
    let reason = ConsentSkip::FrequencyCap.as_str().to_owned();
    for skipped in over {
        prepared.settled.push(skipped.claim.result(DispatchOutcome::Skipped { reason: reason.clone() }));
    }
    Ok(prepared)
}
