//! The hosted unsubscribe and preferences page behind every message's `{{ unsubscribe_url }}`:
//! `GET /u/{token}` shows the customer's channels and topics (no sign-in: the signed link is the permission;
//! a GET changes nothing, so mail scanners that fetch links cannot unsubscribe anyone); `POST /u/{token}`
//! unsubscribes from the message's channel at once — what RFC 8058 one-click (`List-Unsubscribe=One-Click`)
//! and the page's "Unsubscribe" button send — or, with `preferences=1`, saves the page's toggles, or, with
//! `confirm=1`, confirms a pending subscription (double opt-in: the confirmation request links here with
//! message id 0).

use std::collections::BTreeSet;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use converge_domain::consent::Policy;
use converge_domain::{Channel, Compliance, ConsentSource, SubscriptionStatus};
use converge_store::{topic_subject, CustomerRow, SubscriptionChange, SubscriptionRow};

use crate::consent::{html_escape, LinkToken};
use crate::http::error::ApiError;
use crate::http::path::Path;
use crate::state::SharedState;

/// What the page knows about the person behind a valid link.
struct Person {
    token: LinkToken,
    brand: String,
    customer: CustomerRow,
    current: Vec<SubscriptionRow>,
    compliance: Compliance,
}

impl Person {
    fn status(&self, subject: &str) -> Option<SubscriptionStatus> {
        self.current.iter().find(|s| s.subject == subject).map(|s| s.status)
    }

    /// The channels the page offers: the message's own, and every other one the customer has an address for.
    fn channels(&self) -> Vec<Channel> {
        Channel::ALL
            .into_iter()
            .filter(|c| {
                *c == self.token.channel
                    || match c {
                        Channel::Email => self.customer.email.is_some(),
                        Channel::Sms | Channel::Whatsapp => self.customer.phone.is_some(),
                    }
            })
            .collect()
    }

    /// Whether the channel may carry marketing to this customer now (what its box shows).
    fn channel_on(&self, channel: Channel) -> bool {
        match self.status(channel.as_str()) {
            Some(SubscriptionStatus::Subscribed) => true,
            Some(_) => false,
            None => self.compliance.policy(channel) == Policy::Allowed,
        }
    }

    fn topic_on(&self, topic: &str) -> bool {
        self.status(&topic_subject(topic)) != Some(SubscriptionStatus::Unsubscribed)
    }
}

async fn find(state: &SharedState, token: &str) -> Result<Option<Person>, ApiError> {
    let Some(token) = state.links.verify(state.store.as_ref(), token).await? else { return Ok(None) };
    let workspace_id = token.workspace_id;
    let Some(workspace) = state.store.workspace(workspace_id).await? else { return Ok(None) };
    let Some(customer) = state.store.customers_by_ids(workspace_id, &[token.customer_id]).await?.pop() else {
        return Ok(None);
    };
    let current = state.store.subscriptions(workspace_id, customer.id).await?;
    let compliance = crate::consent::compliance::load(state.store.as_ref(), workspace_id).await?;
    Ok(Some(Person { token, brand: workspace.brand().to_owned(), customer, current, compliance }))
}

/// The preferences page.
pub async fn page(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    match find(&state, &token).await {
        Ok(Some(person)) => Html(render(&person, None)).into_response(),
        Ok(None) => invalid(),
        Err(err) => failed(err),
    }
}

/// Unsubscribe at once (one-click), or save the page's toggles.
pub async fn submit(
    State(state): State<SharedState>,
    Path(token): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    // Anything but the page's own form (`preferences=1`) unsubscribes: RFC 8058's `List-Unsubscribe=One-Click`
    // (as a form or as multipart), an empty POST, or the page's unsubscribe button.
    let fields = form.map(|Form(fields)| fields).unwrap_or_default();
    let person = match find(&state, &token).await {
        Ok(Some(person)) => person,
        Ok(None) => return invalid(),
        Err(err) => return failed(err),
    };
    let saving = fields.iter().any(|(k, v)| k == "preferences" && v == "1");
    let confirming = fields.iter().any(|(k, v)| k == "confirm" && v == "1");
    let now = Utc::now();
    let change = |subject: String, status, source| SubscriptionChange {
        customer_id: person.customer.id,
        subject,
        status,
        source,
        changed_at: now,
    };
    let pending = person.status(person.token.channel.as_str()) == Some(SubscriptionStatus::Pending);
    let changes: Vec<SubscriptionChange> = if confirming {
        let subject = person.token.channel.as_str().to_owned();
        if pending {
            vec![change(subject, SubscriptionStatus::Subscribed, ConsentSource::Preferences)]
        } else {
            Vec::new()
        }
    } else if saving {
        let chosen: BTreeSet<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut changes = Vec::new();
        for channel in person.channels() {
            let wanted = chosen.contains(&("channel", channel.as_str()));
            if wanted != person.channel_on(channel) {
                let status = if wanted { SubscriptionStatus::Subscribed } else { SubscriptionStatus::Unsubscribed };
                changes.push(change(channel.as_str().to_owned(), status, ConsentSource::Preferences));
            }
        }
        for topic in &person.compliance.topics {
            let wanted = chosen.contains(&("topic", topic.as_str()));
            if wanted != person.topic_on(topic.as_str()) {
                let status = if wanted { SubscriptionStatus::Subscribed } else { SubscriptionStatus::Unsubscribed };
                changes.push(change(topic_subject(topic.as_str()), status, ConsentSource::Preferences));
            }
        }
        changes
    } else {
        let subject = person.token.channel.as_str().to_owned();
        vec![change(subject, SubscriptionStatus::Unsubscribed, ConsentSource::UnsubscribeLink)]
    };
    if let Err(err) = state.store.change_subscriptions(person.token.workspace_id, &changes).await {
        return failed(err.into());
    }
    let kind = if confirming {
        "confirm"
    } else if saving {
        "preferences"
    } else {
        "unsubscribe"
    };
    metrics::counter!("converge_unsubscribe_link_total", "kind" => kind).increment(1);
    tracing::info!(message_id = person.token.message_id.get(), changes = changes.len(), "consent changed by link");
    // Show the page as it is now, with what happened.
    let note = if confirming && pending {
        format!("Thank you: your {} subscription to {} is confirmed.", label(person.token.channel), person.brand)
    } else if confirming {
        "There is nothing to confirm: this subscription is not waiting for a confirmation.".to_owned()
    } else if saving {
        "Your preferences are saved.".to_owned()
    } else {
        format!("You are unsubscribed from {} messages by {}.", label(person.token.channel), person.brand)
    };
    match find(&state, &token).await {
        Ok(Some(now)) => Html(render(&now, Some(&note))).into_response(),
        Ok(None) => invalid(),
        Err(err) => failed(err),
    }
}

