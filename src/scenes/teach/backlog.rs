//! The listen backlog: the SYN queue, the accept queue, and what Linux does when they are full
//! (net/ipv4/tcp_input.c `tcp_conn_request`, net/ipv4/tcp_minisocks.c `tcp_check_req`).

use synack_model::read::SegKind::{Ack, Data, Rst, Syn, SynAck};
use synack_model::trace::TcpState::{Closed, Established, Listen, SynReceived, SynSent};

use crate::engine::teach::{any_sent, enters, lost, moves, resent, row, sent, On, Row, Why};

pub static ROWS: &[Row] = &[
    // Overflow of the accept queue, tcp_abort_on_overflow = 0 and 1.
    row(
        &["real-capture"],
        lost(None, Why::AcceptQueueFull),
        "accept 队列满了（没人调用 accept()），而 tcp_abort_on_overflow 为 0：服务器对握手的最后一个 ACK 和后面的数据视而不见（内核 tcp_check_req 里的 listen_overflow）。客户端以为连接已经建立，服务器却还把请求留在 SYN-RECEIVED。",
        "The accept queue is full (nobody calls accept()) and tcp_abort_on_overflow is 0, so the server ignores the handshake's final ACK and the data behind it (listen_overflow in the kernel's tcp_check_req). The client believes it is connected; the server still keeps the request in SYN-RECEIVED.",
    ),
    row(
        &["real-capture"],
        resent(Data, "client"),
        "客户端重发它的数据：一直没有收到 ACK。每次重试的等待时间翻倍（RTO 退避，RFC 6298 §5.5）。注意它的 connect() 早就成功了，应用对这一切毫不知情。",
        "The client resends its data: it never got an ACK for it. Each retry waits twice as long as the one before (RTO backoff, RFC 6298 §5.5). Notice that its connect() succeeded long ago: the application knows nothing of this.",
    ),
    row(
        &["real-capture"],
        resent(SynAck, "server"),
        "服务器还把请求留在 SYN-RECEIVED，于是按 1、2、4、8、16 秒重发 SYN-ACK（tcp_synack_retries，Linux 默认 5 次）。如果这时 accept() 腾出了位置，客户端回的 ACK 就能完成连接。",
        "The server, still holding the request in SYN-RECEIVED, resends its SYN-ACK after 1, 2, 4, 8, 16 s (tcp_synack_retries, 5 on Linux). If accept() had made room by now, the client's answering ACK would complete the connection.",
    ),
    row(
        &["real-capture"],
        On::Quiet(&any_sent(Ack, "client")),
        "客户端回应每个重发的 SYN-ACK：它已经是 ESTABLISHED，把这当成一个重复的报文来确认。队列还是满的，这个 ACK 又被忽略了。",
        "The client answers each repeated SYN-ACK: it is already ESTABLISHED and acknowledges what looks like a duplicate. The queue is still full, and this ACK is ignored again.",
    ),
    row(
        &["real-capture"],
        moves("server", SynReceived, Closed),
        "SYN-ACK 的重试用完，服务器悄悄丢掉这个请求。客户端仍然不知道：它还在重传数据。",
        "Its SYN-ACK retries spent, the server quietly drops the request. The client still does not know: it is still retransmitting its data.",
    ),
    row(
        &["real-capture"],
        On::Either(&[sent(Rst, "server"), On::Error("ECONNRESET"), moves("client", Established, Closed)]),
        "客户端下一次重传的数据遇到的是一个不存在的连接，服务器回 RST。直到这时，客户端才以 ECONNRESET 得知自己从未被 accept：将近两分钟之后。",
        "The client's next retransmission meets a connection that no longer exists, and the server answers RST. Only now, almost two minutes on, does the client learn with ECONNRESET that it was never accepted.",
    ),
    row(
        &["abort"],
        On::Either(&[
            lost(None, Why::AcceptQueueFull),
            sent(Rst, "server"),
            moves("server", SynReceived, Closed),
        ]),
        "tcp_abort_on_overflow 设为 1：accept 队列满时，服务器不收下握手的最后一个 ACK，而是丢掉这个请求并用 RST 回应（紧跟的数据也一样，内核 tcp_check_req 的 embryonic_reset）。客户端立刻就知道了，而不是对着空气重传。失败得快，但一个短暂的高峰也会变成被拒绝的连接。",
        "With tcp_abort_on_overflow set to 1 and the accept queue full, the server does not take the handshake's final ACK: it drops the request and answers with RST (the data right behind it too; embryonic_reset in the kernel's tcp_check_req). The client learns at once instead of retransmitting into a void. It fails fast, but a brief burst now turns into refused connections.",
    ),
    row(
        &["abort"],
        On::Either(&[
            lost(Some(Rst), Why::NoSocket),
            On::Error("ECONNRESET"),
            moves("client", Established, Closed),
        ]),
        "RST 到达，客户端的连接以 ECONNRESET 结束：connect() 明明成功了，第一次 recv() 却失败。第二个 RST（回应那段数据的）到达时套接字已经关闭，被直接丢弃：RST 从不被回应。",
        "The RST arrives and the client's connection ends with ECONNRESET: connect() had succeeded, yet the first recv() fails. The second RST, answering the data, reaches a socket already closed and is simply discarded: nobody answers a RST.",
    ),
    // A SYN flood. A drop comes first: a dropped SYN's moment also holds its sending.
    row(
        &["syn-flood"],
        lost(Some(Syn), Why::SynQueueFull),
        "SYN 队列里塞满了攻击者的半连接请求（listen(fd, 4)：5 个就满，inet_csk_reqsk_queue_is_full），而 tcp_syncookies 为 0，于是 Linux 直接丢掉这个 SYN（tcp_conn_request → tcp_syn_flood_action，计入 TCPReqQFullDrop 和 ListenDrops），不作任何回应。注意被丢的不只是攻击者的 SYN，真正客户端的也一样：这就是拒绝服务。",
        "The SYN queue is full of the attacker's half-open requests (listen(fd, 4): full at 5, inet_csk_reqsk_queue_is_full) and tcp_syncookies is 0, so Linux drops this SYN without a word (tcp_conn_request → tcp_syn_flood_action, counted in TCPReqQFullDrop and ListenDrops). Notice that it is not only the attacker's SYNs that are dropped but the real clients' too: that is the denial of service.",
    ),
    row(
        &["syn-flood"],
        sent(Syn, "attacker"),
        "攻击者发出一个光秃秃的 SYN（没有选项），每次换一个源端口，像 hping3 -S --flood 那样。它永远不会回应 SYN-ACK（真实的洪泛常伪造源地址；图上这一台主机就代表那些不回应的地址），所以每个被收下的 SYN 都在 SYN 队列里占一个位置，成为一个永远完成不了的 SYN-RECEIVED 请求。",
        "The attacker sends a bare SYN (no options), each from a new source port, as hping3 -S --flood does. It will never answer the SYN-ACK (a real flood often forges its source addresses; the one host drawn here stands for those that never answer), so each SYN the server takes in holds a place in the SYN queue as a SYN-RECEIVED request that will never complete.",
    ),
    row(
        &["syn-flood"],
        resent(SynAck, "server"),
        "服务器给攻击者的请求重发 SYN-ACK（1、2、4、8、16 秒后，tcp_synack_retries = 5），没有回音。每个请求在这一分钟里一直占着 SYN 队列的位置：洪泛利用的正是这一点，每秒几个 SYN 就能让队列一直满着。",
        "The server resends its SYN-ACKs to the attacker's requests (after 1, 2, 4, 8, 16 s: tcp_synack_retries = 5) and hears nothing. Each request keeps its place in the SYN queue for that whole minute: that is what a flood exploits, a few SYNs a second keep the queue full.",
    ),
    row(
        &["syn-flood"],
        moves("server", SynReceived, Closed),
        "一个洪泛请求的 SYN-ACK 重试用完，内核丢掉它，SYN 队列空出一个位置。第一个只重试了 2 次（7 秒）：当队列里超过一半（按 max(8, backlog) 算）是已经超时过的老请求时，reqsk_timer_handler 减少老请求的重试次数（最少 2 次），给新请求腾位置。",
        "A flood request's SYN-ACK retries are spent and the kernel drops it: one place in the SYN queue is free. The first one went after only 2 retries (7 s): while more than half of the queue (counted against max(8, backlog)) holds old requests that have already timed out, reqsk_timer_handler gives old requests fewer retries, down to 2, to make room for young ones.",
    ),
    row(
        &["syn-flood"],
        resent(Syn, "client"),
        "客户端的 SYN 没有回音，它在 1 秒后重发；Linux 6.5 起前几次重试间隔固定 1 秒（tcp_syn_linear_timeouts = 4），之后才翻倍。直到一个洪泛请求过期、SYN 队列空出位置，重发的 SYN 才被收下。",
        "The client's SYN got no answer, so it resends it after 1 s; since Linux 6.5 the first retries come every second (tcp_syn_linear_timeouts = 4), and only then does the wait double. Only once a flood request has expired and freed a place in the SYN queue is a resent SYN taken in.",
    ),
    // SYNs dropped.
    row(
        &["overflow", "accept-late"],
        lost(Some(Syn), Why::SynAcceptQueueFull),
        "accept 队列已满时，Linux 直接丢掉新的 SYN（tcp_conn_request 里的 sk_acceptq_is_full）。没有任何回应：客户端只能等重传计时器到期后再试（Linux 6.5 起前几次每隔 1 秒）。",
        "While the accept queue is full, Linux drops a new SYN outright (sk_acceptq_is_full in tcp_conn_request). There is no answer at all: the client can only retry when its retransmission timer fires (since Linux 6.5, every second for the first few tries).",
    ),
    row(
        &["bsd"],
        lost(Some(Syn), Why::BacklogFull),
        "历史上的 BSD 模型只有一个上限，同时计算半连接和已完成的连接；到了 backlog，新的 SYN 就被悄悄丢掉。Linux 从 2.2 起把两者分开（tcp_max_syn_backlog 和 listen 的 backlog）。",
        "The historic BSD model has one limit that counts half-open and completed connections together; at the backlog a new SYN is silently dropped. Linux has kept the two apart since 2.2 (tcp_max_syn_backlog and listen()'s backlog).",
    ),
    row(
        &["overflow", "accept-late", "bsd"],
        resent(Syn, "client"),
        "被丢弃的客户端重发 SYN。Linux 6.5 起前几次间隔都是 1 秒（tcp_syn_linear_timeouts = 4：SYN 在 1、2、3、4、5 秒），之后每次等待才翻倍（7、11、19 秒……，RFC 6298 §5.5）。注意它们并没有收到拒绝，只是听不到回音。",
        "The dropped client resends its SYN. Since Linux 6.5 the first retries come 1 s apart (tcp_syn_linear_timeouts = 4: SYNs at 1, 2, 3, 4, 5 s), and only then does each wait double (7, 11, 19 s…, RFC 6298 §5.5). Notice that it was not refused: it simply hears nothing.",
    ),
    row(
        &["overflow", "bsd"],
        On::Either(&[On::Error("ETIMEDOUT"), moves("client", SynSent, Closed)]),
        "SYN 的重试（tcp_syn_retries）用完了，距 connect() 大约两分钟，connect() 以 ETIMEDOUT 失败。一个从不 accept() 的服务器，让客户端白等了这么久。",
        "Its SYN retries (tcp_syn_retries) spent, about two minutes after connect(), connect() fails with ETIMEDOUT. A server that never calls accept() kept this client waiting all that time.",
    ),
    // Every case: the handshake and the first request.
    row(
        &["accept-late"],
        moves("server", SynReceived, Established),
        "连接从 SYN 队列进入 accept 队列。在这个例子里，服务器从 1.5 秒起每 300 毫秒 accept() 一次：腾出位置后，重试的 SYN 会得到回应，连接得以完成。",
        "The connection moves from the SYN queue to the accept queue. In this case the server calls accept() every 300 ms from 1.5 s on: once it has made room, a retried SYN is answered and the connection completes.",
    ),
    row(
        &[],
        On::Either(&[moves("server", SynReceived, Established), sent(Ack, "server")]),
        "最后的 ACK 到达，连接从 SYN 队列移到 accept 队列，在那里等应用 accept()；内核甚至会先替它确认收到的数据。Linux 的 accept 队列能放 backlog + 1 个连接（检查用的是“大于”）；之后再来的就要看上面的规则了。",
        "The final ACK arrives and the connection moves from the SYN queue to the accept queue, where it waits for the application's accept(); the kernel even acknowledges its data before then. Linux's accept queue holds backlog + 1 connections (the check is \"greater than\"); what comes after that depends on the rules above.",
    ),
    row(
        &[],
        On::Either(&[
            sent(Data, "client"),
            moves("client", SynSent, Established),
            any_sent(Ack, "client"),
        ]),
        "客户端收到 SYN-ACK 就进入 ESTABLISHED，回 ACK，connect() 返回成功，马上发出请求。它看不到服务器的队列：服务器这边的连接能否完成，要看 ACK 到达时 accept 队列有没有位置。",
        "The client is ESTABLISHED on the SYN-ACK, sends its ACK, connect() succeeds and the request goes out at once. It cannot see the server's queues: whether the server's side completes depends on room in the accept queue when that ACK arrives.",
    ),
    row(
        &[],
        On::Either(&[
            enters("server", Listen),
            enters("client", SynSent),
            sent(Syn, "client"),
            moves("server", Listen, SynReceived),
            sent(SynAck, "server"),
        ]),
        "服务器 listen(fd, backlog) 之后，内核替它完成握手：每个 SYN 先在 SYN 队列里记为 SYN-RECEIVED，并回 SYN-ACK。应用的 accept() 只从 accept 队列里取已经完成的连接。",
        "After the server's listen(fd, backlog), the kernel completes handshakes on its behalf: each SYN is kept in the SYN queue as SYN-RECEIVED and answered with a SYN-ACK. The application's accept() only takes completed connections from the accept queue.",
    ),
];
