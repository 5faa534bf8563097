//! The device's randomness: the operating system's generator, passed to the
//! domain's functions that need one (`DeviceIdentity::generate`, `Event::new`...).

pub use homeward_domain::random::*;
pub use rand_core::OsRng;
