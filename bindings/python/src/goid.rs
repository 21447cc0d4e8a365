//! `GlobalObjectId`: decode, clean and compare calendar meeting ids.

use ews_notify::goid::{GlobalObjectId, GoidWarning, same_meeting};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use crate::error::to_py_err;
use crate::json;
use crate::repr::quote;

/// A calendar meeting's GlobalObjectId (PidLidGlobalObjectId, [MS-OXOCAL] 2.2.1.27) or its clean
/// form (PidLidCleanGlobalObjectId, 2.2.1.28).
///
/// A meeting is the same meeting in every mailbox because its items share this id. An exception
/// to a recurring series (and an orphan instance an attendee got alone) carries its original
/// instance date inside the id; the clean form zeroes it, so the series and all its instances
/// share the clean form.
///
/// Frozen. **Equality and hashing compare the exact bytes**: an exception and its series are not
/// equal. To ask "same meeting?", use :meth:`same_meeting` (or compare :meth:`clean` forms, which
/// is the same test); to key a dict by meeting, key it by ``goid.clean()``.
///
/// Args:
///     data: The raw bytes (copied).
///
/// Raises:
///     GoidError: The bytes are not a GlobalObjectId (``goid_too_short``, ``goid_wrong_class_id``,
///         ...), with the byte offset of the problem.
///
/// Example:
///     >>> goid = GlobalObjectId.from_hex(
///     ...     "040000008200E00074C5B7101A82E00807D803195025D461E473C801"
///     ...     "0000000000000000100000002A5844B3A444F74A9C246C60886F116B")
///     >>> goid.is_exception, goid.instance_date
///     (True, datetime.date(2008, 3, 25))
///     >>> goid.creation_time
///     datetime.datetime(2008, 2, 20, 17, 16, 51, 109000, tzinfo=datetime.timezone.utc)
///     >>> goid.creation_filetime
///     128480014111090000
///     >>> goid.clean().is_exception, goid.same_meeting(goid.clean()), goid == goid.clean()
///     (False, True, False)
///     >>> goid.ical_uid[:56]
///     '040000008200E00074C5B7101A82E008000000005025D461E473C801'
#[pyclass(name = "GlobalObjectId", module = "ews_notify", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyGlobalObjectId {
    inner: GlobalObjectId<'static>,
}

impl From<GlobalObjectId<'static>> for PyGlobalObjectId {
    fn from(inner: GlobalObjectId<'static>) -> Self {
        Self { inner }
    }
}

/// Something odd about a GlobalObjectId that is still readable (see
/// :attr:`GlobalObjectId.warnings`). Frozen and hashable.
#[pyclass(name = "GoidWarning", module = "ews_notify", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyGoidWarning {
    inner: GoidWarning,
}

#[pymethods]
impl PyGoidWarning {
    /// Stable snake_case code, prefixed ``goid_`` (``"goid_reserved_nonzero"``, ...).
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code()
    }

    /// Byte offset into the id where the finding is.
    #[getter]
    fn offset(&self) -> usize {
        self.inner.offset()
    }

    /// What was found, in words.
    #[getter]
    fn message(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<GoidWarning {} at byte {}: {}>",
            self.inner.code(),
            self.inner.offset(),
            self.inner
        )
    }
}

#[pymethods]
impl PyGlobalObjectId {
    #[new]
    fn new(py: Python<'_>, data: PyBackedBytes) -> PyResult<Self> {
        Self::from_bytes(py, data)
    }

