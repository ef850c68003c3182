"""The scalar engine: every op's gradient against central differences, and the
graph semantics (accumulation, repeated backward, higher order, no_grad)."""

from __future__ import annotations

import gc
import math
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mlp as am
from autograd_mlp import Value, graph
from autograd_mlp.graph import Op
from autograd_mlp.value import from_op, fused_neuron

EPS = 1e-6


def numeric_derivative(f, x: float, h: float = EPS) -> float:
    """Central difference (f(x+h) - f(x-h)) / 2h, in float64."""
    return (f(x + h) - f(x - h)) / (2 * h)


def assert_close(analytic: float, numeric: float, tol: float = 1e-5) -> None:
    assert math.isclose(analytic, numeric, rel_tol=tol, abs_tol=tol), (analytic, numeric)


def finite(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# op name -> (function on a Value, domain of x kept away from kinks and poles)
UNARY = {
    "neg": (lambda v: -v, finite(-10, 10)),
    "exp": (lambda v: v.exp(), finite(-20, 20)),
    "log": (lambda v: v.log(), finite(1e-2, 1e3)),
    "sqrt": (lambda v: v.sqrt(), finite(1e-2, 1e3)),
    "tanh": (lambda v: v.tanh(), finite(-8, 8)),
    "sigmoid": (lambda v: v.sigmoid(), finite(-15, 15)),
    "relu": (lambda v: v.relu(), finite(-10, 10).filter(lambda x: abs(x) > 1e-3)),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), finite(-10, 10).filter(lambda x: abs(x) > 1e-3)),
    "softplus": (lambda v: v.softplus(), finite(-20, 20)),
    "log_sigmoid": (lambda v: v.log_sigmoid(), finite(-20, 20)),
    "abs": (lambda v: v.abs(), finite(-10, 10).filter(lambda x: abs(x) > 1e-3)),
    "sin": (lambda v: v.sin(), finite(-10, 10)),
    "cos": (lambda v: v.cos(), finite(-10, 10)),
    "square": (lambda v: v**2, finite(-10, 10)),
    "cube": (lambda v: v**3, finite(-5, 5)),
    "reciprocal": (lambda v: v**-1, finite(0.1, 10)),
    "pow_half": (lambda v: v**0.5, finite(1e-2, 100)),
    "rsub": (lambda v: 2.5 - v, finite(-10, 10)),
    "rdiv": (lambda v: 2.5 / v, finite(0.1, 10)),
    "rpow": (lambda v: 2.0**v, finite(-10, 10)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradient_matches_central_difference(name):
    fn, domain = UNARY[name]

    @settings(max_examples=40, deadline=None)
    @given(domain)
    def check(x):
        v = Value(x)
        out = fn(v)
        out.backward()
        assert_close(v.grad, numeric_derivative(lambda t: fn(Value(t)).data, x))

    check()


BINARY = {
    "add": (lambda a, b: a + b, finite(-10, 10), finite(-10, 10)),
    "sub": (lambda a, b: a - b, finite(-10, 10), finite(-10, 10)),
    "mul": (lambda a, b: a * b, finite(-10, 10), finite(-10, 10)),
    "div": (lambda a, b: a / b, finite(-10, 10), finite(0.1, 10)),
    "pow": (lambda a, b: a**b, finite(0.1, 5), finite(-3, 3)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradient_matches_central_difference(name):
    fn, dom_a, dom_b = BINARY[name]

    @settings(max_examples=40, deadline=None)
    @given(dom_a, dom_b)
    def check(x, y):
        a, b = Value(x), Value(y)
        fn(a, b).backward()
        assert_close(a.grad, numeric_derivative(lambda t: fn(Value(t), Value(y)).data, x))
        assert_close(b.grad, numeric_derivative(lambda t: fn(Value(x), Value(t)).data, y))

    check()


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_fused_linear_matches_the_unfused_chain(activation, data):
    n = data.draw(st.integers(1, 6))
    ws = [Value(w) for w in data.draw(st.lists(finite(-2, 2), min_size=n, max_size=n))]
    xs = [Value(x) for x in data.draw(st.lists(finite(-2, 2), min_size=n, max_size=n))]
    b = Value(data.draw(finite(-2, 2)))
    fused = fused_neuron(ws, xs, b, activation)
    fused.backward()
    fused_grads = [p.grad for p in ws + xs + [b]]
    for p in ws + xs + [b]:
        p.grad = 0.0
    z = b
    for w, x in zip(ws, xs):
        z = z + w * x
    chain = {None: z, "relu": z.relu(), "tanh": z.tanh(), "sigmoid": z.sigmoid()}[activation]
    if activation == "relu" and abs(z.data) < 1e-9:
        return  # the kink
    chain.backward()
    assert fused.data == pytest.approx(chain.data, rel=1e-12, abs=1e-12)
    for got, want in zip(fused_grads, [p.grad for p in ws + xs + [b]]):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_linear_rejects_mismatched_lengths_and_unknown_activation():
    with pytest.raises(ValueError, match="3 weights but 2 inputs"):
        fused_neuron([Value(1.0)] * 3, [1.0, 2.0])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        fused_neuron([Value(1.0)], [1.0], activation="gelu")


# --------------------------------------------------- random compositions

SMOOTH_UNARY = [
    lambda v: v.tanh(),
    lambda v: v.sigmoid(),
    lambda v: v.sin(),
    lambda v: v.cos(),
    lambda v: v.softplus(),
    lambda v: v * v,
    lambda v: -v,
    lambda v: v.tanh().exp(),
    lambda v: 1.0 / (1.0 + v * v),
]
SMOOTH_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1.0 + b * b),
]


@st.composite
def programs(draw):
    """A random straight-line program over three inputs; reuse of any earlier
    result is allowed, so shared subexpressions and repeated nodes occur."""
    steps = []
    for i in range(draw(st.integers(1, 12))):
        available = 3 + i
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(SMOOTH_UNARY) - 1)), draw(st.integers(0, available - 1)), None))
        else:
            steps.append(
                (
                    "b",
                    draw(st.integers(0, len(SMOOTH_BINARY) - 1)),
                    draw(st.integers(0, available - 1)),
                    draw(st.integers(0, available - 1)),
                )
            )
    return steps


