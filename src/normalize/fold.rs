//! Text folding: Unicode (NFKC), case, apostrophes, invisible characters and punctuation,
//! then splitting into plain words with contractions expanded. Needs no knowledge.

use std::sync::LazyLock;

use rustc_hash::FxHashMap as HashMap;
use unicode_normalization::UnicodeNormalization;

use super::english;

/// Contractions and texting shorthand, by the word they expand.
static EXPANSIONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    english::CONTRACTIONS
        .iter()
        .chain(english::SHORTHAND)
        .copied()
        .collect()
});

/// Only this many characters of a message are read. Real questions are far shorter; the cap
/// bounds the work a pasted wall of text (or a 100 KB line) can cause.
pub const MAX_INPUT_CHARS: usize = 2000;

/// Returns true if and only if `c` is invisible formatting that changes nothing a person
/// reads: zero-width characters, joiners, bidirectional overrides, the byte-order mark, the
/// soft hyphen, variation selectors, the combining grapheme joiner, the Mongolian vowel
/// separator and tag characters. This is the one table of them: matching drops them, and
/// replies never echo them back.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}' | '\u{00AD}' | '\u{034F}' | '\u{180E}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Folds text for matching: NFKC, lowercase, curly apostrophes made straight, invisible
/// characters dropped, and every character that is not a letter, digit or apostrophe
/// (punctuation, emoji, symbols, controls) turned into a space. Reads at most
/// [`MAX_INPUT_CHARS`] characters.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_INPUT_CHARS * 2));
    if text.is_ascii() {
        // NFKC leaves ASCII as it is; most messages need nothing more than this.
        out.extend(text.bytes().take(MAX_INPUT_CHARS).map(|b| match b {
            b'\'' | b'`' => '\'',
            b if b.is_ascii_alphanumeric() => char::from(b.to_ascii_lowercase()),
            _ => ' ',
        }));
        return out;
    }
    for c in text
        .chars()
        .take(MAX_INPUT_CHARS)
        .filter(|c| !is_invisible(*c))
        .nfkc()
    {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => out.push('\''),
            // Lowercasing can add combining marks ("İ" becomes "i" and a dot): keep only the
            // letters and digits.
            c if c.is_alphanumeric() => {
                out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()))
            }
            _ => out.push(' '),
        }
    }
    out
}

/// Splits text into plain lowercase words with contractions and texting shorthand expanded
/// and apostrophes gone.
///
/// This is all the safety layer needs: no lexicon, no stemming, so curators write emergency
/// cues in plain words.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in fold(text).split_whitespace() {
        let w = raw.trim_matches('\'');
        if w.is_empty() {
            continue;
        }
        if let Some(expanded) = EXPANSIONS.get(w) {
            out.extend(expanded.split(' ').map(str::to_string));
            continue;
        }
        if let Some(stem) = w.strip_suffix("n't") {
            let stem = stem.replace('\'', "");
            if !stem.is_empty() {
                out.push(stem);
            }
            out.push("not".to_string());
            continue;
        }
        // Possessives and the rest: "naltrexone's" reads as "naltrexone".
        let w = w.strip_suffix("'s").unwrap_or(w);
        let w: String = w.chars().filter(|c| *c != '\'').collect();
        // Dropping an apostrophe can bring combining marks together, which NFKC orders:
        // normalise again so that words are stable.
        let w: String = if w.is_ascii() { w } else { w.nfkc().collect() };
        // Without its apostrophes it may be shorthand ("b`4" is "b4"): expand it as the same
        // word typed without them would be, so that words are stable.
        if let Some(expanded) = EXPANSIONS.get(w.as_str()) {
            out.extend(expanded.split(' ').map(str::to_string));
        } else if !w.is_empty() {
            out.push(w);
        }
    }
    out
}
