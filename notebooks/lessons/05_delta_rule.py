"""Lesson 5: the delta rule by SGD, batch and mini-batch, with timings; it is autograd's gradient (post 003)."""

from cells import code, md

CHECK_BODY = """
def close_array(a, b, tol=1e-10):
    try:
        return a is not None and np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=tol)
    except (TypeError, ValueError):
        return False

CASES = [(np.array([0.2, -0.5, 0.9]), np.array([1.0, 0.0, 1.0]), 1.0),
         (np.array([-1.0, 0.3, 0.1]), np.array([1.0, 1.0, 1.0]), 0.0)]

def update_ok(delta_update):
    try:
        for W, x, d in CASES:
            y = 1 / (1 + np.exp(-W @ x))
            if not close_array(delta_update(W.copy(), x, d, 0.9), W + 0.9 * y * (1 - y) * (d - y) * x):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def grad_ok(grad_E):
    try:
        for W0, x, d in CASES:
            W = Tensor(W0, requires_grad=True)
            E = 0.5 * (d - (W * Tensor(x)).sum().sigmoid()) ** 2
            E.backward()
            if not close_array(grad_E(W0, x, d), np.asarray(W.grad)):
                return False
        return True
    except Exception:
        return False

def check(delta_update, grad_E, answer_3):
    report("1 delta_update", update_ok(delta_update), HINTS[0])
    report("2 grad_E", grad_ok(grad_E), HINTS[1])
    report("3 fastest in epochs", answer_3 == fewest_epochs, HINTS[2])

check(delta_update, grad_E, answer_3)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["y = σ(W·x), δ = y(1 - y)(d - y), W + α δ x", "dE/dW = -δ x", "위의 표: 오차 < 1e-3 에 도달한 epoch 수가 가장 작은 방법 ('SGD', 'batch', 'mini-batch')"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["y = σ(W·x), δ = y(1 - y)(d - y), W + α δ x", "dE/dW = -δ x", "the table above: the method with the fewest epochs to error < 1e-3 ('SGD', 'batch', 'mini-batch')"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 5. 델타 규칙: SGD, 배치, 미니배치

        따라가는 글: **"Python으로 Neural Net 체험하기 (0): 단층 신경망 최적화"** (`shared/seeds/003_e37525019cc0960b.txt`).
        입력 [0,0,1], [0,1,1], [1,0,1], [1,1,1] 에 정답 0, 0, 1, 1 을 내는 단층 신경망(가중치 3개, 시그모이드)을
        델타 규칙으로 학습합니다. 글은 세 방법을 10,000 epoch씩 돌려 시간을 쟀습니다:
        **SGD 2.66 s, 배치 8.58 s, 미니배치 3.09 s** (글쓴이의 컴퓨터). 마지막으로 정답을 0, 1, 1, 0 (XOR)으로 바꾸면 풀리지 않습니다.

        델타 규칙: y = σ(W·x), e = d − y, δ = σ'(v)·e = y(1 − y)·e, W ← W + α·δ·x (α = 0.9).
        이 노트북에서 확인할 것: 이 δ·x는 제곱 오차 E = ½(d − y)²의 gradient의 **음수**, 즉 autograd가 계산하는 바로 그 값입니다.
        """,
        """
        # 5. The delta rule: SGD, batch and mini-batch

        The post: **"Python으로 Neural Net 체험하기 (0): 단층 신경망 최적화"** ("Experiencing neural nets with Python
        (0): optimising a single-layer network", `shared/seeds/003_e37525019cc0960b.txt`). A single-layer network
        (3 weights, sigmoid) learns to answer 0, 0, 1, 1 for the inputs [0,0,1], [0,1,1], [1,0,1], [1,1,1] by the
        delta rule. The post ran three methods for 10,000 epochs each and timed them: **SGD 2.66 s, batch
        8.58 s, mini-batch 3.09 s** (on the author's computer). Finally, with the answers 0, 1, 1, 0 (XOR) it fails.

        The delta rule: y = σ(W·x), e = d − y, δ = σ'(v)·e = y(1 − y)·e, W ← W + α·δ·x (α = 0.9). What this
        notebook checks: δ·x is **minus** the gradient of the squared error E = ½(d − y)², exactly what autograd computes.
        """,
    ),
    code(
        """
        import time
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        from autograd_mlp import Tensor

        am.manual_seed(0)
        X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        D = np.array([0, 0, 1, 1], dtype=float)
        ALPHA, EPOCHS = 0.9, 10_000

        def sigmoid(v):
            return 1.0 / (1.0 + np.exp(-v))

        def error(W, X, D):
            \"\"\"Mean squared error of the four answers.\"\"\"
            return float(np.mean((D - sigmoid(X @ W)) ** 2))
        """
    ),
    md(
        """
        ## 세 가지 방법

        글의 코드와 같은 계산입니다 (글의 `for` 문을 그대로, 다만 오차를 10 epoch마다 기록).
        - **SGD**: 데이터 하나마다 W를 갱신 (epoch당 4번)
        - **배치**: 네 개의 갱신량을 평균 내어 한 번 갱신 (epoch당 1번)
        - **미니배치**: 두 개씩 평균 내어 갱신 (epoch당 2번). 글의 코드는 두 번째 미니배치 전에 `dWsum`을 0으로
          되돌리지 않아 첫 미니배치의 갱신량이 두 번 들어갑니다. 여기서는 미니배치마다 새로 합합니다.
        """,
        """
        ## Three methods

        The same computation as the post's code (its `for` loops as written, with the error recorded every 10 epochs).
        - **SGD**: update W after every example (4 updates per epoch)
        - **batch**: average the four updates, apply once (1 per epoch)
        - **mini-batch**: average two at a time (2 per epoch). The post's code does not reset `dWsum` before the
          second mini-batch, so the first mini-batch's update counts twice; here each mini-batch sums afresh.
        """,
    ),
    code(
        """
        def delta_sgd(W, X, D):
            for x, d in zip(X, D):
                y = sigmoid(W @ x)
                W = W + ALPHA * y * (1 - y) * (d - y) * x
            return W

        def delta_batch(W, X, D):
            dW = np.zeros(3)
            for x, d in zip(X, D):
                y = sigmoid(W @ x)
                dW += ALPHA * y * (1 - y) * (d - y) * x
            return W + dW / len(X)

        def delta_minibatch(W, X, D, batch_size=2):
            for start in range(0, len(X), batch_size):
                W = delta_batch(W, X[start:start + batch_size], D[start:start + batch_size])
            return W

        def run(method, D, epochs=EPOCHS, seed=0):
            W = np.random.default_rng(seed).uniform(-1.0, 1.0, 3)
            history = []  # (epoch, seconds, error)
            start = time.perf_counter()
            for epoch in range(1, epochs + 1):
                W = method(W, X, D)
                if epoch % 10 == 0:
                    history.append((epoch, time.perf_counter() - start, error(W, X, D)))
            return W, np.array(history), time.perf_counter() - start

        runs = {}
        for name, method in [("SGD", delta_sgd), ("batch", delta_batch), ("mini-batch", delta_minibatch)]:
            runs[name] = run(method, D)

        TARGET = 1e-3
        def first_below(hist, target=TARGET):
            # (epoch, seconds) of the first record with error < target
            below = hist[hist[:, 2] < target]
            return (int(below[0, 0]), float(below[0, 1])) if len(below) else None

        print(f"{'method':11} {'10,000 epochs':>13} {'error<1e-3 at epoch':>20} {'after':>7}  outputs")
        for name, (W, hist, seconds) in runs.items():
            epoch, at = first_below(hist)
            print(f"{name:11} {seconds:11.2f} s {epoch:20d} {at:5.2f} s  {np.round(sigmoid(X @ W), 4)}")
        fewest_epochs = min(runs, key=lambda n: first_below(runs[n][1])[0])
        """
    ),
    md(
        """
        epoch당 계산량은 세 방법이 같지만 (데이터 네 개의 gradient), 갱신 횟수가 다릅니다: SGD 4번, 미니배치 2번,
        배치 1번. 그래서 같은 오차까지 가는 데 배치가 epoch가 가장 많이 듭니다. 시간의 절대값과 순서는 컴퓨터와
        코드에 따라 다릅니다 (글의 배치 코드는 `np.asmatrix`와 원소별 `for` 문을 씁니다). 그래서 비교는 epoch에 대해서도,
        **시간**에 대해서도 그려 봅니다.
        """,
        """
        Per epoch the three methods do the same work (the gradients of four examples) but update a different
        number of times: SGD 4, mini-batch 2, batch 1. So batch needs the most epochs to reach the same error.
        The absolute times, and their order, depend on the computer and the code (the post's batch code works
        on `np.asmatrix` with element-by-element `for` loops). So we plot the error against epochs and also
        against **time**.
        """,
    ),
    code(
        """
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
        for name, (W, hist, seconds) in runs.items():
            ax1.plot(hist[:, 0], hist[:, 2], label=name)
            ax2.plot(hist[:, 1], hist[:, 2], label=name)
        for ax, xlabel in ((ax1, "epoch"), (ax2, "seconds")):
            ax.set_xlabel(xlabel); ax.set_ylabel("mean squared error"); ax.set_yscale("log")
            ax.grid(alpha=0.3); ax.legend()
        ax1.set_title("error against epochs"); ax2.set_title("error against time")
        plt.tight_layout(); plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 델타 규칙 = autograd의 gradient

        E = ½(d − σ(W·x))² 를 W로 미분하면 dE/dW = −(d − y)·y(1 − y)·x = −δ·x 입니다. 그러니 델타 규칙
        W ← W + α·δ·x 는 경사 하강법 W ← W − α·dE/dW 그 자체입니다. `Tensor`의 backward로 확인합니다.
        """,
        """
        ## The delta rule is autograd's gradient

        Differentiating E = ½(d − σ(W·x))² by W gives dE/dW = −(d − y)·y(1 − y)·x = −δ·x. So the delta rule
        W ← W + α·δ·x is gradient descent W ← W − α·dE/dW itself. Checked with `Tensor`'s backward:
        """,
    ),
    code(
        """
        W0 = np.random.default_rng(1).uniform(-1, 1, 3)
        for x, d in zip(X, D):
            W = Tensor(W0, requires_grad=True)          # float64
            E = 0.5 * (d - (W * Tensor(x)).sum().sigmoid()) ** 2
            E.backward()
            y = sigmoid(W0 @ x)
            delta = y * (1 - y) * (d - y)
            print(f"x = {x}:  -delta*x = {np.round(-delta * x, 6)}   W.grad = {np.round(np.asarray(W.grad), 6)}")
        """
    ),
    md(
        """
        ## XOR: 단층으로는 안 된다

        정답을 0, 1, 1, 0 으로 바꾸면 어떤 직선(평면)도 0과 1을 가르지 못합니다 (linearly separable 하지 않음).
        """,
        """
        ## XOR: a single layer cannot

        With the answers 0, 1, 1, 0 no line (plane) separates the 0s from the 1s: the data is not linearly separable.
        """,
    ),
    code(
        """
        W_xor, hist_xor, _ = run(delta_sgd, np.array([0, 1, 1, 0], float))
        print("XOR outputs after 10,000 SGD epochs:", np.round(sigmoid(X @ W_xor), 3))
        print(f"error stays at {hist_xor[-1, 2]:.4f} (0.25 = every output 0.5)")
        """
    ),
    md(
        """
        ## 연습 문제

        1. `delta_update(W, x, d, alpha)`: 데이터 하나에 대한 델타 규칙 한 번의 갱신 후 W를 돌려주세요.
        2. `grad_E(W, x, d)`: E = ½(d − σ(W·x))² 의 W에 대한 gradient를 손으로 유도한 식으로 (Tensor의 backward와 비교).
        3. 위 표에서 오차 < 1e-3 에 **가장 적은 epoch**로 도달한 방법은? `'SGD'`, `'batch'`, `'mini-batch'` 중 하나를 `answer_3`에.
        """,
        """
        ## Exercises

        1. `delta_update(W, x, d, alpha)`: return W after one delta-rule update on one example.
        2. `grad_E(W, x, d)`: the gradient by W of E = ½(d − σ(W·x))², from the formula you derive (compared with Tensor's backward).
        3. In the table above, which method reached error < 1e-3 in the **fewest epochs**? One of `'SGD'`,
           `'batch'`, `'mini-batch'` in `answer_3`.
        """,
    ),
    code(
        ko="""
        def delta_update(W, x, d, alpha):
            ...  # 여기를 채우세요

        def grad_E(W, x, d):
            ...

        answer_3 = None
        """,
        en="""
        def delta_update(W, x, d, alpha):
            ...  # fill in

        def grad_E(W, x, d):
            ...

        answer_3 = None
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_update(W, x, d, alpha):
            y = sigmoid(W @ x)
            return W + alpha * y * (1 - y) * (d - y) * x

        def solution_grad(W, x, d):
            y = sigmoid(W @ x)
            return -(d - y) * y * (1 - y) * x

        check(solution_update, solution_grad, "SGD")
        """,
        tags=("check-solution",),
    ),
]
