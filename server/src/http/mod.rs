//! HTTP plumbing shared by every route: middleware stack, probes, shutdown.

mod body_limit;
mod client_address;
pub mod cookies;
mod explain_refusals;
mod page_refusal;
mod probes;
mod same_origin;
mod security_headers;
pub mod who_is_asking;

use std::time::Duration;

use axum::{Router, extract::FromRef, middleware};
use http::{HeaderName, Request, header};
use tower::ServiceBuilder;
use tower_http::{
    compression::{
        CompressionLayer,
        predicate::{DefaultPredicate, NotForContentType, Predicate},
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

pub use body_limit::BodyLimits;
pub use client_address::client_ip;
pub use explain_refusals::{Refusal, RefusalTexts};
pub use page_refusal::{OrBackTo, PageRefusal, SentBack, TypedForm, filled_form};
pub use same_origin::is_same_origin;
pub use security_headers::{CspNonce, content_security_policy};

use crate::{Services, config::Config};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Routes that belong to no page: health probes (and, in later issues, the REST API).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
{
    Router::new()
        .route("/healthz", axum::routing::get(probes::healthz))
        .route("/readyz", axum::routing::get(probes::readyz::<S>))
}

/// Wraps the whole application (pages, server functions, API, static files); `refusal_texts`
/// explains the generic refusals (413, cross-site 403) in the request's language.
pub fn apply_middleware(router: Router, config: &Config, refusal_texts: RefusalTexts) -> Router {
    let hsts = config.serves_https();
    let own_origin = config.public_url.origin().ascii_serialization();
    let stack =
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new([
                header::AUTHORIZATION,
                header::COOKIE,
            ]))
            .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
            // Outside everything that can answer on its own (413s included), so no response lacks them.
            .layer(middleware::from_fn_with_state(
                hsts,
                security_headers::set_security_headers,
            ))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|request: &Request<_>| {
                        let request_id = request
                            .headers()
                            .get(REQUEST_ID_HEADER)
                            .and_then(|value| value.to_str().ok())
                            .unwrap_or_default();
                        // The path only: query strings may carry codes or tokens.
                        tracing::info_span!(
                            "request",
                            method = %request.method(),
                            path = %request.uri().path(),
                            request_id = %request_id,
                        )
                    })
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
            .layer(middleware::from_fn_with_state(
                refusal_texts.clone(),
                explain_refusals::explain_too_large,
            ))
            // Documents go out as stored: PDF streams are compressed already, and a known length
            // lets a phone on a slow network show how far a download has got.
            .layer(CompressionLayer::new().compress_when(
                DefaultPredicate::new().and(NotForContentType::new("application/pdf")),
            ))
            // A body over the limit is refused with 413 before any handler reads it.
            .layer(middleware::from_fn_with_state(
                BodyLimits::from(config),
                body_limit::limit_request_body,
            ))
            .layer(middleware::from_fn_with_state(
                (own_origin, refusal_texts),
                same_origin::require_same_origin,
            ));
    router.layer(stack)
}

/// Resolves on SIGTERM or Ctrl-C; axum then stops accepting and lets in-flight requests finish.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    // Registered now, before the caller opens its listener: a SIGTERM that arrives as soon as
    // the port answers is a graceful stop, not the default kill.
    let terminate = signal(SignalKind::terminate()).ok();
    let interrupt = signal(SignalKind::interrupt()).ok();
    async fn received(signal: Option<Signal>) {
        match signal {
            Some(mut signal) => {
                signal.recv().await;
            }
            // If a signal cannot be watched, wait for the other rather than stopping at once.
            None => std::future::pending::<()>().await,
        }
    }
    async move {
        tokio::select! {
            _ = received(terminate) => {},
            _ = received(interrupt) => {},
        }
        tracing::info!("shutdown requested; finishing requests in flight");
    }
}

/// How long a probe waits for a dependency before calling it unavailable.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
