//! [`use_effect_on`]: Yew's `use_effect_with` with one copy of its machinery for the whole app.
//!
//! Yew's effect hook is generic over its deps, its closure and the closure's clean-up, so each
//! call site linked its own copy of the hook's code (`Effect::rendered`, the hook's `run`, the
//! drops): about 1 KB of wasm a site before wasm-opt, 21 sites in the first load and 35 in the
//! full build. Here the deps and the closure are each boxed behind one type, so that Yew's code
//! is there once; a call site keeps only the small boxing code below.

use std::any::Any;

use yew::functional::{Hook, TearDown};
use yew::use_effect_with;

/// Deps of any type, compared as that type compares them.
struct Deps(Box<dyn DynEq>);

trait DynEq {
    fn as_any(&self) -> &dyn Any;
    /// Equal to `other`, which is a `Self` or else never equal.
    fn eq_any(&self, other: &dyn Any) -> bool;
}

impl<T: PartialEq + 'static> DynEq for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn eq_any(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>() == Some(self)
    }
}

impl PartialEq for Deps {
    fn eq(&self, other: &Deps) -> bool {
        self.0.eq_any(other.0.as_any())
    }
}

/// An effect: run with its deps, it gives what undoes it.
type Run = Box<dyn FnOnce(&Deps) -> Box<dyn FnOnce()>>;

/// As `use_effect_with(deps, f)`: `f` runs after the first render and after each render whose
/// `deps` differ from those of its last run; what it returns (a closure, or `()`) runs before
/// the next run and when the component goes.
pub fn use_effect_on<T, D>(deps: T, f: impl FnOnce(&T) -> D + 'static) -> impl Hook<Output = ()>
where
    T: PartialEq + 'static,
    D: TearDown,
{
    let run: Run = Box::new(
        move |deps: &Deps| match deps.0.as_any().downcast_ref::<T>() {
            Some(deps) => {
                let undo = f(deps);
                Box::new(move || undo.tear_down())
            }
            // Never: the deps given to `run` are the ones boxed with it.
            None => Box::new(|| ()),
        },
    );
    use_effect_with(Deps(Box::new(deps)), run)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The effect runs again exactly when Yew's `use_effect_with` would: when the deps compare
    /// unequal by their own `PartialEq`.
    #[test]
    fn deps_compare_as_their_type_does_and_another_type_is_never_equal() {
        let d = |v: Box<dyn DynEq>| Deps(v);
        assert!(d(Box::new(3u64)) == d(Box::new(3u64)));
        assert!(d(Box::new(3u64)) != d(Box::new(4u64)));
        assert!(d(Box::new((1u8, "a"))) == d(Box::new((1u8, "a"))));
        assert!(d(Box::new((1u8, "a"))) != d(Box::new((1u8, "b"))));
        assert!(d(Box::new(())) == d(Box::new(())));
        // The same bits, another type.
        assert!(d(Box::new(3u64)) != d(Box::new(3i64)));
        // NaN is unequal to itself as an f64: the effect would run again, as with Yew's.
        assert!(d(Box::new(f64::NAN)) != d(Box::new(f64::NAN)));
    }
}
