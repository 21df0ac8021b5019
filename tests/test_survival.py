"""Survival analysis against published values: the Freireich 6-MP trial (Gehan 1965, as printed in
survival textbooks and by R's survfit), a small group as the infant cohort paper reports it, and the
command end to end on the simulated 175-infant cohort."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN, REPO, read_tsv
from lifelines.datasets import load_leukemia

from allfuse.cli import main
from allfuse.errors import InputError
from allfuse.survival import km
from allfuse.survival.clinical import read_clinical

# The 6-MP arm as published (Freireich et al. 1963; Gehan 1965), '*' = censored, in weeks.
SIX_MP = "6 6 6 6* 7 9* 10 10* 11* 13 16 17* 19* 20* 22 23 25* 32* 32* 34* 35*"
PLACEBO = "1 1 2 2 3 4 4 5 5 8 8 8 8 11 11 12 12 15 17 22 23"


def _arm(rx: int) -> pd.DataFrame:
    data = load_leukemia()
    return data[data["Rx"] == rx]


def _published(text: str) -> list[tuple[int, int]]:
    return sorted((int(t.rstrip("*")), 0 if t.endswith("*") else 1) for t in text.split())


def test_lifelines_leukemia_is_the_freireich_trial() -> None:
    # Rx 0 is 6-MP, Rx 1 placebo: 21 patients each, times and censoring as published.
    assert sorted(zip(_arm(0)["t"], _arm(0)["status"], strict=True)) == _published(SIX_MP)
    assert sorted(zip(_arm(1)["t"], _arm(1)["status"], strict=True)) == _published(PLACEBO)


@pytest.mark.parametrize(
    ("t", "surv", "lower", "upper"),
    [(6, 0.857, 0.720, 1.000), (13, 0.690, 0.510, 0.935), (23, 0.448, 0.249, 0.807)],
)
def test_six_mp_log_ci_as_published(t: int, surv: float, lower: float, upper: float) -> None:
    est = km.estimate_at(km.fit(_arm(0)["t"], _arm(0)["status"]), t, "log")
    assert (round(est.surv, 3), round(est.lower, 3), round(est.upper, 3)) == (surv, lower, upper)


def test_six_mp_medians_and_logrank() -> None:
    assert km.median_time(km.fit(_arm(0)["t"], _arm(0)["status"])) == 23
    assert km.median_time(km.fit(_arm(1)["t"], _arm(1)["status"])) == 8
    data = load_leukemia().rename(columns={"t": "time", "status": "event", "Rx": "group"})
    (test,) = km.logrank(data)
    assert (test.test, test.df, round(test.chi2, 2)) == ("logrank", 1, 16.79)
    assert f"{test.p:.2e}" == "4.17e-05"


# Three groups with events and D, one patient censored at 1, before the first event (time 2):
# issue 13's case. By R's survdiff, from the risk sets at the event times 2, 4, 5 and 10
# (at risk A/B/C/D: 3/3/3/0, 3/3/1/0, 3/2/1/0, 1/0/1/0; one event each, in C, B, B, A):
#   O = (1, 2, 1, 0), E = (37/21, 23/21, 8/7, 0): D has no expected events and is dropped;
#   V over A, B, C = [[853, -407, -446], [-407, 608, -201], [-446, -201, 647]] / 882, rank 2;
#   without the first group (R's [-1]): O - E = (19/21, -1/7) for B, C,
#   V = [[304/441, -67/294], [-67/294, 647/882]], chi2 = (O-E)' V^-1 (O-E) = 2470/2017 = 1.2246,
#   df = 3 groups with E > 0 - 1 = 2, p = exp(-chi2/2) = 0.542 (df 3 would give 0.747, issue 13).
# Pairs: A-B: O - E = (1 - 21/10, 2 - 9/10), V = 49/100, chi2 = (11/10)^2 / (49/100) = 121/49,
# p = 2 (1 - Phi(11/7)) = 0.116 on 1 df; any pair with D: D has no expected events, R gives chisq 0 on 0 df: no test.
ISSUE13 = [(6, 0, "A"), (7, 0, "A"), (10, 1, "A"), (4, 1, "B"), (5, 1, "B"), (8, 0, "B")]
ISSUE13 += [(2, 1, "C"), (3, 0, "C"), (11, 0, "C"), (1, 0, "D")]


@pytest.mark.parametrize("d_name", ["D", "0"])  # dropped whether it sorts last or first
def test_logrank_leaves_out_a_group_with_no_expected_events(d_name: str) -> None:
    data = pd.DataFrame(ISSUE13, columns=["time", "event", "group"]).replace({"group": {"D": d_name}})
    overall, *pairs = km.logrank(data, pairwise=True)
    assert (overall.groups, overall.df, f"{overall.p:.3g}") == (["A", "B", "C", d_name], 2, "0.542")
    assert overall.chi2 == pytest.approx(2470 / 2017, abs=1e-12)
    assert overall.p == pytest.approx(math.exp(-1235 / 2017), abs=1e-12)  # chi2 sf on 2 df
    tests = {tuple(r.groups): r for r in pairs}
    assert list(tests) == [("A", "B"), ("A", "C"), ("A", d_name), ("B", "C"), ("B", d_name), ("C", d_name)]
    assert tests["A", "B"].chi2 == pytest.approx(121 / 49, abs=1e-12)
    assert (tests["A", "B"].df, f"{tests['A', 'B'].p:.3g}") == (1, "0.116")
    for other in ("A", "B", "C"):
        no_test = tests[other, d_name]
        assert (no_test.chi2, no_test.df) == (0.0, 0) and math.isnan(no_test.p)


def test_log_log_ci_is_lifelines_own_band() -> None:
    # lifelines' band is the log-log one: the two computations must agree.
    fit = km.fit(_arm(0)["t"], _arm(0)["status"])
    for t in (6, 10, 13, 16, 22, 23):
        est = km.estimate_at(fit, t, "log-log")
        band = fit.confidence_interval_.loc[float(t)]
        assert est.lower == pytest.approx(band.iloc[0], abs=1e-9)
        assert est.upper == pytest.approx(band.iloc[1], abs=1e-9)


def test_one_event_at_five_at_risk_is_80_52_100() -> None:
    # 9 patients: 4 censored early, one event with 5 at risk, 4 censored later (NUTM1-r in the paper).
    fit = km.fit([1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 0, 0, 0, 1, 0, 0, 0, 0])
    est = km.estimate_at(fit, 8, "log")
    assert (round(100 * est.surv), round(100 * est.lower), round(100 * est.upper)) == (80, 52, 100)


def test_no_event_and_all_events() -> None:
    none = km.estimate_at(km.fit([3, 5, 7], [0, 0, 0]), 4)
    assert (none.surv, none.lower, none.upper) == (1.0, 1.0, 1.0)
    # While S = 1, R's survfit gives (1, 1) with conf.type "log" (se 0) and NA with "log-log"
    # (log(-log 1) is not defined): before the first event and with no event at all.
    for times, events, t in (([2, 5, 7], [0, 1, 0], 3), ([3, 5, 7], [0, 0, 0], 4)):
        fit = km.fit(times, events)
        log = km.estimate_at(fit, t, "log")
        assert (log.surv, log.lower, log.upper, log.se_log) == (1.0, 1.0, 1.0, 0.0)
        loglog = km.estimate_at(fit, t, "log-log")
        assert loglog.surv == 1.0 and math.isnan(loglog.lower) and math.isnan(loglog.upper)
    every = km.estimate_at(km.fit([1, 2], [1, 1]), 3)
    assert every.surv == 0 and math.isnan(every.lower) and math.isnan(every.upper)


def test_median_follows_r_rule_on_a_flat_half() -> None:
    # S = 0.75, 0.5, 0.25, 0: S is 0.5 from 2 to 3, so the median is the midpoint, 2.5 (R's survfit).
    assert km.median_time(km.fit([1, 2, 3, 4], [1, 1, 1, 1])) == 2.5
    # 0.5 and never lower: the median is where it reaches 0.5.
    assert km.median_time(km.fit([1, 2, 3, 4], [1, 1, 0, 0])) == 2
    assert math.isnan(km.median_time(km.fit([1, 2, 3, 4], [0, 1, 0, 0])))  # S = 2/3 at the end


def test_reverse_km_median_followup() -> None:
    # Reverse KM on the 6-MP arm: censoring is the event; it first falls to <= 0.5 at week 25.
    assert km.median_followup(_arm(0)["t"], _arm(0)["status"]) == 25


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _cohort(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["sample\tstatus\tstatus_reason\tgroup\tsubtype\tpartner\tdriver_fusion"]
    for sample, subtype, status in rows:
        group = (
            "KMT2A-r"
            if subtype == "KMT2A-r"
            else ("not assessable" if status == "not assessable" else "KMT2A-wt")
        )
        reason = "0 input read pairs (QC minimum 1000)" if status == "not assessable" else ""
        lines.append(f"{sample}\t{status}\t{reason}\t{group}\t{subtype}\t\t")
    return _write(tmp_path / "cohort.tsv", "\n".join(lines) + "\n")


def test_bad_clinical_rows_one_line_each(tmp_path: Path, capsys) -> None:
    cohort = _cohort(tmp_path, [(f"A{i}", "KMT2A-r", "fusion detected") for i in range(1, 5)])
    clinical = _write(
        tmp_path / "clinical.tsv",
        "sample\tefs_time\tefs_event\n"
        "A1\t100\t0\n"
        "A2\t-5\t1\n"
        "A3\t200\t2\n"
        "A1\t300\t1\n"
        "B9\t50\t0\n"
        "A4\tsoon\t0\n",
    )
    with pytest.raises(InputError) as err:
        read_clinical(clinical, ["A1", "A2", "A3", "A4"])
    assert str(err.value).splitlines() == [
        f"{clinical}: line 3 (sample A2): efs_time -5 is negative",
        f"{clinical}: line 4 (sample A3): efs_event 2 is not 0 or 1 (1 = event, 0 = censored)",
        f"{clinical}: line 5 (sample A1): duplicate sample (first on line 2)",
        f"{clinical}: line 6 (sample B9): unknown sample (not in the cohort table)",
        f"{clinical}: line 7 (sample A4): efs_time 'soon' is not a number",
    ]
    out = tmp_path / "out"
    rc = main(["survival", "--cohort", str(cohort), "--clinical", str(clinical), "--out", str(out)])
    assert rc == 2
    assert "line 3 (sample A2): efs_time -5 is negative" in capsys.readouterr().err
    assert not out.exists()


def test_missing_column_and_empty_value(tmp_path: Path) -> None:
    clinical = _write(tmp_path / "c.tsv", "sample\tefs_time\nA1\t3\n")
    with pytest.raises(InputError, match=r"c.tsv: line 1: missing column\(s\) efs_event"):
        read_clinical(clinical, ["A1"])
    clinical = _write(tmp_path / "c.tsv", "sample\tefs_time\tefs_event\nA1\t\t1\n")
    with pytest.raises(InputError, match=r"line 2 \(sample A1\): efs_time is empty"):
        read_clinical(clinical, ["A1"])


def test_excluded_samples_are_listed(tmp_path: Path) -> None:
    rows = [(f"K{i:02d}", "KMT2A-r", "fusion detected") for i in range(12)]
    rows += [(f"W{i:02d}", "none", "no defining fusion detected") for i in range(9)]
    rows += [("X01", "not assessable", "not assessable"), ("X02", "KMT2A-r", "fusion detected")]
    cohort = _cohort(tmp_path, rows)
    clinical_rows = [f"K{i:02d}\t{100 * (i + 1)}\t{i % 2}" for i in range(12)]
    clinical_rows += [f"W{i:02d}\t{90 * (i + 1)}\t{int(i == 0)}" for i in range(9)]
    clinical_rows.append("X01\t400\t1")  # clinical data, but the sample is not assessable
    clinical = _write(tmp_path / "clinical.tsv", "sample\tefs_time\tefs_event\n" + "\n".join(clinical_rows))
    out = tmp_path / "out"
    assert main(["survival", "--cohort", str(cohort), "--clinical", str(clinical), "--out", str(out)]) == 0
    excluded = read_tsv(out / "excluded.tsv")
    assert excluded.to_dict("records") == [
        {"sample": "X01", "reason": "not assessable: 0 input read pairs (QC minimum 1000)"},
        {"sample": "X02", "reason": "no clinical data"},
    ]
    table = read_tsv(out / "efs_by_subtype.tsv").set_index("group")
    assert table.loc["KMT2A-r", "n"] == "12" and table.loc["none", "n"] == "9"
    assert table.loc["none", "warning"] == "fewer than 10 patients"
    assert table.loc["KMT2A-r", "warning"] == ""


def test_figure_bytes_are_deterministic(tmp_path: Path) -> None:
    data = load_leukemia()
    cohort = _cohort(
        tmp_path,
        [(f"P{i:02d}", ["6-MP", "placebo"][rx], "fusion detected") for i, rx in enumerate(data["Rx"])],
    )
    clinical = _write(
        tmp_path / "clinical.tsv",
        "sample\tefs_time\tefs_event\n"
        + "".join(
            f"P{i:02d}\t{t}\t{s}\n" for i, (t, s) in enumerate(zip(data["t"], data["status"], strict=True))
        ),
    )
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = [
            "survival",
            "--cohort",
            str(cohort),
            "--clinical",
            str(clinical),
            "--out",
            str(out),
            "--time-unit",
            "months",
            "--time-point",
            "0.5",
        ]
        assert main(args) == 0
        outs.append(out)
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG")):
        first, second = ((o / f"km_efs_by_subtype{suffix}").read_bytes() for o in outs)
        assert first.startswith(magic) and len(first) > 10_000
        assert first == second
    # 0.5 years = 6 months: the 6-MP row is S(6) as published, the log-rank the trial's.
    table = read_tsv(outs[0] / "efs_by_subtype.tsv").set_index("group")
    assert table.loc["6-MP", ["n", "events", "efs_pct", "ci_lower_pct", "ci_upper_pct"]].tolist() == [
        "21",
        "9",
        "85.7",
        "72.0",
        "100.0",
    ]
    assert table.loc["6-MP", "time_point"] == "6" and table.loc["6-MP", "time_unit"] == "months"
    assert table.loc["6-MP", "ci_method"].startswith("log (exp(log S +- z*se)")
    logrank = read_tsv(outs[0] / "logrank.tsv")
    assert logrank.to_dict("records") == [
        {"test": "logrank", "groups": "6-MP | placebo", "chi2": "16.7929", "df": "1", "p": "4.17e-05"}
    ]


def test_cli_issue13_log_log_na_and_logrank_df(tmp_path: Path, capsys) -> None:
    # ISSUE13 in months, table at 6 months: A has had no event yet (S = 1), B is at 1/3.
    cohort = _cohort(tmp_path, [(f"P{i:02d}", g, "fusion detected") for i, (_, _, g) in enumerate(ISSUE13)])
    clinical = _write(
        tmp_path / "clinical.tsv",
        "sample\tefs_time\tefs_event\n"
        + "".join(f"P{i:02d}\t{t}\t{e}\n" for i, (t, e, _) in enumerate(ISSUE13)),
    )
    tables = {}
    for ci in ("log", "log-log"):
        out = tmp_path / ci
        args = ["survival", "--cohort", str(cohort), "--clinical", str(clinical), "--out", str(out)]
        args += ["--time-unit", "months", "--time-point", "0.5", "--ci", ci, "--pairwise"]
        assert main(args) == 0
        tables[ci] = read_tsv(out / "efs_by_subtype.tsv").set_index("group")
        assert (out / "km_efs_by_subtype.svg").is_file() and (out / "km_efs_by_subtype.png").is_file()
    columns = ["efs_pct", "ci_lower_pct", "ci_upper_pct", "surv", "surv_lower", "surv_upper"]
    assert tables["log"].loc["A", columns].tolist() == ["100.0", "100.0", "100.0", "1", "1", "1"]
    assert tables["log-log"].loc["A", columns].tolist() == ["100.0", "", "", "1", "", ""]
    # B: S = 2/3 * 1/2, Greenwood var of log S = 1/(3*2) + 1/(2*1): log-log (0.9-77.4), as R's.
    assert tables["log-log"].loc["B", columns[:3]].tolist() == ["33.3", "0.9", "77.4"]
    printed = capsys.readouterr().out
    assert "100.0 (CI not defined)" in printed
    assert "log-rank (logrank) A | B | C | D: chi2 = 1.2246, df = 2, p = 0.542" in printed
    assert "log-rank (pairwise) A | D: chi2 = 0, df = 0, p = n/a" in printed
    logrank = read_tsv(tmp_path / "log-log" / "logrank.tsv").set_index("groups")
    assert logrank.loc["A | B | C | D", ["chi2", "df", "p"]].tolist() == ["1.2246", "2", "0.542"]
    assert logrank.loc["A | B", ["chi2", "df", "p"]].tolist() == ["2.4694", "1", "0.116"]
    assert logrank.loc["C | D", ["chi2", "df", "p"]].tolist() == ["0", "0", ""]


@pytest.fixture(scope="module")
def cohort175(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = tmp_path_factory.mktemp("sim175")
    subprocess.run([str(BIN / "allfuse"), "simulate", "--outdir", str(sim), "--clinical-only"], check=True)
    return sim


def test_simulated_cohort_has_the_paper_group_sizes(cohort175: Path) -> None:
    cohort = read_tsv(cohort175 / "cohort175" / "cohort.tsv")
    assert len(cohort) == 175 and cohort["sample"].is_unique
    assert cohort["subtype"].value_counts().to_dict() == {
        "KMT2A-r": 142,
        "none": 14,
        "PAX5-r": 10,
        "NUTM1-r": 9,
    }
    partners = cohort[cohort["subtype"] == "KMT2A-r"]["partner"].value_counts()
    assert (partners["AFF1"], partners["MLLT1"], partners["MLLT3"], partners["EPS15"]) == (70, 30, 13, 4)
    demo = read_tsv(cohort175 / "clinical.tsv")
    assert demo["sample"].tolist() == [f"INF{i:02d}" for i in (*range(1, 12), 13)]  # INF12: no clinical data


def test_cli_on_the_175_infant_cohort(cohort175: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "survival"
    args = [
        "survival",
        "--cohort",
        str(cohort175 / "cohort175" / "cohort.tsv"),
        "--clinical",
        str(cohort175 / "cohort175" / "clinical.tsv"),
        "--out",
        str(out),
        "--by",
        "infant",
        "--groupings",
        str(REPO / "config" / "config.yaml"),
        "--pairwise",
    ]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "warning: group 'NUTM1-r' has 9 patients (fewer than 10)" in printed.err
    table = read_tsv(out / "efs_by_infant.tsv")
    assert table["group"].tolist() == [
        "KMT2A::AFF1",
        "KMT2A-r, other partners",
        "NUTM1-r",
        "PAX5-r",
        "KMT2A-wt, other",
    ]
    assert table["n"].tolist() == ["70", "72", "9", "10", "14"]
    # round(n * (1 - published 2-year EFS)) events per group, all within the first two years.
    assert table["events"].tolist() == ["45", "45", "2", "0", "4"]
    efs = dict(zip(table["group"], table["efs_pct"].astype(float), strict=True))
    for group, target in (("KMT2A::AFF1", 36), ("KMT2A-r, other partners", 37), ("NUTM1-r", 80)):
        assert abs(efs[group] - target) < 8, (group, efs[group])
    assert efs["PAX5-r"] == 100.0
    assert table.loc[table["group"] == "PAX5-r", ["ci_lower_pct", "ci_upper_pct"]].values.tolist() == [
        ["100.0", "100.0"]
    ]
    assert set(table["time_point"]) == {"730.5"} and set(table["time_unit"]) == {"days"}
    assert all(float(f) > 0 for f in table["median_followup"])
    logrank = read_tsv(out / "logrank.tsv")
    assert logrank["test"].tolist() == ["logrank"] + ["pairwise"] * 10
    assert logrank.iloc[0]["df"] == "4"
    aff1_vs_other = logrank[logrank["groups"] == "KMT2A::AFF1 | KMT2A-r, other partners"]
    assert len(aff1_vs_other) == 1 and float(aff1_vs_other.iloc[0]["p"]) > 0.05  # paper: p = 0.9
    assert read_tsv(out / "excluded.tsv").empty
    assert "KMT2A::AFF1" in printed.out and "(95% CI, log)" in printed.out


def test_unknown_grouping_is_one_line(cohort175: Path, tmp_path: Path, capsys) -> None:
    args = [
        "survival",
        "--cohort",
        str(cohort175 / "cohort175" / "cohort.tsv"),
        "--clinical",
        str(cohort175 / "cohort175" / "clinical.tsv"),
        "--out",
        str(tmp_path / "o"),
        "--by",
        "nosuch",
    ]
    assert main(args) == 2
    assert "unknown grouping 'nosuch' (known: group, subtype, partner)" in capsys.readouterr().err
