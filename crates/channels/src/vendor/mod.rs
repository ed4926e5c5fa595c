//! [`VendorHttpSender`]: the messaging vendor's batch API over HTTP (the simulator speaks the same API).
//!
//! One `POST {base_url}/v1/messages/batch` per chunk of at most [`MAX_BATCH`] messages, in order. The answer
//! carries one result per item; [`answer`] maps each to an outcome, and maps a request that failed as a whole
//! to the same outcome for every message of its chunk.

mod answer;

pub use answer::{usable_id, MAX_VENDOR_ID_BYTES};

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use converge_domain::Channel;
use converge_vendor_wire::MAX_BATCH;
use reqwest::redirect::Policy;
use reqwest::Url;
use serde::Serialize;

use converge_egress::{EgressError, EgressPolicy};

use crate::sender::{OutboundMessage, SendOutcome, Sender, SenderIdentity};
use crate::settings::VendorConfig;
use crate::{error_chain, BuildError, Secret};

/// Idle pooled connections are closed after this long: shorter than common server keep-alive limits would
/// be pointless, longer risks reusing a connection the vendor already closed.
const POOL_IDLE: Duration = Duration::from_secs(60);
/// Idle connections kept per host: enough for the dispatcher's concurrency, so steady sending reuses them.
const POOL_IDLE_PER_HOST: usize = 32;

/// A client for the vendor's batch API. Cloning is cheap (one `Arc`): clone it into every worker task, and
/// all of them share one connection pool.
///
/// Redirects are not followed (a `POST` silently re-sent elsewhere is a second send we did not choose, and a
/// redirect means the base URL is wrong) and environment proxy variables are ignored (a stray `HTTP_PROXY`
/// must not route messages and the API key through another host). Every connection goes through the
/// [`EgressPolicy`] it was built with: names resolve through the policy (so the address checked is the address
/// connected to), and an address literal is checked when the sender is built.
#[derive(Clone, Debug)]
pub struct VendorHttpSender {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    batch_url: Url,
    api_key: Secret,
    /// Whether the vendor's own words may be shown to the tenant: only for a destination the operator
    /// configured (an open egress policy), never for one a tenant chose (see [`answer`]).
    quote: bool,
}

/// One batch item as the vendor reads it (`wire::SendRequest`), borrowed so a 1,000-message chunk is not
/// copied before it is serialised.
#[derive(Serialize)]
struct Item<'a> {
    to: &'a str,
    channel: &'static str,
    body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    reference: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_unsubscribe: Option<&'a str>,
    /// E-mail: the `From` name and address and `Reply-To`; SMS: the sender id and DLT ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    from_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dlt_entity_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dlt_template_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Batch<'a> {
    messages: Vec<Item<'a>>,
}

