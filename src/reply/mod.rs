//! Outcomes turned into a platform-neutral [`Reply`] that already fits Discord's limits, so
//! an adapter only has to render it.

use serde::Serialize;

use crate::knowledge::placeholders::fill;
use crate::knowledge::{EmergencyKind, Entry, KnowledgeBase, Region, Severity};
use crate::lang;

mod emergency;
#[cfg(test)]
mod tests;
mod text;

use text::{cut, escape_link_text};
pub use text::{quote_member_text, truncate, MAX_ECHO};

use crate::limits::MAX_BUTTONS_PER_ROW;
pub use crate::limits::{MAX_BODY, MAX_EMBED_TOTAL, MAX_FIELD, MAX_FOOTER, MAX_LABEL, MAX_TITLE};

/// Characters allowed for the label and Markdown around a notice or a warning where it leads
/// the body ("**⛔ Important:** …" and a blank line take 19): generous, so a longer label in
/// another language still fits.
pub const LEAD_DECORATION: usize = 32;

/// The one outcome of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// One curated entry matched with confidence.
    Answer,
    /// A few entries are plausible; the member picks.
    Clarify,
    /// Nothing curated fits.
    NoMatch,
    /// An emergency happening now; emergency help leads.
    Emergency,
}

impl Outcome {
    /// The snake_case name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::Clarify => "clarify",
            Outcome::NoMatch => "no_match",
            Outcome::Emergency => "emergency",
        }
    }
}

/// A source shown under an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLink {
    /// Its title.
    pub title: String,
    /// Its https URL.
    pub url: String,
}

/// An entry offered as a choice or a related link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The entry's id.
    pub entry_id: String,
    /// Its title, cut to fit a button label.
    pub label: String,
}

/// What the member sees, independent of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// The outcome this reply is for.
    pub outcome: Outcome,
    /// The heading: the entry's title, or a short phrase.
    pub title: String,
    /// The main text (Markdown).
    pub body: String,
    /// A crisis notice shown above the body: the question touched a crisis topic without
    /// describing an emergency.
    pub notice: Option<String>,
    /// One prominent line, for caution and danger entries and emergencies.
    pub warning: Option<String>,
    /// How serious this is; decides the colour.
    pub severity: Severity,
    /// Sources with titles and URLs.
    pub sources: Vec<SourceLink>,
    /// General information, not medical advice.
    pub disclaimer: String,
    /// When the entry was last clinically reviewed.
    pub reviewed: Option<String>,
    /// The entry answered, if any.
    pub entry_id: Option<String>,
    /// Entries a member may want next.
    pub related: Vec<Choice>,
    /// For `clarify`: the entries to choose from.
    pub choices: Vec<Choice>,
    /// For `emergency`: the kinds of emergency, the one the reply leads with first.
    pub kinds: Vec<EmergencyKind>,
}

/// `text` without a first clause that only repeats `title` ("I don't have an answer for
/// that, and I won't guess." under the title "I don't have an answer for that" becomes "I
/// won't guess."), so a reply does not open its body with its own heading.
pub fn without_leading(text: &str, title: &str) -> String {
    let lower = text.to_lowercase();
    if !lower.starts_with(&title.to_lowercase()) || title.is_empty() {
        return text.to_string();
    }
    let rest = text
        .get(title.len()..)
        .unwrap_or_default()
        .trim_start_matches(|c: char| c.is_whitespace() || ".,;:!—–-".contains(c));
    let rest = rest.strip_prefix("and ").unwrap_or(rest);
    let mut chars = rest.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text.to_string(),
    }
}

fn choice(entry: &Entry) -> Choice {
    Choice {
        entry_id: entry.id.clone(),
        label: truncate(entry.title(), MAX_LABEL),
    }
}

