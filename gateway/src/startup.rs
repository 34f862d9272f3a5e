//! Building the running gateway: open the store, bind every listener (port 0 allowed; the bound address
//! is reported), serve until shutdown, then let in-flight requests finish and close the store.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::channels::fhir_rest::{self, RestState};
use crate::config::Settings;
use crate::metrics::{self, Metrics};
use crate::pipeline::{Fhir, Paging};
use crate::store::Store;
use crate::zones::admin::{self, AdminState};

/// A gateway whose listeners are bound and whose store is open, ready to serve.
pub struct Application {
    pub hospital_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub store: Store,
    hospital: (TcpListener, Router),
    admin: (TcpListener, Router),
}

/// Why start-up failed, so `main` can choose the exit code.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the data folder {0}: {1}")]
    DataDir(String, std::io::Error),
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Application, StartError> {
        if settings.database.url.is_empty() {
            std::fs::create_dir_all(&settings.data_dir)
                .map_err(|e| StartError::DataDir(settings.data_dir.display().to_string(), e))?;
        }
        let store =
            Store::open(&settings.database_url(), settings.database.max_connections).await?;
        let metrics = Metrics::new();
        let fhir = Fhir {
            store: store.clone(),
            paging: Paging {
                default_count: settings.fhir.default_count,
                max_count: settings.fhir.max_count,
            },
        };
        let rest = RestState {
            fhir,
            base_url: settings.fhir.base_url.clone(),
            max_body_bytes: settings.fhir.max_body_bytes,
        };
        let hospital_router = fhir_rest::router(rest).layer(axum::middleware::from_fn_with_state(
            (metrics.clone(), "hospital"),
            metrics::track,
        ));
        let admin_router = admin::router(AdminState {
            store: store.clone(),
            metrics,
        });
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })
        };
        let hospital_listener = bind(settings.hospital.listen).await?;
        let admin_listener = bind(settings.admin.listen).await?;
        let local = |l: &TcpListener, fallback| l.local_addr().unwrap_or(fallback);
        Ok(Application {
            hospital_addr: local(&hospital_listener, settings.hospital.listen),
            admin_addr: local(&admin_listener, settings.admin.listen),
            store,
            hospital: (hospital_listener, hospital_router),
            admin: (admin_listener, admin_router),
        })
    }

    /// Serves until `shutdown` completes; in-flight requests then finish before the store is closed.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let token = CancellationToken::new();
        let trigger = token.clone();
        tokio::spawn(async move {
            shutdown.await;
            trigger.cancel();
        });
        let serve = |(listener, router): (TcpListener, Router), token: CancellationToken| {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move { token.cancelled().await })
        };
        let hospital = serve(self.hospital, token.clone());
        let admin = serve(self.admin, token.clone());
        let (h, a) = tokio::join!(hospital.into_future(), admin.into_future());
        h.context("hospital listener failed")?;
        a.context("admin listener failed")?;
        self.store.close().await;
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("Shutdown requested; finishing in-flight requests.");
}
