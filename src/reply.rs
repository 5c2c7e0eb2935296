//! Outcomes turned into a platform-neutral [`Reply`] that already fits Discord's limits, so
//! an adapter only has to render it.

use serde::Serialize;

use crate::knowledge::placeholders::fill;
use crate::knowledge::{EmergencyKind, Entry, KnowledgeBase, Region, Severity};

use crate::limits::MAX_BUTTONS_PER_ROW;
pub use crate::limits::{MAX_BODY, MAX_EMBED_TOTAL, MAX_FIELD, MAX_FOOTER, MAX_LABEL, MAX_TITLE};

/// How much of a member's own text is ever echoed back.
pub const MAX_ECHO: usize = 120;

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

/// Cuts `s` to at most `max` characters, ending with an ellipsis when it had to cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Makes a member's own text safe to show back: invisible and control characters removed,
/// whitespace collapsed, cut to [`MAX_ECHO`], and wrapped as inline code so that Markdown,
/// links and mentions in it are shown as text, never acted on.
pub fn quote_member_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .take(MAX_ECHO * 4)
        .map(|c| if c == '`' { '\'' } else { c })
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .collect();
    // Inline code already shows mentions and links as text; breaking `@`, `](` and `://`
    // keeps them inert even where the text is shown some other way.
    let cleaned = cleaned
        .replace('@', "@\u{200B}")
        .replace("](", "]\u{200B}(")
        .replace("://", ":\u{200B}//");
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = truncate(&collapsed, MAX_ECHO);
    if cut.is_empty() {
        "` `".to_string()
    } else {
        format!("`{cut}`")
    }
}

