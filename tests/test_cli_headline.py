"""`edsim batch`'s closing report: the headline in months, percentage points and share of gap."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from edsim.cli._common import console
from edsim.cli.experiments import _report
from edsim.report import headline
from test_headline import fake_results


def test_batch_report_prints_the_headline_in_months_pp_and_share_of_gap(tmp_path: Path) -> None:
    results = fake_results()
    with console.capture() as captured:
        _report(results, tmp_path)
    text = captured.get()
    assert "difference from disseminate_to paired on replicate" in text
    assert "Headline, 2014 (year 3): linkage_exchange minus disseminate_to, paired on " in text
    table = headline(results)
    assert table is not None
    row = table.iloc[0]
    assert row["metric"] == "ks4_gap_index"
    assert f"KS4 gap index                     {row['mean_diff']:+.3f}" in text
    assert "= -2 months of progress [" in text
    assert f"% of the 2011 gap [{row['gap_share_ci_low']:+.1f}, " in text
    assert " pp [" in text
    written = pd.read_csv(tmp_path / "headline.csv")
    assert written.loc[0, "mean_diff"] == pytest.approx(row["mean_diff"])
    assert (tmp_path / "headline.md").read_text().startswith("| scenario | reference |")
    assert (tmp_path / "comparison_ks4_gap_index.csv").is_file()
