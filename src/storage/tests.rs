use std::collections::BTreeMap;

use super::report::{self, KnownEntry};

use super::*;
use crate::config::Config;

#[track_caller]
fn date_case(text: &str, expected: Option<i64>) {
    assert_eq!(
        Timestamp::parse_date(text).map(Timestamp::unix),
        expected,
        "{text}"
    );
    if let Some(secs) = expected {
        assert_eq!(Timestamp::from_unix(secs).date(), text.trim());
    }
}

#[test]
fn dates_parse_to_utc_midnight_and_back() {
    date_case("1970-01-01", Some(0));
    date_case("2000-02-29", Some(951_782_400));
    date_case("2026-11-26", Some(1_795_651_200));
    date_case("2024-12-31", Some(1_735_603_200));
    date_case("2023-02-29", None);
    date_case("2026-13-01", None);
    date_case("2026-00-10", None);
    date_case("26-1-1", None);
    date_case("yesterday", None);
    date_case("2026-01", None);
}

#[test]
fn hours_and_days_count_back_from_a_time() {
    let t = Timestamp::from_unix(1_795_651_200 + 3 * 3_600 + 59);
    assert_eq!(t.hour().unix(), 1_795_651_200 + 3 * 3_600);
    assert_eq!(t.days_before(2).unix(), t.unix() - 2 * 86_400);
    assert!(Timestamp::now() > Timestamp::parse_date("2025-01-01").unwrap());
}

#[test]
fn text_is_cut_on_character_boundaries() {
    assert_eq!(cap("abc", 5), "abc");
    assert_eq!(cap("abcdef", 3), "abc");
    assert_eq!(cap("ééé", 2), "éé");
    let f = Feedback {
        entry_id: None,
        outcome: FeedbackOutcome::Report {
            comment: Some(format!("  {}  ", "x".repeat(MAX_COMMENT_CHARS + 50))),
        },
        region: None,
        guild_id: None,
        at: Timestamp::now(),
    };
    let (_, outcome, comment, _) = feedback_columns(&f);
    assert_eq!(outcome, "report");
    assert_eq!(comment.map(|c| c.chars().count()), Some(MAX_COMMENT_CHARS));
    let blank = Feedback {
        outcome: FeedbackOutcome::Report {
            comment: Some("   ".into()),
        },
        ..f
    };
    assert_eq!(feedback_columns(&blank).2, None);
}

#[test]
fn discord_ids_survive_the_database_integer() {
    for id in [1u64, 81_384_788_765_712_384, u64::MAX, 1 << 63] {
        assert_eq!(id_from_db(id_to_db(id)), id);
    }
    assert_eq!(served_guild(None), DM_GUILD);
}

#[test]
fn served_records_are_summed_per_entry_server_and_hour() {
    let at = Timestamp::from_unix(7_200 + 5);
    let served = |entry: &str, guild, at| {
        Record::Served(Served {
            entry_id: entry.into(),
            guild_id: guild,
            at,
        })
    };
    let totals = served_totals(&[
        served("a", Some(1), at),
        served("a", Some(1), Timestamp::from_unix(7_200 + 3_599)),
        served("a", Some(1), Timestamp::from_unix(7_200 + 3_600)),
        served("a", None, at),
        served("b", Some(1), at),
    ]);
    assert_eq!(totals.get(&("a".into(), 1, 7_200)), Some(&2));
    assert_eq!(totals.get(&("a".into(), 1, 10_800)), Some(&1));
    assert_eq!(totals.get(&("a".into(), DM_GUILD, 7_200)), Some(&1));
    assert_eq!(totals.len(), 4);
}

#[test]
fn stored_choices_override_the_config_defaults() {
    let defaults = Settings::from_config(&Config::default());
    assert_eq!(defaults.merged(None), defaults);
    assert!(!defaults.unanswered_log);
    let stored = GuildSettings {
        region: Some("UK".into()),
        answers_public: Some(true),
        unanswered_log: Some(true),
        unanswered_retention_days: Some(10_000),
        moderator_channel_id: Some(42),
        ..GuildSettings::default()
    };
    let merged = defaults.merged(Some(&stored));
    assert_eq!(merged.region.as_deref(), Some("UK"));
    assert!(merged.answers_public);
    assert_eq!(merged.answer_mentions, defaults.answer_mentions);
    assert!(merged.unanswered_log);
    assert_eq!(
        merged.unanswered_retention_days,
        crate::config::MAX_UNANSWERED_RETENTION_DAYS,
        "a retention beyond the cap is capped"
    );
    assert_eq!(merged.moderator_channel_id, Some(42));
    assert_eq!(merged.moderator_role_id, None);
}

