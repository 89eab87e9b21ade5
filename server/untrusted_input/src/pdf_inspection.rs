//! Is this upload a PDF we are willing to put in front of an applicant?
//!
//! A streaming inspection, fed chunk by chunk as the upload arrives: it keeps a few bytes of
//! state, reads each byte once, and inflates only object streams, within a fixed budget, so
//! no file (malformed, hostile or huge) can make it use more memory or time than its size
//! allows. It refuses files that are not PDF, are damaged, or carry JavaScript, launch actions,
//! embedded files or encryption, looking for those names also where a PDF hides them: inside
//! compressed object streams and behind `#xx` escapes.

use flate2::{Decompress, FlushDecompress, Status};

/// Decompressed object-stream bytes one file may cost us (a zip bomb stops here).
const INFLATE_BUDGET: u64 = 64 * 1024 * 1024;
/// Long enough for every name we look for; longer ones are cut, never stored whole.
const MAX_TOKEN: usize = 64;
const HEADER_WINDOW: usize = 1024;
const TRAILER_WINDOW: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PdfRefusal {
    #[error("the file is not a PDF")]
    NotAPdf,
    #[error("the PDF is damaged or incomplete")]
    Damaged,
    #[error("the PDF is too complex to check")]
    TooComplex,
    #[error("the PDF contains JavaScript")]
    JavaScript,
    #[error("the PDF contains an action that launches a program")]
    LaunchAction,
    #[error("the PDF contains embedded files")]
    EmbeddedFile,
    #[error("the PDF is encrypted")]
    Encrypted,
}

/// The standard filters, full and abbreviated.
fn is_filter_name(name: &[u8]) -> bool {
    matches!(
        name,
        b"FlateDecode"
            | b"Fl"
            | b"ASCIIHexDecode"
            | b"AHx"
            | b"ASCII85Decode"
            | b"A85"
            | b"LZWDecode"
            | b"LZW"
            | b"RunLengthDecode"
            | b"RL"
            | b"CCITTFaxDecode"
            | b"CCF"
            | b"JBIG2Decode"
            | b"DCTDecode"
            | b"DCT"
            | b"JPXDecode"
            | b"Crypt"
    )
}

