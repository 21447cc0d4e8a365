//! Folder ids in requests: distinguished folder ids (with an optional mailbox) and folder ids.

use super::writer::Xml;
use super::{RequestError, check_non_empty, check_text, cut};

/// The names EWS accepts in a `DistinguishedFolderId` (`DistinguishedFolderIdNameType`).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/distinguishedfolderid>.
pub const DISTINGUISHED_FOLDER_NAMES: &[&str] = &[
    "calendar",
    "contacts",
    "deleteditems",
    "drafts",
    "inbox",
    "journal",
    "notes",
    "outbox",
    "sentitems",
    "tasks",
    "msgfolderroot",
    "publicfoldersroot",
    "root",
    "junkemail",
    "searchfolders",
    "voicemail",
    "recoverableitemsroot",
    "recoverableitemsdeletions",
    "recoverableitemsversions",
    "recoverableitemspurges",
    "recoverableitemsdiscoveryholds",
    "archiveroot",
    "archivemsgfolderroot",
    "archivedeleteditems",
    "archiveinbox",
    "archiverecoverableitemsroot",
    "archiverecoverableitemsdeletions",
    "archiverecoverableitemsversions",
    "archiverecoverableitemspurges",
    "archiverecoverableitemsdiscoveryholds",
    "syncissues",
    "conflicts",
    "localfailures",
    "serverfailures",
    "recipientcache",
    "quickcontacts",
    "conversationhistory",
    "adminauditlogs",
    "todosearch",
    "mycontacts",
    "directory",
    "imcontactlist",
    "peopleconnect",
    "favorites",
    "mecontact",
    "personmetadata",
    "teamspaceactivity",
    "teamspacemessaging",
    "teamspaceworkitems",
    "scheduled",
    "orionnotes",
    "tagitems",
    "alltaggeditems",
    "externalcontacts",
    "teamchat",
    "yammerroot",
    "yammerinbound",
    "yammeroutbound",
    "yammerfeeds",
    "onedriveroot",
    "onedriverecylebin",
    "onedrivesystem",
    "onedrivevolume",
];

/// A `DistinguishedFolderId`: a well-known folder by name, optionally in another mailbox
/// (delegate access).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/distinguishedfolderid>.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DistinguishedFolderId {
    /// The name, e.g. `calendar`; checked against [`DISTINGUISHED_FOLDER_NAMES`] when built.
    pub name: String,
    /// `Mailbox/EmailAddress`: the SMTP address of the mailbox that holds the folder.
    pub mailbox: Option<String>,
    /// `ChangeKey`, rarely needed.
    pub change_key: Option<String>,
}

/// A folder a request names: a distinguished folder or a folder id.
///
/// ```
/// use ews_notify::request::FolderId;
///
/// let shared = FolderId::distinguished("calendar").with_mailbox("room1@example.com");
/// let by_id = FolderId::id("AAMkADk=");
/// # let _ = (shared, by_id);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FolderId {
    /// `DistinguishedFolderId`.
    Distinguished(DistinguishedFolderId),
    /// `FolderId`: a folder by its EWS id.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folderid>.
    Id {
        /// `Id` attribute.
        id: String,
        /// `ChangeKey` attribute.
        change_key: Option<String>,
    },
}

impl FolderId {
    /// The distinguished folder `name` (`calendar`, `inbox`, ...) of the caller's mailbox.
    pub fn distinguished(name: impl Into<String>) -> Self {
        Self::Distinguished(DistinguishedFolderId {
            name: name.into(),
            mailbox: None,
            change_key: None,
        })
    }

    /// A folder by its EWS id.
    pub fn id(id: impl Into<String>) -> Self {
        Self::Id {
            id: id.into(),
            change_key: None,
        }
    }

