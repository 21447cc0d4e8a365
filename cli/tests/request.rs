//! `ews-notify request ...`: every builder prints schema-valid XML; bad values fail with the
//! core error code and exit status 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod ews_schema;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .arg("request")
        .args(args)
        .output()
        .unwrap()
}

/// Runs the tool and returns its standard output, asserting success.
fn xml(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "ews-notify request {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Validates `xml` with xmllint against Exchange's schema (skipped, and reported as such, when
/// there is none: see `ews_schema`); fails when xmllint is missing. The structural checks
/// that need no schema run first, always.
fn assert_schema_valid(xml: &str) {
    assert_structure(xml);
    let Some(dir) = ews_schema::dir() else {
        return;
    };
    let schema = dir.join("soap-envelope.xsd");
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint must be installed (apt package libxml2-utils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not schema-valid:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What holds without a schema: one SOAP 1.1 envelope whose Body holds one element of the EWS
/// messages namespace.
fn assert_structure(xml: &str) {
    assert!(
        xml.contains(r#"xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/""#)
            || xml.contains(r#"xmlns:s="http://schemas.xmlsoap.org/soap/envelope/""#),
        "a SOAP 1.1 envelope:\n{xml}"
    );
    assert!(
        xml.contains("http://schemas.microsoft.com/exchange/services/2006/messages"),
        "an EWS message:\n{xml}"
    );
    let parsed = ews_notify::streaming::split(xml.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("not one complete envelope ({e}):\n{xml}"));
    assert_eq!(parsed.len(), 1, "exactly one envelope:\n{xml}");
}

fn fails_with(args: &[&str], code: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(1), "{args:?} must fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error[{code}]")),
        "{args:?}: expected error[{code}], got {stderr}"
    );
    assert!(out.stdout.is_empty(), "no XML on failure");
}

#[test]
fn subscribe_in_every_mode_is_schema_valid() {
    let streaming = xml(&[
        "subscribe",
        "--mode",
        "streaming",
        "--folder",
        "calendar",
        "--mailbox",
        "room1@example.com",
        "--event",
        "created",
        "--event",
        "ModifiedEvent",
        "--impersonate",
        "room1@example.com",
    ]);
    assert_schema_valid(&streaming);
    assert!(streaming.contains("<m:StreamingSubscriptionRequest>"));
    assert!(streaming.contains("<t:SmtpAddress>room1@example.com</t:SmtpAddress>"));

    let pull = xml(&[
        "subscribe",
        "--mode",
        "pull",
        "--all-folders",
        "--event",
        "newMail",
        "--timeout",
        "1440",
        "--watermark",
        "AQAAAA==",
        "--server-version",
        "Exchange2010_SP1",
    ]);
    assert_schema_valid(&pull);
    assert!(pull.contains(r#"<t:RequestServerVersion Version="Exchange2010_SP1"/>"#));

    let push = xml(&[
        "subscribe",
        "--mode",
        "push",
        "--folder-id",
        "AAMkAGFolder=",
        "--event",
        "deleted",
        "--url",
        "https://listener.example.com/ews",
        "--status-frequency",
        "5",
    ]);
    assert_schema_valid(&push);
    assert!(push.contains("<t:URL>https://listener.example.com/ews</t:URL>"));
}

#[test]
fn the_other_builders_are_schema_valid() {
    for args in [
        &[
            "get-events",
            "--subscription-id",
            "EAB=",
            "--watermark",
            "AQ==",
        ][..],
        &[
            "get-streaming-events",
            "--subscription-id",
            "a",
            "--subscription-id",
            "b",
            "--connection-timeout",
            "1",
        ],
        &["unsubscribe", "--subscription-id", "EAB="],
        &["notification-result"],
        &["notification-result", "--unsubscribe"],
        &[
            "get-item",
            "--item-id",
            "AAMkADk=",
            "--master-of",
            "AAMkADl=",
        ],
        &[
            "find-item",
            "--goid",
            "BAAAAIIA4AB0xbcQGoLgCAfqCx4AWxFQo2bdAQAAAAAAAAAAEAAAAD4cWn+bLUxgqOHw0sO0pZY=",
            "--folder",
            "calendar",
            "--mailbox",
            "room1@example.com",
        ],
        &[
            "find-item",
            "--start",
            "2026-11-23T00:00:00Z",
            "--end",
            "2026-11-30T00:00:00+09:00",
            "--max-entries",
            "50",
        ],
        &[
            "sync-folder-items",
            "--sync-state",
            "H4sI",
            "--max-changes",
            "10",
        ],
    ] {
        assert_schema_valid(&xml(args));
    }
}

#[test]
fn find_item_by_any_goid_searches_its_clean_form() {
    let exception = "040000008200E00074C5B7101A82E00807EA0B1E005B1150A366DD010000000000000000100000003E1C5A7F9B2D4C60A8E1F0D2C3B4A596";
    let out = xml(&["find-item", "--goid", exception]);
    assert!(out.contains(
        r#"<t:Constant Value="BAAAAIIA4AB0xbcQGoLgCAAAAAAAWxFQo2bdAQAAAAAAAAAAEAAAAD4cWn+bLUxgqOHw0sO0pZY="/>"#
    ));
}

#[test]
fn http_headers_print_one_line_each() {
    let out = xml(&[
        "http-headers",
        "--anchor-mailbox",
        "room1@example.com",
        "--prefer-server-affinity",
    ]);
    assert_eq!(
        out,
        "Content-Type: text/xml; charset=utf-8\nAccept: text/xml\n\
         X-AnchorMailbox: room1@example.com\nX-PreferServerAffinity: true\n"
    );
}

#[test]
fn out_of_range_values_fail_with_the_core_code() {
    fails_with(
        &[
            "get-streaming-events",
            "--subscription-id",
            "a",
            "--connection-timeout",
            "31",
        ],
        "out_of_range",
    );
    fails_with(
        &[
            "subscribe",
            "--mode",
            "pull",
            "--folder",
            "calendar",
            "--event",
            "created",
            "--timeout",
            "0",
        ],
        "out_of_range",
    );
    fails_with(
        &[
            "subscribe",
            "--mode",
            "streaming",
            "--folder",
            "Calendar",
            "--event",
            "created",
        ],
        "unknown_name",
    );
    fails_with(
        &[
            "subscribe",
            "--mode",
            "push",
            "--all-folders",
            "--event",
            "created",
        ],
        "invalid_text",
    );
    fails_with(
        &["sync-folder-items", "--max-changes", "513"],
        "out_of_range",
    );
    fails_with(
        &["find-item", "--start", "tomorrow", "--end", "later"],
        "invalid_text",
    );
    fails_with(
        &["find-item", "--goid", "BAAAAIIA4AB0xbcQGoLgCA=="],
        "goid_too_short",
    );
    fails_with(
        &[
            "get-events",
            "--subscription-id",
            "a",
            "--watermark",
            "b",
            "--server-version",
            "2013",
        ],
        "unknown_name",
    );
}

#[test]
fn two_hundred_and_one_subscriptions_are_refused() {
    let ids: Vec<String> = (0..201).map(|i| format!("sub-{i}")).collect();
    let mut args = vec!["get-streaming-events"];
    for id in &ids {
        args.push("--subscription-id");
        args.push(id);
    }
    fails_with(&args, "too_many_values");
    args.truncate(1 + 2 * 200);
    assert_schema_valid(&xml(&args));
}

#[test]
fn subscribe_without_event_subscribes_to_every_event_type() {
    let out = xml(&["subscribe", "--mode", "streaming", "--folder", "calendar"]);
    assert_schema_valid(&out);
    for kind in [
        "CopiedEvent",
        "CreatedEvent",
        "DeletedEvent",
        "ModifiedEvent",
        "MovedEvent",
        "NewMailEvent",
        "FreeBusyChangedEvent",
    ] {
        assert!(
            out.contains(&format!("<t:EventType>{kind}</t:EventType>")),
            "{kind} missing:\n{out}"
        );
    }
    assert_eq!(out.matches("<t:EventType>").count(), 7, "each kind once");
    // Naming one keeps to that one.
    let one = xml(&[
        "subscribe",
        "--mode",
        "streaming",
        "--folder",
        "calendar",
        "--event",
        "created",
    ]);
    assert_eq!(one.matches("<t:EventType>").count(), 1);
    // And --help says so.
    let help = run(&["subscribe", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("Without --event, every event type is subscribed to"),
        "{help}"
    );
}
