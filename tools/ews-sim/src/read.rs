//! Reading the SOAP requests the simulator serves, with quick-xml.
//!
//! Deliberately minimal: the request is flattened into elements (local name, parent's local
//! name, attributes, text) and each operation picks the few values it needs. Namespaces are not
//! checked and unknown elements are ignored, so the simulator accepts more than Exchange would;
//! schema conformance of the *requests* is the request builders' tests' job. A DTD is refused.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

/// One element of the request.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Local name.
    pub name: String,
    /// Local name of the parent element.
    pub parent: String,
    /// Attributes (local name, value).
    pub attrs: Vec<(String, String)>,
    /// Text content directly inside, trimmed.
    pub text: String,
    /// Nesting depth (the envelope is 0).
    pub depth: usize,
}

impl Node {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A request read into its operation name and flat element list.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Local name of the Body's child: `Subscribe`, `GetEvents`, ...
    pub operation: String,
    /// Every element, in document order.
    pub nodes: Vec<Node>,
}

impl Request {
    /// The first element named `name`.
    pub fn first(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }
    /// The text of the first element named `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.first(name).map(|n| n.text.as_str())
    }
    /// Every element named `name`.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Node> + 's {
        self.nodes.iter().filter(move |n| n.name == name)
    }
    /// Each element named `name` with everything inside it, as a request of its own (in
    /// document order), so that repeated structures (`ItemChange`, `SetItemField`) can be read
    /// one at a time.
    pub fn sections(&self, name: &str) -> Vec<Request> {
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.name != name {
                continue;
            }
            let inner = self.nodes[i + 1..]
                .iter()
                .take_while(|m| m.depth > n.depth)
                .cloned();
            out.push(Request {
                operation: self.operation.clone(),
                nodes: std::iter::once(n.clone()).chain(inner).collect(),
            });
        }
        out
    }
    /// Every element named `name` whose parent is `parent`.
    pub fn all_in<'s>(
        &'s self,
        name: &'s str,
        parent: &'s str,
    ) -> impl Iterator<Item = &'s Node> + 's {
        self.nodes
            .iter()
            .filter(move |n| n.name == name && n.parent == parent)
    }
}

fn local(name: &str) -> String {
    match name.split_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.to_string(),
    }
}

/// Reads a request body. `Err` carries a human-readable reason for the SOAP fault.
pub fn read_request(body: &[u8]) -> Result<Request, String> {
    let text = std::str::from_utf8(body).map_err(|_| "request is not UTF-8".to_string())?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<usize> = Vec::new();
    let mut req = Request::default();
    let mut body_depth: Option<usize> = None;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::DocType(_) => return Err("document type declarations are refused".into()),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = local(e.name().as_ref());
                let parent = stack
                    .last()
                    .map(|&i| req.nodes[i].name.clone())
                    .unwrap_or_default();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let key = a.key.as_ref();
                    if key.starts_with("xmlns") {
                        continue;
                    }
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?;
                    attrs.push((local(key), v.into_owned()));
                }
                if body_depth == Some(stack.len()) && req.operation.is_empty() {
                    req.operation = name.clone();
                }
                if name == "Body" && parent == "Envelope" {
                    body_depth = Some(stack.len() + 1);
                }
                req.nodes.push(Node {
                    name,
                    parent,
                    attrs,
                    text: String::new(),
                    depth: stack.len(),
                });
                if matches!(ev, Event::Start(_)) {
                    stack.push(req.nodes.len() - 1);
                }
            }
            Event::End(_) => {
                if let Some(i) = stack.pop() {
                    let t = req.nodes[i].text.trim().to_string();
                    req.nodes[i].text = t;
                }
            }
            Event::Text(t) => {
                if let Some(&i) = stack.last() {
                    req.nodes[i].text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(&i) = stack.last() {
                    req.nodes[i].text.push_str(t.as_ref());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .map(String::from)
                } else {
                    resolve_predefined_entity(&r.xml10_content()).map(String::from)
                };
                let resolved = resolved.ok_or_else(|| "unknown entity".to_string())?;
                if let Some(&i) = stack.last() {
                    req.nodes[i].text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if req.operation.is_empty() {
        return Err("no operation in the SOAP body".into());
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn reads_operation_and_values() {
        let xml = br#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="m" xmlns:t="t"><soap:Body><m:GetEvents><m:SubscriptionId>a&amp;b</m:SubscriptionId><m:Watermark>W</m:Watermark></m:GetEvents></soap:Body></soap:Envelope>"#;
        let r = read_request(xml).unwrap();
        assert_eq!(r.operation, "GetEvents");
        assert_eq!(r.text("SubscriptionId"), Some("a&b"));
        assert_eq!(r.text("Watermark"), Some("W"));
    }

    #[test]
    fn refuses_a_dtd() {
        let xml = br#"<!DOCTYPE x [<!ENTITY e "x">]><Envelope><Body><A/></Body></Envelope>"#;
        assert!(read_request(xml).is_err());
    }
}
