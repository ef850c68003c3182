"""nn.Module: discovery and naming of parameters, modes, state dicts and files."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from autograd_mlp import graph
from autograd_mlp.nn import MLP, Module, ModuleDict, ModuleList, Neuron, ParameterList, StateDictError, is_parameter
from autograd_mlp.nn import module as module_py
from autograd_mlp.value import Value

try:  # the real array node, when it is there; the stand-in below covers the protocol either way
    from autograd_mlp.tensor import Tensor
except ImportError:  # pragma: no cover
    Tensor = None


class ArrayParam:
    """The smallest array node a Module must accept: data, grad, requires_grad, _op, _prev."""

    def __init__(self, data, requires_grad=True):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self.requires_grad = requires_grad
        self._op = None
        self._prev = ()


def array_kinds():
    kinds = [ArrayParam]
    if Tensor is not None:
        kinds.append(lambda data, requires_grad=True: Tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad))
    return kinds


class Linear(Module):
    def __init__(self, nin, nout, rng=0):
        super().__init__()
        g = np.random.default_rng(rng)
        self.weight = ArrayParam(g.normal(size=(nout, nin)))
        self.bias = ArrayParam(np.zeros(nout))
        self.running = ArrayParam(np.zeros(nout), requires_grad=False)  # state, not a parameter

    def forward(self, x):
        return self.weight.data @ x + self.bias.data


class Sequential(Module):
    """A container naming its children "0", "1", ... as PyTorch's does."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def forward(self, x):
        for m in self.children():
            x = m(x)
        return x


class Mixed(Module):
    def __init__(self):
        super().__init__()
        self.scale = Value(2.0)
        self.blocks = ModuleList([Linear(3, 2, rng=1), Linear(2, 1, rng=2)])
        self.notes = "not a parameter"
        self.lr = 0.1
        self.table = ModuleDict({"first": Linear(1, 1, rng=3)})
        self.w = ParameterList([Value(3.0)])
        self.plain = [Linear(4, 4), Value(7.0)]  # a plain list: not registered (PyTorch's rule)
        self.plain_dict = {"x": Value(8.0)}
        self.derived = self.scale * 2  # made by an operation: a result, not a parameter


# ---------------------------------------------------------------- discovery


def test_names_follow_definition_order_and_pytorch_style():
    names = [n for n, _ in Mixed().named_parameters()]
    assert names == [
        "scale",
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.weight",
        "blocks.1.bias",
        "table.first.weight",
        "table.first.bias",
        "w.0",
    ]


def test_plain_lists_dicts_and_tuples_are_not_registered_as_in_pytorch():
    class Net(Module):
        def __init__(self):
            self.first = Linear(2, 2)
            self.hidden = [Linear(2, 2)]  # seed 001's MNIST network does this
            self.pair = (Value(1.0), Linear(1, 1))
            self.table = {"a": Value(2.0)}

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["first.weight", "first.bias"]
    assert net.children() == [net.first]
    assert list(net.state_dict()) == ["first.weight", "first.bias"]


def test_containers_behave_like_lists_and_dicts():
    a, b, c = Linear(1, 1, rng=0), Linear(1, 2, rng=1), Linear(2, 2, rng=2)
    layers = ModuleList([a, b])
    layers.append(c)
    assert len(layers) == 3 and list(layers) == [a, b, c] and layers[-1] is c
    assert isinstance(layers[1:], ModuleList) and list(layers[1:]) == [b, c]
    layers.insert(0, c)
    assert list(layers) == [c, a, b, c]
    assert [n for n, _ in layers.named_parameters()][:2] == ["0.weight", "0.bias"]
    with pytest.raises(IndexError, match="out of range for 4"):
        layers[9]
    with pytest.raises(TypeError, match="not a Module"):
        layers.append(Value(1.0))
    heads = ModuleDict({"x": a})
    heads["y"] = b
    assert list(heads) == ["x", "y"] and heads["y"] is b and "x" in heads and len(heads) == 2
    with pytest.raises(KeyError, match="keys: \\['x', 'y'\\]"):
        heads["z"]
    with pytest.raises(KeyError, match="reserved"):
        heads["keys"] = c
    params = ParameterList([Value(1.0), Value(2.0)])
    assert [p.data for p in params] == [1.0, 2.0] and len(params) == 2
    with pytest.raises(TypeError, match="not a parameter"):
        params.append(Value(1.0) * 2)


