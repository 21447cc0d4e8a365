//! The `ews-notify` binary run as a child process against the simulator: its stdout lines as
//! they come, its stderr collected, shared by the end-to-end tests of `watch`, `listen` and
//! `demo`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ews_sim::Simulator;
use serde_json::Value;

pub struct Running {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut err = child.stderr.take().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                return;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    Running {
        child,
        lines,
        stderr,
    }
}

impl Running {
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The next stdout line as JSON (bounded wait: 20 s).
    pub async fn line(&mut self) -> Value {
        for _ in 0..400 {
            match self.lines.try_recv() {
                Ok(l) => return serde_json::from_str(&l).unwrap(),
                Err(TryRecvError::Disconnected) => panic!(
                    "the process ended ({:?}); stderr: {}",
                    self.child.try_wait(),
                    self.stderr()
                ),
                Err(TryRecvError::Empty) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("no line within 20 s; stderr: {}", self.stderr())
    }

    /// The exit status (bounded wait: 20 s).
    pub async fn exit_code(&mut self) -> Option<i32> {
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("still running after 20 s; stderr: {}", self.stderr())
    }
}

/// Waits (bounded) until the simulator has `n` subscriptions.
pub async fn subscribed(sim: &Simulator, n: u64, cli: &Running) {
    for _ in 0..400 {
        if sim.stats().subscriptions >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no subscription; stderr: {}", cli.stderr())
}
