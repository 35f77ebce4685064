# %% [markdown]
# # Jupyter 笔记本（notebook）：内积
#
# 动手试试“内积”一章（chapter）中的想法。本页在构建网站时执行过，
# 所以下面的输出都是真实结果。
# [下载这个笔记本](../inner_products.ipynb)，自己运行：它只需要
# NumPy。改改其中的数字，看看会发生什么。

# %%
import timeit

import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = np.array([4.0, 5.0, 6.0])
np.dot(a, b)

# %% [markdown]
# 同一个数，每次做一次乘加：

# %%
total = 0.0
for a_i, b_i in zip(a, b, strict=True):
    total += a_i * b_i
total

# %% [markdown]
# `np.vecdot`（NumPy 2.0 及更新版本）沿最后一个轴，对每一行求一次内积（inner product）。
# 对 NHWC 布局（layout）的图像和卷积核（kernel）的一个位置来说，就是每个像素在通道（channel）上
# 求一次内积：

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 4, 4, 3))  # N、H、W、C
w_tap = rng.standard_normal(3)  # 一个卷积核 k 和一个 (r, s) 对应的 w[k, r, s, :]
np.vecdot(x, w_tap).shape  # 每个 (n, h, w) 一个数

# %% [markdown]
# 舍入：把一百万个 float32 数逐个相加（`np.cumsum`），再用
# `np.sum` 相加，后者是两两相加的。试试其他长度。

# %%
values = rng.random(1_000_000, dtype=np.float32)
exact = values.astype(np.float64).sum()  # float64：作为参考值
running = np.cumsum(values)[-1]
pairwise = np.sum(values)
print(f"one running total: relative error {abs(running - exact) / exact:.1e}")
print(f"pairwise (np.sum): relative error {abs(pairwise - exact) / exact:.1e}")

# %% [markdown]
# ## 计时实验
#
# 这一章的主要测量（measurement），写成你可以改动的形式：一次内积分别用 Python 循环和
# `np.dot` 计算，向量长度从 1 到 100,000 个数。每个时间取五批中最好的一批
# （其他程序只会增加时间；见“我们如何测量”），每批都足够长，时钟能准确计时。
# 这一章的表格是在本书的机器（machine）上测得的；这里的数字来自构建网站时的这台机器，
# 或者来自你运行它时你的机器。

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
# 可以试试：
#
# - `np.dot` 从什么长度开始胜出？在 1 和 100 之间加几个长度。
# - 改用 `np.float32` 向量（`rng.random(n, dtype=np.float32)`）：循环会变快吗？
#   `np.dot` 呢？
# - 给 `dot_loop(a.tolist(), b.tolist())` 计时：这是对 Python 列表而不是 NumPy
#   数组的循环。这一章的论断表说明了哪个更快，“朴素循环为什么慢”一章解释了原因。
