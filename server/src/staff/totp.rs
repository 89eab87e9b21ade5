//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as every
//! authenticator app speaks them. Staff must use one. A code is accepted for the current step
//! and one step either side (clock drift), and never twice: the caller records the step used
//! and refuses any step not after it.

use hmac::{Hmac, Mac};
use rand::{TryRngCore, rngs::OsRng};
use sha1::Sha1;

use crate::secret::Secret;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
const SECRET_BYTES: usize = 20;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random secret, base32 (RFC 4648, no padding), as authenticator apps take it.
pub fn generate_secret() -> Secret {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random generator is unavailable");
    Secret::new(base32_encode(&bytes))
}

/// Whether a secret (as sent back by the enrolment form) is one we could have made: base32 of
/// at least 128 bits. A shorter one would make codes guessable offline.
pub fn is_strong_secret(secret: &str) -> bool {
    base32_decode(secret).is_some_and(|key| key.len() >= 16)
}

/// The `otpauth://` address an authenticator app reads (typed, or from a QR code).
pub fn provisioning_uri(secret: &Secret, account: &str, issuer: &str) -> String {
    let label = url::form_urlencoded::byte_serialize(format!("{issuer}:{account}").as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let issuer_param = url::form_urlencoded::byte_serialize(issuer.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{label}?secret={}&issuer={issuer_param}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        secret.expose()
    )
}

/// The provisioning address as a QR code, in SVG to put inline in the page: drawn here, so no
/// image service ever sees the secret. Sized by its view box; the page's style sizes it.
pub fn qr_code_svg(provisioning_uri: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(provisioning_uri, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build();
    // The XML declaration has no place inside HTML.
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

/// The step a typed code matches at `unix_time` (within one step of drift), if any.
pub fn matching_step(secret: &str, typed: &str, unix_time: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let key = base32_decode(secret)?;
    let now = unix_time.div_euclid(STEP_SECONDS);
    (now - 1..=now + 1).find(|step| {
        let expected = code_at(&key, *step, DIGITS);
        // Constant-time comparison of the six digits.
        expected
            .bytes()
            .zip(typed.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    })
}

/// The code an app shows at `unix_time` (for the demo and for tests that play the app).
pub fn code_at_time(secret: &str, unix_time: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    Some(code_at(&key, unix_time.div_euclid(STEP_SECONDS), DIGITS))
}

fn code_at(key: &[u8], step: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let value = BASE32
            .iter()
            .position(|&b| char::from(b) == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 are the 6-digit code).
    #[test]
    fn rfc_6238_vectors() {
        let key = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at(key, time / STEP_SECONDS, 8), expected, "{time}");
        }
    }

    #[test]
    fn codes_match_within_one_step_of_drift_only() {
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let step = 1111111109 / STEP_SECONDS;
        assert_eq!(matching_step(&secret, "081804", 1111111109), Some(step));
        assert_eq!(
            matching_step(&secret, "081 804", 1111111109 + 30),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, "081804", 1111111109 - 30),
            Some(step)
        );
        assert_eq!(matching_step(&secret, "081804", 1111111109 + 90), None);
        assert_eq!(matching_step(&secret, "81804", 1111111109), None);
        assert_eq!(matching_step(&secret, "abcdef", 1111111109), None);
    }

    #[test]
    fn secrets_round_trip_and_the_uri_names_issuer_and_account() {
        let secret = generate_secret();
        assert_eq!(secret.expose().len(), 32);
        assert_eq!(base32_decode(secret.expose()).unwrap().len(), SECRET_BYTES);
        assert!(is_strong_secret(secret.expose()));
        assert!(!is_strong_secret("AAAAAAAA"));
        assert!(!is_strong_secret("not base32!"));
        let uri = provisioning_uri(&secret, "agent@office.example", "Espace usager");
        let svg = qr_code_svg(&uri).expect("an otpauth address fits a QR code");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            !svg.contains(secret.expose()),
            "the SVG draws the secret, never spells it"
        );
        assert!(uri.starts_with("otpauth://totp/Espace%20usager%3Aagent%40office.example?secret="));
        assert!(uri.ends_with("&issuer=Espace+usager&algorithm=SHA1&digits=6&period=30"));
    }
}
