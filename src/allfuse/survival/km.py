"""Kaplan-Meier estimates at a time point with the confidence interval R's survival package gives.

lifelines fits the curve and counts the risk sets; we only read them. Its own confidence band is
log-log ("exponential Greenwood"), whereas published B-ALL cohort papers, computed with R's
``survfit``, report R's default, the log interval ``exp(log S +- z*se)`` with Greenwood's variance
of log S (sum of d / (n (n - d)) over event times up to t), upper bound clipped at 1. Both are
computed here from lifelines' event table so either can be asked for, and the method is written out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from scipy.stats import norm

CI_METHODS = ("log", "log-log")
#: R's ``all.equal`` tolerance, used by survfit's median rule.
_TOLERANCE = math.sqrt(np.finfo(float).eps)


@dataclass(frozen=True)
class Estimate:
    """S(t) of one group, its interval and the numbers behind it (NaN where R gives NA)."""

    surv: float
    lower: float
    upper: float
    se_log: float  # standard error of log S(t) (Greenwood)
    at_risk: int  # patients still at risk at t
    followed_to_t: bool  # False when every patient left follow-up before t


def fit(times, events) -> KaplanMeierFitter:
    """The Kaplan-Meier fit of one group (times >= 0, events 1/0)."""
    return KaplanMeierFitter().fit(
        np.asarray(times, dtype=float), np.asarray(events, dtype=int), label="KM_estimate"
    )


def estimate_at(kmf: KaplanMeierFitter, t: float, ci: str = "log", conf_level: float = 0.95) -> Estimate:
    """S(t) with a ``ci`` ('log' or 'log-log') interval, as R's ``summary(survfit(...), times=t)``."""
    if ci not in CI_METHODS:
        raise ValueError(f"unknown CI method {ci!r} (known: {', '.join(CI_METHODS)})")
    table = kmf.event_table
    upto = table[table.index <= t]
    d = upto["observed"].to_numpy(dtype=float)
    n = upto["at_risk"].to_numpy(dtype=float)
    curve = kmf.survival_function_.iloc[:, 0]
    surv = float(curve[curve.index <= t].iloc[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(d > 0, d / (n * (n - d)), 0.0)
    var_log = float(terms.sum())
    se_log = math.sqrt(var_log) if np.isfinite(var_log) else math.inf
    lower, upper = _interval(surv, se_log, ci, float(norm.ppf(1 - (1 - conf_level) / 2)))
    durations = kmf.durations
    return Estimate(
        surv=surv,
        lower=lower,
        upper=upper,
        se_log=se_log,
        at_risk=int((durations >= t).sum()),
        # Once S has reached 0 the estimate at any later t is 0; otherwise S(t) past the last
        # follow-up is only the last value carried forward.
        followed_to_t=bool(durations.max() >= t or surv <= 0),
    )


def _interval(surv: float, se: float, ci: str, z: float) -> tuple[float, float]:
    """R's survfit_confint: NA once S reaches 0; while no event has happened (S = 1) the log
    interval is (1, 1) and the log-log one NA, since log(-log 1) is not defined."""
    if surv <= 0 or not math.isfinite(se):
        return math.nan, math.nan
    if surv >= 1:
        return (1.0, 1.0) if ci == "log" else (math.nan, math.nan)
    if ci == "log":
        return math.exp(math.log(surv) - z * se), min(1.0, math.exp(math.log(surv) + z * se))
    # log(-log S) +- z * se / |log S|, back-transformed; the larger bound on that scale is the lower S.
    log_s = math.log(surv)
    lower = math.exp(-math.exp(math.log(-log_s) - z * se / log_s))
    upper = math.exp(-math.exp(math.log(-log_s) + z * se / log_s))
    return lower, upper


def median_time(kmf: KaplanMeierFitter) -> float:
    """The median of the curve by R's rule: the first time S <= 0.5, or, where S is exactly 0.5
    over an interval, the midpoint between its start and the next drop. NaN if never reached."""
    curve = kmf.survival_function_.iloc[:, 0]
    times, surv = curve.index.to_numpy(dtype=float), curve.to_numpy(dtype=float)
    keep = surv < 0.5 + _TOLERANCE
    if not keep.any():
        return math.nan
    times, surv = times[keep], surv[keep]
    if abs(surv[0] - 0.5) < _TOLERANCE and (surv < surv[0]).any():
        return float((times[0] + times[np.argmax(surv < surv[0])]) / 2)
    return float(times[0])


def median_followup(times, events) -> float:
    """Median follow-up by the reverse Kaplan-Meier method: censoring is the 'event'."""
    return median_time(fit(times, 1 - np.asarray(events, dtype=int)))


@dataclass(frozen=True)
class LogRank:
    test: str
    groups: list[str]
    chi2: float
    df: int
    p: float  # NaN when fewer than two groups have expected events: no test


def _with_expected_events(data: pd.DataFrame) -> pd.DataFrame:
    """The patients of the groups whose expected number of events is above 0, as R's ``survdiff``
    keeps them. A group's expected count, the sum over event times of its share of the risk set
    times the events there, is 0 exactly when none of its patients is still at risk at the first
    event time. Such patients are in no risk set at any event time, so leaving them out changes
    neither O - E nor its variance for the other groups: only the degrees of freedom, as in R."""
    event_times = data.loc[data["event"].astype(bool), "time"]
    if event_times.empty:
        return data.iloc[:0]
    last_seen = data.groupby("group", sort=False)["time"].max()
    return data[data["group"].isin(last_seen.index[last_seen >= event_times.min()])]


def _test(name: str, data: pd.DataFrame, groups: list[str]) -> LogRank:
    """lifelines' log-rank test over the groups with expected events; df = their number - 1."""
    tested = _with_expected_events(data)
    if tested["group"].nunique() < 2:
        # R sets chisq to 0 here ("no test, actually"): nothing is left to compare, so no p-value.
        return LogRank(name, groups, 0.0, 0, math.nan)
    result = multivariate_logrank_test(tested["time"], tested["group"], tested["event"])
    return LogRank(
        name, groups, float(result.test_statistic), int(result.degrees_of_freedom), float(result.p_value)
    )


def logrank(data: pd.DataFrame, pairwise: bool = False) -> list[LogRank]:
    """Log-rank test across all groups (R's ``survdiff``) and, if asked, for every pair.

    ``data`` has columns time, event, group. As in R, a group with no expected events (every
    patient censored before the first event of the groups compared) is left out of the chi-square
    and of the degrees of freedom. Pairwise p-values are not adjusted for multiplicity.
    """
    groups = list(dict.fromkeys(data["group"]))
    if len(groups) < 2:
        return []
    out = [_test("logrank", data, groups)]
    if pairwise and len(groups) > 2:
        for a, b in combinations(groups, 2):
            out.append(_test("pairwise", data[data["group"].isin((a, b))], [a, b]))
    return out
