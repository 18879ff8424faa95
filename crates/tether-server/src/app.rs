//! Starting the hub: open the store, load keys, bootstrap, serve, shut down gracefully.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tether_store::Store;
use tokio::net::TcpListener;
use url::Url;

use crate::bootstrap::{self, BootstrapError};
use crate::cache::{self, CachingStore};
use crate::ccf::{ExchangeLock, LeaseExchangeLock, LocalExchangeLock, TokenService};
use crate::config::{Database, MasterKeySource, Settings};
use crate::crypto::{MasterKey, MasterKeyError, SealError, Sealer};
use crate::http::{self, AppState, Metrics};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error("cannot open the database")]
    Store(#[from] tether_store::StoreError),
    #[error(
        "the configured master keys cannot open every secret in the database: start with the key \
         they were sealed with (TETHER_MASTER_KEY_FILE), listing older ones in \
         TETHER_PREVIOUS_MASTER_KEYS"
    )]
    WrongMasterKey(#[source] SealError),
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    #[error("cannot listen on {address}")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen for shutdown signals")]
    Signals(#[source] std::io::Error),
    #[error("server failed")]
    Serve(#[source] std::io::Error),
}

impl StartError {
    /// Whether the operator's settings are at fault (a bad or wrong master key), not the
    /// environment: `tether serve` exits with 2 for these, as for invalid settings.
    pub fn is_configuration(&self) -> bool {
        match self {
            Self::MasterKey(_) | Self::WrongMasterKey(_) => true,
            Self::DataDir { .. }
            | Self::Store(_)
            | Self::Bootstrap(_)
            | Self::Listen { .. }
            | Self::Signals(_)
            | Self::Serve(_) => false,
        }
    }
}

/// A hub ready to serve: its router and state.
pub struct Hub {
    pub router: Router,
    pub state: AppState,
}

/// Opens everything the hub needs; does not listen. `public_url` is where it will be reached.
pub async fn build(settings: &Settings, public_url: &Url) -> Result<Hub, StartError> {
    create_data_dir(&settings.data_dir)?;
    let (sealer, generated_key) = load_sealer(settings)?;
    let sealer = Arc::new(sealer);

    // Decision: SQLite keeps the in-process lock. Its hub is one process, and a lease there
    // would cost two fsynced write transactions per exchange for nothing.
    let (store, lock): (Arc<dyn Store>, Arc<dyn ExchangeLock>) = match &settings.database {
        Database::Sqlite(path) => (
            Arc::new(tether_store::SqliteStore::open(path).await?),
            Arc::new(LocalExchangeLock::default()),
        ),
        Database::Postgres(url) => {
            let store: Arc<dyn Store> =
                Arc::new(tether_store::PostgresStore::connect(url.expose()).await?);
            (store.clone(), Arc::new(LeaseExchangeLock::new(store)))
        }
    };
    check_master_key(store.as_ref(), &sealer).await?;
    if let Some(generated) = generated_key {
        generated.write()?;
    }
    let subscriptions = bootstrap::ensure(
        store.as_ref(),
        &settings.data_dir,
        public_url,
        settings.bootstrap_key.as_ref(),
    )
    .await?;

    // The hot path reads through short-lived caches; the token service reads the database
    // under its lock (see cache/ and docs/PERFORMANCE.md).
    let cache_ttl = match settings.database {
        Database::Sqlite(_) => cache::SINGLE_PROCESS_TTL,
        Database::Postgres(_) => cache::SHARED_TTL,
    };
    let cached = CachingStore::new(store, cache_ttl);
    let tokens = Arc::new(TokenService::new(
        Arc::new(cached.fresh_reads()),
        sealer.clone(),
        lock,
    ));
    let state = AppState {
        store: Arc::new(cached),
        sealer,
        tokens,
        public_url: Arc::new(public_url.clone()),
        subscriptions: Arc::new(subscriptions),
        metrics: Arc::new(Metrics::default()),
    };
    Ok(Hub {
        router: http::router(state.clone()),
        state,
    })
}

/// Serves until SIGTERM or SIGINT, then finishes in-flight requests (bounded) and returns.
pub async fn serve(settings: Settings) -> Result<(), StartError> {
    let listener =
        TcpListener::bind(settings.listen)
            .await
            .map_err(|source| StartError::Listen {
                address: settings.listen.to_string(),
                source,
            })?;
    let address = listener.local_addr().map_err(StartError::Serve)?;
    let public_url = match &settings.public_url {
        Some(url) => url.clone(),
        None => Url::parse(&format!("http://{address}")).map_err(|_| StartError::Listen {
            address: address.to_string(),
            source: std::io::Error::other("no URL for this address"),
        })?,
    };

    let hub = build(&settings, &public_url).await?;
    // Registered before the first request is answered: a signal sent once the hub is ready is
    // never missed (axum polls the shutdown future on a task of its own, later).
    let signal = shutdown_signal().map_err(StartError::Signals)?;
    tracing::info!(%address, %public_url, "listening");

    let purge = tokio::spawn(purge_sessions(hub.state.clone()));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, hub.router).with_graceful_shutdown(async move {
        signal.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(());
    });

    let timeout = settings.shutdown_timeout;
    let result = tokio::select! {
        result = server => result.map_err(StartError::Serve),
        () = async move {
            let _ = stop_rx.await;
            tokio::time::sleep(timeout).await;
        } => {
            tracing::warn!("in-flight requests did not finish in time; exiting");
            Ok(())
        }
    };
    purge.abort();
    tracing::info!("stopped");
    result
}

/// Resolves at the first SIGTERM or SIGINT received after this call.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}

/// Resolves at the first Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Deletes expired sessions every ten minutes.
async fn purge_sessions(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(600));
    loop {
        interval.tick().await;
        match state
            .store
            .purge_sessions(tether_domain::time::EpochMillis::now())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
            Err(error) => tracing::warn!(error = %error, "cannot purge expired sessions"),
        }
    }
}

