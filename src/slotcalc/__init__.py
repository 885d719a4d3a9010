"""slotcalc: when can this be booked? Timezone-correct booking slots.

The typed API: build a :class:`Schedule`, an :class:`EventPolicy`, :class:`Busy` time and a
:class:`Query`, then call :func:`find_slots` (or :func:`check_slot`; :func:`find_team_slots`
and :func:`check_team_slot` for several hosts). ``answer_request``/``check_request`` take the
JSON documents of SPEC §2 and return those of §4.
"""

from .access import CalendarAccess
from .answers import Availability, CheckResult, Day, Notice, Period, Periods, Slot
from .api import (
    Plan,
    Request,
    answer_document,
    check_document,
    check_slot,
    check_team_slot,
    find_slots,
    find_team_slots,
    team_answer_document,
    team_check_document,
)
from .errors import (
    CalendarFetchFailed,
    CalendarNotAllowed,
    CalendarUnreadable,
    DuplicateOverride,
    InvalidDate,
    InvalidDuration,
    InvalidInterval,
    InvalidJSON,
    InvalidRequest,
    InvalidTime,
    InvalidTimezone,
    InvalidValue,
    NaiveDatetime,
    RangeTooLarge,
    SlotcalcError,
)
from .jsonapi import (
    answer_request,
    check_request,
    parse_request,
    read_calendars,
    request_schema,
)
from .model import (
    All,
    AnyOf,
    Busy,
    Calendar,
    EventPolicy,
    Host,
    Limits,
    Override,
    Query,
    Repeat,
    Schedule,
    Team,
    Travel,
)

__version__ = "2.0.0"

__all__ = [
    "All",
    "AnyOf",
    "Availability",
    "Busy",
    "Calendar",
    "CalendarAccess",
    "CalendarFetchFailed",
    "CalendarNotAllowed",
    "CalendarUnreadable",
    "CheckResult",
    "Day",
    "DuplicateOverride",
    "EventPolicy",
    "Host",
    "InvalidDate",
    "InvalidDuration",
    "InvalidInterval",
    "InvalidJSON",
    "InvalidRequest",
    "InvalidTime",
    "InvalidTimezone",
    "InvalidValue",
    "Limits",
    "NaiveDatetime",
    "Notice",
    "Override",
    "Period",
    "Periods",
    "Plan",
    "Query",
    "RangeTooLarge",
    "Repeat",
    "Request",
    "Schedule",
    "Slot",
    "SlotcalcError",
    "Team",
    "Travel",
    "__version__",
    "answer_document",
    "answer_request",
    "check_document",
    "check_request",
    "check_slot",
    "check_team_slot",
    "find_slots",
    "find_team_slots",
    "parse_request",
    "read_calendars",
    "request_schema",
    "team_answer_document",
    "team_check_document",
]
