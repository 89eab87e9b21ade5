//! Refusals produced by generic middleware carry a sentence a person understands, in both
//! languages of the portal (the page language is not known at this layer).

use axum::response::{IntoResponse, Response};
use http::StatusCode;

pub const TOO_LARGE: &str = "This file or form is too large to send. / Ce fichier ou ce formulaire est trop volumineux pour être envoyé.";

pub async fn explain_too_large<B>(response: Response<B>) -> Response
where
    Response<B>: IntoResponse,
{
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE).into_response();
    }
    response.into_response()
}
