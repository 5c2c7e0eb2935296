//! A subject the knowledge covers only for other medicines: "can you drink alcohol on
//! naloxone", "naloxegol while pregnant". Entries about alcohol and about pregnancy exist,
//! but for naltrexone; the entries about the medicine asked about never speak of it. Nothing
//! curated answers such a question, and offering the medicine's entries would only look like
//! an answer, so it is declined. Only a term that is, alone, what some entry is about counts:
//! "stop" is one of the terms the entry on stopping naltrexone may name (with "overdose"), so
//! "do i stop my campral" is not declined for it.

use super::{Facets, Reading};

impl Facets {
    /// The term `r`'s question asks about that only entries about other medicines have as
    /// their subject, when none of `candidates` (the entries the question may reach) names it
    /// in its questions; `None` when the knowledge may answer it.
    pub fn covered_only_for_others(&self, r: &Reading, candidates: &[usize]) -> Option<&str> {
        if r.drugs.is_empty() {
            return None;
        }
        r.terms_asked
            .iter()
            .find(|term| {
                let Some(owners) = self.subject_of.get(term) else {
                    return false;
                };
                // A term that is only one of several an entry's subject may be ("stop" or
                // "overdose") is not on its own what the entry is about.
                let sole = self.is_key[**term as usize]
                    || owners.iter().any(|e| self.entries[*e].subject.len() == 1);
                sole && !owners.iter().any(|e| self.covers_named_drug(*e, r))
                    && !candidates.iter().any(|c| self.asks_about(*c, **term))
            })
            .and_then(|term| self.name(*term))
    }

    /// True if and only if entry `e`'s questions name one of the drugs `r` names, or one of
    /// their classes.
    fn covers_named_drug(&self, e: usize, r: &Reading) -> bool {
        let Some(facets) = self.entries.get(e) else {
            return false;
        };
        r.drugs.iter().any(|d| {
            facets.drugs.binary_search(d).is_ok()
                || self.classes.get(d).into_iter().flatten().any(|c| {
                    facets.about.binary_search(c).is_ok() || facets.subject.binary_search(c).is_ok()
                })
        })
    }

    /// True if and only if entry `e`'s questions name `term`.
    fn asks_about(&self, e: usize, term: u32) -> bool {
        self.entries.get(e).is_some_and(|f| {
            f.about.binary_search(&term).is_ok() || f.subject.binary_search(&term).is_ok()
        })
    }

    /// The term, class or drug a facet id stands for.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }
}
