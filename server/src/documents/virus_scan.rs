//! The optional ClamAV hook. Where `EU_CLAMD_ADDR` names a clamd, each upload is streamed to it
//! (the `INSTREAM` command over TCP) as it streams to storage. A clean verdict makes the document
//! available; a virus refuses it; a scanner that cannot be reached or cannot answer leaves it
//! `pending` — never `clean` — and the rescan job tries again until it can.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
const VERDICT_TIMEOUT: Duration = Duration::from_secs(60);
/// clamd's INSTREAM chunks; its own limit (StreamMaxLength) applies to the whole file.
const MAX_CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature's name, as clamd reports it.
    Infected(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the virus scanner could not be reached: {0}")]
    Unreachable(#[source] std::io::Error),
    #[error("the virus scanner did not answer in time")]
    Timeout,
    #[error("the virus scanner could not scan the file: {0}")]
    Failed(String),
}

/// One file on its way to clamd.
pub struct ScanSession {
    connection: TcpStream,
}

impl ScanSession {
    pub async fn start(address: &str) -> Result<ScanSession, ScanError> {
        let mut connection = timeout(CONNECT_TIMEOUT, TcpStream::connect(address))
            .await
            .map_err(|_| ScanError::Timeout)?
            .map_err(ScanError::Unreachable)?;
        write(&mut connection, b"zINSTREAM\0").await?;
        Ok(ScanSession { connection })
    }

    pub async fn feed(&mut self, bytes: &[u8]) -> Result<(), ScanError> {
        for chunk in bytes.chunks(MAX_CHUNK) {
            let length = u32::try_from(chunk.len()).unwrap_or(u32::MAX).to_be_bytes();
            write(&mut self.connection, &length).await?;
            write(&mut self.connection, chunk).await?;
        }
        Ok(())
    }

    pub async fn finish(mut self) -> Result<Verdict, ScanError> {
        write(&mut self.connection, &0u32.to_be_bytes()).await?;
        let mut reply = Vec::new();
        let read = async {
            let mut buffer = [0u8; 512];
            loop {
                let count = self.connection.read(&mut buffer).await?;
                reply.extend_from_slice(&buffer[..count]);
                if count == 0 || reply.contains(&0) || reply.len() > 4096 {
                    return Ok::<(), std::io::Error>(());
                }
            }
        };
        timeout(VERDICT_TIMEOUT, read)
            .await
            .map_err(|_| ScanError::Timeout)?
            .map_err(ScanError::Unreachable)?;
        let text = String::from_utf8_lossy(&reply);
        parse_reply(text.trim_end_matches(['\0', '\n']))
    }
}

async fn write(connection: &mut TcpStream, bytes: &[u8]) -> Result<(), ScanError> {
    timeout(WRITE_TIMEOUT, connection.write_all(bytes))
        .await
        .map_err(|_| ScanError::Timeout)?
        .map_err(ScanError::Unreachable)
}

/// clamd answers `stream: OK`, `stream: <signature> FOUND` or `… ERROR`.
pub fn parse_reply(reply: &str) -> Result<Verdict, ScanError> {
    let answer = reply.strip_prefix("stream: ").unwrap_or(reply);
    if answer == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(signature) = answer.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(signature.to_owned()));
    }
    Err(ScanError::Failed(answer.chars().take(200).collect()))
}

/// What one pass of the rescan job did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RescanReport {
    pub clean: usize,
    pub infected: usize,
    /// Still pending: the scanner is still out of reach, or the file could not be read.
    pub waiting: usize,
}

/// Scans the documents left pending (oldest first, a batch at a time): a clean one is made
/// available now, an infected one stays out of the account for good.
#[tracing::instrument(skip_all)]
pub async fn rescan_pending(
    services: &crate::Services,
) -> Result<RescanReport, crate::storage::StorageError> {
    use futures::StreamExt;

    use crate::storage::{ActorKind, NewAuditEvent, ScanStatus};

    let mut report = RescanReport::default();
    let Some(address) = services.config.clamd_address.clone() else {
        return Ok(report);
    };
    for document in services.storage.documents_pending_scan(100).await? {
        let verdict = async {
            let mut session = ScanSession::start(&address)
                .await
                .map_err(|e| e.to_string())?;
            let mut content = super::reading::decrypted_content(services, &document)
                .await
                .map_err(|e| e.to_string())?;
            while let Some(piece) = content.next().await {
                session
                    .feed(&piece.map_err(|e| e.to_string())?)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            session.finish().await.map_err(|e| e.to_string())
        }
        .await;
        let (status, action) = match verdict {
            Ok(Verdict::Clean) => (ScanStatus::Clean, "document_scanned_clean"),
            Ok(Verdict::Infected(signature)) => {
                tracing::warn!(document = %document.id, %signature, "a pending document is infected");
                (ScanStatus::Infected, "document_scanned_infected")
            }
            Err(error) => {
                tracing::warn!(document = %document.id, %error, "a pending document is still waiting");
                report.waiting += 1;
                continue;
            }
        };
        let made_available_at = (status == ScanStatus::Clean).then(|| services.clock.now());
        if services
            .storage
            .record_scan_verdict(document.id, status, made_available_at)
            .await?
        {
            services
                .storage
                .append_audit_event(&NewAuditEvent {
                    actor_kind: ActorKind::System,
                    actor_id: None,
                    action,
                    target_kind: Some("document"),
                    target_id: Some(document.id),
                    ip_hash: None,
                    succeeded: status == ScanStatus::Clean,
                })
                .await?;
            match status {
                ScanStatus::Clean => report.clean += 1,
                _ => report.infected += 1,
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_strictly() {
        assert_eq!(parse_reply("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(
            parse_reply("stream: Eicar-Test-Signature FOUND").unwrap(),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert!(parse_reply("INSTREAM size limit exceeded. ERROR").is_err());
        assert!(parse_reply("").is_err());
        assert!(parse_reply("stream: OK but not quite").is_err());
    }
}
