//! The status fields every `*ResponseMessage` has (`ResponseMessageType`), read the same way for
//! every message kind into one [`ResponseStatus`].

use std::borrow::Cow;

use super::context::{Ctx, invalid};
use crate::error::{Error, ErrorKind};
use crate::model::{MessageXml, ResponseClass, ResponseCode, ResponseStatus};
use crate::xml::{self, Elem};

/// A status with the required `ResponseClass` attribute of the message `elem` named `name`, and
/// nothing else read yet.
pub(crate) fn start<'a>(
    ctx: &Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<ResponseStatus<'a>, Error> {
    response_class(ctx, elem, name).map(ResponseStatus::new)
}

/// Reads the `m:` child `local` (just started) into `status` when it is a status field; false
/// (nothing read) otherwise.
pub(crate) fn read_field<'a>(
    ctx: &mut Ctx<'a>,
    status: &mut ResponseStatus<'a>,
    local: &str,
) -> Result<bool, Error> {
    match local {
        "ResponseCode" => {
            let code = xml::trim(ctx.xml.text("ResponseCode", false)?);
            status.response_code = Some(ResponseCode::parse(code));
        }
        "MessageText" => status.message_text = Some(ctx.xml.text("MessageText", false)?),
        "DescriptiveLinkKey" => {
            status.descriptive_link_key = Some(ctx.xml.text("DescriptiveLinkKey", false)?);
        }
        "MessageXml" => status.message_xml = Some(message_xml(ctx)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// Sets the fields derived from the others once the message is read: `BackOffMilliseconds`.
pub(crate) fn finish(status: &mut ResponseStatus<'_>) {
    status.back_off_milliseconds = status.message_xml.as_ref().and_then(back_off_milliseconds);
}

/// The required `ResponseClass` attribute of the response message `elem` named `name`.
pub(crate) fn response_class(
    ctx: &Ctx<'_>,
    elem: &Elem<'_>,
    name: &'static str,
) -> Result<ResponseClass, Error> {
    match ctx.xml.attr(elem, "ResponseClass")? {
        None => Err(Error::at(
            ErrorKind::MissingAttribute {
                name: "ResponseClass",
                element: name,
            },
            elem.offset,
        )),
        Some(value) => match xml::trim(value).as_ref() {
            "Success" => Ok(ResponseClass::Success),
            "Warning" => Ok(ResponseClass::Warning),
            "Error" => Ok(ResponseClass::Error),
            other => Err(invalid("ResponseClass", other, elem.offset)),
        },
    }
}

/// Reads a `MessageXml` element (already started): `Value Name="..."` children become pairs;
/// any other child becomes a pair keyed by its local name with its text content.
pub(crate) fn message_xml<'a>(ctx: &mut Ctx<'a>) -> Result<MessageXml<'a>, Error> {
    let mut xml = MessageXml::default();
    while let Some(child) = ctx.xml.child("MessageXml")? {
        if child.local == "Value" && child.ns.is_ews() {
            let Some(name) = ctx.xml.attr(&child, "Name")? else {
                return Err(Error::at(
                    ErrorKind::MissingAttribute {
                        name: "Name",
                        element: "Value",
                    },
                    child.offset,
                ));
            };
            let value = ctx.xml.text("Value", false)?;
            xml.entries.push((name, value));
        } else {
            let name: Cow<'a, str> = child.display_name();
            let value = ctx.xml.text("MessageXml", true)?;
            xml.entries.push((name, value));
        }
    }
    Ok(xml)
}

/// `BackOffMilliseconds` from `MessageXml`, when it is a valid number.
pub(crate) fn back_off_milliseconds(xml: &MessageXml<'_>) -> Option<u64> {
    xml.get("BackOffMilliseconds")?
        .trim_matches([' ', '\t', '\r', '\n'])
        .parse()
        .ok()
}
