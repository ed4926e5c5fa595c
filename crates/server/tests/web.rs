//! The web UI's own tests, run as part of `cargo test --workspace`: Vitest (the UI's logic), a check that
//! the sources are formatted (Prettier) and lint-clean (ESLint, `web/eslint.config.js`), a check that the
//! committed `web/dist` is exactly what the sources build to (the binary embeds that folder, so a stale build
//! would ship a stale UI), and the browser tests (`web/e2e/run.mjs`: playwright-core driving Debian's
//! Chromium against this crate's `converge` binary, with the real OpenID provider of `tests/oidc-provider`).
//!
//! Without `web/node_modules` (`npm ci` in web/) or `/usr/bin/chromium` these tests are skipped with a
//! notice, unless `CI=true`, where they fail: CI must run them (`.ci/run` installs both).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WEB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");
const CHROMIUM: &str = "/usr/bin/chromium";

/// The tests share the two cores of a CI machine badly; they run one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn web_dir() -> PathBuf {
    Path::new(WEB_DIR).canonicalize().expect("web/ exists")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| ci == "true")
}

/// `false` after a skip notice when a prerequisite is missing; panics instead under `CI=true`.
fn prerequisites(need_browser: bool) -> bool {
    let mut missing = Vec::new();
    if !web_dir().join("node_modules/.bin/vitest").exists() {
        missing.push(format!("{}/node_modules (run `npm ci` there)", web_dir().display()));
    }
    if need_browser && !Path::new(CHROMIUM).exists() {
        missing.push(format!("{CHROMIUM} (apt-get install chromium)"));
    }
    if need_browser
        && !Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider/node_modules/oidc-provider").is_dir()
    {
        missing.push("crates/server/tests/oidc-provider/node_modules (run `npm ci` there)".to_owned());
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    assert!(!in_ci(), "missing {what}; CI=true, so the web UI tests may not be skipped (.ci/run installs them)");
    eprintln!("SKIPPED: missing {what}");
    false
}

/// Runs a command in web/, with a time limit; panics with its output if it fails.
fn run(what: &str, command: &mut Command, limit: Duration) -> String {
    let started = Instant::now();
    let mut child = command
        .current_dir(web_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what} (Node.js 20.19 or later is needed): {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    let output = format!("{stdout}\n{stderr}");
    match status {
        Some(status) if status.success() => {
            eprintln!("{what}: ok in {:.1} s", started.elapsed().as_secs_f64());
            output
        }
        Some(status) => panic!("{what} failed ({status}):\n{output}"),
        None => panic!("{what} took more than {} s:\n{output}", limit.as_secs()),
    }
}

fn npm() -> Command {
    Command::new("npm")
}

#[test]
fn unit_tests_of_the_ui_pass() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !prerequisites(false) {
        return;
    }
    let output = run("vitest", npm().args(["test", "--", "--reporter=dot"]), Duration::from_secs(300));
    eprintln!(
        "{}",
        output.lines().filter(|l| l.contains("Tests") || l.contains("Test Files")).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_ui_sources_are_formatted_and_linted() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !prerequisites(false) {
        return;
    }
    // `npm run format` in web/ fixes the first; the second names each rule it finds broken.
    run("prettier --check", npm().args(["run", "--silent", "format:check"]), Duration::from_secs(180));
    run("eslint", npm().args(["run", "--silent", "lint"]), Duration::from_secs(180));
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

#[test]
fn committed_build_is_what_the_sources_build_to() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !prerequisites(false) {
        return;
    }
    // The typed client must match the spec the server serves (web/openapi.json, kept current by the api
    // test `openapi`), and the sources must type-check.
    run(
        "the API client check",
        Command::new("node").args(["scripts/gen-api.mjs", "--check"]),
        Duration::from_secs(120),
    );
    run("tsc", npm().args(["run", "typecheck"]), Duration::from_secs(300));
    let fresh = tempfile::tempdir().unwrap();
    run(
        "vite build",
        npm().args(["exec", "--", "vite", "build", "--logLevel", "warn"]).env("CONVERGE_WEB_OUT_DIR", fresh.path()),
        Duration::from_secs(300),
    );
    let built = files(fresh.path());
    let committed = files(&web_dir().join("dist"));
    let names = |list: &[(String, Vec<u8>)]| list.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&built),
        "web/dist is not what the sources build to: run `npm run build` in web/ and commit web/dist"
    );
    for ((name, want), (_, have)) in built.iter().zip(&committed) {
        assert!(
            want == have,
            "web/dist/{name} differs from a fresh build: run `npm run build` in web/ and commit web/dist"
        );
    }
    assert!(built.iter().any(|(n, _)| n == "index.html"), "the build has an index.html");
}

#[test]
fn browser_flows_pass_against_the_real_binary() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !prerequisites(true) {
        return;
    }
    if !web_dir().join("dist/index.html").exists() {
        panic!("web/dist is missing: run `npm run build` in web/");
    }
    let output = run(
        "the browser tests",
        Command::new("node").arg("e2e/run.mjs").env("CONVERGE_BIN", env!("CARGO_BIN_EXE_converge")),
        Duration::from_secs(600),
    );
    eprintln!("{}", output.trim());
}
