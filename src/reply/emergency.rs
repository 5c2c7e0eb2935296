//! The emergency reply and the emergency and crisis lines: help first, nothing competing.

use super::{Outcome, Reply};
use crate::knowledge::placeholders::fill;
use crate::knowledge::{EmergencyKind, KnowledgeBase, Region};
use crate::lang;

impl Reply {
    /// Emergency help for `region`, led by the help for the first of `kinds`: its title, its
    /// first line (the one place the body names the emergency number), then the steps for
    /// every kind, the crisis and poison lines, and the international line. It offers no
    /// curated entries: in an emergency, nothing should compete with the help.
    pub fn emergency(kb: &KnowledgeBase, region: &Region, kinds: &[EmergencyKind]) -> Reply {
        let texts = lang::texts(None);
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
                "\n\n**{}:** {}.",
                texts.crisis_support,
                region.crisis.trim_end_matches('.')
            ));
        }
        if shown.contains(&EmergencyKind::Poisoning) && lead != EmergencyKind::Poisoning {
            if let Some(poison) = &region.poison {
                body.push_str(&format!(
                    "\n**{}:** {}.",
                    texts.poison_advice,
                    poison.trim_end_matches('.')
                ));
            }
        }
        body.push_str(&format!("\n\n{}", fill(&kb.safety.international, region)));
        Reply {
            kinds: shown,
            // The body already names every line: the footer keeps to the disclaimer, so
            // the emergency number is said once in the title and once in the body.
            disclaimer: kb.safety.disclaimer.clone(),
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
        let texts = lang::texts(None);
        let mut body = (texts.call_emergency)(&region.emergency);
        let lines = [
            (texts.crisis_support, Some(&region.crisis)),
            (texts.poison_advice, region.poison.as_ref()),
            (texts.urgent_advice, region.urgent.as_ref()),
            (texts.treatment, region.treatment.as_ref()),
        ];
        for (label, line) in lines.into_iter().filter_map(|(l, line)| Some((l, line?))) {
            body.push_str(&format!("\n**{label}:** {}.", line.trim_end_matches('.')));
        }
        if let Some(overdose) = kb.safety.help.get(&EmergencyKind::Overdose) {
            body.push_str(&format!(
                "\n\n**{}**\n{}",
                texts.if_overdosing,
                fill(&overdose.steps, region)
            ));
        }
        body.push_str(&format!("\n\n{}", fill(&kb.safety.international, region)));
        Reply::message(
            kb,
            region,
            Outcome::Emergency,
            (texts.help_title)(&region.name),
            body,
        )
        .fit()
    }
}
