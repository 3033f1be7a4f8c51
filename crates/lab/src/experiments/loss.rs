//! `loss`: a bulk transfer through the user-space wire with faults, to watch the kernel recover
//! (RTO with backoff, RFC 6298; fast retransmit after duplicate ACKs, RFC 5681 §3.2; SACK,
//! RFC 2018). Random decisions come from a seeded PRNG, so a run can be repeated; the PRNG is
//! the lab's own, so *which* packets a percentage drops differs from the model — scripted
//! drops (`--drop-data n`) hit the same segment in both.

use std::time::Duration;

use serde::Serialize;
use synack_model::trace::{AppCall, AppCallKind, AppResult, EventKind, Header, ShutHow};

use super::{
    accept, bounded_write, connect_finish, connect_start, in_ns, io, key_values, listen, ms,
    recorded_recv,
};
use crate::analyze;
use crate::cli::{Common, LossOpts};
use crate::error::{LabError, Result};
use crate::session::{Finished, Outcome, Session};
use crate::wire::Faults;

#[derive(Serialize)]
struct LossSummary {
    experiment: &'static str,
    bytes: u32,
    delay_ms: u64,
    jitter_ms: u64,
    loss_pct: f64,
    dup_pct: f64,
    drop_data: Vec<u32>,
    seed: u64,
    received_bytes: u64,
    intact: bool,
    transfer_ms: f64,
    client_data_segments: usize,
    retransmissions: usize,
    /// Times (ms since start) of the client's data retransmissions.
    retransmission_ms: Vec<f64>,
    dropped_by_wire: usize,
    duplicated_by_wire: usize,
    counters: std::collections::BTreeMap<String, u64>,
    warnings: Vec<String>,
}

