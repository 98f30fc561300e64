"""Checks for the exercise notebooks: run your function on fresh inputs and explain what is wrong.

    import nnlab as nl
    nl.checks.check_sigmoid(sigmoid)      # ✓ sigmoid: correct on 5 test inputs

Each `check_<part>(your_function)` calls your function on several inputs — random ones and edge
cases such as large |z|, a batch of one, zeros — compares the result with nnlab's own, and prints
a verdict: one line when it is right; otherwise every input with ✓ or ✗ (public, or hidden in
grading), and for each failed one what was expected and what came back (shapes first, then the
largest error, where, the relative error and the tolerance allowed, which output of several is
wrong), naming the typical mistake when your result matches one on every input ("your result
equals the SUM over the batch, not the mean"). More help is opt-in: `nl.checks.hint("softmax")`
prints the first step of that part's hint ladder, and each further call one step more (the idea,
the formula, which numpy operation — never the finished line). Your function gets copies of the
inputs (changing them is reported), may run for a limited time, and whatever it raises is
reported, not raised: a check never stops "Run all". It returns a
`CheckResult`, falsy when the check failed. Set the environment variable NNLAB_CHECKS_RAISE=1 to
make failing checks raise instead (for autograders that count a test cell as passed when it does
not raise, such as nbgrader's).

Chapters 11 and 12 add the recurrent parts (an RNN forward and backward through time, an LSTM
step; nnlab.checks.recurrent) and the autograd parts (local backward rules, the topological order
and the reverse-mode driver on `nl.autograd.Value` graphs; nnlab.checks.autograd).

`PARTS` maps each part's name to its definition; the grader (nnlab.grading) uses the same parts
with hidden inputs.
"""

from . import activations as _activations
from . import autograd as _autograd
from . import backprop as _backprop
from . import descent as _descent
from . import dropout as _dropout
from . import layers as _layers
from . import losses as _losses
from . import neuron as _neuron
from . import optimizers as _optimizers
from . import recurrent as _recurrent
from . import residual as _residual
from . import training as _training
from ._core import CheckFailed, CheckResult, Part, hint, run_check
from .activations import (check_elu, check_relu, check_relu_prime, check_sigmoid_prime,
                          check_softmax, check_tanh_prime)
from .autograd import (check_backward, check_exp_backward, check_mul_backward,
                       check_tanh_backward, check_topological_order)
from .backprop import (check_dense_backward, check_hidden_delta, check_numeric_gradient,
                       check_output_delta, check_scaled_softplus_backward, check_two_layer_backward)
from .descent import (check_gradient_descent, check_largest_stable_lr, check_sgd_step,
                      check_step_decay)
from .dropout import (check_dropout_backward, check_dropout_forward, check_dropout_gap,
                      check_dropout_mask, check_early_stopping)
from .layers import check_count_parameters, check_dense_forward, check_feedforward
from .losses import (check_hinge_loss_grad, check_softmax_cross_entropy,
                     check_softmax_cross_entropy_grad, check_squared_error, check_squared_error_grad)
from .neuron import (check_logic_gate_weights, check_neuron_forward,
                     check_neuron_forward_bias_trick, check_perceptron_step, check_sigmoid,
                     check_train_perceptron)
from .optimizers import check_adam_step, check_minibatches, check_momentum_step
from .recurrent import (check_gradient_through_time, check_lstm_cell_forward, check_rnn_backward,
                        check_rnn_forward)
from .residual import (check_backprop_deltas, check_gate_backward, check_layer_gradient_norms,
                       check_residual_backward, check_residual_forward)
from .training import (check_accuracy, check_confusion_matrix, check_standardize,
                       check_stratified_split, check_training)

#: Every part, by name, in course order.
PARTS = {part.name: part
         for module in (_neuron, _activations, _layers, _losses, _descent, _optimizers, _backprop,
                        _training, _dropout, _residual, _recurrent, _autograd)
         for part in module.PARTS}

__all__ = ["CheckResult", "CheckFailed", "Part", "PARTS", "hint", "run_check"] + sorted(
    part.check_name for part in PARTS.values())
