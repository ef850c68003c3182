"""Record and replay: the replayed step gives backward()'s numbers to the last bit, refuses
what it could not reproduce, and checks its inputs; the hand-written moons step agrees
with the engine."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mlp import Op, Value, nn, no_grad, replay
from autograd_mlp.data import make_moons
from autograd_mlp.nn import MLP, Neuron
from autograd_mlp.replay import RecordError
from autograd_mlp.value import from_op

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from handwritten_moons import HandwrittenMLP  # noqa: E402


def as_values(x):
    """The same nested structure with every number made a Value leaf (what record() hands fn)."""
    if isinstance(x, (list, tuple)):
        return [as_values(v) for v in x]
    return Value(x)


def bits(xs):
    return [repr(float(x)) for x in xs]  # repr tells -0.0 from 0.0 and is exact


def eager(fn, params, inputs):
    """Loss and gradients from backward(), starting from zeroed gradients."""
    for p in params:
        p.grad = 0.0
    loss = fn(*as_values(list(inputs)))
    loss.backward()
    return loss.data, [p.grad for p in params]


def replayed(step, params, inputs):
    for p in params:
        p.grad = 0.0
    loss = step(*inputs)
    return loss, [p.grad for p in params]


def assert_same_as_backward(fn, params, inputs, steps=1, lr=0.1):
    """Replay and backward() agree bit for bit, over SGD steps (so parameters change between calls)."""
    step = replay.record(fn, params, tuple(inputs))
    for _ in range(steps):
        loss_r, grads_r = replayed(step, params, inputs)
        loss_e, grads_e = eager(fn, params, inputs)
        assert bits([loss_r]) == bits([loss_e])
        assert bits(grads_r) == bits(grads_e)
        for p in params:
            p.data -= lr * p.grad
    return step


# ---------------------------------------------------------------- the lessons' networks


def test_a_neuron_replays_bit_for_bit_and_shows_its_chain_rule():
    neuron = Neuron(2, activation="tanh", fused=False, rng=0)
    neuron.w[0].label, neuron.w[1].label, neuron.b.label = "w1", "w2", "b"
    params = neuron.parameters()
    step = assert_same_as_backward(lambda x1, x2: neuron([x1, x2]), params, (0.5, -1.5), steps=3)
    code = step.source()
    assert "loss = tanh(t4)" in code
    assert "d_t4 = 1.0 - loss * loss" in code  # Value.tanh's rule, g * (1 - out * out) with g = 1
    assert "d_w1 = d_t4 * x0" in code and "d_b = d_t4" in code  # the first (here only) contribution
    assert "w1_grad + d_w1" in code  # then added to the .grad so far, as backward() adds a leaf's total
    assert str(step) == code


def xor_loss(model):
    """Post 000's 2-2-1 sigmoid network on XOR, binary cross-entropy written out as the post does."""

    def loss_fn(X, Y):
        total = 0
        for x, y in zip(X, Y):
            p = model(x)
            total = total + -(y * p.log() + (1 - y) * (1 - p).log())
        return total * (1.0 / len(X))

    return loss_fn


XOR = ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("fused", [True, False])
def test_post_000_xor_network_trains_to_the_same_numbers(fused):
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", fused=fused, rng=0)
    assert_same_as_backward(xor_loss(model), model.parameters(), XOR, steps=20, lr=1.0)


def moons_loss(model):
    params = model.parameters()

    def loss_fn(X, y):
        scores = list(map(model, X))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    return loss_fn


def moons(n):
    X, y = make_moons(n, noise=0.1, seed=1)
    return X.tolist(), (2 * y - 1).astype(float).tolist()


@pytest.mark.parametrize("fused", [True, False])
def test_micrograd_moons_mlp_replays_bit_for_bit(fused):
    model = MLP(2, [16, 16, 1], fused=fused, rng=1337)
    assert_same_as_backward(moons_loss(model), model.parameters(), moons(6), steps=3, lr=0.5)


def test_the_hand_written_moons_step_computes_the_engines_numbers():
    X, y = moons(100)
    model = MLP(2, [16, 16, 1], rng=1337)
    hand = HandwrittenMLP.from_model(model)
    params = model.parameters()
    loss_fn = moons_loss(model)
    for k in range(3):
        loss_e, grads_e = eager(loss_fn, params, (X, y))
        loss_h = hand.loss_and_gradients(X, y)
        if k == 0:
            assert loss_h == loss_e  # the same forward arithmetic on the same weights: bit for bit
        # the gradients are summed in another order (1e-16 apart), so the weights drift apart slightly
        assert abs(loss_h - loss_e) < 1e-12
        assert max(abs(a - b) for a, b in zip(hand.gradients(), grads_e)) < 1e-12
        hand.step(X, y)  # recomputes the same gradients, then updates with lr 1 - 0.9 k / 100
        for p in params:
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        assert max(abs(a - p.data) for a, p in zip(hand.parameters(), params)) < 1e-12


