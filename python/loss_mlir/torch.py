"""Drop-in `torch.nn` losses compiled by loss-mlir.

    crit = loss_mlir.torch.CrossEntropyLoss(label_smoothing=0.1)
    loss = crit(logits, target)
    loss.backward()

Each module takes `torch.nn`'s constructor arguments and gives its values
and gradients. A call builds the loss op for the inputs' shapes and dtypes,
compiles it once (`loss_mlir.compile`, with its value-and-grad function)
and caches it. With a reduction, the forward runs the value-and-grad
function when an input needs a gradient (cross entropy's forward and
backward are then one fused pass) and the backward scales the saved
gradients by the incoming one; with `reduction='none'` the backward runs
the gradient of `sum(loss * grad_output)`. Class weights and other
constructor tensors are inputs of the compiled function, not constants.
CPU tensors only; gradients flow to the inputs loss-mlir differentiates
(not, e.g., to a probability target).
"""

import inspect
import threading

import torch
import torch.nn.functional as F

import loss_mlir

_MLIR_DTYPES = {
    torch.float16: "f16", torch.bfloat16: "bf16", torch.float32: "f32",
    torch.float64: "f64", torch.bool: "i1", torch.int8: "i8",
    torch.int16: "i16", torch.int32: "i32", torch.int64: "i64",
    torch.uint8: "ui8",
}

_cache = {}
_cache_lock = threading.Lock()


def _tensor_type(t):
    dims = "x".join(str(d) for d in t.shape)
    return "tensor<%s%s>" % (dims + "x" if dims else "", _MLIR_DTYPES[t.dtype])