def run_program(steps, inputs):
    values = list(inputs)
    for kind, k, i, j in steps:
        values.append(SMOOTH_UNARY[k](values[i]) if kind == "u" else SMOOTH_BINARY[k](values[i], values[j]))
    return values[-1]


@settings(max_examples=150, deadline=None)
@given(programs(), st.lists(finite(-2, 2), min_size=3, max_size=3))
def test_random_compositions_match_central_differences(steps, xs):
    inputs = [Value(x) for x in xs]
    out = run_program(steps, inputs)
    out.backward()
    for k in range(3):

        def f(t, k=k):
            shifted = list(xs)
            shifted[k] = t
            return run_program(steps, [Value(x) for x in shifted]).data

        assert_close(inputs[k].grad, numeric_derivative(f, xs[k]), tol=1e-4)


# Value's backward keeps gradients in flight in the nodes' own .grad (graph._backward_in_slots);
# graph.grad runs the general walk with a dict. Both must give the same bits, in the same order.
@settings(max_examples=150, deadline=None)
@given(programs(), st.lists(finite(-2, 2), min_size=3, max_size=3), st.lists(finite(-2, 2), min_size=3, max_size=3))
def test_value_walk_gives_the_general_walks_bits_for_every_node(steps, xs, old_grads):
    inputs = [Value(x) for x in xs]
    values = list(inputs)
    for kind, k, i, j in steps:
        values.append(SMOOTH_UNARY[k](values[i]) if kind == "u" else SMOOTH_BINARY[k](values[i], values[j]))
    out = values[-1]
    nodes = graph.topological_order(out)
    expected = am.grad(out, nodes)  # the dict walk, changing no .grad
    listed = graph._order_in_slots(out)  # (leaves its marks in the nodes' .grad: cleared below)
    assert listed == graph.backward_order(out)[::-1]  # inputs first: the same order
    for node in listed:
        node.grad = 0.0
    for leaf, g in zip(inputs, old_grads):
        leaf.grad = g  # leaves add their total once to what they held
    out.backward()
    for node, e in zip(nodes, expected):
        if node._op is not None:
            assert node.grad == e or (node.grad is None and e is None) or (node.grad != node.grad and e != e), node
    for leaf, g in zip(inputs, old_grads):
        e = expected[nodes.index(leaf)] if leaf in nodes else None
        want = g if e is None else g + e
        assert leaf.grad == want or (want != want and leaf.grad != leaf.grad)


