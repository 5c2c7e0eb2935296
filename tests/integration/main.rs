//! The one integration-test binary: it drives the real `medfaq` executable and, for the
//! Discord adapter, the real serenity client against a Discord stand-in on loopback.

mod cli;
mod container;
mod discord_binary;
mod discord_bot;
mod discord_community;
mod discord_community_pg;
mod discord_e2e;
mod discord_metrics;
mod discord_render;
mod discord_shared;
mod faults;
mod guard;
mod knowledge;
mod properties;
mod regression;
mod soak;
mod standin;
mod storage;
mod storage_cli;
mod storage_load;
mod storage_outage;
mod triage;
