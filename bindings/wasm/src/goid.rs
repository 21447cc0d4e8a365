//! `GlobalObjectId`: decode, clean and convert meeting ids.

use ews_notify::GlobalObjectId;
use ews_notify::goid;
use wasm_bindgen::prelude::*;

use crate::{error, input};

/// A validated PidLidGlobalObjectId or PidLidCleanGlobalObjectId value ([MS-OXOCAL] 2.2.1.27).
/// Owns a copy of its bytes.
#[wasm_bindgen(js_name = GlobalObjectId)]
pub struct JsGlobalObjectId {
    inner: GlobalObjectId<'static>,
}

fn wrap(
    result: Result<GlobalObjectId<'static>, ews_notify::Error>,
) -> Result<JsGlobalObjectId, JsValue> {
    result
        .map(|inner| JsGlobalObjectId { inner })
        .map_err(|e| error::to_js_error(&e))
}

/// A string, or `null` (as the Node package returns) for `None`.
fn nullable(value: Option<String>) -> JsValue {
    value.map_or(JsValue::NULL, |s| JsValue::from_str(&s))
}

/// A `YYYY-MM-DD` date, `null` or `undefined`.
fn date(value: Option<&JsValue>) -> Result<Option<time::Date>, JsValue> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    let Some(text) = value.as_string() else {
        return Err(error::invalid_type(
            "instanceDate must be a YYYY-MM-DD string",
        ));
    };
    let bad = || error::out_of_range(&format!("instanceDate `{text}` is not a YYYY-MM-DD date"));
    let mut parts = text.splitn(3, '-');
    let mut field = |digits: usize| -> Option<u16> {
        let part = parts.next()?;
        (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (field(4), field(2), field(2)) else {
        return Err(bad());
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = u8::try_from(day).map_err(|_| bad())?;
    time::Date::from_calendar_date(i32::from(year), month, day)
        .map(Some)
        .map_err(|_| bad())
}

#[wasm_bindgen(js_class = GlobalObjectId)]
impl JsGlobalObjectId {
    /// Reads an id from its bytes (copied).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<JsGlobalObjectId, JsValue> {
        wrap(GlobalObjectId::from_vec(bytes.to_vec()))
    }

    /// Decodes base64 text (the form EWS returns). Error offsets index the text.
    #[wasm_bindgen(js_name = fromBase64)]
    pub fn from_base64(text: &str) -> Result<JsGlobalObjectId, JsValue> {
        wrap(GlobalObjectId::from_base64(text))
    }

    /// Decodes hex text, digits in either case. Error offsets index the text.
    #[wasm_bindgen(js_name = fromHex)]
    pub fn from_hex(text: &str) -> Result<JsGlobalObjectId, JsValue> {
        wrap(GlobalObjectId::from_hex(text))
    }

    /// Decodes hex or base64, whichever the text is.
    pub fn decode(text: &str) -> Result<JsGlobalObjectId, JsValue> {
        wrap(GlobalObjectId::decode(text))
    }

    /// The id an iCalendar UID stands for ([MS-OXCICAL] 2.1.3.1.1.20.26), with the date of its
    /// `RECURRENCE-ID` (`YYYY-MM-DD`) for an exception.
    #[wasm_bindgen(js_name = fromIcalUid)]
    pub fn from_ical_uid(
        uid: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] instance_date: Option<
            JsValue,
        >,
    ) -> Result<JsGlobalObjectId, JsValue> {
        let date = date(instance_date.as_ref())?;
        wrap(GlobalObjectId::from_ical_uid(uid, date))
    }

    /// Every byte (a copy).
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Vec<u8> {
        self.inner.as_bytes().to_vec()
    }

    /// `YYYY-MM-DD` of the exception's original instance, `null` for a series or single meeting.
    #[wasm_bindgen(getter = instanceDate, unchecked_return_type = "string | null")]
    pub fn instance_date(&self) -> JsValue {
        nullable(self.inner.summary().instance_date)
    }

    /// Creation time, RFC 3339 UTC with seven fractional digits; `null` when zero or out of range.
    #[wasm_bindgen(getter = creationTime, unchecked_return_type = "string | null")]
    pub fn creation_time(&self) -> JsValue {
        nullable(self.inner.summary().creation_time)
    }

    /// The raw creation time: 100 ns ticks since 1601-01-01 UTC.
    #[wasm_bindgen(getter = creationFiletime)]
    pub fn creation_filetime(&self) -> u64 {
        self.inner.creation_filetime()
    }

    /// The 8 reserved bytes.
    #[wasm_bindgen(getter)]
    pub fn reserved(&self) -> Vec<u8> {
        self.inner.reserved().to_vec()
    }

    /// The Size field.
    #[wasm_bindgen(getter = dataSize)]
    pub fn data_size(&self) -> u32 {
        self.inner.data_size()
    }

    /// The data the Size field counts.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Vec<u8> {
        self.inner.data().to_vec()
    }

    /// The third-party UID inside a `vCal-Uid` id, or `null`.
    #[wasm_bindgen(getter = vcalUid, unchecked_return_type = "string | null")]
    pub fn vcal_uid(&self) -> JsValue {
        nullable(self.inner.vcal_uid().map(str::to_owned))
    }

    /// Whether this id belongs to one instance of a series (an exception or orphan instance).
    #[wasm_bindgen(getter = isException)]
    pub fn is_exception(&self) -> bool {
        self.inner.is_exception()
    }

    /// The iCalendar UID: the embedded `vCal-Uid` text, or the uppercase hex of the clean form.
    #[wasm_bindgen(getter = icalUid)]
    pub fn ical_uid(&self) -> String {
        self.inner.to_ical_uid()
    }

    /// Standard padded base64 of every byte: the EWS `ExtendedProperty` value.
    #[wasm_bindgen(getter)]
    pub fn base64(&self) -> String {
        self.inner.to_base64()
    }

    /// Uppercase hex of every byte.
    #[wasm_bindgen(getter)]
    pub fn hex(&self) -> String {
        self.inner.to_hex()
    }

    /// Base64 of the clean form: the value a `FindItem` restriction on
    /// PidLidCleanGlobalObjectId compares with.
    #[wasm_bindgen(getter = restrictionValue)]
    pub fn restriction_value(&self) -> String {
        self.inner.restriction_value()
    }

    /// Readable-but-odd findings, in byte order.
    #[wasm_bindgen(getter, unchecked_return_type = "GoidWarning[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        input::to_js(&self.inner.summary().warnings)
    }

    /// The clean form ([MS-OXOCAL] 2.2.1.28): instance date zeroed. A series, its exceptions
    /// and its orphan instances share it.
    pub fn clean(&self) -> JsGlobalObjectId {
        JsGlobalObjectId {
            inner: self.inner.clean(),
        }
    }

    /// The same id with another instance date (`YYYY-MM-DD`; `null` clears it).
    #[wasm_bindgen(js_name = withInstanceDate)]
    pub fn with_instance_date(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null")] date_text: JsValue,
    ) -> Result<JsGlobalObjectId, JsValue> {
        let date = date(Some(&date_text))?;
        wrap(self.inner.with_instance_date(date))
    }

    /// The canonical GOID JSON shape as a plain object, so `JSON.stringify(id)` is the
    /// canonical GOID JSON.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "GoidSummary")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        input::to_js(&self.inner.summary())
    }

    /// The hex form.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.to_hex()
    }

    /// Whether both ids name the same meeting (their clean forms are equal).
    #[wasm_bindgen(js_name = sameMeeting)]
    pub fn same_meeting(&self, other: &JsGlobalObjectId) -> bool {
        goid::same_meeting(&self.inner, &other.inner)
    }

    /// Byte equality.
    pub fn equals(&self, other: &JsGlobalObjectId) -> bool {
        self.inner == other.inner
    }
}
