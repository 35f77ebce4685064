# %% [markdown]
# # Notebook: inner products
#
# Experiment with the ideas of the chapter *Inner products*. This page was executed
# when the site was built, so the outputs below are real.
# [Download the notebook](../inner_products.ipynb) to run it yourself: it needs
# only NumPy. Change the numbers and see what happens.

# %%
import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = np.array([4.0, 5.0, 6.0])
np.dot(a, b)

# %% [markdown]
# The same number, one multiply-add at a time:

# %%
total = 0.0
for a_i, b_i in zip(a, b):
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
