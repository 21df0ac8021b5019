"""Per-group survival summary as published cohort papers give it, and the log-rank tests.

One row per group: n, events, S(t) at the time point (2 years by default) with its 95% CI, and the
median follow-up by reverse Kaplan-Meier. Times stay in the clinical table's unit (days or months);
the time point is asked in years and converted (365.25 days or 12 months per year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from allfuse.survival import km
from allfuse.tables import LOGRANK_COLUMNS, SURVIVAL_SUMMARY_COLUMNS

TIME_UNITS = {"days": 365.25, "months": 12.0}
SMALL_GROUP = 10


@dataclass(frozen=True)
class Settings:
    """How the analysis is made; the defaults are the config schema's (``survival:``), given by the
    command or the workflow, so none is written here."""

    time_point_years: float
    time_unit: str
    ci: str
    conf_level: float = 0.95
    endpoint: str = "efs"

    @property
    def per_year(self) -> float:
        return TIME_UNITS[self.time_unit]

    @property
    def time_point(self) -> float:
        return self.time_point_years * self.per_year

    @property
    def ci_label(self) -> str:
        """The method, written into the table so a reader knows which interval it is."""
        formula = "exp(log S +- z*se)" if self.ci == "log" else "exp(-exp(log(-log S) -+ z*se/log S))"
        return (
            f"{self.ci} ({formula}, Greenwood se of log S, {self.conf_level:.0%}"
            f"{', upper bound clipped at 1' if self.ci == 'log' else ''}; as R survfit conf.type='{self.ci}')"
        )


def _pct(x: float) -> str:
    return "" if math.isnan(x) else f"{100 * x:.1f}"


def _num(x: float, digits: int = 6) -> str:
    return "" if math.isnan(x) or math.isinf(x) else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def summarise(data: pd.DataFrame, order: list[str], settings: Settings) -> pd.DataFrame:
    """One row per group, in ``order``; ``data`` has columns group, time, event."""
    rows = []
    columns = [c.format(endpoint=settings.endpoint) for c in SURVIVAL_SUMMARY_COLUMNS]
    for group in order:
        sub = data[data["group"] == group]
        fit = km.fit(sub["time"], sub["event"])
        est = km.estimate_at(fit, settings.time_point, settings.ci, settings.conf_level)
        followup = km.median_followup(sub["time"], sub["event"])
        warnings = []
        if len(sub) < SMALL_GROUP:
            warnings.append(f"fewer than {SMALL_GROUP} patients")
        if not est.followed_to_t:
            warnings.append("no patient followed to the time point: estimate is the last value")
        rows.append(
            dict(
                zip(
                    columns,
                    [
                        group,
                        len(sub),
                        int(sub["event"].sum()),
                        _pct(est.surv),
                        _pct(est.lower),
                        _pct(est.upper),
                        _num(settings.time_point),
                        settings.time_unit,
                        settings.ci_label,
                        _num(followup, 1),
                        "; ".join(warnings),
                        _num(settings.time_point_years),
                        est.at_risk,
                        _num(est.surv),
                        _num(est.lower),
                        _num(est.upper),
                        _num(est.se_log),
                        _num(km.median_time(fit), 1),
                        _num(followup / settings.per_year, 2),
                    ],
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows, columns=columns)


def logrank_table(data: pd.DataFrame, order: list[str], pairwise: bool) -> pd.DataFrame:
    """The overall log-rank test across groups and, if asked, each pair (unadjusted p)."""
    ordered = data.assign(_o=data["group"].map(order.index)).sort_values(["_o", "sample"], kind="stable")
    rows = [
        {
            "test": r.test,
            "groups": " | ".join(r.groups),
            "chi2": _num(r.chi2, 4),
            "df": r.df,
            "p": "" if math.isnan(r.p) else f"{r.p:.3g}",
        }
        for r in km.logrank(ordered.drop(columns="_o"), pairwise)
    ]
    return pd.DataFrame(rows, columns=LOGRANK_COLUMNS)


def paper_lines(summary: pd.DataFrame, logrank: pd.DataFrame, settings: Settings) -> list[str]:
    """The table as a paper prints it: group, n, events, 2-yr EFS % (95% CI)."""
    name = f"{settings.time_point_years:g}-yr {settings.endpoint.upper()}"
    width = max([len("group"), *(len(g) for g in summary["group"])])
    lines = [f"{'group':<{width}}  {'n':>4}  {'events':>6}  {name} % (95% CI, {settings.ci})"]
    for _, r in summary.iterrows():
        defined = r["ci_lower_pct"] != "" and r["ci_upper_pct"] != ""
        ci = f"({r['ci_lower_pct']}-{r['ci_upper_pct']})" if defined else "(CI not defined)"
        flag = f"  [{r['warning']}]" if r["warning"] else ""
        value = r[f"{settings.endpoint}_pct"]
        lines.append(f"{r['group']:<{width}}  {r['n']:>4}  {r['events']:>6}  {value} {ci}{flag}")
    for _, r in logrank.iterrows():
        p = r["p"] or "n/a (fewer than two groups with expected events)"
        lines.append(f"log-rank ({r['test']}) {r['groups']}: chi2 = {r['chi2']}, df = {r['df']}, p = {p}")
    return lines
