//! Signed per-message links: `{{ unsubscribe_url }}` is `{base}/u/{token}`, where the token names the
//! workspace, customer, message and channel and carries an HMAC-SHA256 (truncated to 128 bits) under the
//! workspace's link key (`link_keys`, made on first use, so every node verifies every link and links outlive
//! restarts). Nothing about the person is in the link, and no sign-in is needed to use it: the signature is
//! the permission, and it only ever allows changing that one customer's consent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use converge_domain::{Channel, CustomerId, MessageId, WorkspaceId};
use converge_store::Store;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the tag kept in a link.
const TAG_BYTES: usize = 16;

/// What a link is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkToken {
    pub workspace_id: WorkspaceId,
    pub customer_id: CustomerId,
    pub message_id: MessageId,
    /// The channel the message went out on (what one-click unsubscribes from).
    pub channel: Channel,
}

impl LinkToken {
    fn payload(&self) -> String {
        let channel = match self.channel {
            Channel::Email => 'e',
            Channel::Sms => 's',
            Channel::Whatsapp => 'w',
        };
        format!("{}.{}.{}.{channel}", self.workspace_id, self.customer_id, self.message_id)
    }

    fn parse_payload(text: &str) -> Option<LinkToken> {
        let mut parts = text.split('.');
        let workspace_id = WorkspaceId::new(parts.next()?.parse().ok()?);
        let customer_id = CustomerId::new(parts.next()?.parse().ok()?);
        let message_id = MessageId::new(parts.next()?.parse().ok()?);
        let channel = match parts.next()? {
            "e" => Channel::Email,
            "s" => Channel::Sms,
            "w" => Channel::Whatsapp,
            _ => return None,
        };
        parts.next().is_none().then_some(LinkToken { workspace_id, customer_id, message_id, channel })
    }
}

/// A workspace's link key, ready to sign with.
#[derive(Clone)]
pub struct LinkSigner {
    base_url: Arc<str>,
    key: Arc<Vec<u8>>,
}

impl LinkSigner {
    /// A signer with a fixed key, for tests.
    #[cfg(test)]
    pub fn fixed(base_url: &str) -> LinkSigner {
        LinkSigner { base_url: base_url.into(), key: Arc::new(vec![7; 32]) }
    }

    /// `{base}/u/{payload}.{tag}`.
    pub fn unsubscribe_url(&self, token: &LinkToken) -> String {
        let payload = token.payload();
        format!("{}/u/{payload}.{}", self.base_url, tag(&self.key, &payload))
    }
}

fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail; the fallback only satisfies the type.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(payload.as_bytes());
    mac
}

fn tag(key: &[u8], payload: &str) -> String {
    let full = mac(key, payload).finalize().into_bytes();
    URL_SAFE_NO_PAD.encode(&full[..TAG_BYTES])
}

/// The node's link keys (cached per workspace; keys never change) and the public address links start with.
pub struct Links {
    base_url: Arc<str>,
    keys: Mutex<HashMap<WorkspaceId, Arc<Vec<u8>>>>,
}

impl Links {
    pub fn new(base_url: &str) -> Links {
        Links { base_url: base_url.trim_end_matches('/').into(), keys: Mutex::new(HashMap::new()) }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn key(&self, store: &dyn Store, workspace_id: WorkspaceId) -> anyhow::Result<Arc<Vec<u8>>> {
        if let Some(key) = self.keys.lock().ok().and_then(|keys| keys.get(&workspace_id).cloned()) {
            return Ok(key);
        }
        let hex_key = store.link_key(workspace_id, Utc::now()).await?;
        let key = Arc::new(hex::decode(hex_key).context("a stored link key is not hex")?);
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(workspace_id, key.clone());
        }
        Ok(key)
    }

    pub async fn signer(&self, store: &dyn Store, workspace_id: WorkspaceId) -> anyhow::Result<LinkSigner> {
        Ok(LinkSigner { base_url: self.base_url.clone(), key: self.key(store, workspace_id).await? })
    }

    /// The link's token if its signature holds (`None` for anything malformed, forged or of an unknown
    /// workspace). The comparison is constant-time.
    pub async fn verify(&self, store: &dyn Store, text: &str) -> anyhow::Result<Option<LinkToken>> {
        let Some((payload, tag_text)) = text.rsplit_once('.') else { return Ok(None) };
        let Some(token) = LinkToken::parse_payload(payload) else { return Ok(None) };
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag_text) else { return Ok(None) };
        if tag.len() != TAG_BYTES || store.workspace(token.workspace_id).await?.is_none() {
            return Ok(None);
        }
        let key = self.key(store, token.workspace_id).await?;
        Ok(mac(&key, payload).verify_truncated_left(&tag).is_ok().then_some(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> LinkToken {
        LinkToken {
            workspace_id: WorkspaceId::new(3),
            customer_id: CustomerId::new(41),
            message_id: MessageId::new(9001),
            channel: Channel::Email,
        }
    }

    #[test]
    fn links_are_short_and_carry_only_ids() {
        let signer = LinkSigner { base_url: "https://crm.brand.in".into(), key: Arc::new(vec![7; 32]) };
        let url = signer.unsubscribe_url(&token());
        let rest = url.strip_prefix("https://crm.brand.in/u/3.41.9001.e.").unwrap();
        assert_eq!(rest.len(), 22, "{url}");
        assert!(rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let (payload, tag_text) = url.rsplit_once("/u/").unwrap().1.rsplit_once('.').unwrap();
        assert_eq!(LinkToken::parse_payload(payload), Some(token()));
        assert_eq!(tag(&[7; 32], payload), tag_text);
        assert_ne!(tag(&[8; 32], payload), tag_text, "another workspace's key signs differently");
        for bad in ["3.41.9001", "3.41.9001.x", "3.41.9001.e.1", "a.41.9001.e", "3.41.-.e"] {
            assert_eq!(LinkToken::parse_payload(bad), None, "{bad}");
        }
    }
}
