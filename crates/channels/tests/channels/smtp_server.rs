//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` on a free 127.0.0.1 port, with the handler
//! in `handler.py` writing each received e-mail as JSON into a temporary directory.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

const HANDLER: &str = include_str!("handler.py");

/// A running aiosmtpd, stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

/// Debian's interpreter first: a pyenv `python3` earlier on `PATH` does not see Debian's dist-packages.
/// `.ci/run` checks and installs with the same interpreter.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

fn aiosmtpd_available() -> bool {
    Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A port nothing listens on right now (bound, read, released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

impl SmtpServer {
    /// Starts the server, or returns `None` after printing a skip notice when aiosmtpd is not installed.
    /// With `CI=true` a missing aiosmtpd fails the test instead: CI must run these tests.
    pub fn start() -> Option<SmtpServer> {
        if !aiosmtpd_available() {
            let hint =
                format!("{} cannot import aiosmtpd; install it with `apt-get install python3-aiosmtpd`", python());
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("{hint} (.ci/run does this); CI=true, so the SMTP tests may not be skipped");
            }
            eprintln!("SKIPPED: {hint}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("converge_test_smtp.py"), HANDLER).unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let port = free_port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-c", "converge_test_smtp.Handler", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .env("PYTHONPATH", dir.path())
            .env("SMTP_OUT", dir.path().join("out"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let mut server = SmtpServer { port, child, dir };
        server.wait_listening();
        Some(server)
    }

    /// Polls the port every 50 ms for at most 10 s; fails with the server's stderr if it died or never listened.
    fn wait_listening(&mut self) {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        for _ in 0..200 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("aiosmtpd exited with {status}: {}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aiosmtpd did not listen on {addr} within 10 s: {}", self.stderr());
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Every e-mail received so far, in arrival order.
    pub fn received(&self) -> Vec<Value> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.out())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()).collect()
    }

    /// Waits (10 ms polls, at most 10 s) until `count` e-mails have arrived, then returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..1_000 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{} of {count} e-mails arrived within 10 s; stderr: {}", self.received().len(), self.stderr());
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Our own child, by its handle; errors mean it is already gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
