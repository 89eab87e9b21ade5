//! The fonts compiled into the server (`server/fonts`, Noto, OFL) and which one prints which
//! character: each style is a chain, Latin and Cyrillic first, then the other scripts.

use std::sync::LazyLock;

use super::Font;

struct Embedded {
    name: &'static str,
    data: &'static [u8],
}

macro_rules! embedded {
    ($file:literal) => {
        Embedded {
            name: $file,
            data: include_bytes!(concat!("../../fonts/", $file)),
        }
    };
}

/// Every face, in the order the chains below refer to them.
const FACES: [Embedded; 11] = [
    embedded!("NotoSans-Regular.ttf"),
    embedded!("NotoSansArabic-Regular.ttf"),
    embedded!("NotoSansBengali-Regular.ttf"),
    embedded!("NotoSansGeorgian-Regular.ttf"),
    embedded!("NotoSansEthiopic-Regular.ttf"),
    embedded!("NotoSans-Bold.ttf"),
    embedded!("NotoSansArabic-Bold.ttf"),
    embedded!("NotoSansBengali-Bold.ttf"),
    embedded!("NotoSansGeorgian-Bold.ttf"),
    embedded!("NotoSansEthiopic-Bold.ttf"),
    embedded!("NotoSansMono-Bold.ttf"),
];

const REGULAR: &[usize] = &[0, 1, 2, 3, 4];
const BOLD: &[usize] = &[5, 6, 7, 8, 9];
/// The key is ASCII; anything else in a mono line falls back to the bold faces.
const MONO: &[usize] = &[10, 5, 6, 7, 8, 9];

/// A face ready to shape with (rustybuzz) and to embed (krilla); parsed once per process.
pub(super) struct Face {
    pub shaper: rustybuzz::Face<'static>,
    pub embedded: krilla::text::Font,
}

static PARSED: LazyLock<Vec<Face>> = LazyLock::new(|| {
    FACES
        .iter()
        .map(|face| Face {
            shaper: rustybuzz::Face::from_slice(face.data, 0)
                .unwrap_or_else(|| panic!("{} is a font", face.name)),
            embedded: krilla::text::Font::new(face.data.into(), 0)
                .unwrap_or_else(|| panic!("{} is a font", face.name)),
        })
        .collect()
});

pub(super) fn face(index: usize) -> &'static Face {
    &PARSED[index]
}

fn chain(font: Font) -> &'static [usize] {
    match font {
        Font::Regular => REGULAR,
        Font::Bold => BOLD,
        Font::Mono => MONO,
    }
}

fn has_glyph(index: usize, c: char) -> bool {
    face(index).shaper.glyph_index(c).is_some()
}

/// Marks, joiners and spaces stay with the face of the text around them, so a word shapes as
/// one piece (an Arabic word keeps its joins, a Bengali conjunct its marks).
fn follows_neighbours(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200c}' | '\u{200d}' | '\u{200e}' | '\u{200f}' | '\u{25cc}'
        )
        || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Splits `text` into pieces that one face prints, as (byte range, face index), in text order.
pub(super) fn runs_by_face(text: &str, font: Font) -> Vec<(std::ops::Range<usize>, usize)> {
    let chain = chain(font);
    let mut runs: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        let current = runs.last().map(|(_, face)| *face);
        let keep = current.filter(|&face| follows_neighbours(c) || has_glyph(face, c));
        let face = keep.unwrap_or_else(|| {
            chain
                .iter()
                .copied()
                .find(|&face| has_glyph(face, c))
                .unwrap_or(chain[0])
        });
        match runs.last_mut() {
            Some((range, last)) if *last == face => range.end = end,
            _ => runs.push((at..end, face)),
        }
    }
    runs
}

/// Whether some embedded face has a glyph for every character of `text`.
pub fn can_print(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_control() || follows_neighbours(c) || REGULAR.iter().any(|&face| has_glyph(face, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_goes_to_its_face_and_spaces_stay_with_their_word() {
        let runs = runs_by_face("Clé : مفتاح الاتصال ABCD", Font::Regular);
        let faces: Vec<usize> = runs.iter().map(|(_, face)| *face).collect();
        assert_eq!(faces, vec![0, 1, 0], "{runs:?}");
        let text = "Clé : مفتاح الاتصال ABCD";
        assert_eq!(&text[runs[1].0.clone()], "مفتاح الاتصال ");
        assert_eq!(runs_by_face("ABCD-1234", Font::Mono)[0].1, 10);
        assert_eq!(runs_by_face("সংযোগ", Font::Bold)[0].1, 7);
        assert_eq!(runs_by_face("ქართული", Font::Regular)[0].1, 3);
        assert_eq!(runs_by_face("ትግርኛ", Font::Regular)[0].1, 4);
    }

    #[test]
    fn every_script_of_the_portal_prints_and_others_are_reported() {
        for text in [
            "Français, English, Shqip, Türkçe ş, Soomaali, Español",
            "Русский",
            "العربية دری پښتو اردو ے ڼ ږ",
            "বাংলা",
            "ქართული",
            "ትግርኛ።",
        ] {
            assert!(can_print(text), "{text}");
        }
        assert!(!can_print("中文"));
    }
}