def _attr(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "%d : i64" % value
    if isinstance(value, float):
        return "%.17e : f64" % value  # MLIR float literals need the point
    if isinstance(value, str):  # the reduction
        return "#loss.reduction<%s>" % value
    raise TypeError(value)


def _function_ir(op, names, inputs, named, attrs, result, vjp):
    """`@loss` applying `loss.<op>`: positional operands `names`, then the
    optional operands `named` (keyword -> input index); with `vjp`, the
    result times a last argument `grad_output`."""
    args = ["%%%s: %s {onnx.name = \"%s\"}" % (n, _tensor_type(t), n)
            for n, t in zip(names, inputs)]
    positional = [n for n in names if n not in named.values()]
    operands = ", ".join("%" + n for n in positional)
    for key, n in named.items():
        operands += " %s(%%%s)" % (key, n)
    order = positional + list(named.values())
    types = ", ".join(_tensor_type(inputs[names.index(n)]) for n in order)
    rtype = _tensor_type(result)
    attr_text = ", ".join("%s = %s" % (k, _attr(v)) for k, v in attrs.items())
    lines = []
    if vjp:
        args.append("%%grad_output: %s {onnx.name = \"grad_output\"}" % rtype)
    lines.append("func.func @loss(%s) -> (%s {onnx.name = \"loss\"}) {"
                 % (", ".join(args), rtype))
    lines.append("  %%0 = loss.%s %s {%s} : (%s) -> %s"
                 % (op, operands, attr_text, types, rtype))
    out = "%0"
    if vjp:
        lines.append("  %%1 = arith.mulf %%0, %%grad_output : %s" % rtype)
        out = "%1"
    lines.append("  return %s : %s" % (out, rtype))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _library(key, make_ir):
    with _cache_lock:
        lib = _cache.get(key)
    if lib is None:
        lib = loss_mlir.compile(make_ir(), grad=True)
        with _cache_lock:
            _cache[key] = lib
    return lib


def _run(fn, inputs):
    """Calls compiled `fn` on CPU tensors; returns its results as tensors."""
    inputs = [t.detach().contiguous() for t in inputs]
    shapes = [tuple(t.shape) for t in inputs]
    outs = [torch.empty(s, dtype=_torch_dtype(r["dtype"]))
            for s, r in zip(fn.result_shapes(shapes), fn.results)]
    fn.call_pointers([(t.data_ptr(), t.shape) for t in inputs],
                     [o.data_ptr() for o in outs])
    return outs


def _torch_dtype(name):
    for k, v in _MLIR_DTYPES.items():
        if v == name:
            return k
    raise TypeError(name)


class _Apply(torch.autograd.Function):
    @staticmethod
    def forward(ctx, module, *inputs):
        return module._forward_compiled(ctx, inputs)

    @staticmethod
    def backward(ctx, grad_output):
        return (None,) + ctx.module._backward_compiled(ctx, grad_output)


class _Loss(torch.nn.Module):
    """A loss op: `_op`, the forward's operand names `_inputs`, the optional
    operands `_named` (keyword -> attribute holding a tensor or None), the
    attributes of `_attrs()` and torch's functional as the shape oracle."""

    _op = None
    _inputs = ()
    _named = {}

    def _attrs(self):
        raise NotImplementedError

    def _torch(self, *inputs):
        raise NotImplementedError

    def forward(self, *inputs):
        if len(inputs) != len(self._inputs):
            raise TypeError("%s takes %d inputs (%s), got %d"
                            % (type(self).__name__, len(self._inputs),
                               ", ".join(self._inputs), len(inputs)))
        for t in inputs:
            if t.device.type != "cpu":
                raise ValueError("loss_mlir.torch runs on CPU tensors")
        return _Apply.apply(self, *inputs)

    # The compiled function's operands: the forward's inputs, then the
    # present optional tensors.
    def _operands(self, inputs):
        names = list(self._inputs)
        values = list(inputs)
        named = {}
        for key, attr in self._named.items():
            t = getattr(self, attr)
            if t is not None:
                names.append(key)
                values.append(t)
                named[key] = key
        return names, values, named

    def _compiled(self, inputs, vjp):
        names, values, named = self._operands(inputs)
        attrs = self._attrs()
        key = (type(self), vjp, tuple(sorted(attrs.items())),
               tuple((n, tuple(v.shape), v.dtype) for n, v in zip(names, values)))

        def make_ir():
            # torch's own forward, once per shape, gives the result type.
            result = self._torch(*[t.detach() for t in inputs])
            return _function_ir(self._op, names, values, named, attrs, result,
                                vjp)
        # Gradients: loss-generate-gradients' default, every float input
        # the loss depends on through differentiable operands.
        return _library(key, make_ir), values

    def _forward_compiled(self, ctx, inputs):
        ctx.module = self
        needs = any(t.requires_grad for t in inputs)
        vjp = self._attrs().get("reduction", "mean") == "none"
        lib, values = self._compiled(inputs, vjp=False)
        ctx.num_inputs = len(inputs)
        if needs and not vjp:
            fn = lib.functions["loss_value_and_grad"]
            outs = _run(fn, values)
            ctx.grads = self._grads_by_input(fn, outs[1:])
            return outs[0]
        if needs:
            ctx.save_for_backward(*inputs)
        return _run(lib.functions["loss"], values)[0]

    def _grads_by_input(self, fn, grads):
        by_name = {r["name"]: g for r, g in zip(fn.results[1:], grads)}
        return tuple(by_name.get("grad_" + n) for n in self._inputs)

    def _backward_compiled(self, ctx, grad_output):
        if hasattr(ctx, "grads"):
            return tuple(None if g is None else g * grad_output
                         for g in ctx.grads)
        inputs = ctx.saved_tensors
        lib, values = self._compiled(inputs, vjp=True)
        fn = lib.functions["loss_value_and_grad"]
        outs = _run(fn, values + [grad_output.to(values[0].dtype)])
        return self._grads_by_input(fn, outs[1:])


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return torch.nn._reduction.legacy_get_string(size_average, reduce)
    return reduction


def _simple(name, op, functional, inputs=("input", "target"), params=(),
            named=None):
    """A loss class with torch.nn.<name>'s constructor (its signature,
    positional order and defaults): `params` are (name, type) pairs of the
    op's attributes, `named` the optional tensors (keyword -> constructor
    argument)."""
    named = dict(named or {})
    signature = inspect.signature(getattr(torch.nn, name).__init__)

    def __init__(self, *args, **kwargs):
        _Loss.__init__(self)
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        for p, _ in params:
            setattr(self, p, values[p])
        for attr in named.values():
            self.register_buffer(attr, values[attr])
        self.reduction = _reduction(values.get("size_average"),
                                    values.get("reduce"), values["reduction"])

    def _attrs(self):
        out = {p: kind(getattr(self, p)) for p, kind in params}
        out["reduction"] = self.reduction
        return out

    def _torch(self, *xs):
        kwargs = {p: getattr(self, p) for p, _ in params}
        kwargs.update({attr: getattr(self, attr) for attr in named.values()})
        return functional(*xs, reduction=self.reduction, **kwargs)

    return type(name, (_Loss,), {
        "_op": op, "_inputs": tuple(inputs), "_named": named,
        "__init__": __init__, "__signature__": signature, "_attrs": _attrs,
        "_torch": _torch,
        "__doc__": "torch.nn.%s, compiled by loss-mlir." % name})


CrossEntropyLoss = _simple("CrossEntropyLoss", "softmax_cross_entropy",
                           F.cross_entropy,
                           params=[("ignore_index", int),
                                   ("label_smoothing", float)],
                           named={"weight": "weight"})
NLLLoss = _simple("NLLLoss", "nll", F.nll_loss,
                  params=[("ignore_index", int)], named={"weight": "weight"})
L1Loss = _simple("L1Loss", "l1", F.l1_loss)
MSELoss = _simple("MSELoss", "mse", F.mse_loss)
SmoothL1Loss = _simple("SmoothL1Loss", "smooth_l1", F.smooth_l1_loss,
                       params=[("beta", float)])
HuberLoss = _simple("HuberLoss", "huber", F.huber_loss,
                    params=[("delta", float)])
BCELoss = _simple("BCELoss", "bce", F.binary_cross_entropy,
                  named={"weight": "weight"})
BCEWithLogitsLoss = _simple(
    "BCEWithLogitsLoss", "bce_with_logits",
    F.binary_cross_entropy_with_logits,
    named={"weight": "weight", "pos_weight": "pos_weight"})
KLDivLoss = _simple("KLDivLoss", "kl_div", F.kl_div,
                    params=[("log_target", bool)])
PoissonNLLLoss = _simple("PoissonNLLLoss", "poisson_nll", F.poisson_nll_loss,
                         inputs=("log_input", "target"),
                         params=[("log_input", bool), ("full", bool),
                                 ("eps", float)])
GaussianNLLLoss = _simple("GaussianNLLLoss", "gaussian_nll",
                          F.gaussian_nll_loss, inputs=("input", "target", "var"),
                          params=[("full", bool), ("eps", float)])
MarginRankingLoss = _simple("MarginRankingLoss", "margin_ranking",
                            F.margin_ranking_loss,
                            inputs=("input1", "input2", "target"),
                            params=[("margin", float)])
HingeEmbeddingLoss = _simple("HingeEmbeddingLoss", "hinge_embedding",
                             F.hinge_embedding_loss, params=[("margin", float)])
SoftMarginLoss = _simple("SoftMarginLoss", "soft_margin", F.soft_margin_loss)
MultiLabelMarginLoss = _simple("MultiLabelMarginLoss", "multilabel_margin",
                               F.multilabel_margin_loss)
MultiLabelSoftMarginLoss = _simple(
    "MultiLabelSoftMarginLoss", "multilabel_soft_margin",
    F.multilabel_soft_margin_loss, named={"weight": "weight"})
MultiMarginLoss = _simple("MultiMarginLoss", "multi_margin",
                          F.multi_margin_loss,
                          params=[("p", int), ("margin", float)],
                          named={"weight": "weight"})
CosineEmbeddingLoss = _simple("CosineEmbeddingLoss", "cosine_embedding",
                              F.cosine_embedding_loss,
                              inputs=("input1", "input2", "target"),
                              params=[("margin", float)])
TripletMarginLoss = _simple("TripletMarginLoss", "triplet_margin",
                            F.triplet_margin_loss,
                            inputs=("anchor", "positive", "negative"),
                            params=[("margin", float), ("p", float),
                                    ("eps", float), ("swap", bool)])
CTCLoss = _simple("CTCLoss", "ctc", F.ctc_loss,
                  inputs=("log_probs", "targets", "input_lengths",
                          "target_lengths"),
                  params=[("blank", int), ("zero_infinity", bool)])

__all__ = [n for n, v in list(globals().items())
           if isinstance(v, type) and issubclass(v, _Loss) and v is not _Loss]
