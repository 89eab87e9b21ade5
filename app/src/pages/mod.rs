//! One module per page.

mod accessibility;
mod account;
mod activate;
mod api_keys;
mod applicant_file;
mod at_risk;
mod confirm_password;
mod contact;
mod dashboard;
mod form_feedback;
mod help;
mod landing;
mod not_found;
mod notifications;
mod offline;
mod password_reset;
mod postal_address;
mod sign_in;
mod staff;

pub use accessibility::AccessibilityStatement;
pub use account::Account;
pub use activate::Activate;
#[cfg(all(test, feature = "ssr"))]
pub(crate) use applicant_file::DECISION_OUTCOMES;
pub use applicant_file::{ApplicantFilePage, FindApplicantPage};
pub use at_risk::AtRiskPage;
pub use confirm_password::{ConfirmPassword, StaffConfirm};
pub use contact::{Contact, ContactConfirm};
pub use dashboard::DashboardPage;
pub use help::Help;
pub use landing::Landing;
pub use not_found::NotFound;
pub use notifications::Notifications;
pub use offline::Offline;
pub use password_reset::{PasswordReset, PasswordResetCode};
pub use postal_address::PostalAddressPage;
pub use sign_in::{SignIn, SignInCode};
pub use staff::{StaffEnrol, StaffHome, StaffSignIn};

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{current_locale, i18n::fill};

/// The `<title>` of a page: "<page> – Espace usager".
#[component]
fn PageTitle(#[prop(into)] page: String) -> impl IntoView {
    let m = current_locale().messages();
    view! { <Title text=fill(&m.page_title, &[("page", &page)])/> }
}
