//! `GlobalObjectId`: a class over core's GlobalObjectId. Decoding and every rule live in core.

use napi::bindgen_prelude::{BigInt, Buffer, Unknown};
use napi::{Env, Status};
use napi_derive::napi;

use crate::error::to_js_error;
use crate::parse::json_to_js;

/// A readable-but-odd finding about a GlobalObjectId (offsets index its bytes).
#[napi(object)]
pub struct GoidWarning {
    /// Stable snake_case slug, prefixed `goid_`.
    pub code: String,
    /// Byte offset into the id.
    pub offset: u32,
    /// What was found.
    pub message: String,
}

/// A PidLidGlobalObjectId (or CleanGlobalObjectId) value: the id that names one meeting in every
/// mailbox ([MS-OXOCAL] 2.2.1.27). Construct it with `fromBase64` (the form EWS returns),
/// `fromHex`, `decode` (either), `fromBytes` or `fromIcalUid`. Holds its own copy of the bytes.
///
/// Constructors throw an `Error` with `code` (`goid_bad_base64`, `goid_too_short`, ...) and
/// `offset` (into the text or bytes given).
#[napi]
pub struct GlobalObjectId {
    inner: ews_notify::goid::GlobalObjectId<'static>,
}

fn wrap(
    env: &Env,
    r: Result<ews_notify::goid::GlobalObjectId<'static>, ews_notify::Error>,
) -> napi::Result<GlobalObjectId> {
    r.map(|inner| GlobalObjectId { inner })
        .map_err(|e| to_js_error(env, &e))
}

/// Reads an optional `YYYY-MM-DD` argument.
fn date_arg(name: &str, text: Option<String>) -> napi::Result<Option<time::Date>> {
    let Some(text) = text else { return Ok(None) };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&text, format).map(Some).map_err(|_| {
        napi::Error::new(
            Status::InvalidArg,
            format!("`{name}` must be a date written YYYY-MM-DD, got {text:?}"),
        )
    })
}

#[napi]
impl GlobalObjectId {
    /// Decodes base64 text (the EWS `ExtendedProperty` value); white space around it is ignored.
    #[napi(factory)]
    pub fn from_base64(env: Env, text: String) -> napi::Result<Self> {
        wrap(&env, ews_notify::goid::GlobalObjectId::from_base64(&text))
    }

    /// Decodes hex text, digits in either case; white space around it is ignored.
    #[napi(factory)]
    pub fn from_hex(env: Env, text: String) -> napi::Result<Self> {
        wrap(&env, ews_notify::goid::GlobalObjectId::from_hex(&text))
    }

    /// Decodes hex or base64, whichever the text is.
    #[napi(factory)]
    pub fn decode(env: Env, text: String) -> napi::Result<Self> {
        wrap(&env, ews_notify::goid::GlobalObjectId::decode(&text))
    }

    /// Reads the raw bytes (copied).
    #[napi(factory, ts_args_type = "bytes: Buffer | Uint8Array")]
    pub fn from_bytes(
        env: Env,
        bytes: napi::bindgen_prelude::Uint8ArraySlice<'_>,
    ) -> napi::Result<Self> {
        wrap(
            &env,
            ews_notify::goid::GlobalObjectId::from_vec(bytes.to_vec()),
        )
    }

    /// The GlobalObjectId an iCalendar UID stands for ([MS-OXCICAL] 2.1.3.1.1.20.26).
    /// `instanceDate` (`YYYY-MM-DD`, the date of a `RECURRENCE-ID`) makes it an exception's id.
    #[napi(factory)]
    pub fn from_ical_uid(
        env: Env,
        uid: String,
        instance_date: Option<String>,
    ) -> napi::Result<Self> {
        let date = date_arg("instanceDate", instance_date)?;
        wrap(
            &env,
            ews_notify::goid::GlobalObjectId::from_ical_uid(&uid, date),
        )
    }

    /// Every byte, as given (a copy).
    #[napi(getter)]
    pub fn bytes(&self) -> Buffer {
        Buffer::from(self.inner.as_bytes())
    }

    /// Uppercase hex of every byte.
    #[napi(getter)]
    pub fn hex(&self) -> String {
        self.inner.to_hex()
    }

