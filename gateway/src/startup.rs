//! Building the running gateway: open the store, bind every listener (port 0 allowed; the bound address
//! is reported), serve until shutdown, then let in-flight requests finish and close the store.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use kakehashi_mappings::validate::{Options, Validator};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::audit::AuditLog;
use crate::channels::consultation_api::{self, ConsultationApi};
use crate::channels::eprescription_api::{self, EprescriptionApi};
use crate::channels::fhir_rest::capability::CapabilityCache;
use crate::channels::fhir_rest::{self, RestState};
use crate::channels::hl7v2_http::{self, Hl7v2Http};
use crate::channels::mllp::listener::{self as mllp, MllpListener};
use crate::config::{Settings, ValidationMode};
use crate::hpki::Verifier;
use crate::metrics::{self, Metrics};
use crate::pipeline::consultation::Consultation as ConsultationPipeline;
use crate::pipeline::eprescription::{Hub, LimitSettings, Limiter};
use crate::pipeline::hl7v2::{Hl7v2, Hl7v2Limits};
use crate::pipeline::validation::{build_validator, Validation, ValidationSetupError};
use crate::pipeline::xref::Xref;
use crate::pipeline::{Fhir, Paging};
use crate::store::Store;
use crate::tls::consultation::zone_tls;
use crate::tls::crl_refresh::CrlRefresher;
use crate::tls::{dev_pki, TlsError};
use crate::zones::admin::{self, AdminState};
use crate::zones::consultation::ConsultationListener;
use crate::zones::guard::{guard, Guard};
use crate::zones::policy::Policy;

/// A gateway whose listeners are bound and whose store is open, ready to serve.
pub struct Application {
    pub hospital_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    /// The consultation zone's address, when it is enabled.
    pub consultation_addr: Option<SocketAddr>,
    /// The MLLP listener's address, when it is enabled.
    pub mllp_addr: Option<SocketAddr>,
    /// The development PKI, when the consultation zone uses it (no certificates configured).
    pub dev_pki: Option<dev_pki::DevPki>,
    pub store: Store,
    pub audit: AuditLog,
    hospital: (TcpListener, Router),
    admin: (TcpListener, Router),
    consultation: Option<Consultation>,
    mllp: Option<MllpListener>,
}

