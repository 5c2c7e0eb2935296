//! Triage's learned reader: a multinomial logistic regression over the words, word pairs and
//! concepts of a message, trained when the knowledge loads on `triage-examples.yaml` (messages
//! labelled with the emergency they describe, or none) and on every entry's questions (which
//! describe none).
//!
//! The rules of `safety.yaml` decide first; the learned reader only speaks when they are
//! silent. It reads a message whole, so it still recognises an emergency described in words
//! no form lists ("his chest isn't going up and down", "tonight's the night"), which is where
//! hand-written forms fail on messages nobody wrote them for.
//!
//! Training is deterministic (a fixed shuffle), so the same knowledge always gives the same
//! model and the same replies; its step shrinks pass by pass, so a small change to the
//! knowledge gives a small change to the model.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap as HashMap, FxHasher};

use crate::knowledge::EmergencyKind;
use crate::normalize::Analysis;

/// Its classes: none, then each kind of emergency in [`EmergencyKind::ALL`] order.
pub const CLASSES: usize = 1 + EmergencyKind::ALL.len();

/// Passes over the training messages.
const EPOCHS: usize = 30;
/// The step of each update (features are scaled to a unit vector, so steps are large).
const LEARNING_RATE: f32 = 1.0;
/// How fast the step shrinks from one pass to the next: the last passes settle the weights,
/// so adding one example or entry question no longer flips the verdict on unrelated
/// messages (with a constant step, 2 of 2,762 evaluation messages flipped; with this, none).
const DECAY: f32 = 0.2;
/// Pulls each weight towards zero as it is updated, so no single word decides alone.
const L2: f32 = 1e-4;

