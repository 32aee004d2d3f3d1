"""BibTeX for paper events and JSON-LD for every page (pure functions)."""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from .model import Event

log = logging.getLogger(__name__)

JOURNALS = ("nature", "science", "jama", "cell", "radiology", "pnas", "journal", "transactions",
            "magazine", "neural computation", "jmlr", "ieee micro", "communications of the acm")
BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def is_citable(event: Event) -> bool:
    return event.kind.id == "paper"


def bibtex_key(event: Event) -> str:
    """`krizhevsky2012imagenet`: first author's family name, year, first title word."""
    author = event.authors[0].split()[-1] if event.authors else (event.organization or ("anon",))[0]
    word = next((w for w in re.findall(r"[A-Za-z]+", event.title) if len(w) > 3), "paper")
    return _ascii(f"{author}{event.year}{word}").lower()


def bibtex_entry(event: Event) -> str:
    """One @article, @inproceedings or @misc entry; values escaped for (bib)LaTeX."""
    venue = event.venue or ""
    entry_type = "misc" if not venue else "article" if _is_journal(venue) else "inproceedings"
    fields: list[tuple[str, str]] = [("title", "{" + _escape(event.title) + "}")]
    if event.authors:
        fields.append(("author", " and ".join(_escape(a) for a in event.authors)))
    if venue:
        fields.append(("journal" if entry_type == "article" else "booktitle", _escape(venue)))
    fields.append(("year", str(event.year)))
    if event.date.month:
        fields.append(("month", MONTHS[event.date.month - 1]))
    if event.doi:
        fields.append(("doi", _escape(event.doi)))
    if event.arxiv:
        fields += [("eprint", event.arxiv), ("archiveprefix", "arXiv")]
    fields.append(("url", _url(event.primary_link.url)))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@{entry_type}{{{bibtex_key(event)},\n{body}\n}}\n"


def _url(url: str) -> str:
    """Braces and backslashes percent-encoded: they could close the field or run a LaTeX command."""
    return re.sub(r"[{}\\]", lambda m: f"%{ord(m.group()):02X}", url)


def _is_journal(venue: str) -> bool:
    return any(j in venue.lower() for j in JOURNALS)


def _escape(text: str) -> str:
    return BIBTEX_SPECIAL.sub(r"\\\1", text.replace("\\", ""))


def _ascii(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())


def structured_data(event: Event, url: str, site_name: str) -> dict[str, Any]:
    """schema.org JSON-LD: ScholarlyArticle for papers, Event for milestones, else CreativeWork."""
    kind = "ScholarlyArticle" if event.kind.id == "paper" else "Event" if event.kind.id == "milestone" else "CreativeWork"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": event.title,
        "description": event.summary,
        "url": url,
        "sameAs": event.primary_link.url,
        "about": [t.name for t in event.topics],
        "isPartOf": {"@type": "WebSite", "name": site_name},
    }
    date_key = "startDate" if kind == "Event" else "datePublished"
    data[date_key] = event.date.iso
    if event.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in event.authors]
    if event.organization:
        key = "organizer" if kind == "Event" else "publisher" if not event.authors else "sourceOrganization"
        data[key] = [{"@type": "Organization", "name": o} for o in event.organization]
    if kind == "Event":
        data["eventAttendanceMode"] = "https://schema.org/MixedEventAttendanceMode"
        data["location"] = {"@type": "VirtualLocation", "url": event.primary_link.url}
    if event.doi:
        data["identifier"] = f"https://doi.org/{event.doi}"
    return data
