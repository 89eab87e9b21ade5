//! Puts the application together: Leptos pages and server functions, the server crate's routes,
//! and the middleware around all of them.

use app::{App, shell};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
};
use leptos::{config::LeptosOptions, nonce::Nonce, prelude::*};
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use server::{
    Services,
    config::Config,
    http::{CspNonce, apply_middleware},
};

pub use crate::app_state::AppState;
use crate::app_state::locale_of;
use crate::{
    accounts::contact_form,
    accounts::language_choice,
    accounts::password_reset_form,
    accounts::postal_address_form,
    accounts::sign_in_form,
    back_office_api,
    documents::{document_routes, interview_routes},
    notifications::notice_forms,
    notifications::push_routes,
    refused_forms, session_layer,
    staff::staff_forms,
};

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("espace-usager")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .build()
}

/// Per-request context for pages and server functions: the page language and the CSP nonce
/// that the security-headers middleware put in the response header.
fn request_context(services: Services) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(services.clone());
        if let Some(parts) = use_context::<http::request::Parts>() {
            provide_context(locale_of(&parts.headers));
            if let Some(nonce) = parts.extensions.get::<CspNonce>() {
                provide_context(Nonce::from_value(nonce.0.clone()));
            }
        }
    }
}

/// The generic refusals (413, cross-site 403) in the language the request asks for.
fn refusal_texts() -> server::http::RefusalTexts {
    std::sync::Arc::new(|refusal, headers| {
        let m = locale_of(headers).messages();
        match refusal {
            server::http::Refusal::TooLarge => m.refusal_too_large.clone(),
            server::http::Refusal::CrossSite => m.refusal_cross_site.clone(),
        }
    })
}

/// The page routes, worked out once per process. Working them out renders the app with resource
/// loading suppressed through a process-wide flag: a resource first polled by another request in
/// that window would never resolve (leptos-rs/leptos#4773). Once, before any router exists, no
/// render can overlap it, however many routers a process builds (the tests build one per test).
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let context = request_context(state.services.clone());
    let options = state.leptos_options.clone();
    let idempotent_pushes =
        middleware::from_fn_with_state(state.clone(), back_office_api::idempotent);
    let pages_and_forms = Router::new()
        .route("/language", post(language_choice::choose_language))
        .route("/manifest.webmanifest", get(language_choice::web_manifest))
        .route(
            "/activate",
            post(crate::accounts::activation_form::submit_activation),
        )
        .route("/sign-in", post(sign_in_form::submit_password))
        .route("/sign-in/code", post(sign_in_form::submit_code))
        .route("/sign-in/reset", post(password_reset_form::submit_request))
        .route(
            "/sign-in/reset/code",
            post(password_reset_form::submit_code),
        )
        .route("/sign-out", post(sign_in_form::sign_out))
        .route(
            "/sign-out/everywhere",
            post(sign_in_form::sign_out_everywhere),
        )
        .route("/account/extend", post(sign_in_form::extend_session))
        .route(
            "/account/confirm-password",
            post(crate::accounts::step_up::submit_password),
        )
        .route("/staff/sign-in", post(staff_forms::submit_sign_in))
        .route("/staff/enrol", post(staff_forms::submit_enrolment))
        .route("/staff/sign-out", post(staff_forms::sign_out))
        .route("/staff/find", post(staff_forms::find_applicant))
        .route("/staff/lift-locks", post(staff_forms::submit_lift_locks))
        .route("/staff/applicants", post(staff_forms::submit_registration))
        .route("/staff/members", post(staff_forms::submit_invitation))
        .route("/staff/members/role", post(staff_forms::submit_role_change))
        .route("/staff/members/disable", post(staff_forms::submit_disable))
        .route("/staff/members/unblock", post(staff_forms::submit_unblock))
        .route(
            "/staff/confirm",
            post(crate::accounts::step_up::submit_staff_code),
        )
        .route(
            "/staff/api-keys",
            post(crate::staff::api_key_forms::submit_new_key),
        )
        .route(
            "/staff/api-keys/revoke",
            post(crate::staff::api_key_forms::submit_revocation),
        )
        .route("/api/v1/applicants", post(back_office_api::register))
        .route(
            "/api/v1/applicants/{id}/postal-address",
            get(back_office_api::postal_address),
        )
        .route("/api/v1/openapi.json", get(back_office_api::openapi))
        .route(
            "/api/v1/documents",
            post(back_office_api::post_document)
                .layer(DefaultBodyLimit::disable())
                .layer(idempotent_pushes.clone()),
        )
        .route(
            "/api/v1/documents/bulk",
            post(back_office_api::post_bulk)
                .layer(DefaultBodyLimit::disable())
                .layer(idempotent_pushes),
        )
        .route(
            "/api/v1/documents/{id}",
            get(back_office_api::document_status),
        )
        .route(
            "/api/v1/documents/{id}/acknowledgement",
            get(back_office_api::document_acknowledgement),
        )
        .route(
            "/api/v1/acknowledgements",
            get(back_office_api::acknowledgements_export),
        )
        .route(
            "/account/documents/{id}",
            get(document_routes::open_as_applicant),
        )
        .route(
            "/account/documents/{id}/calendar.ics",
            get(interview_routes::interview_calendar),
        )
        .route("/staff/documents/{id}", get(document_routes::open_as_staff))
        .route(
            "/staff/applicants/{id}/documents",
            // Multipart would stop at axum's 2 MB default; the body-limit middleware bounds it.
            post(document_routes::post_documents).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/staff/documents/{id}/acknowledgement",
            get(document_routes::acknowledgement_as_staff),
        )
        .route(
            "/staff/documents/{id}/withdrawal",
            post(document_routes::post_withdrawal).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/staff/applicants/reissue",
            post(staff_forms::submit_reissue),
        )
        .route("/account/contact", post(contact_form::submit_email))
        .route(
            "/account/address",
            post(postal_address_form::submit_address),
        )
        .route("/account/contact/phone", post(contact_form::submit_phone))
        .route(
            "/account/contact/confirm",
            post(contact_form::submit_email_code),
        )
        .route(
            "/account/contact/remove",
            post(contact_form::submit_removal),
        )
        .route(
            "/account/contact/channels",
            post(contact_form::submit_channels),
        )
        .route("/account/notifications/read", post(notice_forms::mark_read))
        .route("/account/push/subscribe", post(push_routes::subscribe))
        .route("/account/push/unsubscribe", post(push_routes::unsubscribe))
        .route("/account/push/remove-all", post(push_routes::remove_all))
        .route(
            "/account/data-export",
            get(crate::retention::retention_routes::export_own_data),
        )
        .route(
            "/staff/applicants/{id}/data-export",
            get(crate::retention::retention_routes::export_for_staff),
        )
        .route(
            "/staff/applicants/{id}/closure",
            post(crate::retention::retention_routes::submit_closure),
        )
        .merge(server::http::routes::<AppState>())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ));
    // A refused staff form is answered with its page, rendered by the same routes.
    let pages = pages_and_forms.clone().with_state(state.clone());
    let router = pages_and_forms
        .layer(middleware::from_fn_with_state(
            pages,
            refused_forms::answer_with_page,
        ))
        // Inside the security stack: who is asking is known before any page or handler runs.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session_layer::resolve_session,
        ))
        .with_state(state.clone());
    apply_middleware(router, &state.services.config, refusal_texts())
}
