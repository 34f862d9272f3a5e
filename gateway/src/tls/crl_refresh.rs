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
