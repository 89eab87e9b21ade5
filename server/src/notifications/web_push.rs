//! Web Push (RFC 8030) to the browsers an applicant subscribed, typically the portal installed
//! on their phone. The message is encrypted for that browser alone (RFC 8291) and signed with
//! the portal's VAPID key (RFC 8292), kept in the data folder beside the other keys so that
//! every instance signs alike. What it says is as content-free as the email.
//!
//! A subscription names a URL the server will post to: only the push services listed in
//! `EU_PUSH_SERVICES` are accepted, and redirects are not followed, so that an applicant cannot
//! make the portal call anything else.

use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::Path,
    sync::Arc,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use url::Url;
use web_push_native::{
    Auth, WebPushBuilder,
    jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair},
    p256::PublicKey,
};

use crate::storage::PushSubscription;

/// The push services of the browsers in use, by default.
pub const DEFAULT_PUSH_SERVICES: &str = "https://fcm.googleapis.com,\
    https://*.push.services.mozilla.com,https://*.notify.windows.com,https://*.push.apple.com";

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the subscription is not one a browser gives")]
    InvalidSubscription,
    #[error("the subscription's push service is not an accepted one")]
    UnknownService,
    #[error("the push service no longer knows this browser (HTTP {0})")]
    Gone(u16),
    #[error("the push service refused the message (HTTP {0})")]
    Refused(u16),
    #[error("the push service is unavailable (HTTP {0})")]
    Unavailable(u16),
    #[error("the push service could not be reached: {0}")]
    Unreachable(String),
    #[error("the message could not be encrypted or signed: {0}")]
    Encryption(String),
}

impl PushError {
    /// Whether trying again later may help.
    pub fn is_temporary(&self) -> bool {
        matches!(self, PushError::Unavailable(_) | PushError::Unreachable(_))
    }
}

/// Which push services subscriptions may point at: origins, where the host may start with
/// `*.` for any subdomain (`https://*.push.apple.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushServices(Vec<(String, String, Option<u16>)>);

impl PushServices {
    pub fn parse(list: &str) -> Option<PushServices> {
        let services: Option<Vec<_>> = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (scheme, rest) = entry.split_once("://")?;
                let (host, port) = match rest.rsplit_once(':') {
                    Some((host, port)) => (host, Some(port.parse().ok()?)),
                    None => (rest, None),
                };
                let valid = matches!(scheme, "http" | "https")
                    && !host.is_empty()
                    && !host.contains('/')
                    && !host.trim_start_matches("*.").contains('*');
                valid.then(|| (scheme.to_owned(), host.to_lowercase(), port))
            })
            .collect();
        services.map(PushServices)
    }

    pub fn allows(&self, endpoint: &Url) -> bool {
        let Some(host) = endpoint.host_str() else {
            return false;
        };
        self.0.iter().any(|(scheme, pattern, port)| {
            let host_matches = match pattern.strip_prefix("*.") {
                Some(domain) => host.ends_with(&format!(".{domain}")),
                None => host == pattern,
            };
            endpoint.scheme() == scheme
                && host_matches
                && port.is_none_or(|port| endpoint.port_or_known_default() == Some(port))
        })
    }
}

/// A subscription as the browser's `PushSubscription.toJSON()` gives it, checked: an accepted
/// push service, a P-256 public key and a 16-byte secret.
pub fn check_subscription(
    services: &PushServices,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> Result<(String, String, String), PushError> {
    if endpoint.len() > 2048 || p256dh.len() > 200 || auth.len() > 100 {
        return Err(PushError::InvalidSubscription);
    }
    let url = Url::parse(endpoint).map_err(|_| PushError::InvalidSubscription)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(PushError::InvalidSubscription);
    }
    if !services.allows(&url) {
        return Err(PushError::UnknownService);
    }
    decode_keys(p256dh, auth)?;
    Ok((
        url.to_string(),
        p256dh.trim_end_matches('=').to_owned(),
        auth.trim_end_matches('=').to_owned(),
    ))
}

fn decode_keys(p256dh: &str, auth: &str) -> Result<(PublicKey, Auth), PushError> {
    let decode = |text: &str| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok();
    let public = decode(p256dh)
        .and_then(|bytes| PublicKey::from_sec1_bytes(&bytes).ok())
        .ok_or(PushError::InvalidSubscription)?;
    let secret = decode(auth)
        .filter(|bytes| bytes.len() == 16)
        .ok_or(PushError::InvalidSubscription)?;
    Ok((public, Auth::clone_from_slice(&secret)))
}

/// The portal's VAPID key pair, created on first start, readable by its owner only.
#[derive(Clone)]
pub struct VapidKey(Arc<ES256KeyPair>);

