//! The shared store: a PostgreSQL database that several shard processes use at once.
//!
//! One connection per process, shared by every task: tokio-postgres pipelines concurrent
//! queries over it, which is plenty for a bot's writes. Because queries from different tasks
//! interleave on that connection, every operation is a single statement (several tables are
//! changed through data-modifying `WITH` clauses), so each is atomic without a transaction.
//! A closed connection is replaced on the next call; the first connection applies the schema
//! migrations, so a store made with [`PostgresStore::lazy`] needs the server only once it is
//! used.

use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::types::FromSql;
use tokio_postgres::{Client, NoTls, Row};

use super::{storage_error, Timestamp, SCHEMA_VERSION};
use crate::config::redact_url;
use crate::error::Result;

mod store;

/// How long connecting may take: a server that is down refuses at once, so this only bounds
/// an unreachable host.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The advisory lock held while migrating ("medfaq" in ASCII), so that processes starting
/// together apply each migration once.
const MIGRATION_LOCK: i64 = 0x6d65_6466_6171;

/// The schema, one script per version.
const MIGRATIONS: &[(u32, &str, &str)] = &[(
    1,
    "init",
    include_str!("../migrations/postgres/0001_init.sql"),
)];

/// A store in a PostgreSQL database.
pub struct PostgresStore {
    config: tokio_postgres::Config,
    name: String,
    client: Mutex<Option<Arc<Client>>>,
    migrated: AtomicBool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresStore({})", self.name)
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`; a host
    /// such as `%2Frun%2Fpostgresql` is a unix socket folder) and brings its schema up to
    /// [`SCHEMA_VERSION`]. The database must exist; its tables are created here.
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let store = PostgresStore::lazy(url)?;
        store.client().await?;
        Ok(store)
    }

    /// A store for the database at `url` that connects (and migrates) on first use, so that
    /// the bot starts even while the server is down. Only a malformed URL is an error here.
    pub fn lazy(url: &str) -> Result<PostgresStore> {
        let name = format!("postgres {}", redact_url(url));
        // The parser's message can quote the URL, password and all: say only what to fix.
        let mut config = tokio_postgres::Config::from_str(url).map_err(|_| {
            storage_error(
                &name,
                "the URL is not a valid PostgreSQL URL (postgres://user:password@host:port/db)",
            )
        })?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("medfaq");
        Ok(PostgresStore {
            config,
            name,
            client: Mutex::new(None),
            migrated: AtomicBool::new(false),
        })
    }

    /// The shared connection, reconnecting when the last one closed (and migrating on the
    /// first).
    async fn client(&self) -> Result<Arc<Client>> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(client));
        }
        *slot = None;
        let mut client = connect(&self.config, &self.name).await?;
        if !self.migrated.load(Ordering::Acquire) {
            migrate(&mut client, &self.name).await?;
            self.migrated.store(true, Ordering::Release);
        }
        let client = Arc::new(client);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    /// Column `i` of `row`; an error (not a panic) if the schema does not match.
    fn col<'a, T: FromSql<'a>>(&self, row: &'a Row, i: usize) -> Result<T> {
        row.try_get(i).map_err(|e| self.error(&e))
    }

    /// A storage error from a PostgreSQL error.
    fn error(&self, e: &tokio_postgres::Error) -> crate::Error {
        pg_error(&self.name, e)
    }
}

/// Opens one connection and runs its socket on a task of its own.
async fn connect(config: &tokio_postgres::Config, name: &str) -> Result<Client> {
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls))
        .await
        .map_err(|_| storage_error(name, "timed out connecting"))?
        .map_err(|e| pg_error(name, &e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
}

/// A storage error that says what failed without the server's DETAIL line, which can quote
/// a row (and so a member's words).
fn pg_error(name: &str, e: &tokio_postgres::Error) -> crate::Error {
    match e.as_db_error() {
        Some(db) => storage_error(
            name,
            format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        ),
        None => storage_error(name, e),
    }
}

/// Applies the migrations the database lacks in one transaction under an advisory lock: a
/// second process opening at the same time waits, then finds the schema current.
async fn migrate(client: &mut Client, name: &str) -> Result<()> {
    let err = |e: tokio_postgres::Error| pg_error(name, &e);
    let tx = client.transaction().await.map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS medfaq_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at BIGINT NOT NULL
         )",
    )
    .await
    .map_err(err)?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM medfaq_migrations",
            &[],
        )
        .await
        .map_err(err)?
        .try_get(0)
        .map_err(err)?;
    let latest = i32::try_from(SCHEMA_VERSION).unwrap_or(i32::MAX);
    if current > latest {
        return Err(storage_error(
            name,
            format!(
                "the schema is at version {current}, newer than this medfaq knows \
                 ({SCHEMA_VERSION}); run a newer medfaq"
            ),
        ));
    }
    for (version, title, sql) in MIGRATIONS {
        let version = i32::try_from(*version).unwrap_or(i32::MAX);
        if version <= current {
            continue;
        }
        tx.batch_execute(sql).await.map_err(err)?;
        tx.execute(
            "INSERT INTO medfaq_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&version, title, &Timestamp::now().unix()],
        )
        .await
        .map_err(err)?;
    }
    tx.commit().await.map_err(err)
}
