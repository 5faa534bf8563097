//! The device's audit log in the vault. What an entry holds, its signature
//! and hash chain, and the verifier are the domain's, re-exported here.

pub use homeward_domain::audit::*;

mod log;

pub use log::{AuditBranch, AuditHead, AuditLog, AuditLogError, AuditRecorder};