def test_value_walk_leaves_no_mark_when_a_rule_raises():
    def broken(g, out, a):
        raise RuntimeError("rule failed")

    x = Value(2.0)
    h = x * x
    y = from_op(h.data, Op("broken", broken), [h]) + h
    x.grad = 5.0
    with pytest.raises(RuntimeError, match="rule failed"):
        y.backward()
    # every interior node is back to None, the leaf is untouched, and a new pass works
    assert (y.grad, h.grad, x.grad) == (None, None, 5.0)
    z = h * 3.0
    z.backward()
    assert (z.grad, h.grad, x.grad) == (1.0, 3.0, 5.0 + 3.0 * 2 * 2.0)


# ------------------------------------------------------------ semantics


def test_reused_nodes_accumulate():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    a = Value(2.0)
    (a + a).backward()
    assert a.grad == 2.0
    # a shared subexpression: y = s * s with s = x + 1
    x = Value(2.0)
    s = x + 1.0
    y = s * s + s
    y.backward()
    assert x.grad == 2 * 3.0 + 1.0
    assert s.grad == 7.0


def test_backward_twice_leaves_accumulate_intermediates_hold_latest():
    x = Value(3.0)
    xx = x * x
    y = xx * x
    y.backward()
    assert x.grad == 27.0
    assert xx.grad == 3.0
    y.backward()
    assert x.grad == 54.0  # the leaf adds a second 27 (PyTorch with retain_graph)
    assert xx.grad == 3.0  # micrograd would show 6.0 here and 45 above
    x.zero_grad()
    y.backward()
    assert x.grad == 27.0


def test_backward_with_upstream_gradient_and_on_a_leaf():
    x = Value(2.0)
    (x * 5.0).backward(0.5)
    assert x.grad == 2.5
    leaf = Value(1.0)
    leaf.backward()
    assert leaf.grad == 1.0


