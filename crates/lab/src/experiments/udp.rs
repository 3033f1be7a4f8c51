use crate::cli::Common;
use crate::error::{LabError, Result};
use crate::session::Outcome;
pub fn run(_c: &Common) -> Result<Outcome> {
    Err(LabError::Usage("not yet".into()))
}
