//! Certificates of Return: the request a consular officer takes, its
//! lifecycle as a fold over signed events, the fee decision, the signed
//! barcode, and verification at entry, offline, against a trust list and a
//! revocation list; what the holder's own document must not say
//! (`disclosure`). See docs/CERTIFICATES.md. Where cases are kept is the
//! store's business (`homeward_core::certificate::store` on a device).

pub mod barcode;
pub mod disclosure;
pub mod lifecycle;
pub mod request;
pub mod trust;
pub mod verify;

pub use barcode::{decode, qr_matrix, CertificatePayload, DecodeError, QrMatrix};
pub use lifecycle::{
    admit, fold, AdmitError, CaseView, CertificateEvent, IssuedCertificate, RequestState, TransitionError,
};
pub use request::{fee_for, validate, CertificateRequest, FeeDecision, FieldError};
pub use trust::{RevocationList, RootKey, Signed, TrustList, TrustStore};
pub use verify::{verify, PhotoCheck, Verified, VerifyContext, VerifyError, VerifyWarning};