/// Returns true if and only if `c` is an invisible formatting character (zero-width, bidi
/// override, BOM).
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{00AD}')
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
            reviewed: Some(entry.reviewed.clone()),
            entry_id: Some(entry.id.clone()),
            related,
            choices: Vec::new(),
            kinds: Vec::new(),
        }
        .fit()
    }

    /// The same reply with a crisis notice above its body (placeholders filled).
    pub fn with_notice(mut self, notice: Option<&str>, region: &Region) -> Reply {
        self.notice = notice.map(|n| fill(n, region));
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
        let choices: Vec<Choice> = entries.iter().map(|e| choice(e)).collect();
        let mut body = String::from("I'm not sure which of these you mean. Pick one:\n");
        for (i, e) in entries.iter().enumerate() {
            body.push_str(&format!("\n{}. {}", i + 1, e.title()));
        }
        body.push_str("\n\nIf none of these fits, try asking in other words or browse /topics.");
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
                "Did you mean…".to_string(),
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
        let asked = if question.trim().is_empty() {
            String::new()
        } else {
            format!("You asked: {}\n\n", quote_member_text(question))
        };
        let body = format!(
            "{asked}{}\n\nI can help with: {}.",
            kb.safety.no_match,
            topics.join(", ")
        );
        Reply::message(
            kb,
            region,
            Outcome::NoMatch,
            "I don't have a curated answer for that".to_string(),
            body,
        )
        .fit()
    }

    /// Emergency help for `region`, led by the help for the first of `kinds`: its title, its
    /// first line (the one place the body names the emergency number), then the steps for
    /// every kind, the crisis and poison lines, and the international line. It offers no
    /// curated entries: in an emergency, nothing should compete with the help.
    pub fn emergency(kb: &KnowledgeBase, region: &Region, kinds: &[EmergencyKind]) -> Reply {
        let help = &kb.safety.help;
        let lead = kinds.first().copied().unwrap_or(EmergencyKind::Overdose);
        let Some(lead_help) = help.get(&lead).or_else(|| help.values().next()) else {
            return Reply::help_lines(kb, region);
        };
        let mut body = fill(&lead_help.first, region);
        let mut shown: Vec<EmergencyKind> = Vec::new();
        for kind in std::iter::once(lead).chain(kinds.iter().copied()) {
            if shown.contains(&kind) {
                continue;
            }
            shown.push(kind);
            if let Some(h) = help.get(&kind) {
                body.push_str("\n\n");
                body.push_str(&fill(&h.steps, region));
            }
        }
        let crisis_led = matches!(lead, EmergencyKind::Suicide | EmergencyKind::SelfHarm);
        if !crisis_led {
            body.push_str(&format!(
                "\n\n**Crisis support:** {}.",
                region.crisis.trim_end_matches('.')
            ));
        }
        if shown.contains(&EmergencyKind::Poisoning) && lead != EmergencyKind::Poisoning {
            if let Some(poison) = &region.poison {
                body.push_str(&format!(
                    "\n**Poison advice:** {}.",
                    poison.trim_end_matches('.')
                ));
            }
        }
        body.push_str(&format!("\n\n{}", fill(&kb.safety.international, region)));
        Reply {
            kinds: shown,
            ..Reply::message(
                kb,
                region,
                Outcome::Emergency,
                fill(&lead_help.title, region),
                body,
            )
        }
        .fit()
    }

    /// The emergency, crisis, poison and treatment lines for `region` (for an emergency
    /// command), without assuming anything is happening.
    pub fn help_lines(kb: &KnowledgeBase, region: &Region) -> Reply {
        let mut body = format!("**Emergency:** call {}.", region.emergency);
        body.push_str(&format!(
            "\n**Crisis support:** {}.",
            region.crisis.trim_end_matches('.')
        ));
        if let Some(poison) = &region.poison {
            body.push_str(&format!(
                "\n**Poison advice:** {}.",
                poison.trim_end_matches('.')
            ));
        }
        if let Some(urgent) = &region.urgent {
            body.push_str(&format!(
                "\n**Urgent advice:** {}.",
                urgent.trim_end_matches('.')
            ));
        }
        if let Some(treatment) = &region.treatment {
            body.push_str(&format!(
                "\n**Treatment:** {}.",
                treatment.trim_end_matches('.')
            ));
        }
        if let Some(overdose) = kb.safety.help.get(&EmergencyKind::Overdose) {
            body.push_str(&format!(
                "\n\n**If someone may be overdosing:**\n{}",
                fill(&overdose.steps, region)
            ));
        }
        body.push_str(&format!("\n\n{}", fill(&kb.safety.international, region)));
        Reply::message(
            kb,
            region,
            Outcome::Emergency,
            format!("Emergency and crisis help ({})", region.name),
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
            Some(date) => format!("{} Reviewed {date}.", self.disclaimer),
            None => self.disclaimer.clone(),
        };
        truncate(&text, MAX_FOOTER)
    }

    /// Characters this reply would use in one embed.
    pub fn embed_chars(&self) -> usize {
        self.title.chars().count()
            + self.body.chars().count()
            + self.warning.as_ref().map_or(0, |w| w.chars().count() + 10)
            + self.notice.as_ref().map_or(0, |n| n.chars().count() + 10)
            + self.sources_markdown().chars().count()
            + 10
            + self.footer().chars().count()
    }

    /// Cuts every part to Discord's limits; the body gives way first if the total is too long.
    pub fn fit(mut self) -> Reply {
        self.title = truncate(&self.title, MAX_TITLE);
        self.body = truncate(&self.body, MAX_BODY);
        self.warning = self.warning.map(|w| truncate(&w, MAX_FIELD));
        self.notice = self.notice.map(|n| truncate(&n, MAX_FIELD));
        self.disclaimer = truncate(&self.disclaimer, MAX_FOOTER - 32);
        for c in self.choices.iter_mut().chain(self.related.iter_mut()) {
            c.label = truncate(&c.label, MAX_LABEL);
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
            self.body = truncate(&self.body, keep);
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
            out.push_str("\nSources:\n");
            for s in &self.sources {
                out.push_str(&format!("- {} <{}>\n", s.title, s.url));
            }
        }
        if !self.related.is_empty() {
            out.push_str("\nRelated:\n");
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

fn escape_link_text(s: &str) -> String {
    s.replace('[', "(").replace(']', ")")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 3), "ééé");
        assert_eq!(truncate("éééé", 3), "éé…");
    }

    #[test]
    fn quoted_member_text_cannot_ping_or_link() {
        let q = quote_member_text("@everyone [click](https://evil.example) `x` \u{202E}abc");
        assert!(q.starts_with('`') && q.ends_with('`'));
        assert_eq!(q.matches('`').count(), 2, "{q}");
        assert!(!q.contains('\u{202E}'));
    }
}