#[test]
fn write_retries_back_off_and_stay_bounded() {
    assert_eq!(backoff(1), std::time::Duration::from_millis(100));
    assert!(backoff(2) > backoff(1));
    assert_eq!(backoff(40), std::time::Duration::from_secs(5));
    let total: std::time::Duration = (1..MAX_WRITE_ATTEMPTS).map(backoff).sum();
    assert!(
        total < std::time::Duration::from_secs(30),
        "a batch is dropped within half a minute: {total:?}"
    );
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn unanswered_questions_group_by_shared_words_largest_first() {
    let groups = report::group_questions(&strings(&[
        "how long does antabuse stay in your system",
        "can i use mouthwash on antabuse",
        "How long does Antabuse stay in your system?",
        "how long does antabuse last in the system",
        "is kratom safe with naltrexone",
        "how long does antabuse last",
        "mouthwash and antabuse",
    ]));
    let texts: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.questions.iter().map(|p| p.text.as_str()).collect())
        .collect();
    assert_eq!(groups[0].count, 4, "{texts:?}");
    assert_eq!(
        texts[0],
        [
            "how long does antabuse stay in your system",
            "how long does antabuse last in the system",
            "how long does antabuse last"
        ],
        "the same words typed twice are one phrasing, counted twice"
    );
    assert_eq!(groups[0].questions[0].count, 2);
    assert!(groups[0].shared_words.contains(&"antabuse".to_string()));
    assert_eq!(
        texts[1],
        ["can i use mouthwash on antabuse", "mouthwash and antabuse"]
    );
    assert_eq!(texts[2], ["is kratom safe with naltrexone"]);
    assert_eq!(groups.len(), 3);
}

#[test]
fn report_suggests_only_new_phrasings_as_yaml() {
    let mut rows = ReportRows::default();
    rows.served.insert("naltrexone-alcohol".into(), 7);
    rows.served.insert("naltrexone-opioids".into(), 9);
    rows.feedback.insert(
        Some("naltrexone-alcohol".into()),
        FeedbackCounts {
            helpful: 3,
            ..FeedbackCounts::default()
        },
    );
    rows.feedback.insert(
        None,
        FeedbackCounts {
            not_helpful: 2,
            ..FeedbackCounts::default()
        },
    );
    rows.picks = vec![
        (
            "can i drink on the shot".into(),
            "naltrexone-alcohol".into(),
        ),
        (
            "Can I drink on the shot".into(),
            "naltrexone-alcohol".into(),
        ),
        (
            "Is drinking OK on naltrexone?".into(),
            "naltrexone-alcohol".into(),
        ),
        ("yes: really".into(), "naltrexone-alcohol".into()),
    ];
    let mut known = BTreeMap::new();
    known.insert(
        "naltrexone-alcohol".to_string(),
        KnownEntry {
            title: "Can I drink alcohol on naltrexone?".into(),
            questions: strings(&[
                "Can I drink alcohol on naltrexone?",
                "is drinking ok on naltrexone",
            ]),
        },
    );
    let r = report::build(rows, &known);
    let ids: Vec<&str> = r.entries.iter().map(|e| e.entry_id.as_str()).collect();
    assert_eq!(
        ids,
        ["naltrexone-opioids", "naltrexone-alcohol"],
        "most served first"
    );
    assert_eq!(r.entries[1].feedback.helpful, 3);
    assert_eq!(
        r.entries[1].title.as_deref(),
        Some("Can I drink alcohol on naltrexone?")
    );
    assert_eq!(r.no_answer.not_helpful, 2);
    assert_eq!(r.phrasings.len(), 1);
    let yaml = r.phrasings[0].yaml();
    assert_eq!(yaml, "    - can i drink on the shot\n    - 'yes: really'\n");
    let parsed: Vec<String> = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(parsed, ["can i drink on the shot", "yes: really"]);
}
