//! [`CampaignStatus`]: a campaign's life, driven by [`CampaignEvent`]s.
//!
//! ```text
//!  Draft ──Schedule (audience snapshotted)──▶ Scheduled
//!  Scheduled ──Launch (send time reached)──▶ Running ──Finish (nothing pending)──▶ Completed
//!      │  ▲                                   │  ▲
//!      │  └──Resume (send time ahead)──┐      │  └──Resume (send time reached)──┐
//!      └──Pause──────────────────────▶ Paused ◀──Pause──────────────────────────┘
//!  Draft, Scheduled, Running, Paused ──Cancel──▶ Cancelled
//! ```
//!
//! Completed and Cancelled are final: every event on them is refused. A repeated command (pausing a paused
//! campaign) is refused too, so the API can answer 409 and a caller that wants idempotency compares first.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a campaign is in its life, as stored and serialized (lowercase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    /// Being written: editable, no audience snapshotted, never sent until launched.
    Draft,
    /// Launched (its audience snapshotted); waits for its send time. A campaign created without
    /// `"status": "draft"` starts here.
    Scheduled,
    /// Its messages are being dispatched.
    Running,
    /// Dispatch stopped by a user; pending messages wait.
    Paused,
    /// Every message reached a final status.
    Completed,
    /// Stopped for good by a user; pending messages are never sent.
    Cancelled,
}

/// Something that happens to a campaign. Events carrying times take them as arguments because the domain
/// never reads the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignEvent {
    /// A draft is launched: its audience is snapshotted and it waits for its send time (Draft → Scheduled).
    Schedule,
    /// The scheduler found the send time reached: Scheduled → Running.
    Launch { now: DateTime<Utc>, send_at: DateTime<Utc> },
    /// Scheduled or Running → Paused.
    Pause,
    /// Paused → Running when the send time has come, else back to Scheduled.
    Resume { now: DateTime<Utc>, send_at: DateTime<Utc> },
    /// Any non-final status → Cancelled.
    Cancel,
    /// Running → Completed once no message is pending; `pending` is the count of pending messages.
    Finish { pending: u64 },
}

impl CampaignEvent {
    /// The event as a verb, for messages: `launch`, `pause`, `resume`, `cancel`, `finish`.
    pub fn name(&self) -> &'static str {
        match self {
            CampaignEvent::Schedule => "schedule",
            CampaignEvent::Launch { .. } => "launch",
            CampaignEvent::Pause => "pause",
            CampaignEvent::Resume { .. } => "resume",
            CampaignEvent::Cancel => "cancel",
            CampaignEvent::Finish { .. } => "finish",
        }
    }
}

/// Why an event was refused; the status is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The event does not apply to the current status (e.g. pausing a completed campaign).
    #[error("cannot {event} a {from} campaign")]
    NotAllowed { from: CampaignStatus, event: &'static str },
    /// Launch before the send time.
    #[error("cannot launch before the send time {send_at}")]
    NotDue { send_at: DateTime<Utc> },
    /// Finish while messages are still pending.
    #[error("cannot finish while {pending} messages are pending")]
    StillPending { pending: u64 },
}

impl CampaignStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CampaignStatus; 6] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Running,
        CampaignStatus::Paused,
        CampaignStatus::Completed,
        CampaignStatus::Cancelled,
    ];

    /// Parses the lowercase name, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<CampaignStatus, String> {
        let word = raw.trim().to_ascii_lowercase();
        CampaignStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == word)
            .ok_or_else(|| "must be one of draft, scheduled, running, paused, completed, cancelled".to_owned())
    }

    /// The lowercase name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    /// Completed and Cancelled: nothing moves a campaign out of them.
    pub fn is_final(self) -> bool {
        matches!(self, CampaignStatus::Completed | CampaignStatus::Cancelled)
    }

    /// Whether some event can move `from` to `to`, ignoring the events' time and pending-count guards. The
    /// store uses it in a `WHERE status IN (…)` guard so concurrent commands cannot skip a check.
    pub fn can_transition(from: CampaignStatus, to: CampaignStatus) -> bool {
        use CampaignStatus::*;
        matches!(
            (from, to),
            (Draft, Scheduled)
                | (Scheduled, Running)
                | (Scheduled | Running, Paused)
                | (Paused, Running | Scheduled)
                | (Running, Completed)
                | (Draft | Scheduled | Running | Paused, Cancelled)
        )
    }

    /// The status after `event`, or why the event does not apply.
    pub fn transition(self, event: CampaignEvent) -> Result<CampaignStatus, TransitionError> {
        use CampaignStatus::*;
        let refused = TransitionError::NotAllowed { from: self, event: event.name() };
        match (self, event) {
            (Draft, CampaignEvent::Schedule) => Ok(Scheduled),
            (Scheduled, CampaignEvent::Launch { now, send_at }) if now < send_at => {
                Err(TransitionError::NotDue { send_at })
            }
            (Scheduled, CampaignEvent::Launch { .. }) => Ok(Running),
            (Scheduled | Running, CampaignEvent::Pause) => Ok(Paused),
            (Paused, CampaignEvent::Resume { now, send_at }) => Ok(if now < send_at { Scheduled } else { Running }),
            (Draft | Scheduled | Running | Paused, CampaignEvent::Cancel) => Ok(Cancelled),
            (Running, CampaignEvent::Finish { pending: 0 }) => Ok(Completed),
            (Running, CampaignEvent::Finish { pending }) => Err(TransitionError::StillPending { pending }),
            _ => Err(refused),
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
