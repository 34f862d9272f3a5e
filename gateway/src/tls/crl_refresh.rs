//! The CRL cache of the consultation zone: CRLs and ARLs from files or `http://` URLs (HPKI publishes
//! them over plain HTTP; their signatures carry the integrity, hpki.md §1.7), loaded at start and
//! reloaded on a schedule. A source that fails keeps its last good copy, so a repository outage does not
//! turn into refusals until that copy's nextUpdate passes (then `revocation = "strict"` refuses).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::hpki::{CrlSet, TrustStore, Verifier};

/// Largest CRL accepted from a URL (real HPKI CRLs are tens of KB).
const MAX_CRL_BYTES: usize = 16 * 1024 * 1024;

/// Loads and reloads the configured CRL sources into a `Verifier`.
pub struct CrlRefresher {
    sources: Vec<String>,
    last_good: HashMap<String, Vec<u8>>,
    client: reqwest::Client,
}

impl CrlRefresher {
    pub fn new(sources: Vec<String>) -> CrlRefresher {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        CrlRefresher {
            sources,
            last_good: HashMap::new(),
            client,
        }
    }

    /// Reads every source once and builds the set; failures are logged and the last good copy is kept.
    pub async fn load(&mut self, trust: &TrustStore) -> CrlSet {
        let mut set = CrlSet::new();
        for source in &self.sources {
            let fetched = match fetch(&self.client, source).await {
                Ok(bytes) => Some(bytes),
                Err(error) => {
                    tracing::warn!(%source, %error, "Cannot load a CRL; keeping the last good copy if any.");
                    None
                }
            };
            let mut accepted = false;
            if let Some(bytes) = fetched {
                match set.add(&bytes, trust) {
                    Ok(info) => {
                        tracing::debug!(%source, issuer = %info.issuer, revoked = info.revoked, "CRL loaded.");
                        self.last_good.insert(source.clone(), bytes);
                        accepted = true;
                    }
                    Err(error) => {
                        tracing::warn!(%source, %error, "CRL refused; keeping the last good copy if any.")
                    }
                }
            }
            if !accepted {
                if let Some(bytes) = self.last_good.get(source) {
                    let _ = set.add(bytes, trust);
                }
            }
        }
        set
    }

    /// Reloads every `every` until `stop` is cancelled, replacing the verifier's CRLs each time.
    pub async fn run(mut self, verifier: Arc<Verifier>, every: Duration, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            let set = self.load(verifier.trust()).await;
            verifier.replace_crls(set);
        }
    }
}

async fn fetch(client: &reqwest::Client, source: &str) -> Result<Vec<u8>, String> {
    if source.starts_with("https://") {
        return Err("https CRL URLs are not supported; HPKI publishes CRLs over http".into());
    }
    if source.starts_with("http://") {
        let response = client.get(source).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_CRL_BYTES as u64)
        {
            return Err("larger than 16 MiB".into());
        }
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        if bytes.len() > MAX_CRL_BYTES {
            return Err("larger than 16 MiB".into());
        }
        return Ok(bytes.to_vec());
    }
    tokio::fs::read(source).await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpki::{Authority, RevocationMode};
    use time::{Duration as Days, OffsetDateTime};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Serves `body` over plain HTTP on loopback until the returned token is cancelled.
    async fn serve_once_per_connection(body: Vec<u8>) -> (String, CancellationToken) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/crl-auth.crl", listener.local_addr().unwrap());
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = tokio::select! {
                    _ = stopped.cancelled() => return,
                    accepted = listener.accept() => accepted.unwrap(),
                };
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            }
        });
        (url, stop)
    }

    #[tokio::test]
    async fn crls_come_from_urls_and_files_and_the_last_good_copy_is_kept() {
        let now = OffsetDateTime::now_utc();
        let (start, end) = (now - Days::days(1), now + Days::days(30));
        let root = Authority::root("Refresh Test Root", start, end).unwrap();
        let ca = root
            .sub_ca(
                "Refresh Test CA",
                crate::hpki::oids::AUTHENTICATION_CA_POLICY,
                2,
                start,
                end,
            )
            .unwrap();
        let trust =
            TrustStore::from_der(vec![root.cert_der.clone()], vec![ca.cert_der.clone()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let arl = dir.path().join("root.arl.der");
        std::fs::write(&arl, root.crl(1, start, end, &[], true).unwrap()).unwrap();
        let garbage = dir.path().join("garbage.crl");
        std::fs::write(&garbage, b"not a CRL").unwrap();
        let (url, stop_server) =
            serve_once_per_connection(ca.crl(1, start, end, &[], false).unwrap()).await;

        let sources = vec![
            url,
            arl.display().to_string(),
            garbage.display().to_string(),
            dir.path().join("missing.crl").display().to_string(),
        ];
        let mut refresher = CrlRefresher::new(sources);
        assert_eq!(refresher.load(&trust).await.len(), 2);
        stop_server.cancel();
        std::fs::remove_file(&arl).unwrap();
        assert_eq!(
            refresher.load(&trust).await.len(),
            2,
            "an unreachable source keeps its last good copy"
        );

        let verifier = Arc::new(Verifier::new(
            TrustStore::from_der(vec![root.cert_der.clone()], vec![ca.cert_der.clone()]).unwrap(),
            CrlSet::new(),
            RevocationMode::Strict,
        ));
        let stop = CancellationToken::new();
        let task =
            tokio::spawn(refresher.run(verifier.clone(), Duration::from_millis(10), stop.clone()));
        for _ in 0..200 {
            if verifier.crls().len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(verifier.crls().len(), 2, "the schedule replaced the CRLs");
        stop.cancel();
        task.await.unwrap();
    }

    #[tokio::test]
    async fn https_urls_are_refused() {
        let client = reqwest::Client::new();
        assert!(fetch(&client, "https://example.invalid/x.crl")
            .await
            .is_err());
    }
}
