// Slow start, then congestion avoidance: past ssthresh, cwnd grows by about one MSS per
// round trip (RFC 5681 §3.1). Linux may start ssthresh low from a route metric or its
// tcp_metrics cache (tcp_init_metrics). Node cannot see cwnd: the application only sees bytes
// arrive. Watch the kernel's view while it runs: `ss -tin dst 127.0.0.1` (cwnd, ssthresh).
// On loopback the MSS is about 64 KB (MTU 65536), so a few segments carry everything;
// in a namespace with `ip link set lo mtu 1500` the same transfer takes many round trips.
import { patterned, transfer } from '../shared/bulk.mjs';

const payload = patterned(200_000);
const { received, intact } = await transfer(payload); // the server sends it in one write
console.log(`client: received ${received} bytes, identical to what was sent: ${intact}`);