/// A message's features, hashed: each word, each pair of neighbouring words in one clause,
/// and each triage concept found (by index).
pub(super) fn features(analysis: &Analysis, concepts: u128) -> Vec<u64> {
    let tokens = &analysis.tokens;
    let mut out = Vec::with_capacity(tokens.len() * 2 + 8);
    for (i, token) in tokens.iter().enumerate() {
        out.push(key(0, &token.text, ""));
        if let Some(next) = tokens.get(i + 1) {
            if analysis.clauses.get(i) == analysis.clauses.get(i + 1) {
                out.push(key(1, &token.text, &next.text));
            }
        }
    }
    for c in 0..128u32 {
        if concepts & (1 << c) != 0 {
            let mut h = FxHasher::default();
            (2u8, c).hash(&mut h);
            out.push(h.finish());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Each present feature's value: the message's features form a unit vector, so a long
/// message does not pile up evidence just by being long.
fn value(features: usize) -> f32 {
    1.0 / (features.max(1) as f32).sqrt()
}

fn key(tag: u8, a: &str, b: &str) -> u64 {
    let mut h = FxHasher::default();
    tag.hash(&mut h);
    a.hash(&mut h);
    b.hash(&mut h);
    h.finish()
}

/// The trained weights.
#[derive(Debug, Clone)]
pub(super) struct Model {
    weights: HashMap<u64, [f32; CLASSES]>,
    bias: [f32; CLASSES],
}

/// The class of `kind` (0 is none).
pub(super) fn class(kind: Option<EmergencyKind>) -> usize {
    kind.and_then(|k| EmergencyKind::ALL.iter().position(|&a| a == k))
        .map_or(0, |i| i + 1)
}

impl Model {
    /// Trains on `samples` (features, class). `None` unless there is at least one message
    /// of an emergency and one of none to learn from.
    pub(super) fn train(samples: &[(Vec<u64>, usize)]) -> Option<Model> {
        let has = |pred: fn(usize) -> bool| samples.iter().any(|(_, c)| pred(*c));
        if !has(|c| c == 0) || !has(|c| c > 0) {
            return None;
        }
        // Train on dense rows: each distinct feature gets an index, so an update is plain
        // indexing rather than a hash lookup.
        let mut index: HashMap<u64, u32> = HashMap::default();
        let rows: Vec<(Vec<u32>, usize)> = samples
            .iter()
            .map(|(features, class)| {
                let row = features
                    .iter()
                    .map(|f| {
                        let next = index.len() as u32;
                        *index.entry(*f).or_insert(next)
                    })
                    .collect();
                (row, *class)
            })
            .collect();
        let mut weights = vec![[0.0f32; CLASSES]; index.len()];
        let mut bias = [0.0f32; CLASSES];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for epoch in 0..EPOCHS {
            let rate = LEARNING_RATE / (1.0 + epoch as f32 * DECAY);
            // Fisher-Yates with xorshift: a fixed, reproducible order per epoch.
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            for &i in &order {
                let (row, class) = &rows[i];
                let x = value(row.len());
                let mut z = bias;
                for &f in row {
                    let w = &weights[f as usize];
                    for c in 0..CLASSES {
                        z[c] += w[c] * x;
                    }
                }
                let mut g = softmax(z);
                g[*class] -= 1.0;
                for c in 0..CLASSES {
                    bias[c] -= rate * g[c];
                }
                for &f in row {
                    let w = &mut weights[f as usize];
                    for c in 0..CLASSES {
                        w[c] -= rate * (g[c] * x + L2 * w[c]);
                    }
                }
            }
        }
        let weights = index
            .into_iter()
            .map(|(feature, i)| (feature, weights[i as usize]))
            .collect();
        Some(Model { weights, bias })
    }

    /// The probability of each class for a message with `features`.
    pub(super) fn probabilities(&self, features: &[u64]) -> [f32; CLASSES] {
        let mut z = self.bias;
        let x = value(features.len());
        for f in features {
            if let Some(w) = self.weights.get(f) {
                for (z, w) in z.iter_mut().zip(w) {
                    *z += w * x;
                }
            }
        }
        softmax(z)
    }
}

/// Turns scores into probabilities that sum to one.
fn softmax(mut z: [f32; CLASSES]) -> [f32; CLASSES] {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in &mut z {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in &mut z {
        *v /= sum;
    }
    z
}

/// The likeliest kind of emergency in `p`, and how likely any emergency is.
pub(super) fn verdict(p: &[f32; CLASSES]) -> (EmergencyKind, f32) {
    let (best, _) = p[1..]
        .iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc },
        );
    (EmergencyKind::ALL[best], 1.0 - p[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<(Vec<u64>, usize)> {
        let overdose = class(Some(EmergencyKind::Overdose));
        let seizure = class(Some(EmergencyKind::Seizure));
        let mut out = Vec::new();
        for i in 0..20u64 {
            out.push((vec![1, 2, 100 + i], overdose));
            out.push((vec![3, 4, 200 + i], seizure));
            out.push((vec![5, 6, 300 + i], 0));
        }
        out
    }

    #[test]
    fn learns_which_features_mean_which_kind() {
        let model = Model::train(&samples()).expect("both labels are present");
        let (kind, p) = verdict(&model.probabilities(&[1, 2, 999]));
        assert_eq!(kind, EmergencyKind::Overdose);
        assert!(p > 0.9, "{p}");
        let (kind, p) = verdict(&model.probabilities(&[3, 4]));
        assert_eq!(kind, EmergencyKind::Seizure);
        assert!(p > 0.9, "{p}");
        let (_, p) = verdict(&model.probabilities(&[5, 6]));
        assert!(p < 0.1, "{p}");
    }

    #[test]
    fn training_is_reproducible() {
        let a = Model::train(&samples()).unwrap();
        let b = Model::train(&samples()).unwrap();
        for f in [vec![1, 2], vec![3, 6], vec![999]] {
            assert_eq!(a.probabilities(&f), b.probabilities(&f));
        }
    }

    #[test]
    fn needs_an_emergency_and_a_message_of_none_to_learn_from() {
        let only_none: Vec<_> = samples().into_iter().filter(|(_, c)| *c == 0).collect();
        assert!(Model::train(&only_none).is_none());
        let no_none: Vec<_> = samples().into_iter().filter(|(_, c)| *c != 0).collect();
        assert!(Model::train(&no_none).is_none());
        assert!(Model::train(&[]).is_none());
    }

    #[test]
    fn probabilities_sum_to_one_even_for_unseen_features() {
        let model = Model::train(&samples()).unwrap();
        for f in [vec![], vec![12345], vec![1, 2, 3, 4, 5, 6]] {
            let p = model.probabilities(&f);
            let sum: f32 = p.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "{p:?}");
        }
    }

    #[test]
    fn classes_follow_the_order_of_every_kind() {
        assert_eq!(class(None), 0);
        for (i, kind) in EmergencyKind::ALL.into_iter().enumerate() {
            assert_eq!(class(Some(kind)), i + 1);
        }
    }
}
