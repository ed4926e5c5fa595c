//! [`SmtpSender`]: e-mail through an SMTP relay with lettre's async Tokio transport.
//!
//! Each message is its own e-mail (one recipient each, so one bad address cannot fail the others):
//! `multipart/alternative` with a plain-text rendering and the HTML body as `text/html; charset=utf-8`.
//! E-mail templates HTML-escape every customer value (see `converge_domain::MessageTemplate`), so the body
//! is safe to send as HTML as it is; the plain part decodes those entities back.
//!
//! SMTP has no delivery receipts: a relay's `250` means it took responsibility, and bounces arrive later as
//! e-mail to the envelope sender, which Converge does not read. So [`Sender::receipts_expected`] is false
//! and the dispatcher marks an accepted e-mail `SENT` directly.
//!
//! The relay is reached through the [`EgressPolicy`]: its host is resolved once, when the first message is
//! sent, the addresses are checked, and the transport connects to the checked address (TLS still verifies the
//! certificate against the host name). A sender lives for the senders cache's 30 s, so the name is resolved
//! again at least that often. What the tenant reads about a failure is the reply code and a short reason of
//! ours, never the relay's text.

mod mail;
mod text;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use converge_domain::Channel;
use converge_egress::{EgressError, EgressPolicy};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::sender::{OutboundMessage, SendOutcome, Sender};
use crate::settings::{SmtpConfig, SmtpTls};
use crate::{error_chain, BuildError};

/// SMTP `5xx` replies that mean our credentials are wrong or missing, not that the message is bad: retried,
/// so a campaign's e-mails are not failed for good while an operator fixes the password.
const AUTH_FAILURES: [u16; 4] = [530, 534, 535, 538];

/// Sends e-mail through one relay over a small connection pool. Cloning is cheap (one `Arc`) and clones
/// share the pool.
///
/// Messages of one [`Sender::send`] call go out one after another over one connection; concurrent calls use
/// one connection each, and up to `pool_size` idle ones are kept for reuse. There is no outer timeout around
/// a send: cancelling lettre mid-transaction would hand a half-used connection back to its pool. Instead
/// every network step (connect, each command and its reply) is bounded by `timeout_ms`, so one e-mail takes
/// at most a handful of such steps' worth of time.
#[derive(Clone)]
pub struct SmtpSender {
    inner: Arc<Inner>,
}

struct Inner {
    config: SmtpConfig,
    egress: EgressPolicy,
    /// Built on first use, towards the address the policy checked: resolving needs the runtime, and lettre's
    /// pool spawns a Tokio task when it is created, so [`SmtpSender::new`] itself can run anywhere.
    transport: tokio::sync::OnceCell<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// The right-hand side of our `Message-ID`s: the From address's domain.
    id_domain: String,
    /// For `Debug` only: lettre's own `Debug` would print the credentials.
    summary: String,
}

impl SmtpSender {
    /// Validates `config` and prepares the transport, whose connections `egress` permits. No connection is
    /// opened (and no name resolved) until the first send.
    pub fn new(config: &SmtpConfig, egress: &EgressPolicy) -> Result<SmtpSender, BuildError> {
        config.validate()?;
        // Checks the TLS parameters now, so a bad host name is a build error rather than a send error.
        builder(config, &config.host)?;
        if let Some(Err(refused)) = egress.check_literal(&config.host, config.port) {
            return Err(BuildError::Egress(refused));
        }
        let address: Address =
            config.from_address.parse().map_err(|err| BuildError::Config(format!("smtp.from_address: {err}")))?;
        let id_domain = address.domain().to_owned();
        let summary = format!(
            "{}:{} tls={:?} from={} auth={}",
            config.host,
            config.port,
            config.tls,
            config.from_address,
            config.username.is_some()
        );
        let from = Mailbox::new(config.from_name.clone(), address);
        let inner = Inner {
            config: config.clone(),
            egress: egress.clone(),
            transport: tokio::sync::OnceCell::new(),
            from,
            id_domain,
            summary,
        };
        Ok(SmtpSender { inner: Arc::new(inner) })
    }

    /// The pooled transport, towards an address of the relay that the policy permits.
    async fn transport(&self) -> Result<&AsyncSmtpTransport<Tokio1Executor>, SendOutcome> {
        let inner = &self.inner;
        inner
            .transport
            .get_or_try_init(|| async {
                let addrs =
                    inner.egress.resolve(&inner.config.host, inner.config.port).await.map_err(egress_failure)?;
                let addr = addrs.first().ok_or_else(|| egress_failure(EgressError::Unresolvable))?;
                let built = builder(&inner.config, &addr.ip().to_string()).map_err(|err| {
                    tracing::warn!(error = %error_chain(&err), "SMTP transport could not be prepared");
                    SendOutcome::retryable("SMTP: the connection could not be prepared")
                })?;
                Ok(built.build())
            })
            .await
    }

