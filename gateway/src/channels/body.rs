//! Reading a request body under a size limit so that an oversized one is answered, not reset.
//!
//! `axum::body::to_bytes` stops at the limit and drops the body. hyper then closes a connection whose
//! request body was left unread, and the kernel answers the bytes the sender is still writing with a
//! reset, which can destroy the 413 before the sender reads it (the sender sees "broken pipe", not the
//! refusal). Written by hand because neither axum nor hyper has a lingering close: past the limit the rest
//! of the body is read and thrown away, bounded in bytes ([`DRAIN_BYTES`]) and time ([`DRAIN_TIME`]),
//! as nginx does, and only then is the refusal sent. Memory stays bounded by the limit.

use std::time::Duration;

use axum::body::{Body, Bytes};
use futures::StreamExt;

/// Bytes past the limit that are read and discarded before the refusal is sent.
pub const DRAIN_BYTES: usize = 64 * 1024 * 1024;
/// Time the discarding may take.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// It is larger than the limit.
    TooLarge,
    /// The sender went away or sent a broken body.
    Read,
}

/// The body, when it holds at most `limit` bytes.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut collected = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Read)?;
        if collected.len() + chunk.len() > limit {
            let deadline = tokio::time::Instant::now() + DRAIN_TIME;
            let mut drained = collected.len() + chunk.len() - limit;
            drop(collected);
            while drained < DRAIN_BYTES {
                match tokio::time::timeout_at(deadline, stream.next()).await {
                    Ok(Some(Ok(more))) => drained += more.len(),
                    _ => break,
                }
            }
            return Err(BodyError::TooLarge);
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(collected))
}

/// Whether a body that declares `length` bytes is worth draining before refusing it (a declared length
/// far beyond the limit is refused at once).
pub fn drainable(length: usize, limit: usize) -> bool {
    length <= limit.saturating_add(DRAIN_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let body = Body::from(vec![b'x'; 1000]);
        assert_eq!(read_limited(body, 1000).await.unwrap().len(), 1000);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_drained_and_refused() {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..10).map(|_| Ok(vec![b'x'; 100])).collect();
        let body = Body::from_stream(futures::stream::iter(chunks));
        assert_eq!(read_limited(body, 250).await, Err(BodyError::TooLarge));
        assert!(drainable(250 + DRAIN_BYTES, 250));
        assert!(!drainable(251 + DRAIN_BYTES, 250));
    }
}
