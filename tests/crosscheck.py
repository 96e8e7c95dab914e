#!/usr/bin/env python3
"""Independent re-computation of recsweep's evaluator, for tests/integration/crosscheck.rs.

Reads case.json (scores, train/test/interacted sets, categories, ks) and rust.json (recsweep's
per-user metrics and means, and each user's top list) from the directory given as argv[1];
recomputes every metric with numpy and scikit-learn's roc_auc_score, and precision, recall and
NDCG at each K once more with pytrec_eval (trec_eval's P_k, recall_k, ndcg_cut_k); exits
non-zero listing every disagreement above 1e-6. The category metrics (alpha-NDCG,
miscalibration, category coverage) are written from their definitions in docs/metrics.md, not
from the Rust.
"""
import json, math, sys
from collections import Counter

import numpy as np
import pytrec_eval
from sklearn.metrics import roc_auc_score

TOL = 1e-6
ALPHA = 0.5  # alpha-NDCG's alpha
BETA = 0.01  # miscalibration's smoothing


def trec_eval_disagreements(test, rust, ks):
    """P@k, recall@k and NDCG@k of recsweep's own top lists by trec_eval, against its values.

    The qrels hold each evaluated user's held-out positives (relevance 1); the run holds the
    user's top list as rust.json records it (training items already left out), scored 1/rank.
    Those strictly decreasing scores make trec_eval rank exactly recsweep's list, whatever its
    own tie-breaking (score descending, then docno descending), so this checks the metric
    definitions on recsweep's lists; the lists themselves (order, ties broken by lower item
    id, exclusions) are checked by the numpy reference in main, which rebuilds them from the
    scores. trec_eval's P_k divides by k, recall_k by all relevant items and ndcg_cut_k's
    ideal ranks all judged relevant items, as recsweep's definitions do.
    """
    users = sorted(rust["per_user"], key=int)
    qrel = {u: {str(i): 1 for i in test[int(u)]} for u in users}
    run = {u: {str(i): 1.0 / r for r, i in enumerate(rust["top"][u], start=1)} for u in users}
    cutoffs = ",".join(map(str, ks))
    measures = {f"P.{cutoffs}", f"recall.{cutoffs}", f"ndcg_cut.{cutoffs}"}
    trec = pytrec_eval.RelevanceEvaluator(qrel, measures).evaluate(run)
    names = {"precision": "P", "recall": "recall", "ndcg": "ndcg_cut"}
    bad, checked = [], 0
    for u in users:
        for k in ks:
            for ours, theirs in names.items():
                want = trec[u][f"{theirs}_{k}"]
                got = rust["per_user"][u].get(f"{ours}@{k}")
                checked += 1
                if got is None or abs(got - want) > TOL:
                    bad.append(f"user {u} {ours}@{k}: rust {got}, pytrec_eval {theirs}_{k} {want}")
    return bad, checked