    #[tracing::instrument(name = "smtp_send", skip_all, fields(reference = %message.reference))]
    async fn send_one(&self, message: &OutboundMessage) -> SendOutcome {
        if message.channel != Channel::Email {
            return SendOutcome::rejected(format!("the SMTP channel sends e-mail only, not {}", message.channel));
        }
        let (email, message_id) = match mail::build(&self.inner.from, &self.inner.id_domain, message) {
            Ok(built) => built,
            Err(error) => return SendOutcome::rejected(error),
        };
        let transport = match self.transport().await {
            Ok(transport) => transport,
            Err(outcome) => return outcome,
        };
        match transport.send(email).await {
            Ok(_) => SendOutcome::Accepted { vendor_message_id: message_id },
            Err(err) => {
                let outcome = classify(&err);
                tracing::warn!(?outcome, "SMTP send failed");
                outcome
            }
        }
    }
}

/// The lettre transport builder for `config`, connecting to `server` (the host name, or the address it was
/// resolved to) while TLS verifies the certificate against the configured host name.
fn builder(config: &SmtpConfig, server: &str) -> Result<AsyncSmtpTransportBuilder, BuildError> {
    let tls_parameters = || TlsParameters::new(config.host.clone()).map_err(BuildError::Smtp);
    let tls = match config.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(tls_parameters()?),
        SmtpTls::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.to_owned())
        .port(config.port)
        .tls(tls)
        .timeout(Some(Duration::from_millis(config.timeout_ms)))
        .pool_config(PoolConfig::new().max_size(config.pool_size));
    if let (Some(username), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(username.clone(), password.expose().to_owned()));
    }
    if let Some(helo) = &config.helo_name {
        builder = builder.hello_name(ClientId::Domain(helo.clone()));
    }
    Ok(builder)
}

/// A relay the policy does not let us reach: retried (an operator may allow it), with a reason that names no
/// address.
fn egress_failure(err: EgressError) -> SendOutcome {
    SendOutcome::retryable(format!("SMTP relay unreachable: {err}"))
}

/// `5xx` is final (the relay refused this message or recipient), except [`AUTH_FAILURES`]. Everything else
/// (`4xx`, refused or dropped connections, timeouts, TLS failures, unreadable replies) is retried. The text
/// is ours: the reply code and a class, never the relay's own words (those go to the operator's log).
fn classify(err: &lettre::transport::smtp::Error) -> SendOutcome {
    let code = err.status().map(u16::from);
    let class = match code {
        Some(code) if AUTH_FAILURES.contains(&code) => format!("SMTP relay refused the credentials ({code})"),
        Some(code) if err.is_permanent() => format!("SMTP relay refused the message ({code})"),
        Some(code) => format!("SMTP relay deferred the message ({code})"),
        None if err.is_timeout() => "SMTP relay timed out".to_owned(),
        None if err.is_tls() => "SMTP TLS failed".to_owned(),
        None if err.is_response() => "SMTP relay answered something unreadable".to_owned(),
        None => "SMTP relay unreachable: the connection failed".to_owned(),
    };
    if err.is_permanent() && !code.is_some_and(|code| AUTH_FAILURES.contains(&code)) {
        SendOutcome::rejected(class)
    } else {
        SendOutcome::retryable(class)
    }
}

impl Drop for Inner {
    /// lettre's pool spawns a Tokio task to close its connections when dropped, which panics outside a
    /// runtime (a sender dropped after its runtime, or in synchronous code). There, the pool is leaked
    /// instead: without a runtime nothing could run the goodbye anyway, and the OS closes the sockets.
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            if let Some(transport) = self.transport.take() {
                std::mem::forget(transport);
            }
        }
    }
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender").field("relay", &self.inner.summary).finish()
    }
}

#[async_trait]
impl Sender for SmtpSender {
    async fn send(&self, batch: &[OutboundMessage]) -> Vec<SendOutcome> {
        let mut outcomes = Vec::with_capacity(batch.len());
        for message in batch {
            outcomes.push(self.send_one(message).await);
        }
        outcomes
    }

    /// No receipts: the dispatcher marks an accepted e-mail `SENT` itself.
    fn receipts_expected(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn debug_shows_the_relay_but_never_the_password() {
        let mut config = SmtpConfig::new("127.0.0.1", 2525, SmtpTls::None, "offers@brand.example");
        config.username = Some("mailer".into());
        config.password = Some(Secret::new("pw-secret"));
        let sender = SmtpSender::new(&config, &EgressPolicy::open()).unwrap();
        let debug = format!("{sender:?}");
        assert!(debug.contains("127.0.0.1:2525") && !debug.contains("pw-secret"), "{debug}");
        assert!(!sender.receipts_expected());
    }

    #[test]
    fn tls_modes_build_and_bad_configs_are_refused() {
        for tls in [SmtpTls::Starttls, SmtpTls::Tls] {
            let config = SmtpConfig::new("smtp.example.in", 587, tls, "a@brand.example");
            assert!(SmtpSender::new(&config, &EgressPolicy::open()).is_ok());
        }
        let bad = SmtpConfig::new("smtp.example.in", 0, SmtpTls::Tls, "a@brand.example");
        assert!(SmtpSender::new(&bad, &EgressPolicy::open()).unwrap_err().to_string().contains("smtp.port"));
        let inward = SmtpConfig::new("127.0.0.1", 25, SmtpTls::None, "a@brand.example");
        let refused = SmtpSender::new(&inward, &EgressPolicy::new(Vec::new())).unwrap_err();
        assert!(matches!(refused, BuildError::Egress(_)), "{refused}");
    }
}
