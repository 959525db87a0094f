"""Small helpers for the import and export tests."""

from __future__ import annotations

from registry.importing.engine import ImportReport, records_import

PARTY_HEADER = "slug,name,relationship,country"


def run_import(kind: str, text: str | bytes, name: str = "register.csv", **kwargs) -> ImportReport:
    data = text.encode() if isinstance(text, str) else text
    return records_import(kind=kind, filename=name, data=data, **kwargs)


def messages(report: ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


def seed_parties() -> ImportReport:
    report = run_import(
        "parties",
        PARTY_HEADER + "\nacme,Acme,own,US\nacme-hosting-inc,Acme Hosting Inc.,processor,DE\n"
        "cloudy,Cloudy,processor,United States\n",
    )
    assert report.ok, messages(report)
    return report
