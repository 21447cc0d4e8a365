//! `ews-notify goid` over every vector in tests/corpus/goid/vectors.json: the printed JSON equals
//! the golden, and errors print `error[code] at byte N` with exit status 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/corpus/goid/vectors.json"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn goid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .arg("goid")
        .args(args)
        .output()
        .unwrap()
}

/// The command line a vector's input stands for.
fn args_of(input: &Value) -> Vec<String> {
    let text = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(uid) = text("uid") {
        let mut args = vec![String::from("--uid"), uid];
        if let Some(date) = text("instanceDate") {
            args.extend([String::from("--instance-date"), date]);
        }
        return args;
    }
    // The CLI auto-detects; base64 and hex vectors decode the same way through it.
    vec![text("base64").or(text("hex")).or(text("text")).unwrap()]
}

#[test]
fn every_vector_prints_its_golden() {
    let vectors = vectors();
    assert!(vectors.len() >= 30, "vectors went missing");
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        let args = args_of(&v["input"]);
        // `--uid ""` and other values starting with '-' must reach the command as values.
        let args: Vec<String> = match args.as_slice() {
            [flag, value, rest @ ..] if flag == "--uid" => {
                let mut a = vec![format!("--uid={value}")];
                a.extend(rest.iter().cloned());
                a
            }
            _ => args,
        };
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = goid(&refs);
        let expected = &v["expected"];
        if let Some(error) = expected.get("error") {
            assert_eq!(out.status.code(), Some(1), "{name}: exit status");
            let stderr = String::from_utf8(out.stderr).unwrap();
            let prefix = match error["offset"].as_u64() {
                Some(offset) => format!(
                    "error[{}] at byte {offset}: ",
                    error["code"].as_str().unwrap()
                ),
                None => format!("error[{}]: ", error["code"].as_str().unwrap()),
            };
            assert!(
                stderr.starts_with(&prefix),
                "{name}: {stderr:?} should start {prefix:?}"
            );
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        } else {
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8(out.stdout).unwrap();
            let line = stdout.strip_suffix('\n').expect("one line");
            assert!(!line.contains('\n'), "{name}: compact JSON on one line");
            assert_eq!(
                &serde_json::from_str::<Value>(line).unwrap(),
                expected,
                "{name}"
            );
            assert!(
                line.starts_with(r#"{"hex":""#),
                "{name}: contract key order"
            );
        }
    }
}

#[test]
fn value_and_uid_are_exclusive_and_one_is_required() {
    assert_eq!(goid(&[]).status.code(), Some(2), "clap usage error");
    let both = goid(&["BAAAAIIA", "--uid", "x"]);
    assert_eq!(both.status.code(), Some(2));
    let date_without_uid = goid(&["BAAAAIIA", "--instance-date", "2013-08-13"]);
    assert_eq!(date_without_uid.status.code(), Some(2));
    let bad_date = goid(&["--uid", "x", "--instance-date", "2013-13-01"]);
    assert_eq!(bad_date.status.code(), Some(2));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(["goid", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["creationTime"], "2013-08-09T01:16:08.5348202Z");
}
