//! PostgreSQL for end-to-end tests: every call to [`fresh_database_url`] gets a brand new, empty database.
//!
//! The server comes from `KAKEHASHI_TEST_POSTGRES_URL` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`) or, when that is unset, from a private throwaway
//! cluster started once per test process from the binaries under `/usr/lib/postgresql/*/bin`.
//! The cluster runs under a `sh` watchdog that stops it and deletes its directory as soon as the
//! test process is gone, so no cluster outlives the tests (not even after Ctrl-C or a crash).
//!
//! Every `#[tokio::test]` has its own runtime, so nothing async is kept in a global: the global holds
//! only the admin URL, the cluster is started with blocking `std::process` calls behind a
//! `std::sync::Mutex`, and each call opens (and closes) its own `PgConnection`.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use sqlx::Connection as _;

/// Admin URL of an existing server to create the test databases on, instead of a private cluster.
pub const POSTGRES_URL_ENV: &str = "KAKEHASHI_TEST_POSTGRES_URL";

const NOT_INSTALLED: &str =
    "PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian) \
                             or set KAKEHASHI_TEST_POSTGRES_URL";

/// How long the private cluster may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Admin URL of the private cluster, once it accepts connections.
static CLUSTER_URL: OnceLock<String> = OnceLock::new();
/// Held while the private cluster is being started, so that it is started only once.
static STARTING: Mutex<()> = Mutex::new(());

/// Returns a `postgres://` URL of a brand new, empty database named `kk_test_<uuid>`.
///
/// Panics if no server can be had (see the module documentation) or the database cannot be created.
pub async fn fresh_database_url() -> String {
    let admin = admin_url().await;
    let name = format!("kk_test_{}", uuid::Uuid::new_v4().simple());
    if let Err(e) = create_database(&admin, &name).await {
        panic!("could not create the test database {name}: {e:#}");
    }
    with_database(&admin, &name)
}

async fn admin_url() -> String {
    if let Ok(url) = std::env::var(POSTGRES_URL_ENV) {
        if !url.trim().is_empty() {
            return url.trim().to_owned();
        }
    }
    if let Some(url) = CLUSTER_URL.get() {
        return url.clone();
    }
    // Starting blocks for a few seconds; keep it off the runtime's worker thread.
    match tokio::task::spawn_blocking(private_cluster_url).await {
        Ok(url) => url,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("starting the test PostgreSQL cluster was cancelled: {e}"),
    }
}

