"""Survival analysis by molecular group: Kaplan-Meier, S(t) with 95% CI, log-rank (``allfuse survival``)."""
