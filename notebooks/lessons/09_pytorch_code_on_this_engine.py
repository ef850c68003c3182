"""Lesson 9: the posts' own PyTorch code (post 000, XOR) running on this engine, then a look inside it."""

from cells import code, md

CHECK_BODY = """
import math

def close(value, target, tol):
    try:
        return value is not None and abs(float(value) - target) <= tol
    except (TypeError, ValueError):
        return False

def sigmoid_rule_ok(sigmoid_backward):
    try:
        for x0, g0 in [(0.3, 1.0), (-2.0, 0.5), (4.0, -3.0)]:
            x = am.Value(x0)
            (g0 * x.sigmoid()).backward()
            out = 1 / (1 + math.exp(-x0))
            if not close(sigmoid_backward(g0, out), x.grad, 1e-9):
                return False
        return True
    except Exception:  # a half-written answer counts as not yet
        return False

def central_ok(central_difference):
    try:
        cases = [(lambda x: x**3, 2.0, 12.0), (math.sin, 0.5, math.cos(0.5)), (math.exp, -1.0, math.exp(-1.0))]
        return all(close(central_difference(f, x, 1e-5), d, 1e-7) for f, x, d in cases)
    except Exception:
        return False

def check(n_parameters, sigmoid_backward, central_difference):
    report("1 parameters", close(n_parameters, sum(p.data.size for p in model.parameters()), 0), HINTS[0])
    report("2 sigmoid rule", sigmoid_rule_ok(sigmoid_backward), HINTS[1])
    report("3 central difference", central_ok(central_difference), HINTS[2])

check(n_parameters, sigmoid_backward, central_difference)
"""

CHECK_KO = """
def report(name, ok, hint):
    print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

HINTS = ["Linear(2, 2): 가중치 2x2 + 편향 2, Linear(2, 1): 2 + 1", "위에서 읽은 규칙: g * out * (1 - out)", "(f(x + eps) - f(x - eps)) / (2 eps)"]
""" + CHECK_BODY

CHECK_EN = """
def report(name, ok, hint):
    print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

HINTS = ["Linear(2, 2): a 2x2 weight + 2 biases, Linear(2, 1): 2 + 1", "the rule read above: g * out * (1 - out)", "(f(x + eps) - f(x - eps)) / (2 eps)"]
""" + CHECK_BODY

