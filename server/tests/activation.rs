//! The activation journey on both engines: success once, and every failure path answers clearly
//! and writes nothing but its audit event.

mod support;

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use server::{
    accounts::activation::{ActivationError, ActivationRequest, activate},
    accounts::password_policy::PasswordRejection,
    connection_key::ConnectionKey,
    secret::Secret,
    storage::{NewApplicant, NewConnectionKey, Storage},
};

const NUMBER: &str = "0712345678";

fn birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1988, 7, 4).unwrap()
}

/// Registers an applicant whose key expires in `days` days; returns the printed key.
async fn register(storage: &dyn Storage, days: i64) -> String {
    let key = ConnectionKey::generate();
    storage
        .create_applicant(
            &NewApplicant {
                foreigner_number: Some(NUMBER.into()),
                file_number: None,
                given_names: "Samir".into(),
                family_name: "Haddad".into(),
                date_of_birth: birth(),
                preferred_language: "ar".into(),
                electronic_notification: true,
                given: Default::default(),
            },
            &NewConnectionKey {
                key_hash: key.hash(),
                expires_at: Utc::now() + Duration::days(days),
            },
        )
        .await
        .unwrap();
    key.display()
}

fn request(key: &str, date_of_birth: NaiveDate, password: &str) -> ActivationRequest {
    ActivationRequest {
        foreigner_number: "07 12 34 56 78".into(),
        connection_key: Secret::new(key),
        date_of_birth,
        new_password: Secret::new(password),
        ip_hash: Some("ip-hash".into()),
    }
}

async fn activated_at(storage: &dyn Storage) -> Option<chrono::DateTime<Utc>> {
    storage
        .find_applicant_by_foreigner_number(NUMBER)
        .await
        .unwrap()
        .unwrap()
        .activated_at
}

both_engines!(
    an_account_is_activated_once,
    |storage: Arc<dyn Storage>| async move {
        let key = register(storage.as_ref(), 30).await;
        let id = activate(
            storage.as_ref(),
            &support::unrelated_hasher(),
            request(&key.to_lowercase(), birth(), "green tea at noon"),
            Utc::now(),
        )
        .await
        .unwrap();
        let applicant = storage.find_applicant(id).await.unwrap().unwrap();
        assert!(applicant.activated_at.is_some());

        let replay = activate(
            storage.as_ref(),
            &support::unrelated_hasher(),
            request(&key, birth(), "another good phrase"),
            Utc::now(),
        )
        .await;
        assert!(
            matches!(replay, Err(ActivationError::KeySpent)),
            "{replay:?}"
        );
        assert_eq!(activated_at(storage.as_ref()).await, applicant.activated_at);

        let events = storage.recent_audit_events(10).await.unwrap();
        assert_eq!(events.len(), 2);
        assert!(!events[0].succeeded && events[1].succeeded);
        assert_eq!(events[1].actor_id, Some(id));
        assert!(
            events
                .iter()
                .all(|event| event.action == "account_activation")
        );
    }
);

both_engines!(wrong_details_all_get_the_same_answer, |storage: Arc<
    dyn Storage,
>| async move {
    let key = register(storage.as_ref(), 30).await;
    let other_key = ConnectionKey::generate().display();
    let wrong_birth = NaiveDate::from_ymd_opt(1988, 7, 5).unwrap();
    let mut unknown_number = request(&key, birth(), "green tea at noon");
    unknown_number.foreigner_number = "0799999999".into();
    for attempt in [
        request(&other_key, birth(), "green tea at noon"),
        request(&key, wrong_birth, "green tea at noon"),
        unknown_number,
    ] {
        let result = activate(
            storage.as_ref(),
            &support::unrelated_hasher(),
            attempt,
            Utc::now(),
        )
        .await;
        assert!(
            matches!(result, Err(ActivationError::NoMatch)),
            "{result:?}"
        );
    }
    let mistyped = activate(
        storage.as_ref(),
        &support::unrelated_hasher(),
        request("ABCD-EFGH", birth(), "green tea at noon"),
        Utc::now(),
    )
    .await;
    assert!(
        matches!(mistyped, Err(ActivationError::KeyMistyped(_))),
        "{mistyped:?}"
    );
    assert_eq!(activated_at(storage.as_ref()).await, None);
    // The key still works afterwards.
    activate(
        storage.as_ref(),
        &support::unrelated_hasher(),
        request(&key, birth(), "green tea at noon"),
        Utc::now(),
    )
    .await
    .unwrap();
});

both_engines!(
    an_expired_key_or_a_weak_password_writes_nothing,
    |storage: Arc<dyn Storage>| async move {
        let key = register(storage.as_ref(), 30).await;
        let expired = activate(
            storage.as_ref(),
            &support::unrelated_hasher(),
            request(&key, birth(), "green tea at noon"),
            Utc::now() + Duration::days(31),
        )
        .await;
        assert!(
            matches!(expired, Err(ActivationError::KeyExpired)),
            "{expired:?}"
        );

        for (password, rejection) in [
            ("short", PasswordRejection::TooShort),
            ("password123", PasswordRejection::Common),
            ("me0712345678", PasswordRejection::ContainsPersonalData),
            ("born04071988", PasswordRejection::ContainsPersonalData),
        ] {
            let result = activate(
                storage.as_ref(),
                &support::unrelated_hasher(),
                request(&key, birth(), password),
                Utc::now(),
            )
            .await;
            assert!(
                matches!(result, Err(ActivationError::WeakPassword(r)) if r == rejection),
                "{password}: {result:?}"
            );
        }
        assert_eq!(activated_at(storage.as_ref()).await, None);
        let key_record = storage
            .find_connection_key(&ConnectionKey::parse(&key).unwrap().hash())
            .await
            .unwrap()
            .unwrap();
        assert!(key_record.used_at.is_none());
    }
);

both_engines!(concurrent_activations_spend_the_key_once, |storage: Arc<
    dyn Storage,
>| async move {
    let key = register(storage.as_ref(), 30).await;
    let attempts = (0..4).map(|i| {
        let storage = storage.clone();
        let key = key.clone();
        tokio::spawn(async move {
            activate(
                storage.as_ref(),
                &support::unrelated_hasher(),
                request(&key, birth(), &format!("green tea at noon {i}")),
                Utc::now(),
            )
            .await
        })
    });
    let mut successes = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => successes += 1,
            Err(ActivationError::KeySpent) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(successes, 1);
});
