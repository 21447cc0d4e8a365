"""Exceptions raised by ``ews_notify``.

Every failure to read input is a :class:`ParseError` (a :class:`ValueError`) carrying the stable
``code`` that every ews-notify binding reports for the same input, and the byte ``offset`` into
the input where the problem was seen, when there is one.
"""

from __future__ import annotations

from typing import Optional

__all__ = ["GoidError", "ParseError", "RequestError"]


class ParseError(ValueError):
    """The input could not be read.

    Attributes:
        code: Stable snake_case name of what went wrong, the same string in every binding
            (``"missing_element"``, ``"too_large"``, ``"unexpected_eof"``, ...).
        offset: Byte index into the input where the problem was seen, or ``None``.

    Example:
        >>> import ews_notify
        >>> truncated = b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        >>> try:
        ...     ews_notify.parse_notification(truncated)
        ... except ews_notify.ParseError as error:
        ...     print(error.code, error.offset, len(truncated))
        unexpected_eof 64 64
    """

    code: str
    offset: Optional[int]

    def __init__(self, message: str, code: str, offset: Optional[int] = None) -> None:
        super().__init__(message, code, offset)
        self.code = code
        self.offset = offset

    def __str__(self) -> str:
        return str(self.args[0])


class GoidError(ParseError):
    """A GlobalObjectId could not be read (``code`` starts with ``goid_``)."""


class RequestError(ParseError):
    """A request could not be built from the values given (for example ``out_of_range``)."""


# Shown and pickled as ``ews_notify.ParseError`` (where users import them from).
for _cls in (ParseError, GoidError, RequestError):
    _cls.__module__ = "ews_notify"
del _cls