impl VendorHttpSender {
    /// Validates `config` and builds the client, whose connections `egress` permits. No connection is opened
    /// until the first send.
    pub fn new(config: &VendorConfig, egress: &EgressPolicy) -> Result<VendorHttpSender, BuildError> {
        config.validate()?;
        let base = Url::parse(config.base_url.trim_end_matches('/'))
            .map_err(|err| BuildError::Config(format!("vendor.base_url: {err}")))?;
        let host = base.host_str().unwrap_or_default().to_owned();
        let port = base.port_or_known_default().unwrap_or(443);
        if let Some(Err(refused)) = egress.check_literal(&host, port) {
            return Err(BuildError::Egress(refused));
        }
        let mut batch_url = base.clone();
        batch_url.set_path(&format!("{}/v1/messages/batch", base.path().trim_end_matches('/')));
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
            .redirect(Policy::none())
            .no_proxy()
            .dns_resolver(egress.resolver(port))
            .user_agent(concat!("converge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(BuildError::Http)?;
        let quote = egress.is_open();
        Ok(VendorHttpSender { inner: Arc::new(Inner { client, batch_url, api_key: config.api_key.clone(), quote }) })
    }

    /// The URL batches are posted to.
    pub fn batch_url(&self) -> &Url {
        &self.inner.batch_url
    }

    #[tracing::instrument(name = "vendor_send_chunk", skip_all, fields(messages = chunk.len()))]
    async fn send_chunk(&self, chunk: &[OutboundMessage]) -> Vec<SendOutcome> {
        let body = Batch { messages: chunk.iter().map(Item::from).collect() };
        let request =
            self.inner.client.post(self.inner.batch_url.clone()).bearer_auth(self.inner.api_key.expose()).json(&body);
        match request.send().await {
            Ok(response) => answer::read(response, chunk, self.inner.quote).await,
            Err(err) => {
                let chain = error_chain(&err);
                tracing::warn!(error = %chain, "vendor batch not delivered; every message is retryable");
                let error =
                    if self.inner.quote { format!("vendor request failed: {chain}") } else { transport_failure(&err) };
                vec![SendOutcome::retryable(error); chunk.len()]
            }
        }
    }
}

/// What a tenant reads about a request that got no answer: a class, never the error's own text (which may
/// quote what a remote server said or where it lives).
fn transport_failure(err: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    // Bounded: cause chains are short.
    for _ in 0..8 {
        let Some(cause) = source else { break };
        if let Some(egress) = cause.downcast_ref::<EgressError>() {
            return format!("vendor unreachable: {egress}");
        }
        source = cause.source();
    }
    let class = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    format!("vendor unreachable: {class}")
}

impl<'a> From<&'a OutboundMessage> for Item<'a> {
    fn from(message: &'a OutboundMessage) -> Item<'a> {
        let sender = message.sender.as_deref();
        let part = |on: bool, f: fn(&SenderIdentity) -> &Option<String>| -> Option<&'a str> {
            sender.filter(|_| on).and_then(|s| f(s).as_deref())
        };
        let email = message.channel == Channel::Email;
        let sms = message.channel == Channel::Sms;
        Item {
            to: &message.to,
            channel: message.channel.as_str(),
            body: &message.body,
            subject: message.subject.as_deref(),
            reference: &message.reference,
            list_unsubscribe: message.unsubscribe_url.as_deref(),
            from_name: part(email, |s| &s.from_name),
            from_address: part(email, |s| &s.from_address),
            reply_to: part(email, |s| &s.reply_to),
            sender_id: part(sms, |s| &s.sms_sender_id),
            dlt_entity_id: part(sms, |s| &s.dlt_entity_id),
            dlt_template_id: part(sms, |s| &s.dlt_template_id),
        }
    }
}

#[async_trait]
impl Sender for VendorHttpSender {
    /// Chunks are sent one after another, so one call holds at most one connection; run several calls at
    /// once for more throughput.
    async fn send(&self, batch: &[OutboundMessage]) -> Vec<SendOutcome> {
        let mut outcomes = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(MAX_BATCH) {
            outcomes.extend(self.send_chunk(chunk).await);
        }
        outcomes
    }

    /// The vendor POSTs a signed receipt for every accepted message.
    fn receipts_expected(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use converge_domain::Channel;
    use converge_vendor_sim::SendRequest;

    use super::*;

    #[test]
    fn items_serialise_as_the_vendor_reads_them() {
        let message = OutboundMessage {
            reference: "log-7".into(),
            channel: Channel::Whatsapp,
            to: "+919812345678".into(),
            subject: None,
            body: "Hi Asha".into(),
            unsubscribe_url: None,
            sender: None,
        };
        let json = serde_json::to_value(Batch { messages: vec![Item::from(&message)] }).unwrap();
        let parsed: SendRequest = serde_json::from_value(json["messages"][0].clone()).unwrap();
        assert_eq!(parsed.channel, "whatsapp");
        assert_eq!((parsed.to.as_str(), parsed.reference.as_str()), ("+919812345678", "log-7"));
        assert!(json["messages"][0].get("subject").is_none());
    }

    #[test]
    fn the_batch_url_keeps_a_base_path_and_tolerates_a_trailing_slash() {
        for (base, expected) in [
            ("http://127.0.0.1:9090", "http://127.0.0.1:9090/v1/messages/batch"),
            ("http://127.0.0.1:9090/", "http://127.0.0.1:9090/v1/messages/batch"),
            ("https://vendor.example/gateway/", "https://vendor.example/gateway/v1/messages/batch"),
        ] {
            let sender =
                VendorHttpSender::new(&VendorConfig::new(base, Secret::new("k")), &EgressPolicy::open()).unwrap();
            assert_eq!(sender.batch_url().as_str(), expected);
            assert!(!format!("{sender:?}").contains("\"k\""));
        }
    }

    #[test]
    fn an_invalid_config_is_refused() {
        let error = VendorHttpSender::new(&VendorConfig::new("not a url", Secret::new("k")), &EgressPolicy::open())
            .unwrap_err();
        assert!(error.to_string().contains("vendor.base_url"), "{error}");
    }

    #[test]
    fn an_inward_address_literal_is_refused_when_built() {
        let closed = EgressPolicy::new(Vec::new());
        for base in ["http://127.0.0.1:9090", "http://[::1]:80", "http://169.254.169.254", "http://10.0.0.7:8080"] {
            let error = VendorHttpSender::new(&VendorConfig::new(base, Secret::new("k")), &closed).unwrap_err();
            assert!(matches!(error, BuildError::Egress(_)), "{base}: {error}");
        }
        let allowed = closed.with("127.0.0.1:9090".parse().unwrap());
        assert!(VendorHttpSender::new(&VendorConfig::new("http://127.0.0.1:9090", Secret::new("k")), &allowed).is_ok());
    }
}
