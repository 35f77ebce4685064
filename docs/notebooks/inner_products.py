# %% [markdown]
# # Notebook: inner products
#
# Experiment with the ideas of the chapter *Inner products*. This page was executed
# when the site was built, so the outputs below are real.
# [Download the notebook](../inner_products.ipynb) to run it yourself: it needs
# only NumPy. Change the numbers and see what happens.

# %%
import timeit

import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = np.array([4.0, 5.0, 6.0])
np.dot(a, b)

# %% [markdown]
# The same number, one multiply-add at a time:

# %%
total = 0.0
for a_i, b_i in zip(a, b, strict=True):
    total += a_i * b_i
total

# %% [markdown]
# `np.vecdot` (NumPy 2.0 and newer) takes one inner product per row of the last
# axis. For an image in NHWC layout and one kernel position, that is one inner
# product per pixel, over the channels:

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 4, 4, 3))  # N, H, W, C
w_tap = rng.standard_normal(3)  # w[k, r, s, :] for one kernel k and one (r, s)
np.vecdot(x, w_tap).shape  # one number per (n, h, w)

# %% [markdown]
# Rounding: add a million float32 numbers one by one (`np.cumsum`), and then with
# `np.sum`, which adds them pairwise. Try other lengths.

# %%
values = rng.random(1_000_000, dtype=np.float32)
exact = values.astype(np.float64).sum()  # float64: the reference
running = np.cumsum(values)[-1]
pairwise = np.sum(values)
print(f"one running total: relative error {abs(running - exact) / exact:.1e}")
print(f"pairwise (np.sum): relative error {abs(pairwise - exact) / exact:.1e}")

# %% [markdown]
# ## The timing experiment
#
# The chapter's main measurement, in a form you can change: one inner product as a
# Python loop and as `np.dot`, for vectors from 1 to 100,000 numbers. Each time is the
# best of five batches (other programs can only add time; see *How we measure*), and
# the batches are long enough for the clock. The chapter's table was measured on the
# book's machine; these numbers are this machine's, when the site was built, or yours
# when you run it.

# %%
def dot_loop(a: np.ndarray, b: np.ndarray) -> float:
    total = 0.0
    for a_i, b_i in zip(a, b, strict=True):
        total += a_i * b_i
    return total


def best_time(f, number: int) -> float:
    """Best time of one call, in seconds, over five batches of `number` calls."""
    return min(timeit.repeat(f, number=number, repeat=5)) / number


for n in (1, 10, 100, 1_000, 10_000, 100_000):
    a, b = rng.random(n), rng.random(n)
    calls = max(1, 20_000 // n)
    loop_s = best_time(lambda a=a, b=b: dot_loop(a, b), calls)
    dot_s = best_time(lambda a=a, b=b: np.dot(a, b), 20 * calls)
    print(f"{n:>7,} numbers: loop {loop_s * 1e6:9.2f} µs, np.dot {dot_s * 1e6:6.2f} µs,"
          f" np.dot is {loop_s / dot_s:7.1f} times faster")

# %% [markdown]
# Things to try:
#
# - Where does `np.dot` start to win? Add lengths between 1 and 100.
# - Use `np.float32` vectors (`rng.random(n, dtype=np.float32)`): does the loop get
#   faster? Does `np.dot`?
# - Time `dot_loop(a.tolist(), b.tolist())`: a loop over Python lists instead of NumPy
#   arrays. The chapter's claims table says which is faster, and *Why the naive loop is
#   slow* explains why.
