//! A small writer of printable A4 PDF documents: lines of text in the PDF standard fonts
//! (Helvetica, Helvetica-Bold, Courier-Bold: every reader has them, nothing is embedded),
//! wrapped to the page and paginated. Enough for notices handed over a desk; text outside
//! Windows-1252 (Latin scripts) prints as `?`, so other scripts need embedded fonts (later);
//! `can_print` tells which texts print whole.

use std::fmt::Write as _;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
    /// For codes and keys: every character the same width, easy to copy by hand.
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }

    /// A generous average advance per character, in ems, for wrapping.
    fn average_width(self) -> f32 {
        match self {
            Font::Regular => 0.52,
            Font::Bold => 0.57,
            Font::Mono => 0.6,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub font: Font,
    pub size: f32,
    /// Extra space above the line, in points.
    pub space_before: f32,
}

impl Line {
    pub fn new(text: impl Into<String>, font: Font, size: f32) -> Line {
        Line {
            text: text.into(),
            font,
            size,
            space_before: 0.0,
        }
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

/// The whole document, ready to send with `Content-Type: application/pdf`.
pub fn a4_document(title: &str, lines: &[Line]) -> Vec<u8> {
    let pages = paginate(lines);
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(), // the page tree, once the pages are numbered
        font_object("Helvetica"),
        font_object("Helvetica-Bold"),
        font_object("Courier-Bold"),
        format!("<< /Title ({}) /Producer (Espace usager) >>", escape(title)).into_bytes(),
    ];
    let mut kids = Vec::new();
    for content in pages {
        let content_id = objects.len() + 1;
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
        let page_id = objects.len() + 1;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {content_id} 0 R >>"
            )
            .into_bytes(),
        );
        kids.push(format!("{page_id} 0 R"));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes();

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

fn font_object(name: &str) -> Vec<u8> {
    format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
        .into_bytes()
}

/// Content streams, one per page.
fn paginate(lines: &[Line]) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let mut page = Vec::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    for line in lines {
        if line.text == "\u{c}" {
            pages.push(std::mem::take(&mut page));
            y = PAGE_HEIGHT - MARGIN;
            continue;
        }
        let leading = line.size * 1.35;
        for (index, piece) in wrap(&line.text, line.font, line.size)
            .into_iter()
            .enumerate()
        {
            let step = leading + if index == 0 { line.space_before } else { 0.0 };
            if y - step < MARGIN {
                pages.push(std::mem::take(&mut page));
                y = PAGE_HEIGHT - MARGIN;
            }
            y -= step;
            page.extend_from_slice(
                format!(
                    "BT /{} {} Tf {MARGIN} {y:.1} Td (",
                    line.font.resource(),
                    line.size
                )
                .as_bytes(),
            );
            page.extend_from_slice(&escape_bytes(&windows_1252(&piece)));
            page.extend_from_slice(b") Tj ET\n");
        }
    }
    pages.push(page);
    pages
}

fn wrap(text: &str, font: Font, size: f32) -> Vec<String> {
    let per_line = ((PAGE_WIDTH - 2.0 * MARGIN) / (font.average_width() * size)).max(10.0) as usize;
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > per_line && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
}

/// Whether the standard fonts can print every character of `text` (else it needs embedded fonts).
pub fn can_print(text: &str) -> bool {
    text.chars()
        .zip(windows_1252(text))
        .all(|(c, byte)| byte != b'?' || c == '?')
}

/// The text in the fonts' encoding (WinAnsi); what it cannot hold becomes `?`.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}' | '\u{202f}' => b' ',
            '\u{a1}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'Œ' => 0x8c,
            'œ' => 0x9c,
            _ => b'?',
        })
        .collect()
}

fn escape_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out
}

fn escape(text: &str) -> String {
    String::from_utf8_lossy(&escape_bytes(
        &text
            .chars()
            .filter(char::is_ascii)
            .collect::<String>()
            .into_bytes(),
    ))
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offset in the cross-reference table points at the object it names (in bytes: the
    /// text is Windows-1252, not UTF-8).
    fn assert_valid_structure(pdf: &[u8]) {
        let tail_at = pdf
            .windows(10)
            .rposition(|window| window == b"startxref\n")
            .unwrap();
        let tail = String::from_utf8(pdf[tail_at + 10..].to_vec()).unwrap();
        let start: usize = tail.lines().next().unwrap().parse().unwrap();
        let table = String::from_utf8(pdf[start..tail_at].to_vec()).unwrap();
        assert!(table.starts_with("xref\n"));
        for (number, entry) in table.lines().skip(3).enumerate() {
            if entry.starts_with("trailer") {
                break;
            }
            let offset: usize = entry[..10].parse().unwrap();
            let expected = format!("{} 0 obj", number + 1);
            assert!(pdf[offset..].starts_with(expected.as_bytes()), "{expected}");
        }
    }

    #[test]
    fn a_notice_is_a_valid_pdf_with_its_text() {
        let pdf = a4_document(
            "Avis",
            &[
                Line::new("Clé de connexion (à garder) : ABCD-EFGH", Font::Bold, 14.0),
                Line::new("ABCD-EFGH-JKMN-PQRS-T", Font::Mono, 20.0).after(6.0),
            ],
        );
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        assert_valid_structure(&pdf);
        // WinAnsi bytes for é and à, escaped parentheses.
        let needle = b"(Cl\xe9 de connexion \\(\xe0 garder\\) : ABCD-EFGH) Tj";
        assert!(pdf.windows(needle.len()).any(|window| window == needle));
        assert!(String::from_utf8_lossy(&pdf).contains("/F3 20 Tf"));
    }

    #[test]
    fn long_text_wraps_and_flows_onto_new_pages() {
        let paragraph = "mot ".repeat(400);
        let lines: Vec<Line> = (0..6)
            .map(|_| Line::new(paragraph.trim(), Font::Regular, 12.0))
            .collect();
        let pdf = a4_document("Long", &lines);
        assert_valid_structure(&pdf);
        let text = String::from_utf8_lossy(&pdf);
        let count: usize = text
            .split("/Count ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(count >= 2, "{count} pages");
        let with_break = a4_document("Two", &[Line::new("a", Font::Regular, 12.0), page_break()]);
        assert!(String::from_utf8_lossy(&with_break).contains("/Count 2"));
    }

    #[test]
    fn characters_outside_the_encoding_print_as_question_marks() {
        assert_eq!(windows_1252("Été – œuvre"), b"\xc9t\xe9 \x96 \x9cuvre");
        assert_eq!(windows_1252("دری"), b"???");
        assert!(can_print("Été – œuvre ? Shqipëri, Español"));
        assert!(!can_print("Русский") && !can_print("دری") && !can_print("Türkçe ş"));
    }
}
