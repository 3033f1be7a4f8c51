use crate::cli::{Common, StickyOpts};
use crate::error::{LabError, Result};
use crate::session::Outcome;
pub fn run(_c: &Common, _o: &StickyOpts) -> Result<Outcome> {
    Err(LabError::Usage("not yet".into()))
}
