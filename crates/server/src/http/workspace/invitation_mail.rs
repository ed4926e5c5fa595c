//! The e-mail an invitation sends when the workspace delivers e-mail over its own SMTP server: who invites,
//! to what, with which role, and the link. Through a vendor (the node's default included) nothing is sent —
//! a vendor is for marketing messages to customers, not mail to the team — and the inviter copies the link.

use converge_channels::{OutboundMessage, SendOutcome, SMTP_ROUTE};
use converge_domain::{Channel, Role, WorkspaceId};

use crate::consent::{html_escape, TRANSACTIONAL_REFERENCE_PREFIX};
use crate::delivery::render::Brand;
use crate::state::SharedState;

/// What became of the invitation e-mail.
pub enum Mailed {
    /// Handed to the workspace's SMTP server.
    Sent,
    /// The workspace sends e-mail through a vendor, or its channels cannot be built now.
    NotConfigured,
    /// The SMTP server refused it or could not be reached (the reason, for the inviter).
    Failed(String),
}

/// Everything the message says.
pub struct Invite<'a> {
    pub workspace_id: WorkspaceId,
    pub invitation_id: i64,
    pub to: &'a str,
    pub role: Role,
    pub inviter: Option<&'a str>,
    pub link: &'a str,
    pub days: i64,
}

/// Sends the invitation e-mail if the workspace has SMTP.
pub async fn send(state: &SharedState, invite: Invite<'_>) -> Mailed {
    let senders = match state.senders.for_workspace(state.store.as_ref(), invite.workspace_id).await {
        Ok(senders) => senders,
        Err(err) => {
            tracing::warn!(error = %err, "the workspace's channels cannot be built; the invitation is not e-mailed");
            return Mailed::NotConfigured;
        }
    };
    let email = senders.for_channel(Channel::Email);
    if email.route.as_ref() != SMTP_ROUTE {
        return Mailed::NotConfigured;
    }
    let brand = match state.store.workspace(invite.workspace_id).await {
        Ok(Some(workspace)) => Brand::of(&workspace),
        _ => return Mailed::Failed("the workspace could not be read".into()),
    };
    let (subject, body) = message(&invite, &brand.name);
    let message = OutboundMessage {
        reference: format!(
            "{TRANSACTIONAL_REFERENCE_PREFIX}invite.{}.{:016x}",
            invite.invitation_id,
            rand::random::<u64>()
        ),
        channel: Channel::Email,
        to: invite.to.to_owned(),
        subject: Some(subject),
        body,
        unsubscribe_url: None,
        sender: brand.sender.clone(),
    };
    match email.sender.send(std::slice::from_ref(&message)).await.into_iter().next() {
        Some(SendOutcome::Accepted { .. }) => Mailed::Sent,
        Some(SendOutcome::Retryable { error } | SendOutcome::Rejected { error }) => Mailed::Failed(error),
        None => Mailed::Failed("the SMTP server gave no answer".into()),
    }
}

/// The subject and HTML body (every value escaped).
fn message(invite: &Invite<'_>, workspace: &str) -> (String, String) {
    let who = invite.inviter.unwrap_or("A teammate");
    let subject = format!("{who} invited you to {workspace} on Converge");
    let body = format!(
        "<p>{who} invited you to join <strong>{workspace}</strong> on Converge as {role}.</p>\
         <p><a href=\"{link}\">Accept the invitation</a></p>\
         <p>Or open this address: {link}</p>\
         <p>The link works for {days} days and only once. If you did not expect it, ignore this e-mail.</p>",
        who = html_escape(who),
        workspace = html_escape(workspace),
        role = invite.role.as_str(),
        link = html_escape(invite.link),
        days = invite.days,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_escapes_what_people_typed() {
        let invite = Invite {
            workspace_id: WorkspaceId::new(1),
            invitation_id: 7,
            to: "new@brand.in",
            role: Role::Member,
            inviter: Some("Asha <script>"),
            link: "https://crm.brand.in/join?token=abc&x=1",
            days: 7,
        };
        let (subject, body) = message(&invite, "Tanvi & Co");
        assert_eq!(subject, "Asha <script> invited you to Tanvi & Co on Converge");
        assert!(body.contains("Asha &lt;script&gt;") && body.contains("Tanvi &amp; Co"), "{body}");
        assert!(body.contains("href=\"https://crm.brand.in/join?token=abc&amp;x=1\""), "{body}");
        assert!(body.contains("as member"));
    }
}
