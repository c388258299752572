"""The catalogue of checks: what every stored check name means, for people.

One :class:`Entry` per stored name (2 coverage, 10 quality, 37 compiled-release, 24 dataset-level and 3
time-based checks): a one-line title, what it measures, the pass rule with its thresholds, when it is not
applicable, and what a publisher can do about a failure. The Dagster asset-check descriptions, the HTML
and Markdown reports and ``docs/checks.md`` (``python -m pelican_dagster.checks.catalogue``) all read it;
``tests/checks/test_catalogue.py`` fails when a check in the registries has no entry.

The behaviour itself is specified in docs/checks.md §1–§4; this text summarises it for an analyst.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "LEVELS", "Entry", "entry", "field_path_summary", "render_markdown", "splice"]

#: Level key → heading, in the order the levels are presented.
LEVELS: dict[str, str] = {
    "coverage": "Field level: coverage",
    "quality": "Field level: quality",
    "compiled_release": "Compiled-release level",
    "dataset": "Dataset level",
    "time_based": "Time-based (against the ancestor)",
}


@dataclass(frozen=True)
class Entry:
    """What one check means."""

    name: str
    level: str
    title: str
    measures: str
    passes: str
    not_applicable: str
    on_failure: str
    #: Where docs/checks.md specifies the check exactly.
    section: str

    def one_line(self) -> str:
        """``name: title`` for tooltips and check descriptions."""
        return f"{self.name}: {self.title}"

    def description(self) -> str:
        """A short multi-line explanation (Dagster asset-check descriptions)."""
        return (
            f"{self.title}\n\nMeasures: {self.measures}\nPasses when: {self.passes}\n"
            f"Not applicable when: {self.not_applicable}\nOn failure: {self.on_failure}\n"
            f"(docs/checks.md {self.section})"
        )


_ENTRIES: list[Entry] = []


def _add(
    name: str, level: str, section: str, title: str, measures: str, passes: str, na: str, fix: str
) -> None:
    _ENTRIES.append(Entry(name, level, title, measures, passes, na, fix, section))


# --- field level: coverage (§1.3) ---------------------------------------------------------------------
_FIELD_NA = "never: the check runs on every occurrence of each of the 559 field paths the item reaches."
_add(
    "exists",
    "coverage",
    "§1.3",
    "The field is present",
    "Whether the key is set in its parent object, for each of the 559 OCDS field paths.",
    "The parent is an object and the key is there (a null value still counts as present).",
    _FIELD_NA,
    "Publish the field where the data exist; if the parent is not an object (e.g. a string where an "
    "object is expected), fix the structure to match the OCDS schema.",
)
_add(
    "non_empty",
    "coverage",
    "§1.3",
    "The field has a value",
    "Whether a present field holds something: not null, not an empty string, array or object.",
    'The value is anything but null, "", [] or {} (0, false and a single space pass).',
    _FIELD_NA,
    "Omit fields you have no value for instead of publishing null or empty placeholders, or fill them.",
)

# --- field level: quality (§1.4) ----------------------------------------------------------------------
_QUALITY_NA = "when the field is missing or empty: quality is judged only where coverage passed."
_add(
    "ocid_prefix_check",
    "quality",
    "§1.4",
    "The OCID starts with a registered prefix",
    "Whether `ocid` begins with one of the OCID prefixes registered with the Open Contracting Partnership.",
    "The ocid is a string starting (case-sensitively) with a registered prefix.",
    _QUALITY_NA,
    "Register an OCID prefix and prepend it to every ocid; check its spelling and case.",
)
_add(
    "date_time",
    "quality",
    "§1.4",
    "The date is readable and plausible",
    "Whether a date field parses as an ISO 8601 date within a plausible range.",
    "The first 10 characters parse as a date between 1990-01-01 and 2049-12-31; for dates that must be "
    "in the past (release date, award date, signature, transactions, amendments, milestones met, "
    "documents) the upper bound is today in UTC+14.",
    _QUALITY_NA,
    "Publish dates as ISO 8601 (`2024-03-01T00:00:00Z`); correct typing errors in years and future "
    "dates for events that already happened.",
)
_add(
    "email",
    "quality",
    "§1.4",
    "The e-mail address is well formed",
    "Whether a contact e-mail follows the RFC 2822 address grammar.",
    "The value is a string that is one complete e-mail address.",
    _QUALITY_NA,
    "Publish one address per field, without names, labels or separators around it.",
)
_add(
    "telephone",
    "quality",
    "§1.4",
    "The telephone number is a possible international number",
    "Whether a contact telephone number can be read as an international number (libphonenumber).",
    "The value is a string with a `+` and a valid country code and a possible length for that country.",
    _QUALITY_NA,
    "Publish telephone numbers in international form (`+595 21 123 456`), one number per field.",
)
_add(
    "identifier_scheme",
    "quality",
    "§1.4",
    "The organisation identifier scheme is known",
    "Whether an identifier's `scheme` is a code from org-id.guide.",
    "The value equals an org-id.guide scheme code exactly (e.g. `PY-RUC`).",
    _QUALITY_NA,
    "Use the org-id.guide code of the register the identifier comes from, spelled exactly.",
)
_add(
    "document_type",
    "quality",
    "§1.4",
    "The document type suits the section",
    "Whether a document's `documentType` is one the documentType codelist expects in that section "
    "(planning, tender, award, contract, implementation).",
    "The code is allowed in the document's section, or is not in the (open) codelist at all.",
    _QUALITY_NA,
    "Move the document to the stage it belongs to, or choose the code meant for that stage.",
)
_add(
    "document_format_codelist",
    "quality",
    "§1.4",
    "The document format is a known media type",
    "Whether a document's `format` is a registered media type (IANA) or `offline/print`.",
    "The value equals a mediaType codelist code, e.g. `application/pdf`.",
    _QUALITY_NA,
    "Publish the media type (`application/pdf`), not a file extension (`PDF`).",
)
_add(
    "document_description_length",
    "quality",
    "§1.4",
    "The document description is short",
    "Whether a document's `description` is a short summary.",
    "The value is a string of at most 250 characters.",
    _QUALITY_NA,
    "Keep descriptions to a sentence or two; link the full text as the document itself.",
)
_add(
    "number_checks",
    "quality",
    "§1.4",
    "The number is a finite, non-negative number",
    "Whether a numeric field (amounts, quantities, counts, durations) holds a usable number.",
    "The value reads as a number that is finite and at least 0.",
    _QUALITY_NA,
    "Publish plain JSON numbers; no text, no negative amounts or quantities, no NaN or infinity.",
)
_add(
    "language",
    "quality",
    "§1.4",
    "The language code is known",
    "Whether `language` is a two-letter ISO 639-1 code.",
    "The value is a code of the language codelist (lower case, e.g. `es`).",
    _QUALITY_NA,
    "Use the lower-case two-letter code (`es`), not a name (`Spanish`) or a locale (`es_PY`).",
)

# --- compiled-release level (§2) ----------------------------------------------------------------------
_DATES_NA = "no pair of the dates it compares is set, or none of the set pairs parses as dates."
_DATES_FIX = "Correct the dates that are out of order, or the data entry or time zone error behind them."
_add(
    "coherent.period",
    "compiled_release",
    "§2.1",
    "Periods start before they end",
    "Every tender, enquiry, award and contract period: its start date against its end date.",
    "Every start date is on or before its end date (calendar dates).",
    _DATES_NA,
    _DATES_FIX,
)
_add(
    "coherent.dates",
    "compiled_release",
    "§2.1",
    "The contracting process happens in order",
    "The timeline: tender end before contract period, awards and signatures; awards, signatures and "
    "transactions not after the release date; signature before its transactions; award before its "
    "contracts.",
    "Every comparable pair of dates is in order.",
    _DATES_NA,
    _DATES_FIX,
)
_add(
    "coherent.amendments_dates",
    "compiled_release",
    "§2.1",
    "Amendments come after what they amend",
    "Amendment dates against the tender start, award date, contract signature and the release date.",
    "Every amendment is on or after what it amends and on or before the release date.",
    _DATES_NA,
    _DATES_FIX,
)
_add(
    "coherent.documents_dates",
    "compiled_release",
    "§2.1",
    "Documents are published before they are modified",
    "Each document's publication and modification dates against each other and the release date.",
    "Published ≤ modified, and both ≤ the release date.",
    _DATES_NA,
    _DATES_FIX,
)
_add(
    "coherent.milestones_dates",
    "compiled_release",
    "§2.1",
    "Milestones are not dated after the release",
    "Milestone `dateMet` and `dateModified` (planning, tender, contracts, implementation) against the "
    "release date.",
    "Every such date is on or before the release date.",
    _DATES_NA,
    _DATES_FIX,
)
_add(
    "coherent.release_date",
    "compiled_release",
    "§2.1",
    "Nothing is dated after the release",
    "Amendments, awards, signatures, transactions, milestones and documents against the release date.",
    "Every such date is on or before the release date.",
    _DATES_NA,
    "Set the release date to when the release was published, and correct future-dated events.",
)
_add(
    "coherent.procurement_method_vs_number_of_tenderers",
    "compiled_release",
    "§2.1",
    "A direct procurement has at most one tenderer",
    "The number of tenderers of a tender whose procurement method is `direct`.",
    "`numberOfTenderers` is 0 or 1.",
    "numberOfTenderers is not a number, or the method is not `direct`.",
    "Check the procurement method (is it really direct?) or the number of tenderers.",
)
_add(
    "coherent.tender_status",
    "compiled_release",
    "§2.1",
    "An unfinished tender has no awards or contracts",
    "Awards and contracts of a tender that is planning, planned, active, cancelled, unsuccessful or "
    "withdrawn.",
    "There are no awards and no contracts.",
    "the tender status is blank or another value (e.g. `complete`).",
    "Update the tender status when awards are made, or remove awards that do not exist.",
)
_add(
    "coherent.awards_status",
    "compiled_release",
    "§2.1",
    "Inactive awards have no contracts",
    "Contracts referring to awards that are pending, cancelled or unsuccessful.",
    "No contract's `awardID` names such an award.",
    "no award with an id has one of these statuses.",
    "Update the award's status, or correct the contract's awardID.",
)
_add(
    "coherent.contracts_status",
    "compiled_release",
    "§2.1",
    "Unsigned contracts have no transactions",
    "Transactions of contracts that are pending or cancelled.",
    "Such contracts have no implementation transactions.",
    "no contract is pending or cancelled.",
    "Update the contract's status when it is signed, or move the payments to the right contract.",
)
_add(
    "coherent.milestone_status",
    "compiled_release",
    "§2.1",
    "Unmet milestones have no date met",
    "`dateMet` of milestones that are scheduled or not met.",
    "Such milestones have no (or an empty) `dateMet`.",
    "no milestone is scheduled or notMet.",
    "Set the status to `met` when the milestone is met, or drop the date.",
)
_add(
    "coherent.value_realistic",
    "compiled_release",
    "§2.1",
    "Amounts are realistic",
    "Tender, minimum, award, contract, budget and transaction amounts, converted to USD.",
    "Every amount lies between −5 billion and +5 billion USD.",
    "no amount is numeric and convertible to USD on the release date.",
    "Look for amounts in the wrong unit (cents), the wrong currency or with extra digits.",
)
_add(
    "consistent.number_of_tenderers",
    "compiled_release",
    "§2.2",
    "The number of tenderers matches the tenderers listed",
    "`tender.numberOfTenderers` against the length of `tender.tenderers`.",
    "The two are equal.",
    "numberOfTenderers is not a number, or tenderers is not an array.",
    "List every tenderer, or correct the count.",
)
_add(
    "consistent.tender_value",
    "compiled_release",
    "§2.2",
    "The tender value is close to the budget",
    "The tender value against the planning budget (converted to USD when the currencies differ).",
    "They differ by at most 50 % of the tender value.",
    "a currency or an amount is missing, an amount is zero or unconvertible, or the signs differ.",
    "Check the two amounts and their currencies; a budget for a whole programme belongs elsewhere.",
)
_add(
    "consistent.contracts_value",
    "compiled_release",
    "§2.2",
    "An award's contracts add up to the award",
    "The value of each award against the sum of the values of its contracts.",
    "For every award, the sum differs from the award value by at most 50 % of it.",
    "no award-contracts pair has numeric, non-zero, same-sign, convertible amounts.",
    "Check contract and award values, their currencies and the contracts' awardID.",
)
_add(
    "consistent.contracts_implementation_transactions_value",
    "compiled_release",
    "§2.2",
    "Payments do not exceed the contract",
    "The sum of a contract's implementation transactions against the contract value.",
    "For every contract, the transactions add up to at most the contract value.",
    "no contract has numeric, convertible amounts with transactions.",
    "Publish amendments that raise the contract value, or correct duplicated transactions.",
)
_add(
    "consistent.parties_roles",
    "compiled_release",
    "§2.2",
    "Party roles are backed by references",
    "Parties with the role procuringEntity, tenderer, supplier, payer or payee.",
    "Each such party is referenced from the place matching its role (e.g. a supplier from an award).",
    "no party has an id and one of these roles.",
    "Add the missing reference, or remove the role the party does not play.",
)
_ROLE_PATHS = {
    "supplier": ("awards.suppliers", "supplier"),
    "tenderer": ("tender.tenderers", "tenderer"),
    "buyer": ("buyer", "buyer"),
    "procuring_entity": ("tender.procuringEntity", "procuringEntity"),
    "payer": ("contracts.implementation.transactions.payer", "payer"),
    "payee": ("contracts.implementation.transactions.payee", "payee"),
}
for _who, (_path, _role) in _ROLE_PATHS.items():
    _add(
        f"consistent.{_who}_in_parties_roles",
        "compiled_release",
        "§2.2",
        f"The referenced {_role} party has the role {_role}",
        f"The party each `{_path}` reference points to (matched by id to exactly one party).",
        f"The party's `roles` include `{_role}`.",
        "no party has an id, or no reference matches exactly one party.",
        f"Add `{_role}` to the roles of the party in `parties`.",
    )
for _who, (_path, _role) in _ROLE_PATHS.items():
    _add(
        f"consistent.{_who}_name_in_parties",
        "compiled_release",
        "§2.2",
        f"The {_role} reference's name matches the party",
        f"The `name` of each `{_path}` reference against the `name` of the party it points to.",
        "The two names are exactly equal.",
        "no party has an id and a name, or no reference with a name matches exactly one party.",
        "Use the same name in the reference as in the party (or drop the name from the reference).",
    )
_add(
    "consistent.period_duration_in_days",
    "compiled_release",
    "§2.2",
    "A period's duration matches its dates",
    "`durationInDays` of each period against its start and end (or maximum extent) dates.",
    "The duration lies between the whole days before and after the exact difference.",
    "no period has a valid start date, a duration and an end or maximum extent date.",
    "Recompute durationInDays from the dates, or correct the dates.",
)
for _who, (_path, _role) in _ROLE_PATHS.items():
    _add(
        f"reference.{_who}_in_parties",
        "compiled_release",
        "§2.3",
        f"The {_role} reference points to one party",
        f"Each `{_path}` reference's `id` against the ids in `parties`.",
        "The id equals exactly one party's id, with the same JSON type.",
        "there is no such reference.",
        "Add the organisation to `parties`, and use the same id (and type: text vs number) in both.",
    )
_add(
    "reference.contract_in_awards",
    "compiled_release",
    "§2.3",
    "Each contract points to one award",
    "Each contract's `awardID` against the ids of the awards.",
    "The awardID equals exactly one award's id, with the same JSON type.",
    "there is no contract.",
    "Publish the award with the contract, and use the same id (and type) in both.",
)

# --- dataset level (§3) -------------------------------------------------------------------------------
_NONE_NA = "no compiled release sets the fields it reads."
_DISTRIBUTIONS = {
    "tender_procurement_method": ("tender.procurementMethod", ("open",)),
    "tender_status": ("tender.status", ("active", "complete")),
    "tender_award_criteria": ("tender.awardCriteria", ()),
    "tender_submission_method": ("tender.submissionMethod", ()),
    "awards_status": ("awards.status", ("active",)),
    "contracts_status": ("contracts.status", ("active", "terminated")),
    "milestone_status": ("milestone status (planning, tender, contracts, implementation)", ("met",)),
    "milestone_type": ("milestone type (planning, tender, contracts, implementation)", ()),
    "document_document_type": ("documentType of every document", ()),
    "value_currency": ("the currency of every value", ()),
    "related_process_relation": ("relatedProcesses relationship", ()),
}
_add(
    "distribution.main_procurement_category",
    "dataset",
    "§3.2",
    "Main procurement categories are varied",
    "The share of each `tender.mainProcurementCategory` across the dataset.",
    "No category has more than 95 % of the releases that set one.",
    _NONE_NA,
    "Check that the category is set from the data rather than defaulted to one value.",
)
_add(
    "unique.tender_id",
    "dataset",
    "§3.6",
    "Tender ids are unique",
    "Compiled releases sharing the same `tender.id`.",
    "Every tender id is used by exactly one compiled release; the value is the share of releases whose "
    "id is unique.",
    _NONE_NA,
    "Give each contracting process its own tender id, or merge the releases of one process under one ocid.",
)
for _kind in ("contracts", "awards", "tender"):
    _add(
        f"distribution.{_kind}_value",
        "dataset",
        "§3.3",
        f"A few {_kind} values do not dominate the total",
        f"The share of the total {_kind} value (in USD) held by the largest 1 % of values.",
        "The top 1 % of values hold at most half of the total.",
        f"{_NONE_NA[:-1]}, fewer than 100 non-negative convertible values, or they sum to 0.",
        "Look at the largest values (examples): extra digits, cents as units or wrong currencies.",
    )
_add(
    "distribution.buyer",
    "dataset",
    "§3.5",
    "Buyers are not mostly one-off",
    "How many buyers (by `buyer.id`) appear in a single compiled release.",
    "Fewer than half of the distinct buyers appear only once.",
    f"{_NONE_NA[:-1]}, or fewer than 1,000 releases name a buyer.",
    "Use one stable identifier per buyer instead of names or per-process ids.",
)
_add(
    "distribution.buyer_repetition",
    "dataset",
    "§3.5",
    "The largest buyer has a plausible share",
    "The share of compiled releases of the most frequent buyer.",
    "That share is more than 1 % and less than 50 %.",
    f"{_NONE_NA[:-1]}, or fewer than 1,000 releases name a buyer.",
    "Check that buyer.id identifies the buyer, not the publisher or a default value.",
)
for _kind in ("tender", "awards", "contracts"):
    _add(
        f"distribution.{_kind}_value_repetition",
        "dataset",
        "§3.4",
        f"{_kind.capitalize()} values are not repeated",
        f"The share of {_kind} values taken by the three most frequent (amount, currency) pairs.",
        "The top three pairs cover less than 10 % of the values; the value is that share in %.",
        _NONE_NA,
        "Look for placeholder amounts (0, 1, a default) published where the value is unknown.",
    )
for _code, (_path, _tests) in _DISTRIBUTIONS.items():
    _rule = (
        "every one of " + ", ".join(f"`{t}`" for t in _tests) + " is used, each by 0.1 %–99 % of occurrences."
        if _tests
        else "always (informative: the shares of each code are shown)."
    )
    _add(
        f"distribution.{_code}",
        "dataset",
        "§3.1",
        f"Distribution of {_path}",
        f"The share of each code of {_path} across the dataset.",
        _rule[0].upper() + _rule[1:],
        "no compiled release sets the field as a string.",
        "Check that the codes reflect the process (e.g. statuses are updated as it moves on)."
        if _tests
        else "Nothing to fix: look at the shares for codes that are missing or unexpected.",
    )
_add(
    "misc.url_availability",
    "dataset",
    "§3.7",
    "Document URLs answer",
    "A random sample of 100 document URLs, each fetched with HTTP GET.",
    "All 100 answer with a status 200–399; the value is the share that did. Offline runs make no "
    "request, so every URL fails: read the result only from a run with URL checking online.",
    f"{_NONE_NA[:-1]}, or fewer than 100 document URLs.",
    "Fix broken links and publish permanent URLs.",
)
_add(
    "consistent.related_process_title",
    "dataset",
    "§3.8",
    "Related-process titles match their targets",
    "The `title` of a related process (scheme `ocid`) against the tender title of the process it names.",
    "Every reference whose target is in the dataset has its target's tender title.",
    "no related process with scheme `ocid`, an identifier and a title has its target in the dataset.",
    "Update the related process's title from its target's tender title.",
)
_add(
    "reference.related_process_identifier",
    "dataset",
    "§3.8",
    "Related processes point to processes in the dataset",
    "Related processes with scheme `ocid`: whether an item with that ocid is in the dataset.",
    "Every such identifier is the ocid of a compiled release of the dataset.",
    "no related process has scheme `ocid` and an identifier.",
    "Publish the related processes too, or correct their identifiers.",
)

# --- time-based (§4) ----------------------------------------------------------------------------------
_ANCESTOR_NA = "the dataset has no ancestor, the ancestor is empty, or no ancestor item applies."
_add(
    "ocid",
    "time_based",
    "§4",
    "Earlier processes are still published",
    "Coverage: the share of the ancestor's ocids found again in this dataset.",
    "More than 95 % of the ancestor's compiled releases have a partner with the same ocid.",
    _ANCESTOR_NA,
    "Do not drop processes from later publications; keep ocids stable between publications.",
)
_add(
    "tender_title",
    "time_based",
    "§4",
    "Tender titles are stable",
    "The tender title of each process against its title in the ancestor (case and spaces ignored).",
    "More than 95 % of the pairs found keep their title, and more than 95 % of titled ancestor "
    "releases are found.",
    _ANCESTOR_NA,
    "Keep titles stable; if ocids were re-used for other processes, give those new ocids.",
)
_add(
    "phase_stable",
    "time_based",
    "§4",
    "Processes do not lose stages",
    "Whether a process that had tender, planning, awards or contracts in the ancestor still has them.",
    "More than 95 % of the pairs found keep every stage (no fewer awards or contracts).",
    _ANCESTOR_NA,
    "Publish the whole history of each process in every compiled release.",
)

#: Every entry keyed by stored name (the names are unique across levels).
CATALOGUE: dict[str, Entry] = {e.name: e for e in _ENTRIES}
assert len(CATALOGUE) == len(_ENTRIES), "duplicate catalogue names"


def entry(name: str) -> Entry | None:
    """The entry of a stored check name, or None."""
    return CATALOGUE.get(name)


def field_path_summary(path: str, quality: str | None, past: bool = False, section: str | None = None) -> str:
    """One line on what is checked at a field path: coverage always, and its quality check if any."""
    if quality is None:
        return f"`{path}`: coverage (exists, non_empty) only."
    detail = " (past-date bound)" if past else f" (section {section})" if section else ""
    return f"`{path}`: coverage, then `{quality}`{detail}: {CATALOGUE[quality].title.lower()}."


START = "<!-- catalogue:start (generated by `python -m pelican_dagster.checks.catalogue`: do not edit) -->"
END = "<!-- catalogue:end -->"


def render_markdown() -> str:
    """The catalogue part of docs/checks.md: every entry, grouped by level, and the field paths."""
    from pelican_dagster.checks.field.paths import PATHS

    lines = [
        "## Catalogue",
        "",
        "What each stored check name measures, when it passes, when it is not applicable and what a "
        "publisher can do about a failure; the numbered sections below give the exact behaviour.",
        "",
        "Outcomes: **passed**, **failed**, or **not applicable** (N/A: nothing to test; N/A is neither a "
        "pass nor a failure and is left out of pass rates).",
        "",
    ]
    for level, heading in LEVELS.items():
        entries = [e for e in _ENTRIES if e.level == level]
        lines += [f"### {heading} ({len(entries)})", ""]
        for e in entries:
            lines += [
                f"#### `{e.name}`: {e.title}",
                "",
                f"* **Measures**: {e.measures}",
                f"* **Passes when**: {e.passes}",
                f"* **Not applicable when**: {e.not_applicable}",
                f"* **On failure**: {e.on_failure}",
                f"* **Exact rule**: {e.section}",
                "",
            ]
    quality_paths = [p for p in PATHS if p.quality]
    lines += [
        f"### The {len(PATHS)} field paths",
        "",
        f"Every path gets the two coverage checks; {len(quality_paths)} also get a quality check "
        "(Appendix A has the same list in processing order).",
        "",
        "| # | path | quality check |",
        "|---|---|---|",
    ]
    for p in PATHS:
        detail = ""
        if p.quality:
            detail = f"`{p.quality}`" + (" (past)" if p.past else f" ({p.section})" if p.section else "")
        lines.append(f"| {p.index} | `{p.path}` | {detail} |")
    return "\n".join(lines)


def splice(document: str) -> str:
    """``document`` with the text between the catalogue markers replaced by :func:`render_markdown`."""
    head, sep, rest = document.partition(START)
    if not sep:
        raise ValueError("the document has no catalogue start marker")
    _, sep, tail = rest.partition(END)
    if not sep:
        raise ValueError("the document has no catalogue end marker")
    return f"{head}{START}\n{render_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    import pathlib
    import sys

    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/checks.md")
    target.write_text(splice(target.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target}")
