"""The Python package against PyTorch: loss_mlir.compile on NumPy arrays,
every loss_mlir.torch module's values and gradients against torch.nn's, and
a training loop whose parameters must follow torch.nn's step for step.
Run by test/Python/pytest.test (or: LOSS_MLIR_COMPILE=build/bin/loss-compile
/usr/bin/python3 -m pytest python/tests)."""

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import loss_mlir
import loss_mlir.torch as lt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLE = os.path.join(ROOT, "examples", "cross_entropy")
F64 = torch.float64


def test_onnx_example_on_numpy():
    lib = loss_mlir.compile(os.path.join(EXAMPLE, "model.onnx"))
    logits = np.load(os.path.join(EXAMPLE, "logits.npy"))
    target = np.load(os.path.join(EXAMPLE, "target.npy"))
    (loss,) = lib(logits, target)
    # PyTorch's value, from examples/generate.py.
    with open(os.path.join(EXAMPLE, "expected.txt")) as f:
        want = float(f.read().split("loss = ")[1])
    assert loss.shape == () and loss.dtype == np.float32
    assert abs(float(loss) - want) <= 1e-6 * abs(want)


DYNAMIC = """
func.func @mse(%x: tensor<?x?xf64> {onnx.name = "x"},
               %y: tensor<?x?xf64> {onnx.name = "y"})
    -> (tensor<?x?xf64> {onnx.name = "loss"}) {
  %0 = loss.mse %x, %y {reduction = #loss.reduction<none>}
      : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}
"""


def test_dynamic_shapes_grad_and_errors():
    lib = loss_mlir.compile(DYNAMIC, grad=True)
    rng = np.random.default_rng(0)
    for shape in [(3, 5), (17, 2)]:
        x, y = rng.standard_normal(shape), rng.standard_normal(shape)
        (loss,) = lib.mse(x, y)
        np.testing.assert_allclose(loss, (x - y) ** 2, rtol=1e-15)
        loss, gx, gy = lib.mse_value_and_grad(x, y)
        xt = torch.from_numpy(x).requires_grad_()
        yt = torch.from_numpy(y).requires_grad_()
        F.mse_loss(xt, yt, reduction="none").sum().backward()
        np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-15)
        np.testing.assert_allclose(gy, yt.grad.numpy(), rtol=1e-15)
    # Sizes that disagree: the library's message, no abort.
    with pytest.raises(loss_mlir.LossMLIRError, match="mse"):
        lib.mse(np.zeros((3, 5)), np.zeros((3, 4)))
    with pytest.raises(TypeError, match="takes f64"):
        lib.mse(np.zeros((3, 5), np.float32), np.zeros((3, 5), np.float32))
    # A strided view is copied, not misread.
    x = rng.standard_normal((6, 5))
    (loss,) = lib.mse(x[::2], x[1::2])
    np.testing.assert_allclose(loss, (x[::2] - x[1::2]) ** 2, rtol=1e-15)


def test_compile_error_is_an_exception():
    with pytest.raises(loss_mlir.LossMLIRError, match="error"):
        loss_mlir.compile("func.func @f(%x: tensor<4xf32>) { oops }")


def _r(*shape):
    return torch.randn(*shape, dtype=F64)


def _p(*shape):
    return torch.rand(*shape, dtype=F64).clamp(0.02, 0.98)


def _cls(n, c):
    return torch.randint(0, c, (n,))


def _sign(*shape):
    return torch.randint(0, 2, shape).to(F64) * 2 - 1


def _ctc_inputs():
    T, N, C, S = 12, 3, 5, 4
    log_probs = _r(T, N, C).log_softmax(2)
    targets = torch.randint(1, C, (N, S))
    return [log_probs, targets, torch.tensor([12, 10, 7]),
            torch.tensor([4, 3, 2])]


def _multilabel_target():
    t = torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 2, 1]])
    return t