@settings(max_examples=25, deadline=None)
@given(
    nin=st.integers(1, 3),
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", None]),
    output=st.sampled_from([None, "sigmoid", "tanh"]),
    fused=st.booleans(),
    seed=st.integers(0, 2**16),
    batch=st.integers(1, 3),
    data=st.data(),
)
def test_random_small_mlps_replay_bit_for_bit(nin, sizes, activation, output, fused, seed, batch, data):
    model = MLP(nin, sizes, activation=activation, output_activation=output, fused=fused, rng=seed)
    number = st.floats(-2, 2, allow_nan=False, allow_infinity=False)
    X = data.draw(st.lists(st.lists(number, min_size=nin, max_size=nin), min_size=batch, max_size=batch))
    T = data.draw(st.lists(number, min_size=batch, max_size=batch))

    def loss_fn(X, T):
        total = 0
        for x, t in zip(X, T):
            out = model(x)
            for o in out if isinstance(out, list) else [out]:
                d = o - t
                total = total + d * d
        return total * 0.5

    assert_same_as_backward(loss_fn, model.parameters(), (X, T), steps=2)


def test_ops_whose_rules_branch_are_called_as_they_are_and_agree():
    w = Value(0.7, label="w")

    def fn(x):
        z = w * x
        return z.leaky_relu(0.1) + w**2 + z.exp().log() + z.sigmoid() + (w - x).abs() + z.softplus() + w / x + z.sin()

    step = assert_same_as_backward(fn, [w], (1.5,))
    assert "leaky_relu" in step.stats["rules_called_at_run_time"]
    for x in (-2.0, 0.25):
        assert bits(replayed(step, [w], (x,))[1]) == bits(eager(fn, [w], (x,))[1])


def test_an_op_without_a_known_forward_is_refused():
    cube = Op("cube", lambda g, out, x: (g * 3.0 * x * x,))
    w = Value(0.5)
    with pytest.raises(RecordError, match="does not know the forward of op 'cube'"):
        replay.record(lambda x: from_op(0.125, cube, [w * x]), [w], (1.0,))


# ---------------------------------------------------------------- gradient semantics


def test_gradients_accumulate_across_calls_as_with_backward():
    model = MLP(2, [3, 1], rng=0)
    params = model.parameters()
    loss_fn = moons_loss(model)
    X, y = moons(4)
    step = replay.record(loss_fn, params, (X, y))
    for p in params:
        p.grad = 0.0
    step(X, y)
    step(X, y)  # no zeroing: leaves add up, as backward() twice does
    twice = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    loss_fn(*as_values([X, y])).backward()
    loss_fn(*as_values([X, y])).backward()
    assert bits(twice) == bits(p.grad for p in params)


def test_a_grad_set_to_none_starts_from_the_first_contribution():
    w = Value(2.0)
    step = replay.record(lambda x: w * x, [w], (3.0,))
    w.grad = None
    step(-0.0)
    assert repr(w.grad) == "-0.0"  # not 0.0 + -0.0


def test_unused_parameters_keep_their_grad():
    used, unused = Value(1.0), Value(5.0)
    unused.grad = None
    step = replay.record(lambda x: used * x, [used, unused], (2.0,))
    step(2.0)
    assert unused.grad is None and used.grad == 2.0


# ---------------------------------------------------------------- refusals


