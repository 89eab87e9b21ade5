//! Outgoing SMS: to any HTTP gateway that takes a JSON POST with a bearer token (the shape is
//! ours, so a small adapter fits any provider), or to files in the outbox folder by default,
//! beside the emails, so that a developer can read every text the portal would have sent.
//!
//! The request carries the message's idempotency key twice (`Idempotency-Key` header and
//! `reference` field): a text sent again after a crash is recognisably the same one.

use std::{path::PathBuf, time::Duration};

use reqwest::StatusCode;
use url::Url;

use crate::secret::Secret;

#[derive(Clone)]
pub enum SmsConfig {
    /// One `sms-<key>.json` file per text in this folder.
    Outbox(PathBuf),
    Gateway {
        url: Url,
        token: Secret,
        /// The sender name shown on the phone (`EU_SMS_SENDER`), neutral by default.
        sender: String,
    },
}

// `check-config` prints the configuration: a gateway's path and query often hold the
// provider's account key, and its user info a password, so only the origin is shown.
impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsConfig::Outbox(folder) => f.debug_tuple("Outbox").field(folder).finish(),
            SmsConfig::Gateway { url, token, sender } => f
                .debug_struct("Gateway")
                .field(
                    "url",
                    &format!("{}/[redacted]", url.origin().ascii_serialization()),
                )
                .field("token", token)
                .field("sender", sender)
                .finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the phone number is not valid")]
    InvalidNumber,
    #[error("the SMS gateway refused the text (HTTP {0})")]
    Refused(u16),
    #[error("the SMS gateway is unavailable (HTTP {0})")]
    Unavailable(u16),
    #[error("the SMS gateway could not be reached: {0}")]
    Unreachable(String),
    #[error("the text could not be written to the outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

impl SmsError {
    /// A refusal of this text (400, 404, 422...) cannot get better by waiting. A gateway that is
    /// down, slow, rate-limiting (429) or rejecting our token (401, 403: a setup mistake an
    /// operator will fix) is temporary, so no text is lost to it.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SmsError::InvalidNumber | SmsError::Refused(_))
    }
}

fn classify(status: StatusCode) -> Result<(), SmsError> {
    match status.as_u16() {
        200..=299 => Ok(()),
        code @ (401 | 403 | 408 | 409 | 425 | 429) => Err(SmsError::Unavailable(code)),
        code @ 400..=499 => Err(SmsError::Refused(code)),
        code => Err(SmsError::Unavailable(code)),
    }
}

#[derive(Clone)]
enum Transport {
    Outbox(PathBuf),
    Gateway {
        client: reqwest::Client,
        url: Url,
        token: Secret,
        sender: String,
    },
}

#[derive(Clone)]
pub struct SmsSender {
    transport: Transport,
}

#[derive(serde::Serialize)]
struct GatewayRequest<'a> {
    to: &'a str,
    text: &'a str,
    sender: &'a str,
    reference: &'a str,
}

impl SmsSender {
    pub fn from_config(config: &SmsConfig) -> Result<SmsSender, SmsError> {
        let transport = match config {
            SmsConfig::Outbox(folder) => {
                std::fs::create_dir_all(folder)?;
                Transport::Outbox(folder.clone())
            }
            SmsConfig::Gateway { url, token, sender } => Transport::Gateway {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .connect_timeout(Duration::from_secs(5))
                    .build()
                    .map_err(|error| SmsError::Unreachable(error.to_string()))?,
                url: url.clone(),
                token: token.clone(),
                sender: sender.clone(),
            },
        };
        Ok(SmsSender { transport })
    }

    pub fn kind(&self) -> &'static str {
        match self.transport {
            Transport::Outbox(_) => "outbox",
            Transport::Gateway { .. } => "gateway",
        }
    }

    /// Sends one text to `to` (E.164), identified by `idempotency_key`.
    #[tracing::instrument(skip_all, fields(transport = self.kind()))]
    pub async fn send(&self, to: &str, text: &str, idempotency_key: &str) -> Result<(), SmsError> {
        if crate::accounts::contact::normalize_phone(to)
            .ok()
            .as_deref()
            != Some(to)
        {
            return Err(SmsError::InvalidNumber);
        }
        match &self.transport {
            Transport::Outbox(folder) => {
                let body =
                    serde_json::json!({ "to": to, "text": text, "reference": idempotency_key });
                let name = format!("sms-{}.json", idempotency_key.replace(['/', '\\'], "_"));
                tokio::fs::write(folder.join(name), body.to_string()).await?;
            }
            Transport::Gateway {
                client,
                url,
                token,
                sender,
            } => {
                let response = client
                    .post(url.clone())
                    .bearer_auth(token.expose())
                    .header("Idempotency-Key", idempotency_key)
                    .json(&GatewayRequest {
                        to,
                        text,
                        sender,
                        reference: idempotency_key,
                    })
                    .send()
                    .await
                    // Without the URL: it may carry a provider's key in its query.
                    .map_err(|error| SmsError::Unreachable(error.without_url().to_string()))?;
                classify(response.status())?;
            }
        }
        tracing::info!("text handed over");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateways_address_is_printed_without_its_keys() {
        let config = SmsConfig::Gateway {
            url: Url::parse("https://user:pw@sms.example:8443/v1/ACCOUNT-KEY-123/send?apikey=XYZ")
                .unwrap(),
            token: Secret::new("bearer-token"),
            sender: "OFFICE".into(),
        };
        let printed = format!("{config:?} {config:#?}");
        for secret in ["ACCOUNT-KEY-123", "XYZ", "pw", "bearer-token"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("https://sms.example:8443"), "{printed}");
    }

    #[test]
    fn only_refusals_of_the_text_itself_are_permanent() {
        assert!(classify(StatusCode::ACCEPTED).is_ok());
        for code in [400, 404, 422] {
            let error = classify(StatusCode::from_u16(code).unwrap()).unwrap_err();
            assert!(error.is_permanent(), "{code}");
        }
        for code in [401, 403, 429, 500, 502, 503] {
            let error = classify(StatusCode::from_u16(code).unwrap()).unwrap_err();
            assert!(!error.is_permanent(), "{code}");
        }
    }
}