/// The consultation listener with its CRL refresher.
struct Consultation {
    listener: ConsultationListener,
    refresher: CrlRefresher,
    verifier: Arc<Verifier>,
    refresh_every: Duration,
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
    #[error("consultation zone TLS: {0}")]
    Tls(#[from] TlsError),
    #[error("validation: {0}")]
    Validation(#[from] ValidationSetupError),
}

/// Creates the data folder when the embedded SQLite default is used, and opens the store (migrations
/// applied). `serve` and the `ssmix2` commands open it this way.
pub async fn open_store(settings: &Settings) -> Result<Store, StartError> {
    if settings.database.url.is_empty() {
        std::fs::create_dir_all(&settings.data_dir)
            .map_err(|e| StartError::DataDir(settings.data_dir.display().to_string(), e))?;
    }
    Ok(Store::open(&settings.database_url(), settings.database.max_connections).await?)
}

/// A zone's validation on write, in `mode`, with the configured options.
pub fn zone_validation(
    settings: &Settings,
    validator: &Validator,
    mode: ValidationMode,
) -> Validation {
    Validation {
        validator: validator.clone(),
        mode,
        options: Arc::new(Options {
            must_support: settings.validation.must_support,
            ..Options::default()
        }),
    }
}

/// A zone's FHIR pipeline over `store`: the `[fhir]` paging and the zone's validation.
pub fn zone_fhir(settings: &Settings, store: Store, validation: Validation) -> Fhir {
    Fhir {
        store,
        paging: Paging {
            default_count: settings.fhir.default_count,
            max_count: settings.fhir.max_count,
        },
        validation,
    }
}

/// The e-prescription hub's routes (issue #7).
fn eprescription_hub(settings: &Settings, store: &Store) -> Router {
    let e = &settings.eprescription;
    let hub = Hub {
        store: store.clone(),
        limiter: Arc::new(Limiter::new(LimitSettings {
            failures: e.lookup_failures,
            window_ms: (e.lookup_window_seconds as i64).saturating_mul(1000),
        })),
    };
    eprescription_api::router(EprescriptionApi {
        hub,
        max_body_bytes: settings.fhir.max_body_bytes,
    })
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Application, StartError> {
        let store = open_store(settings).await?;
        let metrics = Metrics::new();
        let validator = build_validator(&settings.validation.packages)?;
        let validation = |mode: ValidationMode| zone_validation(settings, &validator, mode);
        let fhir = zone_fhir(
            settings,
            store.clone(),
            validation(settings.hospital.validation),
        );
        let hl7v2 = Hl7v2::new(
            fhir.clone(),
            Hl7v2Limits {
                max_message_bytes: settings.mllp.max_message_bytes,
                ..Hl7v2Limits::default()
            },
        );
        let rest = RestState {
            fhir,
            base_url: settings.fhir.base_url.clone(),
            scheme: "http",
            max_body_bytes: settings.fhir.max_body_bytes,
            capabilities: Default::default(),
            documents: None,
        };
        let audit = AuditLog::start(store.clone());
        let zone_guard = |zone: &'static str, xref: Option<Xref>| Guard {
            zone,
            policy: Arc::new(Policy::for_zone(zone, &settings.policy)),
            audit: audit.clone(),
            xref,
            max_body_bytes: settings.fhir.max_body_bytes,
            commit_before_answer: settings.audit.commit_before_answer,
        };
        let zone_router = |guard_state: Guard,
                           scheme: &'static str,
                           mode: ValidationMode,
                           extra: Option<Router>,
                           documents: Option<ConsultationPipeline>| {
            let zone = guard_state.zone;
            let rest = RestState {
                scheme,
                capabilities: CapabilityCache::for_policy(guard_state.policy.clone()),
                fhir: Fhir {
                    validation: validation(mode),
                    ..rest.fhir.clone()
                },
                documents,
                ..rest.clone()
            };
            let mut router = fhir_rest::router(rest);
            if let Some(extra) = extra {
                router = router.merge(extra);
            }
            router
                .layer(axum::middleware::from_fn_with_state(guard_state, guard))
                .layer(axum::middleware::from_fn_with_state(
                    (metrics.clone(), zone),
                    metrics::track,
                ))
        };
        let hl7v2_routes = hl7v2_http::router(Hl7v2Http {
            hl7v2: hl7v2.clone(),
            metrics: metrics.clone(),
            max_message_bytes: settings.mllp.max_message_bytes,
        });
        let hospital_router = zone_router(
            zone_guard("hospital", None),
            "http",
            settings.hospital.validation,
            Some(hl7v2_routes),
            None,
        );
        let admin_router = admin::router(AdminState {
            store: store.clone(),
            metrics: metrics.clone(),
            audit: audit.clone(),
        });
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })
        };
        let hospital_listener = bind(settings.hospital.listen).await?;
        let admin_listener = bind(settings.admin.listen).await?;
        let local = |l: &TcpListener, fallback| l.local_addr().unwrap_or(fallback);

        let mut dev = None;
        let mut consultation = None;
        let mut consultation_addr = None;
        if settings.consultation.enabled {
            let c = &settings.consultation;
            let tls = zone_tls(settings).await?;
            dev = tls.dev;
            let xref = Xref::new(store.clone(), "consultation", &c.hidden_identifier_systems);
            let documents = ConsultationPipeline {
                fhir: Fhir {
                    validation: validation(c.validation),
                    ..rest.fhir.clone()
                },
                xref: xref.clone(),
            };
            let mut api = consultation_api::router(ConsultationApi {
                consultation: documents.clone(),
                max_body_bytes: settings.fhir.max_body_bytes,
            });
            if settings.eprescription.enabled {
                api = api.merge(eprescription_hub(settings, &store));
            }
            let router = zone_router(
                zone_guard("consultation", Some(xref)),
                "https",
                c.validation,
                Some(api),
                Some(documents),
            );
            let listener = bind(c.listen).await?;
            consultation_addr = Some(local(&listener, c.listen));
            consultation = Some(Consultation {
                listener: ConsultationListener {
                    listener,
                    acceptor: tokio_rustls::TlsAcceptor::from(tls.config),
                    verifier: tls.client_verifier,
                    router,
                    audit: audit.clone(),
                },
                refresher: tls.refresher,
                verifier: tls.verifier,
                refresh_every: Duration::from_secs(c.crl_refresh_seconds),
            });
        }
        let mut mllp_listener = None;
        let mut mllp_addr = None;
        if settings.mllp.enabled {
            let m = &settings.mllp;
            let tls = match &m.tls {
                Some(tls) => Some(mllp::acceptor(tls)?),
                None => None,
            };
            let listener = bind(m.listen).await?;
            mllp_addr = Some(local(&listener, m.listen));
            mllp_listener = Some(MllpListener {
                listener,
                tls,
                hl7v2,
                audit: audit.clone(),
                metrics: metrics.clone(),
                max_message_bytes: m.max_message_bytes,
                idle_timeout: Duration::from_secs(m.idle_timeout_secs),
                max_connections: m.max_connections,
            });
        }
        Ok(Application {
            hospital_addr: local(&hospital_listener, settings.hospital.listen),
            admin_addr: local(&admin_listener, settings.admin.listen),
            consultation_addr,
            mllp_addr,
            dev_pki: dev,
            store,
            audit,
            hospital: (hospital_listener, hospital_router),
            admin: (admin_listener, admin_router),
            consultation,
            mllp: mllp_listener,
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
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move { token.cancelled().await })
        };
        let hospital = serve(self.hospital, token.clone());
        let admin = serve(self.admin, token.clone());
        let consultation = async {
            if let Some(c) = self.consultation {
                tokio::spawn(c.refresher.run(c.verifier, c.refresh_every, token.clone()));
                c.listener.serve(token.clone()).await;
            }
        };
        let mllp = async {
            if let Some(m) = self.mllp {
                m.serve(token.clone()).await;
            }
        };
        let (h, a, (), ()) = tokio::join!(
            hospital.into_future(),
            admin.into_future(),
            consultation,
            mllp
        );
        self.audit.shutdown().await;
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
