use super::*;

#[track_caller]
fn err(text: &str) -> String {
    Config::parse(text)
        .expect_err("should be refused")
        .to_string()
}

#[test]
fn empty_config_is_all_defaults() {
    let c = Config::parse("").unwrap();
    assert_eq!(c, Config::default());
    assert!(!c.bot.answers_public);
    assert!(c.bot.answer_mentions);
    assert_eq!(c.bot.rate_limit_per_minute, DEFAULT_RATE_LIMIT_PER_MINUTE);
    assert!(c.discord.is_discord());
    assert_eq!(c.shards().unwrap(), Shards::Auto);
}

#[test]
fn example_config_parses() {
    let text = include_str!("../../config.example.toml");
    Config::parse(text).expect("config.example.toml is valid");
}

#[test]
fn token_key_is_refused_anywhere() {
    for text in [
        "token = 'x'",
        "[bot]\ntoken = 'x'",
        "[discord]\nTOKEN = 'x'",
    ] {
        let e = err(text);
        assert!(e.contains("DISCORD_TOKEN"), "{e}");
        assert!(!e.contains("'x'"), "the value is never echoed: {e}");
    }
}

#[test]
fn unknown_keys_are_named_with_their_line() {
    let e = err("[bot]\nregion = 'US'\nanswers_pubic = true\n");
    assert!(e.starts_with(":3:"), "{e}");
    assert!(e.contains("answers_pubic"), "{e}");
    assert!(err("[bots]\n").contains("bots"));
}

#[test]
fn shard_range_is_inclusive_and_checked() {
    let c = Config::parse("[sharding]\ntotal = 4\nfirst = 2\nlast = 3\n").unwrap();
    assert_eq!(
        c.shards().unwrap(),
        Shards::Range {
            first: 2,
            last: 3,
            total: 4
        }
    );
    assert!(!c.shards().unwrap().includes_first());
    let all = Config::parse("[sharding]\ntotal = 2\n").unwrap();
    assert_eq!(
        all.shards().unwrap(),
        Shards::Range {
            first: 0,
            last: 1,
            total: 2
        }
    );
    assert!(err("[sharding]\ntotal = 2\nlast = 2\n").contains("inclusive"));
    assert!(err("[sharding]\nfirst = 1\n").contains("sharding.total"));
}

#[test]
fn nonsense_values_are_refused() {
    assert!(err("[bot]\nrate_limit_per_minute = 0\n").contains("at least 1"));
    assert!(err("[discord]\napi_url = 'discord.com'\n").contains("api_url"));
}

#[test]
fn storage_defaults_to_sqlite_beside_the_config() {
    let c = Config::parse("").unwrap();
    let dir = Path::new("/etc/medfaq");
    assert_eq!(
        c.storage.location_with(dir, None).unwrap(),
        StorageLocation::Sqlite(dir.join(DEFAULT_STORAGE_FILE))
    );
    assert!(!c.storage.unanswered_log);
    let c = Config::parse("[storage]\npath = 'data/bot.db'\n").unwrap();
    assert_eq!(
        c.storage.location_with(dir, None).unwrap(),
        StorageLocation::Sqlite(dir.join("data/bot.db"))
    );
    assert_eq!(
        Config::dir_of(Some(Path::new("config.toml"))),
        Path::new(".")
    );
    assert_eq!(Config::dir_of(Some(dir.join("c.toml").as_path())), dir);
}

#[test]
fn storage_url_comes_from_the_environment_first() {
    let c = Config::parse("[storage]\nurl = 'postgres://a@db1/medfaq'\n").unwrap();
    let here = Path::new(".");
    assert_eq!(
        c.storage.location_with(here, None).unwrap(),
        StorageLocation::Postgres("postgres://a@db1/medfaq".into())
    );
    assert_eq!(
        c.storage
            .location_with(here, Some("postgresql://b:pw@db2/x".into()))
            .unwrap(),
        StorageLocation::Postgres("postgresql://b:pw@db2/x".into())
    );
    assert!(c
        .storage
        .location_with(here, Some("medfaq.db".into()))
        .is_err());
}

#[test]
fn storage_location_never_shows_the_password() {
    #[track_caller]
    fn case(value: &str, shown: &str) {
        let location = StorageLocation::parse(value);
        assert_eq!(location.to_string(), shown);
        assert_eq!(format!("{location:?}"), format!("StorageLocation({shown})"));
    }
    case(
        "postgres://medfaq:s3cret@db:5432/medfaq",
        "postgres db:5432/medfaq",
    );
    case(
        "postgresql://db/medfaq?password=s3cret",
        "postgres db/medfaq",
    );
    case("postgres://u:p@ss@host/db", "postgres host/db");
    case("medfaq.db", "sqlite medfaq.db");
}

#[test]
fn storage_nonsense_is_refused() {
    assert!(err("[storage]\npath = 'a.db'\nurl = 'postgres://h/db'\n").contains("both"));
    let e = err("[storage]\nurl = 'mysql://u:s3cret@h/db'\n");
    assert!(e.contains("postgres://") && !e.contains("s3cret"), "{e}");
    assert!(err("[storage]\nunanswered_retention_days = 0\n").contains("1 to"));
    assert!(err("[storage]\nunanswered_retention_days = 400\n").contains("1 to"));
    assert!(err("[storage]\nfeedback_retention_days = 0\n").contains("at least 1"));
    assert!(err("[storage]\nretention = 3\n").contains("retention"));
}

#[test]
fn missing_or_blank_token_names_the_variable() {
    assert!(token_from(None)
        .unwrap_err()
        .to_string()
        .contains(TOKEN_ENV));
    assert!(token_from(Some("  ".into())).is_err());
    assert_eq!(token_from(Some(" abc \n".into())).unwrap(), "abc");
}
