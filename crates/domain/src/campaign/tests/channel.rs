//! Channel and address resolution, including every skip reason.

use crate::campaign::{resolve, Address, SendChannel, SkipReason};
use crate::Channel;

const EMAIL: Option<&str> = Some("a@example.in");
const PHONE: Option<&str> = Some("+919876543210");

fn phone() -> Address {
    Address::Phone("+919876543210".to_owned())
}

fn email() -> Address {
    Address::Email("a@example.in".to_owned())
}

#[test]
fn fixed_channels_need_their_address() {
    use SendChannel::*;
    let table = [
        (Sms, EMAIL, PHONE, Ok((Channel::Sms, phone()))),
        (Whatsapp, None, PHONE, Ok((Channel::Whatsapp, phone()))),
        (Email, EMAIL, PHONE, Ok((Channel::Email, email()))),
        (Sms, EMAIL, None, Err(SkipReason::NoPhone(Channel::Sms))),
        (Whatsapp, EMAIL, Some("  "), Err(SkipReason::NoPhone(Channel::Whatsapp))),
        (Email, Some(""), PHONE, Err(SkipReason::NoEmail)),
    ];
    for (channel, email, phone, expected) in table {
        // A preference never changes a fixed channel.
        assert_eq!(resolve(channel, email, phone, Some(Channel::Email)), expected, "{channel}");
        assert_eq!(resolve(channel, email, phone, None), expected, "{channel}");
    }
}

#[test]
fn preferred_uses_the_preference_then_falls_back() {
    let preferred = SendChannel::Preferred;
    let table = [
        (Some(Channel::Email), EMAIL, PHONE, Ok((Channel::Email, email()))),
        (Some(Channel::Sms), EMAIL, PHONE, Ok((Channel::Sms, phone()))),
        (None, EMAIL, PHONE, Ok((Channel::Whatsapp, phone()))),
        (None, EMAIL, None, Ok((Channel::Email, email()))),
        (Some(Channel::Email), None, PHONE, Ok((Channel::Whatsapp, phone()))),
        (Some(Channel::Sms), EMAIL, None, Ok((Channel::Email, email()))),
        (None, None, None, Err(SkipReason::NoAddress)),
        (Some(Channel::Whatsapp), Some(" "), Some(""), Err(SkipReason::NoAddress)),
    ];
    for (preference, email, phone, expected) in table {
        assert_eq!(resolve(preferred, email, phone, preference), expected, "{preference:?} {email:?} {phone:?}");
    }
}

#[test]
fn addresses_are_trimmed() {
    assert_eq!(
        resolve(SendChannel::Sms, None, Some(" +91 1 "), None),
        Ok((Channel::Sms, Address::Phone("+91 1".into())))
    );
}

#[test]
fn skip_reasons_explain_themselves() {
    assert_eq!(SkipReason::NoPhone(Channel::Sms).to_string(), "no phone number for sms");
    assert_eq!(SkipReason::NoEmail.to_string(), "no e-mail address for email");
    assert_eq!(SkipReason::NoAddress.to_string(), "no phone number or e-mail address");
    let codes: Vec<_> = [SkipReason::NoPhone(Channel::Whatsapp), SkipReason::NoEmail, SkipReason::NoAddress]
        .map(SkipReason::code)
        .to_vec();
    assert_eq!(codes, ["no_phone", "no_email", "no_address"]);
}

#[test]
fn send_channel_names() {
    for channel in SendChannel::ALL {
        assert_eq!(SendChannel::parse(&channel.as_str().to_uppercase()), Ok(channel));
        assert_eq!(serde_json::to_string(&channel).unwrap(), format!("\"{channel}\""));
        assert_eq!(channel.fixed().map(SendChannel::from), channel.fixed().map(|_| channel));
    }
    assert_eq!(SendChannel::Preferred.fixed(), None);
    assert!(SendChannel::parse("push").is_err());
    assert_eq!(Address::Phone("1".into()).as_str(), "1");
}
