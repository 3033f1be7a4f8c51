//! Common ports: every port of the interview chapter's table plus the ones asked about today. One line per
//! port, in our own words. Facts from the IANA service-name and port-number registry (RFC 6335)
//! and the projects' own documentation; where the chapter is dated or wrong the text says so.
//!
//! Kept as one static array. The descriptions are most of its weight (about 19 KB in both
//! languages) and only the ports page shows them: they are out of every build, in
//! `words/ref-ports.tsv` (`crate::texts`), one line per port keyed by its number, fetched when
//! the page opens; the quiz's port question, which quotes a description of each port of the
//! interview chapter, has those in its own file (`quiz::words`).

/// Which transport the service uses in practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
    Both,
}

impl Transport {
    pub fn has_tcp(self) -> bool {
        self != Transport::Udp
    }
    pub fn has_udp(self) -> bool {
        self != Transport::Tcp
    }
    pub fn label(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
            Transport::Both => "TCP/UDP",
        }
    }
}

/// What the IANA registry says about the port for this use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// Assigned by IANA to this service.
    Iana,
    /// Listed by IANA as "Reserved": assigned to nothing.
    Reserved,
    /// Not assigned to this use (IANA may list something else): a convention or a default.
    Convention,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub num: u16,
    pub tr: Transport,
    pub reg: Reg,
    /// In the interview chapter's table.
    pub seed: bool,
    /// Mostly of historical interest today.
    pub dated: bool,
    pub name: &'static str,
    /// Other names people search by, space-separated, lower case.
    pub keys: &'static str,
    /// What it is (`words/ref-ports.tsv`; its words in the tests only).
    pub desc: Tx,
}

use crate::i18n::T;
use crate::texts::{tx, Tx};
use Reg::*;
use Transport::*;

#[allow(clippy::too_many_arguments)]
const fn p(
    num: u16,
    tr: Transport,
    reg: Reg,
    seed: bool,
    dated: bool,
    name: &'static str,
    keys: &'static str,
    zh: &'static str,
    en: &'static str,
) -> Port {
    Port {
        num,
        tr,
        reg,
        seed,
        dated,
        name,
        keys,
        desc: tx(zh, en),
    }
}

const S: bool = true;
const N: bool = false;

