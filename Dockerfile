# medfaq in a container: build the release binary, then run it as a non-root user.
#
#   docker build -t medfaq .        (or: podman build -t medfaq .)
#   docker run -e DISCORD_TOKEN -v medfaq-data:/var/lib/medfaq \
#       -v /opt/medfaq/knowledge:/opt/medfaq/knowledge:ro medfaq
#
# See "Docker or Podman" in README.md.

ARG RUST_VERSION=1.95

FROM docker.io/library/rust:${RUST_VERSION}-slim-bookworm AS builder
WORKDIR /src
COPY . .
# The registry and target caches survive between builds where BuildKit or Buildah keeps them.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin medfaq \
    && install -m 0755 target/release/medfaq /usr/local/bin/medfaq

FROM docker.io/library/debian:bookworm-slim
# CA certificates for the TLS connections to Discord.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin medfaq \
    && install -d -m 0750 -o medfaq -g medfaq /var/lib/medfaq
COPY --from=builder /usr/local/bin/medfaq /usr/local/bin/medfaq
# The repository's knowledge is the default; mount your own over it.
COPY --from=builder /src/knowledge /opt/medfaq/knowledge
ENV MEDFAQ_KNOWLEDGE=/opt/medfaq/knowledge
# The store (settings, feedback; see PRIVACY.md) is the only thing the bot writes: medfaq.db
# in /var/lib/medfaq, the working folder, when no config is given; with `--config FILE`, set
# `[storage] path = "/var/lib/medfaq/medfaq.db"` in it (the default is beside the config
# file, which the bot cannot write). Keep it in a volume so it outlives the container.
VOLUME ["/opt/medfaq/knowledge", "/var/lib/medfaq"]
WORKDIR /var/lib/medfaq
USER medfaq
# `medfaq serve` ends cleanly on SIGTERM (what `docker stop` sends), letting answers in
# flight finish. Arguments after the image name go to it, e.g. `--config FILE`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/medfaq", "serve"]
