//! A small HTTPS client for the consultation zone: real TCP, real TLS (rustls) with a client
//! certificate chosen per test, HTTP/1.1 via hyper; one connection per request unless kept.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, SupportedProtocolVersion};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub struct MtlsClient {
    addr: SocketAddr,
    config: Arc<ClientConfig>,
}

/// An open HTTP/1.1 connection over mutual TLS.
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl MtlsClient {
    pub fn new(
        addr: SocketAddr,
        server_roots: &[CertificateDer<'static>],
        identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> MtlsClient {
        let config = kakehashi::tls::client::client_config(server_roots, identity, versions)
            .expect("client TLS configuration");
        MtlsClient { addr, config }
    }

    /// Connects and completes the TLS handshake (from the client's side: in TLS 1.3 the server may still
    /// refuse the certificate afterwards, which the first request then sees).
    pub async fn connect(&self) -> Result<Connection, String> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let tls = TlsConnector::from(self.config.clone())
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(Connection { sender })
    }

    /// One request on a new connection: status and JSON body, or why it failed.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        self.connect().await?.request(method, path, body).await
    }

    /// One request with a body of another media type (e.g. a signed XML document): status and JSON body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        let mut connection = self.connect().await?;
        let (status, body) = connection
            .exchange_bytes(method, path, content_type, Bytes::from(body))
            .await?;
        Ok((status, json_of(&body)?))
    }
}

/// The body as JSON (Null when empty).
fn json_of(body: &Bytes) -> Result<Value, String> {
    if body.is_empty() {
        Ok(Value::Null)
    } else {
        serde_json::from_slice(body).map_err(|e| format!("body: {e}"))
    }
}

impl Connection {
    /// Sends one request and reads the whole answer: status and body bytes.
    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Bytes), String> {
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        self.exchange_bytes(method, path, "application/fhir+json", Bytes::from(bytes))
            .await
    }

    async fn exchange_bytes(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        bytes: Bytes,
    ) -> Result<(u16, Bytes), String> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost")
            .header("content-type", content_type)
            .body(Full::new(bytes))
            .unwrap();
        // The previous exchange may still be finishing on the connection's task.
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection: {e}"))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    /// A GET whose body is read but not parsed (for the load generator): status and body length.
    pub async fn fetch(&mut self, path: &str) -> Result<(u16, usize), String> {
        let (status, body) = self.exchange("GET", path, None).await?;
        Ok((status, body.len()))
    }

    /// One request: status and the body as JSON (Null when empty).
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let (status, body) = self.exchange(method, path, body).await?;
        Ok((status, json_of(&body)?))
    }
}
