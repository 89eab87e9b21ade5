//! Outgoing email: to an SMTP relay in production, to `.eml` files in an outbox folder by default
//! so that a developer can read every message the portal would have sent.

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
};

use crate::config::MailConfig;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the email address is not valid")]
    InvalidAddress,
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the mail relay is not configured correctly: {0}")]
    Configuration(String),
    #[error("the message could not be delivered to the relay: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the message could not be written to the outbox: {0}")]
    Outbox(#[from] lettre::transport::file::Error),
}

impl MailError {
    /// Whether trying again later cannot help (a refused address, a 5xx answer, a bad setup);
    /// otherwise the failure is temporary (relay down, 4xx, timeout, outbox folder full).
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::InvalidAddress | MailError::Build(_) | MailError::Configuration(_) => true,
            MailError::Smtp(error) => error.is_permanent(),
            MailError::Outbox(_) => false,
        }
    }
}

/// A message as the portal writes it; the transport adds nothing but envelope headers.
#[derive(Clone)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The language the words are in (a BCP 47 tag), sent as `Content-Language` so that a
    /// mail client can offer to translate, and read aloud in the right voice.
    pub language: String,
}

/// `Auto-Submitted: auto-generated` (RFC 3834): every message the portal sends is written by a
/// machine, so that an out-of-office reply or a mailing list does not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `Content-Language` (RFC 3282), from a tag the portal speaks: letters, digits and hyphens
/// only, so that nothing else can reach the header.
#[derive(Clone)]
struct ContentLanguage(String);

impl ContentLanguage {
    fn of(tag: &str) -> Option<ContentLanguage> {
        let plain = !tag.is_empty()
            && tag.len() <= 35
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        plain.then(|| ContentLanguage(tag.to_owned()))
    }
}

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        ContentLanguage::of(text.trim()).ok_or_else(|| "not a language tag".into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
enum Transport {
    Outbox(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(config: &MailConfig, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|_| MailError::InvalidAddress)?;
        let transport = match config {
            MailConfig::Outbox(folder) => {
                std::fs::create_dir_all(folder).map_err(|error| {
                    MailError::Configuration(format!("cannot create {}: {error}", folder.display()))
                })?;
                Transport::Outbox(AsyncFileTransport::new(folder))
            }
            MailConfig::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|_| {
                        MailError::Configuration("EU_SMTP_URL is not a valid SMTP address".into())
                    })?
                    .build(),
            ),
        };
        Ok(Mailer { transport, from })
    }

    pub fn kind(&self) -> &'static str {
        match self.transport {
            Transport::Outbox(_) => "outbox",
            Transport::Smtp(_) => "smtp",
        }
    }

    /// Sends one message and returns its Message-ID.
    pub async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        self.send_with_key(email, &uuid::Uuid::new_v4().to_string())
            .await
    }

    /// Sends one message whose Message-ID is made from `idempotency_key`: a message sent again
    /// after a crash carries the same Message-ID, so receivers can drop the copy.
    #[tracing::instrument(skip_all, fields(transport = self.kind()))]
    pub async fn send_with_key(
        &self,
        email: &OutgoingEmail,
        idempotency_key: &str,
    ) -> Result<String, MailError> {
        let to: Mailbox = email.to.parse().map_err(|_| MailError::InvalidAddress)?;
        let domain = self.from.email.domain().to_owned();
        let message_id = format!("<{idempotency_key}@{domain}>");
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(message_id.clone()))
            .header(AutoSubmitted);
        if let Some(language) = ContentLanguage::of(&email.language) {
            builder = builder.header(language);
        }
        let message = builder.multipart(MultiPart::alternative_plain_html(
            email.text_body.clone(),
            email.html_body.clone(),
        ))?;
        match &self.transport {
            Transport::Outbox(outbox) => {
                outbox.send(message).await?;
            }
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
        }
        tracing::info!("email handed over");
        Ok(message_id)
    }
}
