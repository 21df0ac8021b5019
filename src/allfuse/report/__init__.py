"""Human-readable reports: one HTML page per sample and a cohort overview, self-contained (inline CSS
and SVG, no network, no JavaScript), rendered from jinja2 templates shipped in ``templates/``."""
