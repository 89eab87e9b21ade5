//! Who may use the portal and how they prove it: applicants' registration, activation, contact
//! points and password reset; the sign-in mechanics both sides share (passwords, sessions,
//! one-time codes, second factors, step-up, throttles and remembered devices).

pub mod activation;
pub mod contact;
pub mod known_device;
pub mod one_time_code;
pub mod password;
pub mod password_policy;
pub mod password_reset;
pub mod postal_address;
pub mod registration;
pub mod second_factor;
pub mod sessions;
pub mod sign_in;
pub mod step_up;
pub mod throttle;