def test_sequential_containers_get_zero_dot_weight_names():
    seq = Sequential(Linear(3, 2), Linear(2, 1))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    with pytest.raises(ValueError, match="without '.'"):
        seq.add_module("a.b", Linear(1, 1))
    with pytest.raises(TypeError):
        seq.add_module("x", Value(1.0))


def test_mlp_parameter_names_and_count():
    model = MLP(3, [4, 2], rng=0)
    names = [n for n, _ in model.named_parameters()]
    assert names[:5] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.1.b"
    assert len(names) == len(set(names)) == (3 + 1) * 4 + (4 + 1) * 2
    assert model.num_parameters() == len(names)
    assert list(model.parameters()) == [p for _, p in model.named_parameters()]


def test_parameters_order_is_the_same_every_time():
    a, b = MLP(2, [3, 1], rng=5), MLP(2, [3, 1], rng=5)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in a.named_parameters()]


def test_shared_parameters_and_modules_are_listed_once():
    shared_value = Value(1.0)
    shared_layer = Linear(2, 2)

    class Tied(Module):
        def __init__(self):
            self.a = shared_value
            self.first = shared_layer
            self.b = shared_value
            self.second = shared_layer
            self.many = ParameterList([shared_value, Value(5.0)])

    tied = Tied()
    names = [n for n, _ in tied.named_parameters()]
    assert names == ["a", "first.weight", "first.bias", "many.1"]
    assert tied.num_parameters() == 1 + 4 + 2 + 1
    assert [n for n, _ in tied.named_modules()] == ["", "first", "many"]
    assert tied.children() == [shared_layer, tied.many]


def test_is_parameter():
    assert is_parameter(Value(1.0))
    assert not is_parameter(Value(1.0) + 1)  # an operation's result
    assert is_parameter(ArrayParam([1.0]))
    assert not is_parameter(ArrayParam([1.0], requires_grad=False))
    assert not is_parameter(np.zeros(3)) and not is_parameter(1.0) and not is_parameter("w")
    if Tensor is not None:
        assert is_parameter(Tensor([1.0, 2.0], requires_grad=True))
        assert not is_parameter(Tensor([1.0, 2.0]))
        assert not is_parameter(Tensor([1.0], requires_grad=True) * 2)


def test_named_modules_children_and_train_eval():
    model = MLP(2, [3, 1], rng=0)
    names = [n for n, _ in model.named_modules()]
    assert names[:5] == ["", "layers", "layers.0", "layers.0.neurons", "layers.0.neurons.0"]
    # the model, its layer list, 2 layers with a neuron list each, 3 + 1 neurons with a weight list each
    assert len(names) == 1 + 1 + 2 * 2 + (3 + 1) * 2
    assert [n for n, _ in model.named_children()] == ["layers"]
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_training_defaults_true_without_super_init():
    class Bare(Module):
        def __init__(self):
            self.w = Value(1.0)

    bare = Bare()
    assert bare.training is True
    bare.eval()
    assert bare.training is False


# ---------------------------------------------------------------- grads and calls


def test_zero_grad_values_to_zero_and_arrays_to_none():
    model = Mixed()
    loss = model.scale * 3 + model.w[0]
    loss.backward()
    for _, p in model.named_parameters():
        if isinstance(p.data, np.ndarray):
            p.grad = np.ones_like(p.data)
    assert model.scale.grad == 3.0
    model.zero_grad()
    for name, p in model.named_parameters():
        if isinstance(p.data, np.ndarray):
            assert p.grad is None, name
        else:
            assert p.grad == 0.0 and isinstance(p.grad, float), name


@pytest.mark.skipif(Tensor is None, reason="no Tensor yet")
def test_zero_grad_on_real_tensors():
    class Model(Module):
        def __init__(self):
            self.w = Tensor(np.array([1.0, -2.0]), requires_grad=True)

    m = Model()
    (m.w * m.w).sum().backward()
    np.testing.assert_allclose(m.w.grad, [2.0, -4.0])
    m.zero_grad()
    assert m.w.grad is None


