//! Every error kind with its code and byte offset, one case per line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ews_notify::{Limits, Parser};

const S: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">"#;
const M: &str = r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages""#;
const T: &str = r#"xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#;

/// A GetEventsResponse envelope whose Notification holds `inner`.
fn notification(inner: &str) -> String {
    format!(
        r#"{S}<s:Body><m:GetEventsResponse {M} {T}><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification>{inner}</m:Notification></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse></s:Body></s:Envelope>"#
    )
}

/// A body holding `inner`.
fn body(inner: &str) -> String {
    format!("{S}<s:Body>{inner}</s:Body></s:Envelope>")
}

fn check(input: &[u8], parser: &Parser, code: &str, offset: Option<usize>, line: u32) {
    match parser.parse_notification(input) {
        Ok(_) => panic!("line {line}: parsed, expected {code}"),
        Err(e) => assert_eq!(
            (e.code(), e.offset()),
            (code, offset),
            "line {line}: {e} (input {:?})",
            String::from_utf8_lossy(input)
        ),
    }
}

macro_rules! err {
    ($input:expr => $code:literal, $offset:expr) => {
        check(
            AsRef::<[u8]>::as_ref(&$input),
            &Parser::new(),
            $code,
            Some($offset),
            line!(),
        )
    };
    ($input:expr, $parser:expr => $code:literal, $offset:expr) => {
        check(
            AsRef::<[u8]>::as_ref(&$input),
            &$parser,
            $code,
            Some($offset),
            line!(),
        )
    };
}

/// Offset of the first `needle` in `haystack`.
fn at(haystack: &str, needle: &str) -> usize {
    haystack.find(needle).unwrap()
}

