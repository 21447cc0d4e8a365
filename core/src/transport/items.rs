//! Reading the `SyncFolderItemsResponse` the catch-up needs: the new `SyncState`,
//! `IncludesLastItemInRange`, and each change's item id and change key.
//!
//! Only what the transport acts on is read; the item properties are left to the item parsing
//! of the core crate. Uses the core XML reader, so the same safety rules apply (no DTD, depth
//! limit, typed errors with byte offsets).
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitemsresponse>.

use std::borrow::Cow;

use crate::error::Error;
use crate::event::ObjectId;
use crate::xml::{Tok, XmlReader};

/// What changed, per SyncFolderItems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyncChange {
    Create(ObjectId<'static>),
    Update(ObjectId<'static>),
    Delete(ObjectId<'static>),
}

/// One SyncFolderItems answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SyncAnswer {
    /// `ResponseCode` (`NoError` on success).
    pub response_code: String,
    /// `MessageText`.
    pub message_text: Option<String>,
    /// `SyncState`.
    pub sync_state: Option<String>,
    /// `IncludesLastItemInRange`.
    pub includes_last: bool,
    /// The changes, in order.
    pub changes: Vec<SyncChange>,
    /// `BackOffMilliseconds` from `MessageXml`.
    pub back_off_milliseconds: Option<u64>,
}

const MAX_DEPTH: usize = 64;

/// Reads a SyncFolderItems (or any single-message) response.
pub(crate) fn read_sync(body: &[u8]) -> Result<SyncAnswer, Error> {
    let mut r = XmlReader::new(body, MAX_DEPTH)?;
    let mut stack: Vec<&str> = Vec::new();
    let mut out = SyncAnswer::default();
    let mut pending: Option<ObjectId<'static>> = None;
    loop {
        match r.next()? {
            Tok::Start(e) => {
                let local = e.local;
                match local {
                    "ResponseCode" | "MessageText" | "SyncState" | "IncludesLastItemInRange" => {
                        let text = r.text("ResponseMessage", true)?;
                        let text = text.trim().to_string();
                        match local {
                            "ResponseCode" => out.response_code = text,
                            "MessageText" => out.message_text = Some(text),
                            "SyncState" => out.sync_state = Some(text),
                            _ => out.includes_last = text == "true" || text == "1",
                        }
                    }
                    "Value" => {
                        let name = r.attr(&e, "Name")?;
                        let text = r.text("Value", true)?;
                        if name.as_deref() == Some("BackOffMilliseconds") {
                            out.back_off_milliseconds = text.trim().parse().ok();
                        }
                    }
                    "ItemId"
                        if pending.is_none()
                            && stack
                                .iter()
                                .any(|s| matches!(*s, "Create" | "Update" | "Delete")) =>
                    {
                        let id = r.attr(&e, "Id")?.unwrap_or(Cow::Borrowed(""));
                        let ck = r.attr(&e, "ChangeKey")?;
                        pending = Some(ObjectId {
                            id: Cow::Owned(id.into_owned()),
                            change_key: ck.map(|c| Cow::Owned(c.into_owned())),
                        });
                        stack.push(local);
                    }
                    _ => stack.push(local),
                }
            }
            Tok::End => {
                let Some(done) = stack.pop() else { continue };
                if matches!(done, "Create" | "Update" | "Delete") {
                    if let Some(id) = pending.take() {
                        out.changes.push(match done {
                            "Create" => SyncChange::Create(id),
                            "Update" => SyncChange::Update(id),
                            _ => SyncChange::Delete(id),
                        });
                    }
                }
            }
            Tok::Text(..) | Tok::Char(..) => {}
            Tok::Eof => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn sync_answer_reads_state_and_changes() {
        let xml = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>S1</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes><t:Create><t:CalendarItem><t:ItemId Id="A" ChangeKey="K"/><t:ParentFolderId Id="F"/></t:CalendarItem></t:Create><t:Delete><t:ItemId Id="B"/></t:Delete></m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"#;
        let a = read_sync(xml).unwrap();
        assert_eq!(a.response_code, "NoError");
        assert_eq!(a.sync_state.as_deref(), Some("S1"));
        assert!(a.includes_last);
        assert_eq!(a.changes.len(), 2);
        assert!(
            matches!(&a.changes[0], SyncChange::Create(id) if id.id == "A" && id.change_key.as_deref() == Some("K"))
        );
        assert!(matches!(&a.changes[1], SyncChange::Delete(id) if id.id == "B"));
    }

    #[test]
    fn a_dtd_is_refused() {
        let e = read_sync(b"<!DOCTYPE x><x/>").unwrap_err();
        assert_eq!(e.code(), "dtd_refused");
    }
}
