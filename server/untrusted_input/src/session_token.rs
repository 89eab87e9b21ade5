//! Short-lived session tokens: a JWT signed with the newest signing key (HS256, `kid` in the
//! header), refreshed from a server-side session row that can be revoked at once.
//!
//! Verification trusts nothing in the token before the signature is checked: the algorithm is
//! fixed to HS256 (an `alg` of `none`, RS256 or HS512 is refused), the key is looked up by `kid`
//! among our own keys, and `exp`, `iat`, `aud`, `iss`, `sub` and `sid` are all required.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::signing_keys::SigningKeys;

/// Who a token is for; an applicant's token never opens a staff route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Applicant,
    Staff,
    /// Between a correct password and the second factor: names the code that was sent.
    PendingSignIn,
    /// Between a password-reset request and its code: names the code that was sent (or nobody).
    PendingReset,
    /// A browser an applicant signed in on before (OWASP's device cookie): `sub` is the
    /// applicant, `sid` the device. It lets that browser past the brake that strangers' failures
    /// put on the number; it signs nobody in.
    KnownApplicantDevice,
    /// The same for a staff member's browser.
    KnownStaffDevice,
    /// The password was typed again in session `sid`, a moment ago: changes that could hand
    /// the account to someone else are allowed for a few minutes.
    StepUp,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Applicant => "espace-usager:applicant",
            Audience::Staff => "espace-usager:staff",
            Audience::PendingSignIn => "espace-usager:pending-sign-in",
            Audience::PendingReset => "espace-usager:pending-reset",
            Audience::KnownApplicantDevice => "espace-usager:known-applicant-device",
            Audience::KnownStaffDevice => "espace-usager:known-staff-device",
            Audience::StepUp => "espace-usager:step-up",
        }
    }

    /// How long a token of this audience is good for.
    pub fn lifetime(self) -> Duration {
        match self {
            Audience::KnownApplicantDevice | Audience::KnownStaffDevice => KNOWN_DEVICE_LIFETIME,
            Audience::StepUp => STEP_UP_LIFETIME,
            _ => TOKEN_LIFETIME,
        }
    }
}

/// How long a token lives before it must be refreshed from its session row.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(10);
/// How long a typed password allows changes of where codes and alerts go.
pub const STEP_UP_LIFETIME: Duration = Duration::minutes(5);
/// How long a browser stays known after its last sign-in.
pub const KNOWN_DEVICE_LIFETIME: Duration = Duration::days(180);
/// Clock difference tolerated between instances.
const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub iss: String,
    pub aud: String,
    /// The applicant or staff member.
    pub sub: Uuid,
    /// The session row, checked on refresh so that revocation takes effect.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the session token is not valid")]
    Invalid,
    #[error("the session token has expired")]
    Expired,
}

pub struct SessionTokens<'a> {
    keys: &'a SigningKeys,
    issuer: &'a str,
}