#[test]
fn syntax_errors() {
    err!("" => "unexpected_eof", 0);
    err!("  \n" => "unexpected_eof", 3);
    err!("<s:Envelope" => "unexpected_eof", 0);
    err!(S => "unexpected_eof", S.len());
    err!(format!("{S}<s:Body>") => "unexpected_eof", S.len() + 8);
    err!(format!("{S}<!-- never closed") => "unexpected_eof", S.len());
    err!(format!("{S}<s:Body></s:Bdy></s:Envelope>") => "malformed_xml", S.len() + 8);
    err!(format!("{S}<s:Body a=1></s:Body></s:Envelope>") => "malformed_xml", S.len() + 10);
    err!(format!("{S}<s:Body a='1' a='2'></s:Body></s:Envelope>") => "malformed_xml", S.len() + 14);
    err!(format!(r#"{S}<s:Body a="<"></s:Body></s:Envelope>"#) => "malformed_xml", S.len() + 11);
    err!(format!("x{S}") => "malformed_xml", 0);
    err!(format!("\n<?xml version=\"1.0\"?>{S}") => "malformed_xml", 1);
}

#[test]
fn character_errors() {
    err!(b"<s:Envelope \xff/>" => "invalid_utf8", 12);
    err!("<a>\u{1}</a>" => "invalid_character", 3);
    err!("<a>\u{fffe}</a>" => "invalid_character", 3);
    let n = notification("<t:SubscriptionId>&#0;</t:SubscriptionId>");
    err!(n => "invalid_character", at(&n, "&#0;"));
    let n = notification("<t:SubscriptionId>&#xD800;</t:SubscriptionId>");
    err!(n => "invalid_character", at(&n, "&#xD800;"));
    let n = notification("<t:SubscriptionId>&#x110000;</t:SubscriptionId>");
    err!(n => "invalid_character", at(&n, "&#x110000;"));
    // A no-break space pasted into a tag is not white space to XML.
    err!("<s:Envelope\u{a0}xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>" => "invalid_character", 11);
    err!("<?xml\u{a0}version=\"1.0\"?><a/>" => "invalid_character", 5);
}

#[test]
fn entity_and_dtd_errors() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#;
    err!(bomb => "dtd_refused", 21);
    let n = notification("<t:SubscriptionId>&xxe;</t:SubscriptionId>");
    err!(n => "unknown_entity", at(&n, "&xxe;"));
    let n = notification(
        r#"<t:SubscriptionId>a</t:SubscriptionId><t:StatusEvent><t:ItemId Id="&xxe;"/></t:StatusEvent>"#,
    );
    err!(n => "unknown_entity", at(&n, "&xxe;"));
}

#[test]
fn namespace_and_root_errors() {
    err!("<x:Envelope/>" => "unbound_prefix", 1);
    err!(format!("{S}<s:Body><q:X/></s:Body></s:Envelope>") => "unbound_prefix", S.len() + 9);
    err!(format!("{S}<s:Body q:a=\"1\"></s:Body></s:Envelope>") => "unbound_prefix", S.len() + 8);
    // A prefix is in scope only inside the element that declares it.
    let b = body(&format!(
        r#"<m:UnsubscribeResponse {M}><m:ResponseMessages><m:UnsubscribeResponseMessage ResponseClass="Success"><m:ResponseCode xmlns:q="urn:q">NoError</m:ResponseCode><q:X/></m:UnsubscribeResponseMessage></m:ResponseMessages></m:UnsubscribeResponse>"#
    ));
    err!(b => "unbound_prefix", at(&b, "<q:X/>") + 1);
    err!(format!("{S}<s:Body xmlns:q=\"\"></s:Body></s:Envelope>") => "malformed_xml", S.len() + 17);
    // `xmlns=""` removes the default namespace: the element is in no namespace.
    err!(r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body xmlns=""/></Envelope>"# => "unexpected_element", 60);
    err!("<html><body>502</body></html>" => "wrong_root", 0);
    err!(r#"<Envelope xmlns="urn:not-soap"/>"# => "wrong_root", 0);
}

#[test]
fn structure_errors() {
    err!(format!("{S}</s:Envelope>") => "missing_element", 0);
    err!(body("") => "missing_element", S.len());
    err!(body(&format!("<m:CreateItemResponse {M}/>")) => "unsupported_message", S.len() + 8);
    err!(body(&format!("<m:GetEventsResponse {M}/>")) => "missing_element", S.len() + 8);
    let n = notification("<t:PreviousWatermark>w</t:PreviousWatermark>");
    err!(n => "missing_element", at(&n, "<m:Notification>"));
    let b = body(&format!(
        "<m:UnsubscribeResponse {M}><m:ResponseMessages><m:UnsubscribeResponseMessage/></m:ResponseMessages></m:UnsubscribeResponse>"
    ));
    err!(b => "missing_attribute", at(&b, "<m:UnsubscribeResponseMessage"));
    let n = notification(
        "<t:SubscriptionId>a</t:SubscriptionId><t:CreatedEvent><t:ItemId ChangeKey=\"c\"/></t:CreatedEvent>",
    );
    err!(n => "missing_attribute", at(&n, "<t:ItemId"));
    let n =
        notification("<t:SubscriptionId>a</t:SubscriptionId><t:MoreEvents>maybe</t:MoreEvents>");
    err!(n => "invalid_value", at(&n, "<t:MoreEvents"));
    let n = notification(
        "<t:SubscriptionId>a</t:SubscriptionId><t:ModifiedEvent><t:UnreadCount>-1</t:UnreadCount></t:ModifiedEvent>",
    );
    err!(n => "invalid_value", at(&n, "<t:UnreadCount"));
    let n = notification("<t:SubscriptionId>a<t:X/></t:SubscriptionId>");
    err!(n => "unexpected_element", at(&n, "<t:X/>"));
    let n = notification("loose text<t:SubscriptionId>a</t:SubscriptionId>");
    err!(n => "unexpected_text", at(&n, "loose text"));
    let b = body(&format!(
        "<m:UnsubscribeResponse {M}><m:ResponseMessages/></m:UnsubscribeResponse><m:Second {M}/>"
    ));
    err!(b => "unexpected_element", at(&b, "<m:Second"));
    let b = format!(
        "{}<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
        body("")
    );
    err!(b => "missing_element", S.len());
    let ok = body(&format!(
        "<m:UnsubscribeResponse {M}><m:ResponseMessages/></m:UnsubscribeResponse>"
    ));
    err!(format!("{ok}<x/>") => "trailing_content", ok.len());
    err!(format!("{ok}\nHTTP/1.1 200 OK") => "trailing_content", ok.len() + 1);
}

#[test]
fn limit_errors() {
    let small = Parser::new().limits(Limits {
        max_bytes: 10,
        ..Limits::default()
    });
    err!(body(""), small => "too_large", 10);
    let shallow = Parser::new().limits(Limits {
        max_depth: 3,
        ..Limits::default()
    });
    let b = body(&format!(
        "<m:UnsubscribeResponse {M}><m:ResponseMessages/></m:UnsubscribeResponse>"
    ));
    err!(b, shallow => "too_deep", at(&b, "<m:ResponseMessages"));
    let few = Parser::new().limits(Limits {
        max_events: 1,
        ..Limits::default()
    });
    let n = notification("<t:SubscriptionId>a</t:SubscriptionId><t:StatusEvent/><t:StatusEvent/>");
    err!(n, few => "too_many_events", at(&n, "<t:StatusEvent/><t:StatusEvent/>") + 16);
}

#[test]
fn error_display_names_the_problem_and_the_byte() {
    let e = ews_notify::parse_notification(body("").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("missing element `message` in `Body` at byte {}", S.len())
    );
}
