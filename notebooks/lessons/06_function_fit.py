"""Lesson 6: a 1-6-1 ReLU MLP fits y = x^3 + x^2 - x - 1, and fails outside its training range (post 001)."""

from cells import code, md

CHECK_BODY = """
def close_array(a, b, tol=1e-5):
    try:
        return a is not None and np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-4, atol=tol)
    except (TypeError, ValueError):
        return False

def mse_grad_ok(mse_grad):
    try:
        rng = np.random.default_rng(3)
        for n in (1, 5):
            p0, t0 = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
            p = Tensor(p0, requires_grad=True)
            nn.MSELoss()(p, Tensor(t0)).backward()
            if not close_array(mse_grad(p0, t0), np.asarray(p.grad), 1e-10):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def slope_ok(input_slope):
    try:
        def out(x):
            with am.no_grad():
                return float(batched(Tensor(np.array([[x]], np.float64).astype(np.float32))).data[0, 0])
        for x in (-2.3, 0.7, 3.1):
            numeric = (out(x + 1e-2) - out(x - 1e-2)) / 2e-2   # the net is piecewise linear: a wide h is exact
            if not close_array(input_slope(batched, x), numeric, 1e-2):
                return False
        return True
    except Exception:
        return False

def check(mse_grad, input_slope, answer_3):
    report("1 mse_grad", mse_grad_ok(mse_grad), HINTS[0])
    report("2 input_slope", slope_ok(input_slope), HINTS[1])
    report("3 kinks", answer_3 == 6, HINTS[2])

check(mse_grad, input_slope, answer_3)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["mean((p - t)^2) 를 p로: 2 (p - t) / N", "x = Tensor([[x]], requires_grad=True) 로 만들고 net(x).sum().backward() 후 x.grad", "은닉 ReLU 하나마다 꺾이는 점은 많아야 하나"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["mean((p - t)^2) by p: 2 (p - t) / N", "make x = Tensor([[x]], requires_grad=True), call net(x).sum().backward(), read x.grad", "at most one kink per hidden ReLU"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 6. 함수 근사와 외삽

        따라가는 글: **"인공 신경망의 구조"** (`shared/seeds/001_ab74329cc9ec0a9c.txt`). 보편 근사 정리 (은닉층 하나로 어떤
        연속 함수든 원하는 만큼 가깝게 나타낼 수 있다)를 y = x³ + x² − x − 1로 시험합니다.
        글의 망: `Linear(1, 6)` → `ReLU` → `Linear(6, 1)`, `MSELoss`, `Adam(lr=0.01)`, 매 단계 [−5, 5]에서 뽑은 **x 하나**로
        10,000번 학습. 글의 관찰: "랜덤한 값이 입력되는 중간 부분은 학습이 제대로 진행되었지만, 양 끝부분은 그렇지 않다."
        """,
        """
        # 6. Fitting a function, and extrapolation

        The post: **"인공 신경망의 구조"** ("The structure of neural networks", `shared/seeds/001_ab74329cc9ec0a9c.txt`).
        It tries the universal approximation theorem (one hidden layer can come as close as you like to any
        continuous function) on y = x³ + x² − x − 1. Its network: `Linear(1, 6)` → `ReLU` → `Linear(6, 1)`, `MSELoss`,
        `Adam(lr=0.01)`, trained 10,000 times on **one x** drawn from [−5, 5] per step. What it saw: "the middle,
        where the random inputs fell, was learned; the two ends were not."
        """,
    ),
    code(
        """
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        from autograd_mlp import Tensor, nn, optim

        am.manual_seed(0)

        def target(x):
            return x**3 + x**2 - x - 1

        def network(seed):
            rng = np.random.default_rng(seed)
            return nn.Sequential(nn.Linear(1, 6, rng=rng), nn.ReLU(), nn.Linear(6, 1, rng=rng))

        def predict(net, xs):
            with am.no_grad():
                return net(Tensor(xs.reshape(-1, 1).astype(np.float32))).data.ravel()
        """
    ),
    md(
        """
        ## 글의 방법: 한 번에 x 하나

        글은 10,000 단계를 돌렸습니다. 이 노트북은 빨리 끝나도록 2,000 단계만 돌립니다 (`STEPS`를 10_000으로 바꿔 보세요).
        """,
        """
        ## The post's way: one x at a time

        The post ran 10,000 steps; this notebook runs 2,000 so that it finishes quickly (set `STEPS` to 10_000 to see more).
        """,
    ),
    code(
        """
        STEPS = 2_000
        rng = np.random.default_rng(0)
        single = network(seed=0)
        optimizer = optim.Adam(single.parameters(), lr=0.01)
        loss_function = nn.MSELoss()
        single_losses = []
        for step in range(STEPS):
            x = Tensor((rng.random((1, 1)) - 0.5).astype(np.float32) * 10)   # the post's (torch.rand(1) - 0.5) * 10
            y = target(x)
            optimizer.zero_grad()
            loss = loss_function(single(x), y)
            loss.backward()
            optimizer.step()
            single_losses.append(loss.item())
        print(f"mean loss of the last 500 steps: {np.mean(single_losses[-500:]):.2f}")
        """
    ),
    md(
        """
        ## 미니배치로: 한 번에 x 64개

        한 단계에 x 하나는 gradient가 매우 시끄럽습니다. 64개를 한꺼번에 넣으면 (텐서 연산 한 번) 같은 단계 수로 훨씬 잘 맞습니다.
        """,
        """
        ## With mini-batches: 64 x at a time

        One x per step gives a very noisy gradient. With 64 at once (one tensor operation) the fit gets much
        better in the same number of steps.
        """,
    ),
    code(
        """
        rng = np.random.default_rng(0)
        batched = network(seed=0)
        optimizer = optim.Adam(batched.parameters(), lr=0.01)
        batch_losses = []
        for step in range(STEPS):
            x = Tensor((rng.random((64, 1)) - 0.5).astype(np.float32) * 10)
            optimizer.zero_grad()
            loss = loss_function(batched(x), target(x))
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        print(f"mean loss of the last 500 steps: {np.mean(batch_losses[-500:]):.2f}")
        """
    ),
    md(
        """
        ## 학습 구간 밖: 외삽

        미니배치로 학습한 망은 [−5, 5] (회색 띠) 안에서 잘 맞지만 밖에서는 틀립니다 (x 하나씩 2,000 단계 학습한 망은
        안에서도 아직 거칩니다: 글은 10,000 단계를 돌렸습니다). ReLU 망은 **꺾은선**이라서 학습 구간 밖에서는 직선으로
        뻗어 나가고, 3차 함수는 그보다 훨씬 빨리 커집니다. 망은 본 적 있는 곳만 근사합니다.
        """,
        """
        ## Outside the training range: extrapolation

        The network trained on mini-batches fits well inside [−5, 5] (the grey band) and is wrong outside it (the one
        trained on one x at a time for 2,000 steps is still rough even inside: the post ran 10,000). A ReLU network is a **broken line**:
        beyond the training range it goes on straight, while the cubic grows much faster. A network approximates
        only where it has seen data.
        """,
    ),
    code(
        """
        xs = np.linspace(-10, 10, 401)
        inside = np.abs(xs) <= 5
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
        ax1.plot(single_losses, alpha=0.5, label="one x per step")
        ax1.plot(batch_losses, alpha=0.7, label="64 x per step")
        ax1.set_yscale("log"); ax1.set_xlabel("step"); ax1.set_ylabel("MSE"); ax1.legend(); ax1.grid(alpha=0.3)
        ax2.axvspan(-5, 5, color="0.92")
        ax2.plot(xs, target(xs), "k", lw=2, label="x^3 + x^2 - x - 1")
        ax2.plot(xs, predict(single, xs), label="one x per step")
        ax2.plot(xs, predict(batched, xs), label="64 x per step")
        ax2.set_ylim(-400, 400); ax2.set_xlabel("x"); ax2.legend(fontsize=8); ax2.grid(alpha=0.3)
        plt.tight_layout(); plt.show()

        for name, net in (("one x per step", single), ("64 x per step", batched)):
            err = (predict(net, xs) - target(xs)) ** 2
            print(f"{name:15}  MSE inside [-5, 5]: {err[inside].mean():9.1f}   outside: {err[~inside].mean():11.1f}")
        """,
        tags=("image",),
    ),
    md(
        """
        ## 입력에 대한 gradient

        backward는 가중치뿐 아니라 **입력**에 대한 미분도 줍니다: 입력 텐서를 `requires_grad=True`로 만들면 됩니다.
        ReLU 망은 꺾은선이므로 기울기는 구간마다 일정합니다.
        """,
        """
        ## The gradient with respect to the input

        backward gives derivatives with respect to the **input** too, not only the weights: make the input
        tensor with `requires_grad=True`. A ReLU network is a broken line, so its slope is constant on each piece.
        """,
    ),
    code(
        """
        for x0 in (-4.0, 0.0, 4.0):
            x = Tensor(np.array([[x0]], np.float32), requires_grad=True)
            batched(x).sum().backward()
            print(f"x = {x0:4}: network slope {np.asarray(x.grad).item():8.2f}   true slope 3x^2 + 2x - 1 = {3 * x0**2 + 2 * x0 - 1:6.1f}")
        """
    ),
    md(
        """
        ## 연습 문제

        1. `mse_grad(p, t)`: MSE = mean((p − t)²) 의 p에 대한 gradient (numpy 배열; `MSELoss`의 backward와 비교합니다).
        2. `input_slope(net, x)`: backward를 써서 망의 출력을 입력 x(보통 수)로 미분한 값을 돌려주세요.
        3. 1-6-1 ReLU 망의 그래프(꺾은선)가 꺾이는 점은 최대 몇 개일까요? `answer_3`
        """,
        """
        ## Exercises

        1. `mse_grad(p, t)`: the gradient by p of MSE = mean((p − t)²) (numpy arrays; compared with `MSELoss`'s backward).
        2. `input_slope(net, x)`: using backward, return the derivative of the network's output by its input x (a plain number).
        3. At most how many kinks can the graph (a broken line) of a 1-6-1 ReLU network have? `answer_3`
        """,
    ),
    code(
        ko="""
        def mse_grad(p, t):
            ...  # 여기를 채우세요

        def input_slope(net, x):
            ...

        answer_3 = None
        """,
        en="""
        def mse_grad(p, t):
            ...  # fill in

        def input_slope(net, x):
            ...

        answer_3 = None
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_mse_grad(p, t):
            return 2 * (p - t) / p.size

        def solution_slope(net, x):
            xt = Tensor(np.array([[x]], np.float32), requires_grad=True)
            net(xt).sum().backward()
            return np.asarray(xt.grad).item()

        check(solution_mse_grad, solution_slope, 6)
        """,
        tags=("check-solution",),
    ),
]
