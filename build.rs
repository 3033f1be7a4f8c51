//! The web app's link settings for wasm32.
//!
//! The shadow stack: rustc's wasm32 target reserves 1 MiB for it, first in linear memory
//! (lld's `--stack-first`, so an overflow traps instead of writing over static data). The app
//! never needs a fraction of that: the deepest point it reached, in every step of every case of
//! every scene in both languages, the 5,000-message TCP vs UDP scene, the reference pages, the
//! quiz and `#/open` with a capture and with traces, was 16.3 KiB (measured on 2026-12-05 by
//! reading the lowest non-zero byte of each instance's stack, which starts out zeroed;
//! e2e/memory.test.mjs measures it again on every run and fails above a quarter of the stack).
//! Each instance (the first-load build, then the full build beside it) counted 1 MiB of wasm
//! memory for it in the page's figures, and on systems that commit what a page maps, used it.
//! 128 KiB keeps eight times the deepest measured use (and the test's quarter, 32 KiB, twice
//! it). It was 256 KiB until 2026-12-06: the two 64 KiB pages that halving gave back were 0.13
//! of the first page's 0.52 MB of wasm memory, a third of what stood between the page and its
//! memory target (issue 21).
//!
//! Only the app's binaries: the capture worker (crates/capture) keeps the default, and so do the
//! wasm-bindgen tests.

/// The shadow stack of the app's wasm binaries, bytes (a multiple of the 16-byte alignment).
const STACK_SIZE: u32 = 128 * 1024;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size={STACK_SIZE}");
    }
}
