//! What an `Idempotency-Key` costs a push on top of reading it: the fingerprint of a 20 MB
//! multipart body fed in 64 KiB chunks (as hyper hands them over), beside plain SHA-256 of the
//! same bytes in the same run. `cargo bench -p server --bench idempotency`; the medians go to
//! standard output, for `docs/performance.md`.

use std::time::{Duration, Instant};

use server::back_office_api::idempotency::Fingerprint;
use sha2::{Digest, Sha256};

const ROUNDS: usize = 20;
const CHUNK: usize = 64 * 1024;

fn median(mut timings: Vec<Duration>) -> Duration {
    timings.sort();
    timings[timings.len() / 2]
}

fn report(label: &str, bytes: usize, timing: Duration) {
    let megabytes = bytes as f64 / 1_000_000.0;
    println!(
        "{label}: median {:.1} ms, {:.0} MB/s",
        timing.as_secs_f64() * 1000.0,
        megabytes / timing.as_secs_f64()
    );
}

fn main() {
    let boundary = "----------------------------3f7e4c8b9d3b5a1e";
    // A PDF-like body: pseudo-random bytes (no accidental boundary), framed as one file part.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let letter: Vec<u8> = (0..20_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.pdf\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&letter);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");

    let fingerprints: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let mut fingerprint = Fingerprint::new("/api/v1/documents", &content_type);
            for chunk in body.chunks(CHUNK) {
                fingerprint.update(chunk);
            }
            std::hint::black_box(fingerprint.finish());
            started.elapsed()
        })
        .collect();
    let plain: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let mut hasher = Sha256::new();
            for chunk in body.chunks(CHUNK) {
                hasher.update(chunk);
            }
            std::hint::black_box(hasher.finalize());
            started.elapsed()
        })
        .collect();
    report(
        "fingerprint (boundary left out)",
        body.len(),
        median(fingerprints),
    );
    report("plain SHA-256, same bytes", body.len(), median(plain));
}