def main(case_dir):
    case = json.load(open(f"{case_dir}/case.json"))
    rust = json.load(open(f"{case_dir}/rust.json"))
    scores = np.array(case["scores"], dtype=np.float32).astype(np.float64)
    n_users, n_items = scores.shape
    ks = case["ks"]
    train, test, interacted = case["train"], case["test"], case["interacted"]
    cats = [set(c) for c in case["categories"]]
    counts = np.zeros(n_items)
    for items in train:
        for i in items:
            counts[i] += 1
    p_item = (counts + 1) / (counts.sum() + n_items)  # additive smoothing, as documented
    n_head = math.ceil(0.2 * n_items - 1e-9 * 0.2 * n_items)
    head_order = sorted(range(n_items), key=lambda i: (-counts[i], i))
    head = set(head_order[:n_head])

    # Category distributions: row i of P is p(c|i) = 1/|C(i)| on i's categories.
    n_cat = max((max(c) for c in cats if c), default=-1) + 1
    catalogue_categories = set().union(*cats)
    P = np.zeros((n_items, n_cat))
    for i, c in enumerate(cats):
        for x in c:
            P[i, x] = 1.0 / len(c)
    categorised = np.array([len(c) > 0 for c in cats])

    def distribution(items):
        """Mean of p(c|i) over the categorised items; None if there is none."""
        rows = [i for i in items if categorised[i]]
        return P[rows].mean(axis=0) if rows else None

    def alpha_dcg(order, rel, k):
        """Clarke et al.: gain sum_c rel(i) (1-alpha)^(relevant items above covering c)."""
        covered, total = Counter(), 0.0
        for r, i in enumerate(order[:k], start=1):
            if i not in rel:
                continue
            gain = sum((1 - ALPHA) ** covered[c] for c in cats[i])
            covered.update(cats[i])
            total += gain / math.log2(r + 1)
        return total

    def greedy_ideal(rel, k):
        """Position by position, the positive with the largest marginal gain, ties to lower id."""
        left, covered, order = sorted(rel), Counter(), []
        while left and len(order) < k:
            marginal = [sum((1 - ALPHA) ** covered[c] for c in cats[i]) for i in left]
            best = int(np.argmax(marginal))  # first maximum: the lowest id
            order.append(left.pop(best))
            covered.update(cats[order[-1]])
        return order

    def cosine(a, b):
        if not cats[a] or not cats[b]:
            return 0.0
        return len(cats[a] & cats[b]) / math.sqrt(len(cats[a]) * len(cats[b]))

    per_user, lists = {}, []
    for u in range(n_users):
        rel = set(test[u])
        if not rel:
            continue
        s = scores[u]
        # The candidate rule 'mask': every interacted item but the held-out positives is out
        # of the candidates; AUC and the lists rank the same candidates.
        out = set(interacted[u]) - rel
        candidates = [i for i in range(n_items) if i not in out]
        negatives = [i for i in candidates if i not in rel]
        cand = sorted(rel) + negatives
        y = [1] * len(rel) + [0] * len(negatives)
        row = {"auc": roc_auc_score(y, s[cand])}
        ranked = sorted(candidates, key=lambda i: (-s[i], i))[: max(ks)]
        lists.append(ranked)
        profile = distribution(train[u])  # Steck's p(c|u), from the training items
        for k in ks:
            top = ranked[:k]
            hits = [1.0 if i in rel else 0.0 for i in top]
            dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
            idcg = sum(1 / math.log2(r + 2) for r in range(min(len(rel), k)))
            first = next((r for r, h in enumerate(hits) if h), None)
            ap, h_so_far = 0.0, 0
            for r, h in enumerate(hits):
                if h:
                    h_so_far += 1
                    ap += h_so_far / (r + 1)
            pairs = [(a, b) for x, a in enumerate(top) for b in top[x + 1:]]
            row[f"precision@{k}"] = sum(hits) / k
            row[f"recall@{k}"] = sum(hits) / len(rel)
            row[f"ndcg@{k}"] = dcg / idcg
            row[f"hit_rate@{k}"] = 1.0 if sum(hits) else 0.0
            row[f"mrr@{k}"] = 0.0 if first is None else 1 / (first + 1)
            row[f"map@{k}"] = ap / min(len(rel), k)
            row[f"ild@{k}"] = float(np.mean([1 - cosine(a, b) for a, b in pairs])) if pairs else None
            row[f"novelty@{k}"] = float(np.mean([-math.log2(p_item[i]) for i in top])) if top else None
            row[f"long_tail@{k}"] = float(np.mean([0.0 if i in head else 1.0 for i in top])) if top else None
            ideal = alpha_dcg(greedy_ideal(rel, k), rel, k)
            row[f"alpha_ndcg@{k}"] = alpha_dcg(top, rel, k) / ideal if ideal > 0 else None
            if profile is None:
                row[f"miscalibration@{k}"] = None
            else:
                q = distribution(top)
                q = np.zeros(n_cat) if q is None else q
                q_smooth = (1 - BETA) * q + BETA * profile
                support = profile > 0
                row[f"miscalibration@{k}"] = float(
                    (profile[support] * np.log(profile[support] / q_smooth[support])).sum()
                )
            covered = set().union(*(cats[i] for i in top)) if top else set()
            row[f"category_coverage@{k}"] = (
                len(covered) / len(catalogue_categories) if catalogue_categories else None
            )
        per_user[u] = row

    means = {}
    for key in next(iter(per_user.values())):
        vals = [r[key] for r in per_user.values() if r[key] is not None]
        # Undefined for every user (ILD@1: a one-item list has no pairs): no mean at all.
        means[key] = float(np.mean(vals)) if vals else None
    for k in ks:
        exposure = np.zeros(n_items)
        for l in lists:
            for i in l[:k]:
                exposure[i] += 1
        means[f"coverage@{k}"] = float((exposure > 0).mean())
        cold = counts == 0
        if cold.any():
            means[f"cold_coverage@{k}"] = float((exposure[cold] > 0).mean())
        x = np.sort(exposure)
        idx = np.arange(1, n_items + 1)
        means[f"gini@{k}"] = float(((2 * idx - n_items - 1) * x).sum() / (n_items * x.sum()))
        p = exposure[exposure > 0] / exposure.sum()
        means[f"entropy@{k}"] = float(-(p * np.log(p)).sum() / math.log(n_items))

    bad = []
    if sorted(map(int, rust["per_user"])) != sorted(per_user):
        bad.append("evaluated users differ")
    for u, row in per_user.items():
        got = rust["per_user"].get(str(u), {})
        for key, want in row.items():
            g = got.get(key)
            if want is None:
                if g is not None:
                    bad.append(f"user {u} {key}: rust {g}, reference undefined")
            elif g is None or abs(g - want) > TOL:
                bad.append(f"user {u} {key}: rust {g}, reference {want}")
    for key, want in means.items():
        g = rust["means"].get(key)
        if want is None:
            if g is not None:
                bad.append(f"mean {key}: rust {g}, reference undefined")
        elif g is None or abs(g - want) > TOL:
            bad.append(f"mean {key}: rust {g}, reference {want}")
    print(f"checked {len(per_user)} users x {len(next(iter(per_user.values())))} metrics and {len(means)} means")
    trec_bad, trec_checked = trec_eval_disagreements(test, rust, ks)
    bad += trec_bad
    print(f"checked {trec_checked} per-user P/recall/NDCG values against pytrec_eval")
    if bad:
        print("\n".join(bad[:50]))
        print(f"{len(bad)} disagreement(s)")
        sys.exit(1)
    print("all agree to 1e-6")


if __name__ == "__main__":
    main(sys.argv[1])
