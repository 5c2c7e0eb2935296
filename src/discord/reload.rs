//! Knowledge hot reload: watch the folder, wait for edits to settle, load and check the whole
//! new set, and only then swap it in. A broken edit is logged with file and line and the bot
//! keeps serving what it had.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::context::SharedEngine;
use crate::metrics::{knowledge_version, Metrics};
use crate::{Engine, Error};

/// How long the folder must be quiet before reloading: editors and `git pull` write several
/// files in quick succession, and one reload should see all of them.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Most problems logged for one failed reload; `medfaq check` lists all of them.
const MAX_LOGGED_FINDINGS: usize = 10;

/// Most problems `/medfaq-status` shows for the last failed reload: enough to start fixing,
/// short enough for one embed field.
const MAX_STATUS_FINDINGS: usize = 3;

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

/// Starts watching `dir`, swapping new knowledge into `engine` and noting each reload in
/// `metrics`. Needs a tokio runtime.
pub fn watch(dir: &Path, engine: SharedEngine, metrics: Arc<Metrics>) -> notify::Result<Reloader> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    // The watcher reports paths under the folder's real location.
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            Ok(e) => !e.kind.is_access() && concerns_knowledge(&root, &e.paths),
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
            reload(&dir, &engine, &metrics).await;
        }
    });
    Ok(Reloader {
        _watcher: watcher,
        task,
    })
}

/// Returns true if and only if a change to `paths` may change the knowledge in `dir`: some
/// path outside hidden folders and files (a `git pull` rewrites `.git/FETCH_HEAD` even when
/// nothing arrived, and editors write hidden swap files), or no path at all (the watcher lost
/// track and asks for a rescan).
/// A path outside `dir` (as the watcher may report it through a symbolic link) counts.
pub fn concerns_knowledge(dir: &Path, paths: &[PathBuf]) -> bool {
    paths.is_empty()
        || paths.iter().any(|p| match p.strip_prefix(dir) {
            Ok(inside) => !inside
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.')),
            Err(_) => true,
        })
}

/// Loads `dir` and swaps it in if it is valid; otherwise logs why and keeps the old set.
/// Either way the outcome is noted in `metrics` (a refusal with its first problems, for
/// `/medfaq-status`). Returns true if and only if the new set was swapped in.
pub async fn reload(dir: &Path, engine: &SharedEngine, metrics: &Metrics) -> bool {
    let path: PathBuf = dir.to_path_buf();
    let loaded = tokio::task::spawn_blocking(move || {
        Engine::load(&path).map(|engine| (engine, knowledge_version(&path)))
    })
    .await;
    if let Some(why) = refusal(dir, &loaded) {
        metrics.reload_failed(why);
    }
    match loaded {
        Ok(Ok((new, version))) => {
            let entries = new.knowledge().enabled().count();
            metrics.knowledge_loaded(&new, version.clone());
            engine.store(Arc::new(new));
            tracing::info!(entries, version, "knowledge reloaded");
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

/// Why a reload was refused, in a few lines for `/medfaq-status`; `None` if it was not.
/// File names are shown relative to `dir`: where the bot's folder is on the server is no one
/// else's business.
fn refusal<T>(
    dir: &Path,
    loaded: &Result<crate::Result<T>, tokio::task::JoinError>,
) -> Option<String> {
    let relative = |text: String| text.replace(&format!("{}/", dir.display()), "");
    match loaded {
        Ok(Ok(_)) => None,
        Ok(Err(Error::Invalid { findings })) => {
            let n = findings.len();
            let mut why = format!("{n} problem{}:", if n == 1 { "" } else { "s" });
            for f in findings.iter().take(MAX_STATUS_FINDINGS) {
                why.push_str(&format!("\n{}", relative(f.to_string())));
            }
            if findings.len() > MAX_STATUS_FINDINGS {
                why.push_str("\n… `medfaq check` lists them all");
            }
            Some(why)
        }
        Ok(Err(e)) => Some(relative(e.to_string())),
        Err(e) => Some(format!("the reload crashed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_and_hidden_files_do_not_reload_the_knowledge() {
        let dir = Path::new("/opt/medfaq/knowledge");
        let at = |p: &str| vec![dir.join(p)];
        assert!(!concerns_knowledge(dir, &at(".git/FETCH_HEAD")));
        assert!(!concerns_knowledge(dir, &at(".git/objects/ab/cdef")));
        assert!(!concerns_knowledge(
            dir,
            &at("entries/.naltrexone.yaml.swp")
        ));
        assert!(concerns_knowledge(dir, &at("entries/naltrexone.yaml")));
        assert!(concerns_knowledge(dir, &at("lexicon.yaml")));
        assert!(concerns_knowledge(dir, &[]));
        assert!(concerns_knowledge(
            dir,
            &[PathBuf::from("/elsewhere/.hidden/x.yaml")]
        ));
        let mixed = vec![dir.join(".git/index"), dir.join("safety.yaml")];
        assert!(concerns_knowledge(dir, &mixed));
    }
}
