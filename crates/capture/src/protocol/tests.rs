use std::collections::BTreeSet;

use super::*;
use crate::problem::{Detail, Location, Severity};

/// The name of each kind, by an exhaustive match: a new request cannot be added without
/// choosing its name here, and the round-trip test below then misses it until it is sent.
fn request_kind(r: &Request) -> &'static str {
    match r {
        Request::Open { .. } => "open",
        Request::List { .. } => "list",
        Request::Trace { .. } => "trace",
        Request::Wire { .. } => "wire",
    }
}

const REQUEST_KINDS: usize = 4;

fn answer_kind(a: &Answer) -> &'static str {
    match a {
        Answer::Ready => "ready",
        Answer::Progress { .. } => "progress",
        Answer::Opened { .. } => "opened",
        Answer::Conversations { .. } => "conversations",
        Answer::Trace { .. } => "trace",
        Answer::Wire { .. } => "wire",
        Answer::Failed(f) => match f {
            Failure::NoCapture => "failed/no_capture",
            Failure::NoBytes => "failed/no_bytes",
            Failure::Unreadable { .. } => "failed/unreadable",
            Failure::BadFilter { .. } => "failed/bad_filter",
            Failure::NoSuchConversation { .. } => "failed/no_such_conversation",
            Failure::NoTrace { .. } => "failed/no_trace",
            Failure::BadRequest { .. } => "failed/bad_request",
        },
    }
}

const ANSWER_KINDS: usize = 13;

fn requests() -> Vec<Request> {
    vec![
        Request::Open {
            name: "抓包 capture.pcapng".into(),
            limit: 200,
        },
        Request::List {
            filter: "port 80 rst".into(),
            limit: 400,
        },
        Request::Trace { id: 3 },
        Request::Wire { id: u32::MAX },
    ]
}

/// Answers with real contents: a synthetic capture read, analysed and turned into rows and a
/// trace by the same `Session` the worker uses.
fn answers() -> Vec<Answer> {
    let bytes = crate::synthetic::bulk_pcap(600);
    let session = crate::Session::open(&bytes, "bulk.pcap", |_| {});
    let mut summary = session.summary(bytes.len() as u64);
    summary.problems.push(Problem::new(
        Severity::Warning,
        Location::Packet {
            number: 7,
            offset: 1234,
        },
        Detail::CaplenOverSnaplen {
            caplen: 70_000,
            snaplen: 65_535,
            interface: Some(1),
        },
    ));
    let rows = session.conversations(&crate::Filter::default());
    assert!(rows.len() >= 2, "the capture has conversations");
    let trace = session.trace(0).expect("conversation 0 makes a trace");
    let failures = [
        Failure::NoCapture,
        Failure::NoBytes,
        Failure::Unreadable {
            message: "unexpected end of file".into(),
        },
        Failure::BadFilter {
            message: "unknown word \"prot\"".into(),
        },
        Failure::NoSuchConversation { id: 99 },
        Failure::NoTrace {
            id: 1,
            message: "no packets".into(),
        },
        Failure::BadRequest {
            message: "expected value at line 1 column 1".into(),
        },
    ];
    let mut all = vec![
        Answer::Ready,
        Answer::Progress {
            done: 4096,
            total: 200_000_000,
        },
        Answer::Opened {
            summary,
            conversations: rows.clone(),
            total_rows: rows.len() as u64,
        },
        Answer::Conversations {
            rows: rows[..1].to_vec(),
            total_rows: 1,
        },
        Answer::Trace {
            id: 0,
            marks: session.marks(0).expect("marks of conversation 0"),
            trace: Box::new(trace),
        },
        Answer::Wire { id: 0, packets: 12 },
    ];
    all.extend(failures.into_iter().map(Answer::Failed));
    all
}

#[test]
fn every_request_reads_back_as_it_was_written() {
    let all = requests();
    let kinds: BTreeSet<_> = all.iter().map(request_kind).collect();
    assert_eq!(
        kinds.len(),
        REQUEST_KINDS,
        "every kind of request is sent once"
    );
    for (i, request) in all.into_iter().enumerate() {
        let ask = Ask {
            req: i as u32 + 1,
            request,
        };
        let text = serde_json::to_string(&ask).unwrap();
        let back: Ask = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ask, "{text}");
    }
}

#[test]
fn every_answer_reads_back_as_it_was_written() {
    let all = answers();
    let kinds: BTreeSet<_> = all.iter().map(answer_kind).collect();
    assert_eq!(
        kinds.len(),
        ANSWER_KINDS,
        "every kind of answer is sent once"
    );
    for (i, answer) in all.into_iter().enumerate() {
        let reply = Reply {
            req: (i % 3 != 0).then_some(i as u32),
            answer,
            timing: Timing {
                steps: vec![("read".into(), 12.345), ("analysis".into(), 0.5)],
                sent_at: 1_764_800_000_123.456,
            },
        };
        let text = serde_json::to_string(&reply).unwrap();
        let back: Reply = serde_json::from_str(&text).unwrap();
        assert_eq!(back, reply, "{}", &text[..text.len().min(300)]);
    }
}

#[test]
fn a_message_of_another_kind_is_refused_not_guessed() {
    for text in [
        r#"{"req":1,"request":{"kind":"delete","body":{"id":1}}}"#,
        r#"{"req":1,"request":{"kind":"trace","body":{"id":-1}}}"#,
        r#"{"req":1,"request":{"kind":"list","body":{"filter":"x"}}}"#,
    ] {
        assert!(serde_json::from_str::<Ask>(text).is_err(), "{text}");
    }
    let unknown = r#"{"req":null,"answer":{"kind":"shutdown"},"timing":{"steps":[],"sent_at":0}}"#;
    assert!(serde_json::from_str::<Reply>(unknown).is_err());
}

#[test]
fn a_conversation_row_names_its_marks_as_the_analysis_set_them() {
    let bytes = crate::synthetic::bulk_pcap(3_000);
    let session = crate::Session::open(&bytes, "bulk.pcap", |_| {});
    let rows = session.conversations(&crate::Filter::default());
    let retransmitted = rows
        .iter()
        .find(|r| r.trouble.retransmissions > 0)
        .expect("about 1 % of segments are retransmitted");
    assert_ne!(retransmitted.marks & crate::mark::RETRANSMISSION, 0);
    assert!(crate::mark::names(retransmitted.marks).contains(&"retransmission"));
}
