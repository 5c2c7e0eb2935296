//! Region placeholders in curated text: `{emergency_number}`, `{crisis_line}` and the rest,
//! filled for the member's region when a reply is rendered, so one knowledge base serves a
//! UK server and a US server with the right numbers.

use super::Region;

/// Every placeholder curated text may use, with what it stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "emergency_number",
        "the emergency number, such as 911 or 999",
    ),
    (
        "crisis_line",
        "the suicide and crisis line as a noun phrase, such as the 988 Lifeline",
    ),
    (
        "crisis_short",
        "the crisis line as a short call to action, such as \"call or text 988\"",
    ),
    ("poison_line", "poison advice, such as Poison Help"),
    ("region_name", "the region's name, such as United States"),
];

/// Numbers that belong to one region and must be written as placeholders in entries.
const REGIONAL_NUMBERS: &[&str] = &["911", "988", "999"];

/// The value of placeholder `name` for `region`, or `None` for an unknown name.
fn value<'r>(name: &str, region: &'r Region, fallback_poison: &'r str) -> Option<&'r str> {
    Some(match name {
        "emergency_number" => &region.emergency,
        "crisis_line" => &region.crisis,
        "crisis_short" => &region.crisis_short,
        "poison_line" => region.poison.as_deref().unwrap_or(fallback_poison),
        "region_name" => &region.name,
        _ => return None,
    })
}

/// Fills every placeholder of `text` for `region`. A region without a poison line gets
/// "your local poison centre, or {emergency_number}" in its place. Unknown placeholders (which
/// `medfaq check` rejects) are left as written.
pub fn fill(text: &str, region: &Region) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let fallback_poison = format!("your local poison centre (or {})", region.emergency);
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => match value(&after[..close], region, &fallback_poison) {
                Some(v) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What is wrong with the placeholders of `text`: unknown `{names}`, and (when `entry_text`)
/// literal regional numbers such as 911 or 988 that should be placeholders.
pub fn problems(text: &str, entry_text: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        if !PLACEHOLDERS.iter().any(|(n, _)| *n == name) {
            let known: Vec<String> = PLACEHOLDERS
                .iter()
                .map(|(n, _)| format!("{{{n}}}"))
                .collect();
            out.push(format!(
                "unknown placeholder `{{{name}}}`; use one of {}",
                known.join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    if entry_text {
        let words = text.split(|c: char| !c.is_ascii_digit() && c != '-');
        for w in words {
            let w = w.trim_matches('-');
            if REGIONAL_NUMBERS.contains(&w) || w.starts_with("1-800") || w.starts_with("1-8") {
                out.push(format!(
                    "the literal number `{w}` is one region's; write {{emergency_number}}, {{crisis_line}} or {{poison_line}} so each server sees its own region's line"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uk() -> Region {
        Region {
            code: "UK".into(),
            name: "United Kingdom".into(),
            emergency: "999".into(),
            crisis: "Samaritans (call 116 123)".into(),
            crisis_short: "call Samaritans on 116 123".into(),
            poison: None,
            urgent: Some("NHS 111".into()),
            treatment: None,
        }
    }

    #[test]
    fn fills_known_placeholders_and_leaves_others() {
        let text = "Call {emergency_number} or contact {crisis_line}; {poison_line}. {nope} {";
        assert_eq!(
            fill(text, &uk()),
            "Call 999 or contact Samaritans (call 116 123); your local poison centre (or 999). {nope} {"
        );
    }

    #[test]
    fn reports_unknown_placeholders_and_literal_numbers() {
        assert!(problems("call {emergency_number}", true).is_empty());
        assert_eq!(problems("call {emergency}", true).len(), 1);
        assert_eq!(problems("call or text 988 now", true).len(), 1);
        assert_eq!(problems("Poison Help 1-800-222-1222", true).len(), 1);
        assert!(
            problems("take 50 mg", true).is_empty(),
            "doses are not phone numbers"
        );
        assert!(problems("call or text 988", false).is_empty());
    }
}
