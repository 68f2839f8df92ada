"""OAI-PMH 2.0 requests checked, and what the answers say (no Flask, no XML here).

The view (`webapp.oai`) passes the request's arguments in, asks the store, and
`webapp.oai_xml` renders the dataclasses below. Error codes are the protocol's own
(https://www.openarchives.org/OAI/openarchivesprotocol.html, section 3.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Mapping

from itsdangerous import BadData, URLSafeSerializer

from catalogue.model import Product, Status
from catalogue.store import HarvestQuery
from catalogue.vocabularies import Vocabularies

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TOKEN_SALT = "hrba-oai-resumption-token"


class OAIError(Exception):
    """A request the protocol answers with an <error> element; `code` is the protocol's."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Verb:
    """The arguments a verb takes: required, optional, and one that must come alone."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None


_LIST = Verb(required=frozenset({"metadataPrefix"}), optional=frozenset({"from", "until", "set"}),
             exclusive="resumptionToken")
VERBS: dict[str, Verb] = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
    "ListSets": Verb(exclusive="resumptionToken"),
    "GetRecord": Verb(required=frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}


@dataclass(frozen=True)
class MetadataFormat:
    """A metadata format the repository disseminates."""

    prefix: str
    schema: str
    namespace: str


METADATA_FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                             "http://www.openarchives.org/OAI/2.0/oai_dc/"),
}


@dataclass(frozen=True)
class OAIRequest:
    """A request whose verb and argument names are known to be right."""

    verb: str
    arguments: Mapping[str, str] = field(default_factory=dict)

    def echo(self) -> dict[str, str]:
        """Return the attributes of the response's <request> element."""
        return {"verb": self.verb, **self.arguments}


def parse_request(arguments: Mapping[str, list[str]]) -> OAIRequest:
    """Check the verb and the argument names; raise badVerb or badArgument."""
    verbs = arguments.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        shown = ", ".join(verbs) or "none"
        raise OAIError("badVerb", f"the verb must be one of {', '.join(VERBS)} (given: {shown})")
    verb, spec = verbs[0], VERBS[verbs[0]]
    repeated = sorted(name for name, values in arguments.items() if len(values) > 1)
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(repeated)}")
    given = {name: values[0] for name, values in arguments.items() if name != "verb"}
    allowed = spec.required | spec.optional | ({spec.exclusive} if spec.exclusive else set())
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take {', '.join(unknown)}")
    if spec.exclusive in given:
        if len(given) > 1:
            raise OAIError("badArgument", f"{spec.exclusive} must be the only argument besides the verb")
    elif missing := sorted(spec.required - set(given)):
        raise OAIError("badArgument", f"{verb} needs {', '.join(missing)}")
    return OAIRequest(verb, given)


def check_format(prefix: str) -> MetadataFormat:
    """Return the metadata format `prefix` names; raise cannotDisseminateFormat."""
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat",
                       f"metadataPrefix {prefix!r} is not supported; try {', '.join(METADATA_FORMATS)}")
    return METADATA_FORMATS[prefix]


# ------------------------------------------------------------------------------ dates

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def format_datestamp(moment: datetime) -> str:
    """Return a UTC moment as an OAI-PMH datestamp (to the second)."""
    return moment.astimezone(timezone.utc).strftime(DATESTAMP_FORMAT)


def parse_datestamp(text: str, name: str) -> tuple[datetime, bool]:
    """Return the UTC moment a `from` or `until` value names, and whether it is a whole day."""
    try:
        if _DAY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc), True
        if _SECOND.fullmatch(text):
            return datetime.strptime(text, DATESTAMP_FORMAT).replace(tzinfo=timezone.utc), False
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name} must be YYYY-MM-DD or {GRANULARITY} (given: {text!r})")


def date_range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """Return the inclusive UTC bounds of `from` and `until`; a day `until` runs to its end."""
    start = parse_datestamp(since, "from") if since is not None else None
    end = parse_datestamp(until, "until") if until is not None else None
    if start and end:
        if start[1] != end[1]:
            raise OAIError("badArgument", "from and until must have the same granularity")
        if start[0] > end[0]:
            raise OAIError("badArgument", "from must not be later than until")
    if end and end[1]:
        end = (end[0] + timedelta(days=1, seconds=-1), True)
    return (start[0] if start else None), (end[0] if end else None)


# ------------------------------------------------------------------- identifiers, sets


def identifier_for(namespace: str, product_id: str) -> str:
    """Return the OAI identifier of a product."""
    return f"oai:{namespace}:{product_id}"


def product_id_from(namespace: str, identifier: str) -> str:
    """Return the product id an OAI identifier names; raise idDoesNotExist if it names none."""
    prefix = f"oai:{namespace}:"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        raise OAIError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository "
                                         f"(they look like {prefix}PRODUCT-ID)")
    return identifier[len(prefix):]


@dataclass(frozen=True)
class SetKind:
    """A top-level set: which product field it draws from and the vocabulary naming its values."""

    spec: str
    name: str
    field: str
    vocabulary: str


SET_KINDS: dict[str, SetKind] = {kind.spec: kind for kind in (
    SetKind("agency", "Publishing agency", "agencies", "agency"),
    SetKind("theme", "Theme", "themes", "theme"),
    SetKind("type", "Resource type", "type", "resource_type"),
    SetKind("language", "Language", "languages", "language"),
)}
# The setSpec grammar of the protocol's schema.
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


@dataclass(frozen=True)
class OAISet:
    """One set of ListSets."""

    spec: str
    name: str


