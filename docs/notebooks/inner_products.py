# %% [markdown]
# # Notebook: inner products
#
# Play with the ideas of the chapter *Inner products*. The page you are reading was
# executed when the site was built; download the `.ipynb` from the chapter page to
# run it yourself. Everything here needs only NumPy.

# %%
import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = np.array([4.0, 5.0, 6.0])
np.dot(a, b)

# %% [markdown]
# The same number, one multiply-accumulate at a time:

# %%
total = 0.0
for a_i, b_i in zip(a, b):
    total += a_i * b_i
total