async fn create_database(admin: &str, name: &str) -> anyhow::Result<()> {
    let mut attempt = 1;
    loop {
        let result = async {
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .context("connecting to the admin database")?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .context("CREATE DATABASE")?;
            let _ = conn.close().await;
            anyhow::Ok(())
        }
        .await;
        match result {
            Err(_) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}

/// `admin` with its path (the database name) replaced by `/name`; user info and query are kept.
fn with_database(admin: &str, name: &str) -> String {
    let authority_start = admin.find("://").map_or(0, |i| i + 3);
    let rest = &admin[authority_start..];
    let authority_end = authority_start + rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let tail = &admin[authority_end..];
    let query = tail.find(['?', '#']).map_or("", |i| &tail[i..]);
    format!("{}/{name}{query}", &admin[..authority_end])
}

/// Blocking: the admin URL of the private cluster, starting it on the first call.
fn private_cluster_url() -> String {
    let _guard = STARTING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(url) = CLUSTER_URL.get() {
        return url.clone();
    }
    let bin = find_postgres_bin().unwrap_or_else(|| panic!("{NOT_INSTALLED}"));
    let url = start_cluster(&bin).unwrap_or_else(|e| {
        panic!(
            "could not start a throwaway PostgreSQL cluster from {}: {e:#}",
            bin.display()
        )
    });
    CLUSTER_URL.get_or_init(|| url).clone()
}

/// The `bin` directory of the highest PostgreSQL version under `/usr/lib/postgresql` with both
/// `initdb` and `postgres`.
fn find_postgres_bin() -> Option<PathBuf> {
    let version =
        |name: &str| -> Vec<u32> { name.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| {
            (
                version(&entry.file_name().to_string_lossy()),
                entry.path().join("bin"),
            )
        })
        .filter(|(_, bin)| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

fn start_cluster(bin: &Path) -> anyhow::Result<String> {
    let as_root = running_as_root();
    let dir = PathBuf::from(format!(
        "/tmp/kk-pg-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    ));
    let cleanup = |e: anyhow::Error| {
        let _ = std::fs::remove_dir_all(&dir);
        e
    };
    make_data_dir(&dir, as_root)?;

    // initdb, with C.UTF-8 if this system has it and plain C otherwise.
    let mut initdb_errors = Vec::new();
    for locale in ["--locale=C.UTF-8", "--locale=C"] {
        let mut cmd = postgres_user_command(as_root, &bin.join("initdb"));
        cmd.arg("-D").arg(&dir);
        cmd.args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            locale,
        ]);
        let out = cmd
            .current_dir("/tmp")
            .stdin(Stdio::null())
            .output()
            .context("running initdb")?;
        if out.status.success() {
            initdb_errors.clear();
            break;
        }
        initdb_errors.push(format!(
            "initdb {locale}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        // initdb normally empties the directory on failure; start the next attempt from scratch anyway.
        let _ = std::fs::remove_dir_all(&dir);
        make_data_dir(&dir, as_root)?;
    }
    if !initdb_errors.is_empty() {
        return Err(cleanup(anyhow::anyhow!(initdb_errors.join("\n"))));
    }

    let port = free_port().map_err(cleanup)?;
    // The watchdog: $1 is the test process, $2 the data directory, the rest the server command.
    // It runs in its own process group, so a Ctrl-C aimed at the tests does not kill it first.
    const WATCHDOG: &str = r#"
        trap '' HUP
        pid=$1; dir=$2; shift 2
        "$@" >"$dir/server.log" 2>&1 </dev/null &
        srv=$!
        while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
        # The server's own pid: with runuser, $srv is runuser, which would answer SIGINT with SIGTERM.
        master=$(head -n 1 "$dir/postmaster.pid" 2>/dev/null || true)
        if [ -n "$master" ] && kill -INT "$master" 2>/dev/null; then :; else kill -INT "$srv" 2>/dev/null; fi
        wait "$srv"
        rm -rf "$dir"
    "#;
    let mut server = postgres_user_command(as_root, &bin.join("postgres"));
    server.arg("-D").arg(&dir);
    server.arg("-p").arg(port.to_string());
    server.arg("-k").arg(&dir);
    server.args(["-h", "127.0.0.1", "-F"]);
    server.args([
        "-c",
        "fsync=off",
        "-c",
        "max_connections=200",
        "-c",
        "full_page_writes=off",
    ]);
    let mut watchdog = Command::new("sh");
    watchdog.arg("-c").arg(WATCHDOG).arg("sh");
    watchdog.arg(std::process::id().to_string()).arg(&dir);
    watchdog.arg(server.get_program()).args(server.get_args());
    watchdog
        .current_dir("/tmp")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .context("spawning sh (the server watchdog)")
        .map_err(cleanup)?;
    // From here on the watchdog owns the directory and removes it when the tests end.

    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    wait_until_ready(&url, &dir.join("server.log"))?;
    Ok(url)
}

/// Creates the (empty) data directory, owned by the `postgres` OS user when running as root.
fn make_data_dir(dir: &Path, as_root: bool) -> anyhow::Result<()> {
    std::fs::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    if as_root {
        let out = Command::new("chown")
            .arg("postgres:")
            .arg(dir)
            .output()
            .context("running chown")?;
        if !out.status.success() {
            bail!(
                "chown postgres: {}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    Ok(())
}

/// `program`, run as the `postgres` OS user when we are root (PostgreSQL refuses to run as root).
fn postgres_user_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn running_as_root() -> bool {
    let from_proc = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let uids = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
            // Real, effective, saved, filesystem: the effective one decides.
            uids.split_whitespace().nth(1).map(|euid| euid == "0")
        });
    from_proc.unwrap_or_else(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
    })
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Blocks until `url` accepts a connection, using a runtime of its own on a thread of its own
/// (the caller may be inside any runtime's blocking pool).
fn wait_until_ready(url: &str, log: &Path) -> anyhow::Result<()> {
    let url = url.to_owned();
    let ready = std::thread::spawn(move || -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let deadline = Instant::now() + READY_TIMEOUT;
            loop {
                match sqlx::PgConnection::connect(&url).await {
                    Ok(conn) => {
                        let _ = conn.close().await;
                        return Ok(());
                    }
                    Err(e) if Instant::now() >= deadline => {
                        return Err(anyhow::Error::new(e)
                            .context(format!("no connection within {READY_TIMEOUT:?}")))
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        })
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    ready.map_err(|e| {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        e.context(format!("server log:\n{log}"))
    })
}

#[tokio::test]
async fn postgres_gives_a_fresh_empty_database() -> anyhow::Result<()> {
    let first = fresh_database_url().await;
    let second = fresh_database_url().await;
    assert_ne!(first, second);
    assert!(first.starts_with("postgres://"), "{first}");

    let mut conn = sqlx::PgConnection::connect(&first).await?;
    let (tables,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await?;
    assert_eq!(tables, 0);
    let (database,): (String,) = sqlx::query_as("SELECT current_database()")
        .fetch_one(&mut conn)
        .await?;
    assert!(
        first.ends_with(&format!("/{database}")),
        "{first} is not {database}"
    );
    conn.close().await?;
    Ok(())
}

#[test]
fn database_replaces_only_the_path() {
    let with = |admin| with_database(admin, "kk_test_x");
    assert_eq!(
        with("postgres://postgres@127.0.0.1:5432/postgres"),
        "postgres://postgres@127.0.0.1:5432/kk_test_x"
    );
    assert_eq!(
        with("postgres://u:p@h:1/db?sslmode=disable"),
        "postgres://u:p@h:1/kk_test_x?sslmode=disable"
    );
    assert_eq!(with("postgres://u@h"), "postgres://u@h/kk_test_x");
    assert_eq!(
        with("postgresql://h:5/?application_name=t"),
        "postgresql://h:5/kk_test_x?application_name=t"
    );
}
