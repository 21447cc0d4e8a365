//! The entry points: [`Parser`] and the SOAP envelope around every message.
//!
//! The parser is a single pass over quick-xml's events with no tree in between: each element is
//! matched on its resolved namespace URI and local name, and text is sliced out of the input.

use super::context::{Ctx, missing, parse_number, unexpected};
use super::{item, response, status};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::model::{
    Body, Envelope, Fault, ResponseCode, ResponseMessage, ServerVersion, SoapVersion,
};
use crate::xml::{self, Elem, Ns, Tok, XmlReader};

/// A configured parser. [`crate::parse_envelope`] is `Parser::new().parse_envelope`.
///
/// ```
/// use ews_notify::{Limits, Parser};
/// let parser = Parser::new().limits(Limits { max_bytes: 1 << 20, ..Limits::default() });
/// let err = parser.parse_envelope(b"<x/>").unwrap_err();
/// assert_eq!(err.code(), "wrong_root");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Parser {
    limits: Limits,
}

impl Parser {
    /// A parser with [`Limits::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The same parser with other limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Parses one SOAP envelope of any supported kind (push `SendNotification`,
    /// `GetEventsResponse`, `GetStreamingEventsResponse`, `SubscribeResponse`,
    /// `UnsubscribeResponse`, `GetItemResponse`, `FindItemResponse`,
    /// `SyncFolderItemsResponse`, or a SOAP fault).
    ///
    /// Borrows from `bytes`: ids, watermarks, timestamps and other texts are slices of the input
    /// unless the XML escaped something in them. Allocates only the vectors that hold messages,
    /// notifications and events.
    ///
    /// # Errors
    /// Every [`crate::ErrorKind`] of reading: `too_large`, `invalid_utf8`, `invalid_character`,
    /// `malformed_xml`, `unexpected_eof`, `dtd_refused`, `unknown_entity`, `unbound_prefix`,
    /// `too_deep`, `too_many_events`, `wrong_root`, `unsupported_message`, `missing_element`,
    /// `missing_attribute`, `invalid_value`, `unexpected_element`, `unexpected_text`,
    /// `trailing_content`. A SOAP fault is not an error: it is [`Body::Fault`].
    pub fn parse_envelope<'a>(&self, bytes: &'a [u8]) -> Result<Envelope<'a>, Error> {
        if bytes.len() > self.limits.max_bytes {
            return Err(Error::at(
                ErrorKind::TooLarge {
                    len: bytes.len(),
                    limit: self.limits.max_bytes,
                },
                self.limits.max_bytes,
            ));
        }
        let mut ctx = Ctx {
            xml: XmlReader::new(bytes, self.limits.max_depth)?,
            limits: self.limits,
            events: 0,
        };
        ctx.document()
    }

    /// The same as [`Parser::parse_envelope`], under its first name.
    ///
    /// Kept because most callers parse notifications with it; it reads every envelope kind,
    /// item responses and faults included, which is why the real name is `parse_envelope`.
    ///
    /// # Errors
    /// As [`Parser::parse_envelope`].
    pub fn parse_notification<'a>(&self, bytes: &'a [u8]) -> Result<Envelope<'a>, Error> {
        self.parse_envelope(bytes)
    }
}