W = Value(0.5, label="w")


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda x: W * x if W * x > 0 else W, "comparison >"),
        (lambda x: W * x if bool(W * x) else W, "bool()"),
        (lambda x: W * math.exp(W * x), "float()"),
        (lambda x: W * x if (W * x).data > 0 else W, "reading .data"),
        (lambda x: (W * x).detach() * W, "detach()"),
        (lambda x: W * Value(2.0), "made inside the recorded function"),
        (lambda x: W * x * Neuron(1, rng=0)([x]), "made inside the recorded function"),
        (lambda x: nn.binary_cross_entropy([(W * x).sigmoid()], [1.0]), "reading .data"),  # its clamp branches
    ],
)
def test_recording_refuses_what_a_replay_could_not_follow(fn, words):
    with pytest.raises(RecordError, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        replay.record(fn, [W], (1.0,))
    assert (W < 1.0) is True and W.data == 0.5  # every patch is undone


def test_recording_refuses_no_grad_and_backward_inside_fn():
    def with_no_grad(x):
        with no_grad():
            frozen = W * x
        return W * frozen

    with pytest.raises(RecordError, match="no_grad"):
        replay.record(with_no_grad, [W], (1.0,))

    def calls_backward(x):
        y = W * x
        y.backward()
        return y

    with pytest.raises(RecordError, match="backward"):
        replay.record(calls_backward, [W], (1.0,))


def test_recording_refuses_values_it_was_not_told_about():
    forgotten = Value(3.0, label="forgotten")
    with pytest.raises(RecordError, match="'forgotten'.*neither in params nor among the inputs"):
        replay.record(lambda x: W * x * forgotten, [W], (1.0,))
    stale = W * 2.0  # computed before fn runs: backward() would keep its old number
    with pytest.raises(RecordError, match="computed before fn ran"):
        replay.record(lambda x: stale * x, [W], (1.0,))


@pytest.mark.parametrize(
    "params, inputs, error, words",
    [
        ([W, W], (1.0,), ValueError, "listed twice"),
        ([W * 2], (1.0,), ValueError, "parameters are leaves"),
        ([1.0], (1.0,), TypeError, "params\\[0\\] must be a Value"),
        ([W], [1.0], TypeError, "tuple of fn's arguments"),
        ([W], ("a",), TypeError, "must be a real number"),
    ],
)
def test_record_checks_its_arguments(params, inputs, error, words):
    with pytest.raises(error, match=words):
        replay.record(lambda x: W * x, params, inputs)


def test_replay_checks_count_shape_type_and_finiteness_of_inputs():
    step = replay.record(lambda x, y: W * x[0] + x[1] * y, [W], ([1.0, 2.0], 3.0))
    with pytest.raises(TypeError, match="takes 2 input argument"):
        step([1.0, 2.0])
    with pytest.raises(ValueError, match="has 3 items, recorded with 2"):
        step([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(TypeError, match=r"input 0\[1\] must be a real number, got str"):
        step([1.0, "2"], 1.0)
    with pytest.raises(ValueError, match="is nan"):
        step([1.0, math.nan], 1.0)
    import numpy as np

    assert step(np.array([1.0, 2.0]), 3) == 0.5 * 1.0 + 6.0  # arrays and ints are numbers too
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        step(np.zeros(3), 1.0)
    lenient = replay.record(lambda x: W * x, [W], (1.0,), allow_nonfinite=True)
    assert math.isnan(lenient(math.nan))


def test_large_graphs_are_not_printed_by_accident():
    model = MLP(2, [16, 16, 1], rng=0)
    X, y = moons(3)
    step = replay.record(moons_loss(model), model.parameters(), (X, y))
    lines = step.stats["lines"]
    assert lines > replay.ReplayStep.MAX_LINES
    with pytest.raises(ValueError, match=f"{lines:,} lines long.*force=True"):
        step.source()
    assert step.source(force=True).count("\n") == lines
    assert step.source(max_lines=lines) == step.source(force=True)
    assert "force=True" in str(step) and len(str(step)) < 300


def test_the_benchmark_group_runs_in_quick_mode(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "replay", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    import json

    names = [r["benchmark"] for r in json.loads(out.read_text())["results"]]
    assert any("replay vs hand-written" in n for n in names) and any("unfused" in n for n in names)


# every op the replay knows, on random expression graphs (catches printing mistakes: a dropped
# parenthesis changes the float result)
UNARY_OPS = [
    lambda v: -v, lambda v: v.tanh(), lambda v: v.sigmoid(), lambda v: v.relu(), lambda v: abs(v),
    lambda v: v.leaky_relu(0.05), lambda v: v.softplus(), lambda v: v.log_sigmoid(), lambda v: v.sin(),
    lambda v: v.cos(), lambda v: v ** 2, lambda v: v ** 3, lambda v: (v * v + 1.0).log(),
    lambda v: (v * 0.1).exp(), lambda v: (v * v + 0.5).sqrt(), lambda v: 2.5 - v, lambda v: 1.0 / (v * v + 1.0),
]
BINARY_OPS = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1.0),
              lambda a, b: (a * a + 1.0) ** (b.tanh())]


@settings(max_examples=40, deadline=None)
@given(
    program=st.lists(st.tuples(st.booleans(), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
                     min_size=1, max_size=12),
    numbers=st.lists(st.floats(-2, 2, allow_nan=False, allow_infinity=False), min_size=3, max_size=3),
)
def test_random_expressions_of_every_op_replay_bit_for_bit(program, numbers):
    w = [Value(numbers[0]), Value(numbers[1])]

    def fn(x):
        pool = [w[0], w[1], x]
        for binary, op, i, j in program:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            pool.append(BINARY_OPS[op % len(BINARY_OPS)](a, b) if binary else UNARY_OPS[op % len(UNARY_OPS)](a))
        return pool[-1] + pool[-2] * 0.5

    assert_same_as_backward(fn, w, (numbers[2],), steps=2, lr=0.01)
