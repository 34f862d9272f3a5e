//! `TrustStore`: the configured trust anchors (e.g. the MHLW HPKI root) and intermediates (e.g. the
//! MEDIS/JMA sub-CAs), parsed once and indexed by raw subject DN.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cert::CertInfo;
use super::facts::read_certificates;
use super::HpkiError;

/// Anchors and configured intermediates. Only anchors end a path; a certificate presented by a peer
/// is never an anchor, even when self-signed.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Arc<CertInfo>>,
    intermediates: Vec<Arc<CertInfo>>,
    /// raw subject DN → (is anchor, index)
    by_subject: HashMap<Vec<u8>, Vec<(bool, usize)>>,
}

impl TrustStore {
    /// Builds a store from DER certificates.
    pub fn from_der(
        anchors: Vec<Vec<u8>>,
        intermediates: Vec<Vec<u8>>,
    ) -> Result<TrustStore, HpkiError> {
        let mut store = TrustStore::default();
        for der in anchors {
            let info = Arc::new(CertInfo::from_der(der)?);
            store.index(true, store.anchors.len(), &info);
            store.anchors.push(info);
        }
        for der in intermediates {
            let info = Arc::new(CertInfo::from_der(der)?);
            store.index(false, store.intermediates.len(), &info);
            store.intermediates.push(info);
        }
        Ok(store)
    }

    /// Loads anchors and intermediates from files (PEM bundle or DER) or directories of such files
    /// (`.pem`, `.crt`, `.cer`, `.der`, read in name order).
    pub fn load(
        anchor_paths: &[PathBuf],
        intermediate_paths: &[PathBuf],
    ) -> Result<TrustStore, HpkiError> {
        TrustStore::from_der(read_all(anchor_paths)?, read_all(intermediate_paths)?)
    }

    /// Raw DER subject names of anchors and intermediates (TLS CertificateRequest hints).
    pub fn subjects(&self) -> Vec<Vec<u8>> {
        let mut seen = std::collections::HashSet::new();
        self.anchors
            .iter()
            .chain(&self.intermediates)
            .filter(|c| seen.insert(c.subject_raw.clone()))
            .map(|c| c.subject_raw.clone())
            .collect()
    }

    pub fn anchor_count(&self) -> usize {
        self.anchors.len()
    }

    pub fn intermediate_count(&self) -> usize {
        self.intermediates.len()
    }

    fn index(&mut self, anchor: bool, at: usize, info: &CertInfo) {
        self.by_subject
            .entry(info.subject_raw.clone())
            .or_default()
            .push((anchor, at));
    }

    /// Configured certificates with this raw subject: anchors first, then intermediates.
    pub(crate) fn named(&self, subject_raw: &[u8]) -> Vec<(bool, &Arc<CertInfo>)> {
        let Some(entries) = self.by_subject.get(subject_raw) else {
            return Vec::new();
        };
        let mut out: Vec<(bool, &Arc<CertInfo>)> = entries
            .iter()
            .filter_map(|&(anchor, i)| {
                let list = if anchor {
                    &self.anchors
                } else {
                    &self.intermediates
                };
                list.get(i).map(|c| (anchor, c))
            })
            .collect();
        out.sort_by_key(|(anchor, _)| !anchor);
        out
    }
}

/// Every certificate (DER) found in the given files and directories.
pub(crate) fn read_all(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, HpkiError> {
    let mut out = Vec::new();
    for path in paths {
        for file in files_in(path, &["pem", "crt", "cer", "der"])? {
            let bytes = read_file(&file)?;
            let certs = read_certificates(&bytes)
                .map_err(|e| HpkiError::Malformed(format!("{}: {e}", file.display())))?;
            out.extend(certs);
        }
    }
    Ok(out)
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, HpkiError> {
    std::fs::read(path).map_err(|source| HpkiError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `path` itself when it is a file; its files with one of `extensions` (sorted) when a directory.
pub(crate) fn files_in(path: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, HpkiError> {
    let io = |source| HpkiError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        let wanted = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if wanted && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/hpki/");

    #[test]
    fn loads_files_and_directories() {
        let store = TrustStore::load(
            &[PathBuf::from(format!(
                "{DIR}real-ca/mhlw_hpki_root_ca_v2.pem"
            ))],
            &[PathBuf::from(format!("{DIR}real-ca"))],
        )
        .unwrap();
        assert_eq!(store.anchor_count(), 1);
        // real-ca holds the root and two sub-CAs, each as .pem and .der.
        assert_eq!(store.intermediate_count(), 6);
        // Distinct subjects: root, MEDIS sign CA, MEDIS auth CA.
        assert_eq!(store.subjects().len(), 3);
        assert!(matches!(
            TrustStore::load(&[PathBuf::from("/nonexistent/x.pem")], &[]),
            Err(HpkiError::Io { .. })
        ));
        assert!(matches!(
            TrustStore::load(&[PathBuf::from(format!("{DIR}real-ca/NOTES.md"))], &[]),
            Err(HpkiError::Malformed(_))
        ));
    }
}
