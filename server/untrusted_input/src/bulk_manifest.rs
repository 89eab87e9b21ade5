//! The manifest of a bulk push from the back-office: one JSON object naming, for each file part
//! of the request, the applicant, the kind and the title. It is read whole (bounded) and checked
//! before any file, so a bad manifest stores nothing.
//!
//! ```json
//! {"documents": [{"file": "d1", "applicant": "0701234567", "kind": "decision",
//!                 "title": "Décision", "decision_outcome": "subsidiary_protection"},
//!                {"file": "d2", "applicant": "0701234568", "kind": "interview_summons",
//!                 "title": "Convocation", "appointment_at": "2027-01-09T09:30:00+01:00",
//!                 "appointment_place": "201 rue Carnot, Fontenay-sous-Bois"}]}
//! ```
//!
//! `applicant` is the id the registration answered with, or a foreigner or file number. A
//! decision names its outcome, a summons its date, time and place (`notice_facts`).

use std::collections::HashMap;

use serde::Deserialize;
use uuid::Uuid;

use crate::{
    DocumentKind,
    notice_facts::{FactsError, NoticeFacts, rfc3339},
    title::clean_title,
};

/// Files in one bulk call.
pub const MAX_BULK_DOCUMENTS: usize = 1000;
/// Bytes of the manifest itself.
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
const MAX_FILE_FIELD_CHARS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    documents: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    file: String,
    applicant: String,
    kind: String,
    title: String,
    #[serde(default)]
    decision_outcome: Option<String>,
    /// RFC 3339, with its offset.
    #[serde(default)]
    appointment_at: Option<String>,
    #[serde(default)]
    appointment_place: Option<String>,
}

/// Whom a document is for, as the back-office names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApplicantReference {
    Id(Uuid),
    /// A foreigner or file number, upper case, separators removed.
    Number(String),
}

