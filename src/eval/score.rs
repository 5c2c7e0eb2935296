//! Scoring eval items against the engine: the six metrics and the emergencies by kind.

use super::report::{KindScore, Metric, Miss, Report};
use super::{eval_kind, Expect, Item, EVAL_KINDS};
use crate::engine::Engine;
use crate::reply::Outcome;

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// Scores `items` with `engine`.
pub fn score(engine: &Engine, items: &[Item]) -> Report {
    let (mut in_scope, mut correct, mut reached, mut wrong) = (0, 0, 0, 0);
    let (mut no_match_qs, mut abstained) = (0, 0);
    let (mut emergency_qs, mut emergency_hits, mut false_escalations) = (0, 0, 0);
    let mut misses = Vec::new();
    let mut kinds: Vec<KindScore> = Vec::new();
    let (mut kinded, mut led) = (0, 0);
    for item in items {
        let r = engine.ask(&item.q);
        let got = r.entry_id.as_deref();
        let mut is_wrong = false;
        let mut wrong_kind = Vec::new();
        let hit = match &item.expect {
            Expect::Entries(_) if item.also.contains(&r.outcome) => {
                in_scope += 1;
                correct += 1;
                reached += 1;
                true
            }
            Expect::Entries(ids) => {
                in_scope += 1;
                let ok_id = |id: &str| ids.iter().any(|x| x == id);
                match r.outcome {
                    Outcome::Answer if got.is_some_and(ok_id) => {
                        correct += 1;
                        reached += 1;
                        true
                    }
                    Outcome::Answer => {
                        wrong += 1;
                        is_wrong = true;
                        false
                    }
                    Outcome::Clarify => {
                        if r.alternatives.iter().any(|a| ok_id(&a.entry_id)) {
                            reached += 1;
                        }
                        false
                    }
                    Outcome::Emergency => {
                        false_escalations += 1;
                        false
                    }
                    Outcome::NoMatch => false,
                }
            }
            Expect::NoMatch => {
                no_match_qs += 1;
                match r.outcome {
                    Outcome::NoMatch => {
                        abstained += 1;
                        true
                    }
                    Outcome::Answer => {
                        wrong += 1;
                        is_wrong = true;
                        false
                    }
                    Outcome::Emergency => {
                        false_escalations += 1;
                        false
                    }
                    Outcome::Clarify => false,
                }
            }
            Expect::Emergency => {
                emergency_qs += 1;
                let hit = r.outcome == Outcome::Emergency;
                emergency_hits += usize::from(hit);
                match item
                    .kind
                    .as_deref()
                    .and_then(|k| EVAL_KINDS.iter().find(|x| **x == k))
                {
                    Some(kind) => {
                        let slot = match kinds.iter().position(|s| s.kind == *kind) {
                            Some(i) => i,
                            None => {
                                kinds.push(KindScore {
                                    kind,
                                    questions: 0,
                                    recognised: 0,
                                    led_with_kind: 0,
                                });
                                kinds.len() - 1
                            }
                        };
                        let got_kinds = r
                            .emergency
                            .as_ref()
                            .map(|e| e.kinds.clone())
                            .unwrap_or_default();
                        let leads = got_kinds.first().is_some_and(|k| eval_kind(*k) == *kind);
                        kinds[slot].questions += 1;
                        kinds[slot].recognised += usize::from(hit);
                        kinds[slot].led_with_kind += usize::from(leads);
                        kinded += 1;
                        led += usize::from(leads);
                        if hit && !leads {
                            wrong_kind = got_kinds;
                        }
                        hit && leads
                    }
                    None => hit,
                }
            }
        };
        if !hit {
            misses.push(Miss {
                q: item.q.clone(),
                expect: item.expect.clone(),
                outcome: r.outcome,
                entry_id: r.entry_id.clone(),
                alternatives: r.alternatives.iter().map(|a| a.entry_id.clone()).collect(),
                wrong_answer: is_wrong,
                kinds: wrong_kind,
            });
        }
    }
    let non_emergency = in_scope + no_match_qs;
    let metrics = vec![
        Metric {
            name: "answer_accuracy",
            value: ratio(correct, in_scope),
            bar: 0.90,
            at_least: true,
            over: in_scope,
        },
        Metric {
            name: "reach",
            value: ratio(reached, in_scope),
            bar: 0.97,
            at_least: true,
            over: in_scope,
        },
        Metric {
            name: "wrong_answer_rate",
            value: ratio(wrong, non_emergency),
            bar: 0.03,
            at_least: false,
            over: non_emergency,
        },
        Metric {
            name: "abstention",
            value: ratio(abstained, no_match_qs),
            bar: 0.90,
            at_least: true,
            over: no_match_qs,
        },
        Metric {
            name: "emergency_recall",
            value: ratio(emergency_hits, emergency_qs),
            bar: 1.0,
            at_least: true,
            over: emergency_qs,
        },
        Metric {
            name: "false_escalation",
            value: ratio(false_escalations, non_emergency),
            bar: 0.02,
            at_least: false,
            over: non_emergency,
        },
        Metric {
            name: "emergency_kind",
            value: ratio(led, kinded),
            bar: 0.95,
            at_least: true,
            over: kinded,
        },
    ];
    kinds.sort_by_key(|k| EVAL_KINDS.iter().position(|x| *x == k.kind));
    Report {
        questions: items.len(),
        metrics,
        misses,
        kinds,
    }
}
