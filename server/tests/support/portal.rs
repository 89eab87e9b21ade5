//! A portal's services on a fresh database, for the server crate's document tests (included
//! with `#[path]`, beside `support`): applicants, staff members,
//! posting and reading documents through the real pipeline, and PDFs to post.

#![allow(dead_code, unused_macros)]

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use futures::{StreamExt, stream};
use server::{
    Services,
    clock::Clock,
    config::Config,
    connection_key::ConnectionKey,
    documents::{
        DocumentKind,
        publishing::{PublishError, Upload, publish},
        reading::{ReadError, Reader, open},
    },
    printable::{Font, Line, a4_document},
    storage::{
        Actor, NewApplicant, NewConnectionKey, NewStaffMember, StaffMember, StaffRole, Withdrawal,
    },
};
use uuid::Uuid;

use crate::support::TestDatabase;

pub struct Portal {
    pub services: Services,
    pub database: TestDatabase,
    pub data: tempfile::TempDir,
}

pub async fn portal(database: TestDatabase, extra: &[(&str, &str)]) -> Portal {
    let data = tempfile::tempdir().unwrap();
    let mut vars: HashMap<String, String> = HashMap::from([
        ("EU_DATA_DIR".into(), data.path().display().to_string()),
        ("DATABASE_URL".into(), database.url.clone()),
    ]);
    for (name, value) in extra {
        vars.insert((*name).into(), (*value).into());
    }
    let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let services = Services::start_with_clock(config, Clock::adjustable())
        .await
        .unwrap();
    Portal {
        services,
        database,
        data,
    }
}

impl Portal {
    pub async fn stop(self) {
        self.services.storage.close().await;
        self.database.drop().await;
    }

    pub async fn applicant(&self, number: &str) -> Uuid {
        self.services
            .storage
            .create_applicant(
                &NewApplicant {
                    foreigner_number: Some(number.into()),
                    file_number: None,
                    given_names: "Amina".into(),
                    family_name: "Test".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                    preferred_language: "fr".into(),
                    electronic_notification: true,
                    given: Default::default(),
                },
                &NewConnectionKey {
                    key_hash: ConnectionKey::generate().hash(),
                    expires_at: chrono::Utc::now() + Duration::days(30),
                },
            )
            .await
            .unwrap()
            .id
    }

    pub async fn staff_member(&self, role: StaffRole) -> StaffMember {
        self.services
            .storage
            .insert_staff_member(&NewStaffMember {
                email: format!("{}@office.example", Uuid::new_v4()),
                display_name: "Agent Test".into(),
                role,
                password_hash: "$argon2id$not-checked-here".into(),
            })
            .await
            .unwrap()
    }

    pub async fn post(&self, applicant: Uuid, contents: &[u8]) -> Result<Uuid, PublishError> {
        self.post_replacing(applicant, contents, None).await
    }

    pub async fn post_replacing(
        &self,
        applicant: Uuid,
        contents: &[u8],
        replacing: Option<Withdrawal>,
    ) -> Result<Uuid, PublishError> {
        let upload = Upload {
            applicant_id: applicant,
            kind: DocumentKind::Decision,
            title: "Décision sur votre demande".into(),
            file_name: "decision.pdf".into(),
            uploaded_by: Actor::system(),
            replacing,
            facts: server::documents::notice_facts::NoticeFacts {
                decision_outcome: Some(
                    server::documents::notice_facts::DecisionOutcome::SubsidiaryProtection,
                ),
                ..Default::default()
            },
        };
        // Cut in uneven pieces, as a network delivers it.
        let pieces: Vec<Result<Bytes, std::io::Error>> = contents
            .chunks(7919)
            .map(|piece| Ok(Bytes::copy_from_slice(piece)))
            .collect();
        publish(&self.services, upload, stream::iter(pieces))
            .await
            .map(|record| record.id)
    }

    /// The applicant's notifications on one channel, newest first.
    pub async fn notifications_on(
        &self,
        applicant: Uuid,
        channel: server::storage::Channel,
    ) -> Vec<server::storage::NotificationRecord> {
        self.services
            .storage
            .notifications_of_applicant(applicant)
            .await
            .unwrap()
            .into_iter()
            .filter(|row| row.channel == channel)
            .collect()
    }

    pub async fn read(&self, reader: Reader, id: Uuid) -> Result<Vec<u8>, ReadError> {
        let opened = open(&self.services, reader, id, None).await?;
        let mut content = opened.content;
        let mut bytes = Vec::new();
        while let Some(piece) = content.next().await {
            bytes.extend_from_slice(&piece.map_err(|_| ReadError::NotFound)?);
        }
        Ok(bytes)
    }

    pub async fn stored_objects(&self) -> usize {
        self.services
            .documents
            .keys_written_before("documents", chrono::Utc::now() + Duration::days(1))
            .await
            .unwrap()
            .len()
    }
}

pub fn letter(text: &str) -> Vec<u8> {
    a4_document(text, &[Line::new(text, Font::Regular, 12.0)]).unwrap()
}

/// A valid PDF of about `bytes` bytes (comment lines pad it).
pub fn large_letter(bytes: usize) -> Vec<u8> {
    let base = letter("Compte rendu");
    let padding = "% padding line of a long transcript\n".repeat(bytes / 36 + 1);
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(padding.as_bytes());
    pdf.extend_from_slice(&base[9..]);
    pdf
}

macro_rules! on_both_engines {
    ($name:ident, $extra:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let portal = portal(TestDatabase::sqlite().await, $extra).await;
                ($body)(&portal).await;
                portal.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let portal = portal(TestDatabase::postgres().await, $extra).await;
                ($body)(&portal).await;
                portal.stop().await;
            }
        }
    };
}
