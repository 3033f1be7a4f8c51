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
//! 96 KiB keeps almost six times the deepest use measured since (16.5 KiB, CI of 2026-12-07),
//! and the test's quarter, 24 KiB, half as much again. It was 256 KiB until 2026-12-06 and
//! 128 KiB until 2026-12-07. The last 32 KiB counted because memory is mapped in 64 KiB pages:
//! with the stack at 128 KiB the first scene's heap (high-water mark at 353 KB of the memory on
//! #/handshake, 140 KB above the static data) ran 25 KB into a sixth page; 32 KiB lower it ends
//! 18 KB inside the fifth. Every first-load scene holds one page fewer (#/handshake 384 -> 320
//! KiB, #/teardown 448 -> 384, #/tcp-vs-udp 576 -> 512; measured in headless Chromium), which
//! is 0.01 of ProtoViz's memory in the side-by-side figure of issue 21 (0.415x -> 0.405x).
//!
//! Only the app's binaries: the capture worker (crates/capture) keeps the default, and so do the
//! wasm-bindgen tests.

/// The shadow stack of the app's wasm binaries, bytes (a multiple of the 16-byte alignment).
const STACK_SIZE: u32 = 96 * 1024;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size={STACK_SIZE}");
    }
}
