use crate::cli::{Common, LossOpts};
use crate::error::{LabError, Result};
use crate::session::Outcome;
pub fn run(_c: &Common, _o: &LossOpts) -> Result<Outcome> {
    Err(LabError::Usage("not yet".into()))
}
