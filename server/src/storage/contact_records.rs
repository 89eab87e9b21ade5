//! The applicant's contact settings beyond verification (which spends a code, in
//! `sign_in_records`): removing an email or a phone, the channels they want, and the browsers
//! subscribed to Web Push.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
        }
    }
}

/// An email or phone the applicant replaced or removed, kept for the cooling-off period.
#[derive(Clone, PartialEq, Eq)]
pub struct ReplacedContact {
    pub kind: ContactKind,
    pub value: String,
    pub replaced_at: DateTime<Utc>,
}

// The value is an address or number: kept out of logs.
impl std::fmt::Debug for ReplacedContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplacedContact")
            .field("kind", &self.kind)
            .field("replaced_at", &self.replaced_at)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ReplacedContactRow {
    kind: String,
    value: String,
    replaced_at: DateTime<Utc>,
}

impl From<ReplacedContactRow> for ReplacedContact {
    fn from(row: ReplacedContactRow) -> Self {
        ReplacedContact {
            kind: if row.kind == "phone" {
                ContactKind::Phone
            } else {
                ContactKind::Email
            },
            value: row.value,
            replaced_at: row.replaced_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationChannels {
    pub email: bool,
    pub sms: bool,
    /// Interview reminders give the date and time (off unless the applicant asks for it).
    pub detailed_reminders: bool,
}

/// Where the applicant receives paper mail, as declared (`accounts::postal_address` checks it).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PostalAddress {
    pub id: Uuid,
    pub applicant_id: Uuid,
    /// `residence` or `domiciliation`.
    pub kind: String,
    /// A domiciliation's organisation, or whoever the mail is in the care of.
    pub care_of: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub declared_at: DateTime<Utc>,
}

// Where a person lives stays out of logs.
impl std::fmt::Debug for PostalAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostalAddress")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A browser subscribed to Web Push: the push service's address for it and its keys
/// (base64url, as the browser gives them).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushSubscription {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: DateTime<Utc>,
}

// The endpoint is a capability (whoever knows it can wake the phone): kept out of logs.
impl std::fmt::Debug for PushSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushSubscription")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait ContactRecords: Send + Sync {
    /// Keeps a browser's subscription for this applicant; a browser already known (same
    /// endpoint) moves to them with its new keys.
    async fn save_push_subscription(
        &self,
        subscription: &PushSubscription,
    ) -> Result<(), StorageError>;
    async fn push_subscriptions_of(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<PushSubscription>, StorageError>;
    /// Forgets this applicant's subscription at `endpoint`, or all of theirs (`None`); returns
    /// how many.
    async fn remove_push_subscriptions(
        &self,
        applicant_id: Uuid,
        endpoint: Option<&str>,
    ) -> Result<u64, StorageError>;
    /// The push service said the subscription is gone (404, 410).
    async fn forget_push_subscription(&self, id: Uuid) -> Result<(), StorageError>;
    /// Forgets a verified email or phone, unless it is the last one: sign-in codes need
    /// somewhere to go. False when refused for that reason (or nothing to remove), in one
    /// statement, so two removals at once cannot leave none.
    async fn remove_applicant_contact(
        &self,
        applicant_id: Uuid,
        kind: ContactKind,
    ) -> Result<bool, StorageError>;
    /// Records a declared postal address and its audit event, both or neither.
    async fn record_postal_address(
        &self,
        address: &PostalAddress,
        audit: &super::NewAuditEvent,
    ) -> Result<(), StorageError>;
    /// Every address the applicant declared, newest first.
    async fn postal_addresses_of(
        &self,
        applicant_id: Uuid,
    ) -> Result<Vec<PostalAddress>, StorageError>;
    /// Forgets the email or phone given at registration (the applicant removed it, or gave
    /// another). Returns whether there was one.
    async fn forget_given_contact(
        &self,
        applicant_id: Uuid,
        kind: ContactKind,
    ) -> Result<bool, StorageError>;
    async fn set_notification_channels(
        &self,
        applicant_id: Uuid,
        channels: NotificationChannels,
    ) -> Result<(), StorageError>;

    /// Keeps an email or phone the applicant just replaced or removed, and forgets this
    /// applicant's kept ones older than `forget_before`.
    async fn keep_replaced_contact(
        &self,
        applicant_id: Uuid,
        contact: &ReplacedContact,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The contacts kept since `since`, oldest first.
    async fn replaced_contacts_since(
        &self,
        applicant_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<Vec<ReplacedContact>, StorageError>;
    /// Puts back, for each kind, the oldest contact kept since `since` (verified as of `now`:
    /// a code sent there was just typed back), and forgets every kept one of this applicant, in
    /// one transaction. What was put back.
    async fn restore_replaced_contacts(
        &self,
        applicant_id: Uuid,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReplacedContact>, StorageError>;
    /// Forgets every kept contact older than `before` (the hourly purge). How many.
    async fn forget_replaced_contacts_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StorageError>;

    /// The language the applicant picked on the portal (a BCP 47 tag it speaks): emails, texts
    /// and push alerts follow it. The language recorded at registration is left as it was.
    async fn set_portal_language(
        &self,
        applicant_id: Uuid,
        language: &str,
    ) -> Result<(), StorageError>;
}

macro_rules! impl_contact_records {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::contact_records::ContactRecords for $store {
            async fn keep_replaced_contact(
                &self,
                applicant_id: Uuid,
                contact: &$crate::storage::ReplacedContact,
                forget_before: DateTime<Utc>,
            ) -> Result<(), StorageError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query(
                    "DELETE FROM replaced_contacts WHERE applicant_id = $1 AND replaced_at < $2",
                )
                .bind(applicant_id)
                .bind(forget_before)
                .execute(&mut *transaction)
                .await?;
                sqlx::query(
                    "INSERT INTO replaced_contacts (id, applicant_id, kind, value, replaced_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(Uuid::new_v4())
                .bind(applicant_id)
                .bind(contact.kind.as_str())
                .bind(&contact.value)
                .bind(contact.replaced_at)
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn replaced_contacts_since(
                &self,
                applicant_id: Uuid,
                since: DateTime<Utc>,
            ) -> Result<Vec<$crate::storage::ReplacedContact>, StorageError> {
                let rows = sqlx::query_as::<$db, $crate::storage::contact_records::ReplacedContactRow>(
                    "SELECT kind, value, replaced_at FROM replaced_contacts \
                     WHERE applicant_id = $1 AND replaced_at >= $2 ORDER BY replaced_at, id",
                )
                .bind(applicant_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn restore_replaced_contacts(
                &self,
                applicant_id: Uuid,
                since: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<Vec<$crate::storage::ReplacedContact>, StorageError> {
                use $crate::storage::ContactKind;
                let mut transaction = self.pool.begin().await?;
                // A write first, so SQLite takes its lock before reading.
                let rows = sqlx::query_as::<$db, $crate::storage::contact_records::ReplacedContactRow>(
                    "DELETE FROM replaced_contacts WHERE applicant_id = $1 \
                     RETURNING kind, value, replaced_at",
                )
                .bind(applicant_id)
                .fetch_all(&mut *transaction)
                .await?;
                let mut kept: Vec<$crate::storage::ReplacedContact> = rows
                    .into_iter()
                    .map(Into::into)
                    .filter(|contact: &$crate::storage::ReplacedContact| contact.replaced_at >= since)
                    .collect();
                kept.sort_by_key(|contact| contact.replaced_at);
                let mut restored = Vec::new();
                for kind in [ContactKind::Email, ContactKind::Phone] {
                    let Some(oldest) = kept.iter().find(|contact| contact.kind == kind) else {
                        continue;
                    };
                    let sql = match kind {
                        ContactKind::Email => {
                            "UPDATE applicants SET email = $2, email_verified_at = $3 WHERE id = $1"
                        }
                        ContactKind::Phone => {
                            "UPDATE applicants SET phone = $2, phone_verified_at = $3 WHERE id = $1"
                        }
                    };
                    sqlx::query(sql)
                        .bind(applicant_id)
                        .bind(&oldest.value)
                        .bind(now)
                        .execute(&mut *transaction)
                        .await?;
                    restored.push(oldest.clone());
                }
                transaction.commit().await?;
                Ok(restored)
            }

            async fn forget_replaced_contacts_before(
                &self,
                before: DateTime<Utc>,
            ) -> Result<u64, StorageError> {
                let result = sqlx::query("DELETE FROM replaced_contacts WHERE replaced_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(result.rows_affected())
            }

            async fn remove_applicant_contact(
                &self,
                applicant_id: Uuid,
                kind: $crate::storage::ContactKind,
            ) -> Result<bool, StorageError> {
                use $crate::storage::ContactKind;
                let sql = match kind {
                    ContactKind::Email => {
                        "UPDATE applicants SET email = NULL, email_verified_at = NULL \
                         WHERE id = $1 AND email IS NOT NULL AND phone IS NOT NULL"
                    }
                    ContactKind::Phone => {
                        "UPDATE applicants SET phone = NULL, phone_verified_at = NULL \
                         WHERE id = $1 AND phone IS NOT NULL AND email IS NOT NULL"
                    }
                };
                let result = sqlx::query(sql)
                    .bind(applicant_id)
                    .execute(&self.pool)
                    .await?;
                Ok(result.rows_affected() == 1)
            }

            async fn save_push_subscription(
                &self,
                subscription: &$crate::storage::PushSubscription,
            ) -> Result<(), StorageError> {
                sqlx::query(
                    "INSERT INTO push_subscriptions (id, applicant_id, endpoint, p256dh, auth, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (endpoint) DO UPDATE \
                     SET applicant_id = excluded.applicant_id, p256dh = excluded.p256dh, \
                     auth = excluded.auth, created_at = excluded.created_at",
                )
                .bind(subscription.id)
                .bind(subscription.applicant_id)
                .bind(&subscription.endpoint)
                .bind(&subscription.p256dh)
                .bind(&subscription.auth)
                .bind(to_micros(subscription.created_at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn push_subscriptions_of(
                &self,
                applicant_id: Uuid,
            ) -> Result<Vec<$crate::storage::PushSubscription>, StorageError> {
                Ok(sqlx::query_as::<$db, $crate::storage::PushSubscription>(
                    "SELECT id, applicant_id, endpoint, p256dh, auth, created_at \
                     FROM push_subscriptions WHERE applicant_id = $1 ORDER BY created_at, id",
                )
                .bind(applicant_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn remove_push_subscriptions(
                &self,
                applicant_id: Uuid,
                endpoint: Option<&str>,
            ) -> Result<u64, StorageError> {
                let result = sqlx::query(
                    "DELETE FROM push_subscriptions WHERE applicant_id = $1 \
                     AND ($2 IS NULL OR endpoint = $2)",
                )
                .bind(applicant_id)
                .bind(endpoint)
                .execute(&self.pool)
                .await?;
                Ok(result.rows_affected())
            }

            async fn forget_push_subscription(&self, id: Uuid) -> Result<(), StorageError> {
                sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn record_postal_address(
                &self,
                address: &$crate::storage::PostalAddress,
                audit: &$crate::storage::NewAuditEvent,
            ) -> Result<(), StorageError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO postal_addresses (id, applicant_id, kind, care_of, street, \
                     postal_code, city, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(address.id)
                .bind(address.applicant_id)
                .bind(&address.kind)
                .bind(&address.care_of)
                .bind(&address.street)
                .bind(&address.postal_code)
                .bind(&address.city)
                .bind(to_micros(address.declared_at))
                .execute(&mut *transaction)
                .await?;
                self.chain_audit_event(&mut transaction, audit).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn postal_addresses_of(
                &self,
                applicant_id: Uuid,
            ) -> Result<Vec<$crate::storage::PostalAddress>, StorageError> {
                Ok(sqlx::query_as::<$db, $crate::storage::PostalAddress>(
                    "SELECT id, applicant_id, kind, care_of, street, postal_code, city, \
                     declared_at FROM postal_addresses WHERE applicant_id = $1 \
                     ORDER BY declared_at DESC, id",
                )
                .bind(applicant_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn forget_given_contact(
                &self,
                applicant_id: Uuid,
                kind: $crate::storage::ContactKind,
            ) -> Result<bool, StorageError> {
                use $crate::storage::ContactKind;
                let sql = match kind {
                    ContactKind::Email => {
                        "UPDATE applicants SET given_email = NULL \
                         WHERE id = $1 AND given_email IS NOT NULL"
                    }
                    ContactKind::Phone => {
                        "UPDATE applicants SET given_phone = NULL \
                         WHERE id = $1 AND given_phone IS NOT NULL"
                    }
                };
                let result = sqlx::query(sql)
                    .bind(applicant_id)
                    .execute(&self.pool)
                    .await?;
                Ok(result.rows_affected() == 1)
            }

            async fn set_notification_channels(
                &self,
                applicant_id: Uuid,
                channels: $crate::storage::NotificationChannels,
            ) -> Result<(), StorageError> {
                sqlx::query(
                    "UPDATE applicants SET notify_by_email = $2, notify_by_sms = $3, \
                     detailed_reminders = $4 WHERE id = $1",
                )
                .bind(applicant_id)
                .bind(channels.email)
                .bind(channels.sms)
                .bind(channels.detailed_reminders)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_portal_language(
                &self,
                applicant_id: Uuid,
                language: &str,
            ) -> Result<(), StorageError> {
                sqlx::query("UPDATE applicants SET portal_language = $2 WHERE id = $1")
                    .bind(applicant_id)
                    .bind(language)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}

pub(super) use impl_contact_records;
