//! `espace-usager generate-data`: the benchmark population (`server::data_generator`), then real
//! files for the first applicants through the normal upload path. Never in production.

use std::io::Write as _;

use server::{
    Services,
    config::{Config, Mode},
    data_generator::{FIRST_NUMBER, PASSWORD, Population, generate},
    documents::{
        kind::DocumentKind,
        notice_facts::NoticeFacts,
        publishing::{Upload, publish},
    },
    printable::{Font, Line, a4_document},
    storage::Actor,
};

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Applicants in all (numbered from 9000000000); a later run adds only the missing ones.
    #[arg(long, default_value_t = 10_000)]
    applicants: u64,
    /// Document rows per applicant (rows only: they name no file).
    #[arg(long, default_value_t = 10)]
    documents_per_applicant: u32,
    /// The first this many applicants also get one real, downloadable letter each.
    #[arg(long, default_value_t = 1_000)]
    downloadable: u64,
}

pub async fn generate_data(config: Config, args: GenerateArgs) -> anyhow::Result<()> {
    if config.mode == Mode::Production {
        anyhow::bail!("generate-data writes a fictitious population: never in production");
    }
    let services = Services::start(config).await?;
    let population = Population {
        applicants: args.applicants,
        documents_per_applicant: args.documents_per_applicant,
    };
    let report = generate(
        services.storage.as_ref(),
        population,
        services.clock.now(),
        |done| {
            if done % 100_000 == 0 || done == args.applicants {
                tracing::info!(applicants = done, "population written so far");
            }
        },
    )
    .await?;
    let files = publish_letters(&services, args.downloadable.min(args.applicants)).await?;
    let _ = writeln!(
        std::io::stdout(),
        "{} applicants ({} there before), {} document rows written in {:.1} s; {files} \
         downloadable letters. Numbers from {FIRST_NUMBER}, password {PASSWORD}",
        report.applicants,
        report.kept,
        report.documents,
        report.elapsed.as_secs_f64(),
    );
    Ok(())
}

/// One registration letter, a real PDF stored encrypted like any other, for each of the first
/// `count` applicants that has none yet.
async fn publish_letters(services: &Services, count: u64) -> anyhow::Result<u64> {
    let mut published = 0;
    for index in 0..count {
        let number = (FIRST_NUMBER + index).to_string();
        let Some(applicant) = services
            .storage
            .find_applicant_by_foreigner_number(&number)
            .await?
        else {
            continue;
        };
        let existing = services
            .storage
            .documents_of_applicant(applicant.id)
            .await?;
        if existing
            .iter()
            .any(|document| !document.object_key.starts_with("generated/"))
        {
            continue;
        }
        let pdf = a4_document(
            "Lettre d'enregistrement",
            &[
                Line::new("Lettre d'enregistrement", Font::Bold, 18.0),
                Line::new(format!("Numéro étranger : {number}"), Font::Regular, 12.0).after(12.0),
                Line::new(
                    "Votre demande d'asile est enregistrée. ".repeat(40),
                    Font::Regular,
                    11.0,
                )
                .after(12.0),
            ],
        )?;
        let upload = Upload {
            applicant_id: applicant.id,
            kind: DocumentKind::RegistrationLetter,
            title: "Lettre d'enregistrement (fichier)".into(),
            file_name: "lettre-enregistrement.pdf".into(),
            uploaded_by: Actor::system(),
            replacing: None,
            facts: NoticeFacts::default(),
        };
        let body = axum::body::Body::from(pdf).into_data_stream();
        publish(services, upload, body).await?;
        published += 1;
    }
    Ok(published)
}