/// Sorted by port number (a test checks it).
pub const PORTS: &[Port] = &[
    p(20, Tcp, Iana, N, N, "FTP data", "ftp-data", "FTP 主动模式下服务器从这里发起数据连接；被动模式用随机高端口。", "FTP's data connection in active mode (the server connects from here); passive mode uses a random high port."),
    p(21, Tcp, Iana, S, N, "FTP", "ftp file transfer", "FTP 控制连接：命令和应答走这里，文件走另一条数据连接。明文传输，如今多用 SFTP。", "FTP's control connection: commands and replies; files travel on a separate data connection. Plaintext; SFTP has mostly replaced it."),
    p(22, Tcp, Iana, N, N, "SSH", "ssh scp sftp git", "SSH 远程登录，也承载 scp、sftp 和 git@ 形式的 Git。", "SSH remote login; also carries scp, sftp and git@ Git remotes."),
    p(23, Tcp, Iana, S, S, "Telnet", "telnet", "Telnet 远程终端，全部明文（包括密码），已被 SSH 取代，只在老设备上还能见到。", "Telnet remote terminal, all in plaintext including passwords; replaced by SSH, still found on old devices."),
    p(25, Tcp, Iana, S, N, "SMTP", "smtp mail email", "SMTP：邮件服务器之间转发邮件。客户端提交邮件应该用 587 或 465。", "SMTP: mail servers relaying mail to each other. Mail clients should submit on 587 or 465."),
    p(53, Both, Iana, S, N, "DNS", "dns domain", "DNS 域名解析：查询通常走 UDP，应答过大或区域传送时走 TCP。", "DNS name resolution: queries usually over UDP; TCP for large answers and zone transfers."),
    p(67, Udp, Iana, S, N, "DHCP server", "dhcp bootp bootps", "DHCP 服务端（沿用 BOOTP 的端口）：给新上线的主机分配 IP 地址。", "DHCP server (it took over BOOTP's port): hands out IP addresses to hosts joining the network."),
    p(68, Udp, Iana, S, N, "DHCP client", "dhcp bootp bootpc", "DHCP 客户端（沿用 BOOTP 的端口）：主机在这里接收服务器分配的地址。", "DHCP client (BOOTP's port): where a host receives the address the server offers."),
    p(69, Udp, Iana, S, N, "TFTP", "tftp", "TFTP 简单文件传输（RFC 1350），常用于网络启动和给设备刷固件。常见的端口表说是 Cisco 开发的，不对：它来自 MIT，Cisco 设备只是常用它。", "TFTP, trivial file transfer (RFC 1350), used for network boot and device firmware. Not a Cisco protocol, as a common port table says: it came from MIT; Cisco gear merely uses it a lot."),
    p(79, Tcp, Iana, S, S, "Finger", "finger", "Finger：查询远程主机上的用户信息，因为泄露信息早已基本停用。", "Finger: asks a remote host about its users; long abandoned because it leaks information."),
    p(80, Tcp, Iana, S, N, "HTTP", "http www web", "HTTP 明文网页。HTTP/1.1 和 HTTP/2 走 TCP；HTTP/3 走 UDP 443。", "Plain HTTP. HTTP/1.1 and HTTP/2 run over TCP; HTTP/3 runs over UDP 443."),
    p(99, Both, Iana, S, S, "Metagram Relay", "metagram", "IANA 登记为 Metagram Relay，几乎没人用；常见端口表里的“亚对策延时”是误译。", "Registered as Metagram Relay and almost never seen; the Chinese name in a common port table is a mistranslation."),
    p(109, Tcp, Iana, S, S, "POP2", "pop2 mail", "POP2 收信协议，早已被 POP3 取代。", "POP2 mail retrieval, long superseded by POP3."),
    p(110, Tcp, Iana, S, N, "POP3", "pop3 mail email", "POP3 收信：把邮件下载到本地；加密版本用 995。", "POP3 mail retrieval: downloads mail to the client; the TLS version uses 995."),
    p(111, Both, Iana, S, N, "rpcbind", "sunrpc portmapper rpc nfs", "ONC RPC（原 Sun RPC）的端口映射服务，NFS 等服务靠它找到彼此的端口。", "The ONC RPC (formerly Sun RPC) port mapper; NFS and friends use it to find each other's ports."),
    p(113, Tcp, Iana, S, S, "Ident", "ident auth", "Ident（RFC 1413）：回答“这条 TCP 连接属于哪个用户”。不是 Windows 专有的服务；如今只有部分 IRC 服务器还会查询。", "Ident (RFC 1413): answers \"which user owns this TCP connection\". Not a Windows service as a common port table says; today mostly queried by some IRC servers."),
    p(119, Tcp, Iana, S, S, "NNTP", "nntp news usenet", "NNTP：Usenet 新闻组的传输协议。", "NNTP: transfers Usenet news articles."),
    p(123, Udp, Iana, N, N, "NTP", "ntp time", "NTP 网络时间同步。", "NTP, network time synchronisation."),
    p(135, Both, Iana, S, N, "MS RPC", "msrpc epmap dcom rpc", "Windows 的 RPC 端点映射器（DCE/RPC），DCOM 和许多 Windows 服务靠它。", "Windows' RPC endpoint mapper (DCE/RPC), used by DCOM and many Windows services."),
    p(137, Udp, Iana, S, N, "NetBIOS-NS", "netbios name wins", "NetBIOS 名称服务：局域网里用名字找 Windows 主机。", "NetBIOS name service: finding Windows hosts by name on a LAN."),
    p(138, Udp, Iana, N, N, "NetBIOS-DGM", "netbios datagram", "NetBIOS 数据报服务：局域网浏览和广播消息。", "NetBIOS datagram service: LAN browsing and broadcast messages."),
    p(139, Tcp, Iana, S, N, "NetBIOS-SSN", "netbios session smb samba", "NetBIOS 会话服务：老式的 SMB 文件和打印机共享（Windows、Samba）；现代 SMB 直接用 445。", "NetBIOS session service: old-style SMB file and printer sharing (Windows, Samba); modern SMB uses 445 directly."),
    p(143, Tcp, Iana, S, N, "IMAP", "imap mail email", "IMAP 收信：邮件留在服务器上、多端同步。现行版本是 IMAP4rev2（RFC 9051），不是常见端口表说的 v2；加密版本用 993。", "IMAP mail access: mail stays on the server and syncs across devices. Today's version is IMAP4rev2 (RFC 9051), not the \"v2\" a common port table gives; TLS uses 993."),
    p(161, Udp, Iana, S, N, "SNMP", "snmp", "SNMP 网络设备管理：查询路由器、交换机的状态；设备主动上报的告警（trap）发到 162。", "SNMP network management: polling routers and switches; traps the devices send go to 162."),
    p(389, Tcp, Iana, N, N, "LDAP", "ldap directory", "LDAP 目录服务（如 Active Directory）；加密版本用 636。", "LDAP directory service (Active Directory and others); the TLS version uses 636."),
    p(443, Both, Iana, S, N, "HTTPS", "https tls ssl quic http3", "HTTPS：TLS 加密的 HTTP。TCP 上跑 HTTP/1.1、HTTP/2，UDP 上跑 QUIC 和 HTTP/3。", "HTTPS: HTTP over TLS. HTTP/1.1 and HTTP/2 over TCP; QUIC and HTTP/3 over UDP."),
    p(445, Tcp, Iana, N, N, "SMB", "smb cifs microsoft-ds samba", "SMB 文件共享（Windows 共享、Samba），不再需要 NetBIOS。", "SMB file sharing (Windows shares, Samba) without NetBIOS."),
    p(465, Tcp, Iana, N, N, "SMTPS", "smtps submissions mail", "加密的邮件提交（隐式 TLS，RFC 8314）。", "Mail submission over implicit TLS (RFC 8314)."),
    p(514, Udp, Iana, N, N, "Syslog", "syslog log", "Syslog 日志转发。", "Syslog log forwarding."),
    p(554, Both, Iana, S, N, "RTSP", "rtsp stream camera", "RTSP 实时流控制：网络摄像头、流媒体服务器；媒体数据本身通常走 RTP。", "RTSP stream control: IP cameras and media servers; the media itself usually flows over RTP."),
    p(587, Tcp, Iana, N, N, "Submission", "smtp submission mail", "邮件客户端提交邮件（STARTTLS 加密，要求登录）。", "Mail clients submitting mail (STARTTLS, with login)."),
    p(853, Both, Iana, N, N, "DNS over TLS", "dot doq dns tls", "加密 DNS：TCP 上是 DNS over TLS（RFC 7858），UDP 上是 DNS over QUIC（RFC 9250）。", "Encrypted DNS: DNS over TLS on TCP (RFC 7858), DNS over QUIC on UDP (RFC 9250)."),
    p(993, Tcp, Iana, N, N, "IMAPS", "imaps mail", "TLS 加密的 IMAP。", "IMAP over TLS."),
    p(995, Tcp, Iana, N, N, "POP3S", "pop3s mail", "TLS 加密的 POP3。", "POP3 over TLS."),
    p(1024, Both, Reserved, S, N, "Reserved", "registered unprivileged", "没有分配给任何服务（IANA 登记为 Reserved）。它是注册端口段 1024–49151 的第一个；Linux 上非 root 进程能绑定的最小端口（小于 1024 需要 CAP_NET_BIND_SERVICE）。", "Assigned to no service (IANA lists it as Reserved). It is the first port of the registered range 1024–49151, and on Linux the lowest an unprivileged process may bind (below 1024 needs CAP_NET_BIND_SERVICE)."),
    p(1080, Tcp, Iana, S, N, "SOCKS", "socks proxy", "SOCKS 代理：替客户端转发任意 TCP 连接（SOCKS5 也能转发 UDP），不限于网页。", "SOCKS proxy: relays any TCP connection for a client (SOCKS5 relays UDP too), not just web traffic."),
    p(1194, Udp, Iana, N, N, "OpenVPN", "openvpn vpn", "OpenVPN 的默认端口（也可以走 TCP）。", "OpenVPN's default port (it can also run over TCP)."),
    p(1433, Tcp, Iana, N, N, "SQL Server", "mssql sql server", "Microsoft SQL Server 数据库。", "Microsoft SQL Server database."),
    p(1755, Both, Iana, S, S, "MMS", "mms windows media", "微软媒体服务器（MMS）流媒体协议，已被微软淘汰。", "Microsoft Media Server streaming, retired by Microsoft."),
    p(1883, Tcp, Iana, N, N, "MQTT", "mqtt iot", "MQTT 物联网消息；TLS 加密版本用 8883。", "MQTT IoT messaging; the TLS version uses 8883."),
    p(2049, Both, Iana, N, N, "NFS", "nfs", "NFS 网络文件系统。", "NFS network file system."),
    p(2181, Tcp, Convention, N, N, "ZooKeeper", "zookeeper kafka", "ZooKeeper 客户端端口（惯例，IANA 登记的是别的服务）。", "ZooKeeper's client port (a convention; IANA lists another service)."),
    p(3000, Tcp, Convention, N, N, "Dev server", "node express react grafana rails", "开发服务器的常用默认端口：Express 示例、Create React App、Rails、Grafana。", "A favourite dev-server default: Express examples, Create React App, Rails, Grafana."),
    p(3306, Tcp, Iana, N, N, "MySQL", "mysql mariadb", "MySQL / MariaDB 数据库。", "MySQL / MariaDB database."),
    p(3389, Both, Iana, N, N, "RDP", "rdp remote desktop", "Windows 远程桌面（RDP），新版本也用 UDP 传画面。", "Windows Remote Desktop (RDP); newer versions also stream over UDP."),
    p(3478, Both, Iana, N, N, "STUN/TURN", "stun turn webrtc nat", "STUN/TURN：WebRTC 穿越 NAT 时查询公网地址、中继媒体。", "STUN/TURN: WebRTC's NAT traversal — learning the public address, relaying media."),
    p(4000, Udp, Convention, S, S, "QQ (old client)", "qq tencent", "早年 QQ 客户端的端口（服务器用 8000），只是腾讯的惯例，如今的 QQ 不依赖固定端口。", "The old QQ client's port (its servers used 8000): Tencent's own convention; today's QQ does not depend on it."),
    p(5000, Tcp, Convention, N, N, "Flask dev", "flask python", "Flask 开发服务器默认端口；macOS 的“隔空播放接收器”也占用它，常引起冲突。", "Flask's dev-server default; macOS's AirPlay Receiver also takes it, a common clash."),
    p(5173, Tcp, Convention, N, N, "Vite", "vite dev", "Vite 开发服务器的默认端口。", "Vite's dev-server default."),
    p(5353, Udp, Iana, N, N, "mDNS", "mdns bonjour avahi", "多播 DNS：局域网里解析 .local 名字（Bonjour、Avahi）。", "Multicast DNS: resolving .local names on a LAN (Bonjour, Avahi)."),
    p(5432, Tcp, Iana, N, N, "PostgreSQL", "postgres postgresql pg", "PostgreSQL 数据库。", "PostgreSQL database."),
    p(5554, Tcp, Convention, S, S, "Sasser / Android emulator", "sasser worm android emulator adb", "2004 年震荡波（Sasser）蠕虫在这里开 FTP 服务传播自己，早已是历史；如今最常见的是 Android 模拟器的控制台端口。", "In 2004 the Sasser worm ran an FTP server here to spread — long history; today it is most often the Android emulator's console."),
    p(5632, Udp, Iana, S, S, "pcAnywhere", "pcanywhere remote", "pcAnywhere 远程控制的状态端口（数据用 TCP 5631）；产品已于 2014 年停售。", "pcAnywhere remote control's status port (data used TCP 5631); the product was retired in 2014."),
    p(5672, Tcp, Iana, N, N, "AMQP", "amqp rabbitmq", "AMQP 消息队列（RabbitMQ）。", "AMQP message queues (RabbitMQ)."),
    p(5900, Tcp, Iana, N, N, "VNC", "vnc rfb remote", "VNC 远程桌面（RFB 协议），第 n 个显示用 5900+n。", "VNC remote desktop (the RFB protocol); display n uses 5900+n."),
    p(6379, Tcp, Iana, N, N, "Redis", "redis cache", "Redis 键值数据库。", "Redis key-value store."),
    p(6443, Tcp, Convention, N, N, "Kubernetes API", "kubernetes k8s kubectl", "Kubernetes API server 的默认端口（惯例）。", "The Kubernetes API server's default (a convention)."),
    p(8000, Tcp, Convention, N, N, "HTTP alt / dev", "django python http.server qq", "python -m http.server、Django 开发服务器的默认端口；早年 QQ 服务器也用它（UDP）。", "Default of python -m http.server and Django's dev server; the old QQ servers used it too (UDP)."),
    p(8080, Tcp, Iana, S, N, "HTTP alternate", "http-alt proxy tomcat web", "HTTP 的备用端口（IANA：http-alt），常用于代理、Tomcat 和不需要 root 就能监听的 Web 服务。", "HTTP's alternate port (IANA: http-alt), used by proxies, Tomcat and web servers that should not need root."),
    p(8443, Tcp, Convention, N, N, "HTTPS alternate", "https alt tomcat", "HTTPS 的备用端口（惯例），Tomcat 等常用。", "HTTPS's alternate port (a convention), used by Tomcat and others."),
    p(9090, Tcp, Convention, N, N, "Prometheus", "prometheus metrics", "Prometheus 监控的默认端口。", "Prometheus monitoring's default port."),
    p(9092, Tcp, Convention, N, N, "Kafka", "kafka broker", "Kafka broker 的默认端口（惯例）。", "Kafka broker's default port (a convention)."),
    p(9200, Tcp, Convention, N, N, "Elasticsearch", "elasticsearch opensearch es", "Elasticsearch / OpenSearch 的 HTTP API；节点间通信用 9300。", "Elasticsearch / OpenSearch HTTP API; nodes talk to each other on 9300."),
    p(9229, Tcp, Convention, N, N, "Node inspector", "node inspect debug devtools", "node --inspect 调试器的默认端口（Chrome DevTools 连接它）。只应监听本机。", "node --inspect's debugger default (Chrome DevTools attaches here). Keep it on localhost."),
    p(11211, Both, Iana, N, N, "Memcached", "memcached memcache cache", "Memcached 缓存。UDP 因被用于放大攻击，自 1.5.6 起默认关闭。", "Memcached. Its UDP side was abused for amplification attacks and is off by default since 1.5.6."),
    p(27017, Tcp, Convention, N, N, "MongoDB", "mongodb mongo", "MongoDB 数据库的默认端口。", "MongoDB's default port."),
    p(51820, Udp, Convention, N, N, "WireGuard", "wireguard vpn wg", "WireGuard VPN 的常用端口（惯例）。", "WireGuard VPN's usual port (a convention)."),
];

