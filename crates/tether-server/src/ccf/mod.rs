//! The CCF token service: serves each identity's token, re-exchanging it when it is no longer
//! servable, with at most one exchange per identity in flight.

mod error;
mod lease;
mod lock;
mod payload;
mod service;

pub use error::{FailureKind, TokenError, UpstreamFailure};
pub use lease::LeaseExchangeLock;
pub use lock::{ExchangeLock, LocalExchangeLock, LockGuard};
pub use payload::{ServedToken, TokenPayload};
pub use service::{StepToken, TokenService};
