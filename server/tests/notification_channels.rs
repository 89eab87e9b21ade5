//! Channels beyond email, on both engines: SMS through an HTTP gateway on loopback (code and
//! notification texts, bearer token, idempotency key, retries and refusals), Web Push to a push
//! service on loopback (encrypted for the browser, VAPID-signed, content-free), the applicant's
//! choice of channels, the notification centre's notices, and the contact settings (a phone
//! verified by the code it received, the last contact kept).

mod support;

#[path = "support/portal.rs"]
#[macro_use]
mod portal;

#[path = "support/sms_gateway.rs"]
mod sms_gateway;

#[path = "support/push_service.rs"]
mod push_service;

use chrono::{Duration, Utc};
use portal::{Portal, letter, portal};
use server::{
    accounts::contact::{
        ContactError, confirm_contact, remove_contact, request_phone_verification,
    },
    documents::reading::Reader,
    notifications::notification_delivery::{EmailTexts, NotificationTexts, PushTexts, deliver_due},
    storage::{
        Channel, ContactKind, DeliveryStatus, NotificationChannels, SKIPPED_CHANNEL_OFF,
        SKIPPED_NO_CONTACT,
    },
};
use sms_gateway::SmsGateway;
use support::TestDatabase;
use uuid::Uuid;

const TOKEN: &str = "gateway-token-for-tests";

struct EchoTexts;

impl NotificationTexts for EchoTexts {
    fn new_document_email(&self, language: &str, portal_address: &str) -> EmailTexts {
        EmailTexts {
            subject: format!("[{language}] new document"),
            text_body: portal_address.to_owned(),
            html_body: portal_address.to_owned(),
            language: language.into(),
        }
    }

    fn reminder_email(&self, language: &str, portal_address: &str) -> EmailTexts {
        self.new_document_email(language, portal_address)
    }

    fn new_document_sms(&self, language: &str, portal_address: &str) -> String {
        format!("[{language}] new document: {portal_address}")
    }

    fn reminder_sms(&self, language: &str, portal_address: &str) -> String {
        format!("[{language}] reminder: {portal_address}")
    }

    fn new_document_push(&self, language: &str) -> PushTexts {
        PushTexts {
            title: format!("[{language}] portal"),
            body: "new document".into(),
        }
    }

    fn reminder_push(&self, language: &str) -> PushTexts {
        PushTexts {
            title: format!("[{language}] portal"),
            body: "reminder".into(),
        }
    }
}

/// Verifies `phone` the way the applicant does: the code sent by SMS, typed back.
async fn verify_phone(portal: &Portal, gateway: &SmsGateway, applicant: Uuid, typed: &str) {
    let storage = portal.services.storage.as_ref();
    let now = portal.services.clock.now();
    let (phone, code) = request_phone_verification(storage, applicant, typed, now)
        .await
        .unwrap();
    let to = server::accounts::contact::ContactPoint::Phone(phone.clone());
    let text = format!("code {}", code.digits.expose());
    portal
        .services
        .sms
        .send(to.as_str(), &text, &format!("code-{}", code.record.id))
        .await
        .unwrap();
    let received = gateway.received();
    let last = received.last().unwrap();
    assert_eq!(last.body["to"], phone.as_str());
    let digits = last.text().trim_start_matches("code ").to_owned();
    let verified = confirm_contact(storage, applicant, code.record.id, &digits, None, now)
        .await
        .unwrap();
    assert_eq!(verified.kind, ContactKind::Phone);
    assert_eq!(verified.replaced, None, "a first phone replaces nothing");
}

async fn with_gateway(database: TestDatabase) -> (Portal, SmsGateway) {
    let gateway = SmsGateway::start().await;
    let portal = portal(
        database,
        &[
            ("EU_SMS_GATEWAY_URL", gateway.url.as_str()),
            ("EU_SMS_GATEWAY_TOKEN", TOKEN),
            ("EU_SMS_SENDER", "Portail"),
        ],
    )
    .await;
    (portal, gateway)
}

macro_rules! with_gateway_on_both_engines {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let (portal, gateway) = with_gateway(TestDatabase::sqlite().await).await;
                super::$name(&portal, &gateway).await;
                portal.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let (portal, gateway) = with_gateway(TestDatabase::postgres().await).await;
                super::$name(&portal, &gateway).await;
                portal.stop().await;
            }
        }
    };
}