fn label(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "e-mail",
        Channel::Sms => "SMS",
        Channel::Whatsapp => "WhatsApp",
    }
}

/// The channel's name as a checkbox label.
fn title(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "E-mail",
        Channel::Sms => "SMS",
        Channel::Whatsapp => "WhatsApp",
    }
}

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2937;\
background:#f3f4f6}main{box-sizing:border-box;max-width:32rem;margin:0 auto;padding:1.5rem 1rem}\
h1{font-size:1.5rem;margin:0 0 .5rem}fieldset{border:1px solid #d1d5db;border-radius:.5rem;margin:1rem 0;\
padding:.75rem 1rem;background:#fff}legend{font-weight:600;padding:0 .25rem}label{display:flex;gap:.75rem;\
align-items:center;min-height:44px}input[type=checkbox]{width:1.25rem;height:1.25rem}button{width:100%;\
min-height:44px;font:inherit;border-radius:.5rem;border:0;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}\
.save{background:#1d4ed8;color:#fff}.leave{background:#fff;color:#b91c1c;border:1px solid #b91c1c}\
.note{background:#ecfdf5;border:1px solid #10b981;border-radius:.5rem;padding:.5rem .75rem}";

fn render(person: &Person, note: Option<&str>) -> String {
    let brand = html_escape(&person.brand);
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>Your preferences · {brand}</title>\
         <style>{STYLE}</style></head><body><main><h1>{brand}</h1>"
    );
    if let Some(note) = note {
        html.push_str(&format!("<p class=\"note\" role=\"status\">{}</p>", html_escape(note)));
    }
    if person.status(person.token.channel.as_str()) == Some(SubscriptionStatus::Pending) {
        html.push_str(&format!(
            "<p>Please confirm that you want {} messages from {brand}.</p><form method=\"post\">\
             <input type=\"hidden\" name=\"confirm\" value=\"1\">\
             <button class=\"save\" type=\"submit\">Confirm my subscription</button></form>",
            label(person.token.channel)
        ));
    }
    html.push_str(&format!("<p>Choose what {brand} may send you.</p><form method=\"post\">"));
    html.push_str("<input type=\"hidden\" name=\"preferences\" value=\"1\"><fieldset><legend>Channels</legend>");
    for channel in person.channels() {
        let checked = if person.channel_on(channel) { " checked" } else { "" };
        html.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"channel\" value=\"{}\"{checked}> {}</label>",
            channel.as_str(),
            title(channel)
        ));
    }
    html.push_str("</fieldset>");
    if !person.compliance.topics.is_empty() {
        html.push_str("<fieldset><legend>Topics</legend>");
        for topic in &person.compliance.topics {
            let checked = if person.topic_on(topic.as_str()) { " checked" } else { "" };
            let name = html_escape(topic.as_str());
            html.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"topic\" value=\"{name}\"{checked}> {name}</label>"
            ));
        }
        html.push_str("</fieldset>");
    }
    html.push_str("<button class=\"save\" type=\"submit\">Save preferences</button></form>");
    html.push_str(&format!(
        "<form method=\"post\"><button class=\"leave\" type=\"submit\">Unsubscribe from {} messages</button></form>",
        label(person.token.channel)
    ));
    html.push_str("</main></body></html>");
    html
}

fn invalid() -> Response {
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Link not valid</title></head>\
        <body><main><h1>This link is not valid</h1><p>It may be incomplete. Use the link from the latest message, \
        or reply STOP to an SMS.</p></main></body></html>";
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

fn failed(err: ApiError) -> Response {
    let detail = err.into_detail();
    tracing::warn!(%detail, "the preferences page failed");
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Try again</title></head>\
        <body><main><h1>Something went wrong</h1><p>Nothing was changed. Please try again in a minute.</p></main>\
        </body></html>";
    (StatusCode::SERVICE_UNAVAILABLE, Html(body)).into_response()
}
