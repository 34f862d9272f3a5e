//! Starting the real gateway for a test: port 0 for every listener, a temporary data folder, and either
//! the embedded SQLite store or a fresh PostgreSQL database; talking to it over real HTTP.

use std::net::SocketAddr;

use kakehashi::config::Settings;
use kakehashi::startup::Application;
use serde_json::Value;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A running gateway; it stops when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT/fhir`
    pub base: String,
    pub admin: String,
    pub client: reqwest::Client,
    /// The database the gateway uses (`sqlite://…` or `postgres://…`), for tests that inspect it.
    pub database_url: String,
    /// The consultation zone's HTTPS address.
    pub consultation: SocketAddr,
    /// The MLLP listener's address (HL7 v2 over TCP).
    pub mllp: SocketAddr,
    /// `http://127.0.0.1:PORT` of the hospital zone (for `POST /hl7v2`).
    pub hospital: String,
    /// The data folder (the development PKI is generated into `dev-pki/` there).
    pub data_dir: std::path::PathBuf,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

pub async fn spawn_app_with(db: Db, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        data_dir: dir.path().join("data"),
        ..Settings::default()
    };
    settings.hospital.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.admin.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.consultation.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.mllp.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    if db == Db::Postgres {
        settings.database.url = crate::pg::fresh_database_url().await;
    }
    adjust(&mut settings);
    let app = Application::build(&settings)
        .await
        .expect("the gateway starts");
    let base = format!("http://{}/fhir", app.hospital_addr);
    let admin = format!("http://{}", app.admin_addr);
    let consultation = app.consultation_addr.expect("consultation zone enabled");
    let mllp = app.mllp_addr.expect("MLLP listener enabled");
    let hospital = format!("http://{}", app.hospital_addr);
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        admin,
        client: reqwest::Client::new(),
        database_url: settings.database_url(),
        consultation,
        mllp,
        hospital,
        data_dir: settings.data_dir.clone(),
        _stop: stop,
        _dir: dir,
    }
}

/// A response read whole: status, headers and the body as JSON (Null when empty).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first issue of an OperationOutcome body: (code, expression).
    pub fn issue(&self) -> (String, Option<String>) {
        assert_eq!(
            self.body["resourceType"], "OperationOutcome",
            "expected an OperationOutcome, got {}",
            self.body
        );
        let issue = &self.body["issue"][0];
        (
            issue["code"].as_str().unwrap_or_default().to_string(),
            issue["expression"][0].as_str().map(str::to_string),
        )
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .post(self.url(path))
                .header("content-type", "application/fhir+json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .put(self.url(path))
                .header("content-type", "application/fhir+json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.client.delete(self.url(path))).await
    }

    /// The total of a search, via `_summary=count`.
    pub async fn count(&self, query: &str) -> i64 {
        let sep = if query.contains('?') { '&' } else { '?' };
        let reply = self.get(&format!("{query}{sep}_summary=count")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body["total"].as_i64().expect("total")
    }
}

/// Declares `sqlite` and `postgres` tests running the same async test function on each backend.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(&$crate::helpers::spawn_app($crate::helpers::Db::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(&$crate::helpers::spawn_app($crate::helpers::Db::Postgres).await).await
            }
        }
    )*};
}

/// Runs each named `async fn(Db)` of the calling module as two tests, on SQLite and on PostgreSQL (for
/// tests that start their own app with adjusted settings; `on_both_databases!` passes a default app).
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::helpers::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::helpers::Db::Postgres).await
            }
        }
    )*};
}
pub(crate) use on_both;
