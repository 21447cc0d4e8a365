//! `GetItem`, `FindItem` and `SyncFolderItems` for calendar items, with the properties that
//! identify a meeting (PidLidGlobalObjectId, PidLidCleanGlobalObjectId, `UID`).

use base64::Engine as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::folder::{self, FolderId};
use super::header::RequestHeader;
use super::writer::{Xml, envelope};
use super::{RequestError, check_non_empty, check_range, check_text};
use crate::goid::GlobalObjectId;

/// `PropertyId` of PidLidGlobalObjectId in the `Meeting` property set ([MS-OXPROPS] 2.142,
/// [MS-OXOCAL] 2.2.1.27).
pub const GLOBAL_OBJECT_ID_PROPERTY_ID: u32 = 0x0003;

/// `PropertyId` of PidLidCleanGlobalObjectId in the `Meeting` property set ([MS-OXPROPS] 2.61,
/// [MS-OXOCAL] 2.2.1.28).
pub const CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID: u32 = 0x0023;

/// The properties every calendar request here asks for, beside the item id.
const CALENDAR_FIELDS: &[&str] = &[
    "item:Subject",
    "item:LastModifiedTime",
    "calendar:UID",
    "calendar:RecurrenceId",
    "calendar:Start",
    "calendar:End",
    "calendar:OriginalStart",
    "calendar:IsRecurring",
    "calendar:CalendarItemType",
    "calendar:Organizer",
];

/// Writes `<t:ExtendedFieldURI>` for a binary property of the `Meeting` property set.
fn write_meeting_binary(xml: &mut Xml, property_id: u32) {
    xml.empty(
        "t:ExtendedFieldURI",
        &[
            ("DistinguishedPropertySetId", "Meeting"),
            ("PropertyId", &property_id.to_string()),
            ("PropertyType", "Binary"),
        ],
    );
}

/// Writes `<m:ItemShape>`: ids only, plus the calendar fields and both GOID properties.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemshape>.
fn write_calendar_shape(xml: &mut Xml) {
    xml.start("m:ItemShape", &[]);
    xml.text("t:BaseShape", "IdOnly");
    xml.start("t:AdditionalProperties", &[]);
    for field in CALENDAR_FIELDS {
        xml.empty("t:FieldURI", &[("FieldURI", field)]);
    }
    write_meeting_binary(xml, GLOBAL_OBJECT_ID_PROPERTY_ID);
    write_meeting_binary(xml, CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID);
    xml.end("t:AdditionalProperties");
    xml.end("m:ItemShape");
}

/// An item a `GetItem` request names.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemids>.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// `ItemId`: an item by its EWS id (the id a notification event carries).
    ItemId {
        /// `Id` attribute.
        id: String,
        /// `ChangeKey` attribute.
        change_key: Option<String>,
    },
    /// `OccurrenceItemId`: the `instance_index`-th occurrence (from 1) of a recurring master.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid>.
    Occurrence {
        /// `RecurringMasterId` attribute.
        recurring_master_id: String,
        /// `InstanceIndex` attribute, 1 or more.
        instance_index: u32,
    },
    /// `RecurringMasterItemId`: the recurring master of an occurrence or exception.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurringmasteritemid>.
    RecurringMaster {
        /// `OccurrenceId` attribute: the id of the occurrence or exception.
        occurrence_id: String,
    },
}

impl ItemRef {
    /// An item by its id.
    pub fn id(id: impl Into<String>) -> Self {
        Self::ItemId {
            id: id.into(),
            change_key: None,
        }
    }

    fn validate(&self) -> Result<(), RequestError> {
        match self {
            Self::ItemId { id, change_key } => {
                check_non_empty("ItemId", id)?;
                if let Some(key) = change_key {
                    check_text("ChangeKey", key)?;
                }
            }
            Self::Occurrence {
                recurring_master_id,
                instance_index,
            } => {
                check_non_empty("RecurringMasterId", recurring_master_id)?;
                check_range(
                    "InstanceIndex",
                    i64::from(*instance_index),
                    1,
                    i64::from(i32::MAX),
                )?;
            }
            Self::RecurringMaster { occurrence_id } => {
                check_non_empty("OccurrenceId", occurrence_id)?;
            }
        }
        Ok(())
    }

