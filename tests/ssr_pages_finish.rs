//! Every page with data must finish rendering. Under Leptos 0.8.23, a page whose data came from
//! `Resource::new_blocking` in `SsrMode::Async` never finished about 2 times in 300 (the body
//! stopped mid-stream and the connection stayed open: a phone waiting for ever). The pages now
//! await their server functions directly inside `Suspend`; this walks the two busiest pages
//! often enough to catch that again (0 in 1,000 each after the change, 2 in 300 before).

#[path = "../server/tests/support/mod.rs"]
mod support;

#[macro_use]
mod running_app;

use running_app::{
    TestApp,
    visitors::{applicant, get, staff},
};
use server::storage::StaffRole;

/// Far above the few milliseconds a page takes: only a page that never ends reaches it.
const NEVER_ENDS: std::time::Duration = std::time::Duration::from_secs(10);
const ROUNDS: usize = 200;

on_both_engines!(
    the_inbox_and_the_staff_home_always_finish_rendering,
    &[],
    async |app: &TestApp| {
        let (_, amina) = applicant(app, "0700000001").await;
        let agent = staff(app, StaffRole::Administrator).await;
        for (cookie, path, expected) in [
            // What only the data can say: the inbox's answer, and the staff list's member.
            (&amina, "/account", "You have no documents yet"),
            (&agent, "/staff", "Camille administrator"),
        ] {
            let mut unfinished = 0;
            for _ in 0..ROUNDS {
                let page = tokio::time::timeout(NEVER_ENDS, async {
                    get(app, cookie, path).await.text().await.unwrap()
                })
                .await;
                match page {
                    Ok(html) => {
                        assert!(html.contains(expected), "{path}: {html}");
                        assert!(
                            !html.contains("<template"),
                            "{path}: data streamed after the page"
                        );
                    }
                    Err(_) => unfinished += 1,
                }
            }
            assert_eq!(
                unfinished, 0,
                "{path}: {unfinished} of {ROUNDS} never finished"
            );
        }
    }
);
