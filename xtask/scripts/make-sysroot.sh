#!/bin/sh
# Build a wasm32-unknown-unknown std with Debian's rustc-web (build-std, once) and assemble a
# sysroot that rustup can link as a toolchain, so plain `cargo`/`trunk` commands work.
set -eu
S=${1:-/opt/synack-rust}
B=$(mktemp -d)
mkdir -p "$B/src"
cat > "$B/Cargo.toml" <<'TOML'
[package]
name = "stdseed"
version = "0.1.0"
edition = "2021"

[profile.release]
opt-level = "z"
codegen-units = 1
panic = "abort"
debug = false
TOML
echo 'pub fn f() -> usize { std::env::args().count() }' > "$B/src/lib.rs"
# -Cembed-bitcode=yes: the rlibs must carry LLVM bitcode so `lto = true` release builds can use them.
# `test` is needed by `cargo test --target wasm32-unknown-unknown` (wasm-bindgen-test).
( cd "$B" && env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort,test RUSTFLAGS=-Cembed-bitcode=yes \
    CARGO_TARGET_DIR="$B/target" \
    /usr/bin/cargo build --release --target wasm32-unknown-unknown )
rm -rf "$S"
mkdir -p "$S/bin" "$S/lib/rustlib/wasm32-unknown-unknown/lib"
cp "$B"/target/wasm32-unknown-unknown/release/deps/*.rlib "$S/lib/rustlib/wasm32-unknown-unknown/lib/"
rm -f "$S"/lib/rustlib/wasm32-unknown-unknown/lib/libstdseed-*.rlib
for d in x86_64-unknown-linux-gnu src etc; do ln -s "/usr/lib/rustlib/$d" "$S/lib/rustlib/$d"; done
# Debian's rustc finds its sysroot from librustc_driver's location (/usr), so wrap it.
for t in rustc rustdoc; do
  printf '#!/bin/sh\nexec /usr/bin/%s --sysroot %s "$@"\n' "$t" "$S" > "$S/bin/$t"
done
# clippy-driver: --sysroot must go LAST (cargo-clippy calls it as `clippy-driver <rustc> args...`).
printf '#!/bin/sh\nexec /usr/bin/clippy-driver "$@" --sysroot %s\n' "$S" > "$S/bin/clippy-driver"
chmod +x "$S/bin/rustc" "$S/bin/rustdoc" "$S/bin/clippy-driver"
# cargo-clippy runs the clippy-driver next to its own (symlink-resolved) path: copy, do not link.
cp /usr/bin/cargo-clippy "$S/bin/cargo-clippy"
ln -s /usr/bin/cargo "$S/bin/cargo"
ln -s /usr/bin/rustfmt "$S/bin/rustfmt"
ln -s /usr/bin/cargo-fmt "$S/bin/cargo-fmt"
/usr/bin/rustc -vV > "$S/rustc-vV.txt"   # rebuild the sysroot when Debian's rustc changes
rm -rf "$B"
rustup toolchain link synack "$S"
echo "sysroot $S linked as rustup toolchain 'synack'"