    fn write(&self, xml: &mut Xml) {
        match self {
            Self::ItemId { id, change_key } => {
                let mut attrs = vec![("Id", id.as_str())];
                if let Some(key) = change_key {
                    attrs.push(("ChangeKey", key));
                }
                xml.empty("t:ItemId", &attrs);
            }
            Self::Occurrence {
                recurring_master_id,
                instance_index,
            } => xml.empty(
                "t:OccurrenceItemId",
                &[
                    ("RecurringMasterId", recurring_master_id),
                    ("InstanceIndex", &instance_index.to_string()),
                ],
            ),
            Self::RecurringMaster { occurrence_id } => {
                xml.empty(
                    "t:RecurringMasterItemId",
                    &[("OccurrenceId", occurrence_id)],
                );
            }
        }
    }
}

/// Builds a `GetItem` request for calendar items: their ids, subject, times, recurrence fields,
/// organizer, `UID`, and both GlobalObjectId extended properties (`Meeting` 0x3 and 0x23).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item>.
///
/// ```
/// use ews_notify::request::{GetItemRequest, ItemRef};
///
/// let xml = GetItemRequest::new([ItemRef::id("AAMkADk=")]).build()?;
/// assert!(xml.contains(r#"PropertyId="35" PropertyType="Binary""#));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetItemRequest {
    items: Vec<ItemRef>,
    header: RequestHeader,
}

impl GetItemRequest {
    /// Reads `items`.
    pub fn new(items: impl IntoIterator<Item = ItemRef>) -> Self {
        Self {
            items: items.into_iter().collect(),
            header: RequestHeader::default(),
        }
    }

