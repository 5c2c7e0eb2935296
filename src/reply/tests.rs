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

#[test]
fn quoted_member_text_drops_every_invisible_character() {
    // Variation selectors, the combining grapheme joiner, the Mongolian vowel separator and
    // tag characters were once echoed back: the quote had its own, shorter table.
    for c in [
        '\u{FE00}',
        '\u{FE0F}',
        '\u{034F}',
        '\u{180E}',
        '\u{E0000}',
        '\u{E0041}',
        '\u{E007F}',
        '\u{200B}',
        '\u{202E}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{00AD}',
    ] {
        let q = quote_member_text(&format!("a{c}b"));
        assert_eq!(q, "`ab`", "U+{:04X} was echoed back", u32::from(c));
        assert!(crate::normalize::is_invisible(c));
    }
}

#[track_caller]
fn leading(text: &str, expected: &str) {
    assert_eq!(
        without_leading(text, "I don't have a curated answer for that"),
        expected
    );
}

#[test]
fn no_match_body_does_not_repeat_its_title() {
    leading(
        "I don't have a curated answer for that, and I won't guess about medicines. Ask.",
        "I won't guess about medicines. Ask.",
    );
    leading(
        "I don't have a curated answer for that.",
        "I don't have a curated answer for that.",
    );
    leading("Something else entirely.", "Something else entirely.");
}

#[test]
fn cut_in_place_agrees_with_truncate() {
    for (s, max) in [
        ("", 0),
        ("a", 0),
        ("abc", 3),
        ("abcd", 3),
        ("ééé", 3),
        ("éééé", 3),
        ("ééé", 4),
        ("naltrexone", 1),
    ] {
        let mut t = s.to_string();
        super::text::cut(&mut t, max);
        let expected = if s.chars().count() <= max {
            s.to_string()
        } else {
            let mut e: String = s.chars().take(max.saturating_sub(1)).collect();
            e.push('…');
            e
        };
        assert_eq!(t, expected, "{s:?} to {max}");
    }
}
