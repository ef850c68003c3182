"""autograd_mlp.torch: PyTorch's names over the one engine (no PyTorch needed or imported)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mlp as am
import autograd_mlp.torch as torch
from autograd_mlp import dtypes
from autograd_mlp.data import write_idx
from autograd_mlp.nn import Module
from autograd_mlp.tensor import Tensor
from autograd_mlp.torch import nn, optim
from autograd_mlp.torch.nn import functional as F
from autograd_mlp.torch.utils.data import DataLoader, Dataset, TensorDataset
from autograd_mlp.torch.vision import datasets, transforms

ROOT = Path(__file__).resolve().parent.parent

# Parts of the front that are the native Tensor's own PyTorch methods (the tensor
# helper's work, landing in the same tree): their tests run once the methods exist.
has_tensor_api = pytest.mark.skipif(
    not all(hasattr(Tensor, name) for name in ("view", "float", "long", "zero_", "permute")),
    reason="the native Tensor's PyTorch methods (view, float, long, zero_, permute) are not there yet",
)
has_torch_dtypes = pytest.mark.skipif(
    not isinstance(Tensor([1.0]).dtype, dtypes.DType), reason="Tensor.dtype does not return dtypes.DType yet"
)


def run_python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args, "-c", code] if not args else [sys.executable, *args], input=None,
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


# ---------------------------------------------------------------- dtypes and constructors


def test_dtypes_print_compare_and_convert_like_pytorch():
    assert repr(torch.int64) == str(torch.int64) == "torch.int64"
    assert torch.long is torch.int64 and torch.float is torch.float32 and torch.double is torch.float64
    assert torch.float32 == np.float32 and torch.float32 == np.dtype("float32") and torch.float32 != torch.float64
    assert np.dtype(torch.float64) == np.float64 and hash(torch.int64) == hash(np.dtype(np.int64))
    assert np.zeros(2, dtype=torch.bool).dtype == np.bool_
    assert dtypes.of(np.float32) is torch.float32 and torch.float32.is_floating_point and not torch.int64.is_floating_point


@has_torch_dtypes
def test_done_when_line_prints_torch_int64():
    code = 'import autograd_mlp.torch as t; t.install(); import torch, torch.nn as nn; print(torch.tensor([1, 2]).dtype)'
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "torch.int64"


def test_tensor_infers_pytorch_dtypes():
    assert torch.tensor([1, 2]).data.dtype == np.int64
    assert torch.tensor([1.0, 2]).data.dtype == np.float32
    assert torch.tensor([True, False]).data.dtype == np.bool_
    assert torch.tensor(3).data.shape == () and torch.tensor(3).data.dtype == np.int64
    assert torch.tensor(np.zeros(2)).data.dtype == np.float64  # an array keeps its dtype, as in PyTorch
    assert torch.tensor([1, 2], dtype=torch.float64).data.dtype == np.float64
    source = np.ones(3, dtype=np.float32)
    copy = torch.tensor(source)
    source[0] = 5
    assert copy.data[0] == 1  # tensor() copies
    shared = torch.from_numpy(source)
    source[1] = 7
    assert shared.data[1] == 7  # from_numpy shares
    with pytest.raises(RuntimeError, match="only tensors of floating point dtype can require gradients"):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(ValueError, match="rectangular"):
        torch.tensor([[1, 2], [3]])


def test_legacy_tensor_constructor_takes_sizes_or_data():
    assert torch.Tensor(2, 3).shape == (2, 3) and torch.Tensor(2, 3).data.dtype == np.float32
    assert torch.Tensor(4).shape == (4,)
    assert torch.Tensor([2, 3]).data.tolist() == [2.0, 3.0]  # data, as float32
    assert torch.Tensor([1]).data.dtype == np.float32
    assert torch.Tensor().shape == (0,)
    assert torch.FloatTensor([[0, 1]]).data.dtype == np.float32
    assert torch.LongTensor([1.0, 2.0]).data.dtype == np.int64
    assert isinstance(torch.tensor([1]), torch.Tensor) and isinstance(am.Tensor([1.0]), torch.Tensor)
    assert isinstance(torch.FloatTensor(2), torch.FloatTensor) and not isinstance(torch.LongTensor(2), torch.FloatTensor)
    assert issubclass(am.Tensor, torch.Tensor)
    with pytest.raises(TypeError, match=r"torch.Tensor: expected sizes \(ints\) or one sequence"):
        torch.Tensor([1], [2])


def test_uninitialised_tensors_follow_manual_seed():
    torch.manual_seed(3)
    a, e = torch.Tensor(2, 2), torch.empty(3)
    torch.manual_seed(3)
    b, f = torch.Tensor(2, 2), torch.empty(3)
    assert np.array_equal(a.data, b.data) and np.array_equal(e.data, f.data)
    assert np.all(np.isfinite(a.data)) and len(set(a.data.ravel().tolist())) == 4  # never NaN, not symmetric


def test_factories_take_varargs_or_tuple_shapes_dtype_and_requires_grad():
    assert torch.zeros(2, 3).shape == torch.zeros((2, 3)).shape == torch.zeros([2, 3]).shape == (2, 3)
    assert torch.ones(2, dtype=torch.float64).data.dtype == np.float64
    w = torch.randn(2, 3, requires_grad=True)
    assert w.shape == (2, 3) and w.requires_grad and w.data.dtype == np.float32  # the 3 is a size, not a seed
    assert torch.rand(5).data.min() >= 0 and torch.rand(5).data.max() < 1
    assert torch.arange(5).data.tolist() == [0, 1, 2, 3, 4] and torch.arange(5).data.dtype == np.int64
    assert torch.arange(0, 1, 0.25).data.dtype == np.float32 and torch.arange(0, 1, 0.25).shape == (4,)
    assert torch.linspace(0, 1, 5).data.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.array_equal(torch.eye(3).data, np.eye(3))
    x = torch.ones(2, 2, dtype=torch.float64)
    assert torch.zeros_like(x).data.dtype == np.float64 and torch.ones_like(x).data.sum() == 4
    torch.manual_seed(0)
    r1 = torch.randn(4)
    torch.manual_seed(0)
    assert np.array_equal(r1.data, torch.randn(4).data)
    with pytest.raises(TypeError, match="torch.zeros: size must be ints, got str 'a' at position 1"):
        torch.zeros(2, "a")
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        torch.ones(-1)


# ---------------------------------------------------------------- functions


def test_functions_call_the_native_ops_with_pytorch_signatures():
    a = torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    b = torch.ones(2, 3)
    np.testing.assert_allclose(torch.add(a, b, alpha=2).data, a.data + 2)
    np.testing.assert_allclose(torch.sub(a, b).data, a.data - 1)
    np.testing.assert_allclose(torch.mul(a, 3).data, a.data * 3)
    np.testing.assert_allclose(torch.matmul(a, torch.transpose(b, 0, 1)).data, a.data @ b.data.T)
    np.testing.assert_allclose(torch.exp(a).data, np.exp(a.data), rtol=1e-6)
    np.testing.assert_allclose(torch.abs(a).data, np.abs(a.data))
    np.testing.assert_allclose(torch.softmax(a, dim=1).data.sum(axis=1), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(torch.sum(a, dim=0).data, a.data.sum(axis=0))
    assert torch.sum(a, 1, keepdim=True).shape == (2, 1)
    np.testing.assert_allclose(torch.mean(a).data, a.data.mean(), rtol=1e-6)
    np.testing.assert_allclose(torch.clamp(a, min=0).data, np.clip(a.data, 0, None))
    assert torch.cat([a, b], dim=0).shape == (4, 3) and torch.stack([a, b], dim=1).shape == (2, 2, 3)
    np.testing.assert_allclose(torch.where(a > 0, a, b).data, np.where(a.data > 0, a.data, 1))
    assert torch.flatten(torch.zeros(2, 3, 4), 1).shape == (2, 12)
    assert torch.transpose(torch.zeros(2, 3, 4), 0, 2).shape == (4, 3, 2)  # swaps two dims
    with pytest.raises(RuntimeError, match=r"torch.mm: both arguments must be 2-D matrices, got shapes \(3,\) and \(3, 2\)"):
        torch.mm(torch.ones(3), torch.ones(3, 2))
    with pytest.raises(RuntimeError, match="torch.mean: needs a floating point tensor"):
        torch.mean(torch.tensor([1, 2]))


def test_max_and_min_with_dim_return_values_and_indices():
    x = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = torch.max(x, 1)
    assert values.data.tolist() == [5.0, 7.0] and indices.data.tolist() == [1, 0]
    assert torch.max(x, dim=1).indices.data.tolist() == [1, 0]
    result = torch.min(x, 0, keepdim=True)
    assert result.values.shape == (1, 3) and result.indices.data.tolist() == [[0, 1, 0]]
    assert torch.max(x).item() == 7.0
    assert torch.max(x, torch.full((2, 3), 4.0)).data.tolist() == [[4.0, 5.0, 4.0], [7.0, 4.0, 4.0]]
    assert torch.argmax(x, dim=1).data.tolist() == [1, 0] and torch.argmax(x, 1, keepdim=True).shape == (2, 1)


def test_gradients_flow_through_the_front_functions_as_through_native_ops():
    torch.manual_seed(1)
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    loss = torch.sum(torch.tanh(torch.matmul(x, w)) * torch.exp(torch.transpose(w, 0, 1)).sum())
    loss.backward()
    x2, w2 = am.Tensor(x.data.copy(), requires_grad=True), am.Tensor(w.data.copy(), requires_grad=True)
    (((x2 @ w2).tanh()) * w2.swapaxes(0, 1).exp().sum()).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad.data if hasattr(x.grad, "data") else x.grad), np.asarray(getattr(x2.grad, "data", x2.grad)))
    np.testing.assert_allclose(np.asarray(w.grad.data if hasattr(w.grad, "data") else w.grad), np.asarray(getattr(w2.grad, "data", w2.grad)))


def test_grad_mode_switches():
    w = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert (w * 2).is_leaf
    switch = torch.set_grad_enabled(False)  # PyTorch switches at the call, not at `with`
    assert not torch.is_grad_enabled()
    with switch:
        pass
    assert torch.is_grad_enabled()
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def evaluate():
        return torch.is_grad_enabled()

    assert evaluate() is False and torch.is_grad_enabled()


def test_cpu_is_the_only_device():
    assert torch.device("cpu") == "cpu" and repr(torch.device("cpu")) == "device(type='cpu')"
    assert torch.cuda.is_available() is False and torch.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="only 'cpu' exists"):
        torch.device("cuda")
    with pytest.raises(RuntimeError, match="device 'cuda:0' is not available"):
        torch.zeros(2, device="cuda:0")


@pytest.mark.parametrize(
    "module, name, hint",
    [
        (torch, "fft", ""),
        (torch, "compile", "no compiler"),
        (nn, "Conv2d", "Linear layers on flattened inputs"),
        (F, "gelu", ""),
        (optim, "LBFGS", "Adam or SGD"),
        (torch.cuda, "memory_allocated", ""),
        (datasets, "CIFAR10", ""),
        (transforms, "RandomCrop", ""),
    ],
)
def test_unsupported_names_say_so_and_point_to_the_docs(module, name, hint):
    with pytest.raises(torch.UnsupportedError) as info:
        getattr(module, name)
    message = str(info.value)
    assert f".{name} is not supported by autograd_mlp.torch" in message and "docs/from-pytorch.md" in message
    assert hint in message
    assert isinstance(info.value, AttributeError) and not hasattr(module, name)


def test_unsupported_tensor_class_attribute():
    with pytest.raises(torch.UnsupportedError, match="torch.Tensor.no_such_method is not supported"):
        torch.Tensor.no_such_method  # noqa: B018


# ---------------------------------------------------------------- install


def test_install_registers_pytorch_module_names_and_uninstall_restores_them(monkeypatch):
    sentinel = type(sys)("torchvision")
    monkeypatch.setitem(sys.modules, "torchvision", sentinel)
    for name in ("torch", "torch.nn", "torch.optim"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    torch.install()
    try:
        import torch as imported
        import torch.nn.functional as imported_f
        import torchvision.transforms as imported_t
        from torch.utils.data import DataLoader as ImportedLoader

        assert imported is torch and imported_f is F and imported_t is transforms and ImportedLoader is DataLoader
        assert sys.modules["torch.nn"] is nn and sys.modules["torch.optim"] is optim
        assert sys.modules["torch.cuda"] is torch.cuda
    finally:
        torch.uninstall()
    assert "torch" not in sys.modules and sys.modules["torchvision"] is sentinel


def test_install_warns_when_the_real_torch_is_already_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", type(sys)("torch"))
    with pytest.warns(RuntimeWarning, match="the real torch is already imported"):
        torch.install()
    torch.uninstall()
    assert sys.modules["torch"].__name__ == "torch" and sys.modules["torch"] is not torch


def test_run_torch_runs_a_script_with_its_arguments(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import sys, torch, torch.nn as nn\n"
        "model = nn.Linear(2, 1)\n"
        "print(type(model).__module__, sys.argv[1:], torch.cuda.is_available())\n"
        "sys.exit(int(sys.argv[2]))\n"
    )
    result = run_python("", "-m", "autograd_mlp", "run-torch", str(script), "--epochs", "3", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == "autograd_mlp.nn.layers ['--epochs', '3'] False"
    missing = run_python("", "-m", "autograd_mlp", "run-torch", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no script file" in missing.stderr


# ---------------------------------------------------------------- nn


def test_registration_rule_through_torch_nn():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = nn.Linear(2, 3)
            self.hidden = [nn.Linear(3, 3)]  # a plain list: not registered, as in PyTorch
            self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Identity()])
            self.heads = nn.ModuleDict({"out": nn.Linear(3, 1)})
            self.scale = nn.Parameter(torch.ones(1))

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["first.weight", "first.bias", "blocks.0.weight", "blocks.0.bias", "heads.out.weight", "heads.out.bias", "scale"]
    assert nn.Module is Module and nn.Linear is am.nn.Linear
    assert isinstance(net.scale, nn.Parameter) and not isinstance(torch.ones(1), nn.Parameter)


def test_parameter_shares_the_array_and_wants_a_gradient():
    t = torch.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and p.data is t.data
    assert not nn.Parameter(t, requires_grad=False).requires_grad


def test_init_functions_fill_in_place_and_follow_manual_seed():
    layer = nn.Linear(50, 40)
    weight = layer.weight
    array = weight.data
    assert nn.init.zeros_(layer.bias) is layer.bias and not layer.bias.data.any()
    torch.manual_seed(5)
    assert nn.init.kaiming_uniform_(weight, nonlinearity="relu") is weight and weight.data is array
    bound = np.sqrt(2.0) * np.sqrt(3.0 / 50)
    assert np.abs(array).max() <= bound and np.abs(array).max() > 0.9 * bound
    first = array.copy()
    torch.manual_seed(5)
    nn.init.kaiming_uniform_(weight, nonlinearity="relu")
    assert np.array_equal(first, array)
    nn.init.xavier_uniform_(weight)
    assert np.abs(array).max() <= np.sqrt(6.0 / 90)
    nn.init.constant_(weight, 0.5)
    assert np.all(array == 0.5)
    with pytest.raises(ValueError, match=r"fan in and fan out need a tensor with 2 or more dims, got shape \(40,\)"):
        nn.init.xavier_uniform_(layer.bias)


def test_functional_matches_the_modules():
    torch.manual_seed(0)
    logits = torch.randn(4, 3, requires_grad=True)
    labels = torch.tensor([0, 2, 1, 2])
    expected = -np.log(np.exp(logits.data) / np.exp(logits.data).sum(1, keepdims=True))[np.arange(4), labels.data].mean()
    assert F.cross_entropy(logits, labels).item() == pytest.approx(expected, rel=1e-5)
    assert F.nll_loss(F.log_softmax(logits, dim=1), labels).item() == pytest.approx(expected, rel=1e-5)
    p, y = torch.tensor([0.2, 0.9]), torch.tensor([0.0, 1.0])
    assert F.binary_cross_entropy(p, y).item() == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2, rel=1e-5)
    z = torch.tensor([-1.0, 2.0])
    assert F.binary_cross_entropy_with_logits(z, y).item() == pytest.approx(F.binary_cross_entropy(torch.sigmoid(z), y).item(), rel=1e-5)
    assert F.mse_loss(p, y, reduction="sum").item() == pytest.approx(0.04 + 0.01, rel=1e-5)
    w, b = torch.randn(2, 3), torch.randn(2)
    np.testing.assert_allclose(F.linear(logits, w, b).data, logits.data @ w.data.T + b.data, rtol=1e-5)
    assert F.dropout(logits, 0.5, training=False) is logits or np.array_equal(F.dropout(logits, 0.5, training=False).data, logits.data)
    with pytest.raises(NotImplementedError, match="in-place activations are not supported"):
        F.relu(logits, inplace=True)


# ---------------------------------------------------------------- optim and save/load


def test_torch_optim_is_the_native_optim():
    assert optim.Adam is am.optim.Adam and optim.RMSprop is am.optim.RMSprop
    assert optim.lr_scheduler.StepLR is am.optim.StepLR
    model = nn.Linear(2, 1)
    opt = optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]


def test_save_and_load_state_dicts_without_pickle(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.1)
    x = torch.randn(5, 3)
    model(x).sum().backward()
    opt.step()
    path = tmp_path / "model.pt"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "note": None}, path)
    with zipfile.ZipFile(path) as archive:  # a zip of .npy members: nothing to unpickle
        assert all(name.endswith(".npy") for name in archive.namelist())
    np.load(path, allow_pickle=False).close()
    saved = torch.load(path, weights_only=True)
    assert saved["epoch"] == 3 and saved["note"] is None
    assert isinstance(saved["model"]["0.weight"], torch.Tensor)
    torch.manual_seed(1)
    other = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    other.load_state_dict(saved["model"])
    np.testing.assert_array_equal(other(x).data, model(x).data)
    other_opt = optim.Adam(other.parameters(), lr=0.1)
    other_opt.load_state_dict(saved["optimizer"])
    assert other_opt.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert other_opt.state[other[0].weight]["step"] == 1


def test_save_refuses_modules_and_load_refuses_pickles(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save obj of type Linear \(save its state_dict\(\)"):
        torch.save(nn.Linear(1, 1), tmp_path / "m.pt")
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    bad = tmp_path / "evil.pt"
    bad.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(ValueError, match="pickles, which this library never reads"):
        torch.load(bad)
    assert not marker.exists()
    with pytest.raises(FileNotFoundError, match="no file at"):
        torch.load(tmp_path / "missing.pt")


# ---------------------------------------------------------------- utils.data


def test_dataloader_batches_a_tensor_dataset_as_tensors():
    x, y = torch.arange(20).view(10, 2).float() if hasattr(Tensor, "view") else torch.tensor(np.arange(20.0).reshape(10, 2)), torch.arange(10)
    ds = TensorDataset(x, y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    loader = DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(t, torch.Tensor) for b in batches for t in b)
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    with pytest.raises(ValueError, match="size mismatch between tensors"):
        TensorDataset(torch.zeros(3), torch.zeros(4))


def test_shuffle_follows_manual_seed_at_iteration_time_even_for_loaders_built_before():
    ds = TensorDataset(torch.arange(12))
    front = DataLoader(ds, batch_size=12, shuffle=True)
    native = am.data.DataLoader(np.arange(12), batch_size=12, shuffle=True)

    def orders():
        return next(iter(front))[0].data.tolist(), next(iter(native))[0].tolist()

    torch.manual_seed(7)
    first = orders()
    torch.manual_seed(7)
    assert orders() == first
    torch.manual_seed(8)
    assert orders() != first
    assert sorted(first[0]) == list(range(12))


def test_default_collate_stacks_image_label_samples():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full((1, 2, 2), i, dtype=np.float32), i

    images, labels = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert images.shape == (3, 1, 2, 2) and images.data.dtype == np.float32
    assert labels.data.dtype == np.int64 and labels.data.tolist() == [0, 1, 2]


# ---------------------------------------------------------------- torchvision


@pytest.fixture
def tiny_mnist(tmp_path):
    folder = tmp_path / "MNIST" / "raw"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("t10k", 4)):
        write_idx(folder / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)).astype(np.uint8))
        write_idx(folder / f"{split}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    return tmp_path


def test_mnist_dataset_reads_the_root_folder_and_applies_transforms(tiny_mnist):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # found locally: no sample warning, no download
        raw = datasets.MNIST(tiny_mnist, train=True)
        test = datasets.MNIST(str(tiny_mnist), train=False, transform=transforms.ToTensor())
    assert len(raw) == 6 and len(test) == 4 and raw.source == "root"
    image, label = raw[2]
    assert image.shape == (28, 28) and image.dtype == np.uint8 and label == 2 and isinstance(label, int)
    tensor_image, _ = test[1]
    assert tensor_image.shape == (1, 28, 28) and tensor_image.data.dtype == np.float32
    np.testing.assert_allclose(tensor_image.data[0], test.data[1] / 255.0, rtol=1e-6)
    with pytest.raises(IndexError, match="index 4 is out of range for 4 images"):
        test[4]


def test_transforms_compose_normalize_and_lambda():
    image = (np.arange(16, dtype=np.uint8) * 16).reshape(4, 4)
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,)), transforms.Lambda(lambda t: t * 2)])
    out = pipeline(image)
    np.testing.assert_allclose(out.data[0], (image / 255.0 - 0.5) / 0.25 * 2, atol=1e-5)
    with pytest.raises(ValueError, match="std must not contain 0"):
        transforms.Normalize((0.5,), (0.0,))
    with pytest.raises(ValueError, match=r"expected a \(C, H, W\) tensor with C = 3 channels, got shape \(1, 4, 4\)"):
        transforms.Normalize((0, 0, 0), (1, 1, 1))(transforms.ToTensor()(image))


# ---------------------------------------------------------------- the issue's silent differences


@has_tensor_api
def test_silent_differences_from_the_issue_are_gone():
    # Tensor(2, 2) is a 2x2 tensor; randn(2, 3) a 2x3 one; transpose(0, 1) swaps.
    assert torch.Tensor(2, 2).shape == (2, 2) and torch.randn(2, 3).shape == (2, 3)
    x = torch.arange(6).view(2, 3).float()
    assert x.transpose(0, 1).shape == (3, 2) and x.transpose(0, 1).data.tolist() == [[0, 3], [1, 4], [2, 5]]
    # max(1) of a 2-row batch gives (values, indices), not two rows.
    _, pred = x.max(1)
    assert pred.data.tolist() == [2, 2]
    # `w -= lr * w.grad` under no_grad updates w itself; w.grad.zero_() works.
    w = torch.ones(3, requires_grad=True)
    (w * w).sum().backward()
    same = w
    with torch.no_grad():
        w -= 0.5 * w.grad
    assert w is same and w.data.tolist() == [0.0, 0.0, 0.0] and w.is_leaf and w.requires_grad
    w.grad.zero_()
    assert w.grad.data.tolist() == [0.0, 0.0, 0.0]
    w.grad = None
    (w * 3).sum().backward()
    assert w.grad.data.tolist() == [3.0, 3.0, 3.0]


@has_tensor_api
def test_in_place_change_of_a_leaf_that_requires_grad_while_recording_is_refused():
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w += 1


@has_tensor_api
def test_view_errors_name_both_shapes():
    with pytest.raises((RuntimeError, ValueError), match=r"\(2, 3\).*\(4,\)|\(4,\).*\(2, 3\)"):
        torch.zeros(2, 3).view(4)


def test_module_to_cpu_dtype_apply_and_freezing():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    weight = model[0].weight
    assert model.to("cpu") is model and model.to(torch.device("cpu")) is model and model.cpu() is model
    model.to(torch.float64)
    assert model[0].weight is weight and weight.data.dtype == np.float64  # same tensor: optimizers keep it
    assert model.float()[2].bias.data.dtype == np.float32
    with pytest.raises(RuntimeError, match=r"Sequential.to\('cuda'\): only 'cpu' exists"):
        model.to("cuda")
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]
    model.requires_grad_(False)
    assert model.parameters() == []
    model.requires_grad_(True)
    assert len(model.parameters()) == 4


def test_missing_module_attributes_say_what_is_missing():
    model = nn.Linear(2, 2)
    with pytest.raises(torch.UnsupportedError, match="nn.Module.cuda is not supported.*docs/from-pytorch.md"):
        model.cuda()
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        model.wieght  # noqa: B018


# sin/cos are ops of the front (made with from_op) until the native Tensor has them.
@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.floats(-4, 4)))
def test_sin_and_cos_gradients_match_finite_differences(data):
    x = am.Tensor(data, requires_grad=True)
    assert am.gradcheck(lambda t: torch.sin(t) * torch.cos(t * 2), x)
    assert am.gradgradcheck(lambda t: torch.sin(t) + torch.cos(t), x)
    np.testing.assert_allclose(torch.sin(x).data, np.sin(data))
    np.testing.assert_allclose(torch.cos(x).data, np.cos(data))


def test_sin_of_inf_is_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(torch.sin(torch.tensor([np.inf])).item())
