"""Lesson 2: the chain rule by hand, then a tiny Value of our own, checked against autograd_mlp.Value."""

from cells import code, md

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")
"""
CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")
"""

CHECK_BODY = """
def grads_of(make, lib):
    # the gradient of make(...) w.r.t. its inputs, in Tiny or in autograd_mlp.Value
    xs = [lib(v) for v in (0.7, -1.3)]
    make(*xs).backward()
    return [x.grad for x in xs]

def same_as_library(tiny_op, library_op):
    try:
        for a, b in [(0.7, -1.3), (-0.4, 2.0), (1.5, 0.2)]:
            tiny = [Tiny(a), Tiny(b)]
            lib = [am.Value(a), am.Value(b)]
            out_t = tiny_op(tiny[0] * tiny[1] + tiny[0])
            out_l = library_op(lib[0] * lib[1] + lib[0])
            out_t.backward()
            out_l.backward()
            if abs(out_t.data - out_l.data) > 1e-12:
                return False
            if any(abs(t.grad - v.grad) > 1e-12 for t, v in zip(tiny, lib)):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def hand_rule_ok(dL_dw):
    try:
        for w, x, b, t in [(0.5, 1.0, -0.2, 0.3), (-1.2, 0.7, 0.4, -0.5), (2.0, -0.3, 0.1, 1.0)]:
            W = am.Value(w)
            L = ((W * x + b).tanh() - t) ** 2
            L.backward()
            if abs(float(dL_dw(w, x, b, t)) - W.grad) > 1e-10:
                return False
        return True
    except Exception:
        return False
"""


def _check(lang: str) -> str:
    hints = {
        "ko": ("relu: 입력 > 0 이면 국소 미분 1, 아니면 0", "dL/dw = 2(y - t)(1 - y^2) x", "sigmoid: s(1 - s)"),
        "en": ("relu: local derivative 1 where the input > 0, else 0", "dL/dw = 2(y - t)(1 - y^2) x", "sigmoid: s(1 - s)"),
    }[lang]
    return (CHECK_KO if lang == "ko" else CHECK_EN) + CHECK_BODY + f"""
def check(tiny_relu, dL_dw, tiny_sigmoid):
    report("1 tiny_relu", same_as_library(tiny_relu, lambda v: v.relu()), "{hints[0]}")
    report("2 dL_dw", hand_rule_ok(dL_dw), "{hints[1]}")
    report("3 tiny_sigmoid", same_as_library(tiny_sigmoid, lambda v: v.sigmoid()), "{hints[2]}")

check(tiny_relu, dL_dw, tiny_sigmoid)
"""