# (name, constructor kwargs, inputs, indices of the inputs that get grads)
CASES = [
    ("CrossEntropyLoss", {}, lambda: [_r(6, 7), _cls(6, 7)], [0]),
    ("CrossEntropyLoss", dict(weight=_p(7), ignore_index=2,
                              label_smoothing=0.2),
     lambda: [_r(6, 7), _cls(6, 7)], [0]),
    ("CrossEntropyLoss", dict(reduction="none"),
     lambda: [_r(2, 5, 3, 4), torch.randint(0, 5, (2, 3, 4))], [0]),
    ("CrossEntropyLoss", dict(reduction="sum", label_smoothing=0.1),
     lambda: [_r(4, 5), _r(4, 5).softmax(1)], [0]),
    ("NLLLoss", dict(weight=_p(5), reduction="sum"),
     lambda: [_r(6, 5).log_softmax(1), _cls(6, 5)], [0]),
    ("NLLLoss", dict(ignore_index=1),
     lambda: [_r(6, 5).log_softmax(1), _cls(6, 5)], [0]),
    ("L1Loss", {}, lambda: [_r(4, 5), _r(4, 5)], [0, 1]),
    ("MSELoss", dict(reduction="none"), lambda: [_r(4, 5), _r(4, 5)], [0, 1]),
    ("SmoothL1Loss", dict(beta=0.5), lambda: [_r(30), _r(30)], [0, 1]),
    ("HuberLoss", dict(delta=0.7, reduction="sum"),
     lambda: [_r(30), _r(30)], [0, 1]),
    ("BCELoss", dict(weight=_p(4, 5)), lambda: [_p(4, 5), _p(4, 5)], [0]),
    ("BCEWithLogitsLoss", dict(pos_weight=_p(5)),
     lambda: [_r(4, 5), _p(4, 5)], [0]),
    ("KLDivLoss", dict(reduction="batchmean"),
     lambda: [_r(4, 5).log_softmax(1), _r(4, 5).softmax(1)], [0]),
    ("KLDivLoss", dict(reduction="sum", log_target=True),
     lambda: [_r(4, 5).log_softmax(1), _r(4, 5).log_softmax(1)], [0]),
    ("PoissonNLLLoss", {}, lambda: [_r(10), _p(10) * 3], [0]),
    ("PoissonNLLLoss", dict(log_input=False, full=True),
     lambda: [_p(10) * 2, _p(10) * 3], [0]),
    ("GaussianNLLLoss", {}, lambda: [_r(6, 3), _r(6, 3), _p(6, 3)],
     [0, 2]),
    ("MarginRankingLoss", dict(margin=0.3),
     lambda: [_r(8), _r(8), _sign(8)], [0, 1]),
    ("HingeEmbeddingLoss", dict(margin=0.8),
     lambda: [_r(4, 5), _sign(4, 5)], [0]),
    ("SoftMarginLoss", {}, lambda: [_r(4, 5), _sign(4, 5)], [0]),
    ("MultiLabelMarginLoss", {},
     lambda: [_r(3, 4), _multilabel_target()], [0]),
    ("MultiLabelSoftMarginLoss", dict(weight=_p(5)),
     lambda: [_r(4, 5), torch.randint(0, 2, (4, 5)).to(F64)], [0]),
    ("MultiMarginLoss", dict(p=2, margin=0.7, weight=_p(5)),
     lambda: [_r(6, 5), _cls(6, 5)], [0]),
    ("CosineEmbeddingLoss", dict(margin=0.2),
     lambda: [_r(6, 4), _r(6, 4), _sign(6)], [0, 1]),
    ("TripletMarginLoss", dict(margin=0.5, swap=True),
     lambda: [_r(6, 4), _r(6, 4), _r(6, 4)], [0, 1, 2]),
    ("CTCLoss", {}, _ctc_inputs, [0]),
    ("CTCLoss", dict(reduction="sum", zero_infinity=True), _ctc_inputs, [0]),
]


@pytest.mark.parametrize("name,kwargs,make,diff", CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(CASES)])
def test_module_matches_torch_nn(name, kwargs, make, diff):
    torch.manual_seed(1)
    inputs = make()
    ours_in = [t.clone().requires_grad_(i in diff) for i, t in enumerate(inputs)]
    ref_in = [t.clone().requires_grad_(i in diff) for i, t in enumerate(inputs)]
    ours = getattr(lt, name)(**kwargs)(*ours_in)
    ref = getattr(torch.nn, name)(**kwargs)(*ref_in)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)
    # A grad_output that is not ones (reduction="none": a vector).
    g = torch.linspace(0.5, 1.5, ref.numel(), dtype=F64).reshape(ref.shape)
    ours.backward(g)
    ref.backward(g)
    for i in diff:
        torch.testing.assert_close(ours_in[i].grad, ref_in[i].grad,
                                   rtol=1e-12, atol=1e-12)


def test_positional_constructor_arguments():
    # torch.nn's positional order: MultiMarginLoss(p, margin, weight, ...).
    w = _p(5)
    crit = lt.MultiMarginLoss(1, 0.5, w)
    x, t = _r(4, 5), _cls(4, 5)
    torch.testing.assert_close(crit(x, t),
                               torch.nn.MultiMarginLoss(1, 0.5, w)(x, t))


def test_training_loop_follows_torch_nn():
    """Five SGD steps of a small classifier and regressor with loss_mlir
    losses give torch.nn's parameters."""
    def run(ce, mse):
        torch.manual_seed(3)
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(),
                                    torch.nn.Linear(16, 5)).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
        data = torch.randn(32, 8, dtype=F64)
        labels = torch.randint(0, 5, (32,))
        goal = torch.randn(32, 5, dtype=F64)
        for _ in range(5):
            opt.zero_grad()
            out = model(data)
            loss = ce(out, labels) + 0.1 * mse(out, goal)
            loss.backward()
            opt.step()
        return [p.detach().clone() for p in model.parameters()]

    ours = run(lt.CrossEntropyLoss(label_smoothing=0.05), lt.MSELoss())
    ref = run(torch.nn.CrossEntropyLoss(label_smoothing=0.05),
              torch.nn.MSELoss())
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_float32_module():
    x = torch.randn(64, 1000).requires_grad_()
    t = torch.randint(0, 1000, (64,))
    ours = lt.CrossEntropyLoss()(x, t)
    ours.backward()
    x64 = x.detach().double().requires_grad_()
    ref = F.cross_entropy(x64, t)
    ref.backward()
    assert abs(ours.item() - ref.item()) <= 1e-5 * abs(ref.item())
    torch.testing.assert_close(x.grad.double(), x64.grad, rtol=1e-4, atol=1e-7)