pub fn run(common: &Common, o: &LossOpts) -> Result<Outcome> {
    let delay = common.delay_ms.unwrap_or(20);
    let faults = Faults {
        delay_us: delay * 1000,
        jitter_us: o.jitter_ms * 1000,
        loss: (o.loss_pct / 100.0).clamp(0.0, 1.0),
        dup: (o.dup_pct / 100.0).clamp(0.0, 1.0),
        drop_data: o.drop_data.clone(),
        seed: o.seed,
        ..Faults::default()
    };
    let mut s = Session::start_with("loss", common, true, false, 90.0, Some(faults))?;
    let ns = s.ns.clone();
    let bytes = o.bytes;
    let recorded = in_ns(&ns, || {
        let (l, lid, port) = listen(&s, 8, "listener")?;
        s.wait(Duration::from_millis(10), "listening")?;
        let (c, cid) = connect_start(&s, port, "client")?;
        if !connect_finish(&mut s, &c, cid, Duration::from_secs(30))? {
            return Err(LabError::Protocol(
                "connect did not complete through the wire".into(),
            ));
        }
        c.set_nonblocking(false).map_err(|e| io("blocking", e))?;
        let Some((a, aid)) = accept(&mut s, &l, lid, "server", Duration::from_secs(10))? else {
            return Err(LabError::Protocol("accept() found no connection".into()));
        };
        let data: Vec<u8> = crate::sys::sock::pattern(bytes as usize).collect();
        let rec = s.rec.clone();
        let deadline = s.deadline;
        let limit = s.timeout;
        let t0 = rec.now();
        let res = std::thread::scope(|sc| -> Result<(u64, bool)> {
            let reader = sc.spawn(|| -> Result<(u64, bool)> {
                a.set_read_timeout(Some(Duration::from_millis(200)))
                    .map_err(|e| io("SO_RCVTIMEO", e))?;
                let mut got = Vec::with_capacity(bytes as usize);
                let mut buf = vec![0u8; 65536];
                loop {
                    let n = recorded_recv(
                        &rec,
                        aid,
                        &a,
                        &mut buf,
                        (deadline, limit),
                        "the transfer",
                        |_| Vec::new(),
                    )?;
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                Ok((got.len() as u64, got == data))
            });
            rec.call(
                cid,
                AppCall::Send {
                    len: bytes,
                    message: None,
                },
            );
            bounded_write(&c, &data, (deadline, limit), "the transfer")?;
            rec.ret(cid, AppCallKind::Send, AppResult::Ok);
            rec.call(cid, AppCall::Shutdown { how: ShutHow::Wr });
            c.shutdown(std::net::Shutdown::Write)
                .map_err(|e| io("shutdown()", e))?;
            rec.ret(cid, AppCallKind::Shutdown, AppResult::Ok);
            reader
                .join()
                .map_err(|_| LabError::Protocol("reader panicked".into()))?
        })?;
        let t1 = rec.now();
        drop(a);
        drop(c);
        s.wait(Duration::from_millis(3 * delay + 50), "closing")?;
        Ok((res.0, res.1, t0, t1))
    });
    // On Ctrl-C or the deadline, what was recorded is still written, marked cut short.
    let (
        (received, intact, t0, t1),
        Finished {
            trace,
            pcap,
            warnings,
        },
    ) = s.finish_with(recorded, None)?;
    let packets = analyze::packets(&trace);
    let client_port = packets.first().map(|p| p.sport).unwrap_or(0);
    let data: Vec<&analyze::Pkt> = packets
        .iter()
        .filter(|p| p.sport == client_port && p.len > 0)
        .collect();
    let retx: Vec<&&analyze::Pkt> = data.iter().filter(|p| p.retransmission > 0).collect();
    let dropped = trace
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SegmentDropped { .. }))
        .count();
    let dups = trace
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::SegmentSent { segment, .. } if segment.network_duplicate && matches!(segment.header, Header::Tcp(_))))
        .count();
    let counters: std::collections::BTreeMap<String, u64> = analyze::counters(&trace, "client")
        .into_iter()
        .filter(|(k, _)| {
            [
                "TCPTimeouts",
                "TCPLossProbes",
                "TCPFastRetrans",
                "TCPSackRecovery",
                "TCPSlowStartRetrans",
                "TCPDSACKRecv",
                "TCPDSACKOldSent",
                "TCPSACKReorder",
            ]
            .contains(&k.as_str())
        })
        .collect();
    let sum = LossSummary {
        experiment: "loss",
        bytes,
        delay_ms: delay,
        jitter_ms: o.jitter_ms,
        loss_pct: o.loss_pct,
        dup_pct: o.dup_pct,
        drop_data: o.drop_data.clone(),
        seed: o.seed,
        received_bytes: received,
        intact,
        transfer_ms: ms(t1 - t0),
        client_data_segments: data.len(),
        retransmissions: retx.len(),
        retransmission_ms: retx.iter().map(|p| ms(p.t_us)).collect(),
        dropped_by_wire: dropped,
        duplicated_by_wire: dups,
        counters,
        warnings,
    };
    let mut text = format!(
        "loss on Linux {}: {} bytes through a wire with {} ms delay, {} ms jitter, {}% loss, {}% duplication{}, seed {}\n\n",
        crate::session::kernel_release(),
        bytes,
        delay,
        o.jitter_ms,
        o.loss_pct,
        o.dup_pct,
        if o.drop_data.is_empty() {
            String::new()
        } else {
            format!(", dropping client data segment(s) {:?}", o.drop_data)
        },
        o.seed
    );
    if packets.len() <= 80 {
        text.push_str(&analyze::packet_table(&packets));
        text.push('\n');
    }
    text.push_str(&format!(
        "received {} of {} bytes{}, in {:.1} ms\n",
        sum.received_bytes,
        bytes,
        if sum.intact {
            ", intact and in order"
        } else {
            ", CORRUPTED OR INCOMPLETE"
        },
        sum.transfer_ms
    ));
    text.push_str(&format!(
        "client data segments {} (retransmissions {}), wire dropped {} and duplicated {} packets\n",
        sum.client_data_segments, sum.retransmissions, sum.dropped_by_wire, sum.duplicated_by_wire
    ));
    text.push_str(&format!("counters: {}\n", key_values(&sum.counters)));
    let ok = sum.intact;
    Ok(Outcome::new(&sum, text, &sum.warnings, trace, pcap, ok))
}
