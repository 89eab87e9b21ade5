//! Who is calling the API: a key holding the scope the route needs, named in the handler's
//! signature (`ApiCaller<scope::DocumentsWrite>`) like `SignedInStaff<may::…>` on the pages.
//! Runs before the body is read, so an unauthenticated upload is refused unread.

use std::marker::PhantomData;

use app::i18n::Locale;
use axum::{
    extract::{FromRef, FromRequestParts},
    http::{StatusCode, header, request::Parts},
};
use refusal::Code;
use server::{
    Services,
    back_office_api::api_keys::{self, ApiScope},
    storage::ApiKey,
};

use super::ApiRefusal;
use crate::app_state::locale_of;

/// A scope, as a type, for `ApiCaller<S>`.
pub trait Scope: Send + Sync + 'static {
    const SCOPE: ApiScope;
}

pub mod scope {
    use super::{ApiScope, Scope};

    macro_rules! scopes {
        ($($name:ident),* $(,)?) => {$(
            pub struct $name;
            impl Scope for $name {
                const SCOPE: ApiScope = ApiScope::$name;
            }
        )*};
    }

    scopes!(
        ApplicantsWrite,
        DocumentsWrite,
        DocumentsRead,
        ApplicantsRead
    );
}

/// The key behind the request, holding `S`, and the language to answer in.
pub struct ApiCaller<S> {
    pub key: ApiKey,
    pub locale: Locale,
    scope: PhantomData<S>,
}

impl<S: Scope, St> FromRequestParts<St> for ApiCaller<S>
where
    Services: FromRef<St>,
    St: Send + Sync,
{
    type Rejection = ApiRefusal;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, ApiRefusal> {
        let services = Services::from_ref(state);
        let locale = locale_of(&parts.headers);
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        match api_keys::authenticate(services.storage.as_ref(), authorization).await {
            Ok(Some(key)) if key.allows(S::SCOPE) => Ok(ApiCaller {
                key,
                locale,
                scope: PhantomData,
            }),
            Ok(Some(key)) => {
                tracing::warn!(api_key = %key.id, scope = S::SCOPE.as_str(), "API key without the scope");
                Err(ApiRefusal::new(
                    StatusCode::FORBIDDEN,
                    Code::Forbidden,
                    locale,
                ))
            }
            Ok(None) => Err(ApiRefusal::new(
                StatusCode::UNAUTHORIZED,
                Code::Unauthorized,
                locale,
            )),
            Err(error) => Err(ApiRefusal::unavailable(&error, locale)),
        }
    }
}