CELLS = [
    md(
        """
        # 9. 글의 PyTorch 코드를 이 엔진으로 그대로 돌리기

        04에서는 글 000의 코드를 `autograd_mlp`의 이름으로 **옮겨** 썼습니다. 이번에는 옮기지 않습니다:
        **"PyTorch 익히기 - Multi Layer Perceptron"** (`shared/seeds/000_61d4de678295490b.txt`)의 코드
        (`shared/seed-code/000_61d4de678295490b.py`)를 글자 그대로 실행합니다. 바꾼 것은 반복 횟수뿐이고
        (10,001 → 1,001 / 2,001 / 3,001, 바꾼 곳마다 적었습니다), PyTorch는 설치되어 있지 않아도 됩니다.

        그다음 PyTorch에서는 C++ 안에 숨어 있는 것을 들여다봅니다: loss의 계산 그래프, 연산 하나의 backward 규칙,
        그리고 `w.grad`가 정말 미분인지 수치 미분으로 확인합니다.
        """,
        """
        # 9. The posts' own PyTorch code, running on this engine

        In lesson 4 we *carried* post 000's code over to `autograd_mlp`'s names. Not this time: the code of
        **"PyTorch 익히기 - Multi Layer Perceptron"** (`shared/seeds/000_61d4de678295490b.txt`), as in
        `shared/seed-code/000_61d4de678295490b.py`, runs letter for letter. Only the loop lengths are changed
        (10,001 → 1,001 / 2,001 / 3,001, marked where they are), and PyTorch need not be installed.

        Then we look at what PyTorch keeps inside C++: the loss's graph, one operation's backward rule, and a
        numeric check that `w.grad` really is the derivative.
        """,
    ),
    md(
        """
        ## 한 줄짜리 전환

        `autograd_mlp.torch.install()` 뒤로는 `import torch`(그리고 `torch.nn`, `torch.optim`, `torch.utils.data`,
        `torchvision`)가 이 엔진을 가리킵니다. 노트북 끝에서 `uninstall()`로 되돌립니다.
        """,
        """
        ## The one-line switch

        After `autograd_mlp.torch.install()`, `import torch` (and `torch.nn`, `torch.optim`, `torch.utils.data`,
        `torchvision`) resolve to this engine. `uninstall()` at the end of the notebook puts things back.
        """,
    ),
    code(
        """
        import inspect
        import math
        import numpy as np
        import matplotlib.pyplot as plt
        import autograd_mlp as am
        import autograd_mlp.torch
        from autograd_mlp import viz
        from autograd_mlp.gradcheck import gradcheck

        autograd_mlp.torch.install()  # the switch
        import torch

        torch.manual_seed(0)  # the posts do not seed; we do, so the notebook repeats
        print("import torch ->", torch.__name__)
        """
    ),
    md(
        """
        ## 000-1: 퍼셉트론 하나는 XOR에서 0.5에 멈춘다

        글의 코드 그대로입니다 (`range(10001)` → `range(1001)`; 200 step 이후로는 변하지 않습니다).
        """,
        """
        ## 000-1: one perceptron stops at 0.5 on XOR

        The post's code as it is (`range(10001)` → `range(1001)`; nothing changes after about 200 steps).
        """,
    ),
    code(
        """
        import torch

        X = torch.FloatTensor([[0, 0], [0, 1], [1, 0], [1, 1]])
        Y = torch.FloatTensor([[0], [1], [1], [0]])

        # nn layers
        linear = torch.nn.Linear(2, 1, bias=True) # FC Layer
        sigmoid = torch.nn.Sigmoid() # activation function
        model = torch.nn.Sequential(linear, sigmoid)

        # define cost & optimizer
        criterion = torch.nn.BCELoss() # binary cross entropy loss (0, 1 분류)
        optimizer = torch.optim.SGD(model.parameters(), lr=1)

        for step in range(1001):  # the post: range(10001)
            optimizer.zero_grad()
            hypothesis = model(X)
            # cost function
            cost = criterion(hypothesis, Y)
            cost.backward()
            optimizer.step()
            if step % 200 == 0:  # the post: step % 1000
                print(step, cost.item())
        """
    ),
    code(
        ko="""
        print("출력:", model(X).data.ravel().round(4), " loss:", cost.item(), " ln 2 =", math.log(2))
        """,
        en="""
        print("outputs:", model(X).data.ravel().round(4), " loss:", cost.item(), " ln 2 =", math.log(2))
        """,
    ),
    md(
        """
        글이 본 그대로: 모든 출력이 0.5, loss는 ln 2 = 0.6931 (04에서 이유를 보았습니다).

        ## 000-2, 000-3, 000-4: 손으로 쓴 역전파, 그리고 은닉층이 있는 MLP

        글의 순서대로 실행합니다. 000-2는 gradient를 손으로 쓴 같은 2-2-1 망이고 (`range(10001)` → `range(2001)`),
        000-3은 `nn.Linear` 두 개로 만든 MLP입니다 (`range(10001)` → `range(3001)`). 글처럼 000-2를 먼저 돌려야
        000-3의 초기 가중치가 이 시드에서 XOR을 푸는 쪽이 됩니다 (난수는 뽑는 순서대로 나옵니다; 04에서 본 것처럼
        어떤 시작점은 loss 0.35에서 멈춥니다).

        000-2는 `torch.Tensor(2, 2)`에서 출발합니다. PyTorch에서 이것은 초기화되지 않은 메모리(실행마다 다른 아무 수, 가끔 NaN)이고,
        이 엔진에서는 시드를 따르는 표준 정규 난수입니다 (`docs/from-pytorch.md`).
        """,
        """
        As the post saw: every output 0.5, the loss ln 2 = 0.6931 (lesson 4 showed why).

        ## 000-2, 000-3, 000-4: hand-written backprop, then the MLP with a hidden layer

        In the post's order. 000-2 is the same 2-2-1 net with its gradients written by hand
        (`range(10001)` → `range(2001)`), 000-3 the MLP built from two `nn.Linear` (`range(10001)` → `range(3001)`).
        As in the post, 000-2 runs first, so that 000-3's initial weights are, with this seed, ones that solve XOR
        (random numbers come in the order they are drawn; as lesson 4 showed, some starts stop at loss 0.35).

        000-2 starts from `torch.Tensor(2, 2)`: uninitialised memory in PyTorch (any numbers, different each run,
        sometimes NaN), on this engine standard normal draws that follow the seed (`docs/from-pytorch.md`).
        """,
    ),
    code(
        """
        w1 = torch.Tensor(2, 2)
        b1 = torch.Tensor(2)
        w2 = torch.Tensor(2, 1)
        b2 = torch.Tensor(1)

        def sigmoid(x):
            # sigmoid function
            return 1.0 / (1.0 + torch.exp(-x))

        def sigmoid_prime(x):
            # derivative of the sigmoid function
            return sigmoid(x) * (1 - sigmoid(x))

        learning_rate = 1  # F1
        for epoch in range(2001):  # the post: range(10001)
            # forward propagation (cost 계산 과정)
            l1 = torch.add(torch.matmul(X, w1), b1)
            a1 = sigmoid(l1)
            l2 = torch.add(torch.matmul(a1, w2), b2)
            Y_pred = sigmoid(l2)

            cost = -torch.mean(Y * torch.log(Y_pred) + (1 - Y) * torch.log(1 - Y_pred)) # binary cross entropy loss
            # back propagation (chain rule)
            # Loss derivative
            d_Y_pred = (Y_pred - Y) / (Y_pred * (1.0 - Y_pred) + 1e-7) # 0으로 나누지 않도록 1e-7 더함
            # Layer 2
            d_l2 = d_Y_pred * sigmoid_prime(l2)
            d_b2 = d_l2
            d_w2 = torch.matmul(torch.transpose(a1, 0, 1), d_b2)

            # Layer 1
            d_a1 = torch.matmul(d_b2, torch.transpose(w2, 0, 1))
            d_l1 = d_a1 * sigmoid_prime(l1)
            d_b1 = d_l1
            d_w1 = torch.matmul(torch.transpose(X, 0, 1), d_b1)  # F2

            # Weight update
            w1 = w1 - learning_rate * d_w1
            b1 = b1 - learning_rate * torch.mean(d_b1, 0)
            w2 = w2 - learning_rate * d_w2
            b2 = b2 - learning_rate * torch.mean(d_b2, 0)

            if epoch % 500 == 0:  # the post: epoch % 100
                print(epoch, cost.item())
        """
    ),
    code(
        """
        # nn layers
        linear1 = torch.nn.Linear(2, 2, bias=True)
        linear2 = torch.nn.Linear(2, 1, bias=True)
        sigmoid = torch.nn.Sigmoid()
        model = torch.nn.Sequential(linear1, sigmoid, linear2, sigmoid)  # F3

        # define cost & optimizer
        criterion = torch.nn.BCELoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=1)

        costs = []  # not in the post: kept for the plot below
        for epoch in range(3001):  # the post: range(10001)
            optimizer.zero_grad()
            hypothesis = model(X)

            # cost function
            cost = criterion(hypothesis, Y)
            cost.backward()
            optimizer.step()
            costs.append(cost.item())

            if epoch % 500 == 0:  # the post: epoch % 1000
                print('Epoch: {:4d} \\\\ Cost: {:.4f}'.format(
                    epoch, cost.item()
                ))
        """
    ),
    code(
        """
        # Accuracy computation
        with torch.no_grad():
            hypothesis = model(X)
            predicted = (hypothesis > 0.5).float()
            accuracy = (predicted == Y).float().mean()
            print('Hypothesis: \\n', hypothesis.detach().cpu().numpy(),
                  '\\nCorrect: \\n', predicted.detach().cpu().numpy(), '\\nAccuracy: ', accuracy.item())
        """
    ),
    code(
        """
        plt.figure(figsize=(5, 3))
        plt.plot(costs, label="000-3 MLP 2-2-1")
        plt.axhline(math.log(2), color="k", ls=":", lw=1, label="ln 2 (the perceptron)")
        plt.xlabel("epoch"); plt.ylabel("BCE loss"); plt.yscale("log"); plt.legend(); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 안을 들여다보기 1: loss의 계산 그래프

        `cost`는 이 엔진의 `Tensor`이고, 자기를 만든 연산과 입력을 기억합니다. 학습된 모델로 loss를 한 번 더 계산해
        `viz.draw_dot`으로 그립니다. 상자는 값(모양, 데이터, gradient), 타원은 연산이고, 매개변수에는 모델 안의 이름
        (`0.weight` = `linear1.weight` ...)이 붙습니다. PyTorch에서는 이 그래프가 C++ 안에 있어 `grad_fn`을 따라가야 보입니다.
        """,
        """
        ## Look inside 1: the graph of the loss

        `cost` is this engine's `Tensor`, and it remembers the operation that made it and its inputs. One more
        loss with the trained model, drawn with `viz.draw_dot`: boxes are values (shape, data, gradient), ovals operations, and the parameters carry their
        names in the model (`0.weight` = `linear1.weight` ...). In PyTorch this graph lives in C++, seen by following `grad_fn`.
        """,
    ),
    code(
        """
        optimizer.zero_grad()
        cost = criterion(model(X), Y)
        cost.backward()
        viz.draw_dot(cost, params=model)  # params: label the parameters with their names in the model
        """,
        tags=("image",),
    ),
    md(
        """
        ## 안을 들여다보기 2: 연산 하나의 backward 규칙

        `cost.op`는 마지막 연산의 이름, `cost.parents`는 그 입력입니다. 그래프를 걷는 코어(`autograd_mlp/graph.py`)는
        각 노드의 `_op`에서 규칙(`rule`)을 꺼내 부릅니다. 시그모이드 노드의 규칙을 소스 그대로 읽어 봅니다:
        σ'(x) = σ(x)(1 − σ(x)) 를 출력 `out`으로 쓴 한 줄입니다.
        """,
        """
        ## Look inside 2: one operation's backward rule

        `cost.op` is the last operation's name, `cost.parents` its inputs. The core that walks the graph
        (`autograd_mlp/graph.py`) takes each node's rule from its `_op` and calls it. The sigmoid node's rule,
        read from its source: σ'(x) = σ(x)(1 − σ(x)) written with the output `out`, one line.
        """,
    ),
    code(
        """
        print("cost.op:", cost.op)
        probabilities, targets = cost.parents
        print("its inputs:", [p.op or "leaf" for p in cost.parents])
        rule = probabilities._op.rule
        print(probabilities._op, "->", inspect.getsource(getattr(rule, "func", rule)).strip())
        """
    ),
    md(
        """
        ## 안을 들여다보기 3: `w.grad`는 정말 미분인가

        첫 층 가중치 하나를 ±ε 움직여 loss의 변화를 재는 중심 차분 (f(w + ε) − f(w − ε)) / 2ε 을 `linear1.weight.grad`와
        비교합니다. float32의 반올림을 피하려고 같은 망을 float64로 한 번 더 씁니다. 그다음 `gradcheck`가 네 매개변수의
        모든 원소를 같은 방법으로 확인합니다.
        """,
        """
        ## Look inside 3: is `w.grad` really the derivative?

        Move one first-layer weight by ±ε and measure the loss: the central difference (f(w + ε) − f(w − ε)) / 2ε
        against `linear1.weight.grad`. To keep float32's rounding out, the same net is written once more in float64.
        Then `gradcheck` checks every element of the four parameters the same way.
        """,
    ),
    code(
        """
        X64, Y64 = X.double(), Y.double()

        def loss_of(W1, b1, W2, b2):
            \"\"\"The 000-3 model in float64: sigmoid(sigmoid(X W1^T + b1) W2^T + b2), then BCE.\"\"\"
            h = (X64 @ W1.T + b1).sigmoid()
            return criterion((h @ W2.T + b2).sigmoid(), Y64)

        params = [p.data.astype(np.float64) for p in (linear1.weight, linear1.bias, linear2.weight, linear2.bias)]
        eps = 1e-6
        plus, minus = [p.copy() for p in params], [p.copy() for p in params]
        plus[0][0, 1] += eps
        minus[0][0, 1] -= eps
        numeric = (loss_of(*map(am.Tensor, plus)).item() - loss_of(*map(am.Tensor, minus)).item()) / (2 * eps)
        print(f"linear1.weight.grad[0, 1] = {linear1.weight.grad.data[0, 1]: .8e}   (backward, float32)")
        print(f"central difference       = {numeric: .8e}   (eps = {eps}, float64)")
        print("gradcheck, every element of the four parameters:", gradcheck(loss_of, *params))
        """
    ),
    md(
        """
        ## 연습 문제

        1. 000-3의 MLP에 학습되는 수가 모두 몇 개인가요? `n_parameters`에.
        2. `sigmoid_backward(g, out)`: 시그모이드 출력이 `out`이고 위에서 gradient `g`가 올 때 입력으로 보내는 gradient.
           (위에서 읽은 규칙; `autograd_mlp.Value`의 backward와 비교합니다)
        3. `central_difference(f, x, eps)`: 수 하나를 받는 함수 `f`의 x에서의 중심 차분.
        """,
        """
        ## Exercises

        1. How many numbers does 000-3's MLP learn in all? In `n_parameters`.
        2. `sigmoid_backward(g, out)`: the gradient a sigmoid whose output is `out` sends to its input when `g`
           comes from above (the rule read above; compared with `autograd_mlp.Value`'s backward).
        3. `central_difference(f, x, eps)`: the central difference at x of a function `f` of one number.
        """,
    ),
    code(
        ko="""
        n_parameters = None

        def sigmoid_backward(g, out):
            ...  # 여기를 채우세요

        def central_difference(f, x, eps):
            ...  # 여기를 채우세요
        """,
        en="""
        n_parameters = None

        def sigmoid_backward(g, out):
            ...  # fill in

        def central_difference(f, x, eps):
            ...  # fill in
        """,
    ),
    code(ko=CHECK_KO, en=CHECK_EN, tags=("check-empty",)),
    md("## 풀이\n\n먼저 풀어 본 뒤에 보세요.", "## Solutions\n\nTry first, then look."),
    code(
        """
        def solution_sigmoid_backward(g, out):
            return g * out * (1 - out)

        def solution_central_difference(f, x, eps):
            return (f(x + eps) - f(x - eps)) / (2 * eps)

        check(2 * 2 + 2 + 2 * 1 + 1, solution_sigmoid_backward, solution_central_difference)
        """,
        tags=("check-solution",),
    ),
    md(
        """
        ## 되돌리기

        `uninstall()` 뒤로는 `import torch`가 다시 (있다면) 진짜 PyTorch를 찾습니다.
        """,
        """
        ## Switching back

        After `uninstall()`, `import torch` finds the real PyTorch again (if there is one).
        """,
    ),
    code(
        """
        import sys

        autograd_mlp.torch.uninstall()
        print("installed:", autograd_mlp.torch.is_installed(), "| torch in sys.modules:", "torch" in sys.modules)
        """
    ),
]