impl Reply {
    /// The reply for a curated entry, with its region placeholders filled for `region`.
    pub fn from_entry(kb: &KnowledgeBase, entry: &Entry, region: &Region) -> Reply {
        let sources = entry
            .sources
            .iter()
            .filter_map(|k| kb.sources.get(k))
            .filter(|s| {
                s.region
                    .as_ref()
                    .is_none_or(|r| r.eq_ignore_ascii_case(&region.code))
            })
            .map(|s| SourceLink {
                title: s.title.clone(),
                url: s.url.clone(),
            })
            .collect();
        let related = entry
            .related
            .iter()
            .filter_map(|id| kb.entry(id))
            .filter(|e| e.enabled)
            .map(choice)
            .collect();
        Reply {
            outcome: Outcome::Answer,
            title: fill(entry.title(), region),
            body: fill(&entry.answer, region),
            notice: None,
            warning: entry.warning.as_deref().map(|w| fill(w, region)),
            severity: entry.severity,
            sources,
            disclaimer: kb.safety.disclaimer.clone(),
            // The date is a clinician's signature: shown only when one signed it.
            reviewed: entry.reviewed_by.as_ref().map(|_| entry.reviewed.clone()),
            entry_id: Some(entry.id.clone()),
            related,
            choices: Vec::new(),
            kinds: Vec::new(),
        }
        .fit()
    }

    /// The same reply with a crisis notice above its body (placeholders filled).
    ///
    /// A notice whose lines the entry's own warning already names is left out: the warning
    /// leads the reply, so the line is already above the answer.
    pub fn with_notice(mut self, notice: Option<&str>, region: &Region) -> Reply {
        if notice.is_none() && self.notice.is_none() {
            // Nothing to add: the reply already fits.
            return self;
        }
        let warning = self.warning.as_deref().unwrap_or("");
        self.notice = notice.map(|n| fill(n, region)).filter(|n| {
            let lines = [region.crisis.as_str(), region.emergency.as_str()];
            let named: Vec<&str> = lines.into_iter().filter(|l| n.contains(l)).collect();
            named.is_empty() || !named.iter().all(|l| warning.contains(l))
        });
        self.fit()
    }

