//! FindItem's `Restriction`, as far as calendar clients use it: `IsEqualTo` on one of the two
//! GlobalObjectId extended properties (`PSETID_Meeting` by GUID or as the distinguished set
//! `Meeting`, PropertyId 3 or 35, Binary) against a
//! base64 `Constant`. Anything else is refused with `ErrorInvalidRequest` rather than ignored,
//! so a test never passes on a restriction the simulator did not apply.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::read::Request;
use crate::soap::PSETID_MEETING;
use crate::state::{CalendarItem, Refusal};

/// Which GlobalObjectId property a restriction compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    /// PidLidGlobalObjectId (PropertyId 3).
    Goid,
    /// PidLidCleanGlobalObjectId (PropertyId 35).
    CleanGoid,
}

/// The items of `items` that satisfy the request's restriction (all of them without one).
pub(crate) fn filter(
    req: &Request,
    items: Vec<CalendarItem>,
) -> Result<Vec<CalendarItem>, Refusal> {
    if req.first("Restriction").is_none() {
        return Ok(items);
    }
    // The flat request keeps each element's parent: the restriction's operator is the only
    // child of `Restriction`, its property the `ExtendedFieldURI` inside `IsEqualTo`.
    let operators: Vec<&str> = req
        .nodes
        .iter()
        .filter(|n| n.parent == "Restriction")
        .map(|n| n.name.as_str())
        .collect();
    if operators != ["IsEqualTo"] {
        return Err(Refusal::InvalidRequest);
    }
    let mut fields = req.all_in("ExtendedFieldURI", "IsEqualTo");
    let (Some(field), None) = (fields.next(), fields.next()) else {
        return Err(Refusal::InvalidRequest);
    };
    // The set by GUID or by its distinguished name; both mean PSETID_Meeting.
    let meeting = field
        .attr("PropertySetId")
        .is_some_and(|g| g.eq_ignore_ascii_case(PSETID_MEETING))
        || field.attr("DistinguishedPropertySetId") == Some("Meeting");
    if !meeting || field.attr("PropertyType") != Some("Binary") {
        return Err(Refusal::InvalidRequest);
    }
    let property = match field.attr("PropertyId").map(str::trim) {
        Some("3") => Property::Goid,
        Some("35") => Property::CleanGoid,
        _ => return Err(Refusal::InvalidRequest),
    };
    let mut constants = req.all_in("Constant", "FieldURIOrConstant");
    let (Some(constant), None) = (constants.next(), constants.next()) else {
        return Err(Refusal::InvalidRequest);
    };
    let value = STANDARD
        .decode(constant.attr("Value").unwrap_or_default().trim())
        .map_err(|_| Refusal::InvalidRequest)?;
    Ok(items
        .into_iter()
        .filter(|i| match property {
            Property::Goid => i.goid == value,
            Property::CleanGoid => i.clean_goid == value,
        })
        .collect())
}
