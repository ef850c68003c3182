"""Lesson 1: a derivative is a slope you can measure by nudging an input (no library yet)."""

from cells import code, md

CELLS = [
    md(
        """
        # 1. 수치 미분: 입력을 살짝 움직여 보기

        딥러닝 라이브러리가 하는 일의 핵심은 **미분**입니다. 손실(loss)이 각 가중치에 얼마나 민감한지
        알아야 가중치를 어느 쪽으로 움직일지 정할 수 있기 때문입니다. 이 노트북에서는 라이브러리 없이
        numpy만으로 미분을 *재어* 봅니다.

        배울 것:
        - 도함수 = 입력을 아주 조금(h) 움직였을 때 출력이 변하는 비율 (기울기)
        - h를 너무 크게 해도, 너무 작게 해도 틀리는 이유 (반올림 오차)
        - 중심 차분이 더 정확한 이유
        - 입력이 여러 개일 때: 하나씩 살짝 움직여 보기 (편미분, 기울기 벡터)
        - 기울기의 반대 방향으로 움직이면 함수값이 줄어든다 (경사 하강법)

        학습 경로: **01 수치 미분** → 02 연쇄 법칙과 작은 Value → 03 backward와 그래프 → 04 퍼셉트론과 XOR →
        05 델타 규칙 → 06 함수 근사 → 07 2차원 분류 → 08 MNIST
        """,
        """
        # 1. The numeric derivative: nudging an input

        At the heart of what a deep-learning library does is the **derivative**: to know which way to
        move a weight, we need to know how sensitive the loss is to it. In this notebook we *measure*
        derivatives with numpy alone, before any library.

        You will learn:
        - a derivative is the rate at which the output changes when the input moves a tiny bit (h): a slope
        - why h too large and h too small are both wrong (rounding error)
        - why the central difference is more accurate
        - several inputs: nudge one at a time (partial derivatives, the gradient vector)
        - moving against the gradient makes the function smaller (gradient descent)

        The path: **01 numeric derivative** → 02 chain rule and a tiny Value → 03 backward and graphs →
        04 perceptron and XOR → 05 delta rule → 06 function fit → 07 2-D classification → 08 MNIST
        """,
    ),
    code(
        """
        import numpy as np
        import matplotlib.pyplot as plt

        def f(x):
            return 3 * x**2 - 4 * x + 5

        xs = np.linspace(-5, 5, 101)
        plt.figure(figsize=(5, 3))
        plt.plot(xs, f(xs))
        plt.xlabel("x"); plt.ylabel("f(x)"); plt.title("f(x) = 3x^2 - 4x + 5"); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 기울기를 재기

        x = 3에서 x를 h만큼 움직이면 f는 얼마나 변할까요? 그 변화량을 h로 나눈 값이 **기울기**이고,
        h를 0에 가깝게 줄인 극한이 도함수 f'(x)입니다. 손으로 미분하면 f'(x) = 6x − 4 이므로 f'(3) = 14입니다.
        """,
        """
        ## Measuring the slope

        If x = 3 moves by h, how much does f change? That change divided by h is the **slope**; its limit
        as h goes to 0 is the derivative f'(x). By hand, f'(x) = 6x − 4, so f'(3) = 14.
        """,
    ),
    code(
        """
        x = 3.0
        for h in [1.0, 0.1, 0.01, 0.001]:
            slope = (f(x + h) - f(x)) / h
            print(f"h = {h:<6}  (f(x+h) - f(x)) / h = {slope:.6f}")
        print("by hand: 6*3 - 4 =", 6 * 3 - 4)
        """
    ),
    md(
        """
        ## h는 얼마나 작아야 할까? 반올림 오차

        h를 줄이면 계속 정확해질 것 같지만, 컴퓨터의 실수(float64)는 약 16자리까지만 정확합니다.
        h가 너무 작으면 f(x+h)와 f(x)가 거의 같은 수가 되어, 그 차이에는 반올림 오차만 남습니다.
        두 가지 방법의 오차를 h에 따라 그려 봅니다.
        - **전방 차분** (f(x+h) − f(x)) / h: 오차가 h에 비례
        - **중심 차분** (f(x+h) − f(x−h)) / 2h: 오차가 h²에 비례 (이 함수는 2차식이라 반올림 오차만 남음)
        """,
        """
        ## How small should h be? Rounding error

        Shrinking h looks like it should only help, but a float64 holds about 16 significant digits.
        With h too small, f(x+h) and f(x) are nearly the same number and their difference is mostly
        rounding error. Here is the error of two formulas against h:
        - **forward difference** (f(x+h) − f(x)) / h: error proportional to h
        - **central difference** (f(x+h) − f(x−h)) / 2h: error proportional to h² (for this quadratic only rounding is left)
        """,
    ),
    code(
        """
        hs = np.logspace(-14, 0, 57)
        exact = 6 * x - 4
        forward = np.abs((f(x + hs) - f(x)) / hs - exact)
        central = np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - exact)

        plt.figure(figsize=(5, 3.2))
        plt.loglog(hs, forward + 1e-17, label="forward difference")
        plt.loglog(hs, central + 1e-17, label="central difference")
        plt.xlabel("h"); plt.ylabel("|error|"); plt.legend(); plt.grid(alpha=0.3)
        plt.title("error of the numeric derivative at x = 3")
        plt.show()
        best = hs[np.argmin(forward)]
        print(f"forward difference is best near h = {best:.0e} (error {forward.min():.1e})")
        """,
        tags=("image",),
    ),
    md(
        """
        전방 차분은 h ≈ 1e-8 근처에서 가장 정확하고, 그보다 작으면 다시 나빠집니다. 수치 미분은
        편리하지만 **근사**일 뿐이고, 입력 하나마다 f를 두 번씩 계산해야 합니다. 가중치가 백만 개면
        백만 번의 두 배입니다. 그래서 라이브러리는 미분을 **정확하게**, 한 번의 역방향 계산으로 구합니다
        (02, 03에서 다룹니다). 수치 미분은 그 결과를 *검사*하는 데 씁니다: `autograd_mlp.gradcheck`가 바로 그것입니다.
        """,
        """
        The forward difference is most accurate near h ≈ 1e-8 and gets worse below it. The numeric
        derivative is handy but only an **approximation**, and it costs two evaluations of f per input:
        with a million weights, two million. So a library computes derivatives **exactly**, in one
        backward pass (lessons 02 and 03). Numeric derivatives are for *checking* those:
        that is what `autograd_mlp.gradcheck` does.
        """,
    ),
    md(
        """
        ## 입력이 여러 개일 때

        d = a·b + c 에서 a, b, c를 하나씩 살짝 움직여 봅니다. 각각의 기울기가 **편미분**이고,
        이들을 모은 벡터가 **기울기(gradient)**입니다. 손으로: ∂d/∂a = b, ∂d/∂b = a, ∂d/∂c = 1.
        """,
        """
        ## Several inputs

        In d = a·b + c, nudge a, b and c one at a time. Each slope is a **partial derivative**, and
        together they form the **gradient**. By hand: ∂d/∂a = b, ∂d/∂b = a, ∂d/∂c = 1.
        """,
    ),
    code(
        """
        def d_of(a, b, c):
            return a * b + c

        a, b, c = 2.0, -3.0, 10.0
        h = 1e-6
        base = d_of(a, b, c)
        print("d =", base)
        print("dd/da ~", (d_of(a + h, b, c) - base) / h, "  (b =", b, ")")
        print("dd/db ~", (d_of(a, b + h, c) - base) / h, "  (a =", a, ")")
        print("dd/dc ~", (d_of(a, b, c + h) - base) / h, "  (1)")
        """
    ),
    md(
        """
        ## 기울기의 반대로 걸어 내려가기: 경사 하강법

        기울기가 양수면 x를 줄이고, 음수면 늘립니다: x ← x − lr · f'(x). lr(학습률)은 한 걸음의 크기입니다.
        f의 최솟값은 f'(x) = 0 인 x = 2/3 에 있습니다. 수치 미분만으로 찾아가 봅니다.
        """,
        """
        ## Walking down against the slope: gradient descent

        If the slope is positive, decrease x; if negative, increase it: x ← x − lr · f'(x). The learning
        rate lr is the size of a step. f is smallest where f'(x) = 0, at x = 2/3. We get there with numeric
        derivatives alone.
        """,
    ),
    code(
        """
        def numeric_slope(fn, x, h=1e-6):
            return (fn(x + h) - fn(x - h)) / (2 * h)

        x, lr = 4.0, 0.05
        path = [x]
        for step in range(30):
            x = x - lr * numeric_slope(f, x)
            path.append(x)
        path = np.array(path)
        print(f"after 30 steps: x = {x:.6f}  (minimum at 2/3 = {2/3:.6f})")

        plt.figure(figsize=(5, 3))
        plt.plot(xs, f(xs), color="0.6")
        plt.plot(path, f(path), "o-", ms=3, color="C3", label="gradient descent, lr = 0.05")
        plt.xlim(-1.5, 4.5); plt.ylim(0, 40); plt.legend(); plt.grid(alpha=0.3)
        plt.show()
        """,
        tags=("image",),
    ),
    md(
        """
        ## 연습 문제

        아래 칸의 `...`을 채우고, 그 다음 칸을 실행해 답을 확인하세요.

        1. `central_difference(fn, x, h)`: 중심 차분으로 fn의 x에서의 기울기를 돌려주는 함수를 쓰세요.
        2. g(x) = x³ − 2x 의 x = 1.5 에서의 도함수 값을 **손으로** 계산해 `answer_2`에 넣으세요.
        3. d = a·b + c 에서 a = 2, b = −3, c = 10일 때 a를 0.01 늘리면 d는 대략 얼마나 변할까요?
           (부호 포함, `answer_3`)
        """,
        """
        ## Exercises

        Fill in the `...` below, then run the next cell to check your answers.

        1. `central_difference(fn, x, h)`: return the slope of fn at x by the central difference.
        2. Compute **by hand** the derivative of g(x) = x³ − 2x at x = 1.5; put it in `answer_2`.
        3. In d = a·b + c with a = 2, b = −3, c = 10, by about how much does d change when a grows by 0.01?
           (with its sign, `answer_3`)
        """,
    ),
    code(
        ko="""
        def central_difference(fn, x, h=1e-5):
            ...  # 여기를 채우세요

        answer_2 = None  # g'(1.5)
        answer_3 = None  # d의 변화량
        """,
        en="""
        def central_difference(fn, x, h=1e-5):
            ...  # fill in

        answer_2 = None  # g'(1.5)
        answer_3 = None  # the change of d
        """,
    ),
    code(
        ko="""
        def report(name, ok, hint):
            print(f"{name}: CORRECT 정답" if ok else f"{name}: NOT YET 아직 - {hint}")

        def close(value, target, tol):
            try:
                return value is not None and abs(float(value) - target) <= tol
            except (TypeError, ValueError):
                return False

        def check(central_difference, answer_2, answer_3):
            tests = [(np.sin, 0.3, np.cos(0.3)), (np.exp, 1.0, np.e), (lambda t: t**3, -2.0, 12.0)]
            try:
                ok = all(close(central_difference(fn, x0), slope, 1e-6) for fn, x0, slope in tests)
            except Exception:  # a half-written function counts as not yet
                ok = False
            report("1 central_difference", ok, "sin, exp, x^3 의 기울기와 1e-6 안에서 같아야 합니다")
            report("2 g'(1.5)", close(answer_2, 3 * 1.5**2 - 2, 1e-9), "g'(x) = 3x^2 - 2")
            report("3 change of d", close(answer_3, -0.03, 1e-6), "dd/da = b 이고, 변화량 = 기울기 x 0.01")

        check(central_difference, answer_2, answer_3)
        """,
        en="""
        def report(name, ok, hint):
            print(f"{name}: CORRECT" if ok else f"{name}: NOT YET - {hint}")

        def close(value, target, tol):
            try:
                return value is not None and abs(float(value) - target) <= tol
            except (TypeError, ValueError):
                return False

        def check(central_difference, answer_2, answer_3):
            tests = [(np.sin, 0.3, np.cos(0.3)), (np.exp, 1.0, np.e), (lambda t: t**3, -2.0, 12.0)]
            try:
                ok = all(close(central_difference(fn, x0), slope, 1e-6) for fn, x0, slope in tests)
            except Exception:  # a half-written function counts as not yet
                ok = False
            report("1 central_difference", ok, "must match the slopes of sin, exp and x^3 within 1e-6")
            report("2 g'(1.5)", close(answer_2, 3 * 1.5**2 - 2, 1e-9), "g'(x) = 3x^2 - 2")
            report("3 change of d", close(answer_3, -0.03, 1e-6), "dd/da = b, and the change = slope x 0.01")

        check(central_difference, answer_2, answer_3)
        """,
        tags=("check-empty",),
    ),
    md(
        """
        ## 풀이

        스스로 풀어 본 다음에 보세요. 아래 칸은 풀이를 넣고 같은 검사를 돌립니다.
        """,
        """
        ## Solutions

        Try first, then look. The cell below puts in the solutions and runs the same check.
        """,
    ),
    code(
        """
        def solution_central_difference(fn, x, h=1e-5):
            return (fn(x + h) - fn(x - h)) / (2 * h)

        check(solution_central_difference, 3 * 1.5**2 - 2, -3.0 * 0.01)
        """,
        tags=("check-solution",),
    ),
]