    /// The folders a request names, from texts: distinguished `names` (in `mailbox` when given,
    /// for delegate access) followed by folder `ids`, in that order.
    pub fn list<N, I>(names: N, ids: I, mailbox: Option<&str>) -> Vec<Self>
    where
        N: IntoIterator,
        N::Item: Into<String>,
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let named = names.into_iter().map(|name| {
            let folder = Self::distinguished(name);
            match mailbox {
                Some(address) => folder.with_mailbox(address),
                None => folder,
            }
        });
        named.chain(ids.into_iter().map(Self::id)).collect()
    }

    /// The same distinguished folder in the mailbox `address`. A folder id already names its
    /// mailbox, so it is returned unchanged.
    #[must_use]
    pub fn with_mailbox(mut self, address: impl Into<String>) -> Self {
        if let Self::Distinguished(d) = &mut self {
            d.mailbox = Some(address.into());
        }
        self
    }

    /// The same folder with a `ChangeKey`.
    #[must_use]
    pub fn with_change_key(mut self, key: impl Into<String>) -> Self {
        match &mut self {
            Self::Distinguished(d) => d.change_key = Some(key.into()),
            Self::Id { change_key, .. } => *change_key = Some(key.into()),
        }
        self
    }

    pub(crate) fn validate(&self) -> Result<(), RequestError> {
        match self {
            Self::Distinguished(d) => {
                if !DISTINGUISHED_FOLDER_NAMES.contains(&d.name.as_str()) {
                    return Err(RequestError::UnknownName {
                        name: "distinguished folder",
                        value: cut(&d.name),
                    });
                }
                if let Some(mailbox) = &d.mailbox {
                    check_non_empty("Mailbox", mailbox)?;
                }
                if let Some(key) = &d.change_key {
                    check_text("ChangeKey", key)?;
                }
            }
            Self::Id { id, change_key } => {
                check_non_empty("FolderId", id)?;
                if let Some(key) = change_key {
                    check_text("ChangeKey", key)?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn write(&self, xml: &mut Xml) {
        match self {
            Self::Distinguished(d) => {
                let mut attrs = vec![("Id", d.name.as_str())];
                if let Some(key) = &d.change_key {
                    attrs.push(("ChangeKey", key));
                }
                match &d.mailbox {
                    None => xml.empty("t:DistinguishedFolderId", &attrs),
                    Some(mailbox) => {
                        xml.start("t:DistinguishedFolderId", &attrs);
                        xml.start("t:Mailbox", &[]);
                        xml.text("t:EmailAddress", mailbox);
                        xml.end("t:Mailbox");
                        xml.end("t:DistinguishedFolderId");
                    }
                }
            }
            Self::Id { id, change_key } => {
                let mut attrs = vec![("Id", id.as_str())];
                if let Some(key) = change_key {
                    attrs.push(("ChangeKey", key));
                }
                xml.empty("t:FolderId", &attrs);
            }
        }
    }
}

/// Validates a non-empty list of folders.
pub(crate) fn validate_list(name: &'static str, folders: &[FolderId]) -> Result<(), RequestError> {
    if folders.is_empty() {
        return Err(RequestError::EmptyList { name });
    }
    folders.iter().try_for_each(FolderId::validate)
}

/// Writes `<element>` holding every folder.
pub(crate) fn write_list(xml: &mut Xml, element: &str, folders: &[FolderId]) {
    xml.start(element, &[]);
    for folder in folders {
        folder.write(xml);
    }
    xml.end(element);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn unknown_distinguished_name_is_refused() {
        let e = FolderId::distinguished("Calendar").validate().unwrap_err();
        assert_eq!(e.code(), "unknown_name", "names are case-sensitive in EWS");
    }

    #[test]
    fn mailbox_is_ignored_on_a_folder_id() {
        assert_eq!(
            FolderId::id("AAMk").with_mailbox("a@example.com"),
            FolderId::id("AAMk")
        );
    }

    #[test]
    fn empty_folder_list_is_refused() {
        assert_eq!(
            validate_list("FolderIds", &[]).unwrap_err().code(),
            "empty_list"
        );
    }
}