def test_call_runs_forward_inside_a_name_scope_per_module():
    seen = []

    class Leaf(Module):
        def forward(self, x):
            seen.append(graph.current_scope())
            return x

    class Outer(Module):
        def __init__(self):
            self.first = Leaf()
            self.items = ModuleList([Leaf(), Leaf()])

        def forward(self, x):
            seen.append(graph.current_scope())
            x = self.first(x)
            for item in self.items:
                x = item(x)
            return x

    outer = Outer()
    assert outer(5) == 5
    assert seen == ["Outer", "Outer.first", "Outer.items.0", "Outer.items.1"]
    assert graph.current_scope() == ""
    with graph.name_scope("run"):  # nests under an enclosing scope exactly as name_scope does
        Leaf()(0)
        with graph.name_scope("Leaf"):
            expected = graph.current_scope()
    assert seen[-1] == expected == "run.Leaf"


def test_scope_is_restored_when_forward_raises():
    class Broken(Module):
        def forward(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Broken()()
    assert graph.current_scope() == ""


@pytest.mark.skipif(Tensor is None, reason="no Tensor yet")
def test_tensor_nodes_record_the_module_scope():
    class Scale(Module):
        def __init__(self):
            self.w = Tensor(np.array([2.0]), requires_grad=True)

        def forward(self, x):
            return x * self.w

    class Net(Module):
        def __init__(self):
            self.layers = ModuleList([Scale(), Scale()])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    out = Net()(Tensor(np.array([1.0])))
    assert out._scope == "Net.layers.1"
    assert out._prev[0]._scope == "Net.layers.0"


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Bare must define forward"):

        class Bare(Module):
            pass

        Bare()(1)


def test_repr_is_nested_and_folds_repeats():
    text = repr(MLP(2, [3, 1], rng=0))
    assert text.startswith("MLP(\n")
    assert "(layers): ModuleList(\n    (0): NeuronLayer(" in text
    assert "(neurons): ModuleList(\n        (0-2): 3 x Neuron(2, activation='relu')" in text
    assert "(0): Neuron(3, activation='linear')" in text
    assert repr(Neuron(2, "tanh", fused=False, rng=0)) == "Neuron(2, activation='tanh', fused=False)"


# ---------------------------------------------------------------- state dicts


def perturbed_copy(model_factory):
    """Two models of the same layout with different numbers."""
    a, b = model_factory(0), model_factory(1)
    assert any(not np.array_equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    return a, b


@pytest.mark.parametrize("kind", array_kinds())
def test_state_dict_round_trip_with_values_and_arrays(kind):
    class Model(Module):
        def __init__(self, seed):
            g = np.random.default_rng(seed)
            self.v = Value(float(g.normal()))
            self.w = kind(g.normal(size=(2, 3)))

    a, b = perturbed_copy(Model)
    state = a.state_dict()
    assert list(state) == ["v", "w"]
    assert state["v"].shape == () and state["v"].dtype == np.float64
    assert state["w"].shape == (2, 3)
    state["w"][0, 0] = 123.0  # a copy: editing it leaves the model alone
    assert a.w.data[0, 0] != 123.0
    w_array = b.w.data
    b.load_state_dict(a.state_dict())
    assert b.v.data == a.v.data and isinstance(b.v.data, float)
    np.testing.assert_array_equal(b.w.data, a.w.data)
    assert b.w.data is w_array  # copied in place: anything holding the array sees the new numbers


def test_state_dict_round_trip_for_mlp_changes_outputs_back():
    a, b = perturbed_copy(lambda seed: MLP(2, [4, 1], rng=seed))
    x = [0.3, -0.7]
    assert a(x).data != b(x).data
    b.load_state_dict(a.state_dict())
    assert a(x).data == b(x).data


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    model = Linear(3, 2)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    state = {
        "weight": np.zeros((3, 2)),  # transposed
        "extra": np.zeros(1),
        "other": np.zeros(1),
    }  # "bias" missing
    with pytest.raises(StateDictError) as info:
        model.load_state_dict(state)
    error = info.value
    message = str(error)
    assert error.missing_keys == ["bias"]
    assert error.unexpected_keys == ["extra", "other"]
    assert len(error.mismatched) == 1
    for piece in ["missing keys (1): bias", "unexpected keys (2): extra, other", "weight: expected shape (2, 3), got (3, 2)"]:
        assert piece in message
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_strict_refuses_extra_keys_alone():
    model = Linear(3, 2)
    state = {**model.state_dict(), "extra": np.zeros(1)}
    with pytest.raises(StateDictError, match=r"unexpected keys \(1\): extra") as info:
        model.load_state_dict(state)
    assert info.value.missing_keys == []
    assert "missing keys" not in str(info.value)


def test_load_state_dict_not_strict_ignores_missing_and_unexpected_but_not_shapes():
    model = Linear(3, 2)
    result = model.load_state_dict({"bias": np.array([1.0, 2.0]), "extra": 1.0}, strict=False)
    assert result.missing_keys == ["weight"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model.bias.data, [1.0, 2.0])
    with pytest.raises(StateDictError, match=r"bias: expected shape \(2,\), got \(3,\)"):
        model.load_state_dict({"bias": np.zeros(3)}, strict=False)


def test_load_state_dict_rejects_non_numbers_and_wrong_scalar_shapes():
    neuron = Neuron(2, rng=0)
    good = neuron.state_dict()
    with pytest.raises(StateDictError, match=r"b: expected shape \(\), got \(1,\)"):
        neuron.load_state_dict({**good, "b": np.zeros(1)})
    with pytest.raises(StateDictError, match="w.0: expected numbers"):
        neuron.load_state_dict({**good, "w.0": np.array("text")})
    neuron.load_state_dict({**good, "b": 3})  # a plain number is a 0-d array
    assert neuron.b.data == 3.0


# ---------------------------------------------------------------- files


def test_save_and_load_round_trip(tmp_path):
    a, b = perturbed_copy(lambda seed: MLP(2, [3, 1], rng=seed))
    path = a.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    assert b.load(path) is b
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_save_uses_the_path_exactly_and_keys_numpy_reserves(tmp_path):
    class Awkward(Module):
        def __init__(self):
            self.file = Value(1.5)  # np.savez(file, **arrays) could not take this key
            self.allow_pickle = Value(2.5)

    path = Awkward().save(tmp_path / "weights")
    assert path.name == "weights" and path.exists()
    loaded = Awkward()
    loaded.file.data = loaded.allow_pickle.data = 0.0
    loaded.load(path)
    assert (loaded.file.data, loaded.allow_pickle.data) == (1.5, 2.5)


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    good = MLP(2, [2, 1], rng=0)
    good.save(path)
    original = path.read_bytes()

    calls = []

    def failing_write_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # fail part-way through the archive
            raise OSError("disk full")
        return real_write_array(*args, **kwargs)

    real_write_array = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        MLP(2, [2, 1], rng=1).save(path)
    assert path.read_bytes() == original  # the old file is untouched
    assert os.listdir(tmp_path) == ["model.npz"]  # and the temporary file is gone


def test_save_into_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Neuron(2, rng=0).save(tmp_path / "nowhere" / "m.npz")


def test_load_missing_file_names_it(tmp_path):
    path = tmp_path / "absent.npz"
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        Neuron(2, rng=0).load(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not an archive at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "text", "truncated-zip"],
)
def test_load_corrupt_file_names_it(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="broken.npz"):
        Neuron(2, rng=0).load(path)


def test_load_truncated_real_archive_names_it(tmp_path):
    path = MLP(2, [3, 1], rng=0).save(tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="m.npz"):
        MLP(2, [3, 1], rng=0).load(path)


def test_load_single_npy_file_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="one.npy.*single array"):
        Neuron(2, rng=0).load(path)


def test_load_file_from_another_model_lists_the_keys(tmp_path):
    path = MLP(2, [3, 1], rng=0).save(tmp_path / "m.npz")
    with pytest.raises(StateDictError, match="missing keys") as info:
        MLP(2, [4, 1], rng=0).load(path)
    assert "layers.0.neurons.3.b" in info.value.missing_keys


def test_saved_file_is_a_plain_npz(tmp_path):
    model = Neuron(2, rng=0)
    path = model.save(tmp_path / "n.npz")
    assert zipfile.is_zipfile(path)
    with np.load(path) as archive:
        assert archive.files == ["w.0", "w.1", "b"]
        assert float(archive["w.1"]) == model.w[1].data


def test_private_helpers_write_and_read_the_same_mapping(tmp_path):
    state = {"a": np.arange(3.0), "b.c": np.array(2.0)}
    module_py.save_state(state, tmp_path / "s.npz")
    loaded = module_py.load_state(tmp_path / "s.npz")
    assert list(loaded) == ["a", "b.c"]
    np.testing.assert_array_equal(loaded["a"], state["a"])
