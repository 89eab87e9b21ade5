//! A document's title as staff or the back-office typed it.

const MAX_TITLE_CHARS: usize = 200;

/// The title trimmed, if it is 1 to 200 characters with no control character.
pub fn clean_title(title: &str) -> Option<String> {
    let title = title.trim();
    let length = title.chars().count();
    ((1..=MAX_TITLE_CHARS).contains(&length) && !title.chars().any(char::is_control))
        .then(|| title.to_owned())
}