async fn a_verified_phone_gets_a_content_free_text_once(portal: &Portal, gateway: &SmsGateway) {
    let amina = portal.applicant("0706000001").await;
    verify_phone(portal, gateway, amina, "06 12 34 56 78").await;
    let applicant = portal
        .services
        .storage
        .find_applicant(amina)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(applicant.phone.as_deref(), Some("+33612345678"));
    assert!(applicant.phone_verified_at.is_some());

    portal.post(amina, &letter("Convocation")).await.unwrap();
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!((report.sent, report.skipped), (1, 2), "the SMS; no email");
    let received = gateway.received();
    assert_eq!(received.len(), 2, "the code, then the notification");
    let text = &received[1];
    let row = &portal.notifications_on(amina, Channel::Sms).await[0];
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!(
        text.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let key = format!("notification-{}", row.id);
    assert_eq!(text.idempotency_key.as_deref(), Some(key.as_str()));
    assert_eq!(text.body["reference"], key.as_str());
    assert_eq!(text.body["to"], "+33612345678");
    assert_eq!(text.body["sender"], "Portail");
    assert_eq!(text.text(), "[fr] new document: http://127.0.0.1:3000/");
    assert!(!text.text().contains("Convocation"));

    assert_eq!(
        deliver_due(&portal.services, &EchoTexts).await.unwrap(),
        Default::default(),
        "nothing is sent twice"
    );
    assert_eq!(gateway.received().len(), 2);
}
with_gateway_on_both_engines!(a_verified_phone_gets_a_content_free_text_once);

async fn the_language_kept_on_the_account_is_the_language_of_the_text(
    portal: &Portal,
    gateway: &SmsGateway,
) {
    let amina = portal.applicant("0706000009").await;
    verify_phone(portal, gateway, amina, "06 12 34 56 79").await;
    portal
        .services
        .storage
        .set_portal_language(amina, "fa-AF")
        .await
        .unwrap();
    let applicant = portal.services.storage.find_applicant(amina).await.unwrap();
    let applicant = applicant.unwrap();
    assert_eq!(applicant.portal_language.as_deref(), Some("fa-AF"));
    assert_eq!(
        applicant.preferred_language, "fr",
        "as the office recorded it"
    );
    assert_eq!(applicant.message_language(), "fa-AF");

    portal.post(amina, &letter("Convocation")).await.unwrap();
    deliver_due(&portal.services, &EchoTexts).await.unwrap();
    let received = gateway.received();
    assert_eq!(
        received.last().unwrap().text(),
        "[fa-AF] new document: http://127.0.0.1:3000/"
    );
}
with_gateway_on_both_engines!(the_language_kept_on_the_account_is_the_language_of_the_text);

async fn a_gateway_down_is_retried_and_a_refusal_is_final(portal: &Portal, gateway: &SmsGateway) {
    let amina = portal.applicant("0706000002").await;
    verify_phone(portal, gateway, amina, "+93 70 123 4567").await;
    portal.post(amina, &letter("Décision")).await.unwrap();

    gateway.answer_with(503);
    assert_eq!(
        deliver_due(&portal.services, &EchoTexts)
            .await
            .unwrap()
            .retried,
        1
    );
    let row = &portal.notifications_on(amina, Channel::Sms).await[0];
    assert_eq!((row.status, row.attempts), (DeliveryStatus::Queued, 1));
    assert!(row.last_error.as_deref().unwrap().contains("503"));

    // Back up: the same text, with the same key, goes out once.
    gateway.answer_with(200);
    let wait = row.next_attempt_at - portal.services.clock.now();
    portal.services.clock.travel(wait + Duration::seconds(1));
    assert_eq!(
        deliver_due(&portal.services, &EchoTexts)
            .await
            .unwrap()
            .sent,
        1
    );
    let received = gateway.received();
    let keys: Vec<_> = received[1..]
        .iter()
        .map(|text| text.idempotency_key.clone().unwrap())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "a retry carries the same idempotency key");

    // A refusal of the text itself (422) is not retried.
    portal.post(amina, &letter("Transcription")).await.unwrap();
    gateway.answer_with(422);
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!(report.dead, 1);
    let dead = &portal.notifications_on(amina, Channel::Sms).await[0];
    assert_eq!((dead.status, dead.attempts), (DeliveryStatus::Dead, 1));
}
with_gateway_on_both_engines!(a_gateway_down_is_retried_and_a_refusal_is_final);

async fn channels_turned_off_are_skipped_with_the_reason(portal: &Portal, gateway: &SmsGateway) {
    let amina = portal.applicant("0706000003").await;
    verify_phone(portal, gateway, amina, "0698765432").await;
    let storage = portal.services.storage.as_ref();
    server::accounts::contact::choose_channels(
        storage,
        amina,
        NotificationChannels {
            email: true,
            sms: false,
            detailed_reminders: false,
        },
        None,
        portal.services.clock.now(),
    )
    .await
    .unwrap();
    portal.post(amina, &letter("Convocation")).await.unwrap();
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!((report.sent, report.skipped), (0, 3));
    let sms = &portal.notifications_on(amina, Channel::Sms).await[0];
    assert_eq!(sms.last_error.as_deref(), Some(SKIPPED_CHANNEL_OFF));
    let email = &portal.notifications_on(amina, Channel::Email).await[0];
    assert_eq!(email.last_error.as_deref(), Some(SKIPPED_NO_CONTACT));
    assert_eq!(gateway.received().len(), 1, "only the verification code");
    let audit = storage.recent_audit_events(100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|event| event.action == "notification_channels_changed")
    );
}
with_gateway_on_both_engines!(channels_turned_off_are_skipped_with_the_reason);

