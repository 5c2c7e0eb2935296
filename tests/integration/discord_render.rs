//! Rendering: engine replies and command definitions against Discord's limits.

use medfaq::discord::render;
use medfaq::knowledge::Severity;
use medfaq::reply::{Choice, SourceLink};
use medfaq::{Outcome, Reply};
use serde_json::json;

use crate::discord_shared::{
    assert_fits_discord, chars, clarify_question, command_names, engine, is_ephemeral,
    COMMAND_NAMES,
};

fn long_reply() -> Reply {
    Reply {
        outcome: Outcome::Answer,
        title: "A very long title about naltrexone and opioid pain medicines ".repeat(6),
        body: "x".repeat(1200),
        notice: None,
        warning: Some("Never take more opioids to push through the block.".into()),
        severity: Severity::Danger,
        sources: (0..5)
            .map(|i| SourceLink {
                title: format!("Source {i}: {}", "a long source title ".repeat(5)),
                url: format!("https://example.org/{}/{i}", "path/".repeat(10)),
            })
            .collect(),
        disclaimer: "General information, not medical advice.".into(),
        reviewed: Some("2026-11-26".into()),
        entry_id: Some("long-entry".into()),
        related: (0..7)
            .map(|i| Choice {
                entry_id: format!("related-entry-{i}"),
                label: "A related question that is rather long to fit a button label ".repeat(2),
            })
            .collect(),
        choices: Vec::new(),
        kinds: Vec::new(),
    }
    .fit()
}

#[test]
fn long_answer_with_five_sources_fits_discord_limits() {
    let reply = long_reply();
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    assert_fits_discord(&data);
    let embed = &data["embeds"][0];
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.ends_with(&reply.body) && reply.body.chars().count() == 1200,
        "the answer is not cut"
    );
    let sources = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Sources")
        .expect("a sources field");
    assert_eq!(
        sources["value"]
            .as_str()
            .unwrap()
            .matches("](https://")
            .count(),
        5
    );
    assert!(embed["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("2026-11-26"));
    assert_eq!(embed["color"], json!(render::COLOUR_DANGER.0));
    assert!(is_ephemeral(&data));
}

#[test]
fn every_builder_disallows_mentions_and_sets_ephemeral_only_when_asked() {
    let reply = long_reply();
    let r = render::Rendered::reply(&reply);
    let public = serde_json::to_value(r.clone().interaction(false)).unwrap();
    assert!(!is_ephemeral(&public));
    assert_fits_discord(&public);
    let message = serde_json::to_value(r.clone().message(None)).unwrap();
    assert_fits_discord(&message);
    assert_eq!(
        message["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [], "replied_user": false})
    );
    assert_fits_discord(&serde_json::to_value(r.clone().edit()).unwrap());
    assert_fits_discord(&serde_json::to_value(r.update()).unwrap());
}

#[test]
fn clarify_renders_choices_and_none_of_these() {
    let engine = engine();
    let q = clarify_question(&engine);
    let reply = engine.ask(q).reply;
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    assert_fits_discord(&data);
    let row = &data["components"][0]["components"];
    let ids: Vec<&str> = row
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["custom_id"].as_str().unwrap())
        .collect();
    // The choices and "none of these", in one row of at most five buttons.
    assert!(
        ids.len() >= 2 && ids.len() <= medfaq::matcher::MAX_OFFERED + 1 && ids.len() <= 5,
        "{ids:?}"
    );
    assert_eq!(*ids.last().unwrap(), render::ID_NONE);
    for (id, choice) in ids.iter().zip(&reply.choices) {
        assert_eq!(*id, format!("{}{}", render::ID_PICK, choice.entry_id));
    }
}

#[test]
fn clarify_names_each_choice_once_as_a_button_not_again_in_the_text() {
    let engine = engine();
    let reply = engine.ask(clarify_question(&engine)).reply;
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    let description = data["embeds"][0]["description"].as_str().unwrap();
    let buttons = data["components"][0]["components"].as_array().unwrap();
    for c in &reply.choices {
        let has_button = buttons.iter().any(|b| b["label"] == json!(c.label));
        assert!(has_button, "{} has a button", c.label);
        assert!(!description.contains(&c.label), "{description:?}");
    }
}

#[test]
fn no_match_body_does_not_open_with_its_title() {
    let engine = engine();
    let reply = engine.none_of_these(None);
    assert_eq!(reply.outcome, Outcome::NoMatch);
    assert!(
        !reply
            .body
            .to_lowercase()
            .starts_with(&reply.title.to_lowercase()),
        "{:?} / {:?}",
        reply.title,
        reply.body
    );
}

#[test]
fn command_definitions_fit_discord_and_work_in_dms() {
    let commands = serde_json::to_value(medfaq::discord::commands::definitions()).unwrap();
    assert_eq!(command_names(&commands), COMMAND_NAMES);
    let manage_guild = 1u64 << 5;
    for c in commands.as_array().unwrap() {
        assert!((1..=100).contains(&chars(&c["description"])), "{c}");
        if c["name"] == "settings" || c["name"] == "medfaq-status" {
            assert_eq!(
                c["default_member_permissions"],
                json!(manage_guild.to_string()),
                "for server managers: {c}"
            );
        }
        if c["default_member_permissions"].is_null() {
            assert_eq!(c["contexts"], json!([0, 1]), "guilds and bot DMs");
        } else {
            // Default permissions do not apply in DMs: a moderators' command stays in servers.
            assert_eq!(c["contexts"], json!([0]), "{c}");
        }
        for o in c["options"].as_array().into_iter().flatten() {
            assert!((1..=100).contains(&chars(&o["description"])), "{o}");
            for sub in o["options"].as_array().into_iter().flatten() {
                assert!((1..=100).contains(&chars(&sub["description"])), "{sub}");
                assert!(sub["name"].as_str().unwrap().chars().count() <= 32, "{sub}");
            }
        }
    }
    assert_eq!(commands[0]["options"][0]["autocomplete"], json!(true));
}

#[test]
fn danger_warning_leads_the_description_and_is_no_field() {
    let reply = long_reply();
    let embed = serde_json::to_value(render::embed(&reply)).unwrap();
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.starts_with("**⛔ Important:** Never take more opioids"),
        "{description:?}"
    );
    let names: Vec<&str> = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sources"], "only the sources come after the answer");
}

#[test]
fn crisis_notice_leads_then_the_warning_then_the_answer() {
    let reply = Reply {
        notice: Some("If you are thinking of ending your life, call 988.".into()),
        severity: Severity::Caution,
        ..long_reply()
    }
    .fit();
    let embed = serde_json::to_value(render::embed(&reply)).unwrap();
    let description = embed["description"].as_str().unwrap();
    let notice = description.find("**☎ If you are thinking").unwrap();
    let warning = description.find("**⚠️ Caution:** Never take").unwrap();
    let answer = description.find(&reply.body).unwrap();
    assert!(notice == 0 && notice < warning && warning < answer);
}

#[test]
fn warning_and_notice_at_their_limits_still_fit_with_a_full_body() {
    let reply = Reply {
        notice: Some("n".repeat(2000)),
        warning: Some("w".repeat(2000)),
        body: "b".repeat(8000),
        ..long_reply()
    }
    .fit();
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    assert_fits_discord(&data);
    let description = data["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.contains(&"w".repeat(1000)),
        "the warning is whole"
    );
    assert!(
        description.ends_with(&reply.body),
        "the body, not the warning, gave way"
    );
}
