//! The SOAP header of a request (`RequestServerVersion`, `ExchangeImpersonation`) and the HTTP
//! headers EWS expects alongside.

use std::fmt;
use std::str::FromStr;

use super::writer::{WriteXml, Xml};
use super::{RequestError, check_non_empty, cut};

macro_rules! exchange_versions {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The `Version` of a `RequestServerVersion` header: the schema version the request is
        /// written against. Notifications need `Exchange2010_SP1` or later for streaming.
        ///
        /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/requestserverversion>.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[allow(non_camel_case_types)] // the names are EWS's own spelling
        #[non_exhaustive]
        pub enum ExchangeVersion {
            $( $(#[$doc])* $name, )*
        }

        impl ExchangeVersion {
            /// Every version, oldest first.
            pub const ALL: &'static [ExchangeVersion] = &[$( Self::$name, )*];

            /// The version as EWS spells it, e.g. `Exchange2013_SP1`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$name => stringify!($name), )*
                }
            }
        }
    };
}

exchange_versions! {
    /// `Exchange2007`
    Exchange2007,
    /// `Exchange2007_SP1`
    Exchange2007_SP1,
    /// `Exchange2009`
    Exchange2009,
    /// `Exchange2010`
    Exchange2010,
    /// `Exchange2010_SP1` (first with streaming notifications)
    Exchange2010_SP1,
    /// `Exchange2010_SP2`
    Exchange2010_SP2,
    /// `Exchange2012`
    Exchange2012,
    /// `Exchange2013`
    Exchange2013,
    /// `Exchange2013_SP1` (the default)
    #[default]
    Exchange2013_SP1,
    /// `Exchange2015`
    Exchange2015,
    /// `Exchange2016`
    Exchange2016,
    /// `V2015_10_05`
    V2015_10_05,
    /// `V2016_01_06`
    V2016_01_06,
    /// `V2016_04_13`
    V2016_04_13,
    /// `V2016_07_13`
    V2016_07_13,
    /// `V2016_10_10`
    V2016_10_10,
}

impl fmt::Display for ExchangeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExchangeVersion {
    type Err = RequestError;

    /// Reads a version as EWS spells it (`Exchange2013_SP1`).
    ///
    /// # Errors
    ///
    /// [`RequestError::UnknownName`] for any other text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| RequestError::UnknownName {
                name: "Exchange version",
                value: cut(s),
            })
    }
}

/// Whom an `ExchangeImpersonation` header acts as (`ConnectingSID`).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/connectingsid>.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectingSid {
    /// `SmtpAddress`: any SMTP address of the mailbox (the usual choice).
    SmtpAddress(String),
    /// `PrimarySmtpAddress`.
    PrimarySmtpAddress(String),
    /// `PrincipalName`: the user principal name.
    PrincipalName(String),
    /// `SID`: the security identifier in SDDL form.
    Sid(String),
}

impl ConnectingSid {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Self::SmtpAddress(v) => ("SmtpAddress", v),
            Self::PrimarySmtpAddress(v) => ("PrimarySmtpAddress", v),
            Self::PrincipalName(v) => ("PrincipalName", v),
            Self::Sid(v) => ("SID", v),
        }
    }
}

/// The SOAP header of a request.
///
/// `RequestServerVersion` is always written (default `Exchange2013_SP1`);
/// `ExchangeImpersonation` when set.
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/exchangeimpersonation>.
///
/// ```
/// use ews_notify::request::{ExchangeVersion, RequestHeader};
///
/// let header = RequestHeader::new(ExchangeVersion::Exchange2016).impersonate_smtp("room1@example.com");
/// assert_eq!(header.version(), ExchangeVersion::Exchange2016);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestHeader {
    version: ExchangeVersion,
    impersonation: Option<ConnectingSid>,
}

impl RequestHeader {
    /// A header for `version`, without impersonation.
    pub fn new(version: ExchangeVersion) -> Self {
        Self {
            version,
            impersonation: None,
        }
    }

