"""Which calendars a request may read: a right the caller grants, never the request (SPEC §2).

A request document names calendars as ``{"path": …}``, ``{"url": …}`` or ``{"ics": …}``.
Inline ``ics`` is always read. A file or a URL is read only when the code that answers the
request grants it with a :class:`CalendarAccess`; by default nothing is granted, and a refused
calendar is :class:`~slotcalc.errors.CalendarNotAllowed` (``calendar_not_allowed``) at the
calendar's JSON Pointer. The command line grants both.

This module needs nothing but the standard library (the iCalendar extra is not imported).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CalendarNotAllowed, CalendarUnreadable, InvalidRequest

__all__ = ["MAX_CALENDARS", "CalendarAccess"]

MAX_CALENDARS = 100
"""At most this many calendars in one request, all hosts together (more: ``invalid_value``)."""


@dataclass(frozen=True, slots=True)
class CalendarAccess:
    """The calendar reads a caller grants to the requests it answers.

    * ``files``: whether ``{"path": …}`` calendars are read at all (default: no).
    * ``base_dir``: when set, a granted file read is confined to this folder: a relative path
      is read from it; ``..`` that leaves it, an absolute path outside it and a symbolic link
      that points out of it are refused (``calendar_not_allowed``). When ``None``, a relative
      path is read from the current folder and any path may be read.
    * ``urls``: whether ``{"url": …}`` calendars are fetched: ``True`` from any host, a set of
      host names (``frozenset({"calendar.google.com"})``) from those only, redirects included;
      default: no.
    * ``fetch``: a function ``fetch(url) -> bytes`` used instead of
      :func:`slotcalc.ical.fetch_calendar` for granted URLs (a caching fetcher, say, built on
      :func:`slotcalc.ical.fetch` with its conditional GET). It should raise
      :class:`~slotcalc.errors.CalendarFetchFailed` (or any ``OSError``) when it fails.
    * ``detailed_errors``: whether the error of a granted read that fails says why (the OS's
      reason, the HTTP status...). Off by default: then it says only "could not read calendar
      N" (or "fetch"), so a request cannot probe which files exist or which ports are open.
      The command line turns it on (the person asking owns the machine).

    >>> from slotcalc import CalendarAccess
    >>> CalendarAccess().allows("path")
    False
    >>> CalendarAccess(urls=frozenset({"Calendar.Example.com"})).urls
    frozenset({'calendar.example.com'})
    """

    files: bool = False
    base_dir: str | Path | None = None
    urls: bool | frozenset[str] = False
    fetch: Callable[[str], bytes] | None = None
    detailed_errors: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.files, bool):
            raise InvalidRequest("CalendarAccess.files is True or False", "/files")
        if self.base_dir is not None and not isinstance(self.base_dir, str | os.PathLike):
            raise InvalidRequest("CalendarAccess.base_dir is a folder (str or Path) or None",
                                 "/base_dir")
        if isinstance(self.urls, set | frozenset | list | tuple):
            hosts = frozenset(h.lower().rstrip(".") for h in self.urls if isinstance(h, str))
            if len(hosts) != len(set(self.urls)):
                raise InvalidRequest("CalendarAccess.urls holds host names (strings)", "/urls")
            object.__setattr__(self, "urls", hosts)
        elif not isinstance(self.urls, bool):
            raise InvalidRequest("CalendarAccess.urls is True, False or a set of host names",
                                 "/urls")
        if self.fetch is not None and not callable(self.fetch):
            raise InvalidRequest("CalendarAccess.fetch is a function url -> bytes", "/fetch")
        if not isinstance(self.detailed_errors, bool):
            raise InvalidRequest("CalendarAccess.detailed_errors is True or False",
                                 "/detailed_errors")

    @classmethod
    def everything(cls) -> CalendarAccess:
        """Return the grant of the command line: any file, any URL, detailed errors."""
        return cls(files=True, urls=True, detailed_errors=True)

    @property
    def hosts(self) -> frozenset[str] | None:
        """The host names URLs may be fetched from (``None``: any host)."""
        return self.urls if isinstance(self.urls, frozenset) else None

    def allows(self, kind: str) -> bool:
        """Whether calendars of ``kind`` (``"path"``, ``"url"``, ``"ics"``) may be read."""
        if kind == "ics":
            return True
        if kind == "path":
            return self.files
        return bool(self.urls)

    def check(self, kind: str, value: str, path: str) -> None:
        """Raise CalendarNotAllowed (at ``path``) unless a calendar ``{kind: value}`` may be
        read as far as the request alone tells (the folder is checked when it is read)."""
        if kind == "path" and not self.files:
            raise CalendarNotAllowed("reading calendars from files is not allowed here (the "
                                     "caller grants it with CalendarAccess(files=True))", path)
        if kind == "url":
            if not self.urls:
                raise CalendarNotAllowed("fetching calendars from URLs is not allowed here "
                                         "(the caller grants it with CalendarAccess(urls=…))",
                                         path)
            hosts = self.hosts
            if hosts is not None:
                try:
                    host = urllib.parse.urlsplit(value.strip()).hostname or ""
                except ValueError:
                    host = ""
                if host.rstrip(".") not in hosts:
                    raise CalendarNotAllowed("fetching calendars from this host is not "
                                             "allowed here", path)

    def file(self, value: str, path: str) -> Path:
        """Return the file a granted ``{"path": value}`` reads, or raise CalendarNotAllowed
        when ``base_dir`` confines reads and ``value`` leaves it (``..``, an absolute path, a
        symbolic link out of it). ``path`` is the calendar's JSON Pointer."""
        self.check("path", value, path)
        if "\x00" in value:  # no file has such a name
            raise CalendarUnreadable("a calendar path may not hold a NUL character", path)
        if self.base_dir is None:
            return Path(value)
        root = Path(os.path.realpath(self.base_dir))
        target = Path(os.path.realpath(root / value))
        if target != root and not target.is_relative_to(root):
            raise CalendarNotAllowed("this calendar path is outside the folder calendars may "
                                     "be read from", path)
        return target
