//! The staff's at-risk list (`notifications::at_risk`) against a generated population
//! (`espace-usager generate-data`), through the storage code the page runs. Run by
//! `benches/at_risk.sh`, which generates the population and prints the query plans; alone:
//! `BENCH_DATABASE_URL=sqlite://…/population.db cargo bench -p server --bench at_risk`.
//!
//! Figures (median and 90th percentile of `ROUNDS` calls) go to standard output, for
//! `docs/performance.md`.

use std::time::{Duration, Instant};

use server::{
    clock::Clock,
    documents::DocumentKind,
    notifications::at_risk::{AtRiskPage, AtRiskQuery, at_risk},
    storage,
};

const ROUNDS: usize = 50;

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * share).round() as usize]
}

async fn time(label: &str, storage: &dyn storage::Storage, query: AtRiskQuery) -> AtRiskPage {
    let now = chrono::Utc::now();
    let mut timings = Vec::with_capacity(ROUNDS);
    let mut page = AtRiskPage::default();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        page = at_risk(storage, query, now).await.expect("the list");
        timings.push(started.elapsed());
    }
    timings.sort();
    let out = std::io::Write::write_fmt(
        &mut std::io::stdout(),
        format_args!(
            "{label}: median {:.1} ms, p90 {:.1} ms ({} interviews, {} letters)\n",
            percentile(&timings, 0.5).as_secs_f64() * 1000.0,
            percentile(&timings, 0.9).as_secs_f64() * 1000.0,
            page.interviews.len(),
            page.documents.len(),
        ),
    );
    out.expect("stdout");
    page
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("BENCH_DATABASE_URL names a generated population (benches/at_risk.sh)");
        return;
    };
    let storage = storage::connect(&url, Clock::system())
        .await
        .expect("the population's database");
    let storage = storage.as_ref();
    let first = time("first page, every kind", storage, AtRiskQuery::default()).await;
    // Twenty pages deep, by the keyset the page's "next" link carries.
    let mut after = first.next;
    for _ in 0..19 {
        let query = AtRiskQuery {
            after,
            ..Default::default()
        };
        after = at_risk(storage, query, chrono::Utc::now())
            .await
            .expect("a page")
            .next;
    }
    let deep = AtRiskQuery {
        after,
        ..Default::default()
    };
    time("page 21, every kind", storage, deep).await;
    let decisions = AtRiskQuery {
        kind: Some(DocumentKind::Decision),
        ..Default::default()
    };
    time("decisions only", storage, decisions).await;
    let soon = AtRiskQuery {
        days_left: Some(2),
        ..Default::default()
    };
    time("2 days left at most", storage, soon).await;
    storage.close().await;
}
