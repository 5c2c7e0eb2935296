//! Knowledge hot reload: watch the folder, wait for edits to settle, load and check the whole
//! new set, and only then swap it in. A broken edit is logged with file and line and the bot
//! keeps serving what it had.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::context::SharedEngine;
use crate::{Engine, Error};

/// How long the folder must be quiet before reloading: editors and `git pull` write several
/// files in quick succession, and one reload should see all of them.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Most problems logged for one failed reload; `medfaq check` lists all of them.
const MAX_LOGGED_FINDINGS: usize = 10;

/// A running watch; dropping it stops watching.
#[derive(Debug)]
pub struct Reloader {
    _watcher: RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Reloader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching `dir`, swapping new knowledge into `engine`. Needs a tokio runtime.
pub fn watch(dir: &Path, engine: SharedEngine) -> notify::Result<Reloader> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            Ok(e) => !e.kind.is_access(),
            Err(_) => true,
        };
        if relevant {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    let dir = dir.to_path_buf();
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Wait until nothing has changed for DEBOUNCE.
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            reload(&dir, &engine).await;
        }
    });
    Ok(Reloader {
        _watcher: watcher,
        task,
    })
}

/// Loads `dir` and swaps it in if it is valid; otherwise logs why and keeps the old set.
/// Returns true if and only if the new set was swapped in.
pub async fn reload(dir: &Path, engine: &SharedEngine) -> bool {
    let path: PathBuf = dir.to_path_buf();
    let loaded = tokio::task::spawn_blocking(move || Engine::load(&path)).await;
    match loaded {
        Ok(Ok(new)) => {
            let entries = new.knowledge().enabled().count();
            engine.store(Arc::new(new));
            tracing::info!(entries, "knowledge reloaded");
            true
        }
        Ok(Err(Error::Invalid { findings })) => {
            tracing::error!(
                problems = findings.len(),
                "knowledge reload refused; still serving the previous knowledge"
            );
            for f in findings.iter().take(MAX_LOGGED_FINDINGS) {
                tracing::error!("knowledge file problem: {f}");
            }
            false
        }
        Ok(Err(e)) => {
            tracing::error!("knowledge reload refused; still serving the previous knowledge: {e}");
            false
        }
        Err(e) => {
            tracing::error!("knowledge reload crashed; still serving the previous knowledge: {e}");
            false
        }
    }
}