    /// A header from the texts a binding or command line is given: `version` as EWS spells it
    /// (`Exchange2016`; the default when `None`) and an SMTP address to impersonate.
    ///
    /// # Errors
    ///
    /// `unknown_name` when `version` is not an EWS `ExchangeVersion`.
    pub fn from_text(
        version: Option<&str>,
        impersonate: Option<&str>,
    ) -> Result<Self, crate::Error> {
        let version = match version {
            Some(text) => text.parse::<ExchangeVersion>()?,
            None => ExchangeVersion::default(),
        };
        let header = Self::new(version);
        Ok(match impersonate {
            Some(address) => header.impersonate_smtp(address),
            None => header,
        })
    }

    /// Acts as `sid` (an `ExchangeImpersonation` header).
    #[must_use]
    pub fn impersonate(mut self, sid: ConnectingSid) -> Self {
        self.impersonation = Some(sid);
        self
    }

    /// Acts as the mailbox with SMTP address `address`.
    #[must_use]
    pub fn impersonate_smtp(self, address: impl Into<String>) -> Self {
        self.impersonate(ConnectingSid::SmtpAddress(address.into()))
    }

    /// The `RequestServerVersion`.
    pub fn version(&self) -> ExchangeVersion {
        self.version
    }

    /// The impersonated identity, when set.
    pub fn impersonation(&self) -> Option<&ConnectingSid> {
        self.impersonation.as_ref()
    }

    pub(crate) fn validate(&self) -> Result<(), RequestError> {
        if let Some(sid) = &self.impersonation {
            let (name, value) = sid.parts();
            check_non_empty(name, value)?;
        }
        Ok(())
    }
}

impl WriteXml for RequestHeader {
    /// `RequestServerVersion`, then `ExchangeImpersonation` when one is set.
    fn write(&self, xml: &mut Xml) {
        xml.empty(
            "t:RequestServerVersion",
            &[("Version", self.version.as_str())],
        );
        if let Some(sid) = &self.impersonation {
            let (name, value) = sid.parts();
            xml.start("t:ExchangeImpersonation", &[]);
            xml.start("t:ConnectingSID", &[]);
            xml.text(&format!("t:{name}"), value);
            xml.end("t:ConnectingSID");
            xml.end("t:ExchangeImpersonation");
        }
    }
}

/// The HTTP headers to send with an EWS request, beside the SOAP XML.
///
/// - `Content-Type: text/xml; charset=utf-8` and `Accept: text/xml`, always.
/// - `X-AnchorMailbox`: the mailbox the request is about (the impersonated one, or the first
///   mailbox of a group of subscriptions), so Exchange Online routes it to that mailbox's server.
/// - `X-PreferServerAffinity: true`: asks for the `X-BackEndOverrideCookie` that keeps a group
///   of subscriptions and their `GetStreamingEvents` on one server.
/// - `Cookie: X-BackEndOverrideCookie=...`: the cookie from the Subscribe response, sent back.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-maintain-affinity-between-group-of-subscriptions-and-mailbox-server>.
///
/// ```
/// use ews_notify::request::HttpHeaders;
///
/// let headers = HttpHeaders::new()
///     .anchor_mailbox("room1@example.com")
///     .prefer_server_affinity(true)
///     .build()?;
/// assert!(headers.contains(&("X-AnchorMailbox", "room1@example.com".to_owned())));
/// assert!(headers.contains(&("X-PreferServerAffinity", "true".to_owned())));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpHeaders {
    anchor_mailbox: Option<String>,
    prefer_server_affinity: bool,
    backend_override_cookie: Option<String>,
}

impl HttpHeaders {
    /// Only the content headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `X-AnchorMailbox` to an SMTP address.
    #[must_use]
    pub fn anchor_mailbox(mut self, address: impl Into<String>) -> Self {
        self.anchor_mailbox = Some(address.into());
        self
    }

