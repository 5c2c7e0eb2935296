//! The container image (issue 11): the `Dockerfile` builds with the container engine at hand,
//! and the image runs medfaq as its non-root user with the knowledge and the store as volumes.
//!
//! Ignored, like the soak: it needs `podman` or `docker` (Debian packages `podman`,
//! `docker.io`) and the base images, which the first build pulls from the network. Run it with
//!
//! ```text
//! cargo test --test integration container -- --ignored --nocapture
//! ```
//!
//! `MEDFAQ_CONTAINER_ENGINE` picks the engine (default: the first of podman and docker
//! found); `MEDFAQ_CONTAINER_BUILD_ARGS` adds build options (for example
//! `--isolation=chroot` where the engine cannot create cgroups); `MEDFAQ_CONTAINER_NO_RUN=1`
//! skips starting a container where the engine cannot run one, and checks the image's
//! configuration only.

use std::path::Path;
use std::process::{Command, Output};

const TAG: &str = "localhost/medfaq-test:latest";

fn engine() -> String {
    if let Ok(chosen) = std::env::var("MEDFAQ_CONTAINER_ENGINE") {
        return chosen;
    }
    ["podman", "docker"]
        .into_iter()
        .find(|e| {
            Command::new(e)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("no container engine: install podman or docker, or set MEDFAQ_CONTAINER_ENGINE")
        .to_string()
}

#[track_caller]
fn ok(what: &str, output: std::io::Result<Output>) -> String {
    let output = output.unwrap_or_else(|e| panic!("could not run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[ignore = "needs a container engine and its base images; see the module comment"]
fn container_image_builds_and_runs_medfaq_as_its_own_user() {
    let engine = engine();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut build = Command::new(&engine);
    build.arg("build").arg("-t").arg(TAG);
    if let Ok(extra) = std::env::var("MEDFAQ_CONTAINER_BUILD_ARGS") {
        build.args(extra.split_whitespace());
    }
    ok("the image build", build.arg(".").current_dir(repo).output());

    let config = ok(
        "image inspect",
        Command::new(&engine)
            .args([
                "image",
                "inspect",
                "--format",
                "{{.Config.User}}|{{json .Config.Volumes}}|{{json .Config.Env}}",
                TAG,
            ])
            .output(),
    );
    let mut parts = config.trim().splitn(3, '|');
    assert_eq!(parts.next(), Some("medfaq"), "runs as root? {config}");
    let volumes = parts.next().unwrap_or_default();
    assert!(
        volumes.contains("/var/lib/medfaq") && volumes.contains("/opt/medfaq/knowledge"),
        "the store and the knowledge are not volumes: {config}"
    );
    assert!(
        parts
            .next()
            .is_some_and(|env| env.contains("MEDFAQ_KNOWLEDGE=/opt/medfaq/knowledge")),
        "{config}"
    );

    if std::env::var("MEDFAQ_CONTAINER_NO_RUN").is_ok_and(|v| v == "1") {
        eprintln!("MEDFAQ_CONTAINER_NO_RUN=1: checked the image's configuration only");
        return;
    }
    // The shipped knowledge in the image passes the curators' check, as the service user.
    let checked = ok(
        "medfaq check in the container",
        Command::new(&engine)
            .args(["run", "--rm", "--network=none"])
            .args(["--entrypoint", "/usr/local/bin/medfaq", TAG, "check"])
            .output(),
    );
    assert!(checked.contains("no problems"), "{checked}");
}