/// Protocol chips above the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoFilter {
    All,
    Tcp,
    Udp,
}

/// The ports matching a search, in display order.
///
/// The query is split on whitespace and commas; every word must match (AND):
/// - `tcp` / `udp`: the port uses that transport;
/// - digits: the port number starts with them, exact matches first ("80" gives 80, then 8000,
///   8080, 8443);
/// - anything else: a case-insensitive substring of the name, the search keys or the
///   description in either language ("redis", "ssh", "邮件"); name and key hits come first.
///
/// `descs`: the descriptions, one per port of [`PORTS`] in its order (the fetched file), or
/// none while the page has not got them: then a word matches numbers, names and keys only.
pub fn filter(descs: &[T], query: &str, proto: ProtoFilter) -> Vec<(Port, Option<T>)> {
    let words: Vec<String> = query
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|w| !w.is_empty())
        // ASCII folding is enough (the table has no other cased letters) and keeps Unicode's
        // case tables (about 10 KB of wasm) out of the app.
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let descs = descs
        .iter()
        .copied()
        .map(Some)
        .chain(std::iter::repeat(None));
    let mut out: Vec<(Port, Option<T>)> = PORTS
        .iter()
        .copied()
        .zip(descs)
        .filter(|(p, _)| match proto {
            ProtoFilter::All => true,
            ProtoFilter::Tcp => p.tr.has_tcp(),
            ProtoFilter::Udp => p.tr.has_udp(),
        })
        .filter(|(p, d)| words.iter().all(|w| matches(p, d.as_ref(), w)))
        .collect();
    // Stable sort: best matches first, the rest keep their port order.
    crate::sort::sort_by_key(&mut out, |(p, _)| rank(p, &words).into());
    out
}

