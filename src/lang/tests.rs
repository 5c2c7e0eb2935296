use super::*;

#[test]
fn unknown_and_missing_languages_fall_back_to_the_default() {
    let default = texts(Some(DEFAULT_LANGUAGE));
    assert!(std::ptr::eq(texts(None), default));
    assert!(std::ptr::eq(texts(Some("xx")), default));
    assert!(std::ptr::eq(texts(Some("EN")), default));
}