/// Names that make a PDF unacceptable, and why.
fn forbidden(name: &[u8]) -> Option<PdfRefusal> {
    match name {
        b"JavaScript" | b"JS" => Some(PdfRefusal::JavaScript),
        b"Launch" => Some(PdfRefusal::LaunchAction),
        b"EmbeddedFile" | b"EmbeddedFiles" | b"FileAttachment" | b"RichMedia" => {
            Some(PdfRefusal::EmbeddedFile)
        }
        b"Encrypt" => Some(PdfRefusal::Encrypted),
        _ => None,
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Normal,
    Comment,
    Name,
    /// `#` seen in a name, then the first hex digit if any.
    NameEscape(Option<u8>),
    Word,
    /// Literal string: nesting depth, and whether the last byte was a backslash.
    String(u32, bool),
}

/// Splits PDF syntax into names and words, across chunk boundaries.
#[derive(Debug)]
struct Lexer {
    state: Token,
    token: Vec<u8>,
}

enum Lexeme<'a> {
    Name(&'a [u8]),
    Word(&'a [u8]),
}

impl Lexer {
    fn new() -> Lexer {
        Lexer {
            state: Token::Normal,
            token: Vec::with_capacity(MAX_TOKEN),
        }
    }

    fn push_token_byte(&mut self, byte: u8) {
        if self.token.len() < MAX_TOKEN {
            self.token.push(byte);
        }
    }

    /// Feeds one byte; calls `found` when a name or word ends with it.
    fn feed(&mut self, byte: u8, found: &mut impl FnMut(Lexeme<'_>)) {
        match self.state {
            Token::Comment => {
                if byte == b'\n' || byte == b'\r' {
                    self.state = Token::Normal;
                }
            }
            Token::String(depth, escaped) => {
                self.state = match (byte, escaped) {
                    (_, true) => Token::String(depth, false),
                    (b'\\', false) => Token::String(depth, true),
                    (b'(', false) => Token::String(depth.saturating_add(1), false),
                    (b')', false) if depth <= 1 => Token::Normal,
                    (b')', false) => Token::String(depth - 1, false),
                    _ => Token::String(depth, false),
                };
            }
            Token::NameEscape(first) => match (first, hex_value(byte)) {
                (None, Some(high)) => self.state = Token::NameEscape(Some(high)),
                (Some(high), Some(low)) => {
                    self.push_token_byte(high << 4 | low);
                    self.state = Token::Name;
                }
                // Not an escape after all: end the name here and read the byte afresh.
                _ => {
                    self.end_token(found);
                    self.feed(byte, found);
                }
            },
            Token::Name | Token::Word => {
                if self.state == Token::Name && byte == b'#' {
                    self.state = Token::NameEscape(None);
                } else if is_whitespace(byte) || is_delimiter(byte) {
                    self.end_token(found);
                    self.feed(byte, found);
                } else {
                    self.push_token_byte(byte);
                }
            }
            Token::Normal => match byte {
                b'%' => self.state = Token::Comment,
                b'(' => self.state = Token::String(1, false),
                b'/' => {
                    self.token.clear();
                    self.state = Token::Name;
                }
                _ if is_whitespace(byte) || is_delimiter(byte) => {}
                _ => {
                    self.token.clear();
                    self.token.push(byte);
                    self.state = Token::Word;
                }
            },
        }
    }

    fn end_token(&mut self, found: &mut impl FnMut(Lexeme<'_>)) {
        match self.state {
            Token::Name | Token::NameEscape(_) => found(Lexeme::Name(&self.token)),
            Token::Word => found(Lexeme::Word(&self.token)),
            _ => {}
        }
        self.state = Token::Normal;
    }

    fn finish(&mut self, found: &mut impl FnMut(Lexeme<'_>)) {
        self.end_token(found);
    }
}

/// Finds `endstream` in a byte stream (KMP; the pattern's only border is its one `e`).
#[derive(Debug, Default)]
struct EndStreamMatcher {
    matched: usize,
}

impl EndStreamMatcher {
    const PATTERN: &'static [u8] = b"endstream";

    fn feed(&mut self, byte: u8) -> bool {
        loop {
            if Self::PATTERN[self.matched] == byte {
                self.matched += 1;
                if self.matched == Self::PATTERN.len() {
                    self.matched = 0;
                    return true;
                }
                return false;
            }
            if self.matched == 0 {
                return false;
            }
            // Longest proper border of "endstre": "e".
            self.matched = if self.matched == 7 { 1 } else { 0 };
        }
    }
}

/// What the current object's dictionary said, as far as streams go.
#[derive(Debug, Default, Clone, Copy)]
struct ObjectFlags {
    object_stream: bool,
    flate: bool,
    other_filter: bool,
    /// The last name was `/Type` or `/Filter`: what follows says what the stream is.
    after_type_or_filter: bool,
    /// `/Type 5 0 R` or `/Filter 6 0 R`: what the stream is lives in another object, so this
    /// one could be a compressed object stream we would otherwise skip unread.
    indirect_type_or_filter: bool,
}

enum Mode {
    Syntax,
    /// Inside stream data we do not read (images, fonts, pages).
    SkippedStream,
    /// Inside an object stream, whose objects we read like the rest of the file.
    ObjectStream {
        inflater: Option<Box<Decompress>>,
        inner: Lexer,
        ended: bool,
    },
}

pub struct PdfInspector {
    bytes: u64,
    header: Vec<u8>,
    trailer: Vec<u8>,
    lexer: Lexer,
    mode: Mode,
    end_stream: EndStreamMatcher,
    object: ObjectFlags,
    objects_seen: u64,
    inflate_budget: u64,
    refusal: Option<PdfRefusal>,
}

impl Default for PdfInspector {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfInspector {
    pub fn new() -> PdfInspector {
        PdfInspector {
            bytes: 0,
            header: Vec::with_capacity(HEADER_WINDOW),
            trailer: Vec::with_capacity(TRAILER_WINDOW * 2),
            lexer: Lexer::new(),
            mode: Mode::Syntax,
            end_stream: EndStreamMatcher::default(),
            object: ObjectFlags::default(),
            objects_seen: 0,
            inflate_budget: INFLATE_BUDGET,
            refusal: None,
        }
    }

    /// The first reason found to refuse the file, as soon as it is known.
    pub fn refusal(&self) -> Option<PdfRefusal> {
        self.refusal
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        if self.refusal.is_some() {
            return;
        }
        self.trailer.extend_from_slice(chunk);
        if self.trailer.len() > TRAILER_WINDOW * 2 {
            let excess = self.trailer.len() - TRAILER_WINDOW;
            self.trailer.drain(..excess);
        }
        for &byte in chunk {
            self.bytes += 1;
            if self.header.len() < HEADER_WINDOW {
                self.header.push(byte);
                // Byte by byte, so the verdict never depends on how the upload was cut.
                if self.header.len() == 5 && !self.header.starts_with(b"%PDF-") {
                    self.refusal = Some(PdfRefusal::NotAPdf);
                    return;
                }
            }
            self.feed_byte(byte);
            if self.refusal.is_some() {
                return;
            }
        }
    }

    fn feed_byte(&mut self, byte: u8) {
        match &mut self.mode {
            Mode::Syntax => {
                let mut lexemes = Vec::new();
                self.lexer.feed(byte, &mut |lexeme| {
                    lexemes.push(match lexeme {
                        Lexeme::Name(name) => (true, name.to_vec()),
                        Lexeme::Word(word) => (false, word.to_vec()),
                    })
                });
                for (is_name, token) in lexemes {
                    self.on_outer_token(is_name, &token);
                }
            }
            Mode::SkippedStream => {
                if self.end_stream.feed(byte) {
                    self.mode = Mode::Syntax;
                }
            }
            Mode::ObjectStream { .. } => {
                if self.end_stream.feed(byte) {
                    self.end_object_stream();
                } else {
                    self.inflate_object_stream(byte);
                }
            }
        }
    }

    fn on_outer_token(&mut self, is_name: bool, token: &[u8]) {
        let value_of_type_or_filter = std::mem::take(&mut self.object.after_type_or_filter);
        let number = token
            .first()
            .is_some_and(|byte| byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b'.'));
        if value_of_type_or_filter && !is_name && number {
            self.object.indirect_type_or_filter = true;
        }
        if is_name {
            // A `/Filter` array goes on while filter names follow: `[/FlateDecode 7 0 R]`.
            self.object.after_type_or_filter = matches!(token, b"Type" | b"Filter")
                || (value_of_type_or_filter && is_filter_name(token));
            if let Some(refusal) = forbidden(token) {
                self.refusal = Some(refusal);
            }
            match token {
                b"ObjStm" => self.object.object_stream = true,
                // Flate twice is inflated once here, and read still compressed.
                b"FlateDecode" | b"Fl" if self.object.flate => self.object.other_filter = true,
                b"FlateDecode" | b"Fl" => self.object.flate = true,
                // Predictors reshuffle the inflated bytes: what we would read is not the objects.
                b"DecodeParms" | b"DP" => self.object.other_filter = true,
                b"ASCIIHexDecode" | b"ASCII85Decode" | b"LZWDecode" | b"RunLengthDecode"
                | b"Crypt" | b"AHx" | b"A85" | b"LZW" | b"RL" => self.object.other_filter = true,
                _ => {}
            }
            return;
        }
        match token {
            b"obj" => {
                self.objects_seen += 1;
                self.object = ObjectFlags::default();
            }
            b"endobj" => self.object = ObjectFlags::default(),
            b"stream" => self.start_stream(),
            _ => {}
        }
    }

    fn start_stream(&mut self) {
        self.end_stream = EndStreamMatcher::default();
        let flags = self.object;
        self.mode = if flags.indirect_type_or_filter {
            // We cannot tell what it is without resolving references: not vouched for.
            self.refusal = Some(PdfRefusal::TooComplex);
            Mode::SkippedStream
        } else if !flags.object_stream {
            Mode::SkippedStream
        } else if flags.other_filter {
            // Objects we cannot read are objects we cannot vouch for.
            self.refusal = Some(PdfRefusal::TooComplex);
            Mode::SkippedStream
        } else {
            Mode::ObjectStream {
                inflater: flags.flate.then(|| Box::new(Decompress::new(true))),
                inner: Lexer::new(),
                ended: !flags.flate,
            }
        };
    }

    /// Reads one more byte of an object stream's data. Inflation goes byte by byte into a small
    /// buffer; cheap enough for object streams, which are a small share of a file.
    fn inflate_object_stream(&mut self, byte: u8) {
        let Mode::ObjectStream {
            inflater,
            inner,
            ended,
        } = &mut self.mode
        else {
            return;
        };
        let mut found = None;
        let mut on_lexeme = |lexeme: Lexeme<'_>| {
            if let Lexeme::Name(name) = lexeme {
                found = found.or(forbidden(name));
            }
        };
        match inflater {
            None => inner.feed(byte, &mut on_lexeme),
            Some(_) if *ended => {}
            Some(decompress) => {
                let mut input: &[u8] = &[byte];
                let mut output = [0u8; 4096];
                loop {
                    let before_in = decompress.total_in();
                    let before_out = decompress.total_out();
                    let status = decompress.decompress(input, &mut output, FlushDecompress::None);
                    let consumed = (decompress.total_in() - before_in) as usize;
                    let produced = (decompress.total_out() - before_out) as usize;
                    input = &input[consumed..];
                    if produced as u64 > self.inflate_budget {
                        self.refusal = Some(PdfRefusal::TooComplex);
                        return;
                    }
                    self.inflate_budget -= produced as u64;
                    for &plain in &output[..produced] {
                        inner.feed(plain, &mut on_lexeme);
                    }
                    match status {
                        Ok(Status::StreamEnd) => {
                            *ended = true;
                            break;
                        }
                        Ok(_) if produced == output.len() => continue,
                        Ok(_) if input.is_empty() => break,
                        Ok(_) if consumed == 0 && produced == 0 => break,
                        Ok(_) => continue,
                        Err(_) => {
                            self.refusal = Some(PdfRefusal::Damaged);
                            return;
                        }
                    }
                }
            }
        }
        if let Some(refusal) = found {
            self.refusal = Some(refusal);
        }
    }

    fn end_object_stream(&mut self) {
        if let Mode::ObjectStream {
            inflater,
            inner,
            ended,
        } = &mut self.mode
        {
            let mut found = None;
            inner.finish(&mut |lexeme| {
                if let Lexeme::Name(name) = lexeme {
                    found = found.or(forbidden(name));
                }
            });
            if inflater.is_some() && !*ended {
                // The compressed data stopped short of its end.
                found = found.or(Some(PdfRefusal::Damaged));
            }
            if found.is_some() {
                self.refusal = found;
            }
        }
        self.mode = Mode::Syntax;
    }

    /// The verdict once the whole file has been fed.
    pub fn finish(mut self) -> Result<(), PdfRefusal> {
        if let Some(refusal) = self.refusal {
            return Err(refusal);
        }
        if self.bytes < 5 || !self.header.starts_with(b"%PDF-") {
            return Err(PdfRefusal::NotAPdf);
        }
        if !matches!(self.mode, Mode::Syntax) {
            return Err(PdfRefusal::Damaged);
        }
        let mut last = Vec::new();
        self.lexer.finish(&mut |lexeme| {
            if let Lexeme::Name(name) = lexeme {
                last.push(name.to_vec());
            }
        });
        if let Some(refusal) = last.iter().find_map(|name| forbidden(name)) {
            return Err(refusal);
        }
        let tail = &self.trailer[self.trailer.len().saturating_sub(TRAILER_WINDOW)..];
        let has_eof = tail.windows(5).any(|window| window == b"%%EOF");
        let has_xref = tail.windows(9).any(|window| window == b"startxref");
        if self.objects_seen == 0 || !has_eof || !has_xref {
            return Err(PdfRefusal::Damaged);
        }
        Ok(())
    }
}

/// Inspects a whole file held in memory (tests, the command line).
pub fn inspect(contents: &[u8]) -> Result<(), PdfRefusal> {
    let mut inspector = PdfInspector::new();
    inspector.feed(contents);
    inspector.finish()
}