/// 0: a word is exactly the port number; 1: every text word is in the name or search keys;
/// 2: some word was found only in a description ("ssh" finds SSH before Telnet's "replaced by
/// SSH").
fn rank(p: &Port, words: &[String]) -> u8 {
    if words.iter().any(|w| *w == p.num.to_string()) {
        0
    } else if words
        .iter()
        .filter(|w| !is_number(w) && *w != "tcp" && *w != "udp")
        .all(|w| p.name.to_ascii_lowercase().contains(w.as_str()) || p.keys.contains(w.as_str()))
    {
        1
    } else {
        2
    }
}

fn is_number(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

fn matches(p: &Port, desc: Option<&T>, w: &str) -> bool {
    match w {
        "tcp" => p.tr.has_tcp(),
        "udp" => p.tr.has_udp(),
        _ if is_number(w) => p.num.to_string().starts_with(w),
        _ => {
            p.name.to_ascii_lowercase().contains(w)
                || p.keys.contains(w)
                || desc.is_some_and(|d| {
                    d.zh.to_ascii_lowercase().contains(w) || d.en.to_ascii_lowercase().contains(w)
                })
        }
    }
}

/// The texts of `words/ref-ports.tsv`, in its order: (key: the port's number, description).
pub fn texts() -> Vec<(String, Tx)> {
    PORTS.iter().map(|p| (p.num.to_string(), p.desc)).collect()
}