impl ApplicantReference {
    pub fn parse(text: &str) -> Option<ApplicantReference> {
        if let Ok(id) = Uuid::parse_str(text.trim()) {
            return Some(ApplicantReference::Id(id));
        }
        let number: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '/'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (!number.is_empty()
            && number.len() <= 32
            && number.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(ApplicantReference::Number(number))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManifestEntry {
    /// The name of the multipart part that carries the file.
    pub file: String,
    pub applicant: ApplicantReference,
    pub kind: DocumentKind,
    pub title: String,
    pub facts: NoticeFacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    File,
    DuplicateFile,
    Applicant,
    Kind,
    Title,
    Facts(FactsError),
}

impl EntryProblem {
    pub fn code(self) -> &'static str {
        match self {
            EntryProblem::File => "file",
            EntryProblem::DuplicateFile => "duplicate_file",
            EntryProblem::Applicant => "applicant",
            EntryProblem::Kind => "kind",
            EntryProblem::Title => "title",
            // The manifest's field to look at.
            EntryProblem::Facts(FactsError::MissingOutcome) => "decision_outcome",
            EntryProblem::Facts(FactsError::MissingAppointment) => "appointment_at",
            EntryProblem::Facts(FactsError::InvalidPlace) => "appointment_place",
            EntryProblem::Facts(FactsError::NotForThisKind) => "kind",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is larger than {MAX_MANIFEST_BYTES} bytes")]
    TooLarge,
    #[error("the manifest is not a JSON object of the expected shape")]
    Syntax,
    #[error("the manifest names no document")]
    Empty,
    #[error("the manifest names more than {MAX_BULK_DOCUMENTS} documents")]
    TooMany,
    #[error("entry {index} of the manifest: {problem:?}")]
    Entry { index: usize, problem: EntryProblem },
}

/// The entries still waiting for their file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    waiting: HashMap<String, ManifestEntry>,
    order: Vec<String>,
}

impl Manifest {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The entry for a file part, once: a second part of the same name finds nothing.
    pub fn take(&mut self, file: &str) -> Option<ManifestEntry> {
        self.waiting.remove(file)
    }

    /// Entries whose file never came, in manifest order.
    pub fn missing(&self) -> Vec<&ManifestEntry> {
        self.order
            .iter()
            .filter_map(|file| self.waiting.get(file))
            .collect()
    }
}

pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge);
    }
    let raw: RawManifest = serde_json::from_slice(bytes).map_err(|_| ManifestError::Syntax)?;
    if raw.documents.is_empty() {
        return Err(ManifestError::Empty);
    }
    if raw.documents.len() > MAX_BULK_DOCUMENTS {
        return Err(ManifestError::TooMany);
    }
    let mut manifest = Manifest {
        waiting: HashMap::with_capacity(raw.documents.len()),
        order: Vec::with_capacity(raw.documents.len()),
    };
    for (index, entry) in raw.documents.into_iter().enumerate() {
        let problem = |problem| ManifestError::Entry { index, problem };
        let file = entry.file.trim().to_owned();
        if file.is_empty()
            || file.chars().count() > MAX_FILE_FIELD_CHARS
            || file.chars().any(char::is_control)
        {
            return Err(problem(EntryProblem::File));
        }
        if manifest.waiting.contains_key(&file) {
            return Err(problem(EntryProblem::DuplicateFile));
        }
        let applicant =
            ApplicantReference::parse(&entry.applicant).ok_or(problem(EntryProblem::Applicant))?;
        let kind = DocumentKind::from_code(entry.kind.trim()).ok_or(problem(EntryProblem::Kind))?;
        let title = clean_title(&entry.title).ok_or(problem(EntryProblem::Title))?;
        let facts = NoticeFacts::read(
            entry.decision_outcome.as_deref(),
            entry.appointment_at.as_deref(),
            entry.appointment_place.clone(),
            rfc3339,
        )
        .and_then(|facts| facts.check(kind))
        .map_err(|error| problem(EntryProblem::Facts(error)))?;
        manifest.order.push(file.clone());
        manifest.waiting.insert(
            file.clone(),
            ManifestEntry {
                file,
                applicant,
                kind,
                title,
                facts,
            },
        );
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice_facts::DecisionOutcome;

    /// An entry with the facts its kind needs.
    fn entry(file: &str, applicant: &str, kind: &str, title: &str) -> String {
        let facts = match kind {
            "decision" => r#","decision_outcome":"rejection""#,
            "interview_summons" => {
                r#","appointment_at":"2027-01-09T09:30:00+01:00","appointment_place":"Fontenay""#
            }
            _ => "",
        };
        format!(
            r#"{{"file":"{file}","applicant":"{applicant}","kind":"{kind}","title":"{title}"{facts}}}"#
        )
    }

    fn manifest(entries: &[String]) -> String {
        format!(r#"{{"documents":[{}]}}"#, entries.join(","))
    }

    #[test]
    fn a_valid_manifest_hands_out_each_entry_once() {
        let id = Uuid::new_v4();
        let text = manifest(&[
            entry("d1", "0701-234 567", "decision", " Décision "),
            entry("d2", &id.to_string(), "interview_summons", "Convocation"),
        ]);
        let mut parsed = parse_manifest(text.as_bytes()).unwrap();
        assert_eq!(parsed.len(), 2);
        let first = parsed.take("d1").unwrap();
        assert_eq!(
            first.applicant,
            ApplicantReference::Number("0701234567".into())
        );
        assert_eq!(first.kind, DocumentKind::Decision);
        assert_eq!(first.title, "Décision");
        assert_eq!(
            first.facts.decision_outcome,
            Some(DecisionOutcome::Rejection)
        );
        assert_eq!(parsed.take("d1"), None);
        assert_eq!(parsed.missing().len(), 1);
        assert_eq!(parsed.missing()[0].applicant, ApplicantReference::Id(id));
    }

    #[test]
    fn every_bad_entry_is_named_by_its_index_and_problem() {
        let cases = [
            (entry("", "0701234567", "decision", "T"), EntryProblem::File),
            (
                entry("d", "07 01?", "decision", "T"),
                EntryProblem::Applicant,
            ),
            (entry("d", "0701234567", "letter", "T"), EntryProblem::Kind),
            (
                entry("d", "0701234567", "decision", "  "),
                EntryProblem::Title,
            ),
        ];
        for (bad, problem) in cases {
            let text = manifest(&[entry("ok", "0701234567", "other", "T"), bad]);
            assert_eq!(
                parse_manifest(text.as_bytes()),
                Err(ManifestError::Entry { index: 1, problem })
            );
        }
        let facts_cases = [
            (
                r#"{"file":"d","applicant":"0701234567","kind":"decision","title":"T"}"#,
                FactsError::MissingOutcome,
            ),
            (
                r#"{"file":"d","applicant":"0701234567","kind":"decision","title":"T","decision_outcome":"granted"}"#,
                FactsError::MissingOutcome,
            ),
            (
                r#"{"file":"d","applicant":"0701234567","kind":"interview_summons","title":"T","appointment_at":"9 janvier","appointment_place":"Fontenay"}"#,
                FactsError::MissingAppointment,
            ),
            (
                r#"{"file":"d","applicant":"0701234567","kind":"interview_summons","title":"T","appointment_at":"2027-01-09T09:30:00+01:00"}"#,
                FactsError::InvalidPlace,
            ),
            (
                r#"{"file":"d","applicant":"0701234567","kind":"other","title":"T","decision_outcome":"closure"}"#,
                FactsError::NotForThisKind,
            ),
        ];
        for (bad, error) in facts_cases {
            let text = manifest(&[bad.to_owned()]);
            assert_eq!(
                parse_manifest(text.as_bytes()),
                Err(ManifestError::Entry {
                    index: 0,
                    problem: EntryProblem::Facts(error)
                }),
                "{bad}"
            );
        }
        let twice = manifest(&[
            entry("d", "0701234567", "other", "T"),
            entry("d", "0701234568", "other", "T"),
        ]);
        assert_eq!(
            parse_manifest(twice.as_bytes()),
            Err(ManifestError::Entry {
                index: 1,
                problem: EntryProblem::DuplicateFile
            })
        );
    }

    #[test]
    fn the_shape_and_the_bounds_are_enforced() {
        assert_eq!(parse_manifest(b"[]"), Err(ManifestError::Syntax));
        assert_eq!(
            parse_manifest(b"{\"documents\":[]}"),
            Err(ManifestError::Empty)
        );
        assert_eq!(
            parse_manifest(b"{\"documents\":[],\"extra\":1}"),
            Err(ManifestError::Syntax)
        );
        assert_eq!(
            parse_manifest(&vec![b' '; MAX_MANIFEST_BYTES + 1]),
            Err(ManifestError::TooLarge)
        );
        let many: Vec<String> = (0..=MAX_BULK_DOCUMENTS)
            .map(|n| entry(&format!("d{n}"), "0701234567", "other", "T"))
            .collect();
        assert_eq!(
            parse_manifest(manifest(&many).as_bytes()),
            Err(ManifestError::TooMany)
        );
        assert_eq!(parse_manifest(&[0xff, 0xfe]), Err(ManifestError::Syntax));
    }
}
