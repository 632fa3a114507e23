#!/usr/bin/python3
"""Makes examples/cross_entropy: a CrossEntropyLoss (weight, ignore_index,
label smoothing is not in ONNX) exported by torch.onnx.export (opset 13),
its inputs as .npy files, and torch's loss in expected.txt.
Run with Debian's /usr/bin/python3 (python3-torch)."""

import io
import os

import numpy as np
import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cross_entropy")
torch.manual_seed(0)


class Loss(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = torch.nn.CrossEntropyLoss(weight=torch.linspace(0.5, 2.0, 10),
                                            ignore_index=3)

    def forward(self, logits, target):
        return self.ce(logits, target)


logits = torch.randn(8, 10) * 3
target = torch.tensor([1, 3, 9, 0, 3, 5, 7, 2])
buf = io.BytesIO()
torch.onnx.export(Loss(), (logits, target), buf, opset_version=13,
                  input_names=["logits", "target"], output_names=["loss"])
os.makedirs(HERE, exist_ok=True)
with open(os.path.join(HERE, "model.onnx"), "wb") as f:
    f.write(buf.getvalue())
np.save(os.path.join(HERE, "logits.npy"), logits.numpy())
np.save(os.path.join(HERE, "target.npy"), target.numpy())
with open(os.path.join(HERE, "expected.txt"), "w") as f:
    f.write("torch %s: loss = %.9g\n" % (torch.__version__, Loss()(logits, target).item()))
print(open(os.path.join(HERE, "expected.txt")).read(), end="")
