//! The upload check on real, hostile and broken files, whole and fed in pieces.

use std::io::Write;

use flate2::{Compression, write::ZlibEncoder};
use rand::{Rng, SeedableRng, rngs::StdRng};
use server::documents::pdf_inspection::{PdfInspector, PdfRefusal, inspect};
use server::printable::{Font, Line, a4_document};

fn office_letter() -> Vec<u8> {
    a4_document(
        "Convocation",
        &[Line::new(
            "Vous êtes convoqué le 3 mars.",
            Font::Regular,
            12.0,
        )],
    )
    .unwrap()
}

/// A small hand-written PDF around the given objects.
fn pdf_with(objects: &str) -> Vec<u8> {
    format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n{objects}\n\
         trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )
    .into_bytes()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn object_stream(filter: &str, data: &[u8]) -> Vec<u8> {
    stream_object(&format!("/Type /ObjStm /N 1 /First 4 {filter}"), data, "")
}

fn in_pieces(contents: &[u8], sizes: &mut impl FnMut() -> usize) -> Result<(), PdfRefusal> {
    let mut inspector = PdfInspector::new();
    let mut rest = contents;
    while !rest.is_empty() {
        let size = sizes().clamp(1, rest.len());
        inspector.feed(&rest[..size]);
        rest = &rest[size..];
    }
    inspector.finish()
}

#[test]
fn the_portals_own_pdfs_and_plain_documents_pass() {
    assert_eq!(inspect(&office_letter()), Ok(()));
    assert_eq!(
        inspect(&pdf_with(
            "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj"
        )),
        Ok(())
    );
}

#[test]
fn files_that_are_not_pdf_are_refused() {
    for contents in [
        &b""[..],
        b"%PDF",
        b"hello, world",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"<html><body>%PDF-1.7</body></html>",
    ] {
        assert_eq!(inspect(contents), Err(PdfRefusal::NotAPdf), "{contents:?}");
    }
}

#[test]
fn truncated_files_are_damaged() {
    let letter = office_letter();
    assert_eq!(
        inspect(&letter[..letter.len() / 2]),
        Err(PdfRefusal::Damaged)
    );
    assert_eq!(inspect(b"%PDF-1.7\n%%EOF\n"), Err(PdfRefusal::Damaged));
}

#[test]
fn active_content_embedded_files_and_encryption_are_refused() {
    let cases = [
        (
            "2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj",
            PdfRefusal::JavaScript,
        ),
        (
            "2 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj",
            PdfRefusal::JavaScript,
        ),
        (
            "2 0 obj << /S /Launch /F (cmd.exe) >> endobj",
            PdfRefusal::LaunchAction,
        ),
        (
            "2 0 obj << /Names << /EmbeddedFiles 3 0 R >> >> endobj",
            PdfRefusal::EmbeddedFile,
        ),
        (
            "2 0 obj << /Subtype /FileAttachment >> endobj",
            PdfRefusal::EmbeddedFile,
        ),
        ("trailer << /Encrypt 9 0 R >>", PdfRefusal::Encrypted),
    ];
    for (objects, refusal) in cases {
        assert_eq!(inspect(&pdf_with(objects)), Err(refusal), "{objects}");
    }
}

#[test]
fn names_in_strings_comments_and_page_streams_are_not_mistaken_for_actions() {
    let mut pdf = b"%PDF-1.7\n% /JavaScript in a comment\n1 0 obj\n<< /Title (about /JS and /Launch) >>\nendobj\n"
        .to_vec();
    pdf.extend_from_slice(b"2 0 obj\n<< /Length 20 /Filter /FlateDecode >>\nstream\n");
    pdf.extend_from_slice(b"\x00/JS /Launch \xff/Encrypt ");
    pdf.extend_from_slice(
        b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n",
    );
    assert_eq!(inspect(&pdf), Ok(()));
}

#[test]
fn javascript_hidden_in_an_object_stream_is_found() {
    let objects = b"2 0 << /S /JavaScript /JS (x) >>";
    assert_eq!(
        inspect(&object_stream("/Filter /FlateDecode", &deflate(objects))),
        Err(PdfRefusal::JavaScript)
    );
    assert_eq!(
        inspect(&object_stream("", objects)),
        Err(PdfRefusal::JavaScript)
    );
    assert_eq!(
        inspect(&object_stream(
            "/Filter /FlateDecode",
            &deflate(b"2 0 << /Type /Page >>")
        )),
        Ok(())
    );
}

#[test]
fn object_streams_we_cannot_read_are_refused() {
    assert_eq!(
        inspect(&object_stream("/Filter /LZWDecode", b"\x80\x0b\x60\x50")),
        Err(PdfRefusal::TooComplex)
    );
    assert_eq!(
        inspect(&object_stream(
            "/Filter /FlateDecode",
            b"not deflate at all"
        )),
        Err(PdfRefusal::Damaged)
    );
    let compressed = deflate(b"2 0 << /Type /Page >>");
    assert_eq!(
        inspect(&object_stream(
            "/Filter /FlateDecode",
            &compressed[..compressed.len() - 3]
        )),
        Err(PdfRefusal::Damaged)
    );
}

