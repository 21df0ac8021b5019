"""One caller's calls in the declared calls table (allfuse.tables.CALL_COLUMNS), whatever the caller.

Every caller parser ends here, so the declared columns come first in one order, missing ones get
one default ('.' or 0) and the caller's own columns follow with the ``orig_`` prefix.
"""

from __future__ import annotations

import pandas as pd

from allfuse.tables import CALL_COLUMNS, CALL_DTYPES


def empty_calls() -> pd.DataFrame:
    """A calls table with no rows but every declared column, so empty inputs give valid outputs."""
    return pd.DataFrame({c: pd.Series(dtype=CALL_DTYPES.get(c, "object")) for c in CALL_COLUMNS})


def finish_calls(df: pd.DataFrame, sample: str, caller: str) -> pd.DataFrame:
    """Fill defaults, order the declared columns first and the ``orig_`` columns after them."""
    df = df.copy()
    df["sample"] = sample
    df["caller"] = caller
    for col in CALL_COLUMNS:
        if col not in df.columns:
            df[col] = 0 if col in ("junction_reads", "spanning_frags") else "."
    for col, dtype in CALL_DTYPES.items():
        df[col] = pd.to_numeric(df[col]).fillna(0).astype(dtype) if len(df) else df[col].astype(dtype)
    df["fusion"] = df["gene_5p"].astype(str) + "::" + df["gene_3p"].astype(str)
    extra = [c for c in df.columns if c not in CALL_COLUMNS]
    return df[CALL_COLUMNS + extra]
