"""Lesson 3: backward() on autograd_mlp.Value, accumulation, the graph picture and a step-through of backward."""

from cells import code, md

CHECK_BODY = """
def close(value, target, tol=1e-9):
    try:
        return value is not None and abs(float(value) - target) <= tol
    except (TypeError, ValueError):
        return False

def grad_rule_ok(grad_by_hand):
    try:
        for a0, b0 in [(0.3, -0.8), (-1.1, 0.4), (0.9, 1.7)]:
            a, b = am.Value(a0), am.Value(b0)
            ((a * b).tanh() + a * a).backward()
            da, db = grad_by_hand(a0, b0)
            if not (close(da, a.grad) and close(db, b.grad)):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def check(answer_1, grad_by_hand, answer_3):
    x = am.Value(3.0)
    (x * x * x + 2 * x).backward()
    report("1 x.grad", close(answer_1, x.grad), HINTS[0])
    report("2 grad_by_hand", grad_rule_ok(grad_by_hand), HINTS[1])
    x = am.Value(4.0)
    y = x**2
    y.backward()
    y.backward()
    report("3 twice", close(answer_3, x.grad), HINTS[2])

check(answer_1, grad_by_hand, answer_3)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["3x^2 + 2 를 x = 3 에서", "t = tanh(ab): (b(1 - t^2) + 2a, a(1 - t^2))", "잎 노드는 backward 마다 더해진다: 2x 가 두 번"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["3x^2 + 2 at x = 3", "t = tanh(ab): (b(1 - t^2) + 2a, a(1 - t^2))", "a leaf adds up every backward: 2x twice"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 3. backward()와 계산 그래프

        02에서 만든 `Tiny`와 같은 일을 `autograd_mlp.Value`가 합니다. 이번에는 그 안을 **그림으로** 봅니다.

        - 계산 그래프: 값(상자)과 연산(타원)
        - 한 값이 두 번 쓰이면 gradient가 **더해진다** (accumulation)
        - backward를 두 번 부르면? `zero_grad()`와 `no_grad()`
        - backward가 그래프를 한 노드씩 채워 가는 모습을 한 단계씩 보기
        """,
        """
        # 3. backward() and the computation graph

        `autograd_mlp.Value` does what our `Tiny` of lesson 02 did. This time we look inside, **in pictures**.

        - the computation graph: values (boxes) and operations (ovals)
        - a value used twice gets its gradients **added** (accumulation)
        - calling backward twice? `zero_grad()` and `no_grad()`
        - backward filling in the graph one node at a time, step by step
        """,
    ),
    code(
        """
        import autograd_mlp as am
        from autograd_mlp import Value, viz
        from IPython.display import display

        x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
        w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
        b = Value(6.8813735870195432, label="b")
        x1w1 = x1 * w1; x1w1.label = "x1*w1"
        x2w2 = x2 * w2; x2w2.label = "x2*w2"
        s = x1w1 + x2w2; s.label = "x1w1+x2w2"
        n = s + b; n.label = "n"
        o = n.tanh(); o.label = "o"
        o.backward()
        viz.draw_dot(o)
        """,
        tags=("image",),
    ),
    md(
        """
        상자마다 `이름 | data | grad`, 타원은 그 오른쪽 값을 만든 연산입니다. grad를 **오른쪽에서 왼쪽으로** 읽으면
        역전파가 보입니다: o의 grad는 1, n의 grad는 1 − o² = 0.5, `+`는 grad를 그대로 나눠 주고,
        `*`는 상대편 값을 곱해 줍니다 (w1의 grad = 0.5 · x1 = 1.0, x1의 grad = 0.5 · w1 = −1.5).
        """,
        """
        Each box is `label | data | grad`; each oval the operation that made the value to its right. Read the
        grads **from right to left** and you see backpropagation: o's grad is 1, n's is 1 − o² = 0.5, `+` hands
        its grad on unchanged, and `*` multiplies it by the other factor (w1's grad = 0.5 · x1 = 1.0, x1's
        grad = 0.5 · w1 = −1.5).
        """,
    ),
    md(
        """
        ## backward를 한 단계씩

        backward는 노드를 **위상 순서**로 방문합니다: 출력이 먼저, 어떤 노드는 그것을 쓰는 모든 노드 다음에.
        방문하는 순간 그 노드의 gradient는 완성되어 있고, 그것을 입력들에게 넘깁니다.
        아래 그림들은 방문 한 번에 한 장씩이며, 지금 방문하는 노드에는 ▶ 표시가 있습니다 (아직 방문하지 않은 노드의 grad는 0으로 보입니다).
        """,
        """
        ## backward, one step at a time

        backward visits the nodes in **topological order**: the output first, and every node after all the
        nodes that use it. When a node is visited its gradient is complete, and it passes it on to its inputs.
        One picture per visit below; the node being visited is marked ▶ (nodes not visited yet show grad 0).
        """,
    ),
    code(
        ko="""
        def backward_frames(root):
            \"\"\"backward가 노드 하나를 방문할 때마다 그림 한 장: 방문한 노드까지 gradient가 채워진 모습.\"\"\"
            order = am.topological_order(root)  # backward가 방문하는 순서 (출력 먼저)
            root.backward()
            final = [node.grad for node in order]
            frames = []
            for k, current in enumerate(order):
                for i, node in enumerate(order):
                    node.grad = final[i] if i <= k else 0.0
                label = current.label
                current.label = "▶ " + (label or current.op or "?")
                frames.append(viz.draw_dot(root, graph_attr={"label": f"step {k + 1}/{len(order)}", "labelloc": "t"}))
                current.label = label
            for node, g in zip(order, final):
                node.grad = g
            return frames

        def neuron():
            x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
            w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
            b = Value(6.8813735870195432, label="b")
            n = x1 * w1 + x2 * w2 + b
            n.label = "n"
            o = n.tanh()
            o.label = "o"
            return o

        # 라이브러리에 viz.backward_steps가 있으면 그것을, 없으면 위의 함수를 씁니다
        frames = viz.backward_steps(neuron()) if hasattr(viz, "backward_steps") else backward_frames(neuron())
        print(len(frames), "frames")
        for frame in frames:
            display(frame)
        """,
        en="""
        def backward_frames(root):
            \"\"\"One picture per node backward visits: the gradients filled in up to that node.\"\"\"
            order = am.topological_order(root)  # the order backward visits (output first)
            root.backward()
            final = [node.grad for node in order]
            frames = []
            for k, current in enumerate(order):
                for i, node in enumerate(order):
                    node.grad = final[i] if i <= k else 0.0
                label = current.label
                current.label = "▶ " + (label or current.op or "?")
                frames.append(viz.draw_dot(root, graph_attr={"label": f"step {k + 1}/{len(order)}", "labelloc": "t"}))
                current.label = label
            for node, g in zip(order, final):
                node.grad = g
            return frames

        def neuron():
            x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
            w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
            b = Value(6.8813735870195432, label="b")
            n = x1 * w1 + x2 * w2 + b
            n.label = "n"
            o = n.tanh()
            o.label = "o"
            return o

        # the library's viz.backward_steps where it has one, else the function above
        frames = viz.backward_steps(neuron()) if hasattr(viz, "backward_steps") else backward_frames(neuron())
        print(len(frames), "frames")
        for frame in frames:
            display(frame)
        """,
        tags=("image",),
    ),
    md(
        """
        ## 한 값을 두 번 쓰면: gradient를 더한다

        z = x·x + x 에서 x는 세 군데(곱하기의 양쪽, 더하기)에 쓰입니다. 다변수 연쇄 법칙에 따라 x의 gradient는
        **모든 경로의 합**입니다: y = x·x를 거쳐 2x = 6, 직접 1, 합해서 7. 그래서 backward는 gradient를
        덮어쓰지 않고 **더합니다** (`Tiny`의 `+=`).
        """,
        """
        ## A value used twice: gradients add up

        In z = x·x + x, x is used in three places (both sides of the product, and the sum). By the
        multivariable chain rule its gradient is **the sum over all paths**: 2x = 6 through y = x·x, plus 1
        directly, 7 in all. That is why backward **adds** into a gradient instead of overwriting it
        (the `+=` in `Tiny`).
        """,
    ),
    code(
        """
        x = Value(3.0, label="x")
        y = x * x; y.label = "y"
        z = y + x; z.label = "z"
        z.backward()
        print("x.grad =", x.grad, "  (2x + 1 =", 2 * 3 + 1, ")")
        viz.draw_dot(z)
        """,
        tags=("image",),
    ),
    md(
        """
        ## backward를 두 번 부르면

        PyTorch와 같은 규칙입니다: **잎 노드**(입력, 가중치)의 grad는 backward마다 **누적**되고, 중간 노드는 매번
        새로 계산됩니다. 여러 미니배치의 gradient를 모을 때 쓸모 있고, 그래서 학습 루프는 매 단계 `zero_grad()`를 부릅니다.
        """,
        """
        ## Calling backward twice

        The rule is PyTorch's: a **leaf**'s grad (an input, a weight) **accumulates** over backward calls, while
        intermediate nodes are recomputed each time. That lets you add up several mini-batches' gradients,
        and it is why every training loop calls `zero_grad()` each step.
        """,
    ),
    code(
        """
        x = Value(3.0, label="x")
        y = x * x * x
        y.backward(); print("after one backward:  ", x.grad)
        y.backward(); print("after two backwards: ", x.grad)
        x.zero_grad()
        y.backward(); print("zero_grad, then one: ", x.grad)
        """
    ),
    md(
        """
        ## no_grad: 기록하지 않기

        가중치를 손으로 갱신할 때(w ← w − lr · grad)나 평가할 때는 그래프가 필요 없습니다. `am.no_grad()` 안의
        계산은 부모를 기록하지 않습니다.
        """,
        """
        ## no_grad: record nothing

        A hand-written weight update (w ← w − lr · grad) or an evaluation needs no graph. Computations inside
        `am.no_grad()` record no parents.
        """,
    ),
    code(
        """
        w = Value(0.5, label="w")
        loss = (w * 4.0 - 1.0) ** 2
        loss.backward()
        with am.no_grad():
            w_next = w - 0.1 * w.grad
        print(w_next, "parents:", w_next.parents)
        """
    ),
    md(
        """
        ## 같은 그림, 텐서로

        `Tensor`는 숫자 하나가 아니라 numpy 배열 하나가 노드입니다. 아래는 작은 MLP 한 단계의 그래프로, 상자 하나가 배열 전체입니다.
        """,
        """
        ## The same picture with tensors

        With `Tensor`, a node is a whole numpy array instead of one number. Below, one step of a small MLP:
        each box is an entire array.
        """,
    ),
    code(
        """
        import numpy as np
        from autograd_mlp import Tensor, nn

        am.manual_seed(0)
        model = nn.sequential_mlp([4, 8, 3], rng=0)
        xb = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32))
        loss = nn.cross_entropy(model(xb), np.array([0, 1, 2, 1, 0]))
        loss.backward()
        viz.draw_dot(loss)
        """,
        tags=("image",),
    ),
    md(
        """
        ## 연습 문제

        1. z = x·x·x + 2·x, x = 3일 때 `z.backward()` 후 x.grad는? 손으로 계산해 `answer_1`에.
        2. `grad_by_hand(a, b)`: f(a, b) = tanh(a·b) + a·a 의 (∂f/∂a, ∂f/∂b)를 손으로 유도한 식으로 돌려주세요.
        3. x = 4, y = x**2 에서 `zero_grad` 없이 `y.backward()`를 두 번 부르면 x.grad는? (`answer_3`)
        """,
        """
        ## Exercises

        1. With z = x·x·x + 2·x at x = 3, what is x.grad after `z.backward()`? Work it out by hand: `answer_1`.
        2. `grad_by_hand(a, b)`: return (∂f/∂a, ∂f/∂b) of f(a, b) = tanh(a·b) + a·a from the formula you derive.
        3. With x = 4 and y = x**2, what is x.grad after calling `y.backward()` twice without `zero_grad`? (`answer_3`)
        """,
    ),
    code(
        ko="""
        answer_1 = None

        def grad_by_hand(a, b):
            ...  # (df/da, df/db) 를 돌려주세요

        answer_3 = None
        """,
        en="""
        answer_1 = None

        def grad_by_hand(a, b):
            ...  # return (df/da, df/db)

        answer_3 = None
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        import math

        def solution_grad(a, b):
            t = math.tanh(a * b)
            return b * (1 - t * t) + 2 * a, a * (1 - t * t)

        check(3 * 3**2 + 2, solution_grad, 2 * (2 * 4.0))
        """,
        tags=("check-solution",),
    ),
]
