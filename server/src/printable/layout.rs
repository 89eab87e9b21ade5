//! From lines of text to glyphs placed on A4 pages: words wrapped by their shaped width, each
//! line in its own direction (Arabic-script lines from the right margin, with any Latin inside
//! them left to right), each piece shaped in the face that has its script.

use std::ops::Range;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::{Level, ParagraphBidiInfo};

use super::typefaces::{face, runs_by_face};
use super::{Font, Line};

pub(super) const PAGE_WIDTH: f32 = 595.0;
pub(super) const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Glyphs of one face, in visual order, starting at `x` on the baseline `baseline` (points
/// from the page's top).
#[derive(Debug)]
pub(super) struct PlacedText {
    pub face: usize,
    pub size: f32,
    pub x: f32,
    pub baseline: f32,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
}

impl PlacedText {
    fn width(&self) -> f32 {
        self.glyphs.iter().map(|glyph| glyph.x_advance).sum::<f32>() * self.size
    }
}

/// The pages, each the texts placed on it.
pub(super) fn pages(lines: &[Line]) -> Vec<Vec<PlacedText>> {
    let mut pages = vec![Vec::new()];
    let mut y = MARGIN;
    for line in lines {
        if line.text == "\u{c}" {
            pages.push(Vec::new());
            y = MARGIN;
            continue;
        }
        let leading = line.size * 1.35;
        let direction = match line.right_to_left {
            Some(true) => Level::rtl(),
            Some(false) => Level::ltr(),
            None if line.text.is_empty() => Level::ltr(),
            None => ParagraphBidiInfo::new(&line.text, None).paragraph_level,
        };
        for (index, piece) in wrap(&line.text, line.font, line.size)
            .into_iter()
            .enumerate()
        {
            let step = leading + if index == 0 { line.space_before } else { 0.0 };
            if y + step > PAGE_HEIGHT - MARGIN {
                pages.push(Vec::new());
                y = MARGIN;
            }
            y += step;
            let page = pages.last_mut().expect("one page at least");
            page.extend(place_line(piece, direction, line.font, line.size, y));
        }
    }
    pages
}

/// One wrapped line: its bidi runs in visual order, each cut by face, laid left to right.
fn place_line(
    text: &str,
    direction: Level,
    font: Font,
    size: f32,
    baseline: f32,
) -> Vec<PlacedText> {
    // unicode-bidi has no runs to give for an empty line (and panics asking).
    if text.is_empty() {
        return Vec::new();
    }
    let bidi = ParagraphBidiInfo::new(text, Some(direction));
    let (levels, runs) = bidi.visual_runs(0..text.len());
    let mut placed = Vec::new();
    for run in runs {
        let rtl = levels[run.start].is_rtl();
        let mut pieces: Vec<PlacedText> = runs_by_face(&text[run.clone()], font)
            .into_iter()
            .map(|(range, face)| {
                let piece = &text[run.start + range.start..run.start + range.end];
                shape(piece, face, size, rtl, baseline)
            })
            .collect();
        if rtl {
            pieces.reverse();
        }
        placed.extend(pieces);
    }
    let width: f32 = placed.iter().map(PlacedText::width).sum();
    let mut x = if direction.is_rtl() {
        (PAGE_WIDTH - MARGIN - width).max(MARGIN)
    } else {
        MARGIN
    };
    for piece in &mut placed {
        piece.x = x;
        x += piece.width();
    }
    placed
}

fn shape(text: &str, face_index: usize, size: f32, rtl: bool, baseline: f32) -> PlacedText {
    let shaper = &face(face_index).shaper;
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    let output = rustybuzz::shape(shaper, &[], buffer);
    let units = shaper.units_per_em() as f32;
    let infos = output.glyph_infos();
    let glyphs = output
        .glyph_positions()
        .iter()
        .zip(infos)
        .enumerate()
        .map(|(index, (position, info))| {
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                position.x_advance as f32 / units,
                position.x_offset as f32 / units,
                position.y_offset as f32 / units,
                position.y_advance as f32 / units,
                cluster_text(infos, index, text.len(), rtl),
                None,
            )
        })
        .collect();
    PlacedText {
        face: face_index,
        size,
        x: 0.0,
        baseline,
        text: text.to_owned(),
        glyphs,
    }
}

/// The characters a glyph stands for (for copying text out of the PDF): from its cluster to the
/// next cluster in text order, which is the next glyph left to right and the previous one right
/// to left (glyphs come in visual order).
fn cluster_text(
    infos: &[rustybuzz::GlyphInfo],
    index: usize,
    len: usize,
    rtl: bool,
) -> Range<usize> {
    let start = infos[index].cluster as usize;
    let next = |i: usize| infos.get(i).map(|info| info.cluster as usize);
    let end = if rtl {
        (0..index).rev().filter_map(next).find(|&c| c != start)
    } else {
        (index + 1..infos.len())
            .filter_map(next)
            .find(|&c| c != start)
    };
    start..end.unwrap_or(len)
}

fn measure(text: &str, font: Font, size: f32) -> f32 {
    let rtl = ParagraphBidiInfo::new(text, None).paragraph_level.is_rtl();
    runs_by_face(text, font)
        .into_iter()
        .map(|(range, face)| shape(&text[range], face, size, rtl, 0.0).width())
        .sum()
}

