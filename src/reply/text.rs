//! Cutting and quoting text for Discord: characters, not bytes, and a member's own words
//! shown back inert.

use crate::normalize::is_invisible;

/// How much of a member's own text is ever echoed back.
pub const MAX_ECHO: usize = 120;

/// Cuts `s` to at most `max` characters, ending with an ellipsis when it had to cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Makes a member's own text safe to show back: invisible characters (the same table
/// matching drops, see [`is_invisible`]) and control characters removed, whitespace
/// collapsed, cut to [`MAX_ECHO`], and wrapped as inline code so that Markdown, links and
/// mentions in it are shown as text, never acted on.
pub fn quote_member_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .take(MAX_ECHO * 4)
        .map(|c| if c == '`' { '\'' } else { c })
        .filter(|c| !c.is_control() && !is_invisible(*c))
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

/// Link text with its square brackets made round, so it cannot end the link early.
pub(super) fn escape_link_text(s: &str) -> String {
    s.replace('[', "(").replace(']', ")")
}
