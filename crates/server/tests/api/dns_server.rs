//! A real DNS server for the domain-proof tests: Debian's dnsmasq (`/usr/sbin/dnsmasq`, package
//! dnsmasq-base) in the foreground on a free 127.0.0.1 port, serving only the TXT records a test gives it;
//! every name under the given local zones that it does not know answers NXDOMAIN. Killed when dropped.
//! Missing dnsmasq skips the test, except under `CI=true`, where it fails.

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

const DNSMASQ: &str = "/usr/sbin/dnsmasq";

pub struct DnsServer {
    pub address: SocketAddr,
    child: Option<Child>,
}

impl DnsServer {
    /// A free UDP port on 127.0.0.1 for a server started later (the app must know it first), or `None` after a
    /// skip notice when dnsmasq is not installed.
    pub fn reserve() -> Option<SocketAddr> {
        if !Path::new(DNSMASQ).exists() {
            let hint = format!("{DNSMASQ} is missing; install dnsmasq-base");
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("{hint} (.ci/run does this); CI=true, so the DNS proof tests may not be skipped");
            }
            eprintln!("SKIPPED: {hint}");
            return None;
        }
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        Some(socket.local_addr().unwrap())
    }

    /// Serves `records` (`(name, value)` TXT records) at `address`, authoritative for `zones`.
    pub async fn start(address: SocketAddr, zones: &[&str], records: &[(&str, &str)]) -> DnsServer {
        let mut command = Command::new(DNSMASQ);
        command.args([
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            "--pid-file=",
        ]);
        command.arg(format!("--port={}", address.port()));
        for zone in zones {
            command.arg(format!("--local=/{zone}/"));
        }
        for (name, value) in records {
            command.arg(format!("--txt-record={name},{value}"));
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot run {DNSMASQ}: {err}"));
        let server = DnsServer { address, child: Some(child) };
        server.wait_until_answering().await;
        server
    }

    /// Waits until a query gets any answer (dnsmasq binds right after start).
    async fn wait_until_answering(&self) {
        // A minimal DNS query: id 1, recursion desired, one question `a.` TXT IN.
        let query: [u8; 19] = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, b'a', 0, 0, 16, 0, 1];
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        // Up to 20 s: a full test run keeps two cores busy, and a process can take seconds to be scheduled.
        for _ in 0..200 {
            socket.send_to(&query, self.address).await.unwrap();
            let mut buf = [0u8; 512];
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(100), socket.recv_from(&mut buf)).await {
                return;
            }
        }
        panic!("dnsmasq did not answer on {}", self.address);
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
        }
    }
}