/// Refuses to start when a value in the database was sealed with a key that is not configured
/// (a wrong master key, or a previous one dropped too early), rather than serving 500s for the
/// tenants it holds. One scan of the sealed columns' key ids; nothing is decrypted.
async fn check_master_key(store: &dyn Store, sealer: &Sealer) -> Result<(), StartError> {
    for prefix in store.sealed_prefixes(Sealer::KEY_PREFIX).await? {
        sealer
            .check_key(&prefix)
            .map_err(StartError::WrongMasterKey)?;
    }
    Ok(())
}

fn create_data_dir(path: &std::path::Path) -> Result<(), StartError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|source| StartError::DataDir {
        path: path.display().to_string(),
        source,
    })?;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open_to_others =
            std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0);
        if open_to_others {
            tracing::warn!(
                data_dir = %path.display(),
                "the data directory is open to other users; `chmod 700` it"
            );
        }
    }
    Ok(())
}

/// A master key made by this start, written to its file only once the database is known not
/// to need another one (a failed start leaves no stray key behind).
struct GeneratedKey {
    path: std::path::PathBuf,
    key: MasterKey,
}

impl GeneratedKey {
    fn write(self) -> Result<(), StartError> {
        self.key.write_new_file(&self.path)?;
        tracing::info!(path = %self.path.display(), "generated a master key");
        Ok(())
    }
}

fn load_sealer(settings: &Settings) -> Result<(Sealer, Option<GeneratedKey>), StartError> {
    let mut generated = None;
    let current = match &settings.master_key {
        MasterKeySource::Value(secret) => MasterKey::from_base64(secret.expose())?,
        MasterKeySource::File(path) => MasterKey::read_file(path)?,
        MasterKeySource::Default(path) if path.exists() => MasterKey::read_file(path)?,
        MasterKeySource::Default(path) => {
            if matches!(settings.database, Database::Postgres(_)) {
                tracing::warn!(
                    "no master key configured: generating one for this instance only; every \
                     instance sharing the database needs the same TETHER_MASTER_KEY_FILE"
                );
            }
            let key = MasterKey::generate();
            generated = Some(GeneratedKey {
                path: path.clone(),
                key: key.clone(),
            });
            key
        }
    };
    let previous = settings
        .previous_master_keys
        .iter()
        .map(|k| MasterKey::from_base64(k.expose()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((Sealer::new(&current, &previous), generated))
}