    /// Adds an item.
    #[must_use]
    pub fn item(mut self, item: ItemRef) -> Self {
        self.items.push(item);
        self
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `empty_list` (no item), `invalid_text` (an empty or unwritable id), `out_of_range` (an
    /// `InstanceIndex` of 0).
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        if self.items.is_empty() {
            return Err(RequestError::EmptyList { name: "ItemIds" }.into());
        }
        self.items.iter().try_for_each(ItemRef::validate)?;
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:GetItem", &[]);
            write_calendar_shape(xml);
            xml.start("m:ItemIds", &[]);
            for item in &self.items {
                item.write(xml);
            }
            xml.end("m:ItemIds");
            xml.end("m:GetItem");
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FindKind {
    CleanGoid(String),
    CalendarView {
        start: OffsetDateTime,
        end: OffsetDateTime,
        max_entries: Option<u32>,
    },
}

/// Builds a `FindItem` request on calendar folders, in one of two forms:
///
/// - [`FindItemRequest::by_clean_goid`]: the items of one meeting, restricted by `IsEqualTo`
///   on the PidLidCleanGlobalObjectId extended property. Returns the single item, or the
///   recurring master and its exceptions (occurrences are not stored items).
/// - [`FindItemRequest::calendar_view`]: every item in a time window, recurring series
///   expanded into occurrences (`CalendarView`).
///
/// The two do not combine: Exchange answers a `Restriction` inside a `CalendarView` request
/// with "Restrictions and sort order may not be specified for a CalendarView".
///
/// The folder is the caller's calendar unless [`FindItemRequest::folder`] names others.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation>.
///
/// ```
/// use ews_notify::request::{FindItemRequest, FolderId};
///
/// let clean = "BAAAAIIA4AB0xbcQGoLgCAAAAACA5qDNaGrdAQAAAAAAAAAAEAAAAD4cWn+bLUxgqOHw0sO0pZY=";
/// let xml = FindItemRequest::by_clean_goid(clean)
///     .folder(FolderId::distinguished("calendar").with_mailbox("room1@example.com"))
///     .build()?;
/// assert!(xml.contains("<t:IsEqualTo>"));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindItemRequest {
    kind: FindKind,
    folders: Vec<FolderId>,
    header: RequestHeader,
}

impl FindItemRequest {
    fn new(kind: FindKind) -> Self {
        Self {
            kind,
            folders: Vec::new(),
            header: RequestHeader::default(),
        }
    }

    /// The items whose PidLidCleanGlobalObjectId equals `clean_goid_base64` (the base64 of a
    /// clean GlobalObjectId, e.g. `GlobalObjectId::clean().to_base64()`).
    pub fn by_clean_goid(clean_goid_base64: impl Into<String>) -> Self {
        Self::new(FindKind::CleanGoid(clean_goid_base64.into()))
    }

    /// The items of the meeting `goid` belongs to: its clean form is the restriction value, so
    /// a GOID with an instance date (an exception's or an orphan instance's) finds the whole
    /// series too.
    ///
    /// ```
    /// use ews_notify::GlobalObjectId;
    /// use ews_notify::request::FindItemRequest;
    ///
    /// let exception = GlobalObjectId::from_base64(
    ///     "BAAAAIIA4AB0xbcQGoLgCAfqCx4AWxFQo2bdAQAAAAAAAAAAEAAAAD4cWn+bLUxgqOHw0sO0pZY=",
    /// )?;
    /// let xml = FindItemRequest::by_goid(&exception).build()?;
    /// assert!(xml.contains(&exception.clean().to_base64()));
    /// # Ok::<(), ews_notify::Error>(())
    /// ```
    pub fn by_goid(goid: &GlobalObjectId<'_>) -> Self {
        Self::by_clean_goid(goid.restriction_value())
    }

    /// The items and occurrences that overlap `start..end`.
    pub fn calendar_view(start: OffsetDateTime, end: OffsetDateTime) -> Self {
        Self::new(FindKind::CalendarView {
            start,
            end,
            max_entries: None,
        })
    }

    /// For a calendar view: at most `max` entries (`MaxEntriesReturned`, 1 or more). Ignored by
    /// a search by clean GOID.
    #[must_use]
    pub fn max_entries(mut self, max: u32) -> Self {
        if let FindKind::CalendarView { max_entries, .. } = &mut self.kind {
            *max_entries = Some(max);
        }
        self
    }

    /// Searches `folder` (added to the list; the default is the caller's `calendar`).
    #[must_use]
    pub fn folder(mut self, folder: FolderId) -> Self {
        self.folders.push(folder);
        self
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `invalid_text` (a clean GOID that is not base64 or is empty, a date that `xs:dateTime`
    /// cannot carry), `inverted_range` (a window that ends before it starts), `out_of_range`
    /// (`MaxEntriesReturned` of 0), `unknown_name` (distinguished folder).
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        let default_folder = [FolderId::distinguished("calendar")];
        let folders: &[FolderId] = if self.folders.is_empty() {
            &default_folder
        } else {
            &self.folders
        };
        folder::validate_list("ParentFolderIds", folders)?;
        let mut window = None;
        match &self.kind {
            FindKind::CleanGoid(value) => check_base64("CleanGlobalObjectId", value)?,
            FindKind::CalendarView {
                start,
                end,
                max_entries,
            } => {
                if end < start {
                    return Err(RequestError::InvertedRange {
                        name: "CalendarView",
                    }
                    .into());
                }
                if let Some(max) = max_entries {
                    check_range(
                        "MaxEntriesReturned",
                        i64::from(*max),
                        1,
                        i64::from(i32::MAX),
                    )?;
                }
                window = Some((format_time(start)?, format_time(end)?));
            }
        }
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:FindItem", &[("Traversal", "Shallow")]);
            write_calendar_shape(xml);
            match &self.kind {
                FindKind::CleanGoid(value) => {
                    xml.start("m:Restriction", &[]);
                    xml.start("t:IsEqualTo", &[]);
                    write_meeting_binary(xml, CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID);
                    xml.start("t:FieldURIOrConstant", &[]);
                    xml.empty("t:Constant", &[("Value", value.trim())]);
                    xml.end("t:FieldURIOrConstant");
                    xml.end("t:IsEqualTo");
                    xml.end("m:Restriction");
                }
                FindKind::CalendarView { max_entries, .. } => {
                    let (start, end) = window.unwrap_or_default();
                    let max = max_entries.map(|m| m.to_string());
                    let mut attrs = Vec::with_capacity(3);
                    if let Some(max) = &max {
                        attrs.push(("MaxEntriesReturned", max.as_str()));
                    }
                    attrs.push(("StartDate", start.as_str()));
                    attrs.push(("EndDate", end.as_str()));
                    xml.empty("m:CalendarView", &attrs);
                }
            }
            folder::write_list(xml, "m:ParentFolderIds", folders);
            xml.end("m:FindItem");
        }))
    }
}

/// Reads an RFC 3339 date and time with an offset (`2026-11-23T09:00:00Z`,
/// `2026-11-23T18:00:00+09:00`), for [`FindItemRequest::calendar_view`] from text.
///
/// # Errors
///
/// `invalid_text` when `text` is not an RFC 3339 date-time.
///
/// # Examples
///
/// ```
/// use ews_notify::request::parse_date_time;
///
/// let t = parse_date_time("2026-11-23T18:00:00+09:00")?;
/// assert_eq!(t.unix_timestamp(), 1_795_424_400);
/// assert_eq!(parse_date_time("2026-11-23").unwrap_err().code(), "invalid_text");
/// # Ok::<(), ews_notify::Error>(())
/// ```
pub fn parse_date_time(text: &str) -> Result<OffsetDateTime, crate::Error> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| {
        RequestError::InvalidText {
            name: "date-time",
            reason: "is not an RFC 3339 date and time with an offset",
        }
        .into()
    })
}

