//! The playback engine every scene uses: pure layout, labels, narration and URL parameters,
//! plus the components that draw a `(trace, playhead)` pair.

pub mod export;
#[cfg(feature = "full")]
pub mod handout;
pub mod inspector;
pub mod labels;
pub mod ladder;
pub mod layout;
pub mod narration;
#[cfg(feature = "full")]
pub mod notes;
pub mod params;
pub mod playback;
pub mod player;
#[cfg(feature = "full")]
pub mod state_diagram;
pub mod teach;
pub mod tokens;

#[cfg(test)]
mod tests;

use std::ops::Deref;
use std::rc::Rc;

/// An `Rc` whose equality is identity: props holding a whole trace or layout compare in O(1),
/// and a new trace is a new pointer.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Shared<T> {
    pub fn new(v: T) -> Shared<T> {
        Shared(Rc::new(v))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
