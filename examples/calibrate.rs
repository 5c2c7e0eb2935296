//! Calibrates the matcher: scores eval files under weights given in the environment, so a
//! sweep can compare settings without rebuilding.
//!
//! ```sh
//! cargo run --release --example calibrate -- knowledge tests/regression/*.yaml
//! COVERAGE_SHARE=0.5 ANSWER_MARGIN=0.06 cargo run --release --example calibrate -- knowledge FILE...
//! ```
//! Prints one JSON line: the six metrics, and the share of in-scope questions whose top-ranked
//! entry is right (what thresholds cannot improve). With `SHOW_WRONG` set, every wrong answer
//! is listed on standard error.

use std::path::PathBuf;

use medfaq::eval::{self, Expect};
use medfaq::matcher::Weights;
use medfaq::{Engine, KnowledgeBase};

fn weight(name: &str, default: f32) -> f32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "knowledge".into()));
    let d = Weights::DEFAULT;
    let w = Weights {
        idf_power: weight("IDF_POWER", d.idf_power),
        drug_boost: weight("DRUG_BOOST", d.drug_boost),
        term_boost: weight("TERM_BOOST", d.term_boost),
        stopword_weight: weight("STOPWORD_WEIGHT", d.stopword_weight),
        unknown_factor: weight("UNKNOWN_FACTOR", d.unknown_factor),
        beta: weight("BETA", d.beta),
        answer_credit: weight("ANSWER_CREDIT", d.answer_credit),
        title_weight: weight("TITLE_WEIGHT", d.title_weight),
        min_query_weight: weight("MIN_QUERY_WEIGHT", d.min_query_weight),
        bm25_k1: weight("BM25_K1", d.bm25_k1),
        bm25_b: weight("BM25_B", d.bm25_b),
        coverage_share: weight("COVERAGE_SHARE", d.coverage_share),
        anchor_bonus: weight("ANCHOR_BONUS", d.anchor_bonus),
        clarify_min: weight("CLARIFY_MIN", d.clarify_min),
        clarify_min_named_drug: weight("CLARIFY_MIN_NAMED_DRUG", d.clarify_min_named_drug),
        clarify_min_anchored: weight("CLARIFY_MIN_ANCHORED", d.clarify_min_anchored),
        answer_min: weight("ANSWER_MIN", d.answer_min),
        answer_margin: weight("ANSWER_MARGIN", d.answer_margin),
        clarify_band: weight("CLARIFY_BAND", d.clarify_band),
        context_weight: weight("CONTEXT_WEIGHT", d.context_weight),
        context_drug_weight: weight("CONTEXT_DRUG_WEIGHT", d.context_drug_weight),
        context_min_words: weight("CONTEXT_MIN_WORDS", d.context_min_words),
        short_clarify_min: weight("SHORT_CLARIFY_MIN", d.short_clarify_min),
        own_question_min: weight("OWN_QUESTION_MIN", d.own_question_min),
        story_clarify_min: weight("STORY_CLARIFY_MIN", d.story_clarify_min),
        story_backed_clarify_min: weight("STORY_BACKED_CLARIFY_MIN", d.story_backed_clarify_min),
        backed_clarify_min: weight("BACKED_CLARIFY_MIN", d.backed_clarify_min),
        story_answer_min: weight("STORY_ANSWER_MIN", d.story_answer_min),
        story_answer_margin: weight("STORY_ANSWER_MARGIN", d.story_answer_margin),
        story_question_min: weight("STORY_QUESTION_MIN", d.story_question_min),
        agreement_smoothing: weight("AGREEMENT_SMOOTHING", d.agreement_smoothing),
        agreement_min: weight("AGREEMENT_MIN", d.agreement_min),
        agreement_answer_min: weight("AGREEMENT_ANSWER_MIN", d.agreement_answer_min),
        story_agreement_min: weight("STORY_AGREEMENT_MIN", d.story_agreement_min),
        held_back_agreement_min: weight("HELD_BACK_AGREEMENT_MIN", d.held_back_agreement_min),
        passing_medicine_lead: weight("PASSING_MEDICINE_LEAD", d.passing_medicine_lead),
        single_choice_agreement_min: weight(
            "SINGLE_CHOICE_AGREEMENT_MIN",
            d.single_choice_agreement_min,
        ),
    };
    let engine = Engine::with_weights(KnowledgeBase::load(&dir)?, w);
    let mut items = Vec::new();
    for f in args {
        items.extend(eval::load(&PathBuf::from(f))?);
    }
    let report = eval::score(&engine, &items);
    let (mut in_scope, mut top1) = (0, 0);
    for item in &items {
        if let Expect::Entries(ids) = &item.expect {
            in_scope += 1;
            let ranking = engine.index().rank_analysis(&engine.analyze(&item.q));
            if let Some(top) = ranking.scored.first() {
                if ids.contains(&engine.knowledge().entries[top.entry].id) {
                    top1 += 1;
                }
            }
        }
    }
    let metrics: serde_json::Map<String, serde_json::Value> = report
        .metrics
        .iter()
        .map(|m| {
            (
                m.name.to_string(),
                serde_json::json!((m.value * 1000.0).round() / 1000.0),
            )
        })
        .collect();
    if std::env::var("SHOW_WRONG").is_ok() {
        for m in report.misses.iter().filter(|m| m.wrong_answer) {
            eprintln!(
                "WRONG {:?} -> {:?} (expected {:?})",
                m.q, m.entry_id, m.expect
            );
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "top1": (top1 as f64 / in_scope.max(1) as f64 * 1000.0).round() / 1000.0,
            "metrics": metrics,
        })
    );
    Ok(())
}