async fn the_last_contact_stays_and_either_can_go_while_the_other_remains(
    portal: &Portal,
    gateway: &SmsGateway,
) {
    let storage = portal.services.storage.as_ref();
    let amina = portal.applicant("0706000004").await;
    verify_phone(portal, gateway, amina, "0611111111").await;
    assert!(matches!(
        remove_contact(storage, amina, ContactKind::Phone, None, Utc::now()).await,
        Err(ContactError::LastContact)
    ));
    assert!(matches!(
        remove_contact(storage, amina, ContactKind::Email, None, Utc::now()).await,
        Err(ContactError::LastContact)
    ));
    let sql = format!(
        "UPDATE applicants SET email = 'amina@example.org', \
         email_verified_at = '2026-01-01T00:00:00+00:00' WHERE id = {}",
        portal.database.uuid_literal(amina)
    );
    assert_eq!(portal.database.execute_raw(&sql).await.unwrap(), 1);
    remove_contact(storage, amina, ContactKind::Phone, None, Utc::now())
        .await
        .unwrap();
    let applicant = storage.find_applicant(amina).await.unwrap().unwrap();
    assert_eq!(applicant.phone, None);
    assert_eq!(applicant.email.as_deref(), Some("amina@example.org"));
    assert!(matches!(
        remove_contact(storage, amina, ContactKind::Email, None, Utc::now()).await,
        Err(ContactError::LastContact)
    ));
    // A number that is not one is refused before any code is sent.
    assert!(matches!(
        request_phone_verification(storage, amina, "12345", portal.services.clock.now()).await,
        Err(ContactError::InvalidPhone)
    ));
}
with_gateway_on_both_engines!(the_last_contact_stays_and_either_can_go_while_the_other_remains);

on_both_engines!(
    notices_are_unread_until_opened_or_marked_and_only_by_their_owner,
    &[],
    async |portal: &Portal| {
        let storage = portal.services.storage.as_ref();
        let now = portal.services.clock.now();
        let amina = portal.applicant("0706000005").await;
        let bilal = portal.applicant("0706000006").await;
        let first = portal.post(amina, &letter("Convocation")).await.unwrap();
        portal.post(amina, &letter("Décision")).await.unwrap();
        portal.post(amina, &letter("Récépissé")).await.unwrap();
        portal.post(bilal, &letter("Convocation")).await.unwrap();
        assert_eq!(storage.unread_notice_count(amina).await.unwrap(), 3);
        let notices = storage.in_app_notices(amina, 100).await.unwrap();
        assert_eq!(notices.len(), 3);
        assert!(notices.iter().all(|notice| notice.applicant_id == amina));
        // Delivery never touches them: they are there as soon as the document is.
        deliver_due(&portal.services, &EchoTexts).await.unwrap();
        assert_eq!(storage.unread_notice_count(amina).await.unwrap(), 3);

        // Opening a document reads its notice.
        portal.read(Reader::Applicant(amina), first).await.unwrap();
        assert_eq!(storage.unread_notice_count(amina).await.unwrap(), 2);

        // Bilal cannot mark Amina's notice, even by its id.
        let unread = storage
            .in_app_notices(amina, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|notice| notice.read_at.is_none())
            .unwrap();
        assert_eq!(
            storage
                .mark_notices_read(bilal, Some(unread.id), now)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            storage
                .mark_notices_read(amina, Some(unread.id), now)
                .await
                .unwrap(),
            1
        );
        assert_eq!(storage.unread_notice_count(amina).await.unwrap(), 1);
        assert_eq!(
            storage.mark_notices_read(amina, None, now).await.unwrap(),
            1
        );
        assert_eq!(storage.unread_notice_count(amina).await.unwrap(), 0);
        assert_eq!(storage.unread_notice_count(bilal).await.unwrap(), 1);
    }
);

/// A browser's push keys, as `pushManager.subscribe` makes them.
struct Browser {
    secret: web_push_native::p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Browser {
        use rand::RngCore;
        let mut rng = rand::rng();
        let secret = loop {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            if let Ok(secret) = web_push_native::p256::SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let mut auth = [0u8; 16];
        rng.fill_bytes(&mut auth);
        Browser { secret, auth }
    }

    fn keys(&self) -> (String, String) {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
        let public = self.secret.public_key().to_encoded_point(false);
        (
            URL_SAFE_NO_PAD.encode(public.as_bytes()),
            URL_SAFE_NO_PAD.encode(self.auth),
        )
    }

    fn read(&self, body: &[u8]) -> serde_json::Value {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth).unwrap();
        serde_json::from_slice(&plain).unwrap()
    }
}

