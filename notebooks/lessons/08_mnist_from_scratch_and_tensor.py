"""Lesson 8: an MNIST MLP from numpy layers with hand-written backward (post 002), checked against and redone with Tensor."""

from cells import code, md

CHECK_BODY = """
def grads_match(make_layer, library_op):
    # the learner's layer against the library on one random batch, float64
    try:
        rng = np.random.default_rng(9)
        x0, dz = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
        layer = make_layer()
        out = layer.forward(x0.copy())
        dx = layer.backward(dz.copy())
        x = Tensor(x0, requires_grad=True)
        y = library_op(x)
        (y * Tensor(dz)).sum().backward()
        return np.allclose(out, y.data, atol=1e-12) and np.allclose(dx, np.asarray(x.grad), atol=1e-12)
    except Exception:  # a half-written answer counts as not yet
        return False

def linear_ok(LinearLayer):
    try:
        rng = np.random.default_rng(10)
        layer = LinearLayer(3, 2)
        W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=2)
        layer.W, layer.b = W0.copy(), b0.copy()
        x0, dz = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
        layer.forward(x0.copy())
        dx = layer.backward(dz.copy())
        x, W, b = (Tensor(a, requires_grad=True) for a in (x0, W0, b0))
        ((x @ W + b) * Tensor(dz)).sum().backward()
        return all(np.allclose(mine, np.asarray(ref.grad), atol=1e-12)
                   for mine, ref in ((dx, x), (layer.dW, W), (layer.db, b)))
    except Exception:
        return False

def check(MyTanh, MyLinear, answer_3):
    report("1 MyTanh", grads_match(MyTanh, lambda x: x.tanh()), HINTS[0])
    report("2 MyLinear", linear_ok(MyLinear), HINTS[1])
    report("3 parameters", answer_3 == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10, HINTS[2])

check(MyTanh, MyLinear, answer_3)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["tanh 의 미분은 1 - out^2: backward(dz) = dz * (1 - out^2)", "dW = x^T dz, db = dz 의 행 합, dx = dz W^T", "층마다 가중치 (입력 x 출력) + 편향 (출력)"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["tanh's derivative is 1 - out^2: backward(dz) = dz * (1 - out^2)", "dW = x^T dz, db = the row sum of dz, dx = dz W^T", "per layer: weights (in x out) + biases (out)"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 8. MNIST: numpy로 바닥부터, 그리고 Tensor로

        따라가는 글:
        - **"Python으로 MLP 바닥부터 구현하기"** (`shared/seeds/002_024acd1251c639f7.txt`): 층마다 forward와 손으로 유도한
          backward를 가진 numpy MLP. Linear → Sigmoid → Dropout(0.3) → Linear → Sigmoid → Linear, MNIST 5,000장으로 학습하고
          1,000장으로 테스트, 10 epoch. 글의 식: ∂L/∂W = xᵀ dz, ∂L/∂b = Σ dz, ∂L/∂x = dz Wᵀ, σ' = σ(1 − σ).
          (글은 은닉층 크기와 학습률을 밝히지 않습니다: 여기서는 128, 64, SGD lr 0.5, 배치 32.)
        - **"인공 신경망의 구조"** (`001_ab74329cc9ec0a9c.txt`)의 MNIST 부분: 같은 일을 프레임워크의 텐서로 합니다.

        데이터는 패키지에 들어 있는 MNIST 표본(학습 8,000 / 테스트 2,000, 진짜 MNIST 숫자)을 씁니다. 인터넷이 필요 없습니다.
        """,
        """
        # 8. MNIST: from scratch in numpy, then with Tensor

        The posts:
        - **"Python으로 MLP 바닥부터 구현하기"** ("An MLP from scratch in Python", `shared/seeds/002_024acd1251c639f7.txt`):
          a numpy MLP whose layers each have a forward and a hand-derived backward. Linear → Sigmoid → Dropout(0.3) →
          Linear → Sigmoid → Linear, trained on 5,000 MNIST images and tested on 1,000, 10 epochs. Its formulas:
          ∂L/∂W = xᵀ dz, ∂L/∂b = Σ dz, ∂L/∂x = dz Wᵀ, σ' = σ(1 − σ). (The post does not give the hidden sizes or
          the learning rate: here 128 and 64, SGD lr 0.5, batches of 32.)
        - the MNIST part of **"인공 신경망의 구조"** (`001_ab74329cc9ec0a9c.txt`): the same job with a framework's tensors.

        The data is the MNIST sample shipped in the package (8,000 train / 2,000 test real MNIST digits): no internet needed.
        """,
    ),
    code(
        """
        import time
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        from autograd_mlp import Tensor, nn, optim
        from autograd_mlp.data import DataLoader, load_mnist_splits, mnist

        am.manual_seed(0)
        train, test = load_mnist_splits(root=mnist.MNIST_SAMPLE_DIR, normalize=True, flatten=True, download=False)
        X_train, y_train = train.images[:5000], train.labels[:5000]   # float32 pixels in [0, 1], one row per image
        X_test, y_test = test.images[:1000], test.labels[:1000]
        print("train", X_train.shape, X_train.dtype, "test", X_test.shape, "labels", np.bincount(y_train))

        fig, axes = plt.subplots(2, 8, figsize=(8, 2.3))
        for ax, img, label in zip(axes.ravel(), X_train, y_train):
            ax.imshow(img.reshape(28, 28), cmap="gray_r"); ax.set_title(str(label)); ax.axis("off")
        plt.tight_layout(); plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 층을 손으로

        층마다 `forward(x)`는 backward에 필요한 것을 기억하고, `backward(dz)`는 위에서 온 gradient dz(= ∂L/∂출력)를 받아
        ∂L/∂입력을 돌려줍니다. 가중치가 있는 층은 ∂L/∂W, ∂L/∂b도 저장합니다. 소프트맥스와 교차 엔트로피는 함께 미분하면
        (softmax − one_hot) / N 으로 간단해집니다.
        """,
        """
        ## The layers by hand

        Each layer's `forward(x)` remembers what backward will need; `backward(dz)` takes the gradient from above,
        dz = ∂L/∂output, and returns ∂L/∂input. Layers with weights also store ∂L/∂W and ∂L/∂b. Softmax and
        cross-entropy differentiated together simplify to (softmax − one_hot) / N.
        """,
    ),
    code(
        """
        rng = np.random.default_rng(0)

        class Linear:
            def __init__(self, n_in, n_out):
                bound = 1 / np.sqrt(n_in)
                self.W = rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32)
                self.b = rng.uniform(-bound, bound, n_out).astype(np.float32)
            def forward(self, x):
                self.x = x
                return x @ self.W + self.b               # y = xW + b
            def backward(self, dz):
                self.dW = self.x.T @ dz                  # dL/dW = x^T dz
                self.db = dz.sum(axis=0)                 # dL/db = sum of dz
                return dz @ self.W.T                     # dL/dx = dz W^T

        class Sigmoid:
            def forward(self, x):
                self.out = 1 / (1 + np.exp(-x))
                return self.out
            def backward(self, dz):
                return dz * self.out * (1 - self.out)    # sigma' = sigma (1 - sigma), elementwise

        class Dropout:
            def __init__(self, p):
                self.p, self.training = p, True
            def forward(self, x):
                if not self.training:
                    return x
                self.mask = ((rng.random(x.shape) >= self.p) / (1 - self.p)).astype(x.dtype)   # drop p, scale the rest up
                return x * self.mask
            def backward(self, dz):
                return dz * self.mask

        class SoftmaxCrossEntropy:
            def forward(self, z, y):
                z = z - z.max(axis=1, keepdims=True)     # the same softmax, without overflow
                p = np.exp(z)
                self.p, self.y = p / p.sum(axis=1, keepdims=True), y
                return -np.log(self.p[np.arange(len(y)), y]).mean()
            def backward(self):
                g = self.p.copy()
                g[np.arange(len(self.y)), self.y] -= 1   # softmax - one_hot
                return g / len(self.y)

        layers = [Linear(784, 128), Sigmoid(), Dropout(0.3), Linear(128, 64), Sigmoid(), Linear(64, 10)]
        criterion = SoftmaxCrossEntropy()

        def forward(x):
            for layer in layers:
                x = layer.forward(x)
            return x

        def backward():
            g = criterion.backward()
            for layer in reversed(layers):
                g = layer.backward(g)
        """
    ),
    md(
        """
        ## 손으로 쓴 backward와 autograd의 backward

        학습 전에, 같은 배치·같은 가중치·같은 dropout 마스크로 `autograd_mlp.Tensor`의 backward와 비교합니다.
        Tensor 쪽은 글의 수식을 그대로 씁니다 (`x @ W + b`, `sigmoid`, 마스크 곱하기, `nn.cross_entropy`). 검사는 float64로, 학습은 float32로 합니다.
        """,
        """
        ## The hand-written backward against autograd's

        Before training: the same batch, the same weights and the same dropout mask through `autograd_mlp.Tensor`'s
        backward. The Tensor side writes the post's formulas as they are (`x @ W + b`, `sigmoid`, multiply by the
        mask, `nn.cross_entropy`). The check runs in float64, the training in float32.
        """,
    ),
    code(
        """
        xb, yb = X_train[:32].astype(np.float64), y_train[:32]   # float64 for the check: the float32 weights upcast exactly
        loss = criterion.forward(forward(xb), yb)
        backward()

        lin = [layer for layer in layers if isinstance(layer, Linear)]
        params = [(Tensor(l.W.astype(np.float64), requires_grad=True), Tensor(l.b.astype(np.float64), requires_grad=True))
                  for l in lin]
        (W1, b1), (W2, b2), (W3, b3) = params
        h = (Tensor(xb) @ W1 + b1).sigmoid() * Tensor(layers[2].mask)
        h = (h @ W2 + b2).sigmoid()
        auto_loss = nn.cross_entropy(h @ W3 + b3, yb)
        auto_loss.backward()

        print(f"loss: by hand {loss:.12f}, autograd {auto_loss.item():.12f}")
        worst = 0.0
        for i, (l, (W, b)) in enumerate(zip(lin, params), start=1):
            dW = np.abs(l.dW - np.asarray(W.grad)).max()
            db = np.abs(l.db - np.asarray(b.grad)).max()
            worst = max(worst, dW, db)
            print(f"Linear {i}: largest |dW difference| {dW:.1e}, |db difference| {db:.1e}")
        print(f"largest difference of all: {worst:.1e} (<= 1e-6: {worst <= 1e-6})")
        """
    ),
    md(
        """
        ## 학습: 10 epoch
        """,
        """
        ## Training: 10 epochs
        """,
    ),
    code(
        """
        def accuracy(x, y):
            layers[2].training = False
            correct = float(np.mean(forward(x).argmax(axis=1) == y))
            layers[2].training = True
            return correct

        LR, BATCH = 0.5, 32
        history = []
        start = time.perf_counter()
        for epoch in range(10):
            losses = []
            for xb, yb in DataLoader(X_train, y_train, batch_size=BATCH, shuffle=True, seed=epoch):
                losses.append(criterion.forward(forward(xb), yb))
                backward()
                for l in lin:
                    l.W -= LR * l.dW
                    l.b -= LR * l.db
            history.append((np.mean(losses), accuracy(X_test, y_test)))
            print(f"epoch {epoch + 1:2d}  loss {history[-1][0]:.4f}  test accuracy {history[-1][1]:.1%}")
        print(f"{time.perf_counter() - start:.1f} s")
        """
    ),
    md(
        """
        ## 같은 망을 autograd_mlp로

        이제 층들을 라이브러리에서 가져옵니다: backward를 쓸 필요가 없습니다. 빨리 끝나도록 5 epoch만 학습합니다. `nn.Dropout`은 `model.train()`일 때만 작동하고
        `model.eval()`이면 그대로 통과시킵니다 (위의 `training` 플래그와 같은 일).
        """,
        """
        ## The same network with autograd_mlp

        Now the layers come from the library: no backward to write. To finish quickly it trains 5 epochs. `nn.Dropout` acts only under `model.train()`
        and passes everything through under `model.eval()` (what the `training` flag did above).
        """,
    ),
    code(
        """
        lib_rng = np.random.default_rng(0)
        model = nn.Sequential(
            nn.Linear(784, 128, rng=lib_rng), nn.Sigmoid(), nn.Dropout(0.3, rng=lib_rng),
            nn.Linear(128, 64, rng=lib_rng), nn.Sigmoid(), nn.Linear(64, 10, rng=lib_rng),
        )
        optimizer = optim.SGD(model.parameters(), lr=LR)
        lib_history = []
        start = time.perf_counter()
        for epoch in range(5):
            model.train()
            losses = []
            for xb, yb in DataLoader(X_train, y_train, batch_size=BATCH, shuffle=True, seed=epoch):
                optimizer.zero_grad()
                loss = nn.cross_entropy(model(Tensor(xb)), yb)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            model.eval()
            with am.no_grad():
                predicted = model(Tensor(X_test)).data.argmax(axis=1)
            lib_history.append((np.mean(losses), float(np.mean(predicted == y_test))))
            print(f"epoch {epoch + 1:2d}  loss {lib_history[-1][0]:.4f}  test accuracy {lib_history[-1][1]:.1%}")
        print(f"{time.perf_counter() - start:.1f} s")
        """
    ),
    code(
        """
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
        for hist, name in ((history, "numpy by hand"), (lib_history, "autograd_mlp")):
            hist = np.array(hist)
            epochs = np.arange(1, len(hist) + 1)
            ax1.plot(epochs, hist[:, 0], marker="o", label=name)
            ax2.plot(epochs, hist[:, 1], marker="o", label=name)
        ax1.set_xlabel("epoch"); ax1.set_ylabel("train loss"); ax1.legend(); ax1.grid(alpha=0.3)
        ax2.set_xlabel("epoch"); ax2.set_ylabel("test accuracy"); ax2.legend(); ax2.grid(alpha=0.3)
        plt.tight_layout(); plt.show()

        confusion = np.zeros((10, 10), int)
        np.add.at(confusion, (y_test, predicted), 1)
        wrong = np.flatnonzero(predicted != y_test)[:12]
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 1.6]})
        ax.imshow(confusion, cmap="Blues")
        for i in range(10):
            for j in range(10):
                ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=7,
                        color="white" if confusion[i, j] > confusion.max() / 2 else "black")
        ax.set_xlabel("predicted"); ax.set_ylabel("true"); ax.set_xticks(range(10)); ax.set_yticks(range(10))
        ax.set_title("confusion matrix (test)")
        # the first 12 mistakes side by side in one picture, 2 rows of 6
        mosaic = X_test[wrong].reshape(2, 6, 28, 28).transpose(0, 2, 1, 3).reshape(56, 168)
        ax2.imshow(mosaic, cmap="gray_r"); ax2.axis("off")
        ax2.set_title("mistakes (true -> predicted): " + ", ".join(f"{y_test[i]}->{predicted[i]}" for i in wrong), fontsize=8)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        글 001은 MNIST를 784 → 1568 → 10 망, `Adam(lr=0.01)`, 이미지 **한 장씩** 50,000번으로 학습해 70%를 얻었습니다.
        그 코드는 은닉층을 파이썬 리스트에 넣어 PyTorch가 등록하지 않으므로 그 층은 학습되지 않고, 활성 함수의 결과를 버립니다
        (`shared/seed-code/README.md`). 위의 미니배치 학습은 그와 다른 (그리고 더 나은) 방법입니다.
        """,
        """
        Post 001 trained a 784 → 1568 → 10 network with `Adam(lr=0.01)` on **single images**, 50,000 times, and got 70%.
        Its code keeps the hidden layer in a plain Python list, which PyTorch does not register, so that layer is
        never trained, and it drops the activation's result (`shared/seed-code/README.md`). The mini-batch training
        above is a different (and better) method.
        """,
    ),
    md(
        """
        ## 연습 문제

        1. `MyTanh`: `forward(x)`와 `backward(dz)`를 가진 tanh 층 클래스를 쓰세요 (Tensor의 tanh와 비교합니다).
        2. `MyLinear(n_in, n_out)`: 위 `Linear`처럼 `W`, `b`를 갖고 `backward`에서 `dW`, `db`를 저장하며 dx를 돌려주는 층을
           **보지 않고** 다시 써 보세요.
        3. 이 노트북의 망(784 → 128 → 64 → 10)의 학습되는 수(가중치 + 편향)는 모두 몇 개일까요? `answer_3`
        """,
        """
        ## Exercises

        1. `MyTanh`: write a tanh layer class with `forward(x)` and `backward(dz)` (compared with Tensor's tanh).
        2. `MyLinear(n_in, n_out)`: rewrite, **without looking**, a layer like `Linear` above that has `W` and `b`,
           stores `dW` and `db` in `backward` and returns dx.
        3. How many trained numbers (weights + biases) does this notebook's network (784 → 128 → 64 → 10) have? `answer_3`
        """,
    ),
    code(
        ko="""
        class MyTanh:
            def forward(self, x):
                ...  # 여기를 채우세요
            def backward(self, dz):
                ...

        class MyLinear:
            def __init__(self, n_in, n_out):
                self.W, self.b = np.zeros((n_in, n_out)), np.zeros(n_out)
            def forward(self, x):
                ...
            def backward(self, dz):
                ...

        answer_3 = None
        """,
        en="""
        class MyTanh:
            def forward(self, x):
                ...  # fill in
            def backward(self, dz):
                ...

        class MyLinear:
            def __init__(self, n_in, n_out):
                self.W, self.b = np.zeros((n_in, n_out)), np.zeros(n_out)
            def forward(self, x):
                ...
            def backward(self, dz):
                ...

        answer_3 = None
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        class SolutionTanh:
            def forward(self, x):
                self.out = np.tanh(x)
                return self.out
            def backward(self, dz):
                return dz * (1 - self.out**2)

        check(SolutionTanh, Linear, sum(p.data.size for p in model.parameters()))
        """,
        tags=("check-solution",),
    ),
]
