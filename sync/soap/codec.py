"""The terminals' web-service XML as pure functions (../shared/protocols/soap.md, docs/soap-service.md).

Requests are parsed leniently, as the PHP clients write them: a bare element or one wrapped in a
SOAP envelope, `xsi:` prefixes never declared or spelled `Xsi:`, a trailing CRLF. So the parser is
not namespace-aware (a prefix is just part of a name) and names are matched without their prefix
and without regard to case. It is defusedxml's expat builder with DTDs, entities and external
references forbidden: hostile XML (entity expansion, external files) is refused, never expanded.

Replies are written for clients that never parse XML: they cut the text between
`<XResponse>` and `</XResponse>`, split it on CRLF and take each tag's text by substring search.
So the response tag stands on its own line, every row is one CRLF-terminated line, tags carry no
attributes and no whitespace, and text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from xml.dom.minidom import Element
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.expatbuilder import parse

CRLF = "\r\n"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
ENVELOPE_OPEN = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' + CRLF + "<SOAP-ENV:Body>"
)
ENVELOPE_CLOSE = "</SOAP-ENV:Body>" + CRLF + "</SOAP-ENV:Envelope>"
DATE_FORMAT, TIME_FORMAT, DATETIME_FORMAT = "%Y-%m-%d", "%H:%M:%S", "%Y-%m-%d %H:%M:%S"

Row = Sequence[tuple[str, object]]  # (tag, value) in wire order


class BadRequest(ValueError):
    """The body is not a request this service understands; the message says why and what to send."""


@dataclass(frozen=True)
class SoapRequest:
    method: str  # as the client spelled it, e.g. "GetAttLog"
    comm_key: str  # ArgComKey's text; "" when absent
    args: dict[str, str] = field(default_factory=dict)  # Arg's children by lower-case local name
    enveloped: bool = False

    def arg(self, name: str, default: str = "") -> str:
        return self.args.get(name.lower(), default)


def parse_request(body: bytes) -> SoapRequest:
    """A request element, bare or in a SOAP envelope; BadRequest for anything else."""
    body = body.strip()  # the PHP clients' uncounted CRLF, stray blanks
    if not body:
        raise BadRequest("the body is empty; send an XML request such as <GetAttLog>...</GetAttLog>")
    root = _parse_xml(body)
    element, enveloped = _method_element(root)
    return SoapRequest(
        method=_local(element.tagName),
        comm_key=_text(_child(element, "ArgComKey")),
        args=_args(_child(element, "Arg")),
        enveloped=enveloped,
    )


def _parse_xml(body: bytes) -> Element:
    try:
        # From a byte stream, so expat honours the XML declaration's encoding (parseString takes str).
        root = parse(BytesIO(body), namespaces=False, forbid_dtd=True).documentElement
    except DefusedXmlException as exc:
        raise BadRequest(f"the body declares a DTD or entities ({type(exc).__name__}); send plain XML without <!DOCTYPE>") from None
    except (ExpatError, UnicodeError, ValueError) as exc:
        raise BadRequest(f"the body is not well-formed XML ({exc}); send e.g. <GetAttLog>...</GetAttLog>") from None
    if root is None:  # expat refuses a document without an element; kept so the type says Element
        raise BadRequest("the body has no XML element; send e.g. <GetAttLog>...</GetAttLog>")
    return root


def _method_element(root: Element) -> tuple[Element, bool]:
    if _local(root.tagName).lower() != "envelope":
        return root, False
    body = _child(root, "Body")
    method = next(iter(_elements(body)), None) if body is not None else None
    if method is None:
        raise BadRequest("the SOAP envelope has no request inside its Body; put e.g. <GetAttLog> in <SOAP-ENV:Body>")
    return method, True


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _elements(parent: Element) -> list[Element]:
    return [node for node in parent.childNodes if node.nodeType == node.ELEMENT_NODE]


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    return next((e for e in _elements(parent) if _local(e.tagName).lower() == name.lower()), None)


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(node.data for node in element.childNodes if node.nodeType in (node.TEXT_NODE, node.CDATA_SECTION_NODE)).strip()


def _args(arg: Element | None) -> dict[str, str]:
    if arg is None:
        return {}
    return {_local(e.tagName).lower(): _text(e) for e in _elements(arg)}


# --- replies ----------------------------------------------------------------------------------
def row_line(row: Row) -> str:
    """`<Row><PIN>5</PIN>...</Row>`: one line, tags bare, text escaped."""
    cells = "".join(f"<{tag}>{escape(_value(value))}</{tag}>" for tag, value in row)
    return f"<Row>{cells}</Row>"


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    return str(value)


def response(method: str, rows: Iterable[Row], enveloped: bool = False) -> str:
    """The whole reply: declaration, `<MethodResponse>` on its own line, one row per CRLF line."""
    return response_of_lines(method, [row_line(row) for row in rows], enveloped)


def response_of_lines(method: str, row_lines: Sequence[str], enveloped: bool = False) -> str:
    """`response` for rows already encoded with `row_line`."""
    tag = f"{method}Response"
    lines = [DECLARATION, *([ENVELOPE_OPEN] if enveloped else []), f"<{tag}>", *row_lines, f"</{tag}>"]
    if enveloped:
        lines.append(ENVELOPE_CLOSE)
    return CRLF.join(lines) + CRLF


def result_row(done: bool, information: str) -> Row:
    return (("Result", 1 if done else 0), ("Information", information))


def attlog_row(pin: str, local_time: datetime, verified: int, status: int, workcode: int = 0) -> Row:
    return (("PIN", pin), ("DateTime", local_time), ("Verified", verified), ("Status", status), ("WorkCode", workcode))


def attlog_line(pin: str, local_time: datetime, verified: int, status: int) -> str:
    """`row_line(attlog_row(...))` written out: GetAttLog encodes tens of thousands of these."""
    when = local_time.replace(microsecond=0).isoformat(" ")  # YYYY-MM-DD HH:MM:SS, 5x faster than strftime
    return (
        f"<Row><PIN>{escape(pin)}</PIN><DateTime>{when}</DateTime><Verified>{verified}</Verified>"
        f"<Status>{status}</Status><WorkCode>0</WorkCode></Row>"
    )


def user_row(pin: str, name: str) -> Row:
    return (
        ("PIN", pin), ("Name", name), ("Password", ""), ("Group", 1), ("Privilege", 0), ("Card", 0), ("PIN2", pin),
        ("TZ1", 0), ("TZ2", 0), ("TZ3", 0),
    )  # fmt: skip


def date_row(local_now: datetime) -> Row:
    return (("Date", local_now.strftime(DATE_FORMAT)), ("Time", local_now.strftime(TIME_FORMAT)))
