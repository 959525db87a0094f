"""Reference data the register is seeded with: the taxonomy and the jurisdiction tables.

The taxonomy is fideslang's (Ethyca, Apache-2.0; see flows/data/taxonomy/NOTICE). The
jurisdiction tables come from flows/data (eea.csv, adequacy.csv) and from the instruments
cited beside each row (GDPR Arts. 45 to 49, UK GDPR and DPA 2018, the Swiss FADP and DPO).
They are seeded once by a data migration and then belong to the reviewers, who edit them in
the admin: nothing here is read by the rules at run time.

Functions take model classes as arguments so that migrations can pass historical models.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_DIR = DATA_DIR / "taxonomy"

# Keys the demo company's 2015 policy needs and fideslang lacks ("federal tax ID", "account
# number"). Marked as ours in the description so an export shows where they came from.
EXTRA_CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "user.government_id.tax_id",
        "Tax Identification Number",
        "A tax identifier such as a US federal tax ID (EIN). Added by this project.",
        "user.government_id",
    ),
    (
        "user.account.account_number",
        "Customer Account Number",
        "The number of the customer's account with us. Added by this project.",
        "user.account",
    ),
)

CATEGORY_FLAGS: dict[str, tuple[str, ...]] = {
    "special_category": (
        "user.health_and_medical",
        "user.biometric",
        "user.authorization.biometric",
        "user.demographic.political_opinion",
        "user.demographic.race_ethnicity",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
    ),
    "criminal": ("user.criminal_history",),
    "children": ("user.childrens",),
    "payment_card": ("user.financial.credit_card",),
    "credentials": ("user.authorization.credentials", "user.authorization.password"),
}

SALE_OR_SHARE_PURPOSES: tuple[str, ...] = (
    "third_party_sharing",
    "marketing.advertising.third_party",
)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _taxonomy_rows(filename: str) -> list[dict[str, str]]:
    """Current (not deprecated) rows, parents before children."""
    rows = [r for r in _rows(TAXONOMY_DIR / filename) if not r.get("version_deprecated")]
    return sorted(rows, key=lambda r: r["key"].count("."))


def _upsert_tree(model: Any, rows: Iterable[dict[str, str]], **extra_by_key: dict) -> None:
    by_key: dict[str, Any] = {}
    for row in rows:
        key = row["key"]
        parent = by_key.get(row.get("parent") or "") or (
            model.objects.filter(key=row["parent"]).first() if row.get("parent") else None
        )
        defaults = {
            "name": row["name"],
            "description": row.get("description", ""),
            "parent": parent,
        }
        defaults.update(extra_by_key.get(key, {}))
        obj, _ = model.objects.update_or_create(key=key, defaults=defaults)
        by_key[key] = obj


def load_taxonomy(data_category: Any, purpose: Any, data_subject: Any) -> None:
    """Create or update categories, purposes and data subjects from fideslang."""
    category_rows = _taxonomy_rows("fideslang_data_categories.csv") + [
        {"key": k, "name": n, "description": d, "parent": p} for k, n, d, p in EXTRA_CATEGORIES
    ]
    category_rows.sort(key=lambda r: r["key"].count("."))
    flags: dict[str, dict[str, bool]] = {}
    for flag, keys in CATEGORY_FLAGS.items():
        for key in keys:
            flags.setdefault(key, {})[flag] = True
    _upsert_tree(data_category, category_rows, **flags)

    purpose_rows = _taxonomy_rows("fideslang_data_uses.csv")
    sale = {
        r["key"]: {"sale_or_share": True}
        for r in purpose_rows
        if any(r["key"] == p or r["key"].startswith(p + ".") for p in SALE_OR_SHARE_PURPOSES)
    }
    _upsert_tree(purpose, purpose_rows, **sale)
    _upsert_tree(data_subject, _taxonomy_rows("fideslang_data_subjects.csv"))


# --- Jurisdictions -----------------------------------------------------------------------

# EU outermost regions and other territories with their own ISO code that are inside the EEA
# (TFEU Art. 355(1), and Art. 355(4) for the Åland Islands).
EEA_TERRITORIES: tuple[str, ...] = ("AX", "GF", "GP", "MQ", "RE", "YT", "MF")

_UK_CARRIED_OVER = ("CH", "AR", "GG", "IM", "JE", "AD", "IL", "UY", "NZ", "FO", "CA", "JP")
_CH_ANNEX_1_NON_EEA = ("GB", "AR", "GG", "IM", "JE", "AD", "IL", "UY", "NZ", "FO", "CA")

# Before the revised FADP and its Annex 1 took effect on 2023-09-01, the FDPIC kept a list of
# states with adequate protection (old FADP Art. 6 and old DPO Art. 7). The EEA states are
# adequate for Swiss exporters in code (jurisdictions.EEA_ADEQUATE_FOR); these are the others
# the list is believed to have held: (code, valid_from, scope). The list's contents and the
# day each state joined it are unverified: the rows say so, and reviewers correct them in the
# admin. valid_from 1993-07-01 is the entry into force of the old FADP; the UK is listed from
# the end of the Brexit transition (before it, the UK was in the EEA).
FDPIC_LIST_UNTIL = date(2023, 8, 31)
FDPIC_LIST: tuple[tuple[str, date, str], ...] = (
    ("GB", date(2021, 1, 1), "whole"),
    *(
        (code, date(1993, 7, 1), "sectoral" if code == "CA" else "whole")
        for code in ("AD", "AR", "CA", "FO", "GG", "GI", "IL", "IM", "JE", "MC", "NZ", "UY")
    ),
)
FDPIC_LIST_VERIFICATION = (
    "Unverified: the FDPIC's list of states with adequate protection (until 2023-08-31) was "
    "not read; the entry and the date the state joined the list come from secondary sources "
    "(bj.admin.ch confirms the FDPIC kept such a list under the old FADP)."
)

# (regime, mechanism, valid_from, valid_to, citation). Inclusive dates; None = open.
MECHANISM_VALIDITY: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("EU", "adequacy", None, None, "GDPR Art. 45"),
    ("EU", "dpf", "2023-07-10", None, "Commission Implementing Decision (EU) 2023/1795"),
    ("EU", "scc_2021", "2021-06-27", None, "Commission Implementing Decision (EU) 2021/914"),
    (
        "EU",
        "scc_2010",
        "2010-02-05",
        "2022-12-27",
        "Decision 2010/87/EU; Art. 4(4) of (EU) 2021/914",
    ),
    (
        "EU",
        "scc_2004",
        "2004-12-27",
        "2022-12-27",
        "Decision 2004/915/EC; Art. 4(4) of (EU) 2021/914",
    ),
    (
        "EU",
        "scc_2001",
        "2001-06-15",
        "2022-12-27",
        "Decision 2001/497/EC; Art. 4(4) of (EU) 2021/914",
    ),
    ("EU", "bcr", None, None, "GDPR Art. 47"),
    (
        "EU",
        "safe_harbor",
        "2000-07-26",
        "2015-10-05",
        "Decision 2000/520/EC; CJEU C-362/14 (Schrems I), 2015-10-06",
    ),
    (
        "EU",
        "privacy_shield",
        "2016-07-12",
        "2020-07-15",
        "Decision (EU) 2016/1250; CJEU C-311/18 (Schrems II), 2020-07-16",
    ),
    ("EU", "derogation", None, None, "GDPR Art. 49"),
    ("UK", "adequacy", "2021-01-01", None, "UK GDPR Art. 45; DPA 2018 s. 17A"),
    (
        "UK",
        "dpf",
        "2023-10-12",
        None,
        "Data Protection (Adequacy) (United States of America) Regulations 2023, SI 2023/1028",
    ),
    # No ("UK", "scc_2021") row: the EU SCCs 2021 are no UK transfer tool on their own. Under
    # UK GDPR Art. 46(2)(d) and DPA 2018 s. 119A they serve only with the UK Addendum (below);
    # until then UK exporters used the old EU SCCs (transitional provisions).
    (
        "UK",
        "scc_2010",
        "2010-02-05",
        "2024-03-21",
        "ICO transitional provisions: old SCCs until 2024-03-21 [S]",
    ),
    (
        "UK",
        "scc_2004",
        "2004-12-27",
        "2024-03-21",
        "ICO transitional provisions: old SCCs until 2024-03-21 [S]",
    ),
    (
        "UK",
        "scc_2001",
        "2001-06-15",
        "2024-03-21",
        "ICO transitional provisions: old SCCs until 2024-03-21 [S]",
    ),
    ("UK", "uk_idta", "2022-03-21", None, "DPA 2018 s. 119A; IDTA in force 2022-03-21"),
    ("UK", "uk_addendum", "2022-03-21", None, "DPA 2018 s. 119A; Addendum in force 2022-03-21"),
    ("UK", "bcr", None, None, "UK GDPR Art. 47"),
    ("UK", "safe_harbor", "2000-07-26", "2015-10-05", "CJEU C-362/14 (Schrems I), 2015-10-06"),
    ("UK", "privacy_shield", "2016-07-12", "2020-07-15", "CJEU C-311/18 (Schrems II), 2020-07-16"),
    ("UK", "derogation", None, None, "UK GDPR Art. 49"),
    ("CH", "adequacy", None, None, "FADP Art. 16(1); DPO Annex 1"),
    ("CH", "dpf", "2024-09-15", None, "Federal Council decision of 2024-08-14 (Swiss-US DPF)"),
    (
        "CH",
        "scc_2021",
        "2021-08-27",
        None,
        "FDPIC recognition of 2021-08-27, with Swiss adaptations [S]",
    ),
    # [U] The end of the Swiss transition for the old SCCs was not verified; the EU date is used.
    (
        "CH",
        "scc_2010",
        "2010-02-05",
        "2022-12-27",
        "FADP Art. 16(2)(d) [U: end date assumed as EU]",
    ),
    (
        "CH",
        "scc_2004",
        "2004-12-27",
        "2022-12-27",
        "FADP Art. 16(2)(d) [U: end date assumed as EU]",
    ),
    (
        "CH",
        "scc_2001",
        "2001-06-15",
        "2022-12-27",
        "FADP Art. 16(2)(d) [U: end date assumed as EU]",
    ),
    ("CH", "bcr", None, None, "FADP Art. 16(2)(e)"),
    # [U] start date of the Swiss-US Safe Harbor and Privacy Shield: not verified.
    (
        "CH",
        "safe_harbor",
        "2008-01-01",
        "2015-10-21",
        "FDPIC: no longer sufficient from 2015-10-22 [S]",
    ),
    ("CH", "privacy_shield", "2017-01-12", "2020-09-07", "FDPIC position of 2020-09-08 [S]"),
    ("CH", "derogation", None, None, "FADP Art. 17"),
)


def _date(text: str | None) -> date | None:
    match = re.search(r"\d{4}-\d{2}-\d{2}", text or "")
    return date.fromisoformat(match.group(0)) if match else None


def load_jurisdictions(zone: Any, adequacy: Any, mechanism: Any) -> None:
    """Seed zones, adequacy decisions and mechanism validity. Safe to run twice."""
    for row in _rows(DATA_DIR / "eea.csv"):
        zone.objects.get_or_create(
            regime="EU",
            country=row["iso2"],
            valid_from=None,
            defaults={"notes": row.get("notes", "")},
        )
    for code in EEA_TERRITORIES:
        zone.objects.get_or_create(
            regime="EU",
            country=code,
            valid_from=None,
            defaults={"notes": "EU outermost region or special territory inside the EEA."},
        )
    # Until the end of the Brexit transition period (Withdrawal Agreement Arts. 126 and 127),
    # the UK was inside the EU zone.
    zone.objects.get_or_create(
        regime="EU",
        country="GB",
        valid_from=None,
        defaults={"valid_to": date(2020, 12, 31), "notes": "EU member until the end of 2020."},
    )
    zone.objects.get_or_create(regime="UK", country="GB", valid_from=date(2021, 1, 1))
    zone.objects.get_or_create(regime="CH", country="CH", valid_from=None)

    for row in _rows(DATA_DIR / "adequacy.csv"):
        if not row["iso2"] or row["status"].upper().startswith("INVALIDATED"):
            # Invalidated decisions live on as mechanisms (safe_harbor, privacy_shield); the
            # European Patent Organisation has no country code to hang a decision on.
            continue
        valid_from = _date(row["decision_date"])
        scope = "whole"
        if row["iso2"] == "US":
            scope = "dpf"
        elif row["scope_notes"].startswith("PARTIAL"):
            scope = "sectoral"
        adequacy.objects.get_or_create(
            regime="EU",
            country=row["iso2"],
            valid_from=valid_from,
            defaults={
                "instrument": row["decision_instrument"][:300],
                "valid_to": _date(row["valid_until"]),
                "scope": scope,
                "notes": row["scope_notes"],
                "verification": row["verification"],
            },
        )
    # Between the end of the transition and the adequacy decision, the EU-UK Trade and
    # Cooperation Agreement (Art. FINPROV.10A) let data flow as if the UK were adequate [S].
    adequacy.objects.get_or_create(
        regime="EU",
        country="GB",
        valid_from=date(2021, 1, 1),
        defaults={
            "valid_to": date(2021, 6, 27),
            "instrument": "EU-UK TCA Art. FINPROV.10A (bridge)",
            "notes": "Rulebook 7.2: treat 2021-01-01..2021-06-27 as inside.",
            "verification": "[S]",
        },
    )
    for code in _UK_CARRIED_OVER:
        adequacy.objects.get_or_create(
            regime="UK",
            country=code,
            valid_from=date(2021, 1, 1),
            defaults={
                "instrument": "DPA 2018 Sch. 21 para. 5 (EU decisions carried over)",
                "scope": "sectoral" if code in ("CA", "JP") else "whole",
                "verification": "[S] rulebook 4.1.1",
            },
        )
    adequacy.objects.get_or_create(
        regime="UK",
        country="KR",
        valid_from=date(2022, 12, 19),
        defaults={"instrument": "SI 2022/1213", "scope": "sectoral", "verification": "[V]"},
    )
    adequacy.objects.get_or_create(
        regime="UK",
        country="US",
        valid_from=date(2023, 10, 12),
        defaults={
            "instrument": "SI 2023/1028 (UK-US data bridge)",
            "scope": "dpf",
            "verification": "[V]",
        },
    )
    for code in _CH_ANNEX_1_NON_EEA:
        adequacy.objects.get_or_create(
            regime="CH",
            country=code,
            valid_from=date(2023, 9, 1),
            defaults={
                "instrument": "DPO Annex 1 (SR 235.11)",
                "scope": "sectoral" if code == "CA" else "whole",
                "notes": "Before 2023-09-01: the FDPIC's list (its own rows, until 2023-08-31).",
                "verification": "[V]/[S] rulebook 4.2",
            },
        )
    adequacy.objects.get_or_create(
        regime="CH",
        country="US",
        valid_from=date(2024, 9, 15),
        defaults={"instrument": "DPO Annex 1, Swiss-US DPF", "scope": "dpf", "verification": "[V]"},
    )
    for regime, code, start, end, citation in MECHANISM_VALIDITY:
        mechanism.objects.update_or_create(
            regime=regime,
            mechanism=code,
            defaults={"valid_from": _date(start), "valid_to": _date(end), "citation": citation},
        )


RETIRED_MECHANISM_ROWS = (("UK", "scc_2021", "UK GDPR Art. 46; see uk_addendum [S]"),)
"""Rows an earlier seed wrote in error: the EU SCCs 2021 alone were never a UK transfer tool."""


def retire_mechanism_rows(mechanism: Any) -> None:
    """Delete the rows of RETIRED_MECHANISM_ROWS that still hold the seeded citation (a row a
    reviewer has since changed is theirs, and stays)."""
    for regime, code, citation in RETIRED_MECHANISM_ROWS:
        mechanism.objects.filter(regime=regime, mechanism=code, citation=citation).delete()


def load_fdpic_list(adequacy: Any) -> None:
    """Seed the FDPIC's list of adequate states, valid until 2023-08-31 (FDPIC_LIST), each
    row marked unverified. Safe to run twice; the Annex 1 rows (from 2023-09-01) stay."""
    for code, valid_from, scope in FDPIC_LIST:
        adequacy.objects.get_or_create(
            regime="CH",
            country=code,
            valid_from=valid_from,
            defaults={
                "valid_to": FDPIC_LIST_UNTIL,
                "instrument": "FDPIC list of states with adequate data protection (old FADP)",
                "scope": scope,
                "notes": "Before the revised FADP and DPO Annex 1 (in force 2023-09-01).",
                "verification": FDPIC_LIST_VERIFICATION,
            },
        )
    adequacy.objects.filter(
        regime="CH", notes="The FDPIC list before 2023-09-01 is not seeded [gap]."
    ).update(notes="Before 2023-09-01: the FDPIC's list (its own rows, until 2023-08-31).")