impl VapidKey {
    pub fn load_or_create(file: &Path) -> std::io::Result<VapidKey> {
        if let Some(folder) = file.parent() {
            fs::create_dir_all(folder)?;
        }
        let fresh = ES256KeyPair::generate();
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(file)
        {
            Ok(mut created) => {
                created.write_all(URL_SAFE_NO_PAD.encode(fresh.to_bytes()).as_bytes())?;
                created.sync_all()?;
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
        if fs::metadata(file)?.permissions().mode() & 0o077 != 0 {
            return Err(std::io::Error::other(format!(
                "{} can be read by other users; run `chmod 600` on it",
                file.display()
            )));
        }
        let invalid = || std::io::Error::other(format!("{} is not a valid key", file.display()));
        let raw = URL_SAFE_NO_PAD
            .decode(fs::read_to_string(file)?.trim())
            .map_err(|_| invalid())?;
        let pair = ES256KeyPair::from_bytes(&raw).map_err(|_| invalid())?;
        Ok(VapidKey(Arc::new(pair)))
    }

    /// The public key as browsers take it (`applicationServerKey`): the uncompressed point,
    /// base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.public_key().public_key().to_bytes_uncompressed())
    }
}

#[derive(Clone)]
pub struct PushSender {
    client: reqwest::Client,
    key: VapidKey,
    /// Who runs the portal, for the push services (`sub` of the VAPID token).
    contact: String,
}

impl PushSender {
    pub fn new(key: VapidKey, contact: &str) -> Result<PushSender, PushError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| PushError::Unreachable(error.to_string()))?;
        Ok(PushSender {
            client,
            key,
            contact: contact.to_owned(),
        })
    }

    pub fn public_key(&self) -> String {
        self.key.public_key()
    }

    /// Posts `payload` to one browser. `topic` lets the push service replace a message still
    /// waiting for an offline phone by its own retry rather than queue both.
    #[tracing::instrument(skip_all)]
    pub async fn send(
        &self,
        subscription: &PushSubscription,
        payload: &[u8],
        topic: &str,
    ) -> Result<(), PushError> {
        let (public, auth) = decode_keys(&subscription.p256dh, &subscription.auth)?;
        let endpoint = subscription
            .endpoint
            .parse()
            .map_err(|_| PushError::InvalidSubscription)?;
        let request = WebPushBuilder::new(endpoint, public, auth)
            // A notification a week late is still worth showing; after that, email and SMS
            // have long said it.
            .with_valid_duration(Duration::from_secs(7 * 24 * 3600))
            .with_vapid(&self.key.0, &self.contact)
            .build(payload.to_vec())
            .map_err(|error| PushError::Encryption(error.to_string()))?;
        let (parts, body) = request.into_parts();
        let mut outgoing = self
            .client
            .post(parts.uri.to_string())
            .header("Topic", topic)
            .header("Urgency", "normal")
            .body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name, value);
        }
        let response = outgoing
            .send()
            .await
            .map_err(|error| PushError::Unreachable(error.without_url().to_string()))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            code @ (404 | 410) => Err(PushError::Gone(code)),
            code @ (408 | 425 | 429) => Err(PushError::Unavailable(code)),
            code @ 400..=499 => Err(PushError::Refused(code)),
            code => Err(PushError::Unavailable(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_push_services_are_accepted() {
        let services = PushServices::parse(DEFAULT_PUSH_SERVICES).unwrap();
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "https://web.push.apple.com/QGx",
        ] {
            assert!(
                services.allows(&Url::parse(endpoint).unwrap()),
                "{endpoint}"
            );
        }
        for endpoint in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://fcm.googleapis.com.evil.example/x",
            "https://push.apple.com.evil.example/x",
            "https://127.0.0.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://evilpush.apple.com/x",
        ] {
            assert!(
                !services.allows(&Url::parse(endpoint).unwrap()),
                "{endpoint}"
            );
        }
        let local = PushServices::parse("http://127.0.0.1:4000").unwrap();
        assert!(local.allows(&Url::parse("http://127.0.0.1:4000/push/1").unwrap()));
        assert!(!local.allows(&Url::parse("http://127.0.0.1:4001/push/1").unwrap()));
        assert!(PushServices::parse("ftp://x").is_none());
        assert!(PushServices::parse("https://a*b.example").is_none());
    }

    #[test]
    fn subscriptions_with_odd_keys_are_refused_without_panicking() {
        let services = PushServices::parse("https://fcm.googleapis.com").unwrap();
        let endpoint = "https://fcm.googleapis.com/fcm/send/abc";
        let p256dh = "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
        assert!(check_subscription(&services, endpoint, p256dh, "_ordMnz7uTCmrpBTeUV4Bw").is_ok());
        for (p256dh, auth) in [
            (p256dh, "c2hvcnQ"),
            (p256dh, "!!!"),
            ("AAAA", "_ordMnz7uTCmrpBTeUV4Bw"),
            ("", ""),
        ] {
            assert!(matches!(
                check_subscription(&services, endpoint, p256dh, auth),
                Err(PushError::InvalidSubscription)
            ));
        }
        assert!(matches!(
            check_subscription(
                &services,
                "https://user:pw@fcm.googleapis.com/x",
                p256dh,
                "_ordMnz7uTCmrpBTeUV4Bw"
            ),
            Err(PushError::InvalidSubscription)
        ));
    }
}