    /// Reads a GlobalObjectId from its raw bytes (copied).
    ///
    /// Raises:
    ///     GoidError: The bytes are not a GlobalObjectId; ``offset`` is a byte index.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: PyBackedBytes) -> PyResult<Self> {
        GlobalObjectId::from_vec(data.to_vec())
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Decodes base64 text (the form EWS returns in ``ExtendedProperty/Value``).
    ///
    /// Surrounding white space is ignored; padding is optional.
    ///
    /// Raises:
    ///     GoidError: ``goid_bad_base64`` or a layout error; ``offset`` is a character index
    ///         into ``text``.
    ///
    /// Example:
    ///     >>> goid = GlobalObjectId.from_base64(
    ///     ...     "BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=")
    ///     >>> goid.data_size, goid.is_exception
    ///     (16, False)
    #[staticmethod]
    fn from_base64(py: Python<'_>, text: &str) -> PyResult<Self> {
        GlobalObjectId::from_base64(text)
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Decodes hex text, digits in either case. Surrounding white space is ignored.
    ///
    /// Raises:
    ///     GoidError: ``goid_bad_hex``, ``goid_odd_hex_length`` or a layout error; ``offset``
    ///         is a character index into ``text``.
    #[staticmethod]
    fn from_hex(py: Python<'_>, text: &str) -> PyResult<Self> {
        GlobalObjectId::from_hex(text)
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Decodes hex or base64, whichever ``text`` is.
    ///
    /// Raises:
    ///     GoidError: As :meth:`from_hex` or :meth:`from_base64`.
    #[staticmethod]
    fn decode(py: Python<'_>, text: &str) -> PyResult<Self> {
        GlobalObjectId::decode(text)
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// The GlobalObjectId an iCalendar UID stands for ([MS-OXCICAL] 2.1.3.1.1.20.26).
    ///
    /// An Outlook-style hex UID is decoded; any other UID is wrapped in the ``vCal-Uid`` form.
    ///
    /// Args:
    ///     uid: The iCalendar ``UID``.
    ///     instance_date: The date of the ``RECURRENCE-ID``, if any: written into the id
    ///         (an exception).
    ///
    /// Raises:
    ///     GoidError: ``goid_empty_uid``, ``goid_uid_too_long``, a hex error, or
    ///         ``goid_impossible_date``.
    ///
    /// Example:
    ///     >>> goid = GlobalObjectId.from_ical_uid("{81412D3C-2A24-4E9D-B20E-11F7BBE92799}")
    ///     >>> goid.vcal_uid
    ///     '{81412D3C-2A24-4E9D-B20E-11F7BBE92799}'
    ///     >>> goid.ical_uid == goid.vcal_uid
    ///     True
    #[staticmethod]
    #[pyo3(signature = (uid, instance_date = None))]
    fn from_ical_uid(
        py: Python<'_>,
        uid: &str,
        instance_date: Option<time::Date>,
    ) -> PyResult<Self> {
        GlobalObjectId::from_ical_uid(uid, instance_date)
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Every byte, as given (trailing bytes included).
    fn __bytes__(&self) -> &[u8] {
        self.inner.as_bytes()
    }

    /// Every byte, as given: the same as ``bytes(goid)``.
    fn to_bytes(&self) -> &[u8] {
        self.inner.as_bytes()
    }

    /// The original date of the instance this exception replaces; ``None`` for a series, a
    /// single meeting, or a clean id.
    #[getter]
    fn instance_date(&self) -> Option<time::Date> {
        self.inner.instance_date()
    }

    /// When the id was generated, as an aware UTC ``datetime``; ``None`` when the field is zero
    /// or out of range. ``datetime`` holds microseconds: the exact 100 ns value is
    /// :attr:`creation_filetime`.
    #[getter]
    fn creation_time(&self) -> Option<time::OffsetDateTime> {
        self.inner.creation_time()
    }

    /// The raw creation time: 100 ns ticks since 1601-01-01 UTC (a Windows FILETIME).
    #[getter]
    fn creation_filetime(&self) -> u64 {
        self.inner.creation_filetime()
    }

    /// The 8 reserved bytes (which must be zero; see :attr:`warnings`).
    #[getter]
    fn reserved(&self) -> &[u8] {
        self.inner.reserved()
    }

    /// The Size field: how many data bytes follow the 40-byte header.
    #[getter]
    fn data_size(&self) -> u32 {
        self.inner.data_size()
    }

    /// The Size bytes of data after the header.
    #[getter]
    fn data(&self) -> &[u8] {
        self.inner.data()
    }

    /// The third-party UID inside a ``vCal-Uid`` id, or ``None``.
    #[getter]
    fn vcal_uid(&self) -> Option<&str> {
        self.inner.vcal_uid()
    }

    /// Whether the instance date is set (an exception or orphan instance, not the series).
    #[getter]
    fn is_exception(&self) -> bool {
        self.inner.is_exception()
    }

    /// The iCalendar UID: the embedded ``vCal-Uid`` text, or the uppercase hex of the clean form.
    #[getter]
    fn ical_uid(&self) -> String {
        self.inner.to_ical_uid()
    }

    /// Uppercase hex of every byte.
    #[getter]
    fn hex(&self) -> String {
        self.inner.to_hex()
    }

    /// Standard padded base64 of every byte (the EWS ``ExtendedProperty`` value).
    #[getter]
    fn base64(&self) -> String {
        self.inner.to_base64()
    }

    /// The value to compare PidLidCleanGlobalObjectId with in an EWS ``FindItem`` restriction
    /// (base64 of the clean form).
    #[getter]
    fn restriction_value(&self) -> String {
        self.inner.restriction_value()
    }

    /// Readable-but-odd findings, in byte order.
    #[getter]
    fn warnings(&self) -> Vec<PyGoidWarning> {
        self.inner
            .warnings()
            .into_iter()
            .map(|inner| PyGoidWarning { inner })
            .collect()
    }

    /// The clean form: the same id with the instance date zeroed.
    fn clean(&self) -> Self {
        self.inner.clean().into()
    }

    /// The same id with another instance date (``None`` clears it).
    ///
    /// Raises:
    ///     GoidError: ``goid_impossible_date`` for a date outside years 1 to 9999.
    #[pyo3(signature = (date, /))]
    fn with_instance_date(&self, py: Python<'_>, date: Option<time::Date>) -> PyResult<Self> {
        self.inner
            .with_instance_date(date)
            .map(Self::from)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Whether ``other`` names the same meeting: the clean forms are equal.
    #[pyo3(signature = (other, /))]
    fn same_meeting(&self, other: &Self) -> bool {
        same_meeting(&self.inner, &other.inner)
    }

    /// The canonical GOID JSON (compact), identical to the CLI's ``ews-notify goid``.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The canonical GOID JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.inner.to_json())
    }

    fn __repr__(&self) -> String {
        format!("GlobalObjectId.from_hex({})", quote(&self.inner.to_hex()))
    }
}

/// Whether two ids name the same meeting: their clean forms are equal ([MS-OXOCAL] 2.2.1.28).
///
/// True for a series and any of its exceptions or orphan instances, in any mailbox.
///
/// Example:
///     >>> a = GlobalObjectId.from_hex(
///     ...     "040000008200E00074C5B7101A82E00807D803195025D461E473C801"
///     ...     "0000000000000000100000002A5844B3A444F74A9C246C60886F116B")
///     >>> same_meeting(a, a.with_instance_date(None)), a == a.with_instance_date(None)
///     (True, False)
#[pyfunction(name = "same_meeting")]
pub fn py_same_meeting(a: &PyGlobalObjectId, b: &PyGlobalObjectId) -> bool {
    same_meeting(&a.inner, &b.inner)
}