/// A stream object with this dictionary, and the objects its references point at.
fn stream_object(dictionary: &str, data: &[u8], referenced: &str) -> Vec<u8> {
    let mut pdf =
        format!("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n{referenced}\n").into_bytes();
    pdf.extend_from_slice(
        format!(
            "5 0 obj\n<< {dictionary} /Length {} >>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(data);
    pdf.extend_from_slice(
        b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n",
    );
    pdf
}

// Issue 17: with `/Type` or `/Filter` in another object, a compressed object stream full of
// JavaScript was skipped unread, or read still compressed, and passed.
#[test]
fn an_object_stream_that_names_itself_by_reference_is_not_vouched_for() {
    let hidden = deflate(b"2 0 << /S /JavaScript /JS (app.alert(1)) >>");
    let type_elsewhere = stream_object(
        "/Type 6 0 R /N 1 /First 4 /Filter /FlateDecode",
        &hidden,
        "6 0 obj\n/ObjStm\nendobj",
    );
    assert_eq!(inspect(&type_elsewhere), Err(PdfRefusal::TooComplex));
    let filter_elsewhere = stream_object(
        "/Type /ObjStm /N 1 /First 4 /Filter 7 0 R",
        &hidden,
        "7 0 obj\n/FlateDecode\nendobj",
    );
    assert_eq!(inspect(&filter_elsewhere), Err(PdfRefusal::TooComplex));
    // The same reference inside a filter array, or written with a sign.
    for dictionary in [
        "/Type /ObjStm /N 1 /First 4 /Filter [/FlateDecode 7 0 R]",
        "/Type /ObjStm /N 1 /First 4 /Filter +7 0 R",
        // Inflated twice by a reader, once by us; reshuffled by a predictor.
        "/Type /ObjStm /N 1 /First 4 /Filter [/FlateDecode /FlateDecode]",
        "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /DecodeParms << /Predictor 12 >>",
    ] {
        let pdf = stream_object(dictionary, &hidden, "7 0 obj\n/ASCIIHexDecode\nendobj");
        assert_eq!(inspect(&pdf), Err(PdfRefusal::TooComplex), "{dictionary}");
    }
    // Direct names, and references elsewhere in the dictionary, are as before.
    let direct = stream_object(
        "/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /FlateDecode /SMask 8 0 R",
        &deflate(b"\x00"),
        "",
    );
    assert_eq!(inspect(&direct), Ok(()));
    // An image with a predictor and two filters is not an object stream: skipped as before.
    let image = stream_object(
        "/Type /XObject /Subtype /Image /Filter [/FlateDecode /DCTDecode] /DecodeParms << /Predictor 15 >> /Width 1",
        b"\x00",
        "",
    );
    assert_eq!(inspect(&image), Ok(()));
}

#[test]
fn a_decompression_bomb_stops_at_the_budget() {
    let bomb = deflate(&vec![b' '; 80 * 1024 * 1024]);
    assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
    assert_eq!(
        inspect(&object_stream("/Filter /FlateDecode", &bomb)),
        Err(PdfRefusal::TooComplex)
    );
}

#[test]
fn the_verdict_does_not_depend_on_how_the_upload_is_cut() {
    let hidden = object_stream("/Filter /FlateDecode", &deflate(b"2 0 << /JS (x) >>"));
    let escaped = pdf_with("2 0 obj << /J#61vaScript (x) >> endobj");
    let mut random = StdRng::seed_from_u64(7);
    for contents in [office_letter(), hidden, escaped] {
        let whole = inspect(&contents);
        assert_eq!(in_pieces(&contents, &mut || 1), whole);
        for _ in 0..20 {
            assert_eq!(
                in_pieces(&contents, &mut || random.random_range(1..40)),
                whole
            );
        }
    }
}

#[test]
fn broken_and_mutated_files_get_an_answer_whatever_the_cut() {
    // Each mutated file must get a verdict without panicking, and the same verdict however it
    // arrives: the inspection keeps no state that depends on chunk boundaries.
    let originals = [
        office_letter(),
        object_stream("/Filter /FlateDecode", &deflate(b"2 0 << /Type /Page >>")),
    ];
    let mut random = StdRng::seed_from_u64(2026);
    let mut refused = 0;
    for round in 0..600 {
        let mut contents = originals[round % originals.len()].clone();
        for _ in 0..random.random_range(1..8) {
            let at = random.random_range(0..contents.len());
            match random.random_range(0..3) {
                0 => contents[at] = random.random(),
                1 => contents.truncate(at.max(1)),
                _ => contents.insert(at, b"/()<>#%\\\n"[random.random_range(0..9)]),
            }
        }
        let whole = inspect(&contents);
        refused += usize::from(whole.is_err());
        assert_eq!(
            in_pieces(&contents, &mut || random.random_range(1..64)),
            whole
        );
    }
    assert!(refused > 0, "mutations must break some files");
}