def set_query(spec: str) -> tuple[str, str | None]:
    """Return the (field, value) a setSpec selects; value None for a whole top-level set."""
    if not _SET_SPEC.fullmatch(spec):
        raise OAIError("badArgument", f"{spec!r} is not a setSpec")
    top, _, value = spec.partition(":")
    if top not in SET_KINDS or ":" in value:
        raise OAIError("noRecordsMatch", f"there is no set {spec!r}; ListSets lists them")
    return SET_KINDS[top].field, value or None


def set_specs(product: Product) -> tuple[str, ...]:
    """Return the setSpecs of the sets a product is in (the leaves; their parents follow)."""
    specs = []
    for kind in SET_KINDS.values():
        values = getattr(product, kind.field)
        specs += [f"{kind.spec}:{value}" for value in ((values,) if isinstance(values, str) else values)]
    return tuple(specs)


def available_sets(values: Mapping[str, set[str]], vocabularies: Vocabularies) -> list[OAISet]:
    """Return every top-level set, then, in vocabulary order, each value some product has.

    `values` maps a product field (agencies, type...) to the values harvested products have.
    """
    found = [OAISet(kind.spec, kind.name) for kind in SET_KINDS.values()]
    for kind in SET_KINDS.values():
        vocabulary = vocabularies[kind.vocabulary]
        present = values.get(kind.field, set())
        ordered = [term.id for term in vocabulary if term.id in present]
        ordered += sorted(present - set(ordered))  # values no vocabulary knows (never, normally)
        found += [OAISet(f"{kind.spec}:{value}",
                         vocabulary.term(value).name("en") if value in vocabulary else value)
                  for value in ordered]
    return found


# --------------------------------------------------------------------- lists and tokens


@dataclass(frozen=True)
class ListState:
    """Where a ListIdentifiers or ListRecords harvest stands: what it asked for, how far it got.

    `until` is fixed on the first page, so changes made during a harvest wait for the next one.
    """

    verb: str
    metadata_prefix: str
    since: datetime | None
    until: datetime
    set_spec: str | None = None
    after: tuple[datetime, str] | None = None
    cursor: int = 0

    def query(self) -> HarvestQuery:
        """Return the store query of this harvest."""
        field, value = set_query(self.set_spec) if self.set_spec else (None, None)
        return HarvestQuery(since=self.since, until=self.until, kind=field, value=value)

    def advanced(self, last: Product, count: int) -> "ListState":
        """Return the state after a page of `count` items ending with `last`."""
        return replace(self, after=(last.provenance.last_changed, last.id), cursor=self.cursor + count)


class Tokens:
    """Resumption tokens: the ListState itself, signed with the app's secret key (stateless)."""

    def __init__(self, secret_key: str):
        self._serializer = URLSafeSerializer(secret_key, salt=TOKEN_SALT)

    def dump(self, state: ListState) -> str:
        """Return the token that resumes `state`."""
        return self._serializer.dumps({
            "verb": state.verb, "prefix": state.metadata_prefix, "set": state.set_spec,
            "from": state.since.isoformat() if state.since else None, "until": state.until.isoformat(),
            "after": [state.after[0].isoformat(), state.after[1]] if state.after else None,
            "cursor": state.cursor})

    def load(self, token: str, verb: str) -> ListState:
        """Return the state a token resumes; raise badResumptionToken if it is not ours."""
        try:
            data = self._serializer.loads(token)
            if data["verb"] != verb:
                raise ValueError("token of another verb")
            return ListState(
                verb=verb, metadata_prefix=data["prefix"], set_spec=data["set"],
                since=datetime.fromisoformat(data["from"]) if data["from"] else None,
                until=datetime.fromisoformat(data["until"]),
                after=(datetime.fromisoformat(data["after"][0]), data["after"][1]) if data["after"] else None,
                cursor=int(data["cursor"]))
        except (BadData, ValueError, KeyError, TypeError, IndexError):
            raise OAIError("badResumptionToken",
                           "the resumptionToken is invalid; start the list again without one") from None


def list_state(request: OAIRequest, tokens: Tokens, now: datetime) -> ListState:
    """Return the state of a list request: resumed from its token, or new from its arguments."""
    arguments = request.arguments
    if "resumptionToken" in arguments:
        return tokens.load(arguments["resumptionToken"], request.verb)
    prefix = check_format(arguments["metadataPrefix"]).prefix
    since, until = date_range(arguments.get("from"), arguments.get("until"))
    set_spec = arguments.get("set")
    if set_spec is not None:
        set_query(set_spec)
    return ListState(request.verb, prefix, since, until or now, set_spec)


# ---------------------------------------------------------------------- what answers say


@dataclass(frozen=True)
class Header:
    """A record's header: identifier, datestamp, sets, and whether it is a tombstone."""

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


@dataclass(frozen=True)
class Record:
    """A header with its metadata: Dublin Core (element, value) pairs; none when deleted."""

    header: Header
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Page:
    """One response of a list. `token` None: the list fits in it; "": its last part."""

    items: tuple[Header | Record, ...]
    token: str | None
    complete_list_size: int
    cursor: int


@dataclass(frozen=True)
class Repository:
    """What Identify says about the repository."""

    name: str
    base_url: str
    admin_email: str
    earliest_datestamp: datetime
    namespace: str
    sample_identifier: str
    compression: tuple[str, ...] = ("gzip",)


def header_for(product: Product, namespace: str) -> Header:
    """Return a product's header; a withdrawn product is a deleted record."""
    return Header(identifier_for(namespace, product.id), product.provenance.last_changed,
                  set_specs(product), deleted=product.status is Status.WITHDRAWN)
