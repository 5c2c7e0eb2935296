//! Cutting and quoting text for Discord: characters, not bytes, and a member's own words
//! shown back inert.

use crate::normalize::is_invisible;

/// How much of a member's own text is ever echoed back.
pub const MAX_ECHO: usize = 120;

/// Cuts `s` to at most `max` characters, ending with an ellipsis when it had to cut.
pub fn truncate(s: &str, max: usize) -> String {
    let mut out = s.to_string();
    cut(&mut out, max);
    out
}

/// Cuts `s` in place to at most `max` characters, ending with an ellipsis when it had to cut;
/// a text within the limit is left as it is, without counting or copying it when its bytes
/// are already within it.
pub fn cut(s: &mut String, max: usize) {
    // A character is at least one byte.
    if s.len() <= max {
        return;
    }
    let Some((end, _)) = s.char_indices().nth(max) else {
        return;
    };
    // More than `max` characters: keep `max - 1` and the ellipsis.
    let keep = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(end, |(i, _)| i);
    s.truncate(keep);
    s.push('…');
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
