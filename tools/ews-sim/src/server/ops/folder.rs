//! GetFolder and FindFolder over the simulator's distinguished folders.

use super::prelude::*;

/// The mailbox and folder serial a `DistinguishedFolderId` or `FolderId` (with its subtree)
/// names; `default` is the request's own mailbox.
pub(super) fn folder_of(
    st: &State,
    f: &Request,
    default: Option<usize>,
) -> Result<(usize, u64), Refusal> {
    let node = f.nodes.first().ok_or(Refusal::InvalidRequest)?;
    match node.name.as_str() {
        "DistinguishedFolderId" => {
            let serial = node
                .attr("Id")
                .and_then(Mailbox::distinguished)
                .ok_or(Refusal::FolderNotFound)?;
            let mb = match f.all_in("EmailAddress", "Mailbox").next() {
                Some(m) => st.mailbox(&m.text).ok_or(Refusal::NonExistentMailbox)?,
                None => default.ok_or(Refusal::NonExistentMailbox)?,
            };
            Ok((mb, serial))
        }
        "FolderId" => {
            let (guid, serial) = node
                .attr("Id")
                .and_then(ids::decode_folder_id)
                .ok_or(Refusal::InvalidIdMalformed)?;
            let mb = st.mailbox_of_guid(&guid).ok_or(Refusal::FolderNotFound)?;
            if FOLDERS.iter().any(|(s, ..)| *s == serial) {
                Ok((mb, serial))
            } else {
                Err(Refusal::FolderNotFound)
            }
        }
        _ => Err(Refusal::InvalidRequest),
    }
}

/// The parent of a distinguished folder (none for the root).
pub(super) fn parent_of(serial: u64) -> Option<u64> {
    match serial {
        ROOT_FOLDER => None,
        MSG_FOLDER_ROOT => Some(ROOT_FOLDER),
        _ => Some(MSG_FOLDER_ROOT),
    }
}

pub(super) fn children_of(serial: u64) -> Vec<u64> {
    FOLDERS
        .iter()
        .map(|(s, ..)| *s)
        .filter(|s| parent_of(*s) == Some(serial))
        .collect()
}

pub(super) fn folder_xml(out: &mut String, st: &State, mb: usize, serial: u64) {
    let m = &st.mailboxes[mb];
    let Some((_, _, name, class)) = FOLDERS.iter().find(|(s, ..)| *s == serial) else {
        return;
    };
    let element = if serial == CALENDAR_FOLDER {
        "CalendarFolder"
    } else {
        "Folder"
    };
    let total = m.items.values().filter(|i| i.folder == serial).count();
    let _ = write!(
        out,
        "<t:{element}><t:FolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
        esc(&m.folder(serial))
    );
    if let Some(p) = parent_of(serial) {
        let _ = write!(
            out,
            "<t:ParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
            esc(&m.folder(p))
        );
    }
    if !class.is_empty() {
        let _ = write!(out, "<t:FolderClass>{class}</t:FolderClass>");
    }
    let _ = write!(
        out,
        "<t:DisplayName>{name}</t:DisplayName><t:TotalCount>{total}</t:TotalCount>\
<t:ChildFolderCount>{}</t:ChildFolderCount>",
        children_of(serial).len()
    );
    if element == "Folder" {
        out.push_str("<t:UnreadCount>0</t:UnreadCount>");
    }
    let _ = write!(out, "</t:{element}>");
}

pub(super) fn get_folder(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let st = lock(&shared.state);
    let default = own_mailbox(&st, req, headers);
    let mut ms = String::new();
    for f in children(req, "FolderIds") {
        match folder_of(&st, &f, default) {
            Ok((mb, serial)) => {
                ms.push_str(&soap::success_open("GetFolder"));
                ms.push_str("<m:Folders>");
                folder_xml(&mut ms, &st, mb, serial);
                ms.push_str("</m:Folders></m:GetFolderResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message("GetFolder", e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message("GetFolder", Refusal::InvalidRequest, "");
    }
    soap::response("GetFolder", &ms)
}

pub(super) fn find_folder(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let st = lock(&shared.state);
    let default = own_mailbox(&st, req, headers);
    let deep = req
        .first("FindFolder")
        .and_then(|n| n.attr("Traversal"))
        .is_some_and(|t| t == "Deep");
    let mut ms = String::new();
    for f in children(req, "ParentFolderIds") {
        match folder_of(&st, &f, default) {
            Ok((mb, serial)) => {
                let mut found = Vec::new();
                let mut todo = children_of(serial);
                while let Some(s) = todo.first().copied() {
                    todo.remove(0);
                    found.push(s);
                    if deep {
                        todo.extend(children_of(s));
                    }
                }
                let total = found.len();
                let (offset, max) = page(req, "IndexedPageFolderView");
                let shown: Vec<u64> = found
                    .into_iter()
                    .skip(offset)
                    .take(max.unwrap_or(usize::MAX))
                    .collect();
                let last = offset + shown.len() >= total;
                ms.push_str(&soap::success_open("FindFolder"));
                let _ = write!(
                    ms,
                    "<m:RootFolder IndexedPagingOffset=\"{}\" TotalItemsInView=\"{total}\" \
IncludesLastItemInRange=\"{last}\"><t:Folders>",
                    offset + shown.len()
                );
                for s in shown {
                    folder_xml(&mut ms, &st, mb, s);
                }
                ms.push_str("</t:Folders></m:RootFolder></m:FindFolderResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message("FindFolder", e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message("FindFolder", Refusal::InvalidRequest, "");
    }
    soap::response("FindFolder", &ms)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::state::INBOX_FOLDER;

    #[test]
    fn inbox_is_a_child_of_the_message_root() {
        assert_eq!(parent_of(INBOX_FOLDER), Some(MSG_FOLDER_ROOT));
        assert_eq!(children_of(ROOT_FOLDER), vec![MSG_FOLDER_ROOT]);
        assert_eq!(children_of(MSG_FOLDER_ROOT).len(), 4);
    }
}