def test_million_op_chain_needs_no_recursion():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.25)
    shift = Value(0.001)
    v = x
    n = 1_000_000
    for i in range(n):
        v = -v if i % 2 else v + shift
    v.backward()
    # v = x + shift*(...) with n/2 negations: dv/dx = (-1)**(n/2)
    assert x.grad == (-1.0) ** (n // 2)
    # shift is added n/2 times, each time under the sign of the later negations
    assert shift.grad == sum((-1.0) ** ((n - i) // 2) for i in range(0, n, 2))


def test_second_and_third_derivatives_through_the_engine():
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value) and first.data == 12.0
    x.grad = 0.0
    first.backward()
    assert x.grad == 12.0  # d2/dx2 x**3 = 6x
    x = Value(2.0)
    (d1,) = am.grad(x**3, [x], create_graph=True)
    (d2,) = am.grad(d1, [x], create_graph=True)
    (d3,) = am.grad(d2, [x])
    assert (d1.data, d2.data, d3) == (12.0, 12.0, 6.0)
    assert x.grad == 0.0  # grad() leaves .grad alone


@settings(max_examples=40, deadline=None)
@given(finite(-2, 2))
def test_second_derivative_of_tanh_and_sigmoid(x):
    for fn, second in [
        (lambda v: v.tanh(), lambda t: -2 * math.tanh(t) * (1 - math.tanh(t) ** 2)),
        (lambda v: v.sigmoid(), lambda t: (s := 1 / (1 + math.exp(-t))) * (1 - s) * (1 - 2 * s)),
        (lambda v: v.exp() * v.sin(), lambda t: 2 * math.exp(t) * math.cos(t)),
    ]:
        v = Value(x)
        (d1,) = am.grad(fn(v), [v], create_graph=True)
        (d2,) = am.grad(d1, [v])
        assert_close(d2, second(x), tol=1e-9)


def test_no_grad_records_nothing():
    x = Value(1.5)
    with am.no_grad():
        y = x * 2.0 + 1.0
        assert not am.is_grad_enabled()
    assert am.is_grad_enabled()
    assert y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0


def test_graphs_hold_no_reference_cycles():
    gc.collect()
    x = Value(0.5)
    ws = [Value(0.1 * i) for i in range(10)]
    y = fused_neuron(ws, [x] * 10, None, "tanh")
    for _ in range(200):
        y = (y * x + 1.0).tanh()
    y.backward()
    del y
    assert gc.collect() == 0  # everything was already freed by reference counting


def test_bytes_per_node_is_small():
    x = Value(0.5)
    v = x
    tracemalloc.start()
    try:
        for _ in range(20_000):
            v = (v * x).tanh()  # 3 nodes per step: constant-free
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    nodes = len(am.topological_order(v))
    assert size / nodes < 150, size / nodes


# ------------------------------------------------------------- numerics


def test_saturating_functions_are_exact_and_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x, s, t in [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0)]:
            v = Value(x)
            out = v.sigmoid()
            out.backward()
            assert out.data == s and v.grad == 0.0
            v = Value(x)
            out = v.tanh()
            out.backward()
            assert out.data == t and v.grad == 0.0
            v = Value(x)
            out = v.log_sigmoid()
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(v.grad)


def test_overflow_gives_inf_and_check_finite_names_the_op():
    x = Value(800.0, label="x")
    y = x.exp() * 0.5 + 1.0
    assert y.data == math.inf
    with pytest.raises(FloatingPointError, match="'exp'.*800"):
        am.check_finite(y)
    assert am.find_nonfinite(y).op == "exp"
    assert am.find_nonfinite(Value(1.0) * 2.0) is None


# ----------------------------------------------------------- bad inputs


@pytest.mark.parametrize("bad", ["abc", None, [1.0], 1 + 2j])
def test_value_needs_a_real_number(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


INF, NAN = math.inf, math.nan


def _same(got: float, want: float) -> bool:
    """Equal as IEEE numbers: nan matches nan, and the sign of inf and of 0 counts."""
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


# The numeric policy (docs/numerics.md): (expression on Values x[, y], x, y,
# expected forward value, expected d/dx, expected d/dy or None).
NUMERIC_POLICY = [
    ("x.sqrt()", 0.0, None, 0.0, INF, None),
    ("x.sqrt()", -1.0, None, NAN, NAN, None),
    ("x ** 0", 0.0, None, 1.0, 0.0, None),
    ("x ** 0", 5.0, None, 1.0, 0.0, None),
    ("x ** 0.5", 0.0, None, 0.0, INF, None),
    ("x ** 400", 10.0, None, INF, INF, None),
    ("x ** 401", -10.0, None, -INF, INF, None),
    ("x ** -1", 0.0, None, INF, -INF, None),
    ("x ** 0.5", -8.0, None, NAN, NAN, None),
    ("x ** y", 2.0, 2000.0, INF, INF, INF),
    ("x ** y", 0.0, 2.0, 0.0, 0.0, 0.0),
    ("x ** y", 0.0, 0.0, 1.0, 0.0, 0.0),
    ("x ** y", -2.0, 2.0, 4.0, -4.0, NAN),
    ("x ** y", -2.0, 0.5, NAN, NAN, NAN),
    ("x / y", 1.0, 0.0, INF, INF, -INF),
    ("x / y", -1.0, 0.0, -INF, INF, INF),
    ("x / y", 0.0, 0.0, NAN, INF, NAN),
    ("x.log()", 0.0, None, -INF, INF, None),
    ("x.log()", -1.0, None, NAN, -1.0, None),
    ("x.log()", NAN, None, NAN, NAN, None),
    ("x.exp()", 1000.0, None, INF, INF, None),
    ("x * y", 1e200, 1e200, INF, 1e200, 1e200),
    ("x.sin()", INF, None, NAN, NAN, None),
    ("x.cos()", -INF, None, NAN, NAN, None),
    ("x.tanh()", NAN, None, NAN, NAN, None),
    ("x + y", INF, -INF, NAN, 1.0, 1.0),
]


@pytest.mark.parametrize("expr, x, y, value, dx, dy", NUMERIC_POLICY, ids=lambda v: str(v))
def test_numeric_policy_gives_ieee_results_forward_and_backward(expr, x, y, value, dx, dy):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vx, vy = Value(x), Value(0.0 if y is None else y)
        out = eval(expr, {}, {"x": vx, "y": vy})
        out.backward()
    assert _same(out.data, value), (out.data, value)
    assert _same(vx.grad, dx), (vx.grad, dx)
    if dy is not None:
        assert _same(vy.grad, dy), (vy.grad, dy)


@pytest.mark.parametrize("expr, x", [("x.sqrt()", 0.0), ("x ** 0", 0.0), ("x.log()", 0.0), ("1 / x", 0.0)])
def test_numeric_policy_holds_for_second_derivatives(expr, x):
    vx = Value(x)
    (d1,) = am.grad(eval(expr, {}, {"x": vx}), [vx], create_graph=True)
    (d2,) = am.grad(d1, [vx])
    assert isinstance(d1, Value) and (d2 is None or isinstance(d2, float))


@pytest.mark.parametrize(
    "make, error, pattern",
    [
        (lambda: Value(1.0) + "x", TypeError, "cannot combine a Value with str"),
        (lambda: Value(1.0) ** "x", TypeError, "real number"),
        (lambda: Value("1"), TypeError, "real number"),
        (lambda: Value(Value(1.0)), TypeError, "detach"),
    ],
)
def test_non_numbers_are_refused_with_a_clear_message(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("x, truth", [(0.0, False), (-0.0, False), (2.0, True), (-1e-300, True), (NAN, True)])
def test_bool_of_a_value_is_data_not_zero(x, truth):
    assert bool(Value(x)) is truth
    assert bool(Value(x)) is bool(np.float64(x))


def test_negative_base_with_integer_exponent_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0


def test_repr_and_conversions():
    x = Value(2.0, label="x")
    y = x * 3.0
    assert repr(x) == "Value(x=2, grad=0)"
    assert "op=*" in repr(y)
    assert float(y) == 6.0 and y.item() == 6.0
    assert x < y and y >= 6.0 and not (y > 6.0)
    assert {x: 1}[x] == 1


# ------------------------------------------------------------ graph core accessors


def test_grad_state_and_scopes_are_public_and_restored():
    from autograd_mlp import graph

    assert graph.state.enabled and graph.state.scope == ""
    with am.no_grad():
        assert graph.state.enabled is False and graph.is_grad_enabled() is False
    outer = graph.enter_scope("net")
    inner = graph.enter_scope("0")
    assert (outer, inner, graph.current_scope()) == ("", "net", "net.0")
    graph.restore_scope(inner)
    assert graph.current_scope() == "net"
    graph.restore_scope(outer)
    with graph.name_scope("a"), graph.name_scope("b"):
        assert graph.state.scope == "a.b"
    assert graph.state.scope == ""


def test_grad_changes_no_grad_anywhere_and_walks_once():
    x, w = Value(2.0), Value(3.0)
    h = x * w
    y = h * h + x
    x.grad, w.grad, h.grad = 5.0, 7.0, 11.0
    dx, dh = am.grad(y, [x, h])
    assert (dx, dh) == (2 * 6.0 * 3.0 + 1.0, 2 * 6.0)
    assert (x.grad, w.grad, h.grad, y.grad) == (5.0, 7.0, 11.0, 0.0)


def test_each_interior_gradient_is_written_once_with_its_total():
    writes = []

    class Spy(Value):
        __slots__ = ()
        _parents_in_slots = False  # the general walk: Value's own keeps sums in flight in .grad

        def __setattr__(self, name, value):
            if name == "grad":
                writes.append(value)
            object.__setattr__(self, name, value)

    x = Value(1.5)
    s = x * x + x  # s = x**2 + x: three interior nodes, x used three times
    s.__class__ = Spy
    writes.clear()
    s.backward()
    assert writes == [1.0] and x.grad == 2 * 1.5 + 1.0
