"""The forms of the import and export pages: a kind, and a file or a format."""

from __future__ import annotations

from typing import Any

from django import forms

from registry.importing.tabular import FORMATS
from registry.jobs.imports import OUTCOMES, import_kinds

FORMAT_LABELS = {"csv": "CSV (.csv)", "xlsx": "Excel (.xlsx)", "json": "JSON (.json)"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=())
    file = forms.FileField(
        label="File",
        help_text="A .csv, .xlsx or .json file whose first row names the columns, as the "
        "exports write them.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json"}),
        error_messages={"required": "Choose the file to import.",
                        "empty": "The file is empty: there is no header row and no data."},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds are registered by the apps when they are ready, after this module loads.
        self.fields["kind"].choices = import_kinds()  # type: ignore[attr-defined]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="What to export", choices=())
    format = forms.ChoiceField(
        label="Format",
        choices=[(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS],
        initial="csv",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = import_kinds()  # type: ignore[attr-defined]


class PreviewFilterForm(forms.Form):
    """Which rows of the preview to show: all, or those of one outcome."""

    show = forms.ChoiceField(
        required=False,
        choices=[("", "All rows"), *((k, v.capitalize()) for k, v in OUTCOMES.items())],
    )
