//! Sessions (SPEC §7): what a session holds, running its invisible CCF steps, and committing it
//! into an install. HTTP lives in `http::routes`; this module does not know about requests.

mod commit;
mod state;
mod steps;

pub use commit::commit;
pub use state::{
    LeafData, SealedInput, SealedState, StepData, StepStatus, TrunkData, SESSION_TTL_SECONDS,
};
pub use steps::{load_trunk, run_pending_steps, run_steps_for_commit, StepRun};
