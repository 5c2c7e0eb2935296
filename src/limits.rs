//! Discord's platform limits, in one place: every module that cuts text or counts items to
//! fit Discord reads its numbers here, so none of them keeps a limit of its own. All text
//! limits count characters, as Discord does.

/// An embed title: Discord rejects a longer one.
pub const MAX_TITLE: usize = 256;
/// An embed description (the reply's body).
pub const MAX_BODY: usize = 4096;
/// An embed field value (the warning, the notice and the sources are fields).
pub const MAX_FIELD: usize = 1024;
/// An embed field name.
pub const MAX_FIELD_NAME: usize = 256;
/// An embed footer (the disclaimer and the review date).
pub const MAX_FOOTER: usize = 2048;
/// All text of one embed together: title, description, fields and footer.
pub const MAX_EMBED_TOTAL: usize = 6000;
/// A message's plain content, outside any embed.
pub const MAX_MESSAGE_CONTENT: usize = 2000;

/// A button label (choices and related entries are buttons).
pub const MAX_LABEL: usize = 80;
/// Buttons in one action row.
pub const MAX_BUTTONS_PER_ROW: usize = 5;
/// A component's custom id: longer ids are rejected, so a button whose id would not fit is
/// left out.
pub const MAX_CUSTOM_ID: usize = 100;

/// Options in one select menu.
pub const MAX_SELECT_OPTIONS: usize = 25;
/// Choices in one autocomplete response.
pub const MAX_AUTOCOMPLETE_CHOICES: usize = 25;
/// A select option's label, value and description, and an autocomplete choice's name and
/// value.
pub const MAX_OPTION_TEXT: usize = 100;
/// An entry's title as an autocomplete choice's name: the curated title must fit it whole
/// (the knowledge lint checks), and suggestions are cut to it.
pub const MAX_AUTOCOMPLETE_TITLE: usize = MAX_OPTION_TEXT;

/// How many entries a ranking keeps: the 25 suggestions autocomplete can show, which is
/// also enough for choices and runners-up.
pub const MAX_RANKED: usize = MAX_AUTOCOMPLETE_CHOICES;
