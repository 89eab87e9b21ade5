//! The warning two minutes before an applicant's session ends for inactivity (RGAA 13.1), on
//! every page an applicant reads signed in, with a button to stay signed in on the same page.
//! An island: the only part of the portal that runs in the browser. Its words come from the
//! server with it, so the WebAssembly carries no text.

use leptos::prelude::*;

/// Two minutes before the session ends for inactivity (`ends_at`, Unix seconds), says
/// `warning` and offers `extend`, which brings the applicant back to `return_to`. Needs the
/// WebAssembly (a timer); without it the server still ends the session on time.
#[island]
pub fn SessionTimeoutWarning(
    ends_at: i64,
    warning: String,
    extend: String,
    return_to: String,
) -> impl IntoView {
    let (due, set_due) = signal(false);
    // Effects run in the browser only: the server renders the page without the warning.
    Effect::new(move |_| {
        let now = now_in_seconds();
        let wait = (ends_at - WARNING_SECONDS - now).max(0) as u64;
        set_timeout(
            move || set_due.set(true),
            std::time::Duration::from_secs(wait),
        );
    });
    move || {
        due.get().then(|| {
            view! {
                <div class="notice session-warning" role="alert">
                    <p>{warning.clone()}</p>
                    <form method="post" action="/account/extend">
                        <input type="hidden" name="return_to" value=return_to.clone()/>
                        <button class="button primary" type="submit">{extend.clone()}</button>
                    </form>
                </div>
            }
        })
    }
}

const WARNING_SECONDS: i64 = 120;

fn now_in_seconds() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}
