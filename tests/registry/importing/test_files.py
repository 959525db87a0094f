"""Files that cannot be read are refused with a sentence, never a traceback."""

import io
import json

import pytest
from openpyxl import Workbook

from registry.importing.tabular import MAX_FILE_BYTES, TableError, read_table
from registry.models import Party
from tests.registry.importing.import_helpers import PARTY_HEADER, messages, run_import


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_empty_file_is_refused():
    with pytest.raises(TableError, match="empty"):
        read_table("vendors.csv", b"  \n")


def test_a_file_with_only_a_header_is_refused():
    with pytest.raises(TableError, match="no data rows"):
        read_table("vendors.csv", PARTY_HEADER.encode() + b"\r\n")


def test_a_wrong_extension_names_the_formats_that_work():
    with pytest.raises(TableError, match=r"'\.pdf'.*\.csv, \.xlsx or \.json"):
        read_table("vendors.pdf", b"slug\nx\n")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(TableError, match="the limit is 50 MB"):
        read_table("vendors.csv", b"x" * (MAX_FILE_BYTES + 1))


def test_binary_garbage_is_not_taken_for_a_csv():
    with pytest.raises(TableError, match="binary"):
        read_table("vendors.csv", bytes(range(256)) * 40)


def test_a_damaged_workbook_is_reported():
    with pytest.raises(TableError, match="xlsx"):
        read_table("vendors.xlsx", b"PK\x03\x04 not really a zip")


def test_json_that_is_not_a_list_of_objects_is_reported():
    with pytest.raises(TableError, match="list of objects"):
        read_table("vendors.json", b'{"slug": "x"}')


def test_utf8_with_and_without_bom_read_the_same():
    text = "Slug ,NAME\r\nzurich-ag,Zürich AG\r\n"
    plain = read_table("a.csv", text.encode())
    with_bom = read_table("a.csv", b"\xef\xbb\xbf" + text.encode())
    assert plain.header == with_bom.header == ["slug", "name"]
    assert plain.rows == with_bom.rows == [(2, ["zurich-ag", "Zürich AG"])]


def test_latin1_is_read_with_a_warning():
    table = read_table("a.csv", "slug,name\nzurich-ag,Zürich AG\n".encode("latin-1"))
    assert table.rows[0][1][1] == "Zürich AG"
    assert "not UTF-8" in table.warnings[0] and "line 2" in table.warnings[0]


def test_semicolon_separated_csv_is_read():
    table = read_table("a.csv", b"slug;name\nacme;Acme\n")
    assert table.rows == [(2, ["acme", "Acme"])]


def test_xlsx_cells_of_any_type_become_text():
    from datetime import datetime

    table = read_table(
        "a.xlsx", xlsx([["Slug", "Since", "N", "Flag"], ["a", datetime(2020, 1, 2), 3.0, True]])
    )
    assert table.rows == [(2, ["a", "2020-01-02", "3", "yes"])]


@pytest.mark.django_db
def test_each_format_imports_the_same_parties():
    rows = [["slug", "name", "relationship", "country"], ["acme", "Acme", "own", "us"]]
    files = {
        "a.csv": "\n".join(",".join(r) for r in rows).encode(),
        "a.xlsx": xlsx(rows),
        "a.json": json.dumps([dict(zip(rows[0], rows[1], strict=True))]).encode(),
    }
    for name, data in files.items():
        report = run_import("parties", data, name=name)
        assert report.ok, messages(report)
    # values_list gives the stored code, a str (the plugin types it as the field's Country).
    stored = [
        (slug, str(country)) for slug, country in Party.objects.values_list("slug", "country")
    ]
    assert stored == [("acme", "US")]


@pytest.mark.django_db
def test_a_cell_over_ten_thousand_characters_is_an_error():
    report = run_import("parties", PARTY_HEADER + f"\nacme,{'A' * 10_001},own,US\n")
    assert messages(report) == [
        "line 2, column name: the cell holds 10,001 characters; at most 10,000 are read"
    ]
    assert not Party.objects.exists()