impl<'a> SessionTokens<'a> {
    /// `issuer` is the portal's public origin, so that tokens of another deployment are refused.
    pub fn new(keys: &'a SigningKeys, issuer: &'a str) -> SessionTokens<'a> {
        SessionTokens { keys, issuer }
    }

    pub fn issue(
        &self,
        audience: Audience,
        subject: Uuid,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> String {
        let key = self.keys.current();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        let claims = SessionClaims {
            iss: self.issuer.to_owned(),
            aud: audience.as_str().to_owned(),
            sub: subject,
            sid: session,
            iat: now.timestamp(),
            exp: (now + audience.lifetime()).timestamp(),
        };
        encode(&header, &claims, &EncodingKey::from_secret(&key.secret))
            .expect("HS256 signing cannot fail")
    }

    /// The claims of a token this portal signed for `audience`, valid at `now` (the portal's
    /// clock, so that tests move time instead of waiting).
    pub fn verify(
        &self,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<SessionClaims, TokenError> {
        self.check(token, audience, Some(now), now)
    }

    /// Like `verify`, but an expired token is accepted, so that it can be refreshed after its
    /// session row has been checked. Signature, algorithm, audience and issuer are still checked.
    pub fn verify_for_refresh(
        &self,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<SessionClaims, TokenError> {
        self.check(token, audience, None, now)
    }

    fn check(
        &self,
        token: &str,
        audience: Audience,
        expires_check: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<SessionClaims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.find(kid))
            .ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "aud", "iss", "sub"]);
        validation.set_audience(&[audience.as_str()]);
        validation.set_issuer(&[self.issuer]);
        validation.leeway = LEEWAY_SECONDS;
        // Expiry is checked below against the portal's clock, not the library's.
        validation.validate_exp = false;
        let data =
            decode::<SessionClaims>(token, &DecodingKey::from_secret(&key.secret), &validation)
                .map_err(|_| TokenError::Invalid)?;
        let leeway = LEEWAY_SECONDS as i64;
        // A token issued in the future was not issued by us.
        if data.claims.iat > now.timestamp() + leeway {
            return Err(TokenError::Invalid);
        }
        if let Some(at) = expires_check
            && data.claims.exp + leeway < at.timestamp()
        {
            return Err(TokenError::Expired);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use hmac::{Hmac, Mac};
    use serde_json::json;
    use sha2::Sha256;

    use super::*;

    const ISSUER: &str = "https://portal.example.org";

    fn keys() -> (tempfile::TempDir, SigningKeys) {
        let folder = tempfile::tempdir().unwrap();
        let keys = SigningKeys::load_or_create(folder.path()).unwrap();
        (folder, keys)
    }

    /// Signs arbitrary header and claims with our own key, as an attacker who could not forge
    /// a signature would not, to prove that every check holds beyond the signature itself.
    fn signed(secret: &[u8], header: serde_json::Value, claims: serde_json::Value) -> String {
        let head = URL_SAFE_NO_PAD.encode(header.to_string());
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{head}.{body}").as_bytes());
        format!(
            "{head}.{body}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn valid_claims() -> serde_json::Value {
        let now = Utc::now().timestamp();
        json!({ "iss": ISSUER, "aud": Audience::Applicant.as_str(), "sub": Uuid::new_v4(),
                "sid": Uuid::new_v4(), "iat": now, "exp": now + 600 })
    }

    #[test]
    fn a_token_verifies_for_its_audience_only() {
        let (_folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let (subject, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = tokens.issue(Audience::Applicant, subject, session, Utc::now());
        let claims = tokens
            .verify(&token, Audience::Applicant, Utc::now())
            .unwrap();
        assert_eq!((claims.sub, claims.sid), (subject, session));
        assert_eq!(
            tokens.verify(&token, Audience::Staff, Utc::now()),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let (_folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let token = tokens.issue(
            Audience::Applicant,
            Uuid::new_v4(),
            Uuid::new_v4(),
            Utc::now(),
        );
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["sub"] = json!(Uuid::new_v4());
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert_eq!(
            tokens.verify(&parts.join("."), Audience::Applicant, Utc::now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            tokens.verify("not.a.token", Audience::Applicant, Utc::now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            tokens.verify("", Audience::Applicant, Utc::now()),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn swapped_algorithms_are_refused() {
        let (_folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let kid = keys.current().kid.clone();
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string()),
            URL_SAFE_NO_PAD.encode(valid_claims().to_string())
        );
        assert_eq!(
            tokens.verify(&unsigned, Audience::Applicant, Utc::now()),
            Err(TokenError::Invalid)
        );
        for alg in ["HS512", "RS256", "EdDSA"] {
            let token = signed(
                &keys.current().secret,
                json!({"alg": alg, "kid": kid}),
                valid_claims(),
            );
            assert_eq!(
                tokens.verify(&token, Audience::Applicant, Utc::now()),
                Err(TokenError::Invalid),
                "{alg}"
            );
        }
        // The same forged-header path with HS256 is accepted: the refusals above are the algorithm's.
        let token = signed(
            &keys.current().secret,
            json!({"alg": "HS256", "kid": kid}),
            valid_claims(),
        );
        assert!(
            tokens
                .verify(&token, Audience::Applicant, Utc::now())
                .is_ok()
        );
    }

    #[test]
    fn expired_foreign_or_incomplete_tokens_are_refused() {
        let (_folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let old = tokens.issue(
            Audience::Applicant,
            Uuid::new_v4(),
            Uuid::new_v4(),
            Utc::now() - Duration::hours(1),
        );
        assert_eq!(
            tokens.verify(&old, Audience::Applicant, Utc::now()),
            Err(TokenError::Expired)
        );

        let kid = keys.current().kid.clone();
        let secret = keys.current().secret.clone();
        let header = json!({"alg": "HS256", "kid": kid});
        let mut foreign_issuer = valid_claims();
        foreign_issuer["iss"] = json!("https://other.example.org");
        let mut future = valid_claims();
        future["iat"] = json!(Utc::now().timestamp() + 3600);
        future["exp"] = json!(Utc::now().timestamp() + 7200);
        let mut string_exp = valid_claims();
        string_exp["exp"] = json!((Utc::now().timestamp() - 100).to_string());
        let mut cases = vec![foreign_issuer, future, string_exp];
        for claim in ["exp", "iat", "aud", "iss", "sub", "sid"] {
            let mut missing = valid_claims();
            missing.as_object_mut().unwrap().remove(claim);
            cases.push(missing);
        }
        for claims in cases {
            let token = signed(&secret, header.clone(), claims.clone());
            assert!(
                tokens
                    .verify(&token, Audience::Applicant, Utc::now())
                    .is_err(),
                "accepted {claims}"
            );
        }
    }

    #[test]
    fn expiry_follows_the_portal_s_clock_not_the_machine_s() {
        let (_folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let issued = Utc::now();
        let token = tokens.issue(Audience::StepUp, Uuid::new_v4(), Uuid::new_v4(), issued);
        let later = issued + Audience::StepUp.lifetime() + Duration::minutes(1);
        assert!(tokens.verify(&token, Audience::StepUp, issued).is_ok());
        assert_eq!(
            tokens.verify(&token, Audience::StepUp, later),
            Err(TokenError::Expired)
        );
        // Refreshing reads an expired token's claims; a token from the future is still refused.
        assert!(
            tokens
                .verify_for_refresh(&token, Audience::StepUp, later)
                .is_ok()
        );
        let before = issued - Duration::minutes(5);
        assert_eq!(
            tokens.verify_for_refresh(&token, Audience::StepUp, before),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_rotated_keys_still_verify() {
        let (folder, keys) = keys();
        let tokens = SessionTokens::new(&keys, ISSUER);
        let token = tokens.issue(Audience::Staff, Uuid::new_v4(), Uuid::new_v4(), Utc::now());

        let (_other_folder, other_keys) = self::keys();
        let other = SessionTokens::new(&other_keys, ISSUER);
        assert_eq!(
            other.verify(&token, Audience::Staff, Utc::now()),
            Err(TokenError::Invalid)
        );

        // Rotation: a newer key file signs, the old one still verifies.
        std::fs::write(
            folder.path().join("99999999T999999.key"),
            base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            folder.path().join("99999999T999999.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let rotated = SigningKeys::load_or_create(folder.path()).unwrap();
        let after = SessionTokens::new(&rotated, ISSUER);
        assert!(after.verify(&token, Audience::Staff, Utc::now()).is_ok());
        let fresh = after.issue(Audience::Staff, Uuid::new_v4(), Uuid::new_v4(), Utc::now());
        assert_eq!(
            decode_header(&fresh).unwrap().kid.as_deref(),
            Some("99999999T999999")
        );
    }
}