    /// A reply that is not an entry's answer: no sources, no review date, and the region's
    /// crisis line in the footer.
    fn message(
        kb: &KnowledgeBase,
        region: &Region,
        outcome: Outcome,
        title: String,
        body: String,
    ) -> Reply {
        Reply {
            outcome,
            title,
            body,
            notice: None,
            warning: None,
            severity: if outcome == Outcome::Emergency {
                Severity::Danger
            } else {
                Severity::Info
            },
            sources: Vec::new(),
            disclaimer: format!(
                "{} {}",
                kb.safety.disclaimer,
                fill(&kb.safety.crisis_footer, region)
            ),
            reviewed: None,
            entry_id: None,
            related: Vec::new(),
            choices: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// The "did you mean…" reply offering `entries`.
    pub fn clarify(kb: &KnowledgeBase, entries: &[&Entry], region: &Region) -> Reply {
        let texts = lang::texts(None);
        let choices: Vec<Choice> = entries.iter().map(|e| choice(e)).collect();
        let mut body = format!("{}\n", texts.clarify_prompt);
        for (i, e) in entries.iter().enumerate() {
            body.push_str(&format!("\n{}. {}", i + 1, e.title()));
        }
        body.push_str(&format!("\n\n{}", texts.clarify_fallback));
        Reply {
            severity: entries
                .iter()
                .map(|e| e.severity)
                .max()
                .unwrap_or(Severity::Info),
            choices,
            ..Reply::message(
                kb,
                region,
                Outcome::Clarify,
                texts.clarify_title.to_string(),
                body,
            )
        }
        .fit()
    }

    /// The reply when nothing curated fits `question`.
    ///
    /// `topics` are the topic names to point to (see [`KnowledgeBase::topic_names`]).
    pub fn no_match(
        kb: &KnowledgeBase,
        topics: &[String],
        question: &str,
        region: &Region,
    ) -> Reply {
        let texts = lang::texts(None);
        let asked = if question.trim().is_empty() {
            String::new()
        } else {
            format!("{} {}\n\n", texts.you_asked, quote_member_text(question))
        };
        let body = format!(
            "{asked}{}\n\n{} {}.",
            without_leading(&kb.safety.no_match, texts.no_match_title),
            texts.can_help_with,
            topics.join(", ")
        );
        Reply::message(
            kb,
            region,
            Outcome::NoMatch,
            texts.no_match_title.to_string(),
            body,
        )
        .fit()
    }

    /// The sources as Markdown links, one per line, cut to fit one embed field.
    pub fn sources_markdown(&self) -> String {
        let mut out = String::new();
        for s in &self.sources {
            let line = format!(
                "[{}]({})",
                escape_link_text(&truncate(&s.title, 150)),
                s.url
            );
            let needed = out.chars().count() + line.chars().count() + 1;
            if needed > MAX_FIELD {
                break;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&line);
        }
        out
    }

    /// The footer line: the disclaimer and the review date.
    pub fn footer(&self) -> String {
        let text = match &self.reviewed {
            Some(date) => format!("{} {}", self.disclaimer, (lang::texts(None).reviewed)(date)),
            None => self.disclaimer.clone(),
        };
        truncate(&text, MAX_FOOTER)
    }

    /// Characters the notice and the warning take where they lead the body (on Discord, at
    /// the top of the description), their labels and Markdown counted generously.
    pub fn lead_chars(&self) -> usize {
        self.warning
            .iter()
            .chain(&self.notice)
            .map(|t| t.chars().count() + LEAD_DECORATION)
            .sum()
    }

    /// Characters this reply would use in one embed.
    pub fn embed_chars(&self) -> usize {
        self.title.chars().count()
            + self.body.chars().count()
            + self.lead_chars()
            + self.sources_markdown().chars().count()
            + 10
            + self.footer().chars().count()
    }

    /// Cuts every part to Discord's limits; the body gives way first if the total is too long.
    /// The notice and the warning lead the body in one description, so the body leaves them
    /// room there.
    pub fn fit(mut self) -> Reply {
        cut(&mut self.title, MAX_TITLE);
        for lead in self.warning.iter_mut().chain(self.notice.iter_mut()) {
            cut(lead, MAX_FIELD);
        }
        let body_max = MAX_BODY - self.lead_chars();
        cut(&mut self.body, body_max);
        cut(&mut self.disclaimer, MAX_FOOTER - 32);
        for c in self.choices.iter_mut().chain(self.related.iter_mut()) {
            cut(&mut c.label, MAX_LABEL);
        }
        // One row of buttons each.
        self.choices.truncate(MAX_BUTTONS_PER_ROW);
        self.related.truncate(MAX_BUTTONS_PER_ROW);
        let total = self.embed_chars();
        if total > MAX_EMBED_TOTAL {
            let keep = self
                .body
                .chars()
                .count()
                .saturating_sub(total - MAX_EMBED_TOTAL);
            cut(&mut self.body, keep);
        }
        self
    }

    /// Plain-text rendering for a terminal or a plain message.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push('\n');
        if let Some(n) = &self.notice {
            out.push_str(&format!("\n☎ {n}\n"));
        }
        if let Some(w) = &self.warning {
            out.push_str(&format!("\n⚠ {w}\n"));
        }
        out.push('\n');
        out.push_str(&self.body);
        out.push('\n');
        if !self.sources.is_empty() {
            out.push_str(&format!("\n{}\n", lang::texts(None).sources));
            for s in &self.sources {
                out.push_str(&format!("- {} <{}>\n", s.title, s.url));
            }
        }
        if !self.related.is_empty() {
            out.push_str(&format!("\n{}\n", lang::texts(None).related));
            for c in &self.related {
                out.push_str(&format!("- {} [{}]\n", c.label, c.entry_id));
            }
        }
        out.push('\n');
        out.push_str(&self.footer());
        out.push('\n');
        out
    }
}