/// `xs:dateTime` text for `t` (RFC 3339, e.g. `2026-11-23T09:00:00Z`).
fn format_time(t: &OffsetDateTime) -> Result<String, RequestError> {
    t.format(&Rfc3339).map_err(|_| RequestError::InvalidText {
        name: "CalendarView",
        reason: "holds a date that xs:dateTime cannot carry",
    })
}

fn check_base64(name: &'static str, value: &str) -> Result<(), RequestError> {
    check_non_empty(name, value)?;
    match base64::engine::general_purpose::STANDARD.decode(value.trim()) {
        Ok(bytes) if !bytes.is_empty() => Ok(()),
        _ => Err(RequestError::InvalidText {
            name,
            reason: "is not base64",
        }),
    }
}

/// `SyncScope` of a `SyncFolderItems` request.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncscope>.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SyncScope {
    /// `NormalItems`: the folder's visible items (the default).
    #[default]
    NormalItems,
    /// `NormalAndAssociatedItems`: also the folder-associated items.
    NormalAndAssociatedItems,
}

/// Builds a `SyncFolderItems` request: the changes to a folder since `SyncState` (from scratch
/// without one), at most `MaxChangesReturned` (1-512) per call. This is the catch-up after a
/// lost subscription.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation>.
///
/// ```
/// use ews_notify::request::{FolderId, SyncFolderItemsRequest};
///
/// let xml = SyncFolderItemsRequest::new(FolderId::distinguished("calendar"), 512)
///     .sync_state("H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733jXMmSv/+l3+Z+4Rcy1KJ")
///     .build()?;
/// assert!(xml.contains("<m:MaxChangesReturned>512</m:MaxChangesReturned>"));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFolderItemsRequest {
    folder: FolderId,
    sync_state: Option<String>,
    max_changes_returned: u32,
    scope: Option<SyncScope>,
    header: RequestHeader,
}

impl SyncFolderItemsRequest {
    /// Changes to `folder`, at most `max_changes_returned` (1-512) per call.
    pub fn new(folder: FolderId, max_changes_returned: u32) -> Self {
        Self {
            folder,
            sync_state: None,
            max_changes_returned,
            scope: None,
            header: RequestHeader::default(),
        }
    }

    /// Continues from `sync_state` (the `SyncState` of the previous response).
    #[must_use]
    pub fn sync_state(mut self, sync_state: impl Into<String>) -> Self {
        self.sync_state = Some(sync_state.into());
        self
    }

