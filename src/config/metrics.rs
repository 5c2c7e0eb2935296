//! The `[metrics]` table: where `medfaq serve` answers `/healthz` and `/metrics`.

use std::net::SocketAddr;

use serde::Deserialize;

/// The `[metrics]` table: leave it out (or `listen` unset) for no HTTP endpoint at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// The address (`IP:port`) to serve `/healthz` and `/metrics` on over plain HTTP, without
    /// authentication: a loopback or private address such as `127.0.0.1:9464`.
    pub listen: Option<SocketAddr>,
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn metrics_are_off_unless_listen_is_set() {
        assert_eq!(Config::parse("").unwrap().metrics.listen, None);
        assert_eq!(Config::parse("[metrics]\n").unwrap().metrics.listen, None);
        let c = Config::parse("[metrics]\nlisten = \"127.0.0.1:9464\"\n").unwrap();
        assert_eq!(c.metrics.listen, Some(([127, 0, 0, 1], 9464).into()));
    }

    #[test]
    fn a_bad_metrics_address_or_key_is_refused_with_its_line() {
        for text in [
            "[metrics]\nlisten = \"localhost\"\n",
            "[metrics]\nlisten = \"127.0.0.1\"\n",
            "[metrics]\nlisten = 9464\n",
            "[metrics]\nlisen = \"127.0.0.1:9464\"\n",
        ] {
            let e = Config::parse(text).expect_err(text).to_string();
            assert!(e.starts_with(":2:"), "{text:?}: {e}");
        }
    }
}
