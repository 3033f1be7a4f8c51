//! Custom hooks.

mod after_paint;
mod animation_frame;
mod effect;

pub use after_paint::{after_next_paint, use_after_paint};
pub use animation_frame::use_animation_frame;
pub use effect::use_effect_on;