CELLS = [
    md(
        """
        # 2. 연쇄 법칙, 그리고 나만의 작은 Value

        01에서는 미분을 *재었습니다*. 이번에는 *계산합니다*. 복잡한 식도 작은 연산(곱하기, 더하기, tanh...)의
        연결이고, 각 연산의 미분은 간단합니다. 그 작은 미분들을 곱해 나가는 것이 **연쇄 법칙**이고,
        이것을 자동으로 해 주는 것이 autograd(자동 미분)입니다.

        1. 연쇄 법칙을 손으로 적용하고 수치 미분과 비교하기
        2. 수십 줄짜리 `Tiny` 값 클래스를 직접 만들기
        3. 그 결과를 `autograd_mlp.Value`와 비교하기
        """,
        """
        # 2. The chain rule, and a tiny Value of your own

        In lesson 01 we *measured* derivatives. Now we *compute* them. Any formula is a chain of small
        operations (multiply, add, tanh, ...), each with a simple derivative. Multiplying those small
        derivatives along the chain is the **chain rule**, and doing it automatically is autograd.

        1. apply the chain rule by hand and compare with the numeric derivative
        2. build a `Tiny` value class in a few dozen lines
        3. compare it with `autograd_mlp.Value`
        """,
    ),
    code(
        """
        import math
        import numpy as np
        import autograd_mlp as am

        def central_difference(fn, x, h=1e-6):
            return (fn(x + h) - fn(x - h)) / (2 * h)
        """
    ),
    md(
        """
        ## 연쇄 법칙을 손으로

        뉴런 하나: n = w·x + b, y = tanh(n). y가 x에 얼마나 민감한지는 두 단계를 곱하면 됩니다.

        dy/dx = dy/dn · dn/dx = (1 − tanh²(n)) · w

        x = 0.5, w = −1.5, b = 0.8에서 손으로 구한 값과 수치 미분을 비교합니다.
        """,
        """
        ## The chain rule by hand

        One neuron: n = w·x + b, y = tanh(n). How sensitive y is to x is the product of the two steps:

        dy/dx = dy/dn · dn/dx = (1 − tanh²(n)) · w

        At x = 0.5, w = −1.5, b = 0.8, the hand-derived value against the numeric derivative:
        """,
    ),
    code(
        """
        w, b = -1.5, 0.8
        x = 0.5

        def neuron(x):
            return math.tanh(w * x + b)

        n = w * x + b
        by_hand = (1 - math.tanh(n) ** 2) * w
        print(f"chain rule: {by_hand:.10f}")
        print(f"numeric:    {central_difference(neuron, x):.10f}")
        """
    ),
    md(
        """
        그림으로: tanh의 n에서의 접선의 기울기가 1 − tanh²(n) 입니다 (n = w·x + b = 0.05).
        x가 1 움직이면 n은 w = −1.5 만큼 움직이므로, y의 기울기는 그 둘의 곱입니다.
        """,
        """
        In a picture: the tangent of tanh at n has slope 1 − tanh²(n) (here n = w·x + b = 0.05). When x moves
        by 1, n moves by w = −1.5, so y's slope is the product of the two.
        """,
    ),
    code(
        """
        import matplotlib.pyplot as plt

        ns = np.linspace(-3, 3, 121)
        slope_n = 1 - math.tanh(n) ** 2
        plt.figure(figsize=(5, 3))
        plt.plot(ns, np.tanh(ns), label="tanh(n)")
        plt.plot(ns, 1 - np.tanh(ns) ** 2, label="d tanh/dn = 1 - tanh(n)^2")
        plt.plot(ns, math.tanh(n) + slope_n * (ns - n), "k--", lw=1, label=f"tangent at n = {n:.2f}, slope {slope_n:.3f}")
        plt.ylim(-1.5, 1.5); plt.xlabel("n"); plt.legend(fontsize=8); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        하나 더 길게: 목표값 t에 대한 제곱 오차 L = (y − t)². 이번에는 w에 대한 미분입니다.
        고리가 하나 늘 때마다 곱할 항이 하나 늘어납니다.

        dL/dw = dL/dy · dy/dn · dn/dw = 2(y − t) · (1 − y²) · x
        """,
        """
        One link longer: the squared error against a target t, L = (y − t)², differentiated by w this
        time. Each extra link in the chain adds one factor:

        dL/dw = dL/dy · dy/dn · dn/dw = 2(y − t) · (1 − y²) · x
        """,
    ),
    code(
        """
        t = 0.25

        def loss_of_w(w):
            return (math.tanh(w * x + b) - t) ** 2

        y = math.tanh(w * x + b)
        print(f"chain rule: {2 * (y - t) * (1 - y**2) * x:.10f}")
        print(f"numeric:    {central_difference(loss_of_w, w):.10f}")
        """
    ),
    md(
        """
        ## 나만의 작은 Value

        손으로 하던 일을 기계에 맡깁니다. 아이디어는 두 가지뿐입니다.

        1. **앞으로(forward)** 계산할 때, 결과 값은 자신을 만든 입력들(`parents`)과 각 입력에 대한
           **국소 미분**(`local`: 이 연산만의 미분)을 기억합니다. 곱하기 a·b라면 (b, a), tanh라면 1 − tanh².
        2. **뒤로(backward)**: 출력의 grad를 1로 두고, 출력에서 입력 쪽으로 가면서
           `parent.grad += node.grad * local` 을 합니다. 이것이 연쇄 법칙 그 자체입니다.
           `+=`인 이유: 한 값이 여러 곳에 쓰이면 모든 경로의 기여를 더해야 하기 때문입니다 (03에서 자세히).

        순서가 중요합니다. 어떤 값의 grad를 부모에게 넘기기 전에, 그 값을 쓰는 **모든** 곳에서 grad가 다 모여야 합니다.
        그래서 그래프를 위상 정렬(topological order)로 방문합니다. 재귀 대신 명시적 스택을 써서 아주 깊은 그래프에서도 동작합니다.
        """,
        """
        ## A tiny Value of your own

        Now let the machine do what we did by hand. There are only two ideas:

        1. **Forward**: a result remembers the inputs it was made from (`parents`) and its **local
           derivative** toward each (`local`: the derivative of this one operation). For a·b that is
           (b, a); for tanh it is 1 − tanh².
        2. **Backward**: set the output's grad to 1 and, walking from the output towards the inputs, do
           `parent.grad += node.grad * local`. That line *is* the chain rule. It is `+=` because a value
           used in several places collects the contributions of every path (more in lesson 03).

        Order matters: before a value passes its grad to its parents, **every** place that uses it must
        have added its share. So the walk follows a topological order, found here with an explicit stack
        instead of recursion, so very deep graphs work too.
        """,
    ),
    code(
        ko="""
        class Tiny:
            \"\"\"값 하나와, 그것을 만든 입력들, 각 입력 방향의 국소 미분.\"\"\"

            def __init__(self, data, parents=(), local=(), op=""):
                self.data = float(data)
                self.grad = 0.0
                self.parents = parents  # 이 값을 만든 입력들
                self.local = local      # 입력마다 d(self)/d(입력): 앞으로 계산할 때 구해 둔다
                self.op = op

            def __add__(self, other):
                other = other if isinstance(other, Tiny) else Tiny(other)
                return Tiny(self.data + other.data, (self, other), (1.0, 1.0), "+")

            def __mul__(self, other):
                other = other if isinstance(other, Tiny) else Tiny(other)
                return Tiny(self.data * other.data, (self, other), (other.data, self.data), "*")

            __radd__ = __add__
            __rmul__ = __mul__

            def __neg__(self):
                return self * -1.0

            def __sub__(self, other):
                return self + (-other)

            def __pow__(self, n):  # n은 보통 수
                return Tiny(self.data**n, (self,), (n * self.data ** (n - 1),), f"**{n}")

            def tanh(self):
                t = math.tanh(self.data)
                return Tiny(t, (self,), (1.0 - t * t,), "tanh")

            def exp(self):
                e = math.exp(self.data)
                return Tiny(e, (self,), (e,), "exp")

            def backward(self):
                # 위상 정렬: 입력이 그것을 쓰는 값보다 먼저 오도록 (재귀 없이, 스택으로)
                order, seen, stack = [], set(), [(self, False)]
                while stack:
                    node, finished = stack.pop()
                    if finished:
                        order.append(node)
                    elif id(node) not in seen:
                        seen.add(id(node))
                        stack.append((node, True))
                        stack.extend((p, False) for p in node.parents)
                self.grad = 1.0
                for node in reversed(order):  # 출력에서 입력 쪽으로
                    for parent, local in zip(node.parents, node.local):
                        parent.grad += node.grad * local  # 연쇄 법칙

            def __repr__(self):
                return f"Tiny(data={self.data:.6g}, grad={self.grad:.6g})"
        """,
        en="""
        class Tiny:
            \"\"\"A number, the inputs it was made from, and the local derivative toward each.\"\"\"

            def __init__(self, data, parents=(), local=(), op=""):
                self.data = float(data)
                self.grad = 0.0
                self.parents = parents  # the inputs this value was made from
                self.local = local      # d(self)/d(input) for each input, computed in the forward pass
                self.op = op

            def __add__(self, other):
                other = other if isinstance(other, Tiny) else Tiny(other)
                return Tiny(self.data + other.data, (self, other), (1.0, 1.0), "+")

            def __mul__(self, other):
                other = other if isinstance(other, Tiny) else Tiny(other)
                return Tiny(self.data * other.data, (self, other), (other.data, self.data), "*")

            __radd__ = __add__
            __rmul__ = __mul__

            def __neg__(self):
                return self * -1.0

            def __sub__(self, other):
                return self + (-other)

            def __pow__(self, n):  # n is a plain number
                return Tiny(self.data**n, (self,), (n * self.data ** (n - 1),), f"**{n}")

            def tanh(self):
                t = math.tanh(self.data)
                return Tiny(t, (self,), (1.0 - t * t,), "tanh")

            def exp(self):
                e = math.exp(self.data)
                return Tiny(e, (self,), (e,), "exp")

            def backward(self):
                # topological order: inputs before the values that use them (a stack, no recursion)
                order, seen, stack = [], set(), [(self, False)]
                while stack:
                    node, finished = stack.pop()
                    if finished:
                        order.append(node)
                    elif id(node) not in seen:
                        seen.add(id(node))
                        stack.append((node, True))
                        stack.extend((p, False) for p in node.parents)
                self.grad = 1.0
                for node in reversed(order):  # from the output towards the inputs
                    for parent, local in zip(node.parents, node.local):
                        parent.grad += node.grad * local  # the chain rule

            def __repr__(self):
                return f"Tiny(data={self.data:.6g}, grad={self.grad:.6g})"
        """,
    ),
    md(
        """
        위의 손 계산을 `Tiny`로 다시 합니다. 같은 숫자가 나와야 합니다.
        """,
        """
        The hand computation above, redone with `Tiny`. The numbers must be the same.
        """,
    ),
    code(
        """
        W = Tiny(w)
        L = ((W * x + b).tanh() - t) ** 2
        L.backward()
        print("Tiny:       dL/dw =", f"{W.grad:.10f}")
        print("chain rule: dL/dw =", f"{2 * (y - t) * (1 - y**2) * x:.10f}")
        """
    ),
    md(
        """
        ## autograd_mlp.Value와 비교

        micrograd 강의의 뉴런 o = tanh(x1·w1 + x2·w2 + b)를 `Tiny`와 `autograd_mlp.Value`로 각각 계산합니다.
        `Value`는 같은 생각을 더 꼼꼼하게 구현한 것입니다 (더 많은 연산, 2차 미분, 텐서와 같은 그래프 엔진).
        """,
        """
        ## Compared with autograd_mlp.Value

        micrograd's lecture neuron o = tanh(x1·w1 + x2·w2 + b), computed with `Tiny` and with
        `autograd_mlp.Value`. `Value` is the same idea done thoroughly (more operations, second
        derivatives, one graph engine shared with tensors).
        """,
    ),
    code(
        """
        inputs = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}

        def neuron_out(v):
            return (v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]).tanh()

        tiny = {k: Tiny(val) for k, val in inputs.items()}
        lib = {k: am.Value(val, label=k) for k, val in inputs.items()}
        neuron_out(tiny).backward()
        neuron_out(lib).backward()
        print(f"{'':4} {'Tiny':>10} {'Value':>10}")
        for k in inputs:
            print(f"{k:4} {tiny[k].grad:10.6f} {lib[k].grad:10.6f}")
        print("largest difference:", max(abs(tiny[k].grad - lib[k].grad) for k in inputs))
        """
    ),
    md(
        """
        한 값을 여러 번 쓰는 식도 확인합니다: f(a, b) = (a·b + a)·a + exp(b). ∂f/∂a = 2ab + 2a, ∂f/∂b = a² + e^b.
        """,
        """
        An expression that uses a value several times: f(a, b) = (a·b + a)·a + exp(b), where
        ∂f/∂a = 2ab + 2a and ∂f/∂b = a² + e^b.
        """,
    ),
    code(
        """
        a_t, b_t = Tiny(1.5), Tiny(-0.5)
        ((a_t * b_t + a_t) * a_t + b_t.exp()).backward()
        a_v, b_v = am.Value(1.5), am.Value(-0.5)
        ((a_v * b_v + a_v) * a_v + b_v.exp()).backward()
        print("Tiny :", a_t.grad, b_t.grad)
        print("Value:", a_v.grad, b_v.grad)
        print("hand :", 2 * 1.5 * -0.5 + 2 * 1.5, 1.5**2 + math.exp(-0.5))
        """
    ),
    md(
        """
        ## 연습 문제

        1. `tiny_relu(v)`: `Tiny` 값 v의 relu (max(0, v))를 돌려주는 함수를 쓰세요. 국소 미분은 v > 0이면 1, 아니면 0.
           (`Tiny(값, (v,), (국소미분,), "relu")` 꼴)
        2. `dL_dw(w, x, b, t)`: L = (tanh(w·x + b) − t)²의 w에 대한 미분을 **손으로 유도한 식**으로 돌려주세요.
           (검사는 `autograd_mlp.Value`의 backward와 비교합니다)
        3. `tiny_sigmoid(v)`: σ(v) = 1/(1 + e^(−v)), 국소 미분 σ(1 − σ).
        """,
        """
        ## Exercises

        1. `tiny_relu(v)`: return the relu (max(0, v)) of a `Tiny` v. Its local derivative is 1 where v > 0,
           else 0 (of the form `Tiny(value, (v,), (local,), "relu")`).
        2. `dL_dw(w, x, b, t)`: return the derivative by w of L = (tanh(w·x + b) − t)², from the formula you
           **derive by hand** (the check compares it with `autograd_mlp.Value`'s backward).
        3. `tiny_sigmoid(v)`: σ(v) = 1/(1 + e^(−v)), local derivative σ(1 − σ).
        """,
    ),
    code(
        ko="""
        def tiny_relu(v):
            ...  # 여기를 채우세요

        def dL_dw(w, x, b, t):
            ...

        def tiny_sigmoid(v):
            ...
        """,
        en="""
        def tiny_relu(v):
            ...  # fill in

        def dL_dw(w, x, b, t):
            ...

        def tiny_sigmoid(v):
            ...
        """,
    ),
    code(ko=_check("ko"), en=_check("en"), tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_relu(v):
            return Tiny(max(0.0, v.data), (v,), (1.0 if v.data > 0 else 0.0,), "relu")

        def solution_dL_dw(w, x, b, t):
            y = math.tanh(w * x + b)
            return 2 * (y - t) * (1 - y**2) * x

        def solution_sigmoid(v):
            s = 1.0 / (1.0 + math.exp(-v.data))
            return Tiny(s, (v,), (s * (1.0 - s),), "sigmoid")

        check(solution_relu, solution_dL_dw, solution_sigmoid)
        """,
        tags=("check-solution",),
    ),
]