/// Greedy wrapping on spaces by shaped width (each word shaped once); a word wider than the
/// page (an address) is cut where it must.
fn wrap(text: &str, font: Font, size: f32) -> Vec<&str> {
    let space = measure(" ", font, size);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut end = 0;
    let mut width = 0.0;
    for (at, word) in words(text) {
        let mut word_width = measure(word, font, size);
        if end > start && width + space + word_width > TEXT_WIDTH {
            lines.push(&text[start..end]);
            start = at;
            width = 0.0;
        }
        if end == start || start == at {
            // The word opens a line: cut it while it is wider than the page.
            while word_width > TEXT_WIDTH {
                let cut = cut_point(&text[start..at + word.len()], font, size);
                lines.push(&text[start..start + cut]);
                start += cut;
                word_width = measure(&text[start..at + word.len()], font, size);
            }
            width = word_width;
        } else {
            width += space + word_width;
        }
        end = at + word.len();
    }
    lines.push(&text[start..]);
    lines
}

/// The words of `text` with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0, |offset, word| {
            let at = *offset;
            *offset += word.len() + 1;
            Some((at, word))
        })
        .filter(|(_, word)| !word.is_empty())
}

/// The longest prefix (at a character boundary, one character at least) that fits the width.
fn cut_point(text: &str, font: Font, size: f32) -> usize {
    let mut fits = text.chars().next().map_or(text.len(), char::len_utf8);
    for (at, _) in text.char_indices().skip(1) {
        if measure(&text[..at], font, size) > TEXT_WIDTH {
            break;
        }
        fits = at;
    }
    fits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph_ids(placed: &[PlacedText]) -> Vec<u32> {
        placed
            .iter()
            .flat_map(|piece| piece.glyphs.iter().map(|glyph| glyph.glyph_id.to_u32()))
            .collect()
    }

    #[test]
    fn arabic_joins_and_starts_from_the_right_margin() {
        let word = "سلام";
        let placed = place_line(word, Level::rtl(), Font::Regular, 12.0, 100.0);
        let isolated: Vec<u32> = word
            .chars()
            .map(|c| u32::from(face(1).shaper.glyph_index(c).unwrap().0))
            .collect();
        let shaped = glyph_ids(&placed);
        assert!(!shaped.contains(&0), "no missing glyph");
        assert_ne!(
            shaped.iter().rev().copied().collect::<Vec<_>>(),
            isolated,
            "letters joined"
        );
        let right_edge = placed[0].x + placed[0].width();
        assert!(
            (right_edge - (PAGE_WIDTH - MARGIN)).abs() < 0.01,
            "{right_edge}"
        );
    }

    #[test]
    fn latin_inside_an_arabic_line_keeps_its_order() {
        let text = "مفتاح: ABCD-EFGH";
        let placed = place_line(text, Level::rtl(), Font::Regular, 12.0, 100.0);
        // Visual order: the Latin key on the left, the Arabic word on the right.
        assert_eq!(placed.first().map(|p| p.face), Some(0), "{placed:?}");
        assert!(placed.first().unwrap().text.contains("ABCD-EFGH"));
        assert_eq!(placed.last().map(|p| p.face), Some(1));
        let mut x = placed[0].x;
        for piece in &placed {
            assert!((piece.x - x).abs() < 0.01);
            x += piece.width();
        }
    }

    #[test]
    fn a_line_takes_its_pages_direction_when_told() {
        let key = Line::new("ABCD-EFGH", Font::Mono, 20.0);
        let right = pages(&[key.clone().direction(true)]);
        let left = pages(&[key]);
        assert!(right[0][0].x > 300.0, "{:?}", right[0][0].x);
        assert!((left[0][0].x - MARGIN).abs() < 0.01);
    }

    #[test]
    fn lines_wrap_by_width_and_long_words_are_cut() {
        let paragraph = "mot ".repeat(200);
        let pieces = wrap(paragraph.trim(), Font::Regular, 12.0);
        assert!(pieces.len() > 3);
        for piece in &pieces {
            assert!(measure(piece, Font::Regular, 12.0) <= TEXT_WIDTH, "{piece}");
            assert!(!piece.starts_with(' '));
        }
        let address = format!("https://portail.example/{}", "a".repeat(300));
        let cut = wrap(&address, Font::Mono, 12.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), address);
    }

    #[test]
    fn empty_and_blank_lines_take_their_space_and_print_nothing() {
        let placed = pages(&[
            Line::new("", Font::Regular, 12.0),
            Line::new("   ", Font::Bold, 12.0),
            Line::new("\u{200f}", Font::Regular, 12.0),
        ]);
        assert_eq!(placed.len(), 1);
        assert!(placed[0].iter().all(|piece| piece.width() < 12.0));
    }

    #[test]
    fn text_flows_onto_new_pages_and_breaks_force_one() {
        let lines: Vec<Line> = (0..80)
            .map(|n| Line::new(format!("ligne {n}"), Font::Regular, 12.0))
            .collect();
        assert!(pages(&lines).len() >= 2);
        let forced = pages(&[
            Line::new("a", Font::Regular, 12.0),
            super::super::page_break(),
        ]);
        assert_eq!(forced.len(), 2);
    }
}
