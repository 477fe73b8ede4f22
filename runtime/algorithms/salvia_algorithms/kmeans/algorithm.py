"""Web-scale k-means (Sculley 2010) as SageMaker's K-Means runs it, on numpy:

1. ``minibatch(...)``: K = k × extra_center_factor centers, initialised from the first mini-batch
   (``random`` rows or ``kmeans++``), then for each mini-batch of each epoch every row is assigned
   to its nearest center and each center moves to the running mean of the rows it received (per
   center learning rate 1/count; ``half_life_time_size`` > 0 decays past counts so a point's weight
   halves after that many further points).
2. ``local_lloyd(...)``: the K centers, weighted by how many rows they absorbed, are reduced to k
   by weighted Lloyd iterations (``kmeans++`` or ``random`` seeding, ``max_iter``, relative loss
   tolerance ``tol``), best of ``num_trials`` runs.
"""

import numpy as np

CHUNK = 65536


def squared_distances(x, centers, center_norms=None):
    """(n, K) squared Euclidean distances, float64, never negative."""
    x = np.asarray(x, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    norms = center_norms if center_norms is not None else (centers * centers).sum(axis=1)
    d = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ centers.T) + norms[None, :]
    return np.maximum(d, 0.0)


def assign(x, centers):
    """(closest center index, squared distance) for every row, computed in chunks."""
    centers = np.asarray(centers, dtype=np.float64)
    norms = (centers * centers).sum(axis=1)
    labels = np.empty(x.shape[0], dtype=np.int64)
    dist = np.empty(x.shape[0], dtype=np.float64)
    for start in range(0, x.shape[0], CHUNK):
        d = squared_distances(x[start:start + CHUNK], centers, norms)
        idx = d.argmin(axis=1)
        labels[start:start + CHUNK] = idx
        dist[start:start + CHUNK] = d[np.arange(len(idx)), idx]
    return labels, dist


def kmeans_plus_plus(points, k, rng, weights=None):
    """k seeds chosen by k-means++ (probability ∝ weight × squared distance to the chosen ones)."""
    n = points.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    first = rng.choice(n, p=w / w.sum())
    chosen = [first]
    closest = squared_distances(points, points[first:first + 1])[:, 0]
    for _ in range(1, k):
        p = w * closest
        total = p.sum()
        if total <= 0:  # every remaining point coincides with a seed: take any unchosen one
            rest = np.setdiff1d(np.arange(n), chosen)
            nxt = rng.choice(rest) if len(rest) else rng.integers(n)
        else:
            nxt = rng.choice(n, p=p / total)
        chosen.append(nxt)
        closest = np.minimum(closest, squared_distances(points, points[nxt:nxt + 1])[:, 0])
    return points[np.asarray(chosen)].astype(np.float64)


def random_init(points, k, rng, weights=None):
    """k distinct rows (probability ∝ weight)."""
    n = points.shape[0]
    p = None if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
    idx = rng.choice(n, size=k, replace=False, p=p) if k <= n else rng.integers(0, n, size=k)
    return points[idx].astype(np.float64)


def minibatch(x, num_centers, mini_batch_size, epochs, init_method, half_life_time_size, rng, on_epoch=None):
    """Returns (centers (K, d) float64, weights (K,)): step 1 of the module docs."""
    n = x.shape[0]
    first = x[:max(mini_batch_size, num_centers)]
    seed_rows = np.asarray(first, dtype=np.float64)
    init = kmeans_plus_plus if init_method == 'kmeans++' else random_init
    centers = init(seed_rows, min(num_centers, seed_rows.shape[0]), rng)
    counts = np.zeros(centers.shape[0])
    decay_per_point = 0.5 ** (1.0 / half_life_time_size) if half_life_time_size > 0 else 1.0
    for epoch in range(epochs):
        for start in range(0, n, mini_batch_size):
            batch = np.asarray(x[start:start + mini_batch_size], dtype=np.float64)
            labels, _ = assign(batch, centers)
            if decay_per_point != 1.0:
                counts *= decay_per_point ** len(batch)
            added = np.bincount(labels, minlength=centers.shape[0]).astype(np.float64)
            sums = np.zeros_like(centers)
            np.add.at(sums, labels, batch)
            total = counts + added
            moved = added > 0
            centers[moved] = (centers[moved] * counts[moved, None] + sums[moved]) / total[moved, None]
            counts = total
        if on_epoch is not None:
            on_epoch(epoch, centers, counts)
    return centers, counts


def local_lloyd(points, weights, k, init_method, max_iter, tol, num_trials, rng):
    """Step 2 of the module docs: returns (centers (k, d) float64, weighted loss, iterations)."""
    keep = weights > 0
    points, weights = points[keep], weights[keep]
    if points.shape[0] <= k:
        extra = k - points.shape[0]
        centers = np.concatenate([points, points[rng.integers(0, len(points), size=extra)]]) if extra else points.copy()
        return centers, 0.0, 0
    best = None
    for _ in range(num_trials):
        init = kmeans_plus_plus if init_method == 'kmeans++' else random_init
        centers = init(points, k, rng, weights)
        previous = None
        iterations = 0
        for iterations in range(1, max_iter + 1):
            d = squared_distances(points, centers)
            labels = d.argmin(axis=1)
            closest = d[np.arange(len(labels)), labels]
            loss = float((weights * closest).sum())
            mass = np.bincount(labels, weights=weights, minlength=k)
            sums = np.zeros_like(centers)
            np.add.at(sums, labels, points * weights[:, None])
            empty = mass == 0
            centers[~empty] = sums[~empty] / mass[~empty, None]
            for j in np.flatnonzero(empty):  # re-seed an empty cluster at the worst-served point
                far = int((weights * closest).argmax())
                centers[j] = points[far]
                closest[far] = 0.0
            if previous is not None and previous - loss <= tol * max(previous, 1e-30):
                break
            previous = loss
        d = squared_distances(points, centers)
        loss = float((weights * d.min(axis=1)).sum())
        if best is None or loss < best[1]:
            best = (centers.copy(), loss, iterations)
    return best
