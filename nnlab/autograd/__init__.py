"""Automatic differentiation: the computer writes the backward pass from the forward one.

- `Value`: a scalar that records how it was computed (micrograd's idea); `C.backward()` fills
  `.grad` of every Value that C depends on.
- `Tensor`: the same on numpy arrays, with broadcasting, `@`, sums and indexing; `stack`.
- `parameter_tensors`, `forward`, `cost`, `gradients`, `backward`: an nnlab model and loss
  rewritten with Tensor operations, to compare autograd with the layers' hand-written backward
  passes, or to train with autograd instead of them.

Reverse mode in one sentence: visit the graph from the cost back to the inputs, in reverse
topological order, and at every node multiply the upstream gradient by the node's local gradient.

Only numpy is imported here (and the nnlab layers, for the model helpers).  Chapter 12.
"""

from .network import backward, cost, forward, gradients, parameter_tensors
from .tensor import Tensor, stack
from .value import Value

__all__ = ["Value", "Tensor", "stack", "parameter_tensors", "forward", "cost", "gradients",
           "backward"]
