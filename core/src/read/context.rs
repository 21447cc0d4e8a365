//! The parse state every reader shares, and the errors they raise.

use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::model::ObjectId;
use crate::xml::{Elem, XmlReader};

/// Parse state shared by the message modules.
pub(crate) struct Ctx<'a> {
    pub(crate) xml: XmlReader<'a>,
    pub(crate) limits: Limits,
    /// Events read so far, over all notifications.
    pub(crate) events: usize,
}

/// `missing_element` for `name` in `parent`, at the parent's start tag.
pub(crate) fn missing(name: &'static str, parent: &'static str, offset: usize) -> Error {
    Error::at(ErrorKind::MissingElement { name, parent }, offset)
}

/// `unexpected_element` for `elem` in `parent`.
pub(crate) fn unexpected(elem: &Elem<'_>, parent: &'static str) -> Error {
    Error::at(
        ErrorKind::UnexpectedElement {
            name: elem.display_name().into_owned(),
            parent,
        },
        elem.offset,
    )
}

/// A trimmed decimal number, or `invalid_value`.
pub(crate) fn parse_number<T: std::str::FromStr>(
    text: &str,
    name: &'static str,
    offset: usize,
) -> Result<T, Error> {
    let t = text.trim_matches([' ', '\t', '\r', '\n']);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(name, t, offset));
    }
    digits.parse().map_err(|_| invalid(name, t, offset))
}

/// `invalid_value` for `name`, with the value cut to 64 characters.
pub(crate) fn invalid(name: &'static str, value: &str, offset: usize) -> Error {
    Error::at(
        ErrorKind::InvalidValue {
            name,
            value: value.chars().take(64).collect(),
        },
        offset,
    )
}

/// Reads an id element (already started): `Id` (required) and `ChangeKey` attributes.
pub(crate) fn object_id<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<ObjectId<'a>, Error> {
    let Some(id) = ctx.xml.attr(elem, "Id")? else {
        return Err(Error::at(
            ErrorKind::MissingAttribute {
                name: "Id",
                element: name,
            },
            elem.offset,
        ));
    };
    let change_key = ctx.xml.attr(elem, "ChangeKey")?;
    if let Some(child) = ctx.xml.child(name)? {
        return Err(unexpected(&child, name));
    }
    Ok(ObjectId { id, change_key })
}