    /// Sets `SyncScope`.
    #[must_use]
    pub fn scope(mut self, scope: SyncScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `out_of_range` (MaxChangesReturned outside 1-512), `invalid_text` (an empty or
    /// unwritable sync state or folder id), `unknown_name` (distinguished folder).
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        self.folder.validate()?;
        if let Some(state) = &self.sync_state {
            check_non_empty("SyncState", state)?;
        }
        check_range(
            "MaxChangesReturned",
            i64::from(self.max_changes_returned),
            1,
            512,
        )?;
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:SyncFolderItems", &[]);
            write_calendar_shape(xml);
            xml.start("m:SyncFolderId", &[]);
            self.folder.write(xml);
            xml.end("m:SyncFolderId");
            if let Some(state) = &self.sync_state {
                xml.text("m:SyncState", state.trim());
            }
            xml.text(
                "m:MaxChangesReturned",
                &self.max_changes_returned.to_string(),
            );
            if let Some(scope) = self.scope {
                let text = match scope {
                    SyncScope::NormalItems => "NormalItems",
                    SyncScope::NormalAndAssociatedItems => "NormalAndAssociatedItems",
                };
                xml.text("m:SyncScope", text);
            }
            xml.end("m:SyncFolderItems");
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use time::macros::datetime;

    use super::*;
    use crate::request::schema::assert_valid;

    const CLEAN: &str =
        "BAAAAIIA4AB0xbcQGoLgCAAAAACA5qDNaGrdAQAAAAAAAAAAEAAAAD4cWn+bLUxgqOHw0sO0pZY=";

    #[test]
    fn get_item_asks_for_both_goids_and_the_uid() {
        let xml = GetItemRequest::new([
            ItemRef::id("AAMkADk="),
            ItemRef::ItemId {
                id: "AAMkADl=".into(),
                change_key: Some("DwAAABYA".into()),
            },
            ItemRef::Occurrence {
                recurring_master_id: "AAMkADm=".into(),
                instance_index: 3,
            },
            ItemRef::RecurringMaster {
                occurrence_id: "AAMkADo=".into(),
            },
        ])
        .header(RequestHeader::default().impersonate_smtp("room1@example.com"))
        .build()
        .unwrap();
        assert_valid(&xml);
        assert!(xml.contains(
            r#"<t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="3" PropertyType="Binary"/>"#
        ));
        assert!(xml.contains(
            r#"<t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="35" PropertyType="Binary"/>"#
        ));
        assert!(xml.contains(r#"<t:FieldURI FieldURI="calendar:UID"/>"#));
        assert!(
            xml.contains(r#"<t:OccurrenceItemId RecurringMasterId="AAMkADm=" InstanceIndex="3"/>"#)
        );
    }

    #[test]
    fn get_item_refuses_empty_lists_and_index_zero() {
        assert_eq!(
            GetItemRequest::new([]).build().unwrap_err().code(),
            "empty_list"
        );
        let e = GetItemRequest::new([ItemRef::Occurrence {
            recurring_master_id: "AAMk".into(),
            instance_index: 0,
        }])
        .build()
        .unwrap_err();
        assert_eq!(e.code(), "out_of_range");
    }

    #[test]
    fn find_item_by_clean_goid_is_schema_valid() {
        let xml = FindItemRequest::by_clean_goid(CLEAN).build().unwrap();
        assert_valid(&xml);
        assert!(xml.contains(&format!(r#"<t:Constant Value="{CLEAN}"/>"#)));
        assert!(xml.contains(r#"<t:DistinguishedFolderId Id="calendar"/>"#));
        assert!(!xml.contains("CalendarView"), "no view with a restriction");

        let xml = FindItemRequest::by_clean_goid(CLEAN)
            .folder(FolderId::distinguished("calendar").with_mailbox("room1@example.com"))
            .folder(FolderId::id("AAMkAGFolder="))
            .build()
            .unwrap();
        assert_valid(&xml);
    }

    #[test]
    fn find_item_calendar_view_is_schema_valid() {
        let xml = FindItemRequest::calendar_view(
            datetime!(2026-11-23 00:00 UTC),
            datetime!(2026-11-30 00:00 +09:00),
        )
        .max_entries(100)
        .build()
        .unwrap();
        assert_valid(&xml);
        assert!(xml.contains(
            r#"<m:CalendarView MaxEntriesReturned="100" StartDate="2026-11-23T00:00:00Z" EndDate="2026-11-30T00:00:00+09:00"/>"#
        ));
        assert!(!xml.contains("Restriction"));
    }

    #[test]
    fn find_item_refuses_bad_values() {
        assert_eq!(
            FindItemRequest::by_clean_goid("not base64!")
                .build()
                .unwrap_err()
                .code(),
            "invalid_text"
        );
        assert_eq!(
            FindItemRequest::by_clean_goid("")
                .build()
                .unwrap_err()
                .code(),
            "invalid_text"
        );
        let e = FindItemRequest::calendar_view(
            datetime!(2026-11-30 00:00 UTC),
            datetime!(2026-11-23 00:00 UTC),
        )
        .build()
        .unwrap_err();
        assert_eq!(e.code(), "inverted_range");
        let e = FindItemRequest::calendar_view(
            datetime!(2026-11-23 00:00 UTC),
            datetime!(2026-11-23 00:00 UTC),
        )
        .max_entries(0)
        .build()
        .unwrap_err();
        assert_eq!(e.code(), "out_of_range");
    }

    #[test]
    fn sync_folder_items_is_schema_valid() {
        let first = SyncFolderItemsRequest::new(FolderId::distinguished("calendar"), 1)
            .build()
            .unwrap();
        assert_valid(&first);
        assert!(!first.contains("SyncState"), "a first sync has no state");
        let next = SyncFolderItemsRequest::new(
            FolderId::distinguished("calendar").with_mailbox("room1@example.com"),
            512,
        )
        .sync_state("H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiA")
        .scope(SyncScope::NormalAndAssociatedItems)
        .build()
        .unwrap();
        assert_valid(&next);
        assert!(
            next.contains(
                "<m:SyncState>H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiA</m:SyncState>"
            )
        );
    }

    #[test]
    fn sync_folder_items_refuses_out_of_range_counts() {
        for n in [0, 513] {
            let e = SyncFolderItemsRequest::new(FolderId::distinguished("calendar"), n)
                .build()
                .unwrap_err();
            assert_eq!(e.code(), "out_of_range", "MaxChangesReturned {n}");
        }
    }
}
