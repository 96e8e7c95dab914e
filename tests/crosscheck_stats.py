#!/usr/bin/env python3
"""scipy's answers on recsweep's paired tests, for tests/integration/stats_crosscheck.rs.

Reads stats.json from the directory given as argv[1]: paired samples (a, b) with recsweep's
Wilcoxon p-value, W+, number of non-zero differences and method, its paired t-test statistic
and p-value, and its Holm adjustment of the Wilcoxon p-values. Recomputes them with

* scipy.stats.wilcoxon(a, b, correction=True): scipy's defaults (method="auto",
  zero_method="wilcox") but for the continuity correction of the normal approximation, which
  recsweep applies as R's wilcox.test does; the method recsweep names must be the one
  scipy's auto rule picks (recomputed here from scipy/stats/_wilcoxon.py's rule), and the
  exact and asymptotic methods must give the same p when asked for by name;
* scipy.stats.ttest_rel(a, b);
* Holm (1979) from its definition, in numpy, over scipy's Wilcoxon p-values;

and exits non-zero listing every disagreement beyond 1e-9 relative (1e-15 absolute).
Where scipy has no answer (NaN: every difference zero above 13 pairs for Wilcoxon, constant
differences for the t-test) recsweep's documented convention is checked instead.
"""
import json, math, sys

import numpy as np
from scipy import stats

REL, ABS = 1e-9, 1e-15
SCIPY_METHOD = {"exact": "exact", "permutation": stats.PermutationMethod(), "normal-approx": "asymptotic"}


def close(got, want):
    return math.isclose(got, want, rel_tol=REL, abs_tol=ABS)


def auto_rule(d):
    """scipy 1.17's method="auto", read from scipy/stats/_wilcoxon.py."""
    nonzero = np.abs(d[d != 0])
    ties_or_zeros = len(nonzero) < len(d) or len(np.unique(nonzero)) < len(nonzero)
    if len(d) > 50:
        return "normal-approx"
    if not ties_or_zeros:
        return "exact"
    return "permutation" if len(d) <= 13 else "normal-approx"


def holm(p):
    """p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)) over the p-values sorted ascending."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    return adjusted


def main(case_dir):
    data = json.load(open(f"{case_dir}/stats.json"))
    bad, conventions, reference_p = [], 0, []
    correction_gap = 0.0  # how far scipy's default correction=False would be, for the record
    for i, c in enumerate(data["cases"]):
        c["t_statistic"] = float(c["t_statistic"])  # "inf" / "-inf" for constant differences
        a, b = np.array(c["a"]), np.array(c["b"])
        d = a - b
        name = f"case {i} ({c['kind']}, {len(d)} pairs)"
        method = c["wilcoxon_method"]
        if method != auto_rule(d):
            bad.append(f"{name}: recsweep used {method}, scipy's auto rule picks {auto_rule(d)}")
        w = stats.wilcoxon(a, b, correction=True)
        w_p, w_statistic = float(w.pvalue), float(w.statistic)
        if math.isnan(w_p):
            conventions += 1
            if not (np.all(d == 0) and c["wilcoxon_p"] == 1.0 and c["wilcoxon_n"] == 0):
                bad.append(f"{name}: scipy wilcoxon NaN, recsweep p {c['wilcoxon_p']}")
            reference_p.append(1.0)
        else:
            reference_p.append(w_p)
            if not close(c["wilcoxon_p"], w_p):
                bad.append(f"{name}: wilcoxon p rust {c['wilcoxon_p']!r}, scipy {w_p!r} ({method})")
            # The named method must give auto's p. (Not re-run for "permutation": scipy's
            # auto runs exactly PermutationMethod() there, and it is the slow one.)
            if method != "permutation":
                named = float(stats.wilcoxon(a, b, correction=True, method=SCIPY_METHOD[method]).pvalue)
                if not close(c["wilcoxon_p"], named):
                    bad.append(f"{name}: wilcoxon p rust {c['wilcoxon_p']!r}, scipy method {method} {named!r}")
            n = c["wilcoxon_n"]
            w_minus = n * (n + 1) / 2 - c["wilcoxon_w_plus"]
            if min(c["wilcoxon_w_plus"], w_minus) != w_statistic:
                bad.append(f"{name}: min(W+, W-) rust {min(c['wilcoxon_w_plus'], w_minus)}, scipy {w_statistic}")
            if method == "normal-approx":
                default = float(stats.wilcoxon(a, b).pvalue)
                correction_gap = max(correction_gap, abs(c["wilcoxon_p"] - default) / default)
        with np.errstate(all="ignore"):
            t = stats.ttest_rel(a, b)
        t_p, t_statistic = float(t.pvalue), float(t.statistic)
        if math.isnan(t_p):
            conventions += 1
            # recsweep: constant differences give t = 0, p = 1 at zero, else t = ±inf, p = 0.
            want = (0.0, 1.0) if d[0] == 0 else (math.copysign(math.inf, d[0]), 0.0)
            if not (np.all(d == d[0]) and (c["t_statistic"], c["t_p"]) == want):
                bad.append(f"{name}: scipy ttest_rel NaN, recsweep t {c['t_statistic']}, p {c['t_p']}")
        else:
            if not close(c["t_p"], t_p):
                bad.append(f"{name}: t-test p rust {c['t_p']!r}, scipy {t_p!r}")
            if not close(c["t_statistic"], t_statistic):
                bad.append(f"{name}: t rust {c['t_statistic']!r}, scipy {t_statistic!r}")
    for i, (got, want) in enumerate(zip(data["wilcoxon_holm"], holm(reference_p).tolist())):
        if not close(got, want):
            bad.append(f"Holm of case {i}: rust {got!r}, reference {want!r}")
    methods = {m: sum(c["wilcoxon_method"] == m for c in data["cases"]) for m in SCIPY_METHOD}
    print(f"checked {len(data['cases'])} paired samples (Wilcoxon methods {methods}), "
          f"{conventions} where scipy returns NaN")
    print(f"scipy's default correction=False would differ by up to {correction_gap:.3g} relative "
          "on the normal-approximation cases")
    if bad:
        print("\n".join(bad[:50]))
        print(f"{len(bad)} disagreement(s)")
        sys.exit(1)
    print(f"all agree to {REL:g} relative")


if __name__ == "__main__":
    main(sys.argv[1])
