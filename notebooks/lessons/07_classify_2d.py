"""Lesson 7: 3-class 2-D classification, a linear model against an MLP, with scatter and region pictures (post 004)."""

from cells import code, md

CHECK_BODY = """
def accuracy_ok(accuracy):
    try:
        rng = np.random.default_rng(5)
        logits, labels = rng.normal(size=(50, 3)), rng.integers(0, 3, 50)
        return abs(float(accuracy(logits, labels)) - np.mean(logits.argmax(1) == labels)) < 1e-12
    except Exception:  # a half-written answer counts as not yet
        return False

def ce_grad_ok(ce_grad):
    try:
        rng = np.random.default_rng(6)
        for label in range(3):
            z0 = rng.normal(size=3)
            z = Tensor(z0.reshape(1, 3), requires_grad=True)
            nn.cross_entropy(z, np.array([label])).backward()
            if not np.allclose(np.asarray(ce_grad(z0, label), float).ravel(), np.asarray(z.grad).ravel(), atol=1e-10):
                return False
        return True
    except Exception:
        return False

def check(accuracy, ce_grad, answer_3):
    report("1 accuracy", accuracy_ok(accuracy), HINTS[0])
    report("2 ce_grad", ce_grad_ok(ce_grad), HINTS[1])
    report("3 accumulated batches", answer_3 == 3, HINTS[2])

check(accuracy, ce_grad, answer_3)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["logits.argmax(1) 와 labels 가 같은 비율", "softmax(z) - one_hot(label)", "zero_grad 이후 backward 가 몇 번 더해졌나"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["the fraction where logits.argmax(1) equals labels", "softmax(z) - one_hot(label)", "how many backward calls were added up since zero_grad"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 7. 2차원 분류: 선형 모델과 MLP

        따라가는 글: **"[Standalone DL] #8-9 - History of DL / MLP Basic"** (`shared/seeds/004_80f504c630c7af8d.txt`).
        글은 `LinearModel`과 `MLPModel(2, 200, 3)` (ReLU), `CrossEntropyLoss`, `SGD(lr=0.005)`로 세 부류의 2차원 점을
        분류하고, 참값/예측 산점도와 loss/정확도 곡선을 그립니다. 글은 데이터를 보여 주지 않으므로,
        `shared/seed-code/004_*.py`의 셀 004-0과 같은 데이터(세 중심 주위의 정규 분포 점들)를 씁니다.

        그 다음, 직선으로는 나눌 수 없는 나선(spiral) 데이터에서 두 모델을 비교합니다.
        """,
        """
        # 7. 2-D classification: a linear model and an MLP

        The post: **"[Standalone DL] #8-9 - History of DL / MLP Basic"** (`shared/seeds/004_80f504c630c7af8d.txt`).
        It classifies 2-D points of three classes with a `LinearModel` and an `MLPModel(2, 200, 3)` (ReLU),
        `CrossEntropyLoss` and `SGD(lr=0.005)`, and plots the true and predicted classes and the loss and
        accuracy curves. The post never shows its data, so we use the data of cell 004-0 in
        `shared/seed-code/004_*.py` (normal clouds around three centres).

        Then the two models meet spiral data, which no straight line can split.
        """,
    ),
    code(
        """
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        from autograd_mlp import Tensor, nn, optim
        from autograd_mlp.data import DataLoader

        am.manual_seed(0)
        rng = np.random.default_rng(0)
        centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])

        def make(n):
            y = rng.integers(0, 3, n)
            return (centers[y] + rng.normal(0, 0.9, (n, 2))).astype(np.float32), y

        train_X, train_y = make(300)
        val_X, val_y = make(60)
        test_X, test_y = make(60)

        def predict(model, X):
            with am.no_grad():
                return model(Tensor(np.asarray(X, np.float32))).data.argmax(1)
        """
    ),
    md(
        """
        ## 글의 학습 루프

        글의 루프에는 눈여겨볼 점이 있습니다: `optimizer.zero_grad()`를 epoch마다 **한 번**만 부르고, 그 안에서 배치(64개씩,
        다섯 개)마다 `backward()`와 `step()`을 합니다. gradient는 더해지므로 (03), epoch의 k번째 step은 그 epoch의 배치 1..k
        gradient의 **합**으로 움직입니다. 그대로 옮깁니다. 글은 4,000 epoch를 돌렸고 여기서는 150 epoch입니다.
        """,
        """
        ## The post's training loop

        The post's loop has a detail worth seeing: it calls `optimizer.zero_grad()` **once** per epoch, then
        `backward()` and `step()` for each batch (five batches of 64). Gradients add up (lesson 03), so the k-th
        step of an epoch moves by the **sum** of the gradients of batches 1..k of that epoch. We keep it as
        written. The post ran 4,000 epochs; here 150.
        """,
    ),
    code(
        """
        model = nn.Sequential(nn.Linear(2, 200, rng=rng), nn.ReLU(), nn.Linear(200, 3, rng=rng))   # MLPModel(2, 3, 200)
        optimizer = optim.SGD(model.parameters(), lr=0.005)
        cls_loss = nn.CrossEntropyLoss()
        train_loader = DataLoader(train_X, train_y, batch_size=64, shuffle=False)

        list_train_loss, list_val_loss, list_acc, list_acc_epoch = [], [], [], []
        for i in range(150):
            optimizer.zero_grad()                      # once per epoch, as in the post
            train_loss = 0.0
            for input_X, true_y in train_loader:
                loss = cls_loss(model(Tensor(input_X)), true_y)
                loss.backward()
                optimizer.step()
                train_loss += loss.item()
            list_train_loss.append(train_loss / len(train_loader))
            with am.no_grad():
                list_val_loss.append(cls_loss(model(Tensor(val_X)), val_y).item())
            if i % 30 == 0 or i == 149:
                acc = float(np.mean(predict(model, test_X) == test_y))
                list_acc.append(acc); list_acc_epoch.append(i)
                print(f"Epoch: {i:3d}  Accuracy: {acc * 100:.1f} %")
        """
    ),
    code(
        """
        pred_y = predict(model, test_X)
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
        for ax, (X, c, title) in zip(axes, [(test_X, test_y, "True test y"), (test_X, pred_y, "Predicted test y"),
                                            (train_X, predict(model, train_X), "Prediction on train set")]):
            ax.scatter(X[:, 0], X[:, 1], c=c, cmap="viridis", s=14)
            ax.set_xlabel("x1"); ax.set_ylabel("x2"); ax.set_title(title)
        plt.tight_layout(); plt.show()

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
        ax1.plot(list_train_loss, label="train_loss"); ax1.plot(list_val_loss, "--", label="val_loss")
        ax1.set_xlabel("epoch"); ax1.set_ylabel("loss"); ax1.grid(); ax1.legend(); ax1.set_title("epoch vs loss")
        ax2.plot(list_acc_epoch, list_acc, marker="x", label="Accuracy metric")
        ax2.set_xlabel("epoch"); ax2.set_ylabel("Acc"); ax2.grid(); ax2.legend(); ax2.set_title("epoch vs Accuracy")
        plt.tight_layout(); plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 직선으로 나눌 수 없는 데이터: 나선

        세 덩어리 데이터는 직선 몇 개로 거의 나뉘므로 선형 모델도 잘합니다. 나선 데이터(`am.data.make_spirals`)에서는
        다릅니다. 선형 모델(`Linear(2, 3)`, 소프트맥스 회귀)의 결정 경계는 직선이고, MLP는 굽은 경계를 만듭니다.
        여기서는 배치마다 `zero_grad()`를 부르는 보통의 루프와 lr = 0.5를 씁니다.
        """,
        """
        ## Data no line can split: spirals

        The three clouds are almost split by a few straight lines, so a linear model does well on them. Spirals
        (`am.data.make_spirals`) are different. A linear model (`Linear(2, 3)`, softmax regression) has straight
        decision boundaries; the MLP bends them. Here we use the usual loop, `zero_grad()` for every batch, with lr = 0.5.
        """,
    ),
    code(
        """
        X, y = am.data.make_spirals(300, classes=3, noise=0.2, seed=0)
        (sx, sy), (tx, ty) = am.data.train_test_split(X.astype(np.float32), y, test_fraction=0.3, seed=0)

        def fit(model, epochs=100, lr=0.5):
            optimizer = optim.SGD(model.parameters(), lr=lr)
            for epoch in range(epochs):
                for xb, yb in DataLoader(sx, sy, batch_size=64, shuffle=True, seed=epoch):
                    optimizer.zero_grad()
                    nn.cross_entropy(model(Tensor(xb)), yb).backward()
                    optimizer.step()
            return model

        models = {"linear 2-3": fit(nn.Linear(2, 3, rng=0)),
                  "MLP 2-200-3": fit(nn.sequential_mlp([2, 200, 3], "relu", rng=0))}

        g = np.linspace(-1.3, 1.3, 120, dtype=np.float32)
        gx, gy = np.meshgrid(g, g)
        fig, axes = plt.subplots(1, 2, figsize=(9, 4))
        for ax, (name, m) in zip(axes, models.items()):
            regions = predict(m, np.stack([gx.ravel(), gy.ravel()], 1)).reshape(gx.shape)
            ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap="viridis", alpha=0.25)
            ax.scatter(tx[:, 0], tx[:, 1], c=ty, cmap="viridis", s=14, edgecolors="k", linewidths=0.3)
            acc = float(np.mean(predict(m, tx) == ty))
            ax.set_title(f"{name}: test accuracy {acc:.0%}")
            print(f"{name:12} test accuracy {acc:.1%}")
        plt.tight_layout(); plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 연습 문제

        1. `accuracy(logits, labels)`: 점수(N, 3)와 정답(N,)으로 정확도(0~1)를 numpy로 계산하세요 (글은 sklearn의 `accuracy_score`를 썼습니다).
        2. `ce_grad(z, label)`: 점수 벡터 z(길이 3) 하나의 교차 엔트로피 −log softmax(z)[label] 를 z로 미분한 값
           (`nn.cross_entropy`의 backward와 비교합니다).
        3. 글의 루프에서 (zero_grad는 epoch마다 한 번, 배치 다섯 개) 한 epoch의 **세 번째** step이 쓰는 gradient는 배치 몇 개의 gradient의 합일까요? `answer_3`
        """,
        """
        ## Exercises

        1. `accuracy(logits, labels)`: the accuracy (0 to 1) from scores (N, 3) and labels (N,), in numpy (the post used sklearn's `accuracy_score`).
        2. `ce_grad(z, label)`: the derivative by z of the cross-entropy −log softmax(z)[label] of one score vector z
           (length 3), compared with `nn.cross_entropy`'s backward.
        3. In the post's loop (zero_grad once per epoch, five batches), the **third** step of an epoch uses the sum of
           how many batches' gradients? `answer_3`
        """,
    ),
    code(
        ko="""
        def accuracy(logits, labels):
            ...  # 여기를 채우세요

        def ce_grad(z, label):
            ...

        answer_3 = None
        """,
        en="""
        def accuracy(logits, labels):
            ...  # fill in

        def ce_grad(z, label):
            ...

        answer_3 = None
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_accuracy(logits, labels):
            return np.mean(np.argmax(logits, axis=1) == labels)

        def solution_ce_grad(z, label):
            p = np.exp(z - z.max())
            p /= p.sum()
            p[label] -= 1.0
            return p

        check(solution_accuracy, solution_ce_grad, 3)
        """,
        tags=("check-solution",),
    ),
]
