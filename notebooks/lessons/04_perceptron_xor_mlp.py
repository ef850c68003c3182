"""Lesson 4: a perceptron learns AND and OR but not XOR; one more line (a hidden layer) does (posts 000, 004)."""

from cells import code, md

CHECK_BODY = """
import math

def close(value, target, tol):
    try:
        return value is not None and abs(float(value) - target) <= tol
    except (TypeError, ValueError):
        return False

def bce_grad_ok(bce_grad):
    try:
        for p0, y0 in [(0.3, 1.0), (0.8, 0.0), (0.55, 1.0), (0.1, 0.0)]:
            p = am.Value(p0)
            loss = -(y0 * p.log() + (1 - y0) * (1 - p).log())
            loss.backward()
            if not close(bce_grad(p0, y0), p.grad, 1e-9):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def xor_net_ok(w1, b1, w2, b2):
    try:
        h = 1 / (1 + np.exp(-(XOR_X @ np.asarray(w1, float) + np.asarray(b1, float))))
        out = 1 / (1 + np.exp(-(h @ np.asarray(w2, float) + np.asarray(b2, float))))
        return out.shape in ((4, 1), (4,)) and np.array_equal((out.ravel() > 0.5).astype(int), [0, 1, 1, 0])
    except Exception:
        return False

def check(answer_1, bce_grad, xor_weights):
    report("1 stuck loss", close(answer_1, math.log(2), 1e-4), HINTS[0])
    report("2 bce_grad", bce_grad_ok(bce_grad), HINTS[1])
    report("3 XOR by hand", xor_weights is not None and xor_net_ok(*xor_weights), HINTS[2])

check(answer_1, bce_grad, xor_weights)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["모든 출력이 0.5 일 때 BCE = -ln 0.5", "d/dp = -y/p + (1 - y)/(1 - p)", "은닉 유닛 하나는 OR, 하나는 AND(또는 NAND); 출력은 OR 이면서 AND 아님"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["BCE when every output is 0.5: -ln 0.5", "d/dp = -y/p + (1 - y)/(1 - p)", "one hidden unit OR, one AND (or NAND); the output: OR and not AND"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 4. 퍼셉트론과 XOR, 그리고 MLP

        이 노트북이 따라가는 글:
        - **"PyTorch 익히기 - Multi Layer Perceptron"** (`shared/seeds/000_61d4de678295490b.txt`):
          퍼셉트론으로 XOR을 학습시키면 "약 200 step 이후부터는 loss가 줄지 않고" 모든 출력이 0.5가 된다.
          선을 하나 더 그으면 (퍼셉트론 두 개, 은닉층) 풀린다.
        - **"[Standalone DL] #8-9 - History of DL / MLP Basic"** (`004_80f504c630c7af8d.txt`): AND/OR는 쉽게 풀리지만 XOR는 아니다.

        글의 PyTorch 코드를 `autograd_mlp`로 그대로 옮깁니다: `Linear(2, 1)` + `Sigmoid`, `BCELoss`, `SGD(lr=1)`.
        """,
        """
        # 4. The perceptron, XOR, and the MLP

        The posts this notebook follows:
        - **"PyTorch 익히기 - Multi Layer Perceptron"** (`shared/seeds/000_61d4de678295490b.txt`): trained on
          XOR, a perceptron's "loss stops falling after about 200 steps" and every output is 0.5. One more
          line (two perceptrons, a hidden layer) solves it.
        - **"[Standalone DL] #8-9 - History of DL / MLP Basic"** (`004_80f504c630c7af8d.txt`): AND and OR are easy, XOR is not.

        The posts' PyTorch code carried over to `autograd_mlp` as it is: `Linear(2, 1)` + `Sigmoid`,
        `BCELoss`, `SGD(lr=1)`.
        """,
    ),
    code(
        """
        import math
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        from autograd_mlp import Tensor, nn, optim

        am.manual_seed(0)
        XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}

        def train(model, y, steps, lr=1.0):
            \"\"\"The post's loop: full batch, BCELoss, SGD(lr=1). Returns the loss of every step.\"\"\"
            X, Y = Tensor(XOR_X), Tensor(np.array(y, dtype=np.float32).reshape(4, 1))
            criterion = nn.BCELoss()
            optimizer = optim.SGD(model.parameters(), lr=lr)
            losses = []
            for step in range(steps):
                optimizer.zero_grad()
                cost = criterion(model(X), Y)
                cost.backward()
                optimizer.step()
                losses.append(cost.item())
            return losses

        def perceptron(seed):
            return nn.Sequential(nn.Linear(2, 1, rng=seed), nn.Sigmoid())
        """
    ),
    md(
        """
        ## 퍼셉트론 하나로 AND, OR, XOR

        퍼셉트론의 결정 경계는 직선 w·x + b = 0 입니다. 세 문제를 각각 1,000 step 학습하고 그 직선을 그립니다.
        (글은 10,001 step이지만 200 step 이후로는 변하지 않으므로 줄였습니다.)
        """,
        """
        ## One perceptron on AND, OR and XOR

        A perceptron's decision boundary is the line w·x + b = 0. We train it on each problem for 1,000 steps
        and draw that line. (The post ran 10,001 steps; nothing changes after about 200, so we run fewer.)
        """,
    ),
    code(
        """
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
        results = {}
        for ax, (name, y) in zip(axes, GATES.items()):
            model = perceptron(seed=0)
            losses = train(model, y, steps=1000)
            results[name] = (model, losses)
            (w1, w2), b = model[0].weight.data[0], model[0].bias.data[0]
            xs = np.linspace(-0.5, 1.5, 2)
            ax.scatter(XOR_X[:, 0], XOR_X[:, 1], c=y, cmap="coolwarm", s=120, edgecolors="k", zorder=3)
            if abs(w2) > 1e-6:
                ax.plot(xs, -(w1 * xs + b) / w2, "k--")
            ax.set_xlim(-0.5, 1.5); ax.set_ylim(-0.5, 1.5)
            out = model(Tensor(XOR_X)).data.ravel()
            ax.set_title(f"{name}: outputs {np.round(out, 2)}", fontsize=9)
        plt.tight_layout(); plt.show()
        for name, (model, losses) in results.items():
            print(f"{name:3}  final loss {losses[-1]:.4f}")
        """,
        tags=("image",),
    ),
    md(
        """
        AND, OR는 직선 하나로 나뉘고 loss가 0에 가까워집니다. XOR는 어떤 직선으로도 나뉘지 않습니다.
        글이 본 것처럼, 모든 출력이 0.5가 되고 loss는 **ln 2 = 0.6931**에서 멈춥니다:
        출력이 모두 0.5이면 BCE = −ln 0.5 = ln 2 이기 때문입니다.
        """,
        """
        AND and OR are split by one line and their loss goes to 0. No line splits XOR. As the post saw, every
        output becomes 0.5 and the loss stops at **ln 2 = 0.6931**: with every output 0.5, BCE = −ln 0.5 = ln 2.
        """,
    ),
    code(
        """
        xor_losses = results["XOR"][1]
        stuck = next(i for i, v in enumerate(xor_losses) if abs(v - math.log(2)) < 1e-3)
        print(f"XOR loss within 0.001 of ln 2 from step {stuck} on; final {xor_losses[-1]:.6f}, ln 2 = {math.log(2):.6f}")
        plt.figure(figsize=(5, 3))
        plt.plot(xor_losses, label="perceptron on XOR")
        plt.axhline(math.log(2), color="k", ls=":", label="ln 2")
        plt.xlabel("step"); plt.ylabel("BCE loss"); plt.legend(); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 선을 하나 더: 은닉층이 있는 MLP

        글의 모델: `Linear(2, 2)` → `Sigmoid` → `Linear(2, 1)` → `Sigmoid`. 은닉 유닛 두 개가 각각 직선 하나를 긋고,
        출력 유닛이 그 둘을 조합합니다. 모든 시작점이 성공하지는 않습니다: 시드 0은 loss 0.35 부근(= ln 2 / 2,
        네 점 중 둘을 0.5로 두는 지점)에서 멈추고, 시드 1은 풉니다.
        """,
        """
        ## One more line: an MLP with a hidden layer

        The post's model: `Linear(2, 2)` → `Sigmoid` → `Linear(2, 1)` → `Sigmoid`. Each of the two hidden units
        draws one line and the output unit combines them. Not every start succeeds: seed 0 stops near loss
        0.35 (= ln 2 / 2, two of the four points left at 0.5), seed 1 solves it.
        """,
    ),
    code(
        """
        def mlp(seed):
            rng = np.random.default_rng(seed)
            return nn.Sequential(nn.Linear(2, 2, rng=rng), nn.Sigmoid(), nn.Linear(2, 1, rng=rng), nn.Sigmoid())

        curves = {}
        for seed in (0, 1):
            model = mlp(seed)
            curves[seed] = train(model, GATES["XOR"], steps=3000)
            with am.no_grad():
                out = model(Tensor(XOR_X)).data.ravel()
            accuracy = ((out > 0.5) == np.array(GATES["XOR"], bool)).mean()
            print(f"seed {seed}: final loss {curves[seed][-1]:.4f}, outputs {np.round(out, 3)}, accuracy {accuracy:.0%}")
        solved = model  # seed 1

        plt.figure(figsize=(5, 3))
        plt.plot(xor_losses, label="perceptron")
        for seed, c in curves.items():
            plt.plot(c, label=f"MLP 2-2-1, seed {seed}")
        plt.axhline(math.log(2), color="k", ls=":", lw=1)
        plt.xlabel("step"); plt.ylabel("BCE loss"); plt.yscale("log"); plt.legend(); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        은닉 유닛 두 개의 직선(h = 0.5 인 곳)과, 출력이 만든 결정 영역을 함께 그립니다. 두 직선 사이의 띠가 "1"입니다.
        """,
        """
        The two hidden units' lines (where h = 0.5) over the decision regions of the output. The band between
        the lines is "1".
        """,
    ),
    code(
        """
        grid = np.linspace(-0.5, 1.5, 121, dtype=np.float32)
        gx, gy = np.meshgrid(grid, grid)
        with am.no_grad():
            prob = solved(Tensor(np.stack([gx.ravel(), gy.ravel()], 1))).data.reshape(gx.shape)
        W, B = solved[0].weight.data, solved[0].bias.data
        plt.figure(figsize=(4, 4))
        plt.contourf(gx, gy, prob, levels=[0, 0.5, 1], colors=["#cfe0f5", "#f7d3cf"])
        xs = np.linspace(-0.5, 1.5, 2)
        for j in range(2):
            plt.plot(xs, -(W[j, 0] * xs + B[j]) / W[j, 1], "k--", lw=1.2, label=f"hidden unit {j}")
        plt.scatter(XOR_X[:, 0], XOR_X[:, 1], c=GATES["XOR"], cmap="coolwarm", s=120, edgecolors="k", zorder=3)
        plt.xlim(-0.5, 1.5); plt.ylim(-0.5, 1.5); plt.legend(loc="upper right", fontsize=8)
        plt.title("XOR: two lines from the hidden layer")
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 글의 손 역전파와 backward 비교

        글 000은 같은 2-2-1 망의 gradient를 손으로 씁니다 (`d_l2 = d_Y_pred * sigmoid_prime(l2)` ...).
        같은 가중치에서 한 단계의 손 계산과 `backward()`를 비교합니다. 글의 `d_w`는 배치 **합** BCE의 gradient라서
        (평균이 아님) `BCELoss`(평균)의 gradient의 정확히 4배(= 배치 크기)이고, 편향은 `torch.mean(d_b, 0)`으로 평균을 씁니다.
        """,
        """
        ## The post's hand-written backprop against backward

        Post 000 writes out the same 2-2-1 net's gradients by hand (`d_l2 = d_Y_pred * sigmoid_prime(l2)` ...).
        One step of that hand computation against `backward()` on the same weights. The post's `d_w` is the
        gradient of the **summed** BCE (not the mean), so it is exactly 4 times (the batch size) the
        gradient of `BCELoss` (a mean), while the biases use `torch.mean(d_b, 0)`, a mean.
        """,
    ),
    code(
        """
        model = mlp(1)
        X, Y = XOR_X.astype(np.float64), np.array(GATES["XOR"], np.float64).reshape(4, 1)
        w1, b1 = model[0].weight.data.T.astype(np.float64), model[0].bias.data.astype(np.float64)
        w2, b2 = model[2].weight.data.T.astype(np.float64), model[2].bias.data.astype(np.float64)

        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-x))

        # the post's forward and backward, in numpy (without its 1e-7, which only guards against 0/0)
        l1 = X @ w1 + b1; a1 = sigmoid(l1)
        l2 = a1 @ w2 + b2; Y_pred = sigmoid(l2)
        d_Y_pred = (Y_pred - Y) / (Y_pred * (1.0 - Y_pred))
        d_l2 = d_Y_pred * Y_pred * (1 - Y_pred)
        d_w2 = a1.T @ d_l2
        d_a1 = d_l2 @ w2.T
        d_l1 = d_a1 * a1 * (1 - a1)
        d_w1 = X.T @ d_l1
        hand = {"0.weight": d_w1.T, "0.bias": d_l1.mean(0), "2.weight": d_w2.T, "2.bias": d_l2.mean(0)}

        loss = nn.BCELoss()(model(Tensor(XOR_X)), Tensor(Y.astype(np.float32)))
        model.zero_grad()
        loss.backward()
        for name, p in model.named_parameters():
            engine = np.asarray(p.grad, dtype=np.float64)
            scale = 4.0 if name.endswith("weight") else 1.0
            print(f"{name:9} hand / engine = {scale:.0f} x ... largest difference after /{scale:.0f}: "
                  f"{np.abs(hand[name] / scale - engine).max():.1e}")
        """
    ),
    md(
        """
        ## 연습 문제

        1. 퍼셉트론이 XOR에서 멈추는 loss 값은? 정확한 수(식으로 써도 됩니다)를 `answer_1`에.
        2. `bce_grad(p, y)`: BCE(p, y) = −[y ln p + (1 − y) ln(1 − p)] 의 p에 대한 미분. (`autograd_mlp.Value`의 backward와 비교합니다)
        3. 학습 없이 **손으로** XOR을 푸는 2-2-1 시그모이드 망의 가중치를 정하세요: `xor_weights = (w1, b1, w2, b2)`,
           w1은 (2, 2), b1은 (2,), w2는 (2, 1), b2는 (1,), 은닉 h = σ(x @ w1 + b1), 출력 σ(h @ w2 + b2) > 0.5 이면 1.
        """,
        """
        ## Exercises

        1. At what loss does the perceptron stop on XOR? The exact number (a formula is fine) in `answer_1`.
        2. `bce_grad(p, y)`: the derivative by p of BCE(p, y) = −[y ln p + (1 − y) ln(1 − p)]
           (compared with `autograd_mlp.Value`'s backward).
        3. Choose **by hand**, without training, the weights of a 2-2-1 sigmoid net that solves XOR:
           `xor_weights = (w1, b1, w2, b2)` with w1 (2, 2), b1 (2,), w2 (2, 1), b2 (1,); hidden h = σ(x @ w1 + b1),
           output 1 where σ(h @ w2 + b2) > 0.5.
        """,
    ),
    code(
        ko="""
        answer_1 = None

        def bce_grad(p, y):
            ...  # 여기를 채우세요

        xor_weights = None  # (w1, b1, w2, b2)
        """,
        en="""
        answer_1 = None

        def bce_grad(p, y):
            ...  # fill in

        xor_weights = None  # (w1, b1, w2, b2)
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_bce_grad(p, y):
            return -y / p + (1 - y) / (1 - p)

        # hidden unit 0 = OR (fires when x1 + x2 > 0.5), unit 1 = AND (x1 + x2 > 1.5); output = OR and not AND
        solution_weights = (
            np.array([[20.0, 20.0], [20.0, 20.0]]),
            np.array([-10.0, -30.0]),
            np.array([[20.0], [-20.0]]),
            np.array([-10.0]),
        )
        check(math.log(2), solution_bce_grad, solution_weights)
        """,
        tags=("check-solution",),
    ),
]
