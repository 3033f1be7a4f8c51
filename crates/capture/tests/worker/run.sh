#!/bin/sh
# Builds the capture Web Worker for wasm32, binds it with wasm-bindgen (no-modules, as Trunk
# does for data-type="worker"), serves it on 127.0.0.1 and drives it from headless Chromium.
# Needs: wasm-bindgen-cli 0.2.130, /usr/bin/chromium, node, playwright-core (PLAYWRIGHT_CORE=path
# to its index.mjs if not in ~/.local/share/synack/node-tools).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$out"' EXIT
cargo build -q -p synack-capture --features worker --bin capture_worker --target wasm32-unknown-unknown --manifest-path "$root/Cargo.toml"
wasm-bindgen --target no-modules --no-typescript --out-dir "$out" "$root/target/wasm32-unknown-unknown/debug/capture_worker.wasm"
cp "$here/index.html" "$here/loader.js" "$here/../data/retransmissions.pcapng" \
  "$here/../data/handshake_data_close.pcap.gz" "$here/../data/ip_fragments.pcap" "$out/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out" >/dev/null 2>&1 &
srv=$!
sleep 1
node "$here/run.mjs" "$port"