    /// Standard padded base64 of every byte: the EWS `ExtendedProperty` value.
    #[napi(getter)]
    pub fn base64(&self) -> String {
        self.inner.to_base64()
    }

    /// `YYYY-MM-DD` of the instance an exception replaces; `null` for a series, a single
    /// meeting or a clean id.
    #[napi(getter)]
    pub fn instance_date(&self) -> Option<String> {
        self.inner.summary().instance_date
    }

    /// Creation time, RFC 3339 UTC with seven fractional digits (100 ns ticks); `null` when the
    /// field is zero or out of range.
    #[napi(getter)]
    pub fn creation_time(&self) -> Option<String> {
        self.inner.summary().creation_time
    }

    /// The raw creation time: 100 ns ticks since 1601-01-01 UTC (FILETIME).
    #[napi(getter)]
    pub fn creation_filetime(&self) -> BigInt {
        BigInt::from(self.inner.creation_filetime())
    }

    /// The 8 reserved bytes (they must be zero; see `warnings`).
    #[napi(getter)]
    pub fn reserved(&self) -> Buffer {
        Buffer::from(self.inner.reserved())
    }

    /// The Size field: how many data bytes follow the 40-byte header.
    #[napi(getter)]
    pub fn data_size(&self) -> u32 {
        self.inner.data_size()
    }

    /// The Size bytes of data after the header.
    #[napi(getter)]
    pub fn data(&self) -> Buffer {
        Buffer::from(self.inner.data())
    }

    /// The third-party UID inside a `vCal-Uid` id, or `null`.
    #[napi(getter)]
    pub fn vcal_uid(&self) -> Option<String> {
        self.inner.vcal_uid().map(str::to_owned)
    }

    /// Whether the instance date is set: one instance of a series (an exception or an orphan).
    #[napi(getter)]
    pub fn is_exception(&self) -> bool {
        self.inner.is_exception()
    }

    /// The iCalendar UID: the embedded `vCal-Uid` text, or the uppercase hex of the clean form.
    #[napi(getter)]
    pub fn ical_uid(&self) -> String {
        self.inner.to_ical_uid()
    }

    /// Base64 of the clean form: the value a `FindItem` restriction on
    /// PidLidCleanGlobalObjectId compares with.
    #[napi(getter)]
    pub fn restriction_value(&self) -> String {
        self.inner.restriction_value()
    }

    /// Readable-but-odd findings, in byte order.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<GoidWarning> {
        self.inner
            .warnings()
            .iter()
            .map(|w| GoidWarning {
                code: w.code().to_owned(),
                offset: u32::try_from(w.offset()).unwrap_or(u32::MAX),
                message: w.to_string(),
            })
            .collect()
    }

    /// The clean form ([MS-OXOCAL] 2.2.1.28): instance date zeroed. A series, its exceptions
    /// and its orphan instances share it.
    #[napi]
    pub fn clean(&self) -> GlobalObjectId {
        GlobalObjectId {
            inner: self.inner.clean(),
        }
    }

    /// The same id with another instance date (`YYYY-MM-DD`; `null` clears it).
    #[napi]
    pub fn with_instance_date(
        &self,
        env: Env,
        date: Option<String>,
    ) -> napi::Result<GlobalObjectId> {
        let date = date_arg("date", date)?;
        wrap(&env, self.inner.with_instance_date(date))
    }

    /// Whether both ids name the same meeting (their clean forms are equal).
    #[napi]
    pub fn same_meeting(&self, other: &GlobalObjectId) -> bool {
        ews_notify::goid::same_meeting(&self.inner, &other.inner)
    }

    /// Whether both ids have the same bytes.
    #[napi]
    pub fn equals(&self, other: &GlobalObjectId) -> bool {
        self.inner == other.inner
    }

    /// The canonical GOID JSON shape as a plain object (`JSON.stringify(id)` gives it as text).
    #[napi(js_name = "toJSON", ts_return_type = "GoidSummary")]
    pub fn to_json<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        json_to_js(env, &self.inner.to_json())
    }

    /// The hex form.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_hex()
    }
}
