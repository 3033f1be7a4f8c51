// Fast retransmit: one segment of a bulk transfer is lost; the later ones arrive and
// each makes the receiver repeat its ACK; on the third duplicate ACK the sender resends
// at once (RFC 5681 §3.2; Linux today mostly detects the loss by time, RACK, RFC 8985).
// The application sees none of it: the bytes come in order and intact, a little later.
// Only the kernel knows (`nstat -az TcpRetransSegs`).
//
// Loopback loses nothing. To lose about 5% of the data packets (root, a namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up mtu 1500
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o meta length > 1000 numgen random mod 20 == 0 counter drop'
//   ip netns exec lab node fast-retransmit.mjs
// The output is the same; `nft list ruleset` counts the drops and `nstat -az TcpRetransSegs`
// the repairs. (nft sees loopback's packets before they are cut into segments, so a drop
// may lose a burst, repaired by a tail-loss probe or a timeout instead of a fast retransmit.)
import { patterned, transfer } from '../shared/bulk.mjs';

const payload = patterned(100_000);
const { received, intact } = await transfer(payload); // the server sends it in one write
console.log(`client: received ${received} bytes, in order and intact: ${intact}`);
