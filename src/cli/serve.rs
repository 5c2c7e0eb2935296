//! `medfaq serve`: check everything needed to start (config, token, knowledge), then run the
//! Discord bot until SIGINT or SIGTERM.

use std::path::Path;

use anyhow::Context as _;

use crate::config::{self, Config};
use crate::discord;

use super::EXIT_OK;

/// Runs the bot; an error before it connects is returned (and exits 2).
pub fn run(knowledge_flag: &Path, config_path: Option<&Path>) -> anyhow::Result<u8> {
    let config = Config::load_or_default(config_path)?;
    let token = config::token_from_env()?;
    let (dir, how) = match (&config.bot.knowledge, config_path) {
        (Some(dir), Some(path)) => (
            dir.clone(),
            format!("fix `knowledge` under [bot] in {}", path.display()),
        ),
        (Some(dir), None) => (
            dir.clone(),
            "fix `knowledge` under [bot] in the config".to_string(),
        ),
        (None, _) => (
            knowledge_flag.to_path_buf(),
            format!(
                "{}, or set `knowledge` under [bot] in the config",
                super::POINT_AT_KNOWLEDGE
            ),
        ),
    };
    let engine = crate::Engine::load(&dir).map_err(|e| super::knowledge_error(&dir, e, &how))?;
    if let Some(region) = &config.bot.region {
        let known = &engine.knowledge().safety.regions;
        if !known.values().any(|r| r.code.eq_ignore_ascii_case(region)) {
            let codes: Vec<&str> = known.values().map(|r| r.code.as_str()).collect();
            anyhow::bail!(
                "bot.region {region:?} is not in {}/safety.yaml; use one of {}",
                dir.display(),
                codes.join(", ")
            );
        }
    }

    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .or_else(|| config.bot.log_level.clone())
        .unwrap_or_else(|| config::DEFAULT_LOG_LEVEL.to_string());
    let dispatch = tracing::Dispatch::new(discord::logging::subscriber(&filter, std::io::stderr));
    // The binary leaves logging to this command; if something already installed a global
    // logger (a test, an embedding program), keep it rather than fail.
    let _ = tracing::dispatcher::set_global_default(dispatch);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    tracing::info!(
        entries = engine.knowledge().enabled().count(),
        "medfaq serve starting"
    );
    // The store sits beside the config file unless `[storage]` says otherwise.
    let config_dir = Config::dir_of(config_path);
    runtime.block_on(async {
        let storage = crate::storage::Storage::open(&config, &config_dir)
            .await
            .context("could not open the store")?;
        tracing::info!(store = %storage.store().describe(), "storage opened");
        discord::serve(
            &config,
            &token,
            &dir,
            std::sync::Arc::new(engine),
            storage,
            shutdown_signal(),
        )
        .await
        .map_err(anyhow::Error::from)
    })?;
    Ok(EXIT_OK)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (systemd stop, `docker stop`).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
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
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}