impl<'a> Ctx<'a> {
    fn document(&mut self) -> Result<Envelope<'a>, Error> {
        let root = loop {
            match self.xml.next()? {
                Tok::Start(elem) => break elem,
                Tok::Text(s, _, false) if xml::is_xml_whitespace(s) => {}
                Tok::Text(_, offset, _) | Tok::Char(_, offset) => {
                    return Err(Error::at(
                        ErrorKind::MalformedXml {
                            reason: "text before the root element".into(),
                        },
                        offset,
                    ));
                }
                Tok::End => {
                    return Err(Error::at(
                        ErrorKind::MalformedXml {
                            reason: "end tag before the root element".into(),
                        },
                        self.xml.position(),
                    ));
                }
                Tok::Eof => return Err(self.xml.eof()),
            }
        };
        let soap_version = match (root.ns, root.local) {
            (Ns::Soap11, "Envelope") => SoapVersion::Soap11,
            (Ns::Soap12, "Envelope") => SoapVersion::Soap12,
            _ => {
                return Err(Error::at(
                    ErrorKind::WrongRoot {
                        found: root.display_name().into_owned(),
                    },
                    root.offset,
                ));
            }
        };
        let envelope = self.envelope(&root, soap_version)?;
        loop {
            match self.xml.next()? {
                Tok::Eof => return Ok(envelope),
                Tok::Text(s, _, false) if xml::is_xml_whitespace(s) => {}
                Tok::Text(s, offset, _) => {
                    let skip = s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len();
                    return Err(Error::at(ErrorKind::TrailingContent, offset + skip));
                }
                Tok::Start(Elem { offset, .. }) | Tok::Char(_, offset) => {
                    return Err(Error::at(ErrorKind::TrailingContent, offset));
                }
                Tok::End => {
                    return Err(Error::at(ErrorKind::TrailingContent, self.xml.position()));
                }
            }
        }
    }

    fn envelope(
        &mut self,
        root: &Elem<'a>,
        soap_version: SoapVersion,
    ) -> Result<Envelope<'a>, Error> {
        let mut server_version = None;
        let mut seen_header = false;
        let mut body = None;
        while let Some(child) = self.xml.child("Envelope")? {
            if child.is(root.ns, "Header") && !seen_header && body.is_none() {
                seen_header = true;
                server_version = self.header()?;
            } else if child.is(root.ns, "Body") && body.is_none() {
                body = Some(self.body(&child, root.ns)?);
            } else {
                return Err(unexpected(&child, "Envelope"));
            }
        }
        let body = body.ok_or_else(|| missing("Body", "Envelope", root.offset))?;
        Ok(Envelope {
            soap_version,
            server_version,
            body,
        })
    }

    /// Reads `ServerVersionInfo` or `RequestServerVersion`; other header blocks (addressing,
    /// security, ...) belong to the SOAP layer and are skipped after a well-formedness check.
    fn header(&mut self) -> Result<Option<ServerVersion<'a>>, Error> {
        let mut version = None;
        while let Some(child) = self.xml.child("Header")? {
            if child.is(Ns::Types, "ServerVersionInfo") {
                version = Some(ServerVersion {
                    major_version: self.number_attr(&child, "MajorVersion")?,
                    minor_version: self.number_attr(&child, "MinorVersion")?,
                    major_build_number: self.number_attr(&child, "MajorBuildNumber")?,
                    minor_build_number: self.number_attr(&child, "MinorBuildNumber")?,
                    version: self.xml.attr(&child, "Version")?,
                });
            } else if child.is(Ns::Types, "RequestServerVersion") {
                version = Some(ServerVersion {
                    major_version: None,
                    minor_version: None,
                    major_build_number: None,
                    minor_build_number: None,
                    version: self.xml.attr(&child, "Version")?,
                });
            }
            self.xml.skip()?;
        }
        Ok(version)
    }

    fn number_attr(&self, elem: &Elem<'a>, name: &'static str) -> Result<Option<u32>, Error> {
        match self.xml.attr(elem, name)? {
            None => Ok(None),
            Some(v) => parse_number(&v, name, elem.offset).map(Some),
        }
    }

    fn body(&mut self, body: &Elem<'a>, soap: Ns) -> Result<Body<'a>, Error> {
        let Some(message) = self.xml.child("Body")? else {
            return Err(missing("message", "Body", body.offset));
        };
        let parsed = match (message.ns, message.local) {
            (Ns::Messages, "SendNotification") => Body::SendNotification(self.messages(
                &message,
                "SendNotification",
                "SendNotificationResponseMessage",
            )?),
            (Ns::Messages, "GetEventsResponse") => {
                Body::GetEventsResponse(response::get_events_messages(self, &message)?)
            }
            (Ns::Messages, "GetStreamingEventsResponse") => {
                Body::GetStreamingEventsResponse(self.messages(
                    &message,
                    "GetStreamingEventsResponse",
                    "GetStreamingEventsResponseMessage",
                )?)
            }
            (Ns::Messages, "SubscribeResponse") => Body::SubscribeResponse(self.messages(
                &message,
                "SubscribeResponse",
                "SubscribeResponseMessage",
            )?),
            (Ns::Messages, "UnsubscribeResponse") => Body::UnsubscribeResponse(self.messages(
                &message,
                "UnsubscribeResponse",
                "UnsubscribeResponseMessage",
            )?),
            (Ns::Messages, "GetItemResponse") => {
                Body::GetItemResponse(item::get_item_response(self, &message)?)
            }
            (Ns::Messages, "FindItemResponse") => {
                Body::FindItemResponse(item::find_item_response(self, &message)?)
            }
            (Ns::Messages, "SyncFolderItemsResponse") => {
                Body::SyncFolderItemsResponse(item::sync_folder_items_response(self, &message)?)
            }
            (ns, "Fault") if ns == soap => Body::Fault(self.fault(soap)?),
            _ => {
                return Err(Error::at(
                    ErrorKind::UnsupportedMessage {
                        name: message.display_name().into_owned(),
                    },
                    message.offset,
                ));
            }
        };
        if let Some(extra) = self.xml.child("Body")? {
            return Err(unexpected(&extra, "Body"));
        }
        Ok(parsed)
    }

    /// Reads `<Kind><ResponseMessages><KindResponseMessage/>...</ResponseMessages></Kind>`.
    fn messages(
        &mut self,
        message: &Elem<'a>,
        kind: &'static str,
        item: &'static str,
    ) -> Result<Vec<ResponseMessage<'a>>, Error> {
        response::messages(self, message, kind, item, response::response_message)
    }

    /// Reads a SOAP 1.1 (`faultcode`, `faultstring`, `detail`) or 1.2 (`Code/Value`,
    /// `Reason/Text`, `Detail`) fault with Exchange's detail.
    fn fault(&mut self, soap: Ns) -> Result<Fault<'a>, Error> {
        let mut fault = Fault {
            fault_code: None,
            fault_string: None,
            response_code: None,
            message_text: None,
            back_off_milliseconds: None,
            message_xml: None,
            unknown_elements: Vec::new(),
        };
        // SOAP 1.1 fault children are unqualified; some servers qualify them, so both are read.
        while let Some(child) = self.xml.child("Fault")? {
            let ours = child.ns == Ns::None || child.ns == soap;
            match child.local {
                "faultcode" if ours && soap == Ns::Soap11 => {
                    fault.fault_code = Some(self.xml.text("faultcode", false)?);
                }
                "faultstring" if ours && soap == Ns::Soap11 => {
                    fault.fault_string = Some(self.xml.text("faultstring", false)?);
                }
                "detail" if ours && soap == Ns::Soap11 => {
                    self.fault_detail(&mut fault, "detail")?
                }
                "Code" if child.ns == Ns::Soap12 => {
                    while let Some(c) = self.xml.child("Code")? {
                        if c.is(Ns::Soap12, "Value") && fault.fault_code.is_none() {
                            fault.fault_code = Some(self.xml.text("Value", false)?);
                        } else {
                            // `Subcode` refines `Value`; Exchange puts its code in `Detail`.
                            self.xml.skip()?;
                        }
                    }
                }
                "Reason" if child.ns == Ns::Soap12 => {
                    while let Some(c) = self.xml.child("Reason")? {
                        if c.is(Ns::Soap12, "Text") && fault.fault_string.is_none() {
                            fault.fault_string = Some(self.xml.text("Text", false)?);
                        } else {
                            self.xml.skip()?;
                        }
                    }
                }
                "Detail" if child.ns == Ns::Soap12 => self.fault_detail(&mut fault, "Detail")?,
                "faultactor" | "Node" | "Role" if ours => self.xml.skip()?,
                _ => {
                    fault.unknown_elements.push(child.display_name());
                    self.xml.skip()?;
                }
            }
        }
        fault.back_off_milliseconds = fault
            .message_xml
            .as_ref()
            .and_then(status::back_off_milliseconds);
        Ok(fault)
    }

    fn fault_detail(&mut self, fault: &mut Fault<'a>, name: &'static str) -> Result<(), Error> {
        while let Some(child) = self.xml.child(name)? {
            match child.local {
                "ResponseCode" if child.ns.is_ews() => {
                    let code = xml::trim(self.xml.text("ResponseCode", false)?);
                    fault.response_code = Some(ResponseCode::parse(code));
                }
                "Message" if child.ns.is_ews() => {
                    fault.message_text = Some(self.xml.text("Message", false)?);
                }
                "MessageXml" if child.ns.is_ews() => {
                    fault.message_xml = Some(status::message_xml(self)?);
                }
                _ => {
                    fault.unknown_elements.push(child.display_name());
                    self.xml.skip()?;
                }
            }
        }
        Ok(())
    }
}