    /// Sets `X-PreferServerAffinity: true` when `prefer` is true.
    #[must_use]
    pub fn prefer_server_affinity(mut self, prefer: bool) -> Self {
        self.prefer_server_affinity = prefer;
        self
    }

    /// Sends back the `X-BackEndOverrideCookie` value a Subscribe response set.
    #[must_use]
    pub fn backend_override_cookie(mut self, value: impl Into<String>) -> Self {
        self.backend_override_cookie = Some(value.into());
        self
    }

    /// The headers as (name, value) pairs, in a stable order.
    ///
    /// # Errors
    ///
    /// [`RequestError::InvalidText`] when a value is empty or holds a control character (a line
    /// break would split the HTTP header).
    pub fn build(&self) -> Result<Vec<(&'static str, String)>, crate::Error> {
        let mut headers = vec![
            ("Content-Type", "text/xml; charset=utf-8".to_owned()),
            ("Accept", "text/xml".to_owned()),
        ];
        if let Some(anchor) = &self.anchor_mailbox {
            check_header_value("X-AnchorMailbox", anchor)?;
            headers.push(("X-AnchorMailbox", anchor.clone()));
        }
        if self.prefer_server_affinity {
            headers.push(("X-PreferServerAffinity", "true".to_owned()));
        }
        if let Some(cookie) = &self.backend_override_cookie {
            check_header_value("X-BackEndOverrideCookie", cookie)?;
            if cookie.contains(';') {
                return Err(RequestError::InvalidText {
                    name: "X-BackEndOverrideCookie",
                    reason: "holds a `;`, which would end the cookie",
                }
                .into());
            }
            headers.push(("Cookie", format!("X-BackEndOverrideCookie={cookie}")));
        }
        Ok(headers)
    }
}

fn check_header_value(name: &'static str, value: &str) -> Result<(), RequestError> {
    if value.trim().is_empty() {
        return Err(RequestError::InvalidText {
            name,
            reason: "is empty",
        });
    }
    if value.chars().any(char::is_control) {
        return Err(RequestError::InvalidText {
            name,
            reason: "holds a control character, which an HTTP header cannot carry",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn every_version_round_trips_through_its_name() {
        for v in ExchangeVersion::ALL {
            assert_eq!(v.as_str().parse::<ExchangeVersion>().unwrap(), *v);
        }
        assert_eq!(
            "Exchange2099"
                .parse::<ExchangeVersion>()
                .unwrap_err()
                .code(),
            "unknown_name"
        );
    }

    #[test]
    fn header_injection_is_refused() {
        let e = HttpHeaders::new()
            .anchor_mailbox("a@example.com\r\nX-Evil: 1")
            .build()
            .unwrap_err();
        assert_eq!(e.code(), "invalid_text");
        let e = HttpHeaders::new()
            .backend_override_cookie("a; b=c")
            .build()
            .unwrap_err();
        assert_eq!(e.code(), "invalid_text");
    }

    #[test]
    fn headers_carry_anchor_affinity_and_cookie() {
        let h = HttpHeaders::new()
            .anchor_mailbox("room1@example.com")
            .prefer_server_affinity(true)
            .backend_override_cookie("abc123")
            .build()
            .unwrap();
        assert_eq!(
            h,
            vec![
                ("Content-Type", "text/xml; charset=utf-8".to_owned()),
                ("Accept", "text/xml".to_owned()),
                ("X-AnchorMailbox", "room1@example.com".to_owned()),
                ("X-PreferServerAffinity", "true".to_owned()),
                ("Cookie", "X-BackEndOverrideCookie=abc123".to_owned()),
            ]
        );
        assert_eq!(HttpHeaders::new().build().unwrap().len(), 2);
    }

    #[test]
    fn empty_impersonation_is_refused() {
        let h = RequestHeader::default().impersonate_smtp(" ");
        assert_eq!(h.validate().unwrap_err().code(), "invalid_text");
    }
}
