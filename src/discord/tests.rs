//! Unit tests of the start-up retries.

use super::*;

#[test]
fn only_network_and_discord_failures_are_retried() {
    assert!(ServeError::Discord("could not reach Discord".into()).is_transient());
    assert!(!ServeError::Unauthorized.is_transient());
    assert!(!ServeError::Config("shards.last is past shards.total".into()).is_transient());
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_up_to_its_cap_and_stops_on_shutdown() {
    let stop = CancellationToken::new();
    let mut backoff = Backoff::new();
    let why = ServeError::Discord("HTTP 502".into());
    let mut pauses = Vec::new();
    for _ in 0..9 {
        let before = tokio::time::Instant::now();
        assert!(backoff.wait(&why, &stop).await);
        pauses.push(before.elapsed().as_secs());
    }
    assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    stop.cancel();
    assert!(!backoff.wait(&why, &stop).await, "shutdown ends the wait");
}
