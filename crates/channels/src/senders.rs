//! [`ChannelSenders`]: one workspace's senders, built once from its [`ChannelSettings`], each with the
//! delivery route its messages go through.

use std::sync::Arc;

use converge_domain::Channel;
use converge_egress::EgressPolicy;

use crate::settings::{ChannelConfig, ChannelSettings};
use crate::{BuildError, Sender, SmtpSender, VendorHttpSender, DEFAULT_ROUTE, SMTP_ROUTE};

/// A channel's sender and the route its accepted messages are recorded under (receipts must come back
/// through that route to settle them).
#[derive(Clone, Debug)]
pub struct RoutedSender {
    pub sender: Arc<dyn Sender>,
    pub route: Arc<str>,
}

/// The sender for each channel of one workspace. Clone it freely; build it again when the settings change.
/// Channels with identical settings (typically SMS and WhatsApp through one vendor account) share one
/// sender and so one connection pool.
#[derive(Clone, Debug)]
pub struct ChannelSenders {
    sms: RoutedSender,
    whatsapp: RoutedSender,
    email: RoutedSender,
}

impl ChannelSenders {
    /// Validates `settings` and builds every sender, connecting only where `egress` permits. No connection is
    /// opened yet. A vendor channel's route is its configured `route` (required); one on [`DEFAULT_ROUTE`] is
    /// the node's own vendor, the operator's destination, which the server only ever assigns to the operator's
    /// URL and key: it is built with an open policy. SMTP's route is [`SMTP_ROUTE`].
    pub fn build(settings: &ChannelSettings, egress: &EgressPolicy) -> Result<ChannelSenders, BuildError> {
        settings.validate()?;
        let mut built: Vec<(&ChannelConfig, RoutedSender)> = Vec::with_capacity(3);
        let sms = shared(&mut built, &settings.sms, egress)?;
        let whatsapp = shared(&mut built, &settings.whatsapp, egress)?;
        let email = shared(&mut built, &settings.email, egress)?;
        Ok(ChannelSenders { sms, whatsapp, email })
    }

    /// The sender for `channel`, with its route.
    pub fn for_channel(&self, channel: Channel) -> &RoutedSender {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Whatsapp => &self.whatsapp,
            Channel::Email => &self.email,
        }
    }
}

/// The sender for `config`, reusing one already built for equal settings.
fn shared<'a>(
    built: &mut Vec<(&'a ChannelConfig, RoutedSender)>,
    config: &'a ChannelConfig,
    egress: &EgressPolicy,
) -> Result<RoutedSender, BuildError> {
    if let Some((_, sender)) = built.iter().find(|(seen, _)| *seen == config) {
        return Ok(sender.clone());
    }
    let routed = match config {
        ChannelConfig::Vendor(vendor) => {
            let Some(route) = vendor.route.as_deref() else {
                return Err(BuildError::Config("a vendor channel has no delivery route".into()));
            };
            let policy = if route == DEFAULT_ROUTE { EgressPolicy::open() } else { egress.clone() };
            RoutedSender { sender: Arc::new(VendorHttpSender::new(vendor, &policy)?), route: Arc::from(route) }
        }
        ChannelConfig::Smtp(smtp) => {
            RoutedSender { sender: Arc::new(SmtpSender::new(smtp, egress)?), route: Arc::from(SMTP_ROUTE) }
        }
    };
    built.push((config, routed.clone()));
    Ok(routed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Secret, SmtpConfig, SmtpTls};

    #[test]
    fn equal_settings_share_a_sender_and_email_can_go_by_smtp() {
        let closed = EgressPolicy::new(Vec::new());
        let mut settings = ChannelSettings::all_vendor("http://127.0.0.1:9090", Secret::new("k"));
        // The node's own vendor is the operator's: loopback is fine for it.
        let senders = ChannelSenders::build(&settings, &closed).unwrap();
        let (sms, email) = (senders.for_channel(Channel::Sms), senders.for_channel(Channel::Email));
        assert!(Arc::ptr_eq(&sms.sender, &email.sender));
        assert_eq!((&*sms.route, &*email.route), (DEFAULT_ROUTE, DEFAULT_ROUTE));
        assert!(senders.for_channel(Channel::Whatsapp).sender.receipts_expected());

        settings.email = ChannelConfig::Smtp(SmtpConfig::new("127.0.0.1", 2525, SmtpTls::None, "offers@brand.example"));
        if let ChannelConfig::Vendor(vendor) = &mut settings.sms {
            vendor.route = Some("rt_own".into());
        }
        let open = EgressPolicy::open();
        let senders = ChannelSenders::build(&settings, &open).unwrap();
        assert!(!senders.for_channel(Channel::Email).sender.receipts_expected());
        assert_eq!(&*senders.for_channel(Channel::Email).route, SMTP_ROUTE);
        assert_eq!(&*senders.for_channel(Channel::Sms).route, "rt_own");
        assert_eq!(&*senders.for_channel(Channel::Whatsapp).route, DEFAULT_ROUTE);
    }

    #[test]
    fn invalid_settings_are_refused_with_their_fields() {
        let settings = ChannelSettings::all_vendor("not a url", Secret::new("k"));
        let error = ChannelSenders::build(&settings, &EgressPolicy::open()).unwrap_err().to_string();
        assert!(error.contains("sms.base_url") && error.contains("email.base_url"), "{error}");
    }

    #[test]
    fn a_workspace_route_goes_through_the_tenant_policy_and_an_unrouted_vendor_is_refused() {
        let closed = EgressPolicy::new(Vec::new());
        let mut settings = ChannelSettings::all_vendor("http://127.0.0.1:9090", Secret::new("k"));
        if let ChannelConfig::Vendor(vendor) = &mut settings.sms {
            vendor.route = Some("rt_own".into());
        }
        let error = ChannelSenders::build(&settings, &closed).unwrap_err();
        assert!(matches!(error, BuildError::Egress(_)), "{error}");
        if let ChannelConfig::Vendor(vendor) = &mut settings.sms {
            vendor.route = None;
        }
        assert!(ChannelSenders::build(&settings, &EgressPolicy::open()).is_err());
    }
}
