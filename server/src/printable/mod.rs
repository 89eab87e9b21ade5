//! Printable A4 PDF documents: lines of text wrapped to the page and paginated, in any of the
//! portal's scripts. The fonts are compiled in (`typefaces`) and embedded as subsets, so a
//! notice in Dari or Tigrinya prints the same on any machine; text is shaped (Arabic letters
//! join, Bengali conjuncts form) and each line runs in its own direction (`layout`).

mod layout;
mod typefaces;

pub use typefaces::can_print;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
    /// For codes and keys: every character the same width, easy to copy by hand.
    Mono,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub font: Font,
    pub size: f32,
    /// Extra space above the line, in points.
    pub space_before: f32,
    /// The page's direction, for a line with no letters to tell (a key on an Arabic page);
    /// otherwise taken from the line's first letter.
    pub right_to_left: Option<bool>,
}

impl Line {
    pub fn new(text: impl Into<String>, font: Font, size: f32) -> Line {
        Line {
            text: text.into(),
            font,
            size,
            space_before: 0.0,
            right_to_left: None,
        }
    }

    /// Sets the line's direction: it starts from the right margin on a right-to-left page.
    pub fn direction(mut self, right_to_left: bool) -> Line {
        self.right_to_left = Some(right_to_left);
        self
    }

    pub fn after(mut self, space: f32) -> Line {
        self.space_before = space;
        self
    }
}

/// A forced page break between the lines before and after it.
pub fn page_break() -> Line {
    Line::new("\u{c}", Font::Regular, 0.0)
}

/// A document krilla refused to write (a font it could not subset): not expected with the
/// fonts compiled in, which the tests print in every language.
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be written: {0:?}")]
pub struct PrintError(krilla::error::KrillaError);

/// The whole document, ready to send with `Content-Type: application/pdf`.
pub fn a4_document(title: &str, lines: &[Line]) -> Result<Vec<u8>, PrintError> {
    let mut document = krilla::Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_owned())
            .producer("Espace usager".to_owned()),
    );
    for placed in layout::pages(lines) {
        let settings = krilla::page::PageSettings::from_wh(layout::PAGE_WIDTH, layout::PAGE_HEIGHT)
            .expect("A4 is a valid page size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for text in placed {
            surface.draw_glyphs(
                krilla::geom::Point::from_xy(text.x, text.baseline),
                &text.glyphs,
                typefaces::face(text.face).embedded.clone(),
                &text.text,
                text.size,
                false,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(PrintError)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_pages(pdf: &[u8]) -> usize {
        String::from_utf8_lossy(pdf)
            .matches("/Type /Page\n")
            .count()
            + String::from_utf8_lossy(pdf).matches("/Type /Page ").count()
    }

    #[test]
    fn a_notice_in_two_scripts_is_a_pdf_with_embedded_font_subsets() {
        let pdf = a4_document(
            "Avis",
            &[
                Line::new("Clé de connexion (à garder)", Font::Bold, 14.0),
                Line::new("ABCD-EFGH-JKMN-PQRS-T", Font::Mono, 20.0).after(6.0),
                page_break(),
                Line::new("کلید اتصال خود را نگه دارید", Font::Bold, 14.0),
                Line::new("সংযোগ কী ქართული ትግርኛ Русский", Font::Regular, 12.0),
            ],
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"), "TrueType fonts are embedded");
        assert!(text.contains("/ToUnicode"), "text can be copied out");
        for face in [
            "NotoSans",
            "NotoSansMono",
            "NotoSansArabic",
            "NotoSansBengali",
        ] {
            assert!(text.contains(&format!("+{face}-")), "a subset of {face}");
        }
        assert!(
            pdf.len() < 150_000,
            "subsets, not whole fonts: {} bytes",
            pdf.len()
        );
        assert!(crate::documents::pdf_inspection::inspect(&pdf).is_ok());
    }

    /// Whatever staff type or an applicant's name holds (mixed scripts, marks, controls, text
    /// no font has), the document is written.
    #[test]
    fn any_text_prints_without_failing() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let alphabet: Vec<char> =
            "aé Жب ي\u{64b}দ্ধ ქ ሀ።中\u{200f}\u{200e}\u{202e}\u{0}\t\u{c}\u{300}1٢۳-/()"
                .chars()
                .collect();
        let mut random = StdRng::seed_from_u64(7);
        for _ in 0..10 {
            let lines: Vec<Line> = (0..random.random_range(1..5))
                .map(|_| {
                    let text: String = (0..random.random_range(0..200))
                        .map(|_| alphabet[random.random_range(0..alphabet.len())])
                        .collect();
                    let font = [Font::Regular, Font::Bold, Font::Mono][random.random_range(0..3)];
                    Line::new(text, font, random.random_range(6.0..30.0))
                })
                .collect();
            assert!(a4_document("Essai", &lines).is_ok());
        }
    }

    #[test]
    fn long_text_flows_onto_new_pages() {
        let paragraph = "mot ".repeat(400);
        let lines: Vec<Line> = (0..6)
            .map(|_| Line::new(paragraph.trim(), Font::Regular, 12.0))
            .collect();
        let pdf = a4_document("Long", &lines).unwrap();
        assert!(count_pages(&pdf) >= 2, "{} pages", count_pages(&pdf));
    }
}
