"""Tables as a page shows them (specialist.display): no index numbers, words for booleans and
column names, intervals that do not break inside, numbers rounded per column; the CSV files keep
their columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from specialist import display
from specialist.outputs import Outputs

NBSP = "\u00a0"


def _cells(html: str, tag: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    ]


def test_row_numbers_are_hidden_and_a_named_index_becomes_columns():
    df = pd.DataFrame({"mcc": [0.5, 0.25]})
    html = display.table_html(df)
    assert _cells(html, "th") == ["MCC"]
    assert _cells(html, "td") == ["0.500", "0.250"]
    named = pd.DataFrame({"fpr": [0.1]}, index=pd.Index(["Ours"], name="method"))
    assert _cells(display.table_html(named), "th") == ["method", "false-positive rate"]
    # row labels without a name are kept (as a column without a header), filtered rows are not
    labelled = pd.DataFrame({"mcc": [0.5]}, index=["Ours"])
    assert _cells(display.table_html(labelled), "th") == ["", "MCC"]
    assert _cells(display.table_html(labelled), "td")[0] == "Ours"
    filtered = pd.DataFrame({"mcc": [0.5, 0.25, 0.125]}).iloc[[0, 2]]
    assert _cells(display.table_html(filtered), "th") == ["MCC"]


def test_booleans_are_words_and_headers_are_words():
    df = pd.DataFrame(
        {
            "agrees": [True, False],
            "mean_cc": [0.9, 0.8],
            "fnr": [0.0, 0.1],
            "key_number": ["a", "b"],
            "moved": np.array([False, True], dtype=object),
        }
    )
    html = display.table_html(df)
    heads = _cells(html, "th")
    assert heads == ["agrees", "mean correlation", "false-negative rate", "key number", "moved"]
    body = _cells(html, "td")
    assert "True" not in body and "False" not in body
    assert body[0] == "yes" and body[4] == "no" and body[-1] == "yes"


def test_an_interval_breaks_on_two_lines_at_most():
    df = pd.DataFrame({"key number": ["MCC 0.64 [0.40, 0.87], n = 10"]})
    (cell,) = _cells(display.table_html(df), "td")
    assert f"0.64 [0.40,{NBSP}0.87]" in cell  # the estimate, then the unbroken interval


def test_numbers_are_rounded_per_column_and_small_ones_stay_readable():
    df = pd.DataFrame({"seconds": [0.0123456, 0.5], "tests": [180, 1250000], "p": [1e-9, 0.9]})
    body = _cells(display.table_html(df), "td")
    assert body[:3] == ["0.012", "180", "1.0e-09"]  # three significant digits of the largest
    assert body[3:] == ["0.500", "1,250,000", "0.900"]
    assert display.table_html(pd.DataFrame({"x": [np.nan, 1.5]})).count("–") == 1


def test_a_multiindex_of_columns_is_named_level_by_level():
    df = pd.DataFrame(
        [[0.9, 0.1]], columns=pd.MultiIndex.from_tuples([("mcc", "mean"), ("mcc", "std")])
    )
    heads = _cells(display.table_html(df), "th")
    assert "MCC" in heads and "mcc" not in heads


def test_a_notebooks_own_styler_keeps_its_formats_but_loses_row_numbers():
    styler = pd.DataFrame({"any_holm (s)": [0.00123], "n": [1000]}).style.format(
        {"any_holm (s)": "{:.4f}", "n": "{:,}"}
    )
    html = display.styler_html(styler)
    assert _cells(html, "th") == ["any pair + Holm (s)", "n"]
    assert _cells(html, "td") == ["0.0012", "1,000"]


def test_the_csv_keeps_the_code_names(tmp_path):
    df = pd.DataFrame({"mcc": [0.5], "agrees": [True]})
    Outputs(tmp_path).table(df, "t")
    assert (tmp_path / "t.csv").read_text().splitlines() == ["mcc,agrees", "0.5,True"]


def test_a_table_fits_the_column():
    html = display.table_html(pd.DataFrame({"a": [1]}))
    assert "max-width: 100%" in html and 'class="dataframe"' in html
    assert "white-space: normal" in html  # headers wrap


def test_in_a_notebook_every_dataframe_and_styler_goes_through_the_book_table(monkeypatch):
    import IPython

    registered = {}

    class Formatter:
        def for_type(self, kind, fn):
            registered[kind] = fn

    class Shell:
        class display_formatter:  # noqa: N801 - IPython's attribute name
            formatters = {"text/html": Formatter()}

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    display.use_table_style()
    from pandas.io.formats.style import Styler

    assert registered[pd.DataFrame] is display.table_html
    assert registered[Styler] is display.styler_html


def test_book_table_refuses_what_is_not_a_dataframe():
    with pytest.raises(TypeError, match="DataFrame"):
        display.book_table([1, 2])


def test_the_three_columns_of_an_interval_are_shown_as_one():
    df = pd.DataFrame(
        {
            "rule": ["auto"],
            "vs_dense_estimate": [0.0123],
            "vs_dense_low": [-0.02],
            "vs_dense_high": [0.045],
            "vs_dense_n": [10],
        }
    )
    html = display.table_html(df)
    assert _cells(html, "th") == ["rule", "vs dense [interval]", "vs dense: n"]
    assert _cells(html, "td")[1] == f"0.0123 [-0.0200,{NBSP}0.0450]"
    bare = pd.DataFrame({"link": ["a"], "estimate": [0.5], "low": [0.25], "high": [0.75]})
    assert _cells(display.table_html(bare), "th") == ["link", "estimate [interval]"]
