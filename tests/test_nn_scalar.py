"""Scalar Neuron / NeuronLayer / MLP, weight initialisation, seeding and the scalar losses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mlp import random as am_random
from autograd_mlp.nn import (
    MLP,
    Neuron,
    NeuronLayer,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    init,
    l2_penalty,
    mse_loss,
)
from autograd_mlp.value import Value

ACTIVATIONS = {
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "linear": lambda z: z,
}


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------- neurons


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_neuron_computes_act_of_w_dot_x_plus_b(activation, fused):
    neuron = Neuron(3, activation, fused=fused, rng=4)
    neuron.b.data = 0.25
    x = [0.5, -1.5, 2.0]
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + 0.25
    assert close(neuron(x).data, ACTIVATIONS[activation](z))


@pytest.mark.parametrize("fused", [True, False])
def test_neuron_gradients_are_the_chain_rule(fused):
    neuron = Neuron(2, "tanh", fused=fused, rng=1)
    x = [Value(0.7), Value(-0.2)]
    out = neuron(x)
    out.backward()
    dz = 1.0 - out.data**2
    for w, xi in zip(neuron.w, x):
        assert close(w.grad, dz * xi.data)
        assert close(xi.grad, dz * w.data)
    assert close(neuron.b.grad, dz)


@pytest.mark.parametrize("who", [Neuron(2, rng=0), NeuronLayer(2, 3, rng=0), MLP(2, [3, 1], rng=0)])
@pytest.mark.parametrize("inputs", [[1.0, 2.0, 3.0], [1.0]])
def test_wrong_number_of_inputs_names_both_counts(who, inputs):
    name = type(who).__name__
    with pytest.raises(ValueError, match=f"{name} expects 2 inputs, got {len(inputs)}"):
        who(inputs)


def test_unfused_neuron_also_checks_the_input_count():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Neuron(2, fused=False, rng=0)([1.0, 2.0, 3.0])


def test_inputs_may_be_numbers_values_numpy_or_a_lone_number():
    neuron = Neuron(2, "linear", rng=3)
    expected = neuron([1.0, 2.0]).data
    assert neuron([Value(1.0), 2]).data == expected
    assert neuron(np.array([1.0, 2.0])).data == expected
    assert neuron((1.0, 2.0)).data == expected
    single = Neuron(1, "linear", rng=3)
    assert single(2.0).data == single([2.0]).data == single(Value(2.0)).data


def test_layer_returns_a_list_or_a_single_value_for_one_output():
    many = NeuronLayer(2, 3, rng=0)([1.0, 2.0])
    assert isinstance(many, list) and len(many) == 3 and all(isinstance(v, Value) for v in many)
    assert isinstance(NeuronLayer(2, 1, rng=0)([1.0, 2.0]), Value)


def test_layer_shares_one_leaf_per_plain_number_input():
    outs = NeuronLayer(2, 3, rng=0)([1.0, 2.0])
    leaves = {id(p) for o in outs for p in o._prev[2:4]}  # linear's parents: w1, w2, x1, x2, b
    assert len(leaves) == 2


def test_mlp_output_is_linear_by_default_and_configurable():
    model = MLP(2, [3, 1], rng=0)
    assert [n.activation for n in model.layers[0].neurons] == ["relu"] * 3
    assert model.layers[-1].neurons[0].activation is None
    probs = MLP(2, [3, 1], "tanh", output_activation="sigmoid", rng=0)
    assert probs.layers[0].neurons[0].activation == "tanh"
    assert 0.0 < probs([5.0, -5.0]).data < 1.0


def test_mlp_with_several_outputs_and_width_one_hidden_layer():
    assert len(MLP(2, [3, 4], rng=0)([1.0, 2.0])) == 4
    assert isinstance(MLP(2, [1, 1, 1], rng=0)([1.0, 2.0]), Value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Neuron(0), "nin must be a positive int"),
        (lambda: Neuron(2.5), "nin must be a positive int"),
        (lambda: Neuron(2, "softmax"), "unknown activation 'softmax'"),
        (lambda: Neuron(2, init="he"), "unknown init scheme 'he'"),
        (lambda: NeuronLayer(2, 0), "nout must be a positive int"),
        (lambda: MLP(2, []), "at least one layer"),
    ],
)
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ---------------------------------------------------------------- fused == unfused


def grads_of(model, x, fused):
    model.fused = fused
    inputs = [Value(xi) for xi in x]
    out = model(inputs)
    outs = out if isinstance(out, list) else [out]
    loss = outs[0]
    for i, o in enumerate(outs[1:], 2):
        loss = loss + o * i  # weight the outputs differently so each gradient path counts
    model.zero_grad()
    loss.backward()
    return [o.data for o in outs], [p.grad for p in model.parameters()], [v.grad for v in inputs]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    nin=st.integers(1, 4),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
    output_activation=st.sampled_from([None, "sigmoid", "tanh"]),
    data=st.data(),
)
def test_fused_and_unfused_give_the_same_outputs_and_gradients(seed, nin, sizes, activation, output_activation, data):
    x = data.draw(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin))
    fused = MLP(nin, sizes, activation, output_activation, rng=seed)
    unfused = MLP(nin, sizes, activation, output_activation, fused=False, rng=seed)
    assert [p.data for p in fused.parameters()] == [p.data for p in unfused.parameters()]
    # Biases start at 0; give them (and the weights) other numbers so the order of the sums matters.
    rng = np.random.default_rng(seed)
    state = {name: rng.uniform(-2, 2) for name, _ in fused.named_parameters()}
    fused.load_state_dict(state)
    unfused.load_state_dict(state)
    a = grads_of(fused, x, True)
    b = grads_of(unfused, x, False)
    assert a[0] == b[0]  # the same sums in the same order: identical outputs, bit for bit
    for got, want in zip(a, b):
        assert len(got) == len(want)
        assert all(close(g, w) for g, w in zip(got, want)), (got, want)
    # one model, switched: the same numbers again
    c = grads_of(fused, x, False)
    assert all(close(g, w) for got, want in zip(a, c) for g, w in zip(got, want))


def test_unfused_graph_is_micrograds_and_fused_is_one_node_per_neuron():
    x = [1.0, 2.0]
    fused = Neuron(2, "tanh", rng=0)(x)
    assert fused._op.name == "linear+tanh" and len(fused._prev) == 5
    unfused = Neuron(2, "tanh", fused=False, rng=0)(x)
    assert unfused._op.name == "tanh"
    ops = []
    stack = [unfused]
    while stack:
        node = stack.pop()
        if node._op is not None:
            ops.append(node._op.name)
        stack.extend(node._prev)
    assert sorted(ops) == sorted(["tanh", "+", "+", "*", "*"])


def test_finite_differences_through_an_mlp_and_loss():
    model = MLP(2, [3, 1], "tanh", rng=11)
    x, target = [0.4, -0.9], 0.3

    def loss_value():
        return mse_loss(model(x), target)

    loss = loss_value()
    model.zero_grad()
    loss.backward()
    h = 1e-6
    for p in model.parameters():
        saved = p.data
        p.data = saved + h
        up = loss_value().data
        p.data = saved - h
        down = loss_value().data
        p.data = saved
        assert abs(p.grad - (up - down) / (2 * h)) < 1e-7


# ---------------------------------------------------------------- init and seeding


def test_same_seed_same_model_different_seed_different_model():
    def weights(model):
        return [p.data for p in model.parameters()]

    assert weights(MLP(2, [3, 1], rng=7)) == weights(MLP(2, [3, 1], rng=7))
    assert weights(MLP(2, [3, 1], rng=7)) != weights(MLP(2, [3, 1], rng=8))
    am_random.manual_seed(123)
    first = weights(MLP(2, [3, 1]))
    am_random.manual_seed(123)
    assert weights(MLP(2, [3, 1])) == first
    assert weights(MLP(2, [3, 1])) != first  # the default generator moved on


def test_an_int_seed_is_resolved_once_per_model():
    layer = NeuronLayer(2, 3, rng=0)
    rows = [[w.data for w in n.w] for n in layer.neurons]
    assert rows[0] != rows[1] != rows[2]


def test_weights_come_from_the_generator_in_order():
    layer = NeuronLayer(3, 2, rng=np.random.default_rng(5))
    expected = np.random.default_rng(5).uniform(-1, 1, size=6)
    assert [w.data for n in layer.neurons for w in n.w] == expected.tolist()
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_rng_argument_types():
    assert am_random.get_generator(None) is am_random.default_generator()
    g = np.random.default_rng(1)
    assert am_random.get_generator(g) is g
    assert am_random.get_generator(3).uniform() == np.random.default_rng(3).uniform()
    with pytest.raises(TypeError):
        am_random.get_generator("seed")
    with pytest.raises(TypeError):
        am_random.manual_seed(1.5)
    with pytest.raises(ValueError):
        am_random.manual_seed(-1)


@pytest.mark.parametrize(
    "scheme, activation, bound",
    [
        ("uniform", "relu", 1.0),
        ("kaiming", "relu", math.sqrt(2.0) * math.sqrt(3.0 / 50)),
        ("kaiming", "tanh", 5.0 / 3.0 * math.sqrt(3.0 / 50)),
        ("xavier", None, math.sqrt(6.0 / (50 + 40))),
        ("xavier", "sigmoid", math.sqrt(6.0 / (50 + 40))),
    ],
)
def test_init_schemes_fill_their_bounds(scheme, activation, bound):
    layer = NeuronLayer(50, 40, activation, init=scheme, rng=0)
    w = np.array([w.data for n in layer.neurons for w in n.w])
    assert np.all(np.abs(w) <= bound)
    assert np.abs(w).max() > 0.98 * bound  # 2,000 draws reach the edge
    assert abs(w.std() - bound / math.sqrt(3.0)) < 0.05 * bound  # U(-b, b) has std b / sqrt(3)


def test_init_functions():
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    with pytest.raises(ValueError):
        init.calculate_gain("softmax")
    w = init.kaiming_normal((400, 100), 100, rng=0)
    assert abs(w.std() - math.sqrt(2.0 / 100)) < 0.01
    w = init.xavier_normal((300, 200), 200, 300, rng=0)
    assert abs(w.std() - math.sqrt(2.0 / 500)) < 0.005
    assert init.normal(5, 1.0, 0.0, rng=0).tolist() == [1.0] * 5
    assert init.zeros((2, 2)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    np.testing.assert_array_equal(init.uniform(4, rng=9), np.random.default_rng(9).uniform(-1, 1, 4))
    with pytest.raises(ValueError):
        init.kaiming_uniform(3, 0)
    with pytest.raises(ValueError):
        init.uniform(3, 1.0, -1.0)


# ---------------------------------------------------------------- losses

floats = st.floats(-5, 5, allow_nan=False)


def backward_grads(loss, nodes):
    loss.backward()
    return [n.grad for n in nodes]


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(floats, floats), min_size=1, max_size=8))
def test_mse_matches_numpy(pairs):
    p = np.array([a for a, _ in pairs])
    t = np.array([b for _, b in pairs])
    nodes = [Value(a) for a in p]
    loss = mse_loss(nodes, t.tolist())
    assert close(loss.data, float(np.mean((p - t) ** 2)))
    expected = 2 * (p - t) / len(p)
    assert all(close(g, e) for g, e in zip(backward_grads(loss, nodes), expected))
    assert close(mse_loss(p.tolist(), t.tolist(), reduction="sum").data, float(np.sum((p - t) ** 2)))


probabilities = st.floats(1e-6, 1 - 1e-6)
soft_targets = st.floats(0, 1)


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(probabilities, st.one_of(st.sampled_from([0.0, 1.0]), soft_targets)), min_size=1, max_size=8))
def test_binary_cross_entropy_matches_the_formula(pairs):
    p = np.array([a for a, _ in pairs])
    t = np.array([b for _, b in pairs])
    nodes = [Value(a) for a in p]
    loss = binary_cross_entropy(nodes, t.tolist())
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert close(loss.data, float(expected), 1e-10)
    # d/dp of -(t log p + (1 - t) log(1 - p)) = (p - t) / (p (1 - p))
    grad = (p - t) / (p * (1 - p)) / len(p)
    assert all(close(g, e, 1e-9) for g, e in zip(backward_grads(loss, nodes), grad))


def test_binary_cross_entropy_is_finite_at_zero_and_one():
    certain_and_right = binary_cross_entropy([Value(0.0), Value(1.0)], [0, 1])
    assert certain_and_right.data == 0.0
    certain_and_wrong = binary_cross_entropy([Value(0.0), Value(1.0)], [1, 0])
    assert certain_and_wrong.data == 100.0  # log clamped at -100, as in PyTorch
    soft = binary_cross_entropy([Value(0.0)], [0.25])
    assert soft.data == 0.25 * 100.0
    for loss in (certain_and_right, certain_and_wrong, soft):
        loss.backward()
        assert math.isfinite(loss.data)
    assert binary_cross_entropy([1e-50], [1]).data == 100.0  # below e**-100 the clamp holds too


def test_binary_cross_entropy_refuses_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="must lie in"):
        binary_cross_entropy([1.2], [1])
    with pytest.raises(ValueError, match="must lie in"):
        binary_cross_entropy([-0.1], [0])


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(st.floats(-800, 800), st.one_of(st.sampled_from([0.0, 1.0]), soft_targets)), min_size=1, max_size=8))
def test_bce_with_logits_matches_a_stable_formula(pairs):
    z = np.array([a for a, _ in pairs])
    t = np.array([b for _, b in pairs])
    nodes = [Value(a) for a in z]
    loss = binary_cross_entropy_with_logits(nodes, t.tolist())
    # -(t log s(z) + (1 - t) log(1 - s(z))) = t log(1 + e^-z) + (1 - t) log(1 + e^z)
    expected = np.mean(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))
    assert math.isfinite(loss.data)
    assert close(loss.data, float(expected), 1e-10)
    sigmoid = np.exp(-np.logaddexp(0, -z))
    grad = (sigmoid - t) / len(z)
    assert all(abs(g - e) <= 1e-12 + 1e-10 * abs(e) for g, e in zip(backward_grads(loss, nodes), grad))


def test_bce_with_logits_agrees_with_bce_on_the_sigmoid():
    z = [-2.0, 0.3, 1.7]
    t = [0.0, 1.0, 0.6]
    with_logits = binary_cross_entropy_with_logits(z, t).data
    plain = binary_cross_entropy([Value(v).sigmoid() for v in z], t).data
    assert close(with_logits, plain, 1e-12)


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(floats, st.sampled_from([-1, 1])), min_size=1, max_size=8))
def test_hinge_loss_matches_micrograds_formula(pairs):
    s = np.array([a for a, _ in pairs])
    y = np.array([b for _, b in pairs])
    nodes = [Value(a) for a in s]
    loss = hinge_loss(nodes, y.tolist())
    assert close(loss.data, float(np.mean(np.maximum(0, 1 - y * s))))
    margin_active = (1 - y * s) > 0
    expected = np.where(margin_active, -y, 0.0) / len(s)
    assert all(close(g, e) for g, e in zip(backward_grads(loss, nodes), expected))


def test_hinge_loss_refuses_0_1_labels():
    with pytest.raises(ValueError, match="labels must be -1 or"):
        hinge_loss([0.5, 0.2], [0, 1])


def test_l2_penalty():
    params = [Value(v) for v in (0.5, -2.0, 3.0)]
    loss = l2_penalty(params, 1e-2)
    assert close(loss.data, 1e-2 * (0.25 + 4.0 + 9.0))
    loss.backward()
    assert [p.grad for p in params] == pytest.approx([2e-2 * p.data for p in params], rel=1e-12)
    assert l2_penalty([], 0.1).data == 0.0
    model = MLP(2, [2, 1], rng=0)
    expected = 1e-4 * sum(p.data**2 for p in model.parameters())
    assert close(l2_penalty(model.parameters(), 1e-4).data, expected)


def test_losses_check_lengths_and_reduction():
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        mse_loss([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="no predictions"):
        hinge_loss([], [])
    with pytest.raises(ValueError, match="reduction"):
        mse_loss([1.0], [1.0], reduction="max")
    with pytest.raises(TypeError):
        mse_loss(["a"], [1.0])
    assert mse_loss(Value(3.0), 1.0).data == 4.0  # single values count as one pair


def test_losses_accept_numpy_numbers_as_targets():
    targets = np.array([1.0, -1.0])
    loss = hinge_loss([Value(0.5), Value(0.2)], targets)
    assert isinstance(loss, Value)
    assert close(loss.data, (0.5 + 1.2) / 2)
