//! pcap/pcapng import: not written yet.