async fn web_push_is_encrypted_for_the_browser_signed_and_content_free(database: TestDatabase) {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use web_push_native::jwt_simple::prelude::*;

    let service = push_service::PushService::start().await;
    let portal = portal(database, &[("EU_PUSH_SERVICES", service.origin.as_str())]).await;
    let storage = portal.services.storage.as_ref();
    let now = portal.services.clock.now();
    let amina = portal.applicant("0706000007").await;
    let phone = Browser::new();
    let (p256dh, auth) = phone.keys();
    let endpoint = service.endpoint("amina-phone");
    let accepted = &portal.services.config.push_services;
    server::accounts::contact::subscribe_push(
        storage,
        accepted,
        amina,
        (&endpoint, &p256dh, &auth),
        None,
        now,
    )
    .await
    .unwrap();
    // Nothing but the listed push services: no internal address, no other host.
    for elsewhere in [
        "http://127.0.0.1:5432/x",
        "http://169.254.169.254/latest",
        "https://evil.example/push",
    ] {
        assert!(matches!(
            server::accounts::contact::subscribe_push(
                storage,
                accepted,
                amina,
                (elsewhere, &p256dh, &auth),
                None,
                now
            )
            .await,
            Err(ContactError::Push(_))
        ));
    }
    assert!(matches!(
        server::accounts::contact::subscribe_push(
            storage,
            accepted,
            amina,
            (&endpoint, &p256dh, "short"),
            None,
            now
        )
        .await,
        Err(ContactError::Push(_))
    ));
    assert_eq!(storage.push_subscriptions_of(amina).await.unwrap().len(), 1);

    portal.post(amina, &letter("Convocation")).await.unwrap();
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!(
        (report.sent, report.skipped),
        (1, 2),
        "push; no email, no phone"
    );
    let row = &&portal.notifications_on(amina, Channel::Push).await[0];
    assert_eq!(row.status, DeliveryStatus::Sent);
    let pushed = &service.received()[0];
    assert_eq!(pushed.header("content-encoding"), Some("aes128gcm"));
    assert!(pushed.header("ttl").is_some());
    assert_eq!(
        pushed.header("topic"),
        Some(row.id.simple().to_string().as_str())
    );
    // Signed with the portal's VAPID key, for this push service.
    let authorization = pushed.header("authorization").unwrap();
    let (token, key) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .unwrap();
    assert_eq!(key, portal.services.push.public_key());
    let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
    let options = VerificationOptions {
        allowed_audiences: Some(HashSet::from_strings(&["http://127.0.0.1"])),
        ..Default::default()
    };
    public
        .verify_token::<NoCustomClaims>(token, Some(options))
        .unwrap();
    // Only the browser can read it, and it says nothing about the document.
    let message = phone.read(&pushed.body);
    assert_eq!(message["title"], "[fr] portal");
    assert_eq!(message["body"], "new document");
    assert_eq!(message["url"], "/account/notifications");
    assert!(!String::from_utf8_lossy(&pushed.body).contains("Convocation"));

    // A push service down: retried. Then the browser is gone (410): forgotten, not retried.
    service.answer_with(503);
    portal.post(amina, &letter("Décision")).await.unwrap();
    assert_eq!(
        deliver_due(&portal.services, &EchoTexts)
            .await
            .unwrap()
            .retried,
        1
    );
    service.answer_with(410);
    let row = &&portal.notifications_on(amina, Channel::Push).await[0];
    let wait = row.next_attempt_at - portal.services.clock.now();
    portal
        .services
        .clock
        .travel(wait + chrono::Duration::seconds(1));
    let report = deliver_due(&portal.services, &EchoTexts).await.unwrap();
    assert_eq!(report.skipped, 1);
    let row = &&portal.notifications_on(amina, Channel::Push).await[0];
    assert_eq!(
        (row.status, row.last_error.as_deref()),
        (DeliveryStatus::Skipped, Some(SKIPPED_NO_CONTACT))
    );
    assert!(
        storage
            .push_subscriptions_of(amina)
            .await
            .unwrap()
            .is_empty()
    );
    portal.stop().await;
}

mod web_push_is_encrypted_for_the_browser_signed_and_content_free {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        super::web_push_is_encrypted_for_the_browser_signed_and_content_free(
            TestDatabase::sqlite().await,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::web_push_is_encrypted_for_the_browser_signed_and_content_free(
            TestDatabase::postgres().await,
        )
        .await;
    }
}
