//! Idempotent pushes (`Idempotency-Key`, as in the IETF draft and Stripe's API): a back office
//! that lost the answer to a push sends the same request again with the same key and gets the
//! first answer, not a second document. The same key with another request is a 422; a retry
//! while the first still runs is a 409. A failure of the portal (5xx) keeps no answer, so the
//! retry runs. Keys are the API key's own and are forgotten after a day.
//!
//! "The same request" is judged on what the portal reads, not on the bytes: a multipart body
//! carries a boundary that most clients draw at random for every send, so the fingerprint skips
//! every occurrence of it.

use chrono::Duration;
use sha2::{Digest, Sha256};

use refusal::Code;

/// How long a key answers retries.
pub const KEPT_FOR: Duration = Duration::hours(24);
/// A claim this old with no answer belongs to an instance that died: a retry takes it over.
/// Far beyond the longest push (the body has arrived whole before the push runs; a bulk push
/// of 1,000 letters takes seconds), and the claim's token keeps a late first request from
/// answering for the second.
pub const STALE_AFTER: Duration = Duration::hours(1);

/// A key as the header gives it: 1 to 255 visible ASCII characters (a UUID, usually).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(header: &[u8]) -> Result<IdempotencyKey, Code> {
        let visible = header.iter().all(|byte| (0x21..=0x7e).contains(byte));
        if header.is_empty() || header.len() > 255 || !visible {
            return Err(Code::IdempotencyKey);
        }
        Ok(IdempotencyKey(String::from_utf8_lossy(header).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SHA-256 of a request with each multipart delimiter (`--` and the boundary) counted as one
/// fixed marker, fed chunk by chunk as the body streams in. Where a delimiter straddles two
/// chunks, the bytes that could begin one wait for the next chunk.
pub struct Fingerprint {
    hasher: Sha256,
    boundary: memchr::memmem::Finder<'static>,
    pending: Vec<u8>,
}

impl Fingerprint {
    /// `route` and `content_type` (without its boundary) are part of what the request is.
    pub fn new(route: &str, content_type: &str) -> Fingerprint {
        let (kind, boundary) = split_boundary(content_type);
        let boundary = if boundary.is_empty() {
            boundary
        } else {
            format!("--{boundary}")
        };
        let mut hasher = Sha256::new();
        for part in [route, "\n", kind.as_str(), "\n"] {
            hasher.update(part.as_bytes());
        }
        Fingerprint {
            hasher,
            boundary: memchr::memmem::Finder::new(boundary.as_bytes()).into_owned(),
            pending: Vec::new(),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        let length = self.boundary.needle().len();
        if length == 0 {
            self.hasher.update(chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(at) = self.boundary.find(&self.pending[start..]) {
            self.hasher.update(&self.pending[start..start + at]);
            self.hasher.update(DELIMITER);
            start += at + length;
        }
        // Keep what could be the start of a boundary cut by the chunk's end.
        let keep = (length - 1).min(self.pending.len() - start);
        let safe = self.pending.len() - keep;
        self.hasher.update(&self.pending[start..safe]);
        self.pending.drain(..safe);
    }

    pub fn finish(mut self) -> String {
        self.hasher.update(&self.pending);
        self.hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// What stands for each delimiter in the fingerprint: a byte sequence no boundary can hold.
const DELIMITER: &[u8] = b"\0delimiter\0";

/// `multipart/form-data; boundary=xyz` → (`multipart/form-data`, `xyz`).
fn split_boundary(content_type: &str) -> (String, String) {
    let mut kind = String::new();
    let mut boundary = String::new();
    for (index, part) in content_type.split(';').enumerate() {
        let part = part.trim();
        if index == 0 {
            kind = part.to_ascii_lowercase();
        } else if let Some(value) = part
            .split_once('=')
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, value)| value.trim().trim_matches('"'))
        {
            boundary = value.to_owned();
        }
    }
    (kind, boundary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(content_type: &str, chunks: &[&[u8]]) -> String {
        let mut fingerprint = Fingerprint::new("/api/v1/documents", content_type);
        for chunk in chunks {
            fingerprint.update(chunk);
        }
        fingerprint.finish()
    }

    #[test]
    fn a_key_is_visible_ascii_of_a_sensible_length() {
        assert!(IdempotencyKey::parse(b"5f0c1c9e-8a7b-4c53-9a55-2f4a1f1c0b6d").is_ok());
        for bad in [
            &b""[..],
            b"two words",
            b"tab\there",
            "clé".as_bytes(),
            &[b'a'; 256],
        ] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(Code::IdempotencyKey),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_same_request_with_another_boundary_has_the_same_fingerprint() {
        let body = |b: &str| {
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nConvocation\r\n--{b}--\r\n"
            )
        };
        let first = body("aaaaaaaa");
        let second = body("0123456789abcdef0123");
        let one = fingerprint(
            "multipart/form-data; boundary=aaaaaaaa",
            &[first.as_bytes()],
        );
        // Cut anywhere, even inside a boundary, the stream gives the same fingerprint.
        for cut in 0..second.len() {
            let (head, tail) = second.as_bytes().split_at(cut);
            let two = fingerprint(
                "multipart/form-data; boundary=\"0123456789abcdef0123\"",
                &[head, tail],
            );
            assert_eq!(one, two, "cut at {cut}");
        }
        let other = body("aaaaaaaa").replace("Convocation", "Décision");
        let three = fingerprint(
            "multipart/form-data; boundary=aaaaaaaa",
            &[other.as_bytes()],
        );
        assert_ne!(one, three, "another title is another request");
    }

    #[test]
    fn content_that_holds_the_boundary_is_still_part_of_the_request() {
        // A short boundary may appear in the content (without its `--`): it stays counted.
        let body = |title: &str| format!("--x\r\nname=\"title\"\r\n\r\n{title}\r\n--x--\r\n");
        let boxed = fingerprint("multipart/form-data; boundary=x", &[body("Box").as_bytes()]);
        let bo = fingerprint("multipart/form-data; boundary=x", &[body("Bo").as_bytes()]);
        assert_ne!(boxed, bo);
    }

    #[test]
    fn the_route_is_part_of_the_request() {
        let mut bulk =
            Fingerprint::new("/api/v1/documents/bulk", "multipart/form-data; boundary=x");
        bulk.update(b"--x--");
        assert_ne!(
            bulk.finish(),
            fingerprint("multipart/form-data; boundary=x", &[b"--x--"])
        );
    }
}
