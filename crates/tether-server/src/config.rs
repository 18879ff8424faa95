//! The hub's settings: one typed struct, from defaults, then environment, then flags.
//! Every secret setting also has a `*_FILE` form.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use tether_domain::Secret;
use url::Url;

/// `tether serve` flags; each has an environment variable.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TETHER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where the embedded database, the admin profile and a generated master key live.
    #[arg(long, env = "TETHER_DATA_DIR", default_value = "./tether-data")]
    pub data_dir: PathBuf,

    /// `sqlite://path` or `postgres://…`; default: SQLite in the data dir.
    #[arg(long, env = "TETHER_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// File holding the database URL (it may carry a password).
    #[arg(long, env = "TETHER_DATABASE_URL_FILE")]
    pub database_url_file: Option<PathBuf>,

    /// Base URL that redirects and `targetUrl`s use; default `http://<listen address>`.
    #[arg(long, env = "TETHER_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Master key (32 bytes, standard base64). Prefer the file form: flags show in `ps`.
    #[arg(long, env = "TETHER_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,

    /// File holding the master key; default `<data dir>/master.key`, generated on first start.
    #[arg(long, env = "TETHER_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,

    /// Earlier master keys, comma-separated, kept to open data sealed before a rotation.
    #[arg(long, env = "TETHER_PREVIOUS_MASTER_KEYS", hide_env_values = true)]
    pub previous_master_keys: Option<String>,

    /// API key of the root client created on first start (at least 32 characters).
    #[arg(long, env = "TETHER_BOOTSTRAP_KEY", hide_env_values = true)]
    pub bootstrap_key: Option<String>,

    /// File holding the bootstrap key.
    #[arg(long, env = "TETHER_BOOTSTRAP_KEY_FILE")]
    pub bootstrap_key_file: Option<PathBuf>,

    /// Tracing filter, e.g. `info` or `tether=debug,info`.
    #[arg(long, env = "TETHER_LOG", default_value = "info")]
    pub log: String,

    /// Log format.
    #[arg(long, env = "TETHER_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// How long shutdown waits for in-flight requests.
    #[arg(long, env = "TETHER_SHUTDOWN_TIMEOUT_SECONDS", default_value = "30")]
    pub shutdown_timeout_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(Secret),
}

/// The resolved settings the hub runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: Database,
    /// `None`: `http://<bound address>`, known once the listener is bound.
    pub public_url: Option<Url>,
    pub master_key: MasterKeySource,
    pub previous_master_keys: Vec<Secret>,
    pub bootstrap_key: Option<Secret>,
    pub shutdown_timeout: Duration,
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    Value(Secret),
    File(PathBuf),
    /// `<data dir>/master.key`, generated when absent.
    Default(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting}: {message}")]
    Invalid {
        setting: &'static str,
        message: String,
    },
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> Result<Self, ConfigError> {
        let database_url = secret_setting(&args.database_url, &args.database_url_file)?;
        let database = match database_url {
            None => Database::Sqlite(args.data_dir.join("tether.db")),
            Some(url) => parse_database_url(url)?,
        };

        let public_url = args.public_url.clone();
        if let Some(url) = &public_url {
            if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                return Err(invalid(
                    "TETHER_PUBLIC_URL",
                    "must be an absolute http(s) URL",
                ));
            }
        }

        let master_key = match (&args.master_key, &args.master_key_file) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "TETHER_MASTER_KEY",
                    "set either the key or its file, not both",
                ))
            }
            (Some(key), None) => MasterKeySource::Value(Secret::new(key.clone())),
            (None, Some(path)) => MasterKeySource::File(path.clone()),
            (None, None) => MasterKeySource::Default(args.data_dir.join("master.key")),
        };

        let bootstrap_key = secret_setting(&args.bootstrap_key, &args.bootstrap_key_file)?;
        if let Some(key) = &bootstrap_key {
            if key.expose().len() < 32 {
                return Err(invalid(
                    "TETHER_BOOTSTRAP_KEY",
                    "must be at least 32 characters",
                ));
            }
        }

        let previous_master_keys = args
            .previous_master_keys
            .iter()
            .flat_map(|list| list.split(','))
            .filter(|k| !k.trim().is_empty())
            .map(|k| Secret::new(k.trim()))
            .collect();

        Ok(Self {
            listen: args.listen,
            data_dir: args.data_dir.clone(),
            database,
            public_url,
            master_key,
            previous_master_keys,
            bootstrap_key,
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_seconds),
        })
    }
}

fn invalid(setting: &'static str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        message: message.to_owned(),
    }
}

fn secret_setting(
    value: &Option<String>,
    file: &Option<PathBuf>,
) -> Result<Option<Secret>, ConfigError> {
    match (value, file) {
        (Some(value), _) => Ok(Some(Secret::new(value.clone()))),
        (None, Some(path)) => read_secret_file(path).map(Some),
        (None, None) => Ok(None),
    }
}

fn read_secret_file(path: &Path) -> Result<Secret, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Secret::new(text.trim_end_matches(['\r', '\n'])))
}

fn parse_database_url(url: Secret) -> Result<Database, ConfigError> {
    let text = url.expose();
    if let Some(path) = text.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(invalid(
                "TETHER_DATABASE_URL",
                "sqlite:// needs a file path",
            ));
        }
        return Ok(Database::Sqlite(PathBuf::from(path)));
    }
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        return Ok(Database::Postgres(url));
    }
    Err(invalid(
        "TETHER_DATABASE_URL",
        "must start with sqlite:// or postgres://",
    ))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn settings(args: &[&str]) -> Result<Settings, ConfigError> {
        let cli = Cli::try_parse_from(std::iter::once("tether").chain(args.iter().copied()))
            .expect("flags parse");
        Settings::from_args(&cli.serve)
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir_and_the_listen_address_as_public_url() {
        let settings = settings(&["--data-dir", "/tmp/x"]).unwrap();

        let expected = Path::new("/tmp/x/tether.db");
        assert!(matches!(settings.database, Database::Sqlite(ref p) if p == expected));
        assert!(settings.public_url.is_none());
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert!(matches!(settings.master_key, MasterKeySource::Default(_)));
    }

    #[test]
    fn a_short_bootstrap_key_is_refused() {
        let error = settings(&["--bootstrap-key", "short"]).unwrap_err();

        assert!(error.to_string().contains("TETHER_BOOTSTRAP_KEY"));
    }

    #[test]
    fn database_urls_pick_the_backend() {
        let sqlite = settings(&["--database-url", "sqlite:///var/t.db"]).unwrap();
        let postgres = settings(&["--database-url", "postgres://u:p@localhost/t"]).unwrap();
        let other = settings(&["--database-url", "mysql://x"]);

        assert!(matches!(sqlite.database, Database::Sqlite(ref p) if p == Path::new("/var/t.db")));
        assert!(matches!(postgres.database, Database::Postgres(_)));
        assert!(!format!("{:?}", postgres.database).contains("u:p"));
        assert!(other.is_err());
    }
}
