//! A campaign's message template compiled for every channel it may send on: the fixed one, or all three for
//! `preferred` (each channel has its own limits, and e-mail escapes HTML). Shared by the draft's validation,
//! the message preview and the dispatch workers, so a preview renders exactly what is sent.

use super::SendChannel;
use crate::fields::Channel;
use crate::template::{MessageTemplate, TemplateError};

#[derive(Clone, Debug)]
pub struct CampaignTemplates {
    by_channel: Vec<(Channel, MessageTemplate)>,
}

impl CampaignTemplates {
    /// Checks `text` for every channel `channel` may use; the first channel's problems are the answer.
    pub fn parse(text: &str, channel: SendChannel) -> Result<CampaignTemplates, TemplateError> {
        let channels: Vec<Channel> = match channel.fixed() {
            Some(fixed) => vec![fixed],
            None => vec![Channel::Sms, Channel::Whatsapp, Channel::Email],
        };
        let by_channel = channels
            .into_iter()
            .map(|c| MessageTemplate::parse(text, c).map(|t| (c, t)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CampaignTemplates { by_channel })
    }

    /// The compiled template for `channel` (`None` if the campaign cannot send on it).
    pub fn for_channel(&self, channel: Channel) -> Option<&MessageTemplate> {
        self.by_channel.iter().find(|(c, _)| *c == channel).map(|(_, t)| t)
    }

    /// Variables the template uses.
    pub fn variables(&self) -> &[String] {
        self.by_channel.first().map(|(_, t)| t.preview_variables()).unwrap_or_default()
    }
}
