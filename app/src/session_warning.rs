//! The warning two minutes before an applicant's session ends for inactivity (RGAA 13.1), on
//! every page of the applicant's space, with a button to stay signed in on the same page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::current_locale;

/// Two minutes before the session ends for inactivity, says so and offers to stay signed in.
/// Needs the WebAssembly (a timer); without it the server still ends the session on time.
#[component]
pub fn SessionTimeoutWarning(ends_at: i64) -> impl IntoView {
    let m = current_locale().messages();
    let (due, set_due) = signal(false);
    let pathname = use_location().pathname;
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
                    <p>{m.session_warning.as_str()}</p>
                    <form method="post" action="/account/extend">
                        <input type="hidden" name="return_to" value=move || pathname.get()/>
                        <button class="button primary" type="submit">{m.session_extend.as_str()}</button>
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
