//! [`ChannelSenders`]: one workspace's senders, built once from its [`ChannelSettings`].

use std::sync::Arc;

use converge_domain::Channel;

use crate::settings::{ChannelConfig, ChannelSettings};
use crate::{BuildError, Sender, SmtpSender, VendorHttpSender};

/// The sender for each channel of one workspace. Clone it freely; build it again when the settings change.
/// Channels with identical settings (typically SMS and WhatsApp through one vendor account) share one
/// sender and so one connection pool.
#[derive(Clone, Debug)]
pub struct ChannelSenders {
    sms: Arc<dyn Sender>,
    whatsapp: Arc<dyn Sender>,
    email: Arc<dyn Sender>,
}

impl ChannelSenders {
    /// Validates `settings` and builds every sender. No connection is opened yet.
    pub fn build(settings: &ChannelSettings) -> Result<ChannelSenders, BuildError> {
        settings.validate()?;
        let mut built: Vec<(&ChannelConfig, Arc<dyn Sender>)> = Vec::with_capacity(3);
        let sms = shared(&mut built, &settings.sms)?;
        let whatsapp = shared(&mut built, &settings.whatsapp)?;
        let email = shared(&mut built, &settings.email)?;
        Ok(ChannelSenders { sms, whatsapp, email })
    }

    /// The sender for `channel`.
    pub fn for_channel(&self, channel: Channel) -> &Arc<dyn Sender> {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Whatsapp => &self.whatsapp,
            Channel::Email => &self.email,
        }
    }
}

/// The sender for `config`, reusing one already built for equal settings.
fn shared<'a>(
    built: &mut Vec<(&'a ChannelConfig, Arc<dyn Sender>)>,
    config: &'a ChannelConfig,
) -> Result<Arc<dyn Sender>, BuildError> {
    if let Some((_, sender)) = built.iter().find(|(seen, _)| *seen == config) {
        return Ok(sender.clone());
    }
    let sender: Arc<dyn Sender> = match config {
        ChannelConfig::Vendor(vendor) => Arc::new(VendorHttpSender::new(vendor)?),
        ChannelConfig::Smtp(smtp) => Arc::new(SmtpSender::new(smtp)?),
    };
    built.push((config, sender.clone()));
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Secret, SmtpConfig, SmtpTls};

    #[test]
    fn equal_settings_share_a_sender_and_email_can_go_by_smtp() {
        let mut settings = ChannelSettings::all_vendor("http://127.0.0.1:9090", Secret::new("k"));
        let senders = ChannelSenders::build(&settings).unwrap();
        assert!(Arc::ptr_eq(senders.for_channel(Channel::Sms), senders.for_channel(Channel::Email)));
        assert!(senders.for_channel(Channel::Whatsapp).receipts_expected());

        settings.email = ChannelConfig::Smtp(SmtpConfig::new("127.0.0.1", 2525, SmtpTls::None, "offers@brand.example"));
        let senders = ChannelSenders::build(&settings).unwrap();
        assert!(!senders.for_channel(Channel::Email).receipts_expected());
        assert!(senders.for_channel(Channel::Sms).receipts_expected());
    }

    #[test]
    fn invalid_settings_are_refused_with_their_fields() {
        let settings = ChannelSettings::all_vendor("not a url", Secret::new("k"));
        let error = ChannelSenders::build(&settings).unwrap_err().to_string();
        assert!(error.contains("sms.base_url") && error.contains("email.base_url"), "{error}");
    }
}
